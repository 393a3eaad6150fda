/**
 * The consumer tests install the package as users receive it: `npm pack` the
 * current build (dist/, which `npm test` builds first), install the tarball
 * into a fresh temporary project, offline, and run that project's code with
 * the installed copy. The projects' files are in test/consumer/projects/.
 *
 * Offline: simdnet's one runtime dependency (csv-parse) comes from the npm
 * cache, which `npm ci` fills from this repository's lockfile; when it is not
 * there, from a tarball packed from this repository's node_modules/csv-parse.
 * Tools the projects need (tsc, vite, Chromium) are this repository's.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
export const PROJECTS = join(REPO, 'test', 'consumer', 'projects');
export const PKG = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  dependencies: Record<string, string>;
};

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Run a command; `check` (default) throws with its output when it fails. */
export function run(
  cmd: string,
  args: string[],
  cwd: string,
  opts: { env?: Record<string, string | undefined>; check?: boolean; timeout?: number } = {},
): Run {
  const r = spawnSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    timeout: opts.timeout ?? 120_000,
    env: { ...process.env, npm_config_update_notifier: 'false', ...opts.env },
  });
  const out: Run = { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  if ((opts.check ?? true) && (r.error !== undefined || r.status !== 0)) {
    throw new Error(
      `\`${cmd} ${args.join(' ')}\` in ${cwd} failed (${r.error?.message ?? `exit ${r.status}`}):\n` +
        `${out.stdout}\n${out.stderr}`,
    );
  }
  return out;
}

/** The last line of stdout, parsed as JSON (the projects' scripts report that way). */
export function lastJson<T = Record<string, unknown>>(r: Run): T {
  const lines = r.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!) as T;
}

const temps: string[] = [];

/** A temporary directory, removed by cleanup(). */
export function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), `simdnet-consumer-${prefix}-`));
  temps.push(d);
  return d;
}

export function cleanup(): void {
  for (const d of temps.splice(0)) rmSync(d, { recursive: true, force: true });
}

export interface Packed {
  tarball: string;
  /** npm pack's report: the files, their sizes, the tarball's. */
  report: { size: number; unpackedSize: number; entryCount: number; files: { path: string; size: number }[] };
}

/** `npm pack` the current build into a temporary directory (scripts off: it packs what is built). */
export function pack(): Packed {
  for (const f of [
    'dist/index.js',
    'dist/index.d.ts',
    'dist/cjs/index.cjs',
    'dist/cjs/index.d.cts',
    'dist/cjs/package.json',
    'dist/cli/main.js',
  ]) {
    if (!existsSync(join(REPO, f))) {
      throw new Error(
        `${f} is missing: the consumer tests pack the built package. Run \`npm run build\` first (npm test does).`,
      );
    }
  }
  const dest = tempDir('pack');
  const r = run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dest], REPO);
  const report = (JSON.parse(r.stdout) as Packed['report'][])[0]!;
  const tarball = join(
    dest,
    readdirSync(dest).find((f) => f.endsWith('.tgz'))!,
  );
  return { tarball, report };
}

let csvParseTarball: string | undefined;

/** csv-parse packed from this repository's node_modules (the lockfile's version), for a cold npm cache. */
function localCsvParse(): string {
  if (csvParseTarball === undefined) {
    const dest = tempDir('deps');
    run('npm', ['pack', '--ignore-scripts', '--pack-destination', dest, join(REPO, 'node_modules', 'csv-parse')], REPO);
    csvParseTarball = join(
      dest,
      readdirSync(dest).find((f) => f.endsWith('.tgz'))!,
    );
  }
  return csvParseTarball;
}

/**
 * A new project: the files of test/consumer/projects/<name>/, a package.json,
 * and the tarball installed (offline) as a dependency.
 */
export function project(name: string, tarball: string, pkg: Record<string, unknown> = {}): string {
  const dir = tempDir(name);
  cpSync(join(PROJECTS, name), dir, { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: `consumer-${name}`, version: '1.0.0', private: true, ...pkg }, null, 2),
  );
  const flags = ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock'];
  const first = run('npm', [...flags, tarball], dir, { check: false });
  if (first.status !== 0) {
    if (!/ENOTCACHED|offline/i.test(first.stdout + first.stderr)) {
      throw new Error(`npm install of the tarball failed:\n${first.stdout}\n${first.stderr}`);
    }
    // Not in the npm cache: the dependency from this repository's own install instead.
    run('npm', [...flags, tarball, localCsvParse()], dir);
  }
  return dir;
}

/** The installed package's directory in a project. */
export function installed(dir: string): string {
  return join(dir, 'node_modules', PKG.name);
}

/** A tool from this repository's node_modules/.bin (tsc, vite). */
export function repoBin(name: string): string {
  return join(REPO, 'node_modules', '.bin', name);
}

export { mkdirSync, readFileSync, writeFileSync, existsSync, join };
