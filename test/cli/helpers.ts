/**
 * Running the real `simdnet` command (dist/cli/main.js, built by `npm run
 * build`, which `npm test` runs first) in a child process, in a scratch
 * directory per test.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const MAIN = join(ROOT, 'dist', 'cli', 'main.js');
export const DATA = join(ROOT, 'examples', 'data');
export const PIMA = join(DATA, 'pima-indians-diabetes.csv');
export const DIGITS = join(DATA, 'digits.csv');

export function requireBuild(): void {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` first (npm test does).`);
}

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Run `node dist/cli/main.js ...args` in `cwd`. */
export function simdnet(args: string[], cwd: string, env: Record<string, string> = {}): Run {
  const r = spawnSync(process.execPath, [MAIN, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, SIMDNET_DEBUG: '', NO_COLOR: '1', ...env },
    timeout: 120_000,
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function scratch(): string {
  return mkdtempSync(join(tmpdir(), 'simdnet-cli-'));
}

export function cleanup(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Every entry in dir (hidden ones too), sorted: to show that nothing, not even a temp file, was left. */
export function entries(dir: string): string[] {
  return readdirSync(dir).sort();
}

export function write(dir: string, name: string, text: string | Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

/** A small, learnable binary data set with a header: y = 1 when a + b > 0. */
export function smallBinaryCsv(rows = 60, seed = 1): string {
  let s = seed >>> 0;
  const rnd = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296 - 0.5;
  };
  const lines = ['a,b,y'];
  for (let i = 0; i < rows; i++) {
    const a = rnd(),
      b = rnd();
    lines.push(`${a.toFixed(4)},${b.toFixed(4)},${a + b > 0 ? 1 : 0}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Parse a CSV the CLI wrote (no quoted fields with commas in the numeric files it writes). */
export function readPredictions(text: string): { header: string[]; rows: string[][] } {
  const lines = text.trim().split(/\r?\n/);
  return { header: lines[0]!.split(','), rows: lines.slice(1).map((l) => l.split(',')) };
}
