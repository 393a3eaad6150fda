/**
 * Weight bytes ⇄ values: little-endian float32 (and int32, bool, and the
 * converter's uint8/uint16/float16 quantizations) concatenated in manifest order.
 */
import { DataError } from '../errors.js';
import type { WeightData, WeightSpec } from './types.js';
import type { CheckedSpec } from './validate.js';
import { checkGroupBytes } from './validate.js';

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Total bytes of weight data given as one buffer or several. */
export function weightDataBytes(d: WeightData | undefined): number {
  if (d === undefined || d === null) return 0;
  return Array.isArray(d) ? d.reduce((a, b) => a + b.byteLength, 0) : d.byteLength;
}

/** One buffer holding the weight data (copies only if it came in pieces). */
export function joinWeightData(d: WeightData): ArrayBuffer {
  if (!Array.isArray(d)) return d;
  if (d.length === 1) return d[0]!;
  const out = new Uint8Array(weightDataBytes(d));
  let off = 0;
  for (const b of d) {
    out.set(new Uint8Array(b), off);
    off += b.byteLength;
  }
  return out.buffer;
}

/** Accept ArrayBuffer, ArrayBuffer[], or typed arrays from a custom handler. */
export function normalizeWeightData(d: unknown, path: string): WeightData | undefined {
  if (d === undefined || d === null) return undefined;
  const one = (x: unknown, p: string): ArrayBuffer => {
    if (x instanceof ArrayBuffer) return x;
    if (ArrayBuffer.isView(x)) return new Uint8Array(x.buffer, x.byteOffset, x.byteLength).slice().buffer;
    if (typeof SharedArrayBuffer !== 'undefined' && x instanceof SharedArrayBuffer)
      return new Uint8Array(x).slice().buffer;
    throw new DataError(
      `${p}: expected an ArrayBuffer (or an array of them). Received: ${Object.prototype.toString.call(x)}`,
    );
  };
  return Array.isArray(d) ? d.map((x, i) => one(x, `${path}[${i}]`)) : one(d, path);
}

function float16ToFloat32(h: number): number {
  const s = h & 0x8000 ? -1 : 1,
    e = (h >> 10) & 0x1f,
    f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

/**
 * Decode the weights of `specs` from `data` (their bytes, in order). Byte
 * lengths are checked first, so nothing is read past the end. Values become
 * float32 arrays (int32/bool/quantized weights are converted).
 */
export function decodeWeights(
  specs: CheckedSpec[],
  data: ArrayBuffer,
  where: string,
  allowNonFinite: boolean,
): Map<string, { spec: CheckedSpec; values: Float32Array }> {
  const total = specs.reduce((a, s) => a + s.bytes, 0);
  checkGroupBytes({ weights: specs, bytes: total }, data.byteLength, where);
  const out = new Map<string, { spec: CheckedSpec; values: Float32Array }>();
  const dv = new DataView(data);
  let off = 0;
  for (const s of specs) {
    const n = s.size;
    let values: Float32Array;
    const q = s.quantization;
    if (q?.dtype === 'uint8' || q?.dtype === 'uint16') {
      values = new Float32Array(n);
      const scale = q.scale!,
        min = q.min!;
      if (q.dtype === 'uint8') {
        const u = new Uint8Array(data, off, n);
        for (let i = 0; i < n; i++) values[i] = u[i]! * scale + min;
      } else for (let i = 0; i < n; i++) values[i] = dv.getUint16(off + 2 * i, true) * scale + min;
    } else if (q?.dtype === 'float16') {
      values = new Float32Array(n);
      for (let i = 0; i < n; i++) values[i] = float16ToFloat32(dv.getUint16(off + 2 * i, true));
    } else if (s.dtype === 'float32') {
      // Aligned on a little-endian machine: one bulk copy; otherwise element by element.
      values = LITTLE_ENDIAN && off % 4 === 0 ? new Float32Array(data.slice(off, off + 4 * n)) : new Float32Array(n);
      if (!(LITTLE_ENDIAN && off % 4 === 0)) for (let i = 0; i < n; i++) values[i] = dv.getFloat32(off + 4 * i, true);
    } else if (s.dtype === 'int32') {
      values = new Float32Array(n);
      for (let i = 0; i < n; i++) values[i] = dv.getInt32(off + 4 * i, true);
    } else {
      values = new Float32Array(n);
      for (let i = 0; i < n; i++) values[i] = dv.getUint8(off + i) ? 1 : 0;
    }
    if (q?.dtype !== undefined && s.dtype === 'int32') for (let i = 0; i < n; i++) values[i] = Math.round(values[i]!);
    if (!allowNonFinite) {
      for (let i = 0; i < n; i++) {
        if (!Number.isFinite(values[i]!)) {
          throw new DataError(
            `Weight '${s.name}' holds a non-finite value (${values[i]}) at flat index ${i} of shape [${s.shape.join(', ')}]: the weights file is corrupt (or pass { allowNonFinite: true } to load it anyway).`,
          );
        }
      }
    }
    out.set(s.name, { spec: s, values });
    off += s.bytes;
  }
  return out;
}

/** Encode float32 weights (and int32 counters) into one little-endian buffer, with their specs. */
export function encodeWeights(
  entries: {
    name: string;
    shape: readonly number[];
    values: ArrayLike<number>;
    dtype?: 'float32' | 'int32';
    group?: 'optimizer';
  }[],
): { specs: WeightSpec[]; data: ArrayBuffer } {
  const bytes = entries.reduce((a, e) => a + 4 * e.values.length, 0);
  const data = new ArrayBuffer(bytes);
  const dv = new DataView(data);
  const specs: WeightSpec[] = [];
  let off = 0;
  for (const e of entries) {
    const dtype = e.dtype ?? 'float32';
    const n = e.values.length;
    if (dtype === 'float32' && LITTLE_ENDIAN) new Float32Array(data, off, n).set(e.values);
    else
      for (let i = 0; i < n; i++) {
        if (dtype === 'int32') dv.setInt32(off + 4 * i, e.values[i]!, true);
        else dv.setFloat32(off + 4 * i, e.values[i]!, true);
      }
    const spec: WeightSpec = { name: e.name, shape: e.shape.slice(), dtype };
    if (e.group) spec.group = e.group;
    specs.push(spec);
    off += 4 * n;
  }
  return { specs, data };
}
