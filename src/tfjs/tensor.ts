/**
 * `simdnet/tfjs` tensors (issue 18): TF.js's Tensor — dtypes, chained ops, `print`, `dispose`, `tidy` —
 * over simdnet's tensor, so every model of the main entry takes them as they are. Values live in ordinary
 * JS memory (float32 storage; 'int32' and 'bool' are tags, exact for integers up to 2^24): nothing leaks
 * when a tensor is dropped, and `dispose()` / `tidy()` release a tensor's values at once, as TF.js does.
 */
import { NotSupportedError, ValueError, describe, invalid } from '../errors.js';
import * as ops from '../ops.js';
import { Rng, nextSeed } from '../random.js';
import {
  type DataType,
  type NestedArray,
  Tensor as BaseTensor,
  tensor as baseTensor,
  resolveShape,
  shapeSize,
} from '../tensor.js';

export type { DataType, NestedArray };
export type TypedArray = Float32Array | Int32Array | Uint8Array;
export interface DataTypeMap {
  float32: Float32Array;
  int32: Int32Array;
  bool: Uint8Array;
}
export type TensorLike = BaseTensor | NestedArray | TypedArray | Float64Array | number[] | boolean | boolean[];
type Axis = number | number[];

// ---- Memory accounting: what tf.memory() reports. ----

let nextId = 0;
let liveTensors = 0;
let liveBytes = 0;
/** Tensors dropped without dispose() leave the count when the garbage collector takes them. */
const collected = new FinalizationRegistry<number>((bytes) => {
  liveTensors--;
  liveBytes -= bytes;
});
/** The tensors made inside each open tidy() scope, innermost last. */
const scopes: Set<Tensor>[] = [];

/** TF.js's memory(): live tensors and their bytes, and simdnet's kernel memory in use. */
export function memory(): {
  numTensors: number;
  numDataBuffers: number;
  numBytes: number;
  unreliable: boolean;
  reasons: string[];
  kernelBytes: number;
} {
  return {
    numTensors: liveTensors,
    numDataBuffers: liveTensors,
    numBytes: liveBytes,
    // Tensors dropped without dispose() are counted until the garbage collector has taken them.
    unreliable: true,
    reasons: ['tensors that were dropped without dispose() are counted until garbage collection frees them'],
    kernelBytes: kernelBytes(),
  };
}
let kernelBytes: () => number = () => 0;
/** @internal The backend's kernel memory in use (set by the entry). */
export function setKernelBytes(f: () => number): void {
  kernelBytes = f;
}

const EMPTY = new Float32Array(0);

export class Tensor extends BaseTensor {
  /** A unique id (TF.js's `tensor.id`). */
  readonly id: number;
  private disposed = false;
  /** @internal Kept by tf.keep: a tidy() scope does not dispose it. */
  kept = false;
  constructor(values: Float32Array, shape: readonly number[], dtype: DataType = 'float32') {
    super(values, shape, dtype);
    this.id = nextId++;
    liveTensors++;
    liveBytes += values.byteLength;
    collected.register(this, values.byteLength, this);
    scopes[scopes.length - 1]?.add(this);
  }

  get isDisposed(): boolean {
    return this.disposed;
  }
  /** Release the values now (the tensor cannot be read afterwards), as TF.js's dispose does. */
  override dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    collected.unregister(this);
    liveTensors--;
    liveBytes -= this.values.byteLength;
    (this as { values: Float32Array }).values = EMPTY;
  }
  /** @internal Throw TF.js's error on a disposed tensor. */
  check(): this {
    if (this.disposed) throw new ValueError(`Tensor is disposed (tensor id ${this.id}).`);
    return this;
  }

  /** The values, typed by dtype: Float32Array, Int32Array (int32) or Uint8Array (bool). */
  override dataSync<D extends DataType = 'float32'>(): DataTypeMap[D] {
    this.check();
    if (this.dtype === 'int32') return Int32Array.from(this.values) as DataTypeMap[D];
    if (this.dtype === 'bool') return Uint8Array.from(this.values) as DataTypeMap[D];
    return this.values as DataTypeMap[D];
  }
  override async data<D extends DataType = 'float32'>(): Promise<DataTypeMap[D]> {
    return this.dataSync<D>();
  }
  override arraySync(): NestedArray {
    return this.check().toArray();
  }
  override async array(): Promise<NestedArray> {
    return this.arraySync();
  }
  /** TF.js's bufferSync(): get/set by indices (set writes into this tensor). */
  bufferSync(): {
    shape: number[];
    values: Float32Array;
    get: (...i: number[]) => number;
    set: (v: number, ...i: number[]) => void;
    toTensor: () => Tensor;
  } {
    const t = this.check();
    const strides = stridesOf(t.shape);
    const at = (i: number[]) => i.reduce((a, v, d) => a + v * strides[d]!, 0);
    return {
      shape: t.shape.slice(),
      values: t.values,
      get: (...i) => t.values[at(i)]!,
      set: (v, ...i) => void (t.values[at(i)] = v),
      toTensor: () => t.clone(),
    };
  }
  /** Print the tensor as TF.js does (`verbose` adds dtype and shape). */
  print(verbose = false): void {
    console.log(this.toString(verbose));
  }
  override toString(verbose = false): string {
    this.check();
    const fmt = (v: NestedArray, indent: number): string => {
      if (!Array.isArray(v)) return this.dtype === 'bool' ? String(v !== 0) : String(v);
      if (v.length === 0 || !Array.isArray(v[0])) return `[${v.map((x) => fmt(x, indent)).join(', ')}]`;
      return `[${v.map((x, i) => (i === 0 ? '' : ' '.repeat(indent + 1)) + fmt(x, indent + 1)).join(',\n')}]`;
    };
    const head = verbose
      ? `Tensor\n  dtype: ${this.dtype}\n  rank: ${this.rank}\n  shape: [${this.shape}]\n  values:\n`
      : 'Tensor\n';
    return `${head}    ${fmt(this.toArray(), 4)}`;
  }
  override clone(): Tensor {
    return new Tensor(this.check().values.slice(), this.shape, this.dtype);
  }
  override reshape(shape: readonly number[]): Tensor {
    return new Tensor(this.check().values.slice(), resolveShape(shape, this.size), this.dtype);
  }

  // ---- Chained ops (TF.js's tensor methods): each is the function of the same name. ----
  add(b: TensorLike): Tensor {
    return add(this, b);
  }
  sub(b: TensorLike): Tensor {
    return sub(this, b);
  }
  mul(b: TensorLike): Tensor {
    return mul(this, b);
  }
  div(b: TensorLike): Tensor {
    return div(this, b);
  }
  divNoNan(b: TensorLike): Tensor {
    return divNoNan(this, b);
  }
  floorDiv(b: TensorLike): Tensor {
    return floorDiv(this, b);
  }
  mod(b: TensorLike): Tensor {
    return mod(this, b);
  }
  pow(b: TensorLike): Tensor {
    return pow(this, b);
  }
  maximum(b: TensorLike): Tensor {
    return maximum(this, b);
  }
  minimum(b: TensorLike): Tensor {
    return minimum(this, b);
  }
  squaredDifference(b: TensorLike): Tensor {
    return squaredDifference(this, b);
  }
  matMul(b: TensorLike, transposeA = false, transposeB = false): Tensor {
    return matMul(this, b, transposeA, transposeB);
  }
  dot(b: TensorLike): Tensor {
    return dot(this, b);
  }
  sum(axis?: Axis, keepDims = false): Tensor {
    return sum(this, axis, keepDims);
  }
  mean(axis?: Axis, keepDims = false): Tensor {
    return mean(this, axis, keepDims);
  }
  max(axis?: Axis, keepDims = false): Tensor {
    return max(this, axis, keepDims);
  }
  min(axis?: Axis, keepDims = false): Tensor {
    return min(this, axis, keepDims);
  }
  prod(axis?: Axis, keepDims = false): Tensor {
    return prod(this, axis, keepDims);
  }
  all(axis?: Axis, keepDims = false): Tensor {
    return all(this, axis, keepDims);
  }
  any(axis?: Axis, keepDims = false): Tensor {
    return any(this, axis, keepDims);
  }
  argMax(axis = 0): Tensor {
    return argMax(this, axis);
  }
  argMin(axis = 0): Tensor {
    return argMin(this, axis);
  }
  norm(ord: 'euclidean' | 'fro' | number = 'euclidean', axis?: Axis, keepDims = false): Tensor {
    return norm(this, ord, axis, keepDims);
  }
  transpose(perm?: number[]): Tensor {
    return transpose(this, perm);
  }
  expandDims(axis = 0): Tensor {
    return expandDims(this, axis);
  }
  squeeze(axis?: number[]): Tensor {
    return squeeze(this, axis);
  }
  flatten(): Tensor {
    return reshape(this, [this.size]);
  }
  as1D(): Tensor {
    return reshape(this, [this.size]);
  }
  as2D(rows: number, columns: number): Tensor {
    return reshape(this, [rows, columns]);
  }
  as3D(a: number, b: number, c: number): Tensor {
    return reshape(this, [a, b, c]);
  }
  as4D(a: number, b: number, c: number, d: number): Tensor {
    return reshape(this, [a, b, c, d]);
  }
  asScalar(): Tensor {
    return reshape(this, []);
  }
  asType(dtype: DataType): Tensor {
    return cast(this, dtype);
  }
  cast(dtype: DataType): Tensor {
    return cast(this, dtype);
  }
  toFloat(): Tensor {
    return cast(this, 'float32');
  }
  toInt(): Tensor {
    return cast(this, 'int32');
  }
  toBool(): Tensor {
    return cast(this, 'bool');
  }
  slice(begin: number | number[], size?: number | number[]): Tensor {
    return slice(this, begin, size);
  }
  gather(indices: TensorLike, axis = 0): Tensor {
    return gather(this, indices, axis);
  }
  concat(x: TensorLike | TensorLike[], axis = 0): Tensor {
    return concat([this, ...(Array.isArray(x) && !isNumeric(x) ? x : [x])] as TensorLike[], axis);
  }
  split(numOrSizeSplits: number | number[], axis = 0): Tensor[] {
    return split(this, numOrSizeSplits, axis);
  }
  unstack(axis = 0): Tensor[] {
    return unstack(this, axis);
  }
  tile(reps: number[]): Tensor {
    return tile(this, reps);
  }
  reverse(axis?: Axis): Tensor {
    return reverse(this, axis);
  }
  pad(paddings: Array<[number, number]>, constantValue = 0): Tensor {
    return pad(this, paddings, constantValue);
  }
  oneHot(depth: number): Tensor {
    return oneHot(this, depth);
  }
  square(): Tensor {
    return square(this);
  }
  sqrt(): Tensor {
    return sqrt(this);
  }
  rsqrt(): Tensor {
    return rsqrt(this);
  }
  exp(): Tensor {
    return exp(this);
  }
  expm1(): Tensor {
    return expm1(this);
  }
  log(): Tensor {
    return log(this);
  }
  log1p(): Tensor {
    return log1p(this);
  }
  abs(): Tensor {
    return abs(this);
  }
  neg(): Tensor {
    return neg(this);
  }
  sign(): Tensor {
    return sign(this);
  }
  round(): Tensor {
    return round(this);
  }
  floor(): Tensor {
    return floor(this);
  }
  ceil(): Tensor {
    return ceil(this);
  }
  reciprocal(): Tensor {
    return reciprocal(this);
  }
  sin(): Tensor {
    return sin(this);
  }
  cos(): Tensor {
    return cos(this);
  }
  relu(): Tensor {
    return relu(this);
  }
  relu6(): Tensor {
    return relu6(this);
  }
  elu(): Tensor {
    return elu(this);
  }
  selu(): Tensor {
    return selu(this);
  }
  leakyRelu(alpha = 0.2): Tensor {
    return leakyRelu(this, alpha);
  }
  sigmoid(): Tensor {
    return sigmoid(this);
  }
  tanh(): Tensor {
    return tanh(this);
  }
  softplus(): Tensor {
    return softplus(this);
  }
  softmax(dim = -1): Tensor {
    return softmax(this, dim);
  }
  logSoftmax(axis = -1): Tensor {
    return logSoftmax(this, axis);
  }
  clipByValue(lo: number, hi: number): Tensor {
    return clipByValue(this, lo, hi);
  }
  equal(b: TensorLike): Tensor {
    return equal(this, b);
  }
  notEqual(b: TensorLike): Tensor {
    return notEqual(this, b);
  }
  greater(b: TensorLike): Tensor {
    return greater(this, b);
  }
  greaterEqual(b: TensorLike): Tensor {
    return greaterEqual(this, b);
  }
  less(b: TensorLike): Tensor {
    return less(this, b);
  }
  lessEqual(b: TensorLike): Tensor {
    return lessEqual(this, b);
  }
  logicalAnd(b: TensorLike): Tensor {
    return logicalAnd(this, b);
  }
  logicalOr(b: TensorLike): Tensor {
    return logicalOr(this, b);
  }
  logicalNot(): Tensor {
    return logicalNot(this);
  }
  cumsum(axis = 0): Tensor {
    return cumsum(this, axis);
  }
}

const isNumeric = (x: unknown): boolean =>
  Array.isArray(x) &&
  (x.length === 0 || typeof x[0] === 'number' || typeof x[0] === 'boolean' || (Array.isArray(x[0]) && isNumeric(x[0])));

function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let k = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    s[d] = k;
    k *= shape[d]!;
  }
  return s;
}

/** A result of the main entry's ops (or any simdnet tensor) as a TF.js tensor, sharing its values. */
export function wrap(t: BaseTensor, dtype: DataType = t.dtype): Tensor {
  return t instanceof Tensor && t.dtype === dtype ? t : new Tensor(t.values, t.shape, dtype);
}

/** Any tensor-like argument as a TF.js tensor (checked, not copied when it already is one). */
export function convert(x: TensorLike, name = 'x', dtype?: DataType): Tensor {
  if (x instanceof Tensor) return x.check();
  if (x instanceof BaseTensor) return wrap(x);
  if (typeof x === 'boolean') return new Tensor(Float32Array.of(x ? 1 : 0), [], 'bool');
  if (Array.isArray(x) && flatBool(x)) return wrap(baseTensor(mapNested(x as NestedArray), undefined, name), 'bool');
  if (x instanceof Int32Array) return wrap(baseTensor(x, undefined, name), dtype ?? 'int32');
  if (x instanceof Uint8Array) return wrap(baseTensor(Array.from(x), undefined, name), dtype ?? 'bool');
  return wrap(baseTensor(x as NestedArray, undefined, name), dtype ?? 'float32');
}
function flatBool(x: unknown[]): boolean {
  let v: unknown = x;
  while (Array.isArray(v) && v.length > 0) v = v[0];
  return typeof v === 'boolean';
}
function mapNested(x: NestedArray | boolean): NestedArray {
  return Array.isArray(x) ? x.map((v) => mapNested(v as NestedArray)) : typeof x === 'boolean' ? (x ? 1 : 0) : x;
}

function withDtype(values: Float32Array, dtype: DataType): Float32Array {
  if (dtype === 'int32') for (let i = 0; i < values.length; i++) values[i] = Math.trunc(values[i]!) | 0;
  else if (dtype === 'bool') for (let i = 0; i < values.length; i++) values[i] = values[i] !== 0 ? 1 : 0;
  return values;
}

// ---- Creation ----

/** tf.tensor(values, shape?, dtype?) */
export function tensor(values: TensorLike, shape?: number[], dtype?: DataType): Tensor {
  if (dtype !== undefined && !['float32', 'int32', 'bool'].includes(dtype))
    throw new NotSupportedError(
      `tf.tensor: dtype '${String(dtype)}' is not supported by simdnet/tfjs. Supported: 'float32', 'int32', 'bool'.`,
    );
  const t =
    values instanceof BaseTensor
      ? new Tensor(values.values.slice(), values.shape, values.dtype)
      : convert(values, 'values', dtype);
  const dt = dtype ?? t.dtype;
  const vals = dt === t.dtype ? t.values : withDtype(t.values.slice(), dt);
  return new Tensor(vals, shape ? resolveShape(shape, t.size) : t.shape, dt);
}
const ranked =
  (rank: number, name: string) =>
  (values: TensorLike, shape?: number[], dtype?: DataType): Tensor => {
    const t = tensor(values, shape, dtype);
    if (t.rank !== rank) invalid(name, `values of rank ${rank}`, `shape [${t.shape.join(', ')}]`);
    return t;
  };
export const tensor1d = (values: TensorLike, dtype?: DataType) => ranked(1, 'tensor1d')(values, undefined, dtype);
export const tensor2d = ranked(2, 'tensor2d');
export const tensor3d = ranked(3, 'tensor3d');
export const tensor4d = ranked(4, 'tensor4d');
export const tensor5d = ranked(5, 'tensor5d');
export const tensor6d = ranked(6, 'tensor6d');
export function scalar(value: number | boolean, dtype?: DataType): Tensor {
  if (typeof value !== 'number' && typeof value !== 'boolean') invalid('value', 'a number', value);
  return tensor(value, [], dtype);
}
export function fill(shape: number[], value: number, dtype: DataType = 'float32'): Tensor {
  const s = resolveShape(shape);
  return new Tensor(withDtype(new Float32Array(shapeSize(s)).fill(value), dtype), s, dtype);
}
export const zeros = (shape: number[], dtype: DataType = 'float32') => fill(shape, 0, dtype);
export const ones = (shape: number[], dtype: DataType = 'float32') => fill(shape, 1, dtype);
export const zerosLike = (x: TensorLike) => {
  const t = convert(x);
  return fill(t.shape.slice(), 0, t.dtype);
};
export const onesLike = (x: TensorLike) => {
  const t = convert(x);
  return fill(t.shape.slice(), 1, t.dtype);
};
export function eye(n: number, m = n, _batch?: number[], dtype: DataType = 'float32'): Tensor {
  const out = new Float32Array(n * m);
  for (let i = 0; i < Math.min(n, m); i++) out[i * m + i] = 1;
  return new Tensor(out, [n, m], dtype);
}
export function range(start: number, stop?: number, step = 1, dtype: DataType = 'float32'): Tensor {
  if (stop === undefined) [start, stop] = [0, start];
  if (step === 0) invalid('step', 'a non-zero number', step);
  const n = Math.max(0, Math.ceil((stop - start) / step));
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = start + i * step;
  return new Tensor(withDtype(out, dtype), [n], dtype);
}
export function linspace(start: number, stop: number, num: number): Tensor {
  if (!Number.isInteger(num) || num <= 0) invalid('num', 'a positive integer', num);
  const out = new Float32Array(num);
  for (let i = 0; i < num; i++) out[i] = num === 1 ? start : start + ((stop - start) * i) / (num - 1);
  return new Tensor(out, [num]);
}

// Random tensors: simdnet's seeded stream — the seed given, or the next of the global stream (sn.setSeed).
const stream = (seed?: number) => new Rng(seed ?? nextSeed());
export function randomUniform(
  shape: number[],
  minval = 0,
  maxval = 1,
  dtype: DataType = 'float32',
  seed?: number,
): Tensor {
  const s = resolveShape(shape),
    r = stream(seed);
  const out = new Float32Array(shapeSize(s));
  for (let i = 0; i < out.length; i++) out[i] = r.uniform(minval, maxval);
  return new Tensor(dtype === 'int32' ? out.map(Math.floor) : out, s, dtype);
}
export function randomNormal(
  shape: number[],
  mean = 0,
  stdDev = 1,
  dtype: DataType = 'float32',
  seed?: number,
): Tensor {
  const s = resolveShape(shape),
    r = stream(seed);
  const out = new Float32Array(shapeSize(s));
  for (let i = 0; i < out.length; i++) out[i] = r.normal(mean, stdDev);
  return new Tensor(withDtype(out, dtype), s, dtype);
}
export function truncatedNormal(
  shape: number[],
  mean = 0,
  stdDev = 1,
  dtype: DataType = 'float32',
  seed?: number,
): Tensor {
  const s = resolveShape(shape),
    r = stream(seed);
  const out = new Float32Array(shapeSize(s));
  for (let i = 0; i < out.length; i++) out[i] = mean + stdDev * r.truncatedNormal();
  return new Tensor(withDtype(out, dtype), s, dtype);
}

// ---- Elementwise ----

const upcast = (a: DataType, b: DataType): DataType =>
  a === 'float32' || b === 'float32' ? 'float32' : a === 'int32' || b === 'int32' ? 'int32' : 'bool';

/** A broadcasting binary op; `dtype`: the result's, or from the inputs' (upcast) when omitted. */
function binary(a: TensorLike, b: TensorLike, f: (x: number, y: number) => number, dtype?: DataType): Tensor {
  const A = convert(a, 'a'),
    B = convert(b, 'b');
  const shape = ops.broadcastShapes(A.shape, B.shape);
  const size = shapeSize(shape);
  const out = new Float32Array(size);
  const av = A.values,
    bv = B.values;
  if (A.size === size && B.size === size) for (let i = 0; i < size; i++) out[i] = f(av[i]!, bv[i]!);
  else if (B.size === 1) {
    const y = bv[0]!;
    for (let i = 0; i < size; i++) out[i] = f(av[i]!, y);
  } else if (A.size === 1) {
    const x = av[0]!;
    for (let i = 0; i < size; i++) out[i] = f(x, bv[i]!);
  } else {
    const va = broadcastValues(A, shape),
      vb = broadcastValues(B, shape);
    for (let i = 0; i < size; i++) out[i] = f(va[i]!, vb[i]!);
  }
  const dt = dtype ?? upcast(A.dtype, B.dtype);
  return new Tensor(dt === 'float32' ? out : withDtype(out, dt), shape, dt);
}
/** X's values broadcast to `shape` (which broadcastShapes made from X's and others'). */
function broadcastValues(X: Tensor, shape: readonly number[]): Float32Array {
  const size = shapeSize(shape);
  if (X.size === size) return X.values;
  const r = shape.length;
  // X's strides aligned right to rank r, 0 on the dimensions it is broadcast along.
  const st = new Array<number>(r).fill(0);
  for (let d = X.rank - 1, k = 1; d >= 0; d--) {
    st[r - X.rank + d] = X.shape[d] === 1 ? 0 : k;
    k *= X.shape[d]!;
  }
  const out = new Float32Array(size);
  const idx = new Array<number>(r).fill(0);
  for (let i = 0; i < size; i++) {
    let src = 0;
    for (let d = 0; d < r; d++) src += idx[d]! * st[d]!;
    out[i] = X.values[src]!;
    for (let d = r - 1; d >= 0; d--) {
      if (++idx[d]! < shape[d]!) break;
      idx[d] = 0;
    }
  }
  return out;
}
function unary(x: TensorLike, f: (v: number) => number, dtype?: DataType): Tensor {
  const X = convert(x);
  const out = new Float32Array(X.size);
  for (let i = 0; i < X.size; i++) out[i] = f(X.values[i]!);
  const dt = dtype ?? X.dtype;
  return new Tensor(dt === 'float32' ? out : withDtype(out, dt), X.shape, dt);
}
const float = (x: TensorLike, f: (v: number) => number) => unary(x, f, 'float32');

export const add = (a: TensorLike, b: TensorLike) => binary(a, b, (x, y) => x + y);
export const sub = (a: TensorLike, b: TensorLike) => binary(a, b, (x, y) => x - y);
export const mul = (a: TensorLike, b: TensorLike) => binary(a, b, (x, y) => x * y);
/** Division; two int32 tensors divide with floor, as in TF.js. */
export const div = (a: TensorLike, b: TensorLike) => {
  const A = convert(a, 'a'),
    B = convert(b, 'b');
  return A.dtype === 'int32' && B.dtype === 'int32' ? floorDiv(A, B) : binary(A, B, (x, y) => x / y, 'float32');
};
export const divNoNan = (a: TensorLike, b: TensorLike) => binary(a, b, (x, y) => (y === 0 ? 0 : x / y), 'float32');
export const floorDiv = (a: TensorLike, b: TensorLike) => binary(a, b, (x, y) => Math.floor(x / y));
export const mod = (a: TensorLike, b: TensorLike) => binary(a, b, (x, y) => ((x % y) + y) % y);
export const pow = (a: TensorLike, b: TensorLike) => binary(a, b, (x, y) => x ** y);
export const maximum = (a: TensorLike, b: TensorLike) =>
  binary(a, b, (x, y) => (x !== x || y !== y ? NaN : Math.max(x, y)));
export const minimum = (a: TensorLike, b: TensorLike) =>
  binary(a, b, (x, y) => (x !== x || y !== y ? NaN : Math.min(x, y)));
export const squaredDifference = (a: TensorLike, b: TensorLike) => binary(a, b, (x, y) => (x - y) * (x - y));
export const addN = (ts: TensorLike[]) => ts.slice(1).reduce<Tensor>((acc, t) => add(acc, t), convert(ts[0]!));
export const equal = (a: TensorLike, b: TensorLike) => binary(a, b, (x, y) => +(x === y), 'bool');
export const notEqual = (a: TensorLike, b: TensorLike) => binary(a, b, (x, y) => +(x !== y), 'bool');
export const greater = (a: TensorLike, b: TensorLike) => binary(a, b, (x, y) => +(x > y), 'bool');
export const greaterEqual = (a: TensorLike, b: TensorLike) => binary(a, b, (x, y) => +(x >= y), 'bool');
export const less = (a: TensorLike, b: TensorLike) => binary(a, b, (x, y) => +(x < y), 'bool');
export const lessEqual = (a: TensorLike, b: TensorLike) => binary(a, b, (x, y) => +(x <= y), 'bool');
export const logicalAnd = (a: TensorLike, b: TensorLike) => binary(a, b, (x, y) => +(x !== 0 && y !== 0), 'bool');
export const logicalOr = (a: TensorLike, b: TensorLike) => binary(a, b, (x, y) => +(x !== 0 || y !== 0), 'bool');
export const logicalNot = (x: TensorLike) => unary(x, (v) => +(v === 0), 'bool');
/** tf.where(condition, a, b): a where condition is true, else b (broadcast). */
export function where(condition: TensorLike, a: TensorLike, b: TensorLike): Tensor {
  const C = convert(condition, 'condition');
  const A = convert(a, 'a'),
    B = convert(b, 'b');
  const shape = ops.broadcastShapes(C.shape, ops.broadcastShapes(A.shape, B.shape));
  const c = broadcastValues(C, shape),
    va = broadcastValues(A, shape),
    vb = broadcastValues(B, shape);
  const out = new Float32Array(shapeSize(shape));
  for (let i = 0; i < out.length; i++) out[i] = c[i] !== 0 ? va[i]! : vb[i]!;
  return new Tensor(out, shape, upcast(A.dtype, B.dtype));
}

export const neg = (x: TensorLike) => unary(x, (v) => -v);
export const abs = (x: TensorLike) => unary(x, Math.abs);
export const square = (x: TensorLike) => unary(x, (v) => v * v);
export const sign = (x: TensorLike) => unary(x, Math.sign);
export const round = (x: TensorLike) =>
  unary(x, (v) => {
    // Half to even, as TF.js rounds.
    const f = Math.floor(v),
      d = v - f;
    return d > 0.5 || (d === 0.5 && f % 2 !== 0) ? f + 1 : f;
  });
export const floor = (x: TensorLike) => unary(x, Math.floor);
export const ceil = (x: TensorLike) => unary(x, Math.ceil);
export const sqrt = (x: TensorLike) => float(x, Math.sqrt);
export const rsqrt = (x: TensorLike) => float(x, (v) => 1 / Math.sqrt(v));
export const reciprocal = (x: TensorLike) => float(x, (v) => 1 / v);
export const exp = (x: TensorLike) => float(x, Math.exp);
export const expm1 = (x: TensorLike) => float(x, Math.expm1);
export const log = (x: TensorLike) => float(x, Math.log);
export const log1p = (x: TensorLike) => float(x, Math.log1p);
export const sin = (x: TensorLike) => float(x, Math.sin);
export const cos = (x: TensorLike) => float(x, Math.cos);
export const tan = (x: TensorLike) => float(x, Math.tan);
export const clipByValue = (x: TensorLike, lo: number, hi: number) => {
  if (!(lo <= hi)) invalid('clipValueMin', `a number ≤ clipValueMax (${hi})`, lo);
  return unary(x, (v) => (v < lo ? lo : v > hi ? hi : v));
};
// Activations on the kernels (float32 results).
const act = (f: (x: BaseTensor) => BaseTensor) => (x: TensorLike) => wrap(f(convert(x).cast('float32')), 'float32');
export const relu = act(ops.relu);
export const sigmoid = act(ops.sigmoid);
export const tanh = act(ops.tanh);
export const elu = act((x) => ops.elu(x));
export const selu = act(ops.selu);
export const softplus = act(ops.softplus);
export const relu6 = (x: TensorLike) => clipByValue(relu(x), 0, 6);
export const leakyRelu = (x: TensorLike, alpha = 0.2) =>
  wrap(ops.leakyRelu(convert(x).cast('float32'), alpha), 'float32');
export function softmax(x: TensorLike, dim = -1): Tensor {
  const X = convert(x).cast('float32');
  if (dim !== -1 && dim !== X.rank - 1)
    throw new NotSupportedError(`tf.softmax: only the last dimension (dim -1) is supported. Received: ${dim}`);
  return wrap(ops.softmax(X), 'float32');
}
export function logSoftmax(x: TensorLike, axis = -1): Tensor {
  const X = convert(x).cast('float32');
  if (axis !== -1 && axis !== X.rank - 1)
    throw new NotSupportedError(`tf.logSoftmax: only the last axis (-1) is supported. Received: ${axis}`);
  return log(softmax(X));
}
export function cast(x: TensorLike, dtype: DataType): Tensor {
  if (!['float32', 'int32', 'bool'].includes(dtype))
    throw new NotSupportedError(
      `tf.cast: dtype '${String(dtype)}' is not supported by simdnet/tfjs. Supported: 'float32', 'int32', 'bool'.`,
    );
  const X = convert(x);
  return X.dtype === dtype ? X : new Tensor(withDtype(X.values.slice(), dtype), X.shape, dtype);
}
export const clone = (x: TensorLike) => convert(x).clone();

// ---- Reductions ----

function axesOf(axis: Axis | undefined, rank: number, name: string): number[] | undefined {
  if (axis === undefined || axis === null) return undefined;
  const list = Array.isArray(axis) ? axis : [axis];
  return [
    ...new Set(
      list.map((a) => {
        if (!Number.isInteger(a) || a < -rank || a >= Math.max(rank, 1))
          invalid(name, `an axis in [${-rank}, ${rank - 1}]`, axis);
        return a < 0 ? a + rank : a;
      }),
    ),
  ].sort((p, q) => q - p);
}
/** A reduction over several axes, one at a time from the last (the main entry's reduces one axis). */
function reduceAxes(
  x: TensorLike,
  axis: Axis | undefined,
  keepDims: boolean,
  one: (t: BaseTensor, ax: number | undefined, keep: boolean) => BaseTensor,
  dtype: (d: DataType) => DataType,
): Tensor {
  const X = convert(x);
  const axes = axesOf(axis, X.rank, 'axis');
  let t: BaseTensor = X;
  if (axes === undefined || axes.length === X.rank) t = one(X, undefined, false);
  else for (const a of axes) t = one(t, a, true);
  let shape: number[];
  if (axes === undefined || axes.length === X.rank) shape = keepDims ? X.shape.map(() => 1) : [];
  else
    shape = keepDims ? X.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : X.shape.filter((_, i) => !axes.includes(i));
  const dt = dtype(X.dtype);
  return new Tensor(dt === 'float32' ? t.values : withDtype(t.values, dt), shape, dt);
}
const same = (d: DataType): DataType => d;
const summed = (d: DataType): DataType => (d === 'bool' ? 'int32' : d);
export const sum = (x: TensorLike, axis?: Axis, keepDims = false) => reduceAxes(x, axis, keepDims, ops.sum, summed);
export const mean = (x: TensorLike, axis?: Axis, keepDims = false) =>
  reduceAxes(x, axis, keepDims, ops.mean, () => 'float32');
export const max = (x: TensorLike, axis?: Axis, keepDims = false) => reduceAxes(x, axis, keepDims, ops.max, same);
export const min = (x: TensorLike, axis?: Axis, keepDims = false) => reduceAxes(x, axis, keepDims, ops.min, same);
export const prod = (x: TensorLike, axis?: Axis, keepDims = false) =>
  reduceAxes(x, axis, keepDims, (t, a, k) => ops.reduce(t, a, k, 1, (p, v) => p * v), summed);
export const all = (x: TensorLike, axis?: Axis, keepDims = false) =>
  reduceAxes(
    unary(x, (v) => +(v !== 0)),
    axis,
    keepDims,
    ops.min,
    () => 'bool',
  );
export const any = (x: TensorLike, axis?: Axis, keepDims = false) =>
  reduceAxes(
    unary(x, (v) => +(v !== 0)),
    axis,
    keepDims,
    ops.max,
    () => 'bool',
  );
export function argMax(x: TensorLike, axis = 0): Tensor {
  const X = convert(x);
  return wrap(ops.argMax(X, axis), 'int32');
}
export function argMin(x: TensorLike, axis = 0): Tensor {
  return wrap(ops.argMax(neg(x), axis), 'int32');
}
export function norm(
  x: TensorLike,
  ord: 'euclidean' | 'fro' | number = 'euclidean',
  axis?: Axis,
  keepDims = false,
): Tensor {
  if (ord === 'euclidean' || ord === 'fro' || ord === 2) return sqrt(sum(square(x), axis, keepDims));
  if (ord === 1) return sum(abs(x), axis, keepDims);
  if (ord === Infinity) return max(abs(x), axis, keepDims);
  throw new NotSupportedError(
    `tf.norm: ord ${String(ord)} is not supported by simdnet/tfjs (supported: 'euclidean', 'fro', 1, 2, Infinity).`,
  );
}
export function moments(x: TensorLike, axis?: Axis, keepDims = false): { mean: Tensor; variance: Tensor } {
  const m = mean(x, axis, true);
  const v = mean(squaredDifference(x, m), axis, keepDims);
  return { mean: keepDims ? m : mean(x, axis, false), variance: v };
}
export function cumsum(x: TensorLike, axis = 0): Tensor {
  const X = convert(x);
  const ax = axis < 0 ? axis + X.rank : axis;
  const outer = shapeSize(X.shape.slice(0, ax)),
    n = X.shape[ax]!,
    inner = shapeSize(X.shape.slice(ax + 1));
  const out = X.values.slice();
  for (let o = 0; o < outer; o++)
    for (let i = 0; i < inner; i++)
      for (let k = 1; k < n; k++) {
        const at = (o * n + k) * inner + i;
        out[at] = out[at]! + out[at - inner]!;
      }
  return new Tensor(out, X.shape, X.dtype);
}

// ---- Shapes ----

export function matMul(a: TensorLike, b: TensorLike, transposeA = false, transposeB = false): Tensor {
  return wrap(
    ops.matMul(convert(a, 'a').cast('float32'), convert(b, 'b').cast('float32'), { transposeA, transposeB }),
    'float32',
  );
}
export function dot(a: TensorLike, b: TensorLike): Tensor {
  const A = convert(a, 'a'),
    B = convert(b, 'b');
  if (A.rank === 1 && B.rank === 1) return sum(mul(A, B));
  const a2 = A.rank === 1 ? reshape(A, [1, A.size]) : A,
    b2 = B.rank === 1 ? reshape(B, [B.size, 1]) : B;
  const r = matMul(a2, b2);
  return A.rank === 1 || B.rank === 1 ? reshape(r, [r.size]) : r;
}
export function outerProduct(a: TensorLike, b: TensorLike): Tensor {
  const A = convert(a, 'a'),
    B = convert(b, 'b');
  return matMul(reshape(A, [A.size, 1]), reshape(B, [1, B.size]));
}
export const reshape = (x: TensorLike, shape: number[]) => convert(x).reshape(shape);
export const transpose = (x: TensorLike, perm?: number[]) => {
  const X = convert(x);
  return wrap(ops.transpose(X, perm), X.dtype);
};
export function expandDims(x: TensorLike, axis = 0): Tensor {
  const X = convert(x);
  const ax = axis < 0 ? axis + X.rank + 1 : axis;
  if (!Number.isInteger(ax) || ax < 0 || ax > X.rank)
    invalid('axis', `an integer in [${-X.rank - 1}, ${X.rank}]`, axis);
  const shape = X.shape.slice();
  shape.splice(ax, 0, 1);
  return new Tensor(X.values.slice(), shape, X.dtype);
}
export function squeeze(x: TensorLike, axis?: number[]): Tensor {
  const X = convert(x);
  const axes = axis?.map((a) => (a < 0 ? a + X.rank : a));
  for (const a of axes ?? []) if (X.shape[a] !== 1) invalid('axis', `axes of size 1 in shape [${X.shape}]`, axis);
  const shape = X.shape.filter((d, i) => (axes ? !axes.includes(i) : d !== 1));
  return new Tensor(X.values.slice(), shape, X.dtype);
}
export function slice(x: TensorLike, begin: number | number[], size?: number | number[]): Tensor {
  const X = convert(x);
  const b =
    typeof begin === 'number'
      ? [begin, ...X.shape.slice(1).map(() => 0)]
      : [...begin, ...X.shape.slice(begin.length).map(() => 0)];
  const s =
    size === undefined
      ? undefined
      : typeof size === 'number'
        ? [size, ...X.shape.slice(1).map(() => -1)]
        : [...size, ...X.shape.slice(size.length).map(() => -1)];
  return wrap(ops.slice(X, b, s), X.dtype);
}
export function concat(tensors: TensorLike[], axis = 0): Tensor {
  if (!Array.isArray(tensors) || tensors.length === 0) invalid('tensors', 'a non-empty array of tensors', tensors);
  const ts = tensors.map((t, i) => convert(t, `tensors[${i}]`));
  const ax = axis < 0 ? axis + ts[0]!.rank : axis;
  return wrap(ops.concat(ts, ax), ts.map((t) => t.dtype).reduce(upcast));
}
export const concat1d = (ts: TensorLike[]) => concat(ts, 0);
export const concat2d = (ts: TensorLike[], axis = 0) => concat(ts, axis);
export function stack(tensors: TensorLike[], axis = 0): Tensor {
  if (!Array.isArray(tensors) || tensors.length === 0) invalid('tensors', 'a non-empty array of tensors', tensors);
  const ts = tensors.map((t, i) => convert(t, `tensors[${i}]`));
  return concat(
    ts.map((t) => expandDims(t, axis)),
    axis,
  );
}
export function unstack(x: TensorLike, axis = 0): Tensor[] {
  const X = convert(x);
  const ax = axis < 0 ? axis + X.rank : axis;
  return split(X, X.shape[ax]!, ax).map((t) => squeeze(t, [ax]));
}
export function split(x: TensorLike, numOrSizeSplits: number | number[], axis = 0): Tensor[] {
  const X = convert(x);
  const ax = axis < 0 ? axis + X.rank : axis;
  const n = X.shape[ax]!;
  let sizes: number[];
  if (typeof numOrSizeSplits === 'number') {
    if (!Number.isInteger(numOrSizeSplits) || numOrSizeSplits <= 0 || n % numOrSizeSplits !== 0)
      invalid('numOrSizeSplits', `a number of splits that divides ${n} (the size of axis ${ax})`, numOrSizeSplits);
    sizes = new Array<number>(numOrSizeSplits).fill(n / numOrSizeSplits);
  } else {
    sizes = numOrSizeSplits.slice();
    const free = sizes.indexOf(-1);
    if (free >= 0) sizes[free] = n - sizes.reduce((a, v, i) => (i === free ? a : a + v), 0);
    if (sizes.reduce((a, v) => a + v, 0) !== n)
      invalid('numOrSizeSplits', `sizes that add up to ${n}`, numOrSizeSplits);
  }
  let at = 0;
  return sizes.map((s) => {
    const begin = X.shape.map((_, d) => (d === ax ? at : 0));
    const size = X.shape.map((d, k) => (k === ax ? s : d));
    at += s;
    return wrap(ops.slice(X, begin, size), X.dtype);
  });
}
export function gather(x: TensorLike, indices: TensorLike, axis = 0): Tensor {
  const X = convert(x),
    I = convert(indices, 'indices');
  const ax = axis < 0 ? axis + X.rank : axis;
  const outer = shapeSize(X.shape.slice(0, ax)),
    n = X.shape[ax]!,
    inner = shapeSize(X.shape.slice(ax + 1));
  const out = new Float32Array(outer * I.size * inner);
  for (let o = 0; o < outer; o++)
    for (let k = 0; k < I.size; k++) {
      const j = I.values[k]!;
      if (!Number.isInteger(j) || j < 0 || j >= n)
        throw new ValueError(`tf.gather: index ${describe(j)} is out of range [0, ${n}) at position ${k}.`);
      out.set(X.values.subarray((o * n + j) * inner, (o * n + j + 1) * inner), (o * I.size + k) * inner);
    }
  return new Tensor(out, [...X.shape.slice(0, ax), ...I.shape, ...X.shape.slice(ax + 1)], X.dtype);
}
export function tile(x: TensorLike, reps: number[]): Tensor {
  const X = convert(x);
  if (reps.length !== X.rank) invalid('reps', `${X.rank} repetitions`, reps);
  let t: Tensor = X;
  for (let d = X.rank - 1; d >= 0; d--) if (reps[d]! > 1) t = concat(new Array<Tensor>(reps[d]!).fill(t), d);
  return t === X ? X.clone() : t;
}
export function reverse(x: TensorLike, axis?: Axis): Tensor {
  const X = convert(x);
  const axes = axesOf(axis, X.rank, 'axis') ?? X.shape.map((_, i) => i);
  const strides = stridesOf(X.shape);
  const out = new Float32Array(X.size);
  const idx = new Array<number>(X.rank).fill(0);
  for (let k = 0; k < X.size; k++) {
    let src = 0;
    for (let d = 0; d < X.rank; d++) src += (axes.includes(d) ? X.shape[d]! - 1 - idx[d]! : idx[d]!) * strides[d]!;
    out[k] = X.values[src]!;
    for (let d = X.rank - 1; d >= 0; d--) {
      if (++idx[d]! < X.shape[d]!) break;
      idx[d] = 0;
    }
  }
  return new Tensor(out, X.shape, X.dtype);
}
export function pad(x: TensorLike, paddings: Array<[number, number]>, constantValue = 0): Tensor {
  const X = convert(x);
  if (paddings.length !== X.rank) invalid('paddings', `${X.rank} [before, after] pairs`, paddings);
  const shape = X.shape.map((d, i) => d + paddings[i]![0] + paddings[i]![1]);
  const out = new Float32Array(shapeSize(shape)).fill(constantValue);
  const so = stridesOf(shape);
  const idx = new Array<number>(X.rank).fill(0);
  for (let k = 0; k < X.size; k++) {
    let dst = 0;
    for (let d = 0; d < X.rank; d++) dst += (idx[d]! + paddings[d]![0]) * so[d]!;
    out[dst] = X.values[k]!;
    for (let d = X.rank - 1; d >= 0; d--) {
      if (++idx[d]! < X.shape[d]!) break;
      idx[d] = 0;
    }
  }
  return new Tensor(out, shape, X.dtype);
}
export function oneHot(indices: TensorLike, depth: number, onValue = 1, offValue = 0): Tensor {
  const I = convert(indices, 'indices');
  const t = ops.oneHot(I, depth);
  const out = onValue === 1 && offValue === 0 ? t.values : t.values.map((v) => (v ? onValue : offValue));
  return new Tensor(out, t.shape, 'int32');
}

// ---- Memory API ----

/** Run fn; tensors it made and did not return (or keep) are disposed, as TF.js's tidy does. */
export function tidy<T>(nameOrFn: string | (() => T), fn?: () => T): T {
  const f = typeof nameOrFn === 'function' ? nameOrFn : fn;
  if (typeof f !== 'function') invalid('fn', 'a function', fn);
  const scope = new Set<Tensor>();
  scopes.push(scope);
  let result: T;
  try {
    result = f();
  } finally {
    scopes.pop();
  }
  if (result instanceof Promise) throw new ValueError('Cannot return a Promise inside of tidy.');
  const out = new Set<Tensor>();
  const collect = (v: unknown, depth: number): void => {
    if (v instanceof Tensor) out.add(v);
    else if (depth < 4 && Array.isArray(v)) v.forEach((e) => collect(e, depth + 1));
    else if (depth < 4 && v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype)
      Object.values(v).forEach((e) => collect(e, depth + 1));
  };
  collect(result, 0);
  const outer = scopes[scopes.length - 1];
  for (const t of scope) {
    if (out.has(t) || t.kept) outer?.add(t);
    else t.dispose();
  }
  return result;
}
export function keep<T extends BaseTensor>(t: T): T {
  if (t instanceof Tensor) t.kept = true;
  return t;
}
/** Dispose a tensor, or every tensor in an array or object (TF.js's tf.dispose). */
export function dispose(x: unknown): void {
  if (x instanceof BaseTensor) x.dispose();
  else if (Array.isArray(x)) x.forEach(dispose);
  else if (x !== null && typeof x === 'object') Object.values(x).forEach((v) => v instanceof BaseTensor && v.dispose());
}

export const isNaN = (x: TensorLike) => unary(x, (v) => +Number.isNaN(v), 'bool');
export const isFinite = (x: TensorLike) => unary(x, (v) => +Number.isFinite(v), 'bool');
export const isInf = (x: TensorLike) => unary(x, (v) => +(v === Infinity || v === -Infinity), 'bool');
export const logicalXor = (a: TensorLike, b: TensorLike) => binary(a, b, (x, y) => +((x !== 0) !== (y !== 0)), 'bool');
export const sinh = (x: TensorLike) => float(x, Math.sinh);
export const cosh = (x: TensorLike) => float(x, Math.cosh);
export const asin = (x: TensorLike) => float(x, Math.asin);
export const acos = (x: TensorLike) => float(x, Math.acos);
export const atan = (x: TensorLike) => float(x, Math.atan);
export const step = (x: TensorLike, alpha = 0) => unary(x, (v) => (v > 0 ? 1 : alpha));
export const logSigmoid = (x: TensorLike) => float(x, (v) => -(Math.max(-v, 0) + Math.log1p(Math.exp(-Math.abs(v)))));
export function logSumExp(x: TensorLike, axis?: number | number[], keepDims = false): Tensor {
  const m = max(x, axis, true);
  const s = log(sum(exp(sub(x, m)), axis, true));
  const r = add(s, m);
  return keepDims ? r : reshape(r, sum(x, axis, false).shape.slice());
}
