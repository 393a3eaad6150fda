/**
 * The relaxed-SIMD build against the plain SIMD build, on identical inputs.
 *
 * The two binaries come from the same source: only the GEMM micro-kernels'
 * multiply-add differs (f32x4.relaxed_madd, a fused FMA on x64 and arm64,
 * against a separate mul and add). So:
 * - GEMM results must agree within the rounding-error bound of a K-term sum
 *   (stated and justified in test/fixtures/relaxed-check.mjs), on every
 *   transpose form and on shapes with partial tiles and several blocks;
 * - every other kernel must agree bit for bit.
 *
 * Node 20 runs relaxed SIMD only with --experimental-wasm-relaxed-simd, so the
 * comparison runs in a child Node started with that flag where it is needed.
 * It reads the embedded binaries from src/generated/wasm.js (npm run build:wasm).
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { RELAXED_PROBE, variantBytes } from '../src/runtime/loader.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/relaxed-check.mjs', import.meta.url));

interface GemmResult {
  name: string;
  n: number;
  nDiff: number;
  maxRatio: number;
  maxRefErr: number;
  padTouched: boolean;
}
interface KernelResult {
  name: string;
  nDiff: number;
}

function runChild(): { gemm: GemmResult[]; kernels: KernelResult[] } {
  const flags = WebAssembly.validate(RELAXED_PROBE) ? [] : ['--experimental-wasm-relaxed-simd'];
  const r = spawnSync(process.execPath, [...flags, FIXTURE], {
    input: JSON.stringify({
      simd: Buffer.from(variantBytes('simd')).toString('base64'),
      relaxed: Buffer.from(variantBytes('relaxed-simd')).toString('base64'),
    }),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: 60_000,
  });
  if (r.status !== 0) throw new Error(`relaxed-check.mjs failed (status ${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as { gemm: GemmResult[]; kernels: KernelResult[] };
}

describe('relaxed-SIMD build vs plain SIMD build', () => {
  const result = runChild();

  it('GEMM agrees within the K-term rounding bound on every form and shape', () => {
    const bad = result.gemm.filter((g) => !(g.maxRatio <= 1) || g.padTouched);
    expect(
      bad.map(
        (g) =>
          `${g.name}: |relaxed − plain| / bound = ${g.maxRatio.toFixed(3)}` +
          `${g.padTouched ? ', wrote into the row padding' : ''}`,
      ),
    ).toEqual([]);
    // Both builds are also within the one-build rounding bound of the exact (float64) product.
    const far = result.gemm.filter((g) => !(g.maxRefErr <= 1));
    expect(far.map((g) => `${g.name}: error vs float64 / bound = ${g.maxRefErr.toFixed(3)}`)).toEqual([]);
    expect(result.gemm.length).toBe(13 * 4 * 3);
  });

  it('every non-GEMM kernel agrees bit for bit', () => {
    const bad = result.kernels.filter((k) => k.nDiff !== 0);
    expect(bad.map((k) => `${k.name}: ${k.nDiff} values differ`)).toEqual([]);
    expect(result.kernels.length).toBeGreaterThan(30);
  });
});
