/**
 * Kernel conformance in a real browser: every wasm build this page can run
 * (on the isolated page: relaxed SIMD, SIMD on shared memory and the unshared
 * fallback; on the plain page: the unshared build only) against the js
 * backend and a float64 reference. A subset of the Node suites in
 * test/kernels/: GEMM on shapes with tails in M, N and K in all four
 * transpose forms, a few activations, softmax, reductions, losses and an
 * optimizer. Same tolerances as the Node suites (see those files for why).
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { Act, type Backend } from '../../src/backend/types.js';
import { getBackendByName, initBackends } from '../../src/backend/index.js';
import {
  conform,
  expectBitEqual,
  mulberry32,
  randArray,
  refGemm,
  wasmTargets,
  withArena,
  type Rng,
} from './helpers.js';

const U = 2 ** -24;
const SENTINEL = 12345.5;
const targets = await wasmTargets();
await initBackends();
const js = getBackendByName('js');

/** One GEMM case on `b`, checked against the float64 reference within the K-term rounding bound. */
function gemmCase(
  b: Backend,
  rng: Rng,
  tA: boolean,
  tB: boolean,
  M: number,
  N: number,
  K: number,
  general: boolean,
): void {
  const alpha = general ? -0.75 : 1,
    beta = general ? 0.5 : 0;
  const padA = general ? 3 : 0,
    padB = general ? 1 : 0,
    padC = general ? 2 : 0;
  const lda = (tA ? M : K) + padA,
    ldb = (tB ? K : N) + padB,
    ldc = N + padC;
  const A = randArray(rng, (tA ? K : M) * lda),
    B = randArray(rng, (tB ? N : K) * ldb);
  const C0 = new Float32Array(M * ldc).fill(SENTINEL);
  for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) C0[i * ldc + j] = beta === 0 ? NaN : rng() * 2 - 1;
  const ref = refGemm(tA, tB, M, N, K, alpha, A, lda, B, ldb, beta, C0, ldc);
  const label = `${b.name} gemm(${tA ? 'T' : 'N'}${tB ? 'T' : 'N'}, M=${M}, N=${N}, K=${K}, alpha=${alpha}, beta=${beta})`;
  withArena(b, (a) => {
    const pA = a.put(A),
      pB = a.put(B),
      pC = a.put(C0);
    b.gemm(tA, tB, M, N, K, alpha, pA, lda, pB, ldb, beta, pC, ldc, a.bytes(b.gemmWorkspaceBytes));
    const C = a.read(pC, M * ldc),
      tol = 2 * (K + 4) * U;
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < ldc; j++) {
        const got = C[i * ldc + j]!;
        if (j >= N) {
          if (got !== SENTINEL) throw new Error(`${label}: padding at [${i}, ${j}] overwritten: ${got}`);
          continue;
        }
        const e = ref.c[i * N + j]!,
          bound = tol * ref.mag[i * N + j]! + 1e-30;
        if (!(Math.abs(got - e) <= bound))
          throw new Error(`${label}: at [${i}, ${j}] expected ${e}, actual ${got} (bound ${bound})`);
      }
    }
  });
}

// Tails in every dimension (not multiples of the 4×8 micro-tile), a K past a
// plausible KC block, an N past a column block, and the degenerate 1×1×1.
const GEMM_SHAPES: ReadonlyArray<readonly [number, number, number]> = [
  [1, 1, 1],
  [3, 5, 7],
  [4, 8, 16],
  [17, 9, 33],
  [33, 31, 17],
  [64, 10, 64],
  [5, 1030, 9],
  [100, 20, 300],
];
const TRANS: ReadonlyArray<readonly [boolean, boolean]> = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
];

function gemmSweep(b: Backend, seed: number): void {
  const rng = mulberry32(seed);
  for (const [tA, tB] of TRANS) {
    for (const [M, N, K] of GEMM_SHAPES)
      for (const general of [false, true]) gemmCase(b, rng, tA, tB, M, N, K, general);
  }
}

const ACTS: ReadonlyArray<readonly [Act, number]> = [
  [Act.Relu, 0],
  [Act.LeakyRelu, 0.2],
  [Act.Elu, 1],
  [Act.Sigmoid, 0],
  [Act.Tanh, 0],
  [Act.Softplus, 0],
  [Act.Gelu, 0],
  [Act.Swish, 0],
];
const SHAPES: ReadonlyArray<readonly [number, number]> = [
  [1, 1],
  [3, 5],
  [7, 17],
  [33, 3],
  [5, 129],
];
const ACT_TOL = { rel: 1e-5, abs: 1e-6 };

test('the js reference itself passes the GEMM sweep', () => {
  gemmSweep(js, 1);
});

for (const { name, backend: w } of targets) {
  describe(`wasm ${name} against js`, () => {
    test('gemm: tails in M, N, K; all transpose forms; alpha/beta; padded strides', () => {
      gemmSweep(w, 1);
    });

    test('biasAct and actBackward', () => {
      const rng = mulberry32(11);
      for (const [act, param] of ACTS) {
        for (const [M, N] of SHAPES) {
          const Z = randArray(rng, M * N, -5, 5),
            bias = randArray(rng, N),
            dY = randArray(rng, M * N);
          conform(
            `biasAct(${Act[act]}, ${M}×${N})`,
            w,
            (a) => {
              const pZ = a.put(Z),
                pY = a.empty(M * N);
              a.b.biasAct(act, param, pZ, a.put(bias), pY, M, N);
              return { Y: a.read(pY, M * N), Z: a.read(pZ, M * N) };
            },
            ACT_TOL,
          );
          const Y = withArena(js, (a) => {
            const p = a.put(Z),
              q = a.empty(M * N);
            js.biasAct(act, param, p, 0, q, M, N);
            return a.read(q, M * N);
          });
          conform(
            `actBackward(${Act[act]}, n=${M * N})`,
            w,
            (a) => {
              const pX = a.empty(M * N);
              a.b.actBackward(act, param, a.put(Z), a.put(Y), a.put(dY), pX, M * N);
              return { dX: a.read(pX, M * N) };
            },
            ACT_TOL,
          );
        }
      }
    });

    test('softmaxRows, logSoftmaxRows, colSum, sumSquares, mul (exact)', () => {
      const rng = mulberry32(12);
      for (const [M, N] of SHAPES) {
        const X = randArray(rng, M * N, -8, 8),
          Y2 = randArray(rng, M * N);
        conform(
          `softmax ${M}×${N}`,
          w,
          (a) => {
            const pY = a.empty(M * N),
              pL = a.empty(M * N),
              pX = a.put(X);
            a.b.softmaxRows(pX, pY, M, N);
            a.b.logSoftmaxRows(pX, pL, M, N);
            return { Y: a.read(pY, M * N), logY: a.read(pL, M * N) };
          },
          { rel: 1e-5, abs: 1e-6 },
        );
        conform(
          `colSum/sumSquares ${M}×${N}`,
          w,
          (a) => {
            const out = a.put(new Float32Array(N).fill(1));
            a.b.colSum(a.put(X), M, N, out, 0.5);
            return { colSum: a.read(out, N), sumSquares: a.b.sumSquares(a.put(X), M * N) };
          },
          { rel: 1e-5, abs: 1e-5 },
        );
        conform(
          `mul n=${M * N}`,
          w,
          (a) => {
            const pZ = a.empty(M * N);
            a.b.mul(a.put(X), a.put(Y2), pZ, M * N);
            return { Z: a.read(pZ, M * N) };
          },
          { rel: 0 },
        );
      }
    });

    test('losses: mse, bce, softmaxCce, sparseSoftmaxCce (value, gradient, sample weights)', () => {
      const rng = mulberry32(13);
      for (const [M, N] of [
        [1, 1],
        [7, 10],
        [33, 3],
        [16, 17],
      ] as const) {
        const n = M * N;
        const T = randArray(rng, n, 0, 1),
          P = randArray(rng, n, 0.01, 0.99),
          Z = randArray(rng, n, -6, 6);
        const Wt = randArray(rng, M, 0.5, 2);
        const onehot = new Float32Array(n),
          labels = new Float32Array(M);
        for (let i = 0; i < M; i++) {
          const c = Math.floor(rng() * N);
          labels[i] = c;
          onehot[i * N + c] = 1;
        }
        const tol = (key: string) => (key === 'loss' ? { rel: 2e-5, abs: 1e-6 } : { rel: 1e-5, abs: 1e-6 });
        for (const weighted of [false, true]) {
          const calls: [
            string,
            (b: Backend, g: number, p: number, w: number, a: { put: (d: ArrayLike<number>) => number }) => number,
          ][] = [
            ['mse', (b, g, _p, wt, a) => b.mse(a.put(T), a.put(P), g, wt, M, N, 1 / M)],
            ['bce', (b, g, _p, wt, a) => b.bce(a.put(T), a.put(P), g, wt, M, N, 1 / M)],
            ['softmaxCce', (b, g, p, wt, a) => b.softmaxCce(a.put(onehot), a.put(Z), p, g, wt, M, N, 1 / M)],
            [
              'sparseSoftmaxCce',
              (b, g, p, wt, a) => b.sparseSoftmaxCce(a.put(labels), a.put(Z), p, g, wt, M, N, 1 / M),
            ],
          ];
          for (const [lname, call] of calls) {
            conform(
              `${lname}(${M}×${N}, weighted=${weighted})`,
              w,
              (a) => {
                const pG = a.empty(n),
                  pP = a.empty(n);
                const loss = call(a.b, pG, pP, weighted ? a.put(Wt) : 0, a);
                const out: Record<string, Float32Array | number> = { loss, G: a.read(pG, n) };
                if (lname.startsWith('softmax') || lname.startsWith('sparse')) out.P = a.read(pP, n);
                return out;
              },
              tol,
            );
          }
        }
      }
    });

    test('adam: five steps on W and its moments', () => {
      const rng = mulberry32(14);
      for (const n of [1, 7, 64, 1027]) {
        const W0 = randArray(rng, n),
          grads = Array.from({ length: 5 }, () => randArray(rng, n));
        conform(
          `adam n=${n}`,
          w,
          (a) => {
            const pW = a.put(W0),
              pM = a.put(new Float32Array(n)),
              pV = a.put(new Float32Array(n));
            for (let t = 1; t <= 5; t++) {
              const alpha = (0.01 * Math.sqrt(1 - 0.999 ** t)) / (1 - 0.9 ** t);
              a.b.adam(pW, a.put(grads[t - 1]!), pM, pV, 0, n, alpha, 0.9, 0.999, 1e-7);
            }
            return { W: a.read(pW, n), M: a.read(pM, n), V: a.read(pV, n) };
          },
          (key) => (key === 'W' ? { rel: 1e-5, abs: 1e-6 } : { rel: 1e-5, abs: 1e-6 }),
        );
      }
    });
  });
}

// On an isolated page both plain-SIMD builds run: the memory being shared must not change a single bit.
const simd = targets.find((t) => t.backend.name === 'wasm' && (t.backend as { variant?: string }).variant === 'simd');
const unshared = targets.find((t) => (t.backend as { variant?: string }).variant === 'simd-unshared');
// On a page that is not cross-origin isolated only the unshared build can run: say so, rather than skip.
if (simd === undefined) {
  describe('a page without shared memory', () => {
    test('runs only the unshared SIMD build', () => {
      expect(globalThis.crossOriginIsolated).not.toBe(true);
      expect(unshared).toBeDefined();
    });
  });
}
if (simd !== undefined)
  describe('shared and unshared SIMD builds agree bit for bit', () => {
    let a: Backend, b: Backend;
    beforeAll(() => {
      a = simd!.backend;
      b = unshared!.backend;
    });
    test('gemm, biasAct, softmaxCce', () => {
      const rng = mulberry32(15);
      const M = 33,
        N = 17,
        K = 65;
      const A = randArray(rng, M * K),
        B = randArray(rng, K * N),
        bias = randArray(rng, N),
        T = new Float32Array(M * N);
      for (let i = 0; i < M; i++) T[i * N + (i % N)] = 1;
      const run = (be: Backend) =>
        withArena(be, (x) => {
          const pC = x.empty(M * N),
            pG = x.empty(M * N),
            pP = x.empty(M * N);
          be.gemm(false, false, M, N, K, 1, x.put(A), K, x.put(B), N, 0, pC, N, x.bytes(be.gemmWorkspaceBytes));
          be.biasAct(Act.Gelu, 0, pC, x.put(bias), pC, M, N);
          const loss = be.softmaxCce(x.put(T), pC, pP, pG, 0, M, N, 1 / M);
          return { C: x.read(pC, M * N), P: x.read(pP, M * N), G: x.read(pG, M * N), loss };
        });
      const ra = run(a),
        rb = run(b);
      expectBitEqual('gemm+gelu', ra.C, rb.C);
      expectBitEqual('softmax', ra.P, rb.P);
      expectBitEqual('gradient', ra.G, rb.G);
      expect(ra.loss).toBe(rb.loss);
    });
  });
