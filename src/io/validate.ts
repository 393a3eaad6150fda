/**
 * Validation of untrusted model files, before anything is allocated.
 *
 * A model file may come from anywhere: it is checked as data, never
 * evaluated. JSON structure, every key (no `__proto__`, `constructor` or
 * `prototype` anywhere), every number (finite), every shape (non-negative
 * integers, bounded rank, bounded total), dtypes, and byte lengths against the
 * manifest. Errors are DataErrors naming the field (`modelTopology.config.layers[1].config.units`)
 * or the weight (`dense_Dense1/kernel`), what was expected and what was found.
 */
import { DataError, NotSupportedError, describe } from '../errors.js';
import type { ModelJSON, TrainingConfig, WeightSpec } from './types.js';

/** Default bound on the parameters of a model: 2^28 floats (1 GiB). */
export const DEFAULT_MAX_PARAMS = 2 ** 28;
/** model.json larger than this is refused before it is read. */
export const MAX_JSON_BYTES = 64 * 1024 * 1024;
const MAX_DEPTH = 64;
const MAX_NODES = 2_000_000;
const MAX_RANK = 8;
const MAX_WEIGHTS = 100_000;
const MAX_PATHS = 10_000;
const MAX_NAME = 1024;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** A JSON path for messages: `a.b[2].c`. */
export const at = (path: string, key: string | number) =>
  typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key;

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const p = Object.getPrototypeOf(v);
  return p === Object.prototype || p === null;
}

/**
 * Walk a JSON-like value (iteratively: a deeply nested file cannot overflow
 * the stack) and refuse anything that is not plain data: forbidden keys,
 * non-finite numbers, functions, class instances, excessive depth or size.
 */
export function checkPlainData(value: unknown, path: string): void {
  const stack: [unknown, string, number][] = [[value, path, 0]];
  let nodes = 0;
  while (stack.length > 0) {
    const [v, p, depth] = stack.pop()!;
    if (++nodes > MAX_NODES) throw new DataError(`${path} is too large: more than ${MAX_NODES} JSON values.`);
    if (v === null || typeof v === 'string' || typeof v === 'boolean') continue;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw new DataError(`${p}: expected a finite number. Received: ${v}`);
      continue;
    }
    if (depth >= MAX_DEPTH) throw new DataError(`${p}: nested more than ${MAX_DEPTH} levels deep; not a model file.`);
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], at(p, i), depth + 1]);
      continue;
    }
    if (!isPlainObject(v))
      throw new DataError(
        `${p}: expected JSON data (an object, array, string, number, boolean or null). Received: ${describe(v)}`,
      );
    for (const k of Object.keys(v)) {
      if (FORBIDDEN_KEYS.has(k)) throw new DataError(`${at(p, k)}: the key '${k}' is not allowed in a model file.`);
      stack.push([v[k], at(p, k), depth + 1]);
    }
  }
}

/** Parse model.json text (or bytes) into a checked object. */
export function parseJSONText(text: string | Uint8Array, what: string): Record<string, unknown> {
  const v = parseAnyJSON(text, what);
  if (!isPlainObject(v)) throw new DataError(`${what}: expected a JSON object. Received: ${describe(v)}`);
  return v;
}

/** Parse JSON text (or bytes) of any kind into checked plain data. */
export function parseAnyJSON(text: string | Uint8Array, what: string): unknown {
  const bytes = typeof text === 'string' ? text.length : text.byteLength;
  if (bytes > MAX_JSON_BYTES)
    throw new DataError(`${what} is ${bytes} bytes; model files over ${MAX_JSON_BYTES} bytes are refused.`);
  let s: string;
  try {
    s = typeof text === 'string' ? text : new TextDecoder('utf-8', { fatal: true }).decode(text);
  } catch {
    throw new DataError(`${what} is not valid UTF-8 text: the file is corrupt or not a model.json.`);
  }
  let v: unknown;
  try {
    v = JSON.parse(s);
  } catch (e) {
    throw new DataError(
      `${what} is not valid JSON (${(e as Error).message}): the file is corrupt or not a model.json.`,
    );
  }
  checkPlainData(v, what);
  return v;
}

/** Product of a shape, or Infinity if it passes `limit` (no overflow, no huge loops). */
function boundedSize(shape: readonly number[], limit: number): number {
  let n = 1;
  for (const d of shape) {
    n *= d;
    if (n > limit) return Infinity;
  }
  return n;
}

/** Bytes per element as stored (quantization wins over dtype). */
export function storedBytesPerElement(spec: WeightSpec): number {
  const q = spec.quantization?.dtype;
  if (q === 'uint8') return 1;
  if (q === 'uint16' || q === 'float16') return 2;
  return spec.dtype === 'bool' ? 1 : 4;
}

export interface CheckedSpec extends WeightSpec {
  size: number;
  bytes: number;
}

/**
 * Check a list of weight specs: names, shapes, dtypes, quantization, totals.
 * Returns the specs with their element count and byte length.
 */
export function checkWeightSpecs(specs: unknown, path: string, maxParams: number): CheckedSpec[] {
  if (!Array.isArray(specs))
    throw new DataError(
      `${path}: expected an array of weight specs { name, shape, dtype }. Received: ${describe(specs)}`,
    );
  if (specs.length > MAX_WEIGHTS)
    throw new DataError(`${path}: ${specs.length} weights; at most ${MAX_WEIGHTS} are accepted.`);
  const out: CheckedSpec[] = [];
  const seen = new Set<string>();
  let modelTotal = 0,
    allTotal = 0;
  specs.forEach((s, i) => {
    const p = at(path, i);
    if (!isPlainObject(s))
      throw new DataError(`${p}: expected a weight spec { name, shape, dtype }. Received: ${describe(s)}`);
    const name = s.name;
    if (typeof name !== 'string' || name.length === 0 || name.length > MAX_NAME) {
      throw new DataError(
        `${p}.name: expected a non-empty string of at most ${MAX_NAME} characters. Received: ${describe(typeof name === 'string' ? name.slice(0, 64) : name)}`,
      );
    }
    const w = `weight '${name}' (${p})`;
    if (seen.has(name)) throw new DataError(`${w}: the name appears twice in the manifest.`);
    seen.add(name);
    const shape = s.shape;
    if (
      !Array.isArray(shape) ||
      shape.length > MAX_RANK ||
      shape.some((d) => typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0)
    ) {
      throw new DataError(
        `${w}: expected a shape of at most ${MAX_RANK} non-negative integers. Received: ${describe(shape)}`,
      );
    }
    const dtype = s.dtype;
    if (dtype === 'string' || dtype === 'complex64')
      throw new NotSupportedError(
        `${w}: dtype '${dtype}' is not supported for layer weights. Supported: float32, int32, bool.`,
      );
    if (dtype !== 'float32' && dtype !== 'int32' && dtype !== 'bool') {
      throw new DataError(`${w}: expected dtype 'float32', 'int32' or 'bool'. Received: ${describe(dtype)}`);
    }
    const group = s.group;
    if (group !== undefined && group !== null && group !== 'model' && group !== 'optimizer') {
      throw new DataError(`${w}: expected group 'model' or 'optimizer'. Received: ${describe(group)}`);
    }
    let quantization: WeightSpec['quantization'];
    if (s.quantization !== undefined && s.quantization !== null) {
      const q = s.quantization;
      if (!isPlainObject(q) || (q.dtype !== 'uint8' && q.dtype !== 'uint16' && q.dtype !== 'float16')) {
        throw new DataError(
          `${w}: expected quantization { dtype: 'uint8' | 'uint16' | 'float16', scale, min }. Received: ${describe(isPlainObject(q) ? q.dtype : q)}`,
        );
      }
      if (dtype !== 'float32' && dtype !== 'int32')
        throw new DataError(`${w}: quantization applies to float32 or int32 weights. Received dtype: '${dtype}'`);
      if (q.dtype !== 'float16' && (typeof q.scale !== 'number' || typeof q.min !== 'number')) {
        throw new DataError(
          `${w}: ${q.dtype} quantization needs numeric scale and min. Received: scale=${describe(q.scale)}, min=${describe(q.min)}`,
        );
      }
      quantization = { dtype: q.dtype, scale: q.scale as number | undefined, min: q.min as number | undefined };
    }
    const size = boundedSize(shape as number[], maxParams);
    if (!Number.isFinite(size)) {
      throw new DataError(
        `${w}: shape [${shape.join(', ')}] has more than ${maxParams} elements, the limit for a model (raise it with the \`maxParams\` load option if this model is genuine).`,
      );
    }
    const isOpt = group === 'optimizer';
    if (isOpt) allTotal += size;
    else {
      modelTotal += size;
      allTotal += size;
    }
    if (modelTotal > maxParams) {
      throw new DataError(
        `${path}: the model weights hold more than ${maxParams} parameters (reached at weight '${name}'); refused as implausible. Raise the \`maxParams\` load option if this model is genuine.`,
      );
    }
    // Optimizer state is at most three slots per weight, plus counters.
    if (allTotal > 4 * maxParams + MAX_WEIGHTS)
      throw new DataError(
        `${path}: the weights and optimizer state hold more than ${4 * maxParams} values (reached at weight '${name}'); refused as implausible.`,
      );
    const spec: CheckedSpec = { name, shape: (shape as number[]).slice(), dtype, size, bytes: 0 };
    if (group === 'optimizer' || group === 'model') spec.group = group;
    if (quantization) spec.quantization = quantization;
    spec.bytes = size * storedBytesPerElement(spec);
    out.push(spec);
  });
  return out;
}

/**
 * A manifest path must stay inside the model's directory (or below the
 * model.json URL): relative, no `..` segment, no scheme, no drive, no NUL.
 */
export function checkRelativePath(p: unknown, path: string): string {
  if (typeof p !== 'string' || p.length === 0 || p.length > MAX_NAME) {
    throw new DataError(
      `${path}: expected a relative file name. Received: ${describe(typeof p === 'string' ? p.slice(0, 64) : p)}`,
    );
  }
  const segments = p.split(/[\\/]/);
  if (
    p.startsWith('/') ||
    p.startsWith('\\') ||
    /^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(p) ||
    p.includes('\0') ||
    segments.includes('..')
  ) {
    throw new DataError(
      `${path}: the weights path ${JSON.stringify(p)} must be a plain relative file name next to model.json (no '..', no absolute path, no URL scheme).`,
    );
  }
  return p;
}

export interface CheckedGroup {
  paths: string[];
  weights: CheckedSpec[];
  bytes: number;
}

export interface CheckedModelJSON {
  modelTopology: Record<string, unknown> | null;
  groups: CheckedGroup[];
  json: ModelJSON;
}

/** `format` must be 'layers-model' (or absent, as in older files). */
export function checkFormat(format: unknown, what: string): void {
  if (format === undefined || format === null || format === 'layers-model') return;
  if (format === 'graph-model') {
    throw new NotSupportedError(
      `${what} is a TF.js graph model (format 'graph-model'), a frozen TensorFlow graph. simdnet loads layers models: convert with \`tensorflowjs_converter --input_format keras\` from a Keras model instead.`,
    );
  }
  throw new DataError(`${what}: expected format 'layers-model'. Received: ${describe(format)}`);
}

/** Check a parsed model.json: its top-level fields and its weights manifest. */
export function checkModelJSON(v: Record<string, unknown>, what: string, maxParams: number): CheckedModelJSON {
  checkPlainData(v, what);
  const topo = v.modelTopology;
  if (topo !== undefined && topo !== null && !isPlainObject(topo)) {
    throw new DataError(
      `${what}: modelTopology must be an object (Keras form { class_name, config }). Received: ${describe(topo)}`,
    );
  }
  checkFormat(v.format, what);
  const manifest = v.weightsManifest ?? [];
  if (!Array.isArray(manifest))
    throw new DataError(
      `${what}.weightsManifest: expected an array of groups { paths, weights }. Received: ${describe(manifest)}`,
    );
  const groups: CheckedGroup[] = [];
  const allSpecs: unknown[] = [];
  let pathCount = 0;
  manifest.forEach((g, gi) => {
    const p = at(`${what}.weightsManifest`, gi);
    if (!isPlainObject(g) || !Array.isArray(g.paths) || !Array.isArray(g.weights)) {
      throw new DataError(`${p}: expected a group { paths: [...], weights: [...] }. Received: ${describe(g)}`);
    }
    pathCount += g.paths.length;
    if (pathCount > MAX_PATHS) throw new DataError(`${what}.weightsManifest: more than ${MAX_PATHS} weight files.`);
    const paths = g.paths.map((x, i) => checkRelativePath(x, at(`${p}.paths`, i)));
    if (paths.length === 0 && g.weights.length > 0)
      throw new DataError(`${p}.paths: a group with weights needs at least one file.`);
    allSpecs.push(...g.weights);
    groups.push({ paths, weights: [], bytes: 0 });
  });
  // Check all specs together (duplicate names across groups, totals), then split them back.
  const checked = checkWeightSpecs(allSpecs, `${what}.weightsManifest[*].weights`, maxParams);
  let k = 0;
  manifest.forEach((g, gi) => {
    const n = (g as { weights: unknown[] }).weights.length;
    const ws = checked.slice(k, k + n);
    k += n;
    groups[gi]!.weights = ws;
    groups[gi]!.bytes = ws.reduce((a, s) => a + s.bytes, 0);
  });
  if (v.trainingConfig !== undefined && v.trainingConfig !== null)
    checkTrainingConfigShape(v.trainingConfig, `${what}.trainingConfig`);
  if (v.userDefinedMetadata !== undefined && v.userDefinedMetadata !== null && !isPlainObject(v.userDefinedMetadata)) {
    throw new DataError(
      `${what}.userDefinedMetadata: expected an object. Received: ${describe(v.userDefinedMetadata)}`,
    );
  }
  return {
    modelTopology: (topo as Record<string, unknown> | undefined) ?? null,
    groups,
    json: v as unknown as ModelJSON,
  };
}

/** The training config's structure (its values are checked when the model is compiled from it). */
export function checkTrainingConfigShape(tc: unknown, path: string): asserts tc is TrainingConfig {
  if (!isPlainObject(tc))
    throw new DataError(`${path}: expected an object { loss, metrics, optimizer_config }. Received: ${describe(tc)}`);
  const oc = tc.optimizer_config;
  if (
    !isPlainObject(oc) ||
    typeof oc.class_name !== 'string' ||
    (oc.config !== undefined && oc.config !== null && !isPlainObject(oc.config))
  ) {
    throw new DataError(`${path}.optimizer_config: expected { class_name, config }. Received: ${describe(oc)}`);
  }
  const oneLoss = (l: unknown) => typeof l === 'string' || isPlainObject(l);
  if (
    !oneLoss(tc.loss) &&
    !(Array.isArray(tc.loss) && tc.loss.length > 0 && tc.loss.length <= 1000 && tc.loss.every(oneLoss))
  ) {
    throw new DataError(
      `${path}.loss: expected a loss name or { class_name, config }, or one per output (an array, or an object keyed by output name). Received: ${describe(tc.loss)}`,
    );
  }
  if (tc.metrics !== undefined && tc.metrics !== null && !Array.isArray(tc.metrics) && !isPlainObject(tc.metrics)) {
    throw new DataError(
      `${path}.metrics: expected an array of metric names (or per output: an object keyed by output name). Received: ${describe(tc.metrics)}`,
    );
  }
}

/**
 * Compare the bytes found for a group with what its manifest needs, and name
 * the weight the data stops in (or the surplus).
 */
export function checkGroupBytes(group: { weights: CheckedSpec[]; bytes: number }, found: number, where: string): void {
  if (found === group.bytes) return;
  if (found > group.bytes) {
    throw new DataError(
      `${where} holds ${found} bytes but its manifest describes ${group.bytes} (${found - group.bytes} bytes too many): the weights do not belong to this model.json, or a shape in it was altered.`,
    );
  }
  let off = 0;
  for (const s of group.weights) {
    if (off + s.bytes > found) {
      throw new DataError(
        `${where} is truncated: weight '${s.name}' (shape [${s.shape.join(', ')}], ${s.quantization?.dtype ?? s.dtype}) needs bytes ${off}–${off + s.bytes}, but the data ends at byte ${found} of the ${group.bytes} the manifest describes.`,
      );
    }
    off += s.bytes;
  }
}
