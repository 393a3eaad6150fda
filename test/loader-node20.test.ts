/**
 * Relaxed SIMD on Node 20 (issue 13 §4). Node 20's V8 (11.3) compiles relaxed
 * SIMD but keeps it behind --experimental-wasm-relaxed-simd; the plain-SIMD
 * GEMM is bound by the instructions V8 emits per multiply-add pair, and the
 * relaxed build's FMA is ~1.25× faster on every GEMM. So the loader turns that
 * flag on in Node 20 (src/runtime/loader.ts, enableRelaxedSimdOnNode20) and
 * picks the relaxed build — unless SIMDNET_WASM_VARIANT names another one, in
 * which case the process's V8 flags are left alone. Node 22+ have relaxed SIMD
 * on by default: the relaxed build, no flag touched.
 *
 * V8 flags are process-wide and this test process has loaded simdnet already,
 * so each case runs in a fresh child Node, started without flags, on the built
 * package (dist/, `npm test` builds it first), through both of its entries.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { RELAXED_PROBE } from '../src/runtime/loader.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const NODE_MAJOR = Number(process.versions.node.split('.')[0]);

interface ChildReport {
  probeBefore: boolean;
  probeAfter: boolean;
  info: { variant: string; relaxedSimd: boolean; relaxedSimdFlag: boolean };
  /** A small product through the public op, to show the chosen build computes. */
  product: number[];
}

/** Load simdnet in a fresh `node` (no flags) through one entry, with the given environment. */
function child(entry: 'esm' | 'cjs', env: Record<string, string>): ChildReport {
  const load =
    entry === 'esm'
      ? `const sn = await import(${JSON.stringify(`${ROOT}dist/index.js`)}); await sn.ready();`
      : `const sn = require(${JSON.stringify(`${ROOT}dist/cjs/index.cjs`)});`;
  const script = `
    const probe = new Uint8Array(${JSON.stringify(Array.from(RELAXED_PROBE))});
    const probeBefore = WebAssembly.validate(probe);
    (async () => {
      ${load}
      const a = sn.tensor([1, 2, 3, 4, 5, 6], [2, 3]), b = sn.tensor([1, 0, 0, 1, 1, 1], [3, 2]);
      const product = Array.from(sn.matMul(a, b).dataSync());
      const i = sn.backendInfo();
      const out = { probeBefore, probeAfter: WebAssembly.validate(probe), product,
        info: { variant: i.variant, relaxedSimd: i.relaxedSimd, relaxedSimdFlag: i.relaxedSimdFlag } };
      process.stdout.write(JSON.stringify(out));
      await sn.shutdown();
    })().catch((e) => { console.error(e); process.exit(1); });
  `;
  const r = spawnSync(process.execPath, ['-e', script], {
    env: { ...process.env, SIMDNET_WASM_VARIANT: '', SIMDNET_THREADS: '1', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (r.status !== 0) throw new Error(`child node failed (status ${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as ChildReport;
}

describe.each(['esm', 'cjs'] as const)('relaxed SIMD on Node %s entry', (entry) => {
  it('is chosen without flags (Node 20: simdnet turns the V8 flag on; Node 22+: on by default)', () => {
    const r = child(entry, {});
    expect(r.info.variant).toBe('relaxed-simd');
    expect(r.info.relaxedSimd).toBe(true);
    expect(r.probeAfter).toBe(true);
    if (NODE_MAJOR === 20) {
      expect(r.probeBefore).toBe(false);
      expect(r.info.relaxedSimdFlag).toBe(true);
    } else {
      expect(r.info.relaxedSimdFlag).toBe(false);
    }
    expect(r.product).toEqual([4, 5, 10, 11]);
  });

  it('SIMDNET_WASM_VARIANT=simd runs the plain build and leaves the V8 flags alone', () => {
    const r = child(entry, { SIMDNET_WASM_VARIANT: 'simd' });
    expect(r.info.variant).toBe('simd');
    expect(r.info.relaxedSimdFlag).toBe(false);
    expect(r.probeAfter).toBe(r.probeBefore);
    expect(r.product).toEqual([4, 5, 10, 11]);
  });

  it('SIMDNET_WASM_VARIANT=relaxed is honoured without a command-line flag', () => {
    const r = child(entry, { SIMDNET_WASM_VARIANT: 'relaxed' });
    expect(r.info.variant).toBe('relaxed-simd');
    expect(r.info.relaxedSimdFlag).toBe(NODE_MAJOR === 20);
    expect(r.product).toEqual([4, 5, 10, 11]);
  });
});
