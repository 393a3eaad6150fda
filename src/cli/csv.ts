/**
 * Reading a CSV file into a table of text cells, with the checks the command
 * line owes its user: the file exists and is not empty, every row has the
 * same number of fields (naming the line that does not), and whether the first
 * row is a header. Parsing itself (quoted fields, CRLF, a byte-order mark) is
 * csv-parse's job.
 */
import { readFileSync, statSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { CliError } from './util.js';

export interface Table {
  file: string;
  /** Column names: the header's, or col0…colN-1 without one. */
  columns: string[];
  /** Whether the first row was read as a header. */
  header: boolean;
  /** Whether `header` was decided by looking at the data (no --header / --no-header). */
  headerGuessed: boolean;
  /** Data rows: text cells, trimmed. */
  rows: string[][];
  /** The line (1-based, in the file) where each data row starts. */
  lines: number[];
}

const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const NON_FINITE = /^[+-]?(?:nan|inf|infinity)$/i;
const F32_MAX = 3.4028234663852886e38;

export type Cell = { kind: 'number'; value: number } | { kind: 'empty' } | { kind: 'nonfinite' } | { kind: 'text' };

/** What a cell holds: a finite number (float32 range), nothing, NaN/infinity, or text. */
export function classifyCell(s: string): Cell {
  if (s === '') return { kind: 'empty' };
  if (NUMBER.test(s)) {
    const v = Number(s);
    if (!Number.isFinite(v) || Math.abs(v) > F32_MAX) return { kind: 'nonfinite' };
    return { kind: 'number', value: v };
  }
  if (NON_FINITE.test(s)) return { kind: 'nonfinite' };
  return { kind: 'text' };
}

export const isNumeric = (s: string): boolean => NUMBER.test(s);

interface Parsed {
  record: string[];
  info: { lines: number };
}

/**
 * Read `file` as a table. `header`: true or false to say whether the first row
 * is a header, undefined to decide from the data (a first row with text where
 * the rest of its column has numbers is a header).
 */
export function readTable(file: string, header: boolean | undefined): Table {
  let st;
  try {
    st = statSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CliError(`file not found: ${file}`);
    throw new CliError(`cannot read ${file}: ${(e as Error).message}`);
  }
  if (st.isDirectory()) throw new CliError(`${file} is a directory, not a CSV file`);
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch (e) {
    throw new CliError(`cannot read ${file}: ${(e as Error).message}`);
  }
  // Empty: no bytes, or nothing but a byte-order mark and white space.
  if (
    buf
      .toString('utf8')
      .replace(/^\uFEFF/, '')
      .trim() === ''
  )
    throw new CliError(`${file} is empty: there is no header and no data`);

  let parsed: Parsed[];
  try {
    parsed = parse(buf, {
      bom: true,
      encoding: 'utf8',
      relax_column_count: true, // counted below, to name the line
      skip_empty_lines: true,
      trim: true,
      info: true,
    }) as unknown as Parsed[];
  } catch (e) {
    throw new CliError(`${file} is not valid CSV: ${(e as Error).message}`);
  }
  if (parsed.length === 0) throw new CliError(`${file} is empty: there is no header and no data`);

  // csv-parse reports the line a record ends on; a quoted field may span lines.
  const startLine = (p: Parsed) => p.info.lines - p.record.reduce((a, f) => a + (f.match(/\n/g)?.length ?? 0), 0);
  const width = parsed[0]!.record.length;
  for (let i = 1; i < parsed.length; i++) {
    const p = parsed[i]!;
    if (p.record.length !== width) {
      throw new CliError(
        `${file}, line ${startLine(p)}: ${p.record.length} field${p.record.length === 1 ? '' : 's'}, but line ${startLine(parsed[0]!)} has ${width}. Every row needs the same number of columns.`,
      );
    }
  }

  const first = parsed[0]!.record;
  const guessed = header === undefined;
  const hasHeader = header ?? looksLikeHeader(parsed.map((p) => p.record));
  let columns: string[];
  if (hasHeader) {
    columns = first.map((c, i) => (c === '' ? `col${i}` : c));
    const seen = new Map<string, number>();
    columns.forEach((c, i) => {
      if (seen.has(c))
        throw new CliError(
          `${file}: the header names column '${c}' twice (columns ${seen.get(c)! + 1} and ${i + 1}). Column names must be unique.`,
        );
      seen.set(c, i);
    });
  } else {
    columns = first.map((_, i) => `col${i}`);
  }
  const data = hasHeader ? parsed.slice(1) : parsed;
  if (data.length === 0) {
    throw new CliError(
      hasHeader
        ? `${file} has a header (${columns.join(', ')}) but no data rows${guessed ? ' (if that line is data, pass --no-header)' : ''}`
        : `${file} has no data rows`,
    );
  }
  return {
    file,
    columns,
    header: hasHeader,
    headerGuessed: guessed,
    rows: data.map((p) => p.record),
    lines: data.map(startLine),
  };
}

/**
 * Whether the first row looks like a header: it has a text cell in a column
 * whose other cells include a number, or every one of its cells is text and
 * there is nothing else to go on.
 */
export function looksLikeHeader(records: string[][]): boolean {
  const first = records[0]!;
  const text = first.map((c) => c !== '' && !isNumeric(c) && !/^[+-]?(?:nan|inf|infinity)$/i.test(c));
  if (text.every(Boolean)) return true;
  for (let j = 0; j < first.length; j++) {
    if (!text[j]) continue;
    for (let i = 1; i < records.length; i++) if (isNumeric(records[i]![j]!)) return true;
  }
  return false;
}
