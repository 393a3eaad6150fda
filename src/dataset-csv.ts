/**
 * `sn.data.csv` (issue 17): a CSV file, URL, Blob or Response read as a stream of rows — parsed by
 * csv-parse chunk by chunk, never whole — as TF.js's `tf.data.csv` reads it: rows are objects keyed by
 * column name, and with label columns `{ xs: {…}, ys: {…} }`.
 */
import { DataError, NotSupportedError, ValueError, describe, invalid } from './errors.js';
import { Dataset } from './dataset.js';

/** How one column is read (TF.js's ColumnConfig). */
export interface ColumnConfig {
  /** The row is refused if the cell is empty (and there is no default). Defaults to false. */
  required?: boolean;
  /** 'float32' (default) and 'int32' are numbers, 'bool' is 0/1 (true/false, 1/0), 'string' keeps the text. */
  dtype?: 'float32' | 'int32' | 'bool' | 'string';
  /** The value of an empty cell. */
  default?: number | string | boolean;
  /** A target column: it goes into the element's `ys`, the others into `xs`. */
  isLabel?: boolean;
}

/** TF.js's CSVConfig. */
export interface CSVConfig {
  /** The first line names the columns. Defaults to true. */
  hasHeader?: boolean;
  /** The columns' names (replacing the header's, or where there is none). */
  columnNames?: string[];
  columnConfigs?: Record<string, ColumnConfig>;
  /** Keep only the columns named in columnConfigs. Defaults to false. */
  configuredColumnsOnly?: boolean;
  /** Defaults to ','. */
  delimiter?: string;
  delimWhitespace?: boolean;
}

/** Where a CSV comes from: a path, a file:// or http(s):// URL, or a browser File, Blob or Response. */
export type CSVSource = string | URL | Blob | Response;

/** Chunks of bytes from a source, and how to stop reading them. */
interface ByteReader {
  read(): Promise<Uint8Array | null>;
  cancel(): void;
}

function webReader(stream: ReadableStream<Uint8Array> | null, what: string): ByteReader {
  if (stream === null) throw new DataError(`sn.data.csv(): ${what} has no body.`);
  const r = stream.getReader();
  return {
    read: async () => {
      const { value, done } = await r.read();
      return done ? null : value;
    },
    cancel: () => void r.cancel().catch(() => undefined),
  };
}

/** Open a source for reading (files through Node's fs, 64 KiB at a time). */
async function openBytes(src: CSVSource): Promise<ByteReader> {
  if (typeof Blob !== 'undefined' && src instanceof Blob) return webReader(src.stream(), 'the Blob');
  if (typeof Response !== 'undefined' && src instanceof Response) {
    if (!src.ok) throw new DataError(`sn.data.csv(): the response has status ${src.status} (${src.url}).`);
    return webReader(src.body, 'the Response');
  }
  const where = src as string | URL;
  const url = where instanceof URL ? where : /^[a-z][a-z0-9+.-]*:\/\//i.test(where) ? new URL(where) : null;
  if (url !== null && (url.protocol === 'http:' || url.protocol === 'https:')) {
    const res = await fetch(url);
    if (!res.ok) throw new DataError(`sn.data.csv(): ${url.href} answered ${res.status} ${res.statusText}.`);
    return webReader(res.body, url.href);
  }
  if (url !== null && url.protocol !== 'file:')
    throw new ValueError(
      `sn.data.csv(source): expected a file path, a file:// or http(s):// URL, a Blob or a Response. Received: ${url.href}`,
    );
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const fs = proc?.getBuiltinModule?.('node:fs') as typeof import('node:fs') | undefined;
  if (fs === undefined)
    throw new NotSupportedError(
      `sn.data.csv(): reading a file path needs Node; in a browser pass a File, Blob, Response or http(s) URL.`,
    );
  const path = url !== null ? decodeURIComponent(url.pathname) : (where as string);
  const fd = await new Promise<number>((ok, fail) =>
    fs.open(path, 'r', (e, d) =>
      e ? fail(new DataError(`sn.data.csv(): cannot open '${path}': ${e.message}`)) : ok(d),
    ),
  );
  let closed = false;
  const close = () => {
    if (!closed) {
      closed = true;
      fs.close(fd, () => undefined);
    }
  };
  return {
    read: () =>
      new Promise((ok, fail) => {
        if (closed) return ok(null);
        const buf = new Uint8Array(1 << 16);
        fs.read(fd, buf, 0, buf.length, null, (e, n) => {
          if (e) {
            close();
            return fail(new DataError(`sn.data.csv(): reading '${path}' failed: ${e.message}`));
          }
          if (n === 0) {
            close();
            return ok(null);
          }
          ok(buf.subarray(0, n));
        });
      }),
    cancel: close,
  };
}

/** csv-parse's streaming parser: Node's build in Node, its browser build elsewhere (both the stream API). */
interface Parser {
  write(chunk: Uint8Array | string): boolean;
  end(): void;
  read(): string[] | null;
  on(ev: 'error', f: (e: Error) => void): void;
}
async function newParser(delimiter: string): Promise<{ parser: Parser; decoder: TextDecoder | null }> {
  const node = typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node;
  const mod = (node === 'string' ? await import('csv-parse') : await import('csv-parse/browser/esm')) as unknown as {
    parse: (o: object) => Parser;
  };
  const parser = mod.parse({ delimiter, relax_column_count: true, skip_empty_lines: true, bom: true, info: true });
  // The browser build's stream takes strings (or its own Buffer), not bytes: decode there, keeping a
  // character split across chunks whole.
  return { parser, decoder: node === 'string' ? null : new TextDecoder() };
}

const BOOL: Record<string, number> = { true: 1, false: 0, '1': 1, '0': 0, yes: 1, no: 0 };

/**
 * A dataset of a CSV's rows (see CSVConfig). Numeric columns by default: a cell that is not a number is
 * an error naming its line and column, unless the column's dtype is 'string'.
 * @example sn.data.csv('big.csv', { columnConfigs: { price: { isLabel: true } } })
 */
export function csv(source: CSVSource, config: CSVConfig = {}): Dataset<Record<string, unknown>> {
  const okSource =
    typeof source === 'string' ||
    source instanceof URL ||
    (typeof Blob !== 'undefined' && source instanceof Blob) ||
    (typeof Response !== 'undefined' && source instanceof Response);
  if (!okSource) invalid('source', 'a file path, a file:// or http(s):// URL, a Blob/File or a Response', source);
  if (typeof config !== 'object' || config === null) invalid('config', 'an object (CSVConfig)', config);
  const hasHeader = config.hasHeader ?? true;
  const delimiter = config.delimiter ?? ',';
  if (typeof delimiter !== 'string' || delimiter.length === 0)
    invalid('delimiter', 'a non-empty string', config.delimiter);
  if (config.delimWhitespace)
    throw new NotSupportedError(
      'sn.data.csv(): delimWhitespace is not supported; give the delimiter (a space or a tab).',
    );
  const cfgs = config.columnConfigs ?? {};
  if (typeof cfgs !== 'object' || cfgs === null) invalid('columnConfigs', 'an object of column configs', cfgs);
  if (config.columnNames !== undefined && !Array.isArray(config.columnNames))
    invalid('columnNames', 'an array of column names', config.columnNames);
  if (!hasHeader && config.columnNames === undefined)
    throw new ValueError('sn.data.csv(): a CSV without a header (hasHeader: false) needs columnNames.');
  for (const [k, c] of Object.entries(cfgs))
    if (c.dtype !== undefined && !['float32', 'int32', 'bool', 'string'].includes(c.dtype))
      invalid(`columnConfigs.${k}.dtype`, "'float32', 'int32', 'bool' or 'string'", c.dtype);
  const records = csvRecords(source, delimiter);
  return new Dataset(() => {
    const src = records.source();
    let names: string[] | null = null,
      keep: { name: string; i: number; cfg: ColumnConfig; label: boolean }[] = [],
      anyLabel = false;
    const setup = (header: string[] | null) => {
      names = config.columnNames?.slice() ?? header!;
      const dup = names.find((n, i) => names!.indexOf(n) !== i);
      if (dup !== undefined) throw new DataError(`sn.data.csv(): the column name '${dup}' appears twice.`);
      for (const k of Object.keys(cfgs))
        if (!names.includes(k))
          throw new DataError(
            `sn.data.csv(): columnConfigs names the column '${k}', which the CSV does not have. Its columns: ${names.join(', ')}.`,
          );
      keep = names
        .map((name, i) => ({ name, i, cfg: cfgs[name] ?? {}, label: cfgs[name]?.isLabel === true }))
        .filter((c) => !config.configuredColumnsOnly || c.name in cfgs);
      anyLabel = keep.some((c) => c.label);
    };
    const toElement = (rec: readonly string[], line: number): Record<string, unknown> => {
      const xs: Record<string, unknown> = {},
        ys: Record<string, unknown> = {};
      for (const c of keep) {
        const cell = rec[c.i];
        let v: unknown;
        if (cell === undefined || cell.trim() === '') {
          if (c.cfg.default !== undefined) v = c.cfg.default;
          else
            throw new DataError(
              `sn.data.csv(): line ${line}, column '${c.name}': the cell is ${cell === undefined ? 'missing' : 'empty'}${c.cfg.required ? ' and the column is required' : ''}. Give columnConfigs.${c.name}.default, or filter such rows out of the file.`,
            );
        } else if (c.cfg.dtype === 'string') v = cell;
        else if (c.cfg.dtype === 'bool') {
          v = BOOL[cell.trim().toLowerCase()];
          if (v === undefined)
            throw new DataError(
              `sn.data.csv(): line ${line}, column '${c.name}': ${describe(cell)} is not a boolean (true/false, 1/0).`,
            );
        } else {
          const t = cell.trim();
          v = Number(t);
          if (!Number.isFinite(v as number) && !/^[+-]?(inf(inity)?|nan)$/i.test(t))
            throw new DataError(
              `sn.data.csv(): line ${line}, column '${c.name}': ${describe(cell)} is not a number. Give the column dtype 'string' (columnConfigs: { ${c.name}: { dtype: 'string' } }) to keep text, and map it to numbers before batching.`,
            );
          if (c.cfg.dtype === 'int32') v = Math.trunc(v as number);
        }
        (c.label ? ys : xs)[c.name] = v;
      }
      return anyLabel ? { xs, ys } : xs;
    };
    const element = (r: IteratorResult<CsvRecord>): IteratorResult<Record<string, unknown>> | null => {
      if (r.done) return DONE;
      const { record, line } = r.value;
      if (names === null) {
        if (hasHeader) {
          setup(record.map((x) => x.trim()));
          return null;
        }
        setup(null);
      }
      return { value: toElement(record, line), done: false };
    };
    const next = (): IteratorResult<Record<string, unknown>> | Promise<IteratorResult<Record<string, unknown>>> => {
      for (;;) {
        const r = src.next();
        if (r instanceof Promise) return r.then((q) => element(q) ?? next());
        const e = element(r);
        if (e !== null) return e;
      }
    };
    return { next, close: () => src.close?.() };
  }, null);
}

const DONE: IteratorResult<never> = { done: true, value: undefined };

/** One record of a CSV: its cells (text) and the line it ends on. */
export interface CsvRecord {
  record: string[];
  line: number;
}

/**
 * @internal The records of a CSV as text, streamed (the CLI reads large files through this): every pass
 * opens the source anew, so a Response can be read once only; a Blob, file or URL any number of times.
 */
export function csvRecords(source: CSVSource, delimiter = ','): Dataset<CsvRecord> {
  let responseUsed = false;
  return new Dataset(() => {
    if (typeof Response !== 'undefined' && source instanceof Response) {
      if (responseUsed)
        throw new ValueError(
          'sn.data.csv(): a Response can be read once; pass its URL (or a Blob) to read the CSV every epoch.',
        );
      responseUsed = true;
    }
    let reader: ByteReader | null = null,
      parser: Parser | null = null,
      decoder: TextDecoder | null = null,
      ended = false,
      failure: Error | null = null;
    let parsed: CsvRecord[] = [],
      head = 0;
    // Feed chunks to the parser until a record is ready or the source ends.
    const pump = async (): Promise<void> => {
      if (reader === null) {
        reader = await openBytes(source);
        ({ parser, decoder } = await newParser(delimiter));
        parser!.on('error', (e) => {
          failure = e;
        });
      }
      while (head >= parsed.length && !ended && failure === null) {
        parsed = [];
        head = 0;
        const chunk = await reader.read();
        if (chunk === null) {
          const rest = decoder?.decode() ?? '';
          if (rest !== '') parser!.write(rest);
          parser!.end();
          ended = true;
        } else parser!.write(decoder !== null ? decoder.decode(chunk, { stream: true }) : chunk);
        for (let r = parser!.read() as unknown; r !== null; r = parser!.read()) {
          const { record, info } = r as { record: string[]; info: { lines: number } };
          parsed.push({ record, line: info.lines });
        }
      }
    };
    const take = (): IteratorResult<CsvRecord> => {
      if (failure !== null) throw new DataError(`sn.data.csv(): ${(failure as Error).message}`);
      return head < parsed.length ? { value: parsed[head++]!, done: false } : DONE;
    };
    return {
      next: () => (head < parsed.length ? take() : pump().then(take)),
      close: () => reader?.cancel(),
    };
  }, null);
}
