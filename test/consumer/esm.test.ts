/**
 * A Node ES-module project (`"type": "module"`) with the tarball installed:
 * `import * as sn from 'simdnet'` trains, evaluates, predicts, saves and
 * loads; a project mixing `import` and `require` gets ONE instance (Node
 * resolves both to the CommonJS build); every export of the ES-module build is
 * a named export there too; the `simdnet` command runs from node_modules/.bin.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, join, lastJson, pack, PKG, project, run, writeFileSync } from './helpers.js';

let dir: string;

beforeAll(() => {
  dir = project('esm', pack().tarball, { type: 'module' });
});
afterAll(cleanup);

describe('Node, ES modules', () => {
  it('import * as sn from "simdnet": train, evaluate, predict, save, load', () => {
    const r = lastJson<{
      resolved: string;
      backend: { backend: string };
      lossFirst: number;
      lossLast: number;
      accuracy: number;
      pred: number[];
      predShape: number[];
      isTensor: boolean;
      saved: string[];
      loadedSame: boolean;
    }>(run('node', ['train.mjs'], dir));
    expect(r.resolved).toMatch(/\/node_modules\/simdnet\/dist\/cjs\/index\.cjs$/);
    expect(r.backend.backend).toBe('wasm');
    expect(r.lossLast).toBeLessThan(r.lossFirst / 4);
    expect(r.accuracy).toBeGreaterThanOrEqual(0.9);
    expect(r.predShape).toEqual([2, 1]);
    expect(r.pred[0]).toBeGreaterThan(0.5);
    expect(r.pred[1]).toBeLessThan(0.5);
    expect(r.isTensor).toBe(true);
    expect(r.saved).toEqual(['model.json', 'weights.bin']);
    expect(r.loadedSame).toBe(true);
  });

  it('import and require in one process: one instance (classes, backend, kernel memory)', () => {
    const r = lastJson(run('node', ['mixed.mjs'], dir));
    expect(r).toEqual({
      importResolved: expect.stringMatching(/\/dist\/cjs\/index\.cjs$/),
      requireResolved: expect.stringMatching(/[\\/]dist[\\/]cjs[\\/]index\.cjs$/),
      defaultIsRequire: true,
      sameTensorClass: true,
      requireTensorIsImportTensor: true,
      importTensorIsRequireTensor: true,
      sameBackendInfo: true,
      sameBackend: true,
      sameHeap: true,
      sameMemory: true,
      crossPredict: [3, 7],
      loadedCopies: [expect.stringMatching(/[\\/]dist[\\/]cjs[\\/]index\.cjs$/)],
    });
  });

  it('every export of the ES-module build is a named export of what Node imports', () => {
    const r = lastJson<{ esmNames: string[]; names: string[]; missing: string[]; extra: string[] }>(
      run('node', ['exports.mjs'], dir),
    );
    expect(r.esmNames).toEqual(
      expect.arrayContaining(['Tensor', 'sequential', 'layers', 'loadModel', 'io', 'ready', 'backendInfo']),
    );
    expect(r.missing).toEqual([]);
    expect(r.extra).toEqual([]);
  });

  it('the simdnet command runs from node_modules/.bin, with its CSV dependency', () => {
    const bin = join(dir, 'node_modules', '.bin', 'simdnet');
    expect(run(bin, ['--version'], dir).stdout.trim()).toBe(PKG.version);
    expect(run(bin, ['info'], dir).stdout).toMatch(/wasm/);
    let csv = 'a,b,label\n';
    for (let i = 0; i < 8; i++) for (let j = 0; j < 8; j++) csv += `${i / 7},${j / 7},${i + j > 7 ? 1 : 0}\n`;
    writeFileSync(join(dir, 'square.csv'), csv);
    run(bin, ['train', 'square.csv', '--target', 'label', '--epochs', '5', '--quiet', '-o', 'cli-model'], dir);
    const p = run(bin, ['predict', 'cli-model', 'square.csv'], dir);
    expect(p.stdout.trim().split('\n').length).toBeGreaterThanOrEqual(64);
  });
});
