/**
 * `simdnet train` on a CSV larger than memory (issue 17): the file is read as a stream through
 * sn.data's CSV records, in chunks of rows that are tables of their own, so every check, encoding and
 * statistic is the in-memory path's (src/cli/preprocess.ts) applied a chunk at a time:
 *
 * - two passes analyse it: the columns' kinds and the target's classes from every row, then the
 *   training rows' statistics (means and deviations accumulated in float64, category counts);
 * - then each epoch streams the file again, chunk by chunk through readFeatures and transform, into
 *   fitDataset (a shuffle buffer, batches, prefetch); validation and test rows are streamed the same way.
 *
 * Rows are assigned to train / validation / test by a hash of their number and the seed (the in-memory
 * path permutes them), so the split needs no list of rows. `--impute median` needs every value at once
 * and is refused here.
 */
import * as sn from '../index.js';
import { hash32 } from '../backend/prng.js';
import { csvRecords, type CsvRecord } from '../dataset-csv.js';
import type { Dataset } from '../dataset.js';
import { looksLikeHeader, type Table, classifyCell } from './csv.js';
import {
  type CategoricalEncoding,
  type FeatureKind,
  type Impute,
  type Preprocessing,
  type Task,
  type TargetInfo,
  type Unseen,
  categoryKey,
  classIndices,
  countCells,
  newCellCounts,
  inferTask,
  kindFromCounts,
  readFeatures,
  readTargetCells,
  targetValues,
  transform,
} from './preprocess.js';
import { CliError } from './util.js';

/** Files larger than this are streamed unless --no-stream (smaller ones too with --stream). */
export const STREAM_BYTES = 256 * 2 ** 20;
/** Rows per chunk: a table of this many rows at a time. */
const CHUNK = 2048;
/** Distinct values tracked per column: more cannot be categories (nor classes). */
const MAX_DISTINCT = 10_000;

export type Part = 'train' | 'val' | 'test';

/** Which part row r (0-based among the data rows) belongs to. */
export function partOf(r: number, seed: number, testSplit: number, validationSplit: number): Part {
  const u = hash32(seed ^ 0x5eed, r) / 4294967296;
  if (u < testSplit) return 'test';
  return (u - testSplit) / (1 - testSplit) < validationSplit ? 'val' : 'train';
}

/** The header and columns, from the file's first rows (as readTable decides them). */
async function readHead(
  file: string,
  header: boolean | undefined,
): Promise<{ columns: string[]; header: boolean; headerGuessed: boolean }> {
  const first: string[][] = [];
  const src = csvRecords(file).source();
  try {
    for (let i = 0; i < 200; i++) {
      const r = await src.next();
      if (r.done) break;
      first.push(r.value.record.map((c) => c.trim()));
    }
  } catch (e) {
    throw new CliError(`${file} is not valid CSV: ${(e as Error).message}`);
  } finally {
    src.close?.();
  }
  if (first.length === 0) throw new CliError(`${file} is empty: there is no header and no data`);
  const hasHeader = header ?? looksLikeHeader(first);
  const columns = hasHeader ? first[0]!.map((c, i) => (c === '' ? `col${i}` : c)) : first[0]!.map((_, i) => `col${i}`);
  const dup = columns.find((c, i) => columns.indexOf(c) !== i);
  if (dup !== undefined)
    throw new CliError(`${file}: the header names column '${dup}' twice. Column names must be unique.`);
  return { columns, header: hasHeader, headerGuessed: header === undefined };
}

/** The data rows of the file as tables of up to CHUNK rows, each with its first row's number. */
async function* chunks(
  file: string,
  head: { columns: string[]; header: boolean; headerGuessed: boolean },
): AsyncGenerator<{ t: Table; first: number }> {
  const src = csvRecords(file).source();
  const width = head.columns.length;
  let skipHeader = head.header,
    rowNo = 0,
    rows: string[][] = [],
    lines: number[] = [];
  const table = (): Table => ({
    file,
    columns: head.columns,
    header: head.header,
    headerGuessed: head.headerGuessed,
    rows,
    lines,
  });
  try {
    for (;;) {
      let r: IteratorResult<CsvRecord>;
      try {
        r = await src.next();
      } catch (e) {
        throw new CliError(`${file} is not valid CSV: ${(e as Error).message}`);
      }
      if (r.done) break;
      if (skipHeader) {
        skipHeader = false;
        continue;
      }
      const { record, line } = r.value;
      if (record.length !== width)
        throw new CliError(
          `${file}, line ${line}: ${record.length} field${record.length === 1 ? '' : 's'}, but the first line has ${width}. Every row needs the same number of columns.`,
        );
      rows.push(record.map((c) => c.trim()));
      lines.push(line);
      if (rows.length === CHUNK) {
        yield { t: table(), first: rowNo };
        rowNo += rows.length;
        rows = [];
        lines = [];
      }
    }
    if (rows.length > 0) yield { t: table(), first: rowNo };
  } finally {
    src.close?.();
  }
}

/** Float64 running mean and sum of squared deviations (Welford). */
class Moments {
  n = 0;
  mean = 0;
  m2 = 0;
  add(v: number): void {
    this.n++;
    const d = v - this.mean;
    this.mean += d / this.n;
    this.m2 += d * (v - this.mean);
  }
  /** The deviation over `total` values of which the missing ones were filled with the mean. */
  std(total: number): number {
    const sd = Math.sqrt(this.m2 / Math.max(1, total));
    return sd > 1e-12 * Math.max(1, Math.abs(this.mean)) ? sd : 1;
  }
}

export interface StreamedData {
  table: Pick<Table, 'file' | 'columns' | 'header' | 'headerGuessed'>;
  rows: number;
  counts: Record<Part, number>;
  kinds: FeatureKind[];
  info: TargetInfo;
  stats: Pick<Preprocessing, 'imputeValues' | 'means' | 'stds' | 'categorical'>;
  targetMean: number | null;
  targetStd: number | null;
  /** Categories met in validation or test rows that no training row has (after those rows were read). */
  unseen(): Unseen[];
  /** Each part's rows, encoded: { xs: model input, ys: target as the loss wants it }. */
  part(
    p: Part,
    prep: Pick<Preprocessing, 'features' | 'imputeValues' | 'means' | 'stds' | 'categorical'>,
    /** The targets of the chunk's rows `rows` as the loss wants them ([rows, width]; train.ts's encodeTargets). */
    encodeY: (
      idx: Int32Array | null,
      vals: Float64Array | null,
      rows: Int32Array,
    ) => { data: Float32Array; shape: number[] },
  ): Dataset<{ xs: Float32Array; ys: Float32Array }>;
}

/** The analysis passes over the file: what the in-memory path learns from its table, and the parts to stream. */
export async function analyse(o: {
  file: string;
  header: boolean | undefined;
  resolve: (t: Pick<Table, 'file' | 'columns' | 'header'>) => {
    ti: number;
    featureIdx: number[];
    named: Set<number>;
  };
  task: Task | undefined;
  impute: Impute | null;
  standardize: boolean;
  seed: number;
  testSplit: number;
  validationSplit: number;
}): Promise<StreamedData & { ti: number; featureIdx: number[] }> {
  if (o.impute === 'median')
    throw new CliError(
      `--impute median needs every value of a column at once, which a streamed file does not give; use --impute mean (or --no-stream for a file that fits in memory).`,
    );
  const head = await readHead(o.file, o.header);
  const { ti, featureIdx, named } = o.resolve({ file: o.file, ...head });
  // Kinds: counts over every row, as featureKinds counts them.
  const cellCounts = featureIdx.map(() => newCellCounts());
  const targets = new Set<string>();
  let rows = 0;
  const counts: Record<Part, number> = { train: 0, val: 0, test: 0 };
  for await (const { t, first } of chunks(o.file, head)) {
    readTargetCells(t, ti).forEach((s) => {
      if (targets.size < MAX_DISTINCT) targets.add(s);
    });
    featureIdx.forEach((j, k) => countCells(t, j, cellCounts[k]!, MAX_DISTINCT));
    for (let i = 0; i < t.rows.length; i++) counts[partOf(first + i, o.seed, o.testSplit, o.validationSplit)]++;
    rows += t.rows.length;
  }
  if (rows === 0) throw new CliError(`${o.file} has no data rows`);
  if (counts.train === 0)
    throw new CliError(`the split leaves no training rows of ${rows}; lower --test-split or --validation-split`);
  const t0 = { file: o.file, ...head, rows: [] as string[][], lines: [] as number[] };
  const kinds = featureIdx.map((j, k) =>
    named.has(j) ? ('categorical' as const) : kindFromCounts(t0, j, cellCounts[k]!),
  );
  // The task from the target's distinct values (all inferTask looks at).
  const cells = [...targets];
  const info = inferTask(
    { ...t0, rows: cells.map((c) => head.columns.map((_, j) => (j === ti ? c : ''))), lines: cells.map(() => 0) },
    ti,
    cells,
    o.task,
  );

  // The second pass: the training rows' statistics, from the rows as readFeatures reads them.
  const moments = featureIdx.map(() => new Moments());
  const catCounts = featureIdx.map(() => new Map<string, number>());
  const catNumeric = featureIdx.map(() => true);
  const target = new Moments();
  for await (const { t, first } of chunks(o.file, head)) {
    const cols = readFeatures(t, featureIdx, kinds, o.impute !== null);
    const train: number[] = [];
    for (let i = 0; i < t.rows.length; i++)
      if (partOf(first + i, o.seed, o.testSplit, o.validationSplit) === 'train') train.push(i);
    cols.forEach((col, k) => {
      if (col.kind === 'numeric') {
        for (const i of train) if (!Number.isNaN(col.values[i]!)) moments[k]!.add(col.values[i]!);
      } else
        for (const i of train) {
          const s = col.cells[i]!;
          if (s === '') continue;
          if (classifyCell(s).kind !== 'number') catNumeric[k] = false;
          catCounts[k]!.set(s, (catCounts[k]!.get(s) ?? 0) + 1);
        }
    });
    if (info.task === 'regression' && o.standardize) {
      const v = targetValues(t, ti, readTargetCells(t, ti));
      for (const i of train) target.add(v[i]!);
    }
  }
  const names = featureIdx.map((j) => head.columns[j]!);
  const stats: StreamedData['stats'] = {
    imputeValues: o.impute ? [] : null,
    means: o.standardize ? [] : null,
    stds: o.standardize ? [] : null,
    categorical: [],
  };
  kinds.forEach((kind, k) => {
    if (kind === 'categorical') {
      const numeric = catNumeric[k]!;
      const merged = new Map<string, number>();
      for (const [s, c] of catCounts[k]!)
        merged.set(categoryKey(s, numeric), (merged.get(categoryKey(s, numeric)) ?? 0) + c);
      if (merged.size === 0) throw new CliError(`column '${names[k]}' has no value in any training row`);
      const categories = [...merged.keys()];
      if (numeric) categories.sort((a, b) => Number(a) - Number(b));
      else categories.sort();
      let mode = categories[0]!;
      for (const c of categories) if (merged.get(c)! > merged.get(mode)!) mode = c;
      const enc: CategoricalEncoding = { column: names[k]!, categories, numeric, mostFrequent: o.impute ? mode : null };
      stats.categorical.push(enc);
      stats.imputeValues?.push(null);
      stats.means?.push(null);
      stats.stds?.push(null);
      return;
    }
    const m = moments[k]!;
    if (o.impute && m.n === 0)
      throw new CliError(
        `column '${names[k]}' has no value in any training row, so --impute ${o.impute} has nothing to fill it with`,
      );
    stats.imputeValues?.push(m.mean);
    stats.means?.push(m.mean);
    stats.stds?.push(m.std(counts.train));
  });
  const regression = info.task === 'regression' && o.standardize;

  const unseen = new Map<string, Unseen>(),
    reported = new Set<Part>();
  const part: StreamedData['part'] = (p, prep, encodeY) =>
    sn.data.generator(async function* () {
      for await (const { t, first } of chunks(o.file, head)) {
        const keep: number[] = [];
        for (let i = 0; i < t.rows.length; i++)
          if (partOf(first + i, o.seed, o.testSplit, o.validationSplit) === p) keep.push(i);
        if (keep.length === 0) continue;
        const cols = readFeatures(t, featureIdx, kinds, o.impute !== null);
        const X = transform(t, cols, prep, keep);
        // Categories no training row has: noted once per column (the first pass over a part reports them).
        if (!reported.has(p))
          for (const u of X.unseen) {
            const seen = unseen.get(u.column);
            if (seen === undefined) unseen.set(u.column, u);
            else {
              seen.rows += u.rows;
              for (const v of u.values) seen.values.add(v);
            }
          }
        const cellsT = readTargetCells(t, ti);
        const idx = info.classes ? classIndices(t, ti, cellsT, info.classes, info.classesNumeric) : null;
        const vals = info.task === 'regression' ? targetValues(t, ti, cellsT) : null;
        const W = X.shape[1];
        const Y = encodeY(idx, vals, Int32Array.from(keep)),
          V = Y.shape[1]!;
        for (let q = 0; q < keep.length; q++)
          yield { xs: X.data.subarray(q * W, (q + 1) * W), ys: Y.data.subarray(q * V, (q + 1) * V) };
      }
      reported.add(p);
    });
  return {
    table: { file: o.file, ...head },
    rows,
    counts,
    kinds,
    info,
    stats,
    targetMean: regression ? target.mean : null,
    targetStd: regression ? target.std(target.n) : null,
    part,
    unseen: () => [...unseen.values()],
    ti,
    featureIdx,
  };
}
