/**
 * Tensor: an n-dimensional float32 array that lives in ordinary JS memory.
 * Dropping it frees it; there is nothing to dispose. Kernels run on copies in
 * the backend's memory (see ops.ts), so a user's tensors never pin kernel memory.
 */
import { DataError, ValueError, describe } from './errors.js';

export type NestedArray = number | NestedArray[];
export type TensorLike = Tensor | NestedArray | Float32Array | Float64Array | Int32Array | number[];
/**
 * A tensor's element type. Values are always stored as float32 (exact for integers up to 2^24); 'int32' and
 * 'bool' are tags `simdnet/tfjs` gives class labels, indices and comparisons, as TF.js does.
 */
export type DataType = 'float32' | 'int32' | 'bool';

export class Tensor {
  /** The dimensions, outermost first. */
  readonly shape: readonly number[];
  /** The number of elements (the product of the shape). */
  readonly size: number;
  /** The values in row-major order. The tensor owns this array; treat it as read-only. */
  readonly values: Float32Array;
  readonly dtype: DataType;

  /** @internal Use {@link tensor} to build tensors with validation. */
  constructor(values: Float32Array, shape: readonly number[], dtype: DataType = 'float32') {
    this.values = values;
    this.dtype = dtype;
    this.shape = Object.freeze(shape.slice());
    this.size = values.length;
  }

  /** The number of dimensions. */
  get rank(): number {
    return this.shape.length;
  }

  /** The values as a Float32Array (a view of this tensor's own storage; TF.js's `dataSync`). */
  dataSync(): Float32Array {
    return this.values;
  }
  /** The values, asynchronously (for TF.js compatibility). */
  async data(): Promise<Float32Array> {
    return this.values;
  }

  /** The values as nested arrays of numbers (a scalar gives a number). */
  toArray(): NestedArray {
    if (this.shape.length === 0) return this.values[0]!;
    const build = (dim: number, offset: number): NestedArray[] => {
      const n = this.shape[dim]!;
      const out: NestedArray[] = new Array(n);
      if (dim === this.shape.length - 1) {
        for (let i = 0; i < n; i++) out[i] = this.values[offset + i]!;
      } else {
        let stride = 1;
        for (let d = dim + 1; d < this.shape.length; d++) stride *= this.shape[d]!;
        for (let i = 0; i < n; i++) out[i] = build(dim + 1, offset + i * stride);
      }
      return out;
    };
    return build(0, 0);
  }
  /** TF.js name for {@link toArray}. */
  arraySync(): NestedArray {
    return this.toArray();
  }
  /** TF.js name for {@link toArray}, asynchronously. */
  async array(): Promise<NestedArray> {
    return this.toArray();
  }

  /** The element at the given indices. */
  get(...indices: number[]): number {
    if (indices.length !== this.shape.length) {
      throw new ValueError(
        `Tensor.get: expected ${this.shape.length} indices for shape [${this.shape}]. Received: ${indices.length}`,
      );
    }
    let off = 0;
    for (let d = 0; d < indices.length; d++) {
      const i = indices[d]!,
        n = this.shape[d]!;
      if (!Number.isInteger(i) || i < 0 || i >= n)
        throw new ValueError(`Tensor.get: index ${i} is out of range for dimension ${d} of size ${n}`);
      off = off * n + i;
    }
    return this.values[off]!;
  }

  /** A copy with a new shape of the same size (one entry may be -1). */
  reshape(shape: readonly number[]): Tensor {
    return new Tensor(this.values.slice(), resolveShape(shape, this.size));
  }

  /** An independent copy. */
  clone(): Tensor {
    return new Tensor(this.values.slice(), this.shape);
  }

  toString(): string {
    const fmt = (v: NestedArray): string =>
      Array.isArray(v) ? `[${v.map(fmt).join(', ')}]` : Number(v.toPrecision(6)).toString();
    return this.size > 200
      ? `Tensor(shape=[${this.shape}], ${this.size} values)`
      : `Tensor(shape=[${this.shape}], ${fmt(this.toArray())})`;
  }

  /** Kept for TF.js users: a no-op, since a tensor is ordinary JS memory. */
  dispose(): void {
    /* nothing to free */
  }
}

type MakeTensor = (values: Float32Array, shape: readonly number[], dtype: DataType) => Tensor;
let make: MakeTensor = (values, shape, dtype) => new Tensor(values, shape, dtype);
/**
 * A tensor a model or dataset hands to the user (predictions, weights, batches): a Tensor, or the class
 * `simdnet/tfjs` installs once loaded (TF.js's, a subclass), so its users get TF.js tensors everywhere.
 */
export function resultTensor(values: Float32Array, shape: readonly number[], dtype: DataType = 'float32'): Tensor {
  return make(values, shape, dtype);
}
/** @internal Set the class of result tensors (`simdnet/tfjs`). */
export function setResultTensor(f: MakeTensor): void {
  make = f;
}

export function shapeSize(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Check a shape (finite non-negative integers), resolving one -1 against `size` if given. */
export function resolveShape(shape: readonly number[], size?: number, name = 'shape'): number[] {
  if (!Array.isArray(shape))
    throw new ValueError(
      `Invalid value for \`${name}\`: expected an array of non-negative integers. Received: ${describe(shape)}`,
    );
  const out = shape.slice();
  let infer = -1;
  for (let i = 0; i < out.length; i++) {
    const d = out[i];
    if (d === -1 && size !== undefined && infer < 0) {
      infer = i;
      continue;
    }
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) {
      throw new ValueError(
        `Invalid value for \`${name}\`: expected non-negative integers (finite). Received: [${shape.map(describe).join(', ')}] (entry ${i} is ${describe(d)})`,
      );
    }
  }
  if (infer >= 0) {
    const rest = shapeSize(out.filter((_, i) => i !== infer));
    if (rest === 0 || size! % rest !== 0) throw new ValueError(`Cannot reshape ${size} values into shape [${shape}]`);
    out[infer] = size! / rest;
  }
  if (size !== undefined && shapeSize(out) !== size) {
    throw new ValueError(
      `Invalid value for \`${name}\`: shape [${out}] holds ${shapeSize(out)} values but the data has ${size}. Give a shape whose product is ${size}.`,
    );
  }
  return out;
}

/** Infer the shape of a nested array, rejecting ragged arrays and non-numbers with their position. */
function flattenNested(data: NestedArray[], name: string): { values: Float32Array; shape: number[] } {
  const shape: number[] = [];
  let cur: unknown = data;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    cur = cur[0];
  }
  const size = shapeSize(shape);
  const values = new Float32Array(size);
  let k = 0;
  const walk = (a: unknown, dim: number, path: number[]): void => {
    if (dim === shape.length) {
      if (typeof a !== 'number') {
        throw new DataError(
          `Invalid value in \`${name}\` at [${path.join('][')}]: expected a number. Received: ${describe(a)}`,
        );
      }
      values[k++] = a;
      return;
    }
    if (!Array.isArray(a) || a.length !== shape[dim]) {
      throw new DataError(
        `\`${name}\` is a ragged array: at [${path.join('][')}] expected ${Array.isArray(a) ? `an array of length ${shape[dim]}` : 'an array'} (like the first element on that level). Received: ${describe(a)}`,
      );
    }
    for (let i = 0; i < a.length; i++) {
      path.push(i);
      walk(a[i], dim + 1, path);
      path.pop();
    }
  };
  walk(data, 0, []);
  return { values, shape };
}

/**
 * Build a tensor from nested arrays, a typed array with a shape, a number, or
 * another tensor (copied). The data are copied into a new Float32Array.
 *
 * @example
 * const x = sn.tensor([[1, 2], [3, 4]]);
 * const y = sn.tensor(new Float32Array(6), [2, 3]);
 */
export function tensor(data: TensorLike, shape?: readonly number[], name = 'data'): Tensor {
  if (data instanceof Tensor) {
    return new Tensor(data.values.slice(), shape ? resolveShape(shape, data.size) : data.shape);
  }
  if (typeof data === 'number') {
    return new Tensor(Float32Array.of(data), shape ? resolveShape(shape, 1) : []);
  }
  if (ArrayBuffer.isView(data)) {
    const arr = data as Float32Array | Float64Array | Int32Array;
    const values = new Float32Array(arr.length);
    values.set(arr);
    return new Tensor(values, shape ? resolveShape(shape, values.length) : [values.length]);
  }
  if (Array.isArray(data)) {
    const flat = flattenNested(data, name);
    return new Tensor(flat.values, shape ? resolveShape(shape, flat.values.length) : flat.shape);
  }
  throw new ValueError(
    `Invalid value for \`${name}\`: expected a Tensor, a (nested) array of numbers, or a typed array with a shape. Received: ${describe(data)}`,
  );
}

/** Coerce to a tensor without copying when it already is one. */
export function asTensor(data: TensorLike, name = 'data'): Tensor {
  return data instanceof Tensor ? data : tensor(data, undefined, name);
}

/** A tensor of zeros. */
export function zeros(shape: readonly number[]): Tensor {
  const s = resolveShape(shape);
  return new Tensor(new Float32Array(shapeSize(s)), s);
}

/** A tensor of ones. */
export function ones(shape: readonly number[]): Tensor {
  const s = resolveShape(shape);
  return new Tensor(new Float32Array(shapeSize(s)).fill(1), s);
}
