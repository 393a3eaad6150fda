/**
 * Dropout and batch normalization, on both backends.
 *
 * Dropout, for any n (0 included), rate in [0, 1) (0, 1e-7, 0.999 included),
 * any 32-bit seed and offset (counters wrapping past 2³² included) and any
 * finite float32 input:
 * - every mask entry is +0 or exactly fround(1/fround(1 − fround(rate))), the
 *   float32 1/(1 − rate) the kernel contract names (1 everywhere for rate 0);
 * - Y = X·mask, one float32 rounding (bit for bit: signed zeros, and
 *   ±Infinity where X·1/(1−rate) exceeds FLT_MAX);
 * - the mask depends only on (seed, offset + i): one call over n equals two
 *   calls over [0, k) and [k, n) with offset + k, and wasm equals js bit for bit;
 * - the kept fraction is 1 − rate within 6σ (n ≥ 500).
 *
 * Batch normalization with constant columns (variance exactly 0; M = 1 makes
 * every column constant), the constant anywhere in float32 (±0, subnormals,
 * ±FLT_MAX), next to ordinary columns, eps ∈ {1e-3, 1e-5}:
 * - training forward: mean = the constant exactly, invStd = fround(1/√eps)
 *   exactly, Y = beta (or 0) exactly; all statistics, moving statistics and
 *   outputs finite;
 * - backward: finite; dGamma = 0 exactly and dX = gamma·invStd·(dY − mean dY)
 *   on constant columns (against float64);
 * - inference forward with the resulting moving variance 0: finite;
 * - wasm agrees with js (the tolerances of test/kernels/bn.test.ts).
 */
import { beforeAll, describe, test } from 'vitest';
import type { Backend } from '../../src/backend/types.js';
import { conform, describeWasm, expectBitEqual, js, withArena } from '../kernels/helpers.js';
import { MIN_SUB, U, anyF32, dim, dim0, expectAll, f32, f32In, fc, params, show } from './arb.js';

// ------------------------------------------------------------------ dropout

interface DropCase {
  n: number;
  rate: number;
  seed: number;
  offset: number;
  X: Float32Array;
  split: number;
}

const dropCase: fc.Arbitrary<DropCase> = fc
  .record({
    n: fc.oneof(dim0(40), fc.integer({ min: 0, max: 1500 })),
    rate: fc.oneof(
      fc.constantFrom(0, 0.5, 0.1, 0.9, f32(1e-7), f32(0.999)),
      fc.float({ min: 0, max: f32(0.999), noNaN: true }),
    ),
    seed: fc.integer({ min: 0, max: 0xffffffff }),
    offset: fc.oneof(
      fc.nat({ max: 1000 }),
      fc.integer({ min: 0, max: 0xffffffff }),
      fc.integer({ min: 0xffffffff - 1200, max: 0xffffffff }),
    ),
    xs: fc.array(anyF32, { minLength: 1, maxLength: 64 }),
    split: fc.nat(),
  })
  .map(({ n, rate, seed, offset, xs, split }) => ({
    n,
    rate: Math.abs(rate),
    seed,
    offset,
    split: n === 0 ? 0 : split % (n + 1),
    X: Float32Array.from({ length: n }, (_, i) => xs[i % xs.length]!),
  }));

function dropout(
  b: Backend,
  X: Float32Array,
  n: number,
  rate: number,
  seed: number,
  offset: number,
): { Y: Float32Array; mask: Float32Array } {
  return withArena(b, (a) => {
    const pX = a.put(X.subarray(0, n)),
      pY = a.empty(n),
      pM = a.empty(n);
    b.dropout(pX, pY, pM, n, rate, seed, offset);
    return { Y: a.read(pY, n), mask: a.read(pM, n) };
  });
}

function dropoutProperties(name: string, be: () => Backend): void {
  test(`dropout on ${name}: mask is 0 or exactly 1/(1 − rate), Y = X·mask, chunking does not matter, kept fraction ≈ 1 − rate`, () => {
    fc.assert(
      fc.property(dropCase, ({ n, rate, seed, offset, X, split }) => {
        const b = be();
        const r = dropout(b, X, n, rate, seed, offset);
        const keep = f32(1 / f32(1 - f32(rate)));
        const label = `${b.name} dropout(n=${n}, rate=${rate}, seed=${seed}, offset=${offset})`;
        expectAll(`${label}: mask`, r.mask, (m) => Object.is(m, 0) || m === keep, `+0 or ${keep}`);
        if (rate === 0) expectAll(`${label}: mask at rate 0`, r.mask, (m) => m === 1, '1');
        expectBitEqual(
          `${label}: Y = X·mask`,
          r.Y,
          Float32Array.from(X, (x, i) => x * r.mask[i]!),
        );
        // Two calls, [0, split) and [split, n) at offset + split, give the same mask and Y.
        const a1 = dropout(b, X, split, rate, seed, offset);
        const a2 = dropout(b, X.subarray(split), n - split, rate, seed, (offset + split) >>> 0);
        const joined = new Float32Array(n);
        joined.set(a1.mask, 0);
        joined.set(a2.mask, split);
        expectBitEqual(`${label}: mask split at ${split}`, joined, r.mask);
        if (n >= 500) {
          let kept = 0;
          for (const m of r.mask) if (m !== 0) kept++;
          const p = 1 - f32(rate),
            sigma = Math.sqrt((p * (1 - p)) / n);
          if (!(Math.abs(kept / n - p) <= 6 * sigma + 1 / n))
            throw new Error(`${label}: kept ${kept} of ${n}, expected ≈ ${p}`);
        }
      }),
      params(80),
    );
  });
}

// ------------------------------------------------------------------ batch normalization

interface BnCase {
  M: number;
  N: number;
  X: Float32Array;
  /** Which columns are constant. */
  constant: boolean[];
  gamma: Float32Array | null;
  beta: Float32Array | null;
  eps: number;
  dY: Float32Array;
}

const bnCase: fc.Arbitrary<BnCase> = fc.tuple(fc.oneof(fc.constant(1), dim(40)), dim(17)).chain(([M, N]) =>
  fc
    .record({
      M: fc.constant(M),
      N: fc.constant(N),
      constant: fc.array(fc.boolean(), { minLength: N, maxLength: N }),
      consts: fc.array(anyF32, { minLength: N, maxLength: N }),
      // Ordinary columns: wide but far from overflow (x − mean and the variance stay finite in float32).
      values: fc.array(f32In(-1e15, 1e15), { minLength: M * N, maxLength: M * N }),
      gamma: fc.option(fc.array(f32In(-2, 2), { minLength: N, maxLength: N }), { nil: null }),
      beta: fc.option(fc.array(f32In(-2, 2), { minLength: N, maxLength: N }), { nil: null }),
      eps: fc.constantFrom(1e-3, 1e-5),
      dY: fc.array(f32In(-10, 10), { minLength: M * N, maxLength: M * N }),
    })
    .map(({ constant, consts, values, gamma, beta, eps, dY }) => ({
      M,
      N,
      constant: constant.map((c) => c || M === 1),
      eps,
      X: Float32Array.from({ length: M * N }, (_, k) => (constant[k % N] ? consts[k % N]! : values[k]!)),
      gamma: gamma ? Float32Array.from(gamma) : null,
      beta: beta ? Float32Array.from(beta) : null,
      dY: Float32Array.from(dY),
    })),
);

interface BnOut {
  mean: Float32Array;
  invStd: Float32Array;
  Y: Float32Array;
  movMean: Float32Array;
  movVar: Float32Array;
  dX: Float32Array;
  dGamma: Float32Array;
  dBeta: Float32Array;
  Yinf: Float32Array;
}

function runBn(b: Backend, c: BnCase): BnOut {
  const { M, N } = c,
    n = M * N;
  return withArena(b, (a) => {
    const pX = a.put(c.X),
      pY = a.empty(n),
      mean = a.empty(N),
      is = a.empty(N);
    const pG = c.gamma ? a.put(c.gamma) : 0,
      pB = c.beta ? a.put(c.beta) : 0;
    const mm = a.put(new Float32Array(N)),
      mv = a.put(new Float32Array(N).fill(1));
    b.bnForwardTrain(pX, pY, M, N, pG, pB, mean, is, c.eps, mm, mv, 0.99);
    const dX = a.empty(n),
      dG = a.empty(N),
      dB = a.empty(N);
    b.bnBackward(pX, a.put(c.dY), dX, M, N, pG, mean, is, dG, dB);
    // Inference with a moving variance of 0 on the constant columns.
    const mv0 = a.put(Float32Array.from({ length: N }, (_, j) => (c.constant[j] ? 0 : 1)));
    const Yinf = a.empty(n);
    b.bnForwardInfer(pX, Yinf, M, N, pG, pB, mean, mv0, c.eps);
    return {
      mean: a.read(mean, N),
      invStd: a.read(is, N),
      Y: a.read(pY, n),
      movMean: a.read(mm, N),
      movVar: a.read(mv, N),
      dX: a.read(dX, n),
      dGamma: a.read(dG, N),
      dBeta: a.read(dB, N),
      Yinf: a.read(Yinf, n),
    };
  });
}

function describeBn(c: BnCase): string {
  return `M=${c.M} N=${c.N} eps=${c.eps} constant=${c.constant.map((k) => (k ? 1 : 0)).join('')} X=${show(c.X, 20)}`;
}

function checkBn(b: Backend, c: BnCase): void {
  const { M, N } = c;
  const r = runBn(b, c);
  const label = `${b.name} batch norm ${describeBn(c)}`;
  for (const [k, v] of Object.entries(r)) expectAll(`${label}: ${k}`, v as Float32Array, Number.isFinite, 'finite');
  expectAll(`${label}: invStd`, r.invStd, (v) => v > 0, 'positive');
  const isEps = f32(1 / Math.sqrt(c.eps));
  for (let j = 0; j < N; j++) {
    if (!c.constant[j]) continue;
    const x0 = c.X[j]!,
      g = c.gamma ? c.gamma[j]! : 1,
      bt = c.beta ? c.beta[j]! : 0;
    if (r.mean[j] !== x0) throw new Error(`${label}: column ${j} is constant ${x0}, mean ${r.mean[j]}`);
    if (r.invStd[j] !== isEps)
      throw new Error(`${label}: column ${j} is constant, invStd ${r.invStd[j]}, expected 1/√eps = ${isEps}`);
    if (r.dGamma[j] !== 0) throw new Error(`${label}: column ${j} is constant, dGamma ${r.dGamma[j]}`);
    let sdy = 0,
      mdy = 0;
    for (let i = 0; i < M; i++) {
      sdy += c.dY[i * N + j]!;
      mdy = Math.max(mdy, Math.abs(c.dY[i * N + j]!));
    }
    if (!(Math.abs(r.dBeta[j]! - sdy) <= M * U * M * mdy))
      throw new Error(`${label}: column ${j}: dBeta ${r.dBeta[j]}, Σ dY ${sdy}`);
    for (let i = 0; i < M; i++) {
      const k = i * N + j;
      if (r.Y[k] !== bt)
        throw new Error(`${label}: Y[${i}, ${j}] = ${r.Y[k]} on a constant column, expected beta ${bt}`);
      const e = g * isEps * (c.dY[k]! - sdy / M);
      // Rounding: a few ulps of the terms; underflow: the factor gamma·invStd/M may be subnormal
      // (gamma tiny), with an absolute error of 2⁻¹⁵⁰ that then multiplies M·dY − Σ dY.
      if (
        !(
          Math.abs(r.dX[k]! - e) <=
          1e-5 * Math.abs(e) + 8 * (M + 4) * U * Math.abs(g) * isEps * mdy + MIN_SUB * (2 * M * mdy + 4)
        )
      ) {
        throw new Error(`${label}: dX[${i}, ${j}] = ${r.dX[k]}, expected gamma·invStd·(dY − mean dY) = ${e}`);
      }
    }
  }
}

function bnProperties(name: string, be: () => Backend): void {
  test(`batch norm on ${name}: constant columns (variance 0) stay finite with the closed-form statistics`, () => {
    fc.assert(
      fc.property(bnCase, (c) => {
        checkBn(be(), c);
      }),
      params(80),
    );
  });
}

describe('dropout and batch-norm properties on the js backend', () => {
  dropoutProperties('js', () => js);
  bnProperties('js', () => js);
});

describeWasm('dropout and batch-norm properties', (load) => {
  let w: Backend;
  beforeAll(async () => {
    w = await load();
  });
  dropoutProperties('wasm', () => w);
  bnProperties('wasm', () => w);

  test('dropout: wasm and js masks and outputs are bit-identical', () => {
    fc.assert(
      fc.property(dropCase, ({ n, rate, seed, offset, X }) => {
        const r = dropout(js, X, n, rate, seed, offset),
          g = dropout(w, X, n, rate, seed, offset);
        const label = `dropout(n=${n}, rate=${rate}, seed=${seed}, offset=${offset})`;
        expectBitEqual(`${label}: mask`, g.mask, r.mask);
        expectBitEqual(`${label}: Y`, g.Y, r.Y);
      }),
      params(80),
    );
  });

  /**
   * Tolerances as in test/kernels/bn.test.ts: statistics and outputs 5e-5 relative (+1e-5), the
   * backward pass 8·(M + 4)·u times the magnitudes that enter each element (bwdScale), plus 5e-5
   * of them because here each backend differentiates its own (slightly different) statistics,
   * plus the subnormal allowance of the closed-form check.
   */
  test('batch norm: wasm agrees with js with constant and ordinary columns', () => {
    fc.assert(
      fc.property(bnCase, (c) => {
        const { M, N } = c;
        const ref = runBn(js, c);
        const bwdScale = new Float64Array(M * N),
          sumScale = new Float64Array(2 * N);
        let mdy = 0;
        for (const v of c.dY) mdy = Math.max(mdy, Math.abs(v));
        for (let j = 0; j < N; j++) {
          const xh = (i: number): number => (c.X[i * N + j]! - ref.mean[j]!) * ref.invStd[j]!;
          let sa = 0,
            sb = 0;
          for (let i = 0; i < M; i++) {
            sa += Math.abs(c.dY[i * N + j]!);
            sb += Math.abs(c.dY[i * N + j]! * xh(i));
          }
          sumScale[j] = sb;
          sumScale[N + j] = sa;
          const g = Math.abs((c.gamma ? c.gamma[j]! : 1) * ref.invStd[j]!);
          for (let i = 0; i < M; i++)
            bwdScale[i * N + j] = g * (Math.abs(c.dY[i * N + j]!) + sa / M + (Math.abs(xh(i)) * sb) / M);
        }
        const tolB = 8 * (M + 4) * U + 5e-5,
          uf = MIN_SUB * (2 * M * mdy + 4);
        conform(
          `batch norm ${describeBn(c)}`,
          w,
          (a) => ({ ...runBn(a.b, c) }),
          (key) =>
            key === 'dX'
              ? { scale: bwdScale, scaleTol: tolB, abs: uf }
              : key === 'dGamma'
                ? { scale: sumScale.subarray(0, N), scaleTol: tolB, abs: uf }
                : key === 'dBeta'
                  ? { scale: sumScale.subarray(N), scaleTol: tolB, abs: uf }
                  : { rel: 5e-5, abs: 1e-5 },
          [M, N],
        );
      }),
      params(60),
    );
  });
});
