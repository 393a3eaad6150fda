/**
 * Public tensor operations. The heavy ones (matMul, activations) run on the
 * current backend's kernels through short-lived copies in kernel memory; the
 * light ones (broadcasting arithmetic, reductions, reshaping) are plain loops.
 * Every result is a new Tensor in ordinary JS memory.
 */
import { getBackend } from './backend/index.js';
import { Act } from './backend/types.js';
import { ValueError, describe, invalid } from './errors.js';
import { Tensor, TensorLike, asTensor, resolveShape, shapeSize } from './tensor.js';
import { resolveActivation } from './activations.js';

function rank2(t: Tensor, name: string): [number, number] {
  if (t.rank !== 2)
    throw new ValueError(
      `Invalid value for \`${name}\`: expected a rank-2 tensor (a matrix). Received: shape [${t.shape}]`,
    );
  return [t.shape[0]!, t.shape[1]!];
}

/**
 * Matrix product op(a)·op(b) of rank-2 tensors, on the backend's GEMM kernel.
 *
 * @param options.transposeA use aᵀ. Defaults to false.
 * @param options.transposeB use bᵀ. Defaults to false.
 * @example sn.matMul(x, w, { transposeB: true })
 */
export function matMul(
  a: TensorLike,
  b: TensorLike,
  options: { transposeA?: boolean; transposeB?: boolean } = {},
): Tensor {
  const A = asTensor(a, 'a'),
    B = asTensor(b, 'b');
  const ta = !!options.transposeA,
    tb = !!options.transposeB;
  const [ar, ac] = rank2(A, 'a');
  const [br, bc] = rank2(B, 'b');
  const M = ta ? ac : ar,
    K = ta ? ar : ac;
  const K2 = tb ? bc : br,
    N = tb ? br : bc;
  if (K !== K2) {
    throw new ValueError(
      `matMul: incompatible shapes: a${ta ? 'ᵀ' : ''} is ${M}×${K} and b${tb ? 'ᵀ' : ''} is ${K2}×${N}; the inner dimensions must match. Received: a [${A.shape}], b [${B.shape}], transposeA=${ta}, transposeB=${tb}`,
    );
  }
  const be = getBackend();
  const heap = be.heap;
  const pa = heap.allocF32(A.size),
    pb = heap.allocF32(B.size),
    pc = heap.allocF32(M * N);
  const ws = heap.alloc(be.gemmWorkspaceBytes);
  try {
    heap.write(pa, A.values);
    heap.write(pb, B.values);
    be.gemm(ta, tb, M, N, K, 1, pa, ac, pb, bc, 0, pc, N, ws);
    return new Tensor(heap.read(pc, M * N), [M, N]);
  } finally {
    heap.release(ws);
    heap.release(pc);
    heap.release(pb);
    heap.release(pa);
  }
}

/** Apply an activation by name (any of {@link activationNames}) elementwise; softmax acts on the last axis. */
export function activation(name: string, x: TensorLike, alpha?: number): Tensor {
  const X = asTensor(x, 'x');
  const act = resolveActivation(name, 'activation');
  const be = getBackend();
  const heap = be.heap;
  const p = heap.allocF32(Math.max(1, X.size));
  try {
    heap.write(p, X.values);
    if (act.kind === 'softmax') {
      const N = X.rank === 0 ? 1 : X.shape[X.rank - 1]!;
      const M = N === 0 ? 0 : X.size / N;
      be.softmaxRows(p, p, M, N);
    } else {
      be.biasAct(act.code, alpha ?? act.param, p, 0, p, 1, X.size);
    }
    return new Tensor(heap.read(p, X.size), X.shape);
  } finally {
    heap.release(p);
  }
}

export const relu = (x: TensorLike): Tensor => activation('relu', x);
export const sigmoid = (x: TensorLike): Tensor => activation('sigmoid', x);
export const tanh = (x: TensorLike): Tensor => activation('tanh', x);
export const softmax = (x: TensorLike): Tensor => activation('softmax', x);
export const elu = (x: TensorLike, alpha = 1): Tensor => activation('elu', x, alpha);
export const selu = (x: TensorLike): Tensor => activation('selu', x);
export const leakyRelu = (x: TensorLike, alpha = 0.2): Tensor => activation('leaky_relu', x, alpha);
export const gelu = (x: TensorLike): Tensor => activation('gelu', x);
export const swish = (x: TensorLike): Tensor => activation('swish', x);
export const softplus = (x: TensorLike): Tensor => activation('softplus', x);
export const softsign = (x: TensorLike): Tensor => activation('softsign', x);
export const exponential = (x: TensorLike): Tensor => activation('exponential', x);
export const hardSigmoid = (x: TensorLike): Tensor => activation('hard_sigmoid', x);
export const exp = (x: TensorLike): Tensor => map(x, Math.exp);
export const log = (x: TensorLike): Tensor => map(x, Math.log);
export const sqrt = (x: TensorLike): Tensor => map(x, Math.sqrt);
export const abs = (x: TensorLike): Tensor => map(x, Math.abs);
export const square = (x: TensorLike): Tensor => map(x, (v) => v * v);
export const neg = (x: TensorLike): Tensor => map(x, (v) => -v);

function map(x: TensorLike, f: (v: number) => number): Tensor {
  const X = asTensor(x, 'x');
  const out = new Float32Array(X.size);
  for (let i = 0; i < X.size; i++) out[i] = f(X.values[i]!);
  return new Tensor(out, X.shape);
}

/** The broadcast shape of two shapes (NumPy rules), or a clear error. */
export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  const out: number[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1,
      db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new ValueError(
        `Shapes [${a}] and [${b}] cannot be broadcast together: dimension ${i} is ${da} against ${db}`,
      );
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

function binary(a: TensorLike, b: TensorLike, f: (x: number, y: number) => number): Tensor {
  const A = asTensor(a, 'a'),
    B = asTensor(b, 'b');
  const shape = broadcastShapes(A.shape, B.shape);
  const size = shapeSize(shape);
  const out = new Float32Array(size);
  if (A.size === size && B.size === size) {
    for (let i = 0; i < size; i++) out[i] = f(A.values[i]!, B.values[i]!);
    return new Tensor(out, shape);
  }
  const n = shape.length;
  // Strides of each input in the broadcast index space (0 where broadcast).
  const sa = new Array<number>(n).fill(0),
    sb = new Array<number>(n).fill(0);
  let ka = 1,
    kb = 1;
  for (let i = n - 1; i >= 0; i--) {
    const da = A.shape[A.rank - n + i] ?? 1,
      db = B.shape[B.rank - n + i] ?? 1;
    sa[i] = da === 1 ? 0 : ka;
    sb[i] = db === 1 ? 0 : kb;
    ka *= da;
    kb *= db;
  }
  const idx = new Array<number>(n).fill(0);
  let ia = 0,
    ib = 0;
  for (let k = 0; k < size; k++) {
    out[k] = f(A.values[ia]!, B.values[ib]!);
    for (let d = n - 1; d >= 0; d--) {
      idx[d]!++;
      ia += sa[d]!;
      ib += sb[d]!;
      if (idx[d]! < shape[d]!) break;
      ia -= sa[d]! * shape[d]!;
      ib -= sb[d]! * shape[d]!;
      idx[d] = 0;
    }
  }
  return new Tensor(out, shape);
}

/** Elementwise a + b with broadcasting. */
export const add = (a: TensorLike, b: TensorLike): Tensor => binary(a, b, (x, y) => x + y);
/** Elementwise a − b with broadcasting. */
export const sub = (a: TensorLike, b: TensorLike): Tensor => binary(a, b, (x, y) => x - y);
/** Elementwise a · b with broadcasting. */
export const mul = (a: TensorLike, b: TensorLike): Tensor => binary(a, b, (x, y) => x * y);
/** Elementwise a / b with broadcasting. */
export const div = (a: TensorLike, b: TensorLike): Tensor => binary(a, b, (x, y) => x / y);

function normAxis(axis: number, rank: number): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= Math.max(rank, 1))
    invalid('axis', `an integer in [${-rank}, ${rank - 1}]`, axis);
  return axis < 0 ? axis + rank : axis;
}

/** @internal A reduction over one axis (all elements when omitted): acc = step(acc, v) from init, then finish. */
export function reduce(
  x: TensorLike,
  axis: number | undefined,
  keepDims: boolean,
  init: number,
  step: (acc: number, v: number, i: number) => number,
  finish: (acc: number, n: number) => number = (acc) => acc,
  argMode = false,
): Tensor {
  const X = asTensor(x, 'x');
  if (axis === undefined) {
    let acc = init,
      best = -Infinity;
    for (let i = 0; i < X.size; i++) {
      if (argMode) {
        if (X.values[i]! > best || i === 0) {
          best = X.values[i]!;
          acc = i;
        }
      } else acc = step(acc, X.values[i]!, i);
    }
    const v = argMode ? acc : finish(acc, X.size);
    return new Tensor(Float32Array.of(v), keepDims ? X.shape.map(() => 1) : []);
  }
  const ax = normAxis(axis, X.rank);
  const outer = shapeSize(X.shape.slice(0, ax)),
    n = X.shape[ax]!,
    inner = shapeSize(X.shape.slice(ax + 1));
  const out = new Float32Array(outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let acc = init,
        best = -Infinity,
        arg = 0;
      for (let k = 0; k < n; k++) {
        const v = X.values[(o * n + k) * inner + i]!;
        if (argMode) {
          if (v > best || k === 0) {
            best = v;
            arg = k;
          }
        } else acc = step(acc, v, k);
      }
      out[o * inner + i] = argMode ? arg : finish(acc, n);
    }
  }
  const shape = X.shape.slice();
  if (keepDims) shape[ax] = 1;
  else shape.splice(ax, 1);
  return new Tensor(out, shape);
}

/** Sum over an axis (all elements when axis is omitted). */
export const sum = (x: TensorLike, axis?: number, keepDims = false): Tensor =>
  reduce(
    x,
    axis,
    keepDims,
    0,
    (a, v) => a + v,
    (a) => a,
  );
/** Mean over an axis (all elements when axis is omitted). */
export const mean = (x: TensorLike, axis?: number, keepDims = false): Tensor =>
  reduce(
    x,
    axis,
    keepDims,
    0,
    (a, v) => a + v,
    (a, n) => a / n,
  );
/** Maximum over an axis. */
export const max = (x: TensorLike, axis?: number, keepDims = false): Tensor =>
  reduce(
    x,
    axis,
    keepDims,
    -Infinity,
    (a, v) => (v > a || Number.isNaN(v) ? v : a),
    (a) => a,
  );
/** Minimum over an axis. */
export const min = (x: TensorLike, axis?: number, keepDims = false): Tensor =>
  reduce(
    x,
    axis,
    keepDims,
    Infinity,
    (a, v) => (v < a || Number.isNaN(v) ? v : a),
    (a) => a,
  );
/** Index of the maximum along an axis (the first one on ties). */
export const argMax = (x: TensorLike, axis?: number): Tensor =>
  reduce(
    x,
    axis,
    false,
    0,
    (a) => a,
    (a) => a,
    true,
  );

/** Permute the dimensions (default: reverse them). */
export function transpose(x: TensorLike, perm?: readonly number[]): Tensor {
  const X = asTensor(x, 'x');
  const r = X.rank;
  const p = perm ? perm.slice() : X.shape.map((_, i) => r - 1 - i);
  const seen = new Set(p);
  if (p.length !== r || seen.size !== r || p.some((d) => !Number.isInteger(d) || d < 0 || d >= r)) {
    invalid('perm', `a permutation of [0..${r - 1}]`, perm);
  }
  const shape = p.map((d) => X.shape[d]!);
  const strides = new Array<number>(r);
  let s = 1;
  for (let d = r - 1; d >= 0; d--) {
    strides[d] = s;
    s *= X.shape[d]!;
  }
  const out = new Float32Array(X.size);
  const idx = new Array<number>(r).fill(0);
  for (let k = 0; k < X.size; k++) {
    let src = 0;
    for (let d = 0; d < r; d++) src += idx[d]! * strides[p[d]!]!;
    out[k] = X.values[src]!;
    for (let d = r - 1; d >= 0; d--) {
      if (++idx[d]! < shape[d]!) break;
      idx[d] = 0;
    }
  }
  return new Tensor(out, shape);
}

/** The same values in a new shape (one entry may be -1). */
export function reshape(x: TensorLike, shape: readonly number[]): Tensor {
  return asTensor(x, 'x').reshape(shape);
}

/** A slice: `size[d]` elements from `begin[d]` on each dimension (-1 in size: to the end). */
export function slice(x: TensorLike, begin: readonly number[], size?: readonly number[]): Tensor {
  const X = asTensor(x, 'x');
  if (!Array.isArray(begin) || begin.length !== X.rank) invalid('begin', `an array of ${X.rank} start indices`, begin);
  const sz = X.shape.map((n, d) => {
    const b = begin[d]!;
    if (!Number.isInteger(b) || b < 0 || b > n) invalid('begin', `indices within shape [${X.shape}]`, begin);
    const s = size?.[d] ?? -1;
    const len = s === -1 ? n - b : s;
    if (!Number.isInteger(len) || len < 0 || b + len > n)
      invalid('size', `sizes that fit shape [${X.shape}] from begin [${begin}]`, size);
    return len;
  });
  const out = new Float32Array(shapeSize(sz));
  const r = X.rank;
  const strides = new Array<number>(r);
  let s = 1;
  for (let d = r - 1; d >= 0; d--) {
    strides[d] = s;
    s *= X.shape[d]!;
  }
  const idx = new Array<number>(r).fill(0);
  for (let k = 0; k < out.length; k++) {
    let src = 0;
    for (let d = 0; d < r; d++) src += (idx[d]! + begin[d]!) * strides[d]!;
    out[k] = X.values[src]!;
    for (let d = r - 1; d >= 0; d--) {
      if (++idx[d]! < sz[d]!) break;
      idx[d] = 0;
    }
  }
  return new Tensor(out, sz);
}

/** Join tensors along an axis; the other dimensions must match. */
export function concat(tensors: readonly TensorLike[], axis = 0): Tensor {
  if (!Array.isArray(tensors) || tensors.length === 0) invalid('tensors', 'a non-empty array of tensors', tensors);
  const ts = tensors.map((t, i) => asTensor(t, `tensors[${i}]`));
  const first = ts[0]!;
  const ax = normAxis(axis, first.rank);
  for (let i = 1; i < ts.length; i++) {
    const t = ts[i]!;
    if (t.rank !== first.rank || t.shape.some((d, k) => k !== ax && d !== first.shape[k])) {
      throw new ValueError(
        `concat: tensors[${i}] has shape [${t.shape}], which does not match [${first.shape}] outside axis ${ax}`,
      );
    }
  }
  const outer = shapeSize(first.shape.slice(0, ax)),
    inner = shapeSize(first.shape.slice(ax + 1));
  const total = ts.reduce((a, t) => a + t.shape[ax]!, 0);
  const out = new Float32Array(outer * total * inner);
  let off = 0;
  for (let o = 0; o < outer; o++) {
    for (const t of ts) {
      const chunk = t.shape[ax]! * inner;
      out.set(t.values.subarray(o * chunk, (o + 1) * chunk), off);
      off += chunk;
    }
  }
  const shape = first.shape.slice();
  shape[ax] = total;
  return new Tensor(out, shape);
}

/**
 * One-hot encode integer class indices (Keras `to_categorical`).
 * @param indices class indices in [0, depth)
 * @param depth the number of classes. Defaults to max(indices) + 1.
 */
export function oneHot(indices: TensorLike, depth?: number): Tensor {
  const I = asTensor(indices, 'indices');
  let d = depth;
  if (d === undefined) {
    d = 0;
    for (const v of I.values) d = Math.max(d, v + 1);
  }
  if (!Number.isInteger(d) || d <= 0) invalid('depth', 'a positive integer', depth);
  const out = new Float32Array(I.size * d);
  for (let i = 0; i < I.size; i++) {
    const c = I.values[i]!;
    if (!Number.isInteger(c) || c < 0 || c >= d) {
      throw new ValueError(
        `oneHot: \`indices\` must be integers in [0, ${d}). Received: ${describe(c)} at position ${i}`,
      );
    }
    out[i * d + c] = 1;
  }
  return new Tensor(out, [...I.shape, d]);
}

export { resolveShape, Act };
