/**
 * GEMM on both backends against a float64 reference: tails in M, N and K, all
 * four transpose forms, alpha/beta, NaN garbage under beta = 0, padded leading
 * dimensions (whose padding must stay untouched) and zero-sized dimensions.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import type { Backend } from '../../src/backend/types.js';
import { describeWasm, js, mulberry32, randArray, refGemm, withArena, type Rng } from './helpers.js';

const SIZES = [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 64, 127, 129, 257];
const TRANS: ReadonlyArray<readonly [boolean, boolean]> = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
];
const U = 2 ** -24; // float32 unit roundoff
const SENTINEL = 12345.5;

interface GemmCase {
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
}

function describeCase(c: GemmCase): string {
  return (
    `gemm(${c.tA ? 'T' : 'N'}${c.tB ? 'T' : 'N'}, M=${c.M}, N=${c.N}, K=${c.K}, alpha=${c.alpha}, beta=${c.beta}, ` +
    `pads=${c.padA}/${c.padB}/${c.padC})`
  );
}

/**
 * Run one case on `b` and check it against the float64 reference.
 *
 * Tolerance: a float32 sum of K products, in any order and with or without FMA,
 * is within γ_K·Σ_k|a_ik·b_kj| of the exact sum (γ_K ≈ K·u, u = 2⁻²⁴, Higham
 * §3.1); scaling by alpha, adding beta·C and alpha/beta being rounded to float32
 * at the wasm boundary add a few more roundings. So each element must satisfy
 * |c − ref| ≤ 2·(K + 4)·u·(|alpha|·Σ|a||b| + |beta·c0|) + 1e-30 — a bound that
 * scales with the magnitudes actually summed, so cancellation does not make it
 * vacuous or too tight; the factor 2 is slack, far below what a wrong index
 * (an O(1) relative error) would produce.
 */
function runCase(b: Backend, c: GemmCase, rng: Rng): void {
  const { tA, tB, M, N, K, alpha, beta } = c;
  const aRows = tA ? K : M,
    aCols = tA ? M : K,
    lda = aCols + c.padA;
  const bRows = tB ? N : K,
    bCols = tB ? K : N,
    ldb = bCols + c.padB;
  const ldc = N + c.padC;
  const A = randArray(rng, aRows * lda),
    B = randArray(rng, bRows * ldb);
  const C0 = new Float32Array(M * ldc).fill(SENTINEL);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) C0[i * ldc + j] = beta === 0 ? NaN : rng() * 2 - 1;
  }
  const ref = refGemm(tA, tB, M, N, K, alpha, A, lda, B, ldb, beta, C0, ldc);
  withArena(b, (a) => {
    const pA = a.put(A),
      pB = a.put(B),
      pC = a.put(C0);
    const ws = a.bytes(b.gemmWorkspaceBytes);
    b.gemm(tA, tB, M, N, K, alpha, pA, lda, pB, ldb, beta, pC, ldc, ws);
    const C = a.read(pC, M * ldc);
    const tol = 2 * (K + 4) * U;
    const bad: string[] = [];
    let nBad = 0;
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < ldc; j++) {
        const got = C[i * ldc + j]!;
        if (j >= N) {
          if (got !== SENTINEL) {
            nBad++;
            if (bad.length < 6) bad.push(`  padding at [${i}, ${j}] overwritten: ${got}`);
          }
          continue;
        }
        const e = ref.c[i * N + j]!,
          bound = tol * ref.mag[i * N + j]! + 1e-30;
        if (!(Math.abs(got - e) <= bound)) {
          nBad++;
          if (bad.length < 6)
            bad.push(
              `  at [${i}, ${j}]: expected ${e}, actual ${got}, |diff| ${Math.abs(got - e).toExponential(3)} > bound ${bound.toExponential(3)}`,
            );
        }
      }
    }
    if (nBad > 0) throw new Error(`${b.name} ${describeCase(c)}: ${nBad} bad elements\n${bad.join('\n')}`);
    // The inputs are read-only.
    const A1 = a.read(pA, A.length),
      B1 = a.read(pB, B.length);
    for (let i = 0; i < A.length; i++)
      if (!Object.is(A1[i], A[i])) throw new Error(`${b.name} ${describeCase(c)}: A modified at ${i}`);
    for (let i = 0; i < B.length; i++)
      if (!Object.is(B1[i], B[i])) throw new Error(`${b.name} ${describeCase(c)}: B modified at ${i}`);
  });
}

/** Alternate between the plain (1, 0 with NaN garbage) and general alpha/beta forms, and padded strides. */
function makeCase(idx: number, tA: boolean, tB: boolean, M: number, N: number, K: number): GemmCase {
  const general = idx % 2 === 1;
  return {
    tA,
    tB,
    M,
    N,
    K,
    alpha: general ? -0.75 : 1,
    beta: general ? 0.5 : 0,
    padA: idx % 3 === 0 ? 0 : idx % 3 === 1 ? 3 : 5,
    padB: idx % 4 === 0 ? 0 : idx % 4,
    padC: idx % 5 === 0 ? 0 : (idx % 5) + 1,
  };
}

/**
 * The sweep: each dimension over the whole size list with the other two held at
 * two (small, awkward) pairs, plus random triples: every tail in every dimension
 * is hit without running the full 17³ cube.
 */
function sweep(): GemmCase[] {
  const cases: GemmCase[] = [];
  let idx = 0;
  for (const [tA, tB] of TRANS) {
    for (const s of SIZES) {
      for (const [x, y] of [
        [7, 9],
        [16, 33],
      ] as const)
        cases.push(makeCase(idx++, tA, tB, s, x, y));
      for (const [x, y] of [
        [5, 17],
        [9, 4],
      ] as const)
        cases.push(makeCase(idx++, tA, tB, x, s, y));
      for (const [x, y] of [
        [3, 8],
        [17, 15],
      ] as const)
        cases.push(makeCase(idx++, tA, tB, x, y, s));
    }
    const rng = mulberry32(1000 + idx);
    let added = 0;
    while (added < 12) {
      const pick = (): number => SIZES[Math.floor(rng() * SIZES.length)]!;
      const M = pick(),
        N = pick(),
        K = pick();
      if (M * N * K > 2_000_000) continue; // keep the float64 reference and the js side fast
      cases.push(makeCase(idx++, tA, tB, M, N, K));
      added++;
    }
    // Past a plausible column-block width (NC = 1024) and row block (MC = 96) with K past a KC = 256 block.
    cases.push(makeCase(idx++, tA, tB, 5, 1030, 9));
    cases.push(makeCase(idx++, tA, tB, 100, 20, 300));
    cases.push(...packedBlockCases(idx, tA, tB));
    idx += PACKED_BLOCK_CASES;
  }
  return cases;
}

/**
 * The packed path's own blocking (assembly/gemm): 5-row panels of A (row counts
 * 20…24 leave 0–4 rows over), K cut into equal blocks of at most 256 (513 = 3 ×
 * 171, 784 = 4 × 196, the first layer of an MNIST model), a row count past the
 * 100-row block (101, 203) and a partial column panel; both alpha/beta forms.
 */
const PACKED_BLOCK_CASES = 18;
function packedBlockCases(idx0: number, tA: boolean, tB: boolean): GemmCase[] {
  const out: GemmCase[] = [];
  let idx = idx0;
  for (const M of [20, 21, 22, 23, 24]) out.push(makeCase(idx++, tA, tB, M, 19, 513));
  for (const M of [20, 21, 22, 23, 24]) out.push(makeCase(idx++, tA, tB, M, 24, 40));
  for (const [M, N, K] of [
    [101, 24, 784],
    [203, 13, 300],
    [26, 130, 257],
    [45, 33, 1000],
  ] as const) {
    out.push(makeCase(idx++, tA, tB, M, N, K));
    out.push(makeCase(idx++, tA, tB, M, N, K));
  }
  return out;
}

/** Zero-sized dimensions: M = 0 and N = 0 touch nothing; K = 0 gives C = beta·C (0 from NaN when beta = 0). */
function zeroCases(): GemmCase[] {
  const cases: GemmCase[] = [];
  for (const [tA, tB] of TRANS) {
    for (const [M, N, K] of [
      [0, 5, 3],
      [4, 0, 3],
      [4, 5, 0],
      [0, 0, 0],
      [3, 7, 0],
    ] as const) {
      for (const [alpha, beta] of [
        [1, 0],
        [0.5, -2],
      ] as const) {
        cases.push({ tA, tB, M, N, K, alpha, beta, padA: 1, padB: 2, padC: 3 });
      }
    }
  }
  return cases;
}

function runAll(b: Backend, seed: number): void {
  const rng = mulberry32(seed);
  for (const c of sweep()) runCase(b, c, rng);
  for (const c of zeroCases()) runCase(b, c, rng);
}

describe('gemm: js backend against the float64 reference', () => {
  test('sweep over tails, transposes, alpha/beta and strides', () => {
    runAll(js, 1);
  });

  test('K = 0 with beta = 0 overwrites NaN garbage with zeros', () => {
    withArena(js, (a) => {
      const C = a.empty(6);
      js.gemm(false, false, 2, 3, 0, 1, a.empty(1), 1, a.empty(1), 3, 0, C, 3, a.bytes(js.gemmWorkspaceBytes));
      expect(Array.from(a.read(C, 6))).toEqual([0, 0, 0, 0, 0, 0]);
    });
  });
});

describeWasm('gemm: wasm backend against the float64 reference', (load) => {
  let w: Backend;
  beforeAll(async () => {
    w = await load();
  });
  test('sweep over tails, transposes, alpha/beta and strides', () => {
    runAll(w, 1);
  });
  test('same sweep with other data', () => {
    runAll(w, 2);
  });
});
