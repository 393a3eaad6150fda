/**
 * Property: GEMM (all four transpose forms, alpha/beta, padded strides, any
 * M, N, K ≥ 0) agrees with a float64 reference within the scaled float32
 * rounding bound of test/kernels/gemm.test.ts, on matrices whose entries span
 * float32's range: ±0, subnormals, tiny, ordinary, huge and near ±FLT_MAX,
 * per matrix and as injected single values. Padding is never written, inputs
 * are never modified, and NaN garbage in C is ignored when beta = 0.
 *
 * The bound (Higham §3.1, as in gemm.test.ts): every element satisfies
 *   |c − ref| ≤ 2·(K + 4)·u·(|alpha|·Σ_k|a_ik·b_kj| + |beta·c0_ij|) + 1e-30
 *          + 2⁻¹⁴⁹·(Σ_k|a_ik| + Σ_k|b_kj| + K)
 * The last term is gradual underflow, which the relative model omits: every
 * float32 operation may also err by half a subnormal ulp (2⁻¹⁵⁰) absolutely,
 * and a kernel that folds alpha into one packed operand (as the wasm one does)
 * multiplies that error in alpha·a by the other operand — see the
 * alpha-folding test at the end. For data in [−1, 1] (the conformance suite)
 * the term is below the 1e-30 floor.
 *
 * Skipped inputs (fc.pre): those where a float32 intermediate would overflow
 * — a partial sum Σ|a·b| (with or without alpha: an implementation may scale
 * before or after summing), alpha·a or alpha·b (the folded operands), or
 * beta·c0 beyond FLT_MAX/4. Float32 accumulation then yields ±Infinity or NaN
 * (Inf − Inf) in an order-dependent way while the float64 reference stays
 * finite; IEEE overflow is not a rounding error, and no bound on rounding
 * applies. Everything up to a quarter of FLT_MAX is kept, including products
 * of near-FLT_MAX values with small ones.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import type { Backend } from '../../src/backend/types.js';
import { describeWasm, js, mulberry32, refGemm, withArena } from '../kernels/helpers.js';
import { FLT_MAX, MIN_SUB, SPECIALS, U, dim0, fc, params, show } from './arb.js';

const SENTINEL = 12345.5;

interface Case {
  tA: boolean;
  tB: boolean;
  M: number;
  N: number;
  K: number;
  alpha: number;
  beta: number;
  padA: number;
  padB: number;
  padC: number;
  /** Magnitude class of A's and B's entries and the fraction of signed zeros. */
  magA: number;
  magB: number;
  zeros: number;
  seed: number;
  /** Single values written over the random fill (index taken modulo the matrix length). */
  specials: { m: 'A' | 'B' | 'C'; at: number; v: number }[];
}

const MAGS = [1, 1, 1e-3, 1e3, 1e-20, 1e-30, 1e-38, 1e-41, 1e15, 1e19, 1e30, 3e38];

const caseArb: fc.Arbitrary<Case> = fc.record({
  tA: fc.boolean(),
  tB: fc.boolean(),
  M: fc.oneof(
    { arbitrary: dim0(40), weight: 8 },
    { arbitrary: fc.constantFrom(95, 96, 97, 99, 100, 101, 105), weight: 1 },
  ),
  N: fc.oneof({ arbitrary: dim0(40), weight: 8 }, { arbitrary: fc.constantFrom(63, 64, 65, 130), weight: 1 }),
  K: fc.oneof({ arbitrary: dim0(48), weight: 8 }, { arbitrary: fc.constantFrom(255, 256, 257, 300, 513), weight: 1 }),
  alpha: fc.constantFrom(1, 1, -1, 0.5, -0.75, 1.5, 0),
  beta: fc.constantFrom(0, 0, 1, 0.5, -2),
  padA: fc.integer({ min: 0, max: 3 }),
  padB: fc.integer({ min: 0, max: 3 }),
  padC: fc.integer({ min: 0, max: 3 }),
  magA: fc.constantFrom(...MAGS),
  magB: fc.constantFrom(...MAGS),
  zeros: fc.constantFrom(0, 0.1, 0.5),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  specials: fc.array(
    fc.record({
      m: fc.constantFrom('A' as const, 'B' as const, 'C' as const),
      at: fc.nat(),
      v: fc.constantFrom(...SPECIALS),
    }),
    { maxLength: 6 },
  ),
});

function describeCase(c: Case): string {
  return (
    `gemm(${c.tA ? 'T' : 'N'}${c.tB ? 'T' : 'N'}, M=${c.M}, N=${c.N}, K=${c.K}, alpha=${c.alpha}, beta=${c.beta}, ` +
    `pads=${c.padA}/${c.padB}/${c.padC}, |A|~${c.magA}, |B|~${c.magB}, zeros=${c.zeros}, seed=${c.seed}, ` +
    `specials=${JSON.stringify(c.specials.map((s) => `${s.m}[${s.at}]=${Object.is(s.v, -0) ? '-0' : s.v}`))})`
  );
}

interface Data {
  A: Float32Array;
  B: Float32Array;
  C0: Float32Array;
  lda: number;
  ldb: number;
  ldc: number;
  ref: { c: Float64Array; mag: Float64Array };
  /** Per element: the underflow allowance 2⁻¹⁴⁹·(Σ_k|a_ik| + Σ_k|b_kj| + K). */
  uf: Float64Array;
}

function fill(n: number, mag: number, zeros: number, rng: () => number): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const s = rng() < 0.5 ? -1 : 1;
    x[i] = rng() < zeros ? s * 0 : s * mag * (0.25 + rng());
  }
  return x;
}

/** Build the matrices of a case, or return null if a float32 intermediate would overflow (see the header). */
function build(c: Case): Data | null {
  const { tA, tB, M, N, K, alpha, beta } = c;
  const rng = mulberry32(c.seed);
  const aRows = tA ? K : M,
    aCols = tA ? M : K,
    lda = aCols + c.padA;
  const bRows = tB ? N : K,
    bCols = tB ? K : N,
    ldb = bCols + c.padB;
  const ldc = N + c.padC;
  const A = fill(aRows * lda, c.magA, c.zeros, rng),
    B = fill(bRows * ldb, c.magB, c.zeros, rng);
  const C0 = new Float32Array(M * ldc).fill(SENTINEL);
  for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) C0[i * ldc + j] = beta === 0 ? NaN : 2 * rng() - 1;
  for (const s of c.specials) {
    if (s.m === 'A' && A.length > 0) A[s.at % A.length] = s.v;
    if (s.m === 'B' && B.length > 0) B[s.at % B.length] = s.v;
    // C: only inside the matrix (padding holds the sentinel) and only where it is read.
    if (s.m === 'C' && beta !== 0 && M * N > 0) {
      const k = s.at % (M * N);
      C0[Math.floor(k / N) * ldc + (k % N)] = s.v;
    }
  }
  const limit = FLT_MAX / 4;
  const amp = Math.max(1, Math.abs(alpha));
  let maxA = 0,
    maxB = 0;
  for (const v of A) maxA = Math.max(maxA, Math.abs(v));
  for (const v of B) maxB = Math.max(maxB, Math.abs(v));
  if (amp * maxA > limit || amp * maxB > limit) return null;
  const ref = refGemm(tA, tB, M, N, K, alpha, A, lda, B, ldb, beta, C0, ldc);
  const uf = new Float64Array(M * N);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let sa = 0,
        sb = 0,
        sab = 0;
      for (let k = 0; k < K; k++) {
        const a = tA ? A[k * lda + i]! : A[i * lda + k]!;
        const b = tB ? B[j * ldb + k]! : B[k * ldb + j]!;
        sa += Math.abs(a);
        sb += Math.abs(b);
        sab += Math.abs(a * b);
      }
      const bc = beta === 0 ? 0 : Math.abs(beta * C0[i * ldc + j]!);
      if (amp * sab + bc > limit) return null;
      uf[i * N + j] = MIN_SUB * (sa + sb + K);
    }
  }
  return { A, B, C0, lda, ldb, ldc, ref, uf };
}

/** Run a case on `b`; throw a readable error on any violation. */
function check(b: Backend, c: Case, d: Data): void {
  const { tA, tB, M, N, K, alpha, beta } = c;
  withArena(b, (a) => {
    const pA = a.put(d.A),
      pB = a.put(d.B),
      pC = a.put(d.C0);
    b.gemm(tA, tB, M, N, K, alpha, pA, d.lda, pB, d.ldb, beta, pC, d.ldc, a.bytes(b.gemmWorkspaceBytes));
    const C = a.read(pC, M * d.ldc);
    const tol = 2 * (K + 4) * U;
    const bad: string[] = [];
    let nBad = 0;
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < d.ldc; j++) {
        const got = C[i * d.ldc + j]!;
        if (j >= N) {
          if (got !== SENTINEL) {
            nBad++;
            if (bad.length < 6) bad.push(`  padding at [${i}, ${j}] overwritten: ${got}`);
          }
          continue;
        }
        const e = d.ref.c[i * N + j]!,
          bound = tol * d.ref.mag[i * N + j]! + 1e-30 + d.uf[i * N + j]!;
        if (!(Math.abs(got - e) <= bound)) {
          nBad++;
          if (bad.length < 6)
            bad.push(
              `  at [${i}, ${j}]: expected ${e}, actual ${got}, |diff| ${Math.abs(got - e).toExponential(3)} > bound ${bound.toExponential(3)}`,
            );
        }
      }
    }
    if (nBad > 0) {
      throw new Error(
        `${b.name} ${describeCase(c)}: ${nBad} bad elements\n${bad.join('\n')}\n  A = ${show(d.A)}\n  B = ${show(d.B)}`,
      );
    }
    const A1 = a.read(pA, d.A.length),
      B1 = a.read(pB, d.B.length);
    for (let i = 0; i < d.A.length; i++)
      if (!Object.is(A1[i], d.A[i])) throw new Error(`${b.name} ${describeCase(c)}: A modified at ${i}`);
    for (let i = 0; i < d.B.length; i++)
      if (!Object.is(B1[i], d.B[i])) throw new Error(`${b.name} ${describeCase(c)}: B modified at ${i}`);
  });
}

function gemmProperty(b: () => Backend, numRuns: number): void {
  fc.assert(
    fc.property(caseArb, (c) => {
      const d = build(c);
      fc.pre(d !== null);
      check(b(), c, d!);
    }),
    params(numRuns),
  );
}

describe('gemm property: js backend against the float64 reference', () => {
  test("random shapes, transposes, strides, alpha/beta; values across float32's range", () => {
    gemmProperty(() => js, 150);
  });
});

describeWasm('gemm property: wasm against the float64 reference', (load) => {
  let w: Backend;
  beforeAll(async () => {
    w = await load();
  });

  test("random shapes, transposes, strides, alpha/beta; values across float32's range", () => {
    gemmProperty(() => w, 250);
  });

  /**
   * The underflow term above, pinned down: alpha = 0.5 folded into a packed A
   * holding the smallest subnormal makes 0.5·2⁻¹⁴⁹ round to 0 (ties to even)
   * before it meets B = 3e38, so C = 0 where the exact result is 2.1e-7 —
   * inside the gradual-underflow allowance 2⁻¹⁴⁹·Σ|b| (4.2e-7), outside the
   * purely relative bound. The js backend, which scales the finished float64
   * sum, gets 2.1e-7. Recorded so a change of the kernel's alpha handling is
   * noticed either way.
   */
  test('alpha folded into a subnormal operand: error within the underflow allowance', () => {
    const M = 8,
      N = 20,
      K = 1,
      alpha = 0.5;
    const A = new Float32Array(M * K).fill(MIN_SUB),
      B = new Float32Array(K * N).fill(3e38);
    const exact = alpha * MIN_SUB * Math.fround(3e38);
    for (const be of [w, js]) {
      const C = withArena(be, (a) => {
        const pC = a.empty(M * N);
        be.gemm(false, false, M, N, K, alpha, a.put(A), K, a.put(B), N, 0, pC, N, a.bytes(be.gemmWorkspaceBytes));
        return a.read(pC, M * N);
      });
      for (const v of C) expect(Math.abs(v - exact)).toBeLessThanOrEqual(MIN_SUB * Math.fround(3e38));
    }
  });
});
