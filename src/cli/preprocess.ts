/**
 * What `simdnet train` learns about the data besides the weights, and applies
 * again in `predict` and `evaluate`: which column is the target and which are
 * features, the task and how targets are encoded (class labels), imputation
 * values and standardization statistics. Saved as `preprocessing.json` beside
 * the model, so a model directory needs nothing else.
 */
import { Table, classifyCell } from './csv.js';
import { CliError, listForMessage, ordinal } from './util.js';

export type Task = 'binary' | 'multiclass' | 'regression';
/** How targets are fed to the loss: 0/1, a class index, a one-hot row, or the value. */
export type Encoding = 'binary' | 'sparse' | 'onehot' | 'value';
export type Impute = 'mean' | 'median';

/** At most this many integer classes make a numeric target multiclass rather than regression. */
export const MAX_INFERRED_CLASSES = 20;

export interface Preprocessing {
  format: 'simdnet-preprocessing';
  version: 1;
  /** Whether the training CSV had a header (a predict CSV is then matched by column name). */
  header: boolean;
  /** Every column of the training CSV, in order. */
  columns: string[];
  target: string;
  /** The feature columns, in the order the model takes them. */
  features: string[];
  task: Task;
  encoding: Encoding;
  loss: string;
  metrics: string[];
  outputActivation: 'sigmoid' | 'softmax' | 'linear';
  outputUnits: number;
  /** Class labels as in the data (index = class number), or null for regression. */
  classes: string[] | null;
  /** Whether the labels are numbers (so '1.0' in a later file is class '1'). */
  classesNumeric: boolean;
  /** Per-feature values filling empty cells, or null when empty cells are refused. */
  impute: Impute | null;
  imputeValues: number[] | null;
  standardize: boolean;
  /** Per-feature mean and standard deviation (of the training rows), or null. */
  means: number[] | null;
  stds: number[] | null;
  /** Regression targets are standardized too (with --standardize); predictions are mapped back. */
  targetMean: number | null;
  targetStd: number | null;
}

/** The index of the target column: a name, a 0-based index, or 'last'. */
export function resolveTarget(t: Table, spec: string): number {
  const byName = t.columns.indexOf(spec);
  if (byName >= 0) return byName;
  if (spec === 'last') return t.columns.length - 1;
  if (/^-?\d+$/.test(spec)) {
    const i = Number(spec);
    const idx = i < 0 ? t.columns.length + i : i;
    if (idx >= 0 && idx < t.columns.length) return idx;
    throw new CliError(`--target ${spec}: ${t.file} has ${t.columns.length} columns, so an index must be in 0..${t.columns.length - 1} (or 'last')`);
  }
  throw new CliError(`unknown target column '${spec}'. The columns of ${t.file} are: ${listForMessage(t.columns, 40)}. Pass one of these names, a 0-based index, or 'last'.`);
}

const where = (t: Table, r: number, j: number) => `${t.file}, line ${t.lines[r]}, column '${t.columns[j]}' (${ordinal(j + 1)})`;

/**
 * The feature cells as numbers, row-major (rows × featureIdx.length), with NaN
 * for empty cells when `allowEmpty`; otherwise an empty cell is an error that
 * lists where they are.
 */
export function readFeatures(t: Table, featureIdx: number[], allowEmpty: boolean, forModel = false): Float64Array {
  const fillHint = forModel
    ? 'The model was trained without --impute, so it cannot fill empty cells; fill them in, or train again with --impute mean|median.'
    : 'Fill them in, or pass --impute mean|median to fill them from the training rows.';
  const F = featureIdx.length, n = t.rows.length;
  const X = new Float64Array(n * F);
  const empty: string[] = [];
  for (let r = 0; r < n; r++) {
    const row = t.rows[r]!;
    for (let k = 0; k < F; k++) {
      const j = featureIdx[k]!;
      const s = row[j]!;
      const c = classifyCell(s);
      if (c.kind === 'number') X[r * F + k] = c.value;
      else if (c.kind === 'empty') {
        X[r * F + k] = NaN;
        if (!allowEmpty) empty.push(`line ${t.lines[r]} column '${t.columns[j]}'`);
      } else if (c.kind === 'nonfinite') {
        throw new CliError(`${where(t, r, j)}: '${s}' is not a finite number. NaN and infinity are not accepted (nor numbers beyond float32's range); fix the value${forModel ? '' : ', or leave the cell empty and pass --impute mean|median to fill it'}.`);
      } else {
        throw new CliError(`${where(t, r, j)}: '${s}' is not a number. Feature columns must be numeric${t.header ? '' : ' (if the first line is a header, pass --header)'}.`);
      }
    }
  }
  if (empty.length > 0) {
    throw new CliError(`${t.file} has ${empty.length} empty cell${empty.length === 1 ? '' : 's'} in feature columns: ${listForMessage(empty, 10)}. ${fillHint}`);
  }
  return X;
}

/** The target column's cells; an empty target cell is always an error. */
export function readTargetCells(t: Table, ti: number): string[] {
  return t.rows.map((row, r) => {
    const s = row[ti]!;
    if (s === '') throw new CliError(`${where(t, r, ti)}: the target is empty. Every row needs a target value; remove the row or fill it in.`);
    return s;
  });
}

/** The canonical label of a numeric class ('1.0' and '1' are the same class). */
const numericLabel = (v: number) => String(v);

export interface TargetInfo { task: Task; classes: string[] | null; classesNumeric: boolean }

/** Decide the task (unless forced) and the class labels, from the target cells. */
export function inferTask(t: Table, ti: number, cells: string[], forced: Task | undefined): TargetInfo {
  const name = `target column '${t.columns[ti]}'`;
  let allNumeric = true, allInteger = true;
  for (let r = 0; r < cells.length; r++) {
    const c = classifyCell(cells[r]!);
    if (c.kind === 'nonfinite') throw new CliError(`${where(t, r, ti)}: '${cells[r]}' is not a finite number. NaN and infinity are not accepted as targets.`);
    if (c.kind !== 'number') { allNumeric = false; allInteger = false; break; }
    if (!Number.isInteger(c.value)) allInteger = false;
  }
  const distinct = new Set(allNumeric ? cells.map((s) => numericLabel(Number(s))) : cells);
  const classes = [...distinct];
  if (allNumeric) classes.sort((a, b) => Number(a) - Number(b));
  else classes.sort();

  if (forced === 'regression') {
    if (!allNumeric) {
      const r = cells.findIndex((s) => classifyCell(s).kind !== 'number');
      throw new CliError(`--task regression needs a numeric target, but ${where(t, r, ti)} is '${cells[r]}'`);
    }
    if (distinct.size < 2) throw new CliError(`the ${name} has a single value (${classes[0]}): there is nothing to learn`);
    return { task: 'regression', classes: null, classesNumeric: false };
  }
  if (distinct.size < 2) {
    throw new CliError(`the ${name} has only one class (${JSON.stringify(classes[0])}) in ${cells.length} rows: a classifier needs at least two. Check --target.`);
  }
  if (forced === 'binary') {
    if (distinct.size !== 2) throw new CliError(`--task binary needs exactly two classes, but the ${name} has ${distinct.size}: ${listForMessage(classes, 10)}`);
    return { task: 'binary', classes, classesNumeric: allNumeric };
  }
  if (forced === 'multiclass') return { task: 'multiclass', classes, classesNumeric: allNumeric };
  // Inferred.
  if (distinct.size === 2) return { task: 'binary', classes, classesNumeric: allNumeric };
  if (allNumeric && !(allInteger && distinct.size <= MAX_INFERRED_CLASSES)) return { task: 'regression', classes: null, classesNumeric: false };
  if (distinct.size > MAX_INFERRED_CLASSES) {
    throw new CliError(`the ${name} holds text with ${distinct.size} distinct values (${listForMessage(classes, 8)}): too many to guess that they are classes. Pass --task multiclass if they are, or choose another --target.`);
  }
  return { task: 'multiclass', classes, classesNumeric: allNumeric };
}

/** The class index of each target cell; a label the model does not know is an error. */
export function classIndices(t: Table, ti: number, cells: string[], classes: string[], numeric: boolean): Int32Array {
  const index = new Map(classes.map((c, i) => [c, i]));
  const out = new Int32Array(cells.length);
  for (let r = 0; r < cells.length; r++) {
    const s = cells[r]!;
    const c = classifyCell(s);
    const key = numeric && c.kind === 'number' ? numericLabel(c.value) : s;
    const i = index.get(key);
    if (i === undefined) throw new CliError(`${where(t, r, ti)}: '${s}' is not one of the model's classes (${listForMessage(classes, 20)})`);
    out[r] = i;
  }
  return out;
}

/** Numeric targets (regression). */
export function targetValues(t: Table, ti: number, cells: string[]): Float64Array {
  const out = new Float64Array(cells.length);
  for (let r = 0; r < cells.length; r++) {
    const c = classifyCell(cells[r]!);
    if (c.kind === 'nonfinite') throw new CliError(`${where(t, r, ti)}: '${cells[r]}' is not a finite number. NaN and infinity are not accepted as targets.`);
    if (c.kind !== 'number') throw new CliError(`${where(t, r, ti)}: '${cells[r]}' is not a number, and this is a regression target`);
    out[r] = c.value;
  }
  return out;
}

/** Imputation values and standardization statistics from the training rows `rows` of X (rows × F). */
export function fitStatistics(X: Float64Array, F: number, rows: ArrayLike<number>, features: string[], impute: Impute | null, standardize: boolean):
  { imputeValues: number[] | null; means: number[] | null; stds: number[] | null } {
  let imputeValues: number[] | null = null;
  if (impute) {
    imputeValues = [];
    for (let k = 0; k < F; k++) {
      const vals: number[] = [];
      for (let i = 0; i < rows.length; i++) { const v = X[rows[i]! * F + k]!; if (!Number.isNaN(v)) vals.push(v); }
      if (vals.length === 0) throw new CliError(`column '${features[k]}' has no value in any training row, so --impute ${impute} has nothing to fill it with`);
      if (impute === 'mean') imputeValues.push(vals.reduce((a, b) => a + b, 0) / vals.length);
      else {
        vals.sort((a, b) => a - b);
        const m = vals.length >> 1;
        imputeValues.push(vals.length % 2 ? vals[m]! : (vals[m - 1]! + vals[m]!) / 2);
      }
    }
  }
  let means: number[] | null = null, stds: number[] | null = null;
  if (standardize) {
    means = new Array<number>(F).fill(0);
    stds = new Array<number>(F).fill(0);
    const val = (i: number, k: number) => { const v = X[rows[i]! * F + k]!; return Number.isNaN(v) ? imputeValues![k]! : v; };
    for (let k = 0; k < F; k++) {
      let s = 0;
      for (let i = 0; i < rows.length; i++) s += val(i, k);
      const mean = s / rows.length;
      let q = 0;
      for (let i = 0; i < rows.length; i++) q += (val(i, k) - mean) ** 2;
      const sd = Math.sqrt(q / rows.length);
      means[k] = mean;
      // A constant column is only centred.
      stds[k] = sd > 1e-12 * Math.max(1, Math.abs(mean)) ? sd : 1;
    }
  }
  return { imputeValues, means, stds };
}

/** Apply imputation and standardization: the model's input, as float32. */
export function transform(X: Float64Array, F: number, p: Pick<Preprocessing, 'imputeValues' | 'means' | 'stds'>): Float32Array {
  const out = new Float32Array(X.length);
  for (let i = 0; i < X.length; i++) {
    const k = i % F;
    let v = X[i]!;
    if (Number.isNaN(v)) v = p.imputeValues![k]!;
    if (p.means) v = (v - p.means[k]!) / p.stds![k]!;
    out[i] = v;
  }
  return out;
}

/**
 * Where the model's features (and the target, if present) are in a CSV read
 * for predict/evaluate. With a header, columns are matched by name (in any
 * order); without, the file has the feature columns in training order, with
 * or without the target column at its training position.
 */
export function mapColumns(t: Table, p: Preprocessing, needTarget: boolean): { featureIdx: number[]; targetIdx: number } {
  const expected = needTarget ? [...p.features, p.target] : p.features;
  if (p.header && t.header) {
    const missing = expected.filter((c) => !t.columns.includes(c));
    const known = new Set([...p.features, p.target]);
    const extra = t.columns.filter((c) => !known.has(c));
    if (missing.length > 0 || extra.length > 0) {
      const parts: string[] = [];
      if (missing.length > 0) parts.push(`missing ${missing.map((c) => `'${c}'`).join(', ')}`);
      if (extra.length > 0) parts.push(`unexpected ${extra.map((c) => `'${c}'`).join(', ')}`);
      throw new CliError(`the columns of ${t.file} do not match the model's: ${parts.join('; ')}. The model takes ${listForMessage(p.features, 40)}${needTarget ? ` and the target '${p.target}'` : ` (and optionally the target '${p.target}')`}.`);
    }
    return { featureIdx: p.features.map((c) => t.columns.indexOf(c)), targetIdx: t.columns.indexOf(p.target) };
  }
  // By position.
  const F = p.features.length, n = t.columns.length;
  const targetPos = p.columns.indexOf(p.target);
  const describeExpected = `${F} feature column${F === 1 ? '' : 's'}${needTarget ? ` plus the target (${F + 1} in all)` : ` (or ${F + 1} with the target)`}`;
  if (n === F + 1) {
    const featureIdx = p.columns.map((_, j) => j).filter((j) => j !== targetPos);
    return { featureIdx, targetIdx: targetPos };
  }
  if (n === F && !needTarget) return { featureIdx: Array.from({ length: F }, (_, k) => k), targetIdx: -1 };
  const note = p.header && !t.header ? ` The model was trained on a CSV with a header (${listForMessage(p.columns, 40)}); pass --header if this file has one.` : '';
  throw new CliError(`the columns of ${t.file} do not match the model's: it has ${n} column${n === 1 ? '' : 's'}, the model needs ${describeExpected}.${note}`);
}

/** Check a parsed preprocessing.json, so a corrupt one is reported as such rather than failing later. */
export function validatePreprocessing(o: unknown, path: string): Preprocessing {
  const bad = (why: string): never => { throw new CliError(`${path} is corrupt: ${why}. Train the model again with simdnet train.`); };
  if (typeof o !== 'object' || o === null || Array.isArray(o)) bad('not a JSON object');
  const p = o as Record<string, unknown>;
  if (p.format !== 'simdnet-preprocessing') bad(`'format' is ${JSON.stringify(p.format)}, expected "simdnet-preprocessing"`);
  if (p.version !== 1) bad(`unsupported version ${JSON.stringify(p.version)}`);
  const strings = (k: string, nullable = false) => {
    const v = p[k];
    if (nullable && v === null) return;
    if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) bad(`'${k}' must be a list of strings`);
  };
  const numbers = (k: string, len: number) => {
    const v = p[k];
    if (v === null) return;
    if (!Array.isArray(v) || v.length !== len || !v.every((s) => typeof s === 'number' && Number.isFinite(s))) bad(`'${k}' must be null or ${len} finite numbers`);
  };
  strings('columns'); strings('features'); strings('metrics'); strings('classes', true);
  if (typeof p.target !== 'string') bad("'target' must be a string");
  const cols = p.columns as string[], feats = p.features as string[];
  if (!cols.includes(p.target as string)) bad(`the target '${p.target}' is not among the columns`);
  if (feats.length === 0 || !feats.every((f) => cols.includes(f) && f !== p.target)) bad("'features' must be columns other than the target");
  if (!['binary', 'multiclass', 'regression'].includes(p.task as string)) bad(`unknown task ${JSON.stringify(p.task)}`);
  if (!['binary', 'sparse', 'onehot', 'value'].includes(p.encoding as string)) bad(`unknown encoding ${JSON.stringify(p.encoding)}`);
  if (!['sigmoid', 'softmax', 'linear'].includes(p.outputActivation as string)) bad(`unknown output activation ${JSON.stringify(p.outputActivation)}`);
  if (typeof p.loss !== 'string') bad("'loss' must be a string");
  if (typeof p.header !== 'boolean' || typeof p.standardize !== 'boolean' || typeof p.classesNumeric !== 'boolean') bad("'header', 'standardize' and 'classesNumeric' must be true or false");
  if (!Number.isInteger(p.outputUnits) || (p.outputUnits as number) < 1) bad("'outputUnits' must be a positive integer");
  if (p.task !== 'regression' && (!Array.isArray(p.classes) || p.classes.length < 2)) bad('a classifier needs at least two class labels');
  if (p.impute !== null && p.impute !== 'mean' && p.impute !== 'median') bad(`unknown imputation ${JSON.stringify(p.impute)}`);
  numbers('imputeValues', feats.length); numbers('means', feats.length); numbers('stds', feats.length);
  if (p.impute !== null && p.imputeValues === null) bad("'imputeValues' is missing");
  if (p.standardize && (p.means === null || p.stds === null)) bad("'means' and 'stds' are missing");
  if ((p.means === null) !== (p.stds === null)) bad("'means' and 'stds' must be given together");
  if (p.stds !== null && (p.stds as number[]).some((s) => !(s > 0))) bad("'stds' must be positive");
  for (const k of ['targetMean', 'targetStd']) if (p[k] !== null && !(typeof p[k] === 'number' && Number.isFinite(p[k]))) bad(`'${k}' must be null or a finite number`);
  if (p.targetStd !== null && !((p.targetStd as number) > 0)) bad("'targetStd' must be positive");
  return p as unknown as Preprocessing;
}

/** A seeded permutation of 0..n-1 (mulberry32 + Fisher–Yates), so splits are fixed by --seed. */
export function permutation(n: number, seed: number): Int32Array {
  let s = seed >>> 0;
  const rnd = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) { const j = Math.floor(rnd() * (i + 1)); const tmp = p[i]!; p[i] = p[j]!; p[j] = tmp; }
  return p;
}

export interface Splits { train: Int32Array; val: Int32Array; test: Int32Array }

/**
 * Shuffle the rows with `seed` and hold out `testSplit` of them for testing,
 * then `validationSplit` of the rest for validation. Each split asked for
 * must get at least one row, and training at least one.
 */
export function splitRows(n: number, testSplit: number, validationSplit: number, seed: number): Splits {
  const p = permutation(n, seed);
  const nTest = Math.round(n * testSplit);
  const rest = n - nTest;
  const nVal = Math.round(rest * validationSplit);
  const nTrain = rest - nVal;
  const need = (frac: number) => Math.ceil(0.5 / frac);
  if (testSplit > 0 && nTest < 1) throw new CliError(`--test-split ${testSplit} of ${n} rows leaves no test row: it needs at least ${need(testSplit)} rows (or pass --test-split 0)`);
  if (validationSplit > 0 && nVal < 1) throw new CliError(`--validation-split ${validationSplit} of the ${rest} rows left for training leaves no validation row: it needs more rows (or pass --validation-split 0)`);
  if (nTrain < 1) throw new CliError(`${n} rows are too few: after a test split of ${nTest} and a validation split of ${nVal} no row is left for training`);
  return { train: p.slice(0, nTrain), val: p.slice(nTrain, rest), test: p.slice(rest) };
}
