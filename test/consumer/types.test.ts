/**
 * A strict TypeScript project with the tarball installed, type-checked by this
 * repository's tsc: a program that builds, trains, evaluates, predicts, saves
 * and loads a model, with the result types pinned (`predict` is a `Tensor`)
 * and `@ts-expect-error` probes that only fail to compile when no `any`
 * leaks. Under moduleResolution node16 (ES module and CommonJS files; then
 * compiled and run) and bundler. The shipped declarations contain no `any`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { cleanup, installed, join, lastJson, pack, project, REPO, run, writeFileSync } from './helpers.js';

let dir: string;
const TYPE_ROOTS = [join(REPO, 'node_modules', '@types')];

beforeAll(() => {
  dir = project('ts', pack().tarball, { type: 'module' });
  // A Node project (the shape of @tsconfig/node20: strict, node16, skipLibCheck).
  writeFileSync(
    join(dir, 'tsconfig.node16.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        module: 'node16',
        moduleResolution: 'node16',
        target: 'es2022',
        lib: ['es2023'],
        types: ['node'],
        typeRoots: TYPE_ROOTS,
        skipLibCheck: true,
        noEmitOnError: true,
        outDir: 'out',
        rootDir: '.',
      },
      files: ['main.ts', 'main-cjs.cts'],
    }),
  );
  // A bundled (browser) project: DOM types, and the library's declarations checked too.
  writeFileSync(
    join(dir, 'tsconfig.bundler.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        module: 'esnext',
        moduleResolution: 'bundler',
        target: 'es2022',
        lib: ['es2022', 'dom'],
        types: ['node'],
        typeRoots: TYPE_ROOTS,
        skipLibCheck: false,
        noEmit: true,
      },
      files: ['main.ts'],
    }),
  );
});
afterAll(cleanup);

const tsc = (args: string[]) =>
  run(process.execPath, [join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), ...args], dir, { check: false });

/** Compile with --listFiles: no diagnostics, and the files it read (to see which declarations it resolved). */
function compileClean(config: string): string {
  const r = tsc(['-p', config, '--listFiles']);
  const lines = (r.stdout + r.stderr).split('\n').filter((l) => l.trim() !== '');
  expect(lines.filter((l) => !/^\/.*\.(d\.)?[cm]?ts$/.test(l))).toEqual([]);
  expect(r.status).toBe(0);
  return lines.join('\n');
}

interface Result {
  backend: string;
  lossLast: number;
  accuracy: number;
  pred: number[];
  predShape: number[];
  batchOne: number[];
  loadedSame: boolean;
  isTensor: boolean;
}

describe('strict TypeScript consumers', () => {
  it('node16: type-checks (ES module and CommonJS files) against the CommonJS declarations, compiles and runs', () => {
    const files = compileClean('tsconfig.node16.json');
    expect(files).toMatch(/node_modules\/simdnet\/dist\/cjs\/index\.d\.cts/);
    expect(files).not.toMatch(/node_modules\/simdnet\/dist\/index\.d\.ts/);
    const r = lastJson<Result>(run('node', ['out/main.js', join(dir, 'saved-model')], dir));
    expect(r.backend).toBe('wasm');
    expect(r.accuracy).toBeGreaterThanOrEqual(0.9);
    expect(r.predShape).toEqual([2, 1]);
    expect(r.pred[0]).toBeGreaterThan(0.5);
    expect(r.pred[1]).toBeLessThan(0.5);
    expect(r.batchOne).toEqual(r.pred);
    expect(r.loadedSame).toBe(true);
    expect(r.isTensor).toBe(true);
    const c = lastJson<{ pred: number[]; losses: number[] }>(run('node', ['out/main-cjs.cjs'], dir));
    expect(c.pred).toEqual([3, 7]);
    expect(c.losses).toHaveLength(2);
  });

  it("bundler: type-checks against the ES-module declarations, the library's own declarations included", () => {
    const files = compileClean('tsconfig.bundler.json');
    expect(files).toMatch(/node_modules\/simdnet\/dist\/index\.d\.ts/);
    expect(files).not.toMatch(/dist\/cjs\//);
  });

  it('a leaked any would be caught: the probes fail when predict() is typed any', () => {
    // The same program against a declaration where predict returns any: the
    // unused @ts-expect-error on `pred.notAMethod()` must be reported.
    const dts = join(installed(dir), 'dist', 'cjs', 'model.d.ts');
    const original = readFileSync(dts, 'utf8');
    expect(original).toMatch(/predict\(x: ModelData, args\?: PredictArgs\): Tensor;/);
    try {
      writeFileSync(
        dts,
        original.replace(
          /predict\(x: ModelData, args\?: PredictArgs\): Tensor;/,
          'predict(x: ModelData, args?: PredictArgs): any;',
        ),
      );
      const r = tsc(['-p', 'tsconfig.node16.json', '--noEmit']);
      expect(r.status).not.toBe(0);
      expect(r.stdout).toMatch(/main\.ts\(\d+,\d+\): error TS2578: Unused '@ts-expect-error' directive/);
    } finally {
      writeFileSync(dts, original);
    }
  });

  it('the shipped declarations never say `any`', () => {
    const offenders: string[] = [];
    const walk = (d: string): void => {
      for (const name of readdirSync(d)) {
        const p = join(d, name);
        if (statSync(p).isDirectory()) walk(p);
        else if (/\.d\.c?ts$/.test(name)) {
          // Comments and string literals removed, then look for the keyword.
          const code = readFileSync(p, 'utf8')
            .replace(/\/\*[\s\S]*?\*\//g, '')
            .replace(/\/\/.*$/gm, '')
            .replace(/'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\.)*`/g, '""');
          code.split('\n').forEach((line, i) => {
            // The type `any`; not an identifier named any (TF.js's tf.any, tensor.any()).
            if (/(?<![.\w])any\b(?!\??\s*[(:])/.test(line))
              offenders.push(`${p.slice(installed(dir).length + 1)}:${i + 1}: ${line.trim()}`);
          });
        }
      }
    };
    walk(join(installed(dir), 'dist'));
    expect(offenders).toEqual([]);
  });
});
