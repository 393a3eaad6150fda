/**
 * Small helpers of the `simdnet` command line: its error type, atomic file
 * writes, CSV field quoting and number formatting.
 */
import {
  chmodSync,
  closeSync,
  existsSync,
  fsyncSync,
  mkdtempSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** An error the user can fix: printed as one message, with no stack, and a non-zero exit. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** A bad command line (unknown option, missing argument): exit code 2, as most tools do. */
export class UsageError extends CliError {
  constructor(
    message: string,
    readonly command?: string,
  ) {
    super(message, 2);
    this.name = 'UsageError';
  }
}

/** The package's root directory (where package.json is), from dist/cli/ or src/cli/. */
export function packageRoot(): string {
  return fileURLToPath(new URL('../../', import.meta.url));
}

export function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** A temporary path beside `path` (same directory, so a rename is atomic). */
function tempBeside(path: string): string {
  return join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 10)}`);
}

/**
 * Write a file so that it is either fully there or not there at all: write a
 * temporary file in the same directory, flush it, then rename it over `path`.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const tmp = tempBeside(path);
  let fd = -1;
  try {
    fd = openSync(tmp, 'wx', 0o644);
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    fsyncSync(fd);
    closeSync(fd);
    fd = -1;
    renameSync(tmp, path);
  } catch (e) {
    if (fd >= 0) {
      try {
        closeSync(fd);
      } catch {
        /* ignore */
      }
    }
    try {
      unlinkSync(tmp);
    } catch {
      /* ignore */
    }
    throw new CliError(`cannot write ${path}: ${(e as Error).message}`);
  }
}

/** A new, empty temporary directory beside `dir` (same parent, so it can be renamed to `dir`). */
export function tempDirBeside(dir: string): string {
  const abs = resolve(dir);
  const tmp = mkdtempSync(join(dirname(abs), `.${basename(abs)}.tmp-`));
  chmodSync(tmp, 0o755); // mkdtemp makes it private; the model directory is an ordinary one
  return tmp;
}

/**
 * Move the finished directory `tmp` to `dir`. An existing `dir` (already checked
 * to be a simdnet model directory or empty) is moved aside first and removed
 * only once the new one is in place.
 */
export function replaceDir(tmp: string, dir: string): void {
  const abs = resolve(dir);
  let old: string | null = null;
  if (existsSync(abs)) {
    old = `${join(dirname(abs), `.${basename(abs)}.old-`)}${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    renameSync(abs, old);
  }
  try {
    renameSync(tmp, abs);
  } catch (e) {
    if (old) {
      try {
        renameSync(old, abs);
      } catch {
        /* leave the old copy where it is */
      }
    }
    throw e;
  }
  if (old) rmSync(old, { recursive: true, force: true });
}

export function removeQuietly(path: string): void {
  try {
    rmSync(path, { recursive: true, force: true });
  } catch {
    /* ignore */
  }
}

export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Check that the directory a file will be written to exists (before any long work). */
export function checkParentDir(path: string, what: string, isFile = true): void {
  const parent = dirname(resolve(path));
  if (!isDirectory(parent)) throw new CliError(`cannot write ${what} ${path}: the directory ${parent} does not exist`);
  if (isFile && isDirectory(path)) throw new CliError(`cannot write ${what} ${path}: it is a directory`);
}

/** One CSV field, quoted when it has to be (RFC 4180). */
export function csvField(s: string): string {
  return /[",\r\n]/.test(s) || /^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(fields: string[]): string {
  return fields.map(csvField).join(',');
}

/** A float32 result as text: enough digits to round-trip a float32. */
export function formatValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  return String(Number(Math.fround(v).toPrecision(9)));
}

/** "1st", "2nd", "3rd", "4th" … for messages. */
export function ordinal(n: number): string {
  const s = n % 100 >= 11 && n % 100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${s}`;
}

/** A list for a message, shortened past `max` items. */
export function listForMessage(items: string[], max = 20): string {
  const shown = items.slice(0, max).join(', ');
  return items.length > max ? `${shown}, … (${items.length} in all)` : shown;
}
