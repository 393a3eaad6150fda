/**
 * Turning what users pass to fit/evaluate/predict (tensors, nested arrays,
 * typed arrays with a shape) into row-major float32 matrices, with the checks
 * Keras makes: row counts, feature counts, label ranges, finite values.
 */
import { DataError, ValueError, describe } from './errors.js';
import { Tensor, TensorLike, tensor, shapeSize } from './tensor.js';

/** A data matrix: `rows` samples of `cols` features each, row-major. */
export interface Matrix {
  values: Float32Array;
  rows: number;
  cols: number;
  shape: readonly number[];
}

/** Input data: a tensor, nested arrays, or `{ data: Float32Array, shape }`. */
export type DataLike = TensorLike | { data: Float32Array | number[]; shape: number[] };

export function toTensor(x: DataLike, name: string): Tensor {
  if (x instanceof Tensor) return x;
  if (x === undefined || x === null)
    throw new ValueError(
      `Invalid value for \`${name}\`: expected a Tensor, nested arrays of numbers, or a typed array with a shape. Received: ${describe(x)}`,
    );
  if (typeof x === 'object' && !Array.isArray(x) && !ArrayBuffer.isView(x) && 'data' in x && 'shape' in x) {
    return tensor(x.data as Float32Array, x.shape, name);
  }
  return tensor(x as TensorLike, undefined, name);
}

/** View a tensor as rows × (product of the remaining dims). A rank-1 tensor is a column (Keras: y of shape (n,)). */
export function asMatrix(t: Tensor, name: string): Matrix {
  if (t.rank === 0)
    throw new ValueError(
      `Invalid value for \`${name}\`: expected at least one dimension (samples first). Received: a scalar`,
    );
  const rows = t.shape[0]!;
  const cols = t.rank === 1 ? 1 : shapeSize(t.shape.slice(1));
  return { values: t.values, rows, cols, shape: t.shape };
}

/** The first non-finite value, as a DataError naming row and column (unless allowed). */
export function checkFinite(m: Matrix, name: string): void {
  const v = m.values;
  for (let i = 0; i < v.length; i++) {
    if (!Number.isFinite(v[i]!)) {
      const row = Math.floor(i / m.cols),
        col = i % m.cols;
      throw new DataError(
        `\`${name}\` contains ${v[i]} at row ${row}, column ${col}. Clean or impute the data, or pass \`allowNonFinite: true\` to accept it.`,
      );
    }
  }
}

/** The feature matrix for a model with `features` inputs per sample. */
export function featureMatrix(
  x: DataLike,
  name: string,
  features: number | null,
  featureShape: readonly number[] | null,
): Matrix {
  const m = asMatrix(toTensor(x, name), name);
  if (features !== null && m.cols !== features) {
    throw new ValueError(
      `\`${name}\` has ${m.cols} features per sample (shape [${m.shape}]), but the model expects ${features}${featureShape ? ` (input shape [${featureShape}])` : ''}. Pass data of shape [n, ${featureShape ? featureShape.join(', ') : features}].`,
    );
  }
  return m;
}

/**
 * The target matrix for a model whose output has `outWidth` columns. Sparse
 * targets are one class index per row in [0, outWidth).
 */
export function targetMatrix(y: DataLike, name: string, outWidth: number, sparse: boolean, rows: number): Matrix {
  const m = asMatrix(toTensor(y, name), name);
  if (m.rows !== rows) {
    throw new ValueError(
      `\`x\` and \`${name}\` have different numbers of samples: ${rows} and ${m.rows}. Pass one target per sample.`,
    );
  }
  if (sparse) {
    if (m.cols !== 1)
      throw new ValueError(
        `\`${name}\` for sparse_categorical_crossentropy must hold one integer class index per sample (shape [n] or [n, 1]). Received shape [${m.shape}]. For one-hot targets use categorical_crossentropy.`,
      );
    for (let i = 0; i < m.rows; i++) {
      const c = m.values[i]!;
      if (!Number.isInteger(c) || c < 0 || c >= outWidth) {
        throw new DataError(
          `\`${name}\`[${i}] = ${c} is not a class index in [0, ${outWidth - 1}]: the model's output has ${outWidth} classes.`,
        );
      }
    }
  } else if (m.cols !== outWidth) {
    const hint =
      outWidth > 1 && m.cols === 1
        ? ' For integer class labels use sparse_categorical_crossentropy, or one-hot encode them with sn.oneHot(y, ' +
          outWidth +
          ').'
        : '';
    throw new ValueError(
      `\`${name}\` has ${m.cols} values per sample (shape [${m.shape}]), but the model's output has ${outWidth}.${hint}`,
    );
  }
  return m;
}

/** Per-sample weights as a Float32Array of length rows. */
export function sampleWeights(w: DataLike, rows: number, name = 'sampleWeight'): Float32Array {
  const m = asMatrix(toTensor(w, name), name);
  if (m.rows !== rows || m.cols !== 1)
    throw new ValueError(`\`${name}\` must hold one weight per sample (shape [${rows}]). Received shape [${m.shape}]`);
  for (let i = 0; i < rows; i++)
    if (!(Number.isFinite(m.values[i]!) && m.values[i]! >= 0))
      throw new DataError(`\`${name}\`[${i}] = ${m.values[i]} is not a finite non-negative weight`);
  return m.values;
}

/** Rows [start, end) of a matrix, as a new matrix (copies). */
export function sliceRows(m: Matrix, start: number, end: number): Matrix {
  return {
    values: m.values.slice(start * m.cols, end * m.cols),
    rows: end - start,
    cols: m.cols,
    shape: [end - start, ...m.shape.slice(1)],
  };
}
