/**
 * The cached build (assembly/build.mjs): a second build with nothing changed
 * compiles nothing and rewrites nothing; a changed kernel source, a missing
 * binary or a changed config makes exactly the affected binaries stale. Runs
 * after `npm test`'s pretest build, so the working tree is up to date.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, rmSync, statSync, symlinkSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

function build(cwd: string, ...args: string[]): string {
  const r = spawnSync(process.execPath, [join(cwd, 'assembly', 'build.mjs'), ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
  return r.stdout;
}

describe('the cached build', () => {
  it('after a build, builds nothing and rewrites no generated file', () => {
    const gen = join(root, 'src', 'generated', 'wasm.js'),
      dist = join(root, 'dist', 'generated', 'wasm.js');
    const before = [statSync(gen).mtimeMs, statSync(dist).mtimeMs];
    expect(build(root, '--ts', '--cjs', '--dry-run')).toMatch(
      /kernels stale: none\nES module build: up to date\nCommonJS build: up to date/,
    );
    const out = build(root, '--ts', '--cjs');
    expect(out).toContain('kernels: up to date');
    expect(out).toContain('ES module build: up to date');
    expect(out).toContain('CommonJS build: up to date');
    expect(out).not.toContain('wrote the generated kernel module');
    expect([statSync(gen).mtimeMs, statSync(dist).mtimeMs]).toEqual(before);
  });

  it('a kernel source, asconfig.json or a missing binary makes exactly the affected binaries stale', () => {
    const dir = mkdtempSync(join(tmpdir(), 'simdnet-build-'));
    try {
      for (const f of ['assembly', 'asconfig.json', 'build']) cpSync(join(root, f), join(dir, f), { recursive: true });
      symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
      expect(build(dir, '--dry-run')).toContain('kernels stale: none');
      unlinkSync(join(dir, 'build', 'simdnet-relaxed.wasm'));
      expect(build(dir, '--dry-run')).toContain('kernels stale: release-relaxed\n');
      cpSync(join(root, 'build', 'simdnet-relaxed.wasm'), join(dir, 'build', 'simdnet-relaxed.wasm'));
      expect(build(dir, '--dry-run')).toContain('kernels stale: none');
      appendFileSync(join(dir, 'assembly', 'common.ts'), '\n// a change\n');
      expect(build(dir, '--dry-run')).toContain('kernels stale: release-simd, release-relaxed');
      cpSync(join(root, 'assembly', 'common.ts'), join(dir, 'assembly', 'common.ts'));
      expect(build(dir, '--dry-run')).toContain('kernels stale: none');
      appendFileSync(join(dir, 'asconfig.json'), '\n');
      expect(build(dir, '--dry-run')).toContain('kernels stale: release-simd, release-relaxed');
      expect(build(dir, '--dry-run', '--force')).toContain('kernels stale: release-simd, release-relaxed');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
