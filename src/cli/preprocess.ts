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
export type FeatureKind = 'numeric' | 'categorical';

/** At most this many integer classes make a numeric target multiclass rather than regression. */
export const MAX_INFERRED_CLASSES = 20;
/**
 * A text column with more distinct values than this (and than half its rows) is not taken as categories unless named
 * with --categorical.
 */
export const MAX_INFERRED_CATEGORIES = 50;

/** A categorical feature column, one-hot encoded: one model input per category. */
export interface CategoricalEncoding {
  column: string;
  /** The categories of the training rows, sorted (index = position in the one-hot block). */
  categories: string[];
  /** Whether the categories are numbers (so '1.0' in a later file is category '1'). */
  numeric: boolean;
  /** The training rows' most frequent category, which fills empty cells (with --impute), or null. */
  mostFrequent: string | null;
}

export interface Preprocessing {
  format: 'simdnet-preprocessing';
  /** 1: numeric features only (files written before categorical columns); 2: adds `ignored` and `categorical`. */
  version: 1 | 2;
  /** Whether the training CSV had a header (a predict CSV is then matched by column name). */
  header: boolean;
  /** Every column of the training CSV, in order. */
  columns: string[];
  target: string;
  /** The feature columns, in the order the model takes them (a categorical one as its one-hot block). */
  features: string[];
  /** Columns of the training CSV left out with --ignore (a predict CSV may have them or not). */
  ignored: string[];
  /** The categorical features among `features`, with their categories. */
  categorical: CategoricalEncoding[];
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
  /**
   * How empty numeric cells are filled (categorical ones: with the most frequent category), or null when empty cells
   * are refused.
   */
  impute: Impute | null;
  /** Per-feature values filling empty numeric cells (null for a categorical feature), or null. */
  imputeValues: (number | null)[] | null;
  standardize: boolean;
  /** Per-feature mean and standard deviation of the training rows (null for a categorical feature), or null. */
  means: (number | null)[] | null;
  stds: (number | null)[] | null;
  /** Regression targets are standardized too (with standardization); predictions are mapped back. */
  targetMean: number | null;
  targetStd: number | null;
}

/** The number of model inputs: one per numeric feature, one per category of a categorical one. */
export function inputWidth(p: Pick<Preprocessing, 'features' | 'categorical'>): number {
  const cat = new Map(p.categorical.map((c) => [c.column, c]));
  return p.features.reduce((a, f) => a + (cat.get(f)?.categories.length ?? 1), 0);
}

/** The model inputs' names: a numeric feature's name, or column=category for a one-hot input. */
export function inputNames(p: Pick<Preprocessing, 'features' | 'categorical'>): string[] {
  const cat = new Map(p.categorical.map((c) => [c.column, c]));
  return p.features.flatMap((f) => cat.get(f)?.categories.map((c) => `${f}=${c}`) ?? [f]);
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
    throw new CliError(
      `--target ${spec}: ${t.file} has ${t.columns.length} columns, so an index must be in 0..${t.columns.length - 1} (or 'last')`,
    );
  }
  throw new CliError(
    `unknown target column '${spec}'. The columns of ${t.file} are: ${listForMessage(t.columns, 40)}. Pass one of these names, a 0-based index, or 'last'.`,
  );
}

const where = (t: Table, r: number, j: number) =>
  `${t.file}, line ${t.lines[r]}, column '${t.columns[j]}' (${ordinal(j + 1)})`;

/**
 * The columns named by a repeatable option such as --categorical or --ignore:
 * each value is a column name, or a comma-separated list of names or 0-based
 * indices (a value that is itself a column name, commas and all, is that column).
 */
export function resolveColumnList(t: Table, option: string, values: string[]): number[] {
  const out: number[] = [];
  for (const value of values) {
    const items = t.columns.includes(value) ? [value] : value.split(',').map((x) => x.trim());
    for (const item of items) {
      let j = t.columns.indexOf(item);
      if (j < 0 && /^\d+$/.test(item) && Number(item) < t.columns.length) j = Number(item);
      if (j < 0) {
        throw new CliError(
          `--${option} '${item}': no such column. The columns of ${t.file} are: ${listForMessage(t.columns, 40)}. Pass a column name or a 0-based index (several as a comma-separated list, or the option repeated).`,
        );
      }
      if (!out.includes(j)) out.push(j);
    }
  }
  return out;
}

/**
 * Whether each feature column is numeric or categorical: categorical when
 * named in `named`, or when every non-empty cell is text (a column mixing
 * numbers and text stays numeric, so its text cell is reported as an error).
 * A text column with about as many distinct values as rows (an id, free text)
 * is refused unless named: one-hot encoding it would learn nothing.
 */
export function featureKinds(t: Table, featureIdx: number[], named: Set<number>): FeatureKind[] {
  return featureIdx.map((j) => {
    if (named.has(j)) return 'categorical';
    const c = newCellCounts();
    countCells(t, j, c);
    return kindFromCounts(t, j, c);
  });
}

/** A column's cells by kind: text (and its distinct values), numbers; added to over one table or many. */
export interface CellCounts {
  text: number;
  number: number;
  distinct: Set<string>;
}
export const newCellCounts = (): CellCounts => ({ text: 0, number: 0, distinct: new Set<string>() });

/** Add column j of t to `c` (keeping at most maxDistinct distinct text values). */
export function countCells(t: Pick<Table, 'rows'>, j: number, c: CellCounts, maxDistinct = Infinity): void {
  for (const row of t.rows) {
    const k = classifyCell(row[j]!);
    if (k.kind === 'text') {
      c.text++;
      if (c.distinct.size < maxDistinct) c.distinct.add(row[j]!);
    } else if (k.kind !== 'empty') c.number++;
  }
}

/**
 * A feature column's kind from its cells' counts: numeric if it has any number (a text cell is then an error
 * found when it is read) or no text; categorical if its text has few enough distinct values.
 */
export function kindFromCounts(t: Pick<Table, 'file' | 'columns'>, j: number, c: CellCounts): FeatureKind {
  const { text, number, distinct } = c;
  {
    if (text === 0 || number > 0) return 'numeric';
    // Too many to be categories: more than MAX_INFERRED_CATEGORIES and than half the rows, or all distinct in 20 rows
    // or more.
    if (
      (distinct.size > MAX_INFERRED_CATEGORIES && distinct.size > text / 2) ||
      (text >= 20 && distinct.size === text)
    ) {
      throw new CliError(
        `column '${t.columns[j]}' of ${t.file} holds text with ${distinct.size} distinct values in ${text} rows (${listForMessage(
          [...distinct].slice(0, 5).map((v) => `'${v}'`),
          5,
        )}, …): too many to be categories; it looks like an id or free text. Pass --ignore '${t.columns[j]}' to leave it out, or --categorical '${t.columns[j]}' to one-hot encode it anyway.`,
      );
    }
    return 'categorical';
  }
}

/**
 * Text that usually marks a missing value (R's NA, SQL's NULL, …): named in the error, since simdnet reads only an
 * empty cell as missing.
 */
const MISSING_MARKER = /^(?:na|n\/a|null|none|missing|\?|-|\.)$/i;

/** One feature column as read: numbers (NaN for an empty cell), or text cells ('' for an empty one). */
export type RawColumn = { kind: 'numeric'; values: Float64Array } | { kind: 'categorical'; cells: string[] };

/**
 * The feature columns, read as numbers or as category text. An empty cell is
 * an error that lists where the empty cells are, unless `allowEmpty`.
 */
export function readFeatures(
  t: Table,
  featureIdx: number[],
  kinds: FeatureKind[],
  allowEmpty: boolean,
  forModel = false,
): RawColumn[] {
  const fillHint = forModel
    ? 'The model was trained without --impute, so it cannot fill empty cells; fill them in, or train again with --impute mean|median.'
    : "Fill them in, or pass --impute mean|median to fill them from the training rows (a categorical column's with its most frequent category).";
  const n = t.rows.length;
  const empty: string[] = [];
  const cols = featureIdx.map((j, k): RawColumn => {
    if (kinds[k] === 'categorical') {
      const cells = t.rows.map((row) => row[j]!);
      if (!allowEmpty)
        cells.forEach((s, r) => {
          if (s === '') empty.push(`line ${t.lines[r]} column '${t.columns[j]}'`);
        });
      return { kind: 'categorical', cells };
    }
    const values = new Float64Array(n);
    for (let r = 0; r < n; r++) {
      const s = t.rows[r]![j]!;
      const c = classifyCell(s);
      if (c.kind === 'number') values[r] = c.value;
      else if (c.kind === 'empty') {
        values[r] = NaN;
        if (!allowEmpty) empty.push(`line ${t.lines[r]} column '${t.columns[j]}'`);
      } else if (c.kind === 'nonfinite') {
        throw new CliError(
          `${where(t, r, j)}: '${s}' is not a finite number. NaN and infinity are not accepted (nor numbers beyond float32's range); fix the value${forModel ? '' : ', or leave the cell empty and pass --impute mean|median to fill it'}.`,
        );
      } else {
        const hint = MISSING_MARKER.test(s)
          ? `If '${s}' marks a missing value, leave the cell empty instead${forModel ? '' : ' and pass --impute mean|median to fill it'}.`
          : forModel
            ? 'The model takes this column as numbers.'
            : `Its other cells are numbers${t.header ? '' : ' (if the first line is a header, pass --header)'}; if the column holds categories, pass --categorical '${t.columns[j]}'.`;
        throw new CliError(
          `${where(t, r, j)}: '${s}' is not a number. Feature columns must be numeric or categorical. ${hint}`,
        );
      }
    }
    return { kind: 'numeric', values };
  });
  // Empty cells listed in file order.
  if (empty.length > 0) {
    const line = (e: string) => Number(/^line (\d+)/.exec(e)![1]);
    empty.sort((a, b) => line(a) - line(b));
    throw new CliError(
      `${t.file} has ${empty.length} empty cell${empty.length === 1 ? '' : 's'} in feature columns: ${listForMessage(empty, 10)}. ${fillHint}`,
    );
  }
  return cols;
}

/** A categorical cell's key: numbers in their canonical form when the categories are numbers. */
export function categoryKey(s: string, numeric: boolean): string {
  if (!numeric) return s;
  const c = classifyCell(s);
  return c.kind === 'number' ? String(c.value) : s;
}

/** The target column's cells; an empty target cell is always an error. */
export function readTargetCells(t: Table, ti: number): string[] {
  return t.rows.map((row, r) => {
    const s = row[ti]!;
    if (s === '')
      throw new CliError(
        `${where(t, r, ti)}: the target is empty. Every row needs a target value; remove the row or fill it in.`,
      );
    return s;
  });
}

/** The canonical label of a numeric class ('1.0' and '1' are the same class). */
const numericLabel = (v: number) => String(v);

export interface TargetInfo {
  task: Task;
  classes: string[] | null;
  classesNumeric: boolean;
}

/** Decide the task (unless forced) and the class labels, from the target cells. */
export function inferTask(t: Table, ti: number, cells: string[], forced: Task | undefined): TargetInfo {
  const name = `target column '${t.columns[ti]}'`;
  let allNumeric = true,
    allInteger = true;
  for (let r = 0; r < cells.length; r++) {
    const c = classifyCell(cells[r]!);
    if (c.kind === 'nonfinite')
      throw new CliError(
        `${where(t, r, ti)}: '${cells[r]}' is not a finite number. NaN and infinity are not accepted as targets.`,
      );
    if (c.kind !== 'number') {
      allNumeric = false;
      allInteger = false;
      break;
    }
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
    if (distinct.size < 2)
      throw new CliError(`the ${name} has a single value (${classes[0]}): there is nothing to learn`);
    return { task: 'regression', classes: null, classesNumeric: false };
  }
  if (distinct.size < 2) {
    throw new CliError(
      `the ${name} has only one class (${JSON.stringify(classes[0])}) in ${cells.length} rows: a classifier needs at least two. Check --target.`,
    );
  }
  if (forced === 'binary') {
    if (distinct.size !== 2)
      throw new CliError(
        `--task binary needs exactly two classes, but the ${name} has ${distinct.size}: ${listForMessage(classes, 10)}`,
      );
    return { task: 'binary', classes, classesNumeric: allNumeric };
  }
  if (forced === 'multiclass') return { task: 'multiclass', classes, classesNumeric: allNumeric };
  // Inferred.
  if (distinct.size === 2) return { task: 'binary', classes, classesNumeric: allNumeric };
  if (allNumeric && !(allInteger && distinct.size <= MAX_INFERRED_CLASSES))
    return { task: 'regression', classes: null, classesNumeric: false };
  if (distinct.size > MAX_INFERRED_CLASSES) {
    throw new CliError(
      `the ${name} holds text with ${distinct.size} distinct values (${listForMessage(classes, 8)}): too many to guess that they are classes. Pass --task multiclass if they are, or choose another --target.`,
    );
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
    if (i === undefined)
      throw new CliError(
        `${where(t, r, ti)}: '${s}' is not one of the model's classes (${listForMessage(classes, 20)})`,
      );
    out[r] = i;
  }
  return out;
}

/** Numeric targets (regression). */
export function targetValues(t: Table, ti: number, cells: string[]): Float64Array {
  const out = new Float64Array(cells.length);
  for (let r = 0; r < cells.length; r++) {
    const c = classifyCell(cells[r]!);
    if (c.kind === 'nonfinite')
      throw new CliError(
        `${where(t, r, ti)}: '${cells[r]}' is not a finite number. NaN and infinity are not accepted as targets.`,
      );
    if (c.kind !== 'number')
      throw new CliError(`${where(t, r, ti)}: '${cells[r]}' is not a number, and this is a regression target`);
    out[r] = c.value;
  }
  return out;
}

/**
 * What the training rows `rows` say about each feature: imputation values and
 * standardization statistics for the numeric ones, the categories (sorted) and
 * the most frequent one for the categorical ones.
 */
export function fitStatistics(
  cols: RawColumn[],
  rows: ArrayLike<number>,
  features: string[],
  impute: Impute | null,
  standardize: boolean,
): Pick<Preprocessing, 'imputeValues' | 'means' | 'stds' | 'categorical'> {
  const F = cols.length;
  const imputeValues: (number | null)[] | null = impute ? [] : null;
  const means: (number | null)[] | null = standardize ? [] : null;
  const stds: (number | null)[] | null = standardize ? [] : null;
  const categorical: CategoricalEncoding[] = [];
  for (let k = 0; k < F; k++) {
    const col = cols[k]!;
    if (col.kind === 'categorical') {
      const present: string[] = [];
      for (let i = 0; i < rows.length; i++) {
        const s = col.cells[rows[i]!]!;
        if (s !== '') present.push(s);
      }
      if (present.length === 0)
        throw new CliError(
          `column '${features[k]}' has no value in any training row${impute ? ', so --impute has nothing to fill it with' : ''}`,
        );
      const numeric = present.every((s) => classifyCell(s).kind === 'number');
      const counts = new Map<string, number>();
      for (const s of present) {
        const key = categoryKey(s, numeric);
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      const categories = [...counts.keys()];
      if (numeric) categories.sort((a, b) => Number(a) - Number(b));
      else categories.sort();
      // The most frequent; a tie goes to the first in sorted order.
      let mode = categories[0]!;
      for (const c of categories) if (counts.get(c)! > counts.get(mode)!) mode = c;
      categorical.push({ column: features[k]!, categories, numeric, mostFrequent: impute ? mode : null });
      imputeValues?.push(null);
      means?.push(null);
      stds?.push(null);
      continue;
    }
    const X = col.values;
    let fill = NaN;
    if (impute) {
      const vals: number[] = [];
      for (let i = 0; i < rows.length; i++) {
        const v = X[rows[i]!]!;
        if (!Number.isNaN(v)) vals.push(v);
      }
      if (vals.length === 0)
        throw new CliError(
          `column '${features[k]}' has no value in any training row, so --impute ${impute} has nothing to fill it with`,
        );
      if (impute === 'mean') fill = vals.reduce((a, b) => a + b, 0) / vals.length;
      else {
        vals.sort((a, b) => a - b);
        const m = vals.length >> 1;
        fill = vals.length % 2 ? vals[m]! : (vals[m - 1]! + vals[m]!) / 2;
      }
      imputeValues!.push(fill);
    }
    if (standardize) {
      const val = (i: number) => {
        const v = X[rows[i]!]!;
        return Number.isNaN(v) ? fill : v;
      };
      let s = 0;
      for (let i = 0; i < rows.length; i++) s += val(i);
      const mean = s / rows.length;
      let q = 0;
      for (let i = 0; i < rows.length; i++) q += (val(i) - mean) ** 2;
      const sd = Math.sqrt(q / rows.length);
      means!.push(mean);
      // A constant column is only centred.
      stds!.push(sd > 1e-12 * Math.max(1, Math.abs(mean)) ? sd : 1);
    }
  }
  return { imputeValues, means, stds, categorical };
}

/** A category a model did not see in training, met in a column (reported once per column). */
export interface Unseen {
  column: string;
  value: string;
  line: number;
  rows: number;
  values: Set<string>;
}

/**
 * Apply imputation, standardization and one-hot encoding: the model's input
 * (rows × inputWidth), as float32. An unseen category is encoded as all zeros
 * and reported in `unseen`, once per column. `rows` selects rows (default: all).
 */
export function transform(
  t: Table,
  cols: RawColumn[],
  p: Pick<Preprocessing, 'features' | 'imputeValues' | 'means' | 'stds' | 'categorical'>,
  rows?: ArrayLike<number>,
): { data: Float32Array; shape: [number, number]; unseen: Unseen[] } {
  const W = inputWidth(p);
  const n = rows ? rows.length : t.rows.length;
  const rowAt = (i: number) => (rows ? rows[i]! : i);
  const out = new Float32Array(n * W);
  const encoders = new Map(
    p.categorical.map((c) => [c.column, { c, index: new Map(c.categories.map((v, i) => [v, i])) }]),
  );
  const unseen = new Map<string, Unseen>();
  let off = 0;
  for (let k = 0; k < cols.length; k++) {
    const col = cols[k]!;
    const name = p.features[k]!;
    if (col.kind === 'categorical') {
      const { c, index } = encoders.get(name)!;
      for (let i = 0; i < n; i++) {
        const r = rowAt(i);
        let s = col.cells[r]!;
        if (s === '') s = c.mostFrequent!; // readFeatures let an empty cell through only when there is one
        const at = index.get(categoryKey(s, c.numeric));
        if (at !== undefined) out[i * W + off + at] = 1;
        else {
          const u = unseen.get(name) ?? {
            column: name,
            value: s,
            line: t.lines[r]!,
            rows: 0,
            values: new Set<string>(),
          };
          u.rows++;
          u.values.add(s);
          unseen.set(name, u);
        }
      }
      off += c.categories.length;
      continue;
    }
    const mean = p.means?.[k] ?? null,
      sd = p.stds?.[k] ?? null,
      fill = p.imputeValues?.[k] ?? NaN;
    for (let i = 0; i < n; i++) {
      let v = col.values[rowAt(i)]!;
      if (Number.isNaN(v)) v = fill;
      if (mean !== null) v = (v - mean) / sd!;
      out[i * W + off] = v;
    }
    off++;
  }
  return { data: out, shape: [n, W], unseen: [...unseen.values()] };
}

/** The warning for an unseen category in a column: the column, the first such value and where, and how many more. */
export function unseenWarning(t: Table, u: Unseen): string {
  const more = u.values.size > 1 ? ` (and ${u.values.size - 1} other unseen value${u.values.size > 2 ? 's' : ''})` : '';
  return `simdnet: warning: column '${u.column}' has the category '${u.value}' (${t.file}, line ${u.line})${more}, which the model did not see in training: encoded as all zeros in ${u.rows} row${u.rows === 1 ? '' : 's'}.\n`;
}

/**
 * Where the model's features (and the target, if present) are in a CSV read
 * for predict/evaluate. With a header, columns are matched by name (in any
 * order; columns left out with --ignore may be there or not); without, the
 * file has the training CSV's columns in training order, with or without the
 * target column (or, when columns were ignored, just the feature columns).
 */
export function mapColumns(
  t: Table,
  p: Preprocessing,
  needTarget: boolean,
): { featureIdx: number[]; targetIdx: number } {
  const expected = needTarget ? [...p.features, p.target] : p.features;
  const ignoredNote =
    p.ignored.length > 0
      ? ` (${listForMessage(
          p.ignored.map((c) => `'${c}'`),
          10,
        )} ${p.ignored.length === 1 ? 'is' : 'are'} ignored, present or not)`
      : '';
  if (p.header && t.header) {
    const missing = expected.filter((c) => !t.columns.includes(c));
    const known = new Set([...p.features, p.target, ...p.ignored]);
    const extra = t.columns.filter((c) => !known.has(c));
    if (missing.length > 0 || extra.length > 0) {
      const parts: string[] = [];
      if (missing.length > 0) parts.push(`missing ${missing.map((c) => `'${c}'`).join(', ')}`);
      if (extra.length > 0) parts.push(`unexpected ${extra.map((c) => `'${c}'`).join(', ')}`);
      throw new CliError(
        `the columns of ${t.file} do not match the model's: ${parts.join('; ')}. The model takes ${listForMessage(p.features, 40)}${needTarget ? ` and the target '${p.target}'` : ` (and optionally the target '${p.target}')`}${ignoredNote}.`,
      );
    }
    return { featureIdx: p.features.map((c) => t.columns.indexOf(c)), targetIdx: t.columns.indexOf(p.target) };
  }
  // By position.
  const F = p.features.length,
    C = p.columns.length,
    n = t.columns.length;
  if (n === C)
    return { featureIdx: p.features.map((c) => p.columns.indexOf(c)), targetIdx: p.columns.indexOf(p.target) };
  if (!needTarget && n === C - 1) {
    const rest = p.columns.filter((c) => c !== p.target);
    return { featureIdx: p.features.map((c) => rest.indexOf(c)), targetIdx: -1 };
  }
  if (!needTarget && n === F) return { featureIdx: Array.from({ length: F }, (_, k) => k), targetIdx: -1 };
  const describeExpected =
    p.ignored.length === 0
      ? `${F} feature column${F === 1 ? '' : 's'}${needTarget ? ` plus the target (${F + 1} in all)` : ` (or ${F + 1} with the target)`}`
      : `the training file's ${C} columns${needTarget ? '' : ` (or ${C - 1} without the target, or its ${F} feature columns)`}`;
  const note =
    p.header && !t.header
      ? ` The model was trained on a CSV with a header (${listForMessage(p.columns, 40)}); pass --header if this file has one.`
      : '';
  throw new CliError(
    `the columns of ${t.file} do not match the model's: it has ${n} column${n === 1 ? '' : 's'}, the model needs ${describeExpected}.${note}`,
  );
}

/**
 * Check a parsed preprocessing.json, so a corrupt one is reported as such
 * rather than failing later. Version 1 files (written before categorical
 * columns) load as having no ignored and no categorical columns.
 */
export function validatePreprocessing(o: unknown, path: string): Preprocessing {
  const bad = (why: string): never => {
    throw new CliError(`${path} is corrupt: ${why}. Train the model again with simdnet train.`);
  };
  if (typeof o !== 'object' || o === null || Array.isArray(o)) bad('not a JSON object');
  const p = { ...(o as Record<string, unknown>) };
  if (p.format !== 'simdnet-preprocessing')
    bad(`'format' is ${JSON.stringify(p.format)}, expected "simdnet-preprocessing"`);
  if (p.version !== 1 && p.version !== 2)
    bad(
      `unsupported version ${JSON.stringify(p.version)} (this simdnet reads versions 1 and 2; a newer simdnet wrote it?)`,
    );
  if (p.version === 1) {
    if (p.ignored !== undefined || p.categorical !== undefined)
      bad("a version 1 file has no 'ignored' or 'categorical'");
    p.ignored = [];
    p.categorical = [];
  }
  const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');
  const strings = (k: string, nullable = false) => {
    const v = p[k];
    if (nullable && v === null) return;
    if (!isStrings(v)) bad(`'${k}' must be a list of strings`);
  };
  strings('columns');
  strings('features');
  strings('metrics');
  strings('classes', true);
  strings('ignored');
  if (typeof p.target !== 'string') bad("'target' must be a string");
  const cols = p.columns as string[],
    feats = p.features as string[],
    ignored = p.ignored as string[];
  if (!cols.includes(p.target as string)) bad(`the target '${p.target}' is not among the columns`);
  if (feats.length === 0 || !feats.every((f) => cols.includes(f) && f !== p.target))
    bad("'features' must be columns other than the target");
  if (!ignored.every((c) => cols.includes(c) && c !== p.target && !feats.includes(c)))
    bad("'ignored' must be columns that are neither the target nor features");
  if (!Array.isArray(p.categorical)) bad("'categorical' must be a list");
  const catCols = new Set<string>();
  for (const c of p.categorical as unknown[]) {
    const e = c as Record<string, unknown>;
    if (
      typeof e !== 'object' ||
      e === null ||
      typeof e.column !== 'string' ||
      !feats.includes(e.column) ||
      catCols.has(e.column)
    )
      bad("each 'categorical' entry needs a 'column' that is a feature, once");
    catCols.add(e.column as string);
    if (!isStrings(e.categories) || e.categories.length === 0 || new Set(e.categories).size !== e.categories.length)
      bad(`the categories of '${e.column}' must be a non-empty list of distinct strings`);
    if (typeof e.numeric !== 'boolean') bad(`'numeric' of '${e.column}' must be true or false`);
    if (
      e.mostFrequent !== null &&
      !(typeof e.mostFrequent === 'string' && (e.categories as string[]).includes(e.mostFrequent))
    )
      bad(`'mostFrequent' of '${e.column}' must be null or one of its categories`);
    if (p.impute !== null && e.mostFrequent === null) bad(`'mostFrequent' of '${e.column}' is missing`);
  }
  // Per-feature numbers: a finite number for a numeric feature, null for a categorical one.
  const numbers = (k: string) => {
    const v = p[k];
    if (v === null) return;
    if (
      !Array.isArray(v) ||
      v.length !== feats.length ||
      !v.every((x, i) => (catCols.has(feats[i]!) ? x === null : typeof x === 'number' && Number.isFinite(x)))
    ) {
      bad(`'${k}' must be null or ${feats.length} finite numbers (null for a categorical feature)`);
    }
  };
  if (!['binary', 'multiclass', 'regression'].includes(p.task as string)) bad(`unknown task ${JSON.stringify(p.task)}`);
  if (!['binary', 'sparse', 'onehot', 'value'].includes(p.encoding as string))
    bad(`unknown encoding ${JSON.stringify(p.encoding)}`);
  if (!['sigmoid', 'softmax', 'linear'].includes(p.outputActivation as string))
    bad(`unknown output activation ${JSON.stringify(p.outputActivation)}`);
  if (typeof p.loss !== 'string') bad("'loss' must be a string");
  if (typeof p.header !== 'boolean' || typeof p.standardize !== 'boolean' || typeof p.classesNumeric !== 'boolean')
    bad("'header', 'standardize' and 'classesNumeric' must be true or false");
  if (!Number.isInteger(p.outputUnits) || (p.outputUnits as number) < 1)
    bad("'outputUnits' must be a positive integer");
  if (p.task !== 'regression' && (!Array.isArray(p.classes) || p.classes.length < 2))
    bad('a classifier needs at least two class labels');
  if (p.impute !== null && p.impute !== 'mean' && p.impute !== 'median')
    bad(`unknown imputation ${JSON.stringify(p.impute)}`);
  numbers('imputeValues');
  numbers('means');
  numbers('stds');
  if (p.impute !== null && p.imputeValues === null) bad("'imputeValues' is missing");
  if (p.standardize && (p.means === null || p.stds === null)) bad("'means' and 'stds' are missing");
  if ((p.means === null) !== (p.stds === null)) bad("'means' and 'stds' must be given together");
  if (p.stds !== null && (p.stds as (number | null)[]).some((s) => s !== null && !(s > 0)))
    bad("'stds' must be positive");
  for (const k of ['targetMean', 'targetStd'])
    if (p[k] !== null && !(typeof p[k] === 'number' && Number.isFinite(p[k])))
      bad(`'${k}' must be null or a finite number`);
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
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    const tmp = p[i]!;
    p[i] = p[j]!;
    p[j] = tmp;
  }
  return p;
}

export interface Splits {
  train: Int32Array;
  val: Int32Array;
  test: Int32Array;
}

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
  if (testSplit > 0 && nTest < 1)
    throw new CliError(
      `--test-split ${testSplit} of ${n} rows leaves no test row: it needs at least ${need(testSplit)} rows (or pass --test-split 0)`,
    );
  if (validationSplit > 0 && nVal < 1)
    throw new CliError(
      `--validation-split ${validationSplit} of the ${rest} rows left for training leaves no validation row: it needs more rows (or pass --validation-split 0)`,
    );
  if (nTrain < 1)
    throw new CliError(
      `${n} rows are too few: after a test split of ${nTest} and a validation split of ${nVal} no row is left for training`,
    );
  return { train: p.slice(0, nTrain), val: p.slice(nTrain, rest), test: p.slice(rest) };
}
