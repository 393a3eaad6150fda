/**
 * The tarball users download: what `npm pack` puts in it, and a clean
 * `npm publish --dry-run`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, pack, PKG, REPO, run, type Packed } from './helpers.js';

let packed: Packed;
let paths: string[];

beforeAll(() => {
  packed = pack();
  paths = packed.report.files.map((f) => f.path);
});
afterAll(cleanup);

describe('npm pack', () => {
  it('holds the compiled library (ES module and CommonJS builds, with types), the CLI, README, LICENSE and package.json', () => {
    for (const f of [
      'package.json',
      'README.md',
      'LICENSE',
      'dist/index.js',
      'dist/index.d.ts',
      'dist/api.js',
      'dist/api.d.ts',
      'dist/generated/wasm.js',
      'dist/cjs/package.json',
      'dist/cjs/index.cjs',
      'dist/cjs/index.d.cts',
      'dist/cjs/api.js',
      'dist/cjs/api.d.ts',
      'dist/cjs/generated/wasm.js',
      'dist/cli/main.js',
    ])
      expect(paths, f).toContain(f);
  });

  it('holds nothing else: no sources, tests, benchmarks, examples, docs, source maps or CLI typings', () => {
    const unexpected = paths.filter(
      (p) =>
        !['package.json', 'README.md', 'LICENSE'].includes(p) &&
        !(
          /^dist\/(?!cjs\/|cli\/|docs\/).+\.(js|d\.ts)$/.test(p) ||
          /^dist\/cjs\/.+\.(js|d\.ts)$/.test(p) ||
          [
            'dist/cjs/index.cjs',
            'dist/cjs/index.d.cts',
            'dist/cjs/tfjs/index.cjs',
            'dist/cjs/tfjs/index.d.cts',
            'dist/cjs/package.json',
          ].includes(p) ||
          /^dist\/cli\/.+\.js$/.test(p)
        ),
    );
    expect(unexpected).toEqual([]);
    // Every module of the ES build has its CommonJS twin (the CLI is ES-module only).
    const entries = ['dist/index.js', 'dist/tfjs/index.js'];
    const esm = paths.filter((p) => /^dist\/(?!cjs\/|cli\/).+\.js$/.test(p) && !entries.includes(p));
    const cjs = paths.filter((p) => /^dist\/cjs\/.+\.js$/.test(p)).map((p) => p.replace('dist/cjs/', 'dist/'));
    expect(cjs.sort()).toEqual(esm.sort());
  });

  it('the bin, main, module, types and every exports target are in it', () => {
    const pkg = PKG as unknown as {
      bin: Record<string, string>;
      main: string;
      module: string;
      types: string;
      exports: unknown;
      sideEffects: string[];
    };
    const targets: string[] = [...Object.values(pkg.bin), pkg.main, pkg.module, pkg.types, ...pkg.sideEffects];
    const walk = (v: unknown): void => {
      if (typeof v === 'string') targets.push(v);
      else if (v !== null && typeof v === 'object') Object.values(v).forEach(walk);
    };
    walk(pkg.exports);
    for (const t of targets) expect(paths, t).toContain(t.replace(/^\.\//, ''));
  });

  it('reports its size and file count', () => {
    const { size, unpackedSize, entryCount } = packed.report;
    console.log(
      `simdnet ${PKG.version} tarball: ${(size / 1024).toFixed(0)} KiB packed, ` +
        `${(unpackedSize / 1024).toFixed(0)} KiB unpacked, ${entryCount} files`,
    );
    // Two builds of ~0.6 MB, most of it the two embedded kernel binaries each. Every source module ships as
    // ES and CommonJS code, each with its declarations: four files a module, and the module count grows
    // (simdnet/tfjs, issue 18, added ~20 KiB).
    expect(size).toBeLessThan(640 * 1024);
    expect(entryCount).toBeLessThan(360);
  });
});

describe('npm publish --dry-run', () => {
  it('is clean: no warning about the package (only, offline, that nobody is logged in)', () => {
    const r = run('npm', ['publish', '--dry-run', '--ignore-scripts'], REPO);
    const warnings = (r.stdout + r.stderr)
      .split('\n')
      .filter((l) => /\bwarn\b/i.test(l))
      .filter((l) => !/requires you to be logged in/.test(l));
    expect(warnings).toEqual([]);
    expect(r.stdout + r.stderr).toMatch(new RegExp(`${PKG.name}@${PKG.version.replace(/\./g, '\\.')}`));
  });
});
