/**
 * A Node CommonJS project (no `"type"`) with the tarball installed:
 * `const sn = require('simdnet')` is ready when require() returns (the
 * kernels compile synchronously), trains, evaluates, predicts, saves and
 * loads; `import('simdnet')` from it is the same instance; the environment
 * overrides behave as in the ES-module build.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, lastJson, pack, project, run } from './helpers.js';

let dir: string;

beforeAll(() => {
  dir = project('cjs', pack().tarball);
});
afterAll(cleanup);

describe('Node, CommonJS', () => {
  it('require("simdnet"): ready at once; train, evaluate, predict, save, load', () => {
    const r = lastJson<{
      resolved: string;
      readyAtRequire: { backend: string };
      backend: { backend: string };
      lossFirst: number;
      lossLast: number;
      accuracy: number;
      pred: number[];
      predShape: number[];
      isTensor: boolean;
      saved: string[];
      loadedSame: boolean;
      importSame: boolean;
    }>(run('node', ['train.js'], dir));
    expect(r.resolved).toMatch(/[\\/]node_modules[\\/]simdnet[\\/]dist[\\/]cjs[\\/]index\.cjs$/);
    expect(r.readyAtRequire.backend).toBe('wasm');
    expect(r.backend).toEqual(r.readyAtRequire);
    expect(r.lossLast).toBeLessThan(r.lossFirst / 4);
    expect(r.accuracy).toBeGreaterThanOrEqual(0.9);
    expect(r.predShape).toEqual([2, 1]);
    expect(r.pred[0]).toBeGreaterThan(0.5);
    expect(r.pred[1]).toBeLessThan(0.5);
    expect(r.isTensor).toBe(true);
    expect(r.saved).toEqual(['model.json', 'weights.bin']);
    expect(r.loadedSame).toBe(true);
    expect(r.importSame).toBe(true);
  });

  it('SIMDNET_BACKEND and SIMDNET_WASM_VARIANT work on the synchronous path', () => {
    const js = lastJson<{ info: { backend: string }; matMul: number[] }>(
      run('node', ['env.js'], dir, { env: { SIMDNET_BACKEND: 'js' } }),
    );
    expect(js.info.backend).toBe('js');
    expect(js.matMul).toEqual([11]);
    const simd = lastJson<{ info: { variant: string }; matMul: number[] }>(
      run('node', ['env.js'], dir, { env: { SIMDNET_WASM_VARIANT: 'simd' } }),
    );
    expect(simd.info.variant).toBe('simd');
    expect(simd.matMul).toEqual([11]);
    const bad = lastJson<{ error: string; message: string }>(
      run('node', ['env.js'], dir, { env: { SIMDNET_WASM_VARIANT: 'nope' } }),
    );
    expect(bad.error).toBe('ValueError');
    expect(bad.message).toMatch(/SIMDNET_WASM_VARIANT/);
  });
});
