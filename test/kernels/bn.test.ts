/**
 * Conformance of the batch-normalization kernels (training forward with and
 * without moving statistics, inference forward, backward) of the wasm backend
 * against the js backend.
 *
 * Tolerances: the columns have mean 3 and standard deviation 2 (realistic
 * pre-activations, not centred). A float32 variance over M rows — two-pass or
 * one-pass E[x²] − E[x]² — is within about M·u·(1 + mean²/var) ≈ 1.2e-5 relative
 * for M = 64 (u = 2⁻²⁴), so mean/invStd/Y/moving statistics are compared at
 * 5e-5 relative (+1e-5 absolute for Y near 0). The backward pass is a
 * difference of sums over M rows: each dX element is bounded by
 * 8·(M + 4)·u times the magnitudes that enter it (see bwdScale).
 */
import { beforeAll, test } from 'vitest';
import type { Backend } from '../../src/backend/types.js';
import { conform, describeWasm, js, mulberry32, randArray, withArena, type Rng } from './helpers.js';

const SHAPES: ReadonlyArray<readonly [number, number]> = [
  [1, 1],
  [2, 3],
  [7, 5],
  [32, 17],
  [64, 1],
  [5, 129],
  [3, 4],
];
const U = 2 ** -24;
const EPS = 1e-3;

function colData(rng: Rng, M: number, N: number): Float32Array {
  const X = new Float32Array(M * N);
  for (let i = 0; i < M * N; i++) X[i] = 3 + 2 * (rng() * 2 - 1) * Math.sqrt(3);
  return X;
}

describeWasm('batch-norm kernels: wasm against js', (load) => {
  let w: Backend;
  beforeAll(async () => {
    w = await load();
  });

  test('bnForwardTrain: ±gamma/beta, ±moving statistics, separate and aliased Y', () => {
    const rng = mulberry32(21);
    for (const [M, N] of SHAPES) {
      const X = colData(rng, M, N),
        gamma = randArray(rng, N, 0.5, 1.5),
        beta = randArray(rng, N, -1, 1);
      const mm = randArray(rng, N, -1, 1),
        mv = randArray(rng, N, 0.5, 2);
      for (const affine of [false, true]) {
        for (const mov of [false, true]) {
          for (const alias of [false, true]) {
            conform(
              `bnForwardTrain(M=${M}, N=${N}, affine=${affine}, moving=${mov}, alias=${alias})`,
              w,
              (a) => {
                const pX = a.put(X),
                  pY = alias ? pX : a.empty(M * N);
                const pG = affine ? a.put(gamma) : 0,
                  pB = affine ? a.put(beta) : 0;
                const pMean = a.empty(N),
                  pInv = a.empty(N);
                const pMM = mov ? a.put(mm) : 0,
                  pMV = mov ? a.put(mv) : 0;
                a.b.bnForwardTrain(pX, pY, M, N, pG, pB, pMean, pInv, EPS, pMM, pMV, 0.99);
                const out: Record<string, Float32Array> = {
                  Y: a.read(pY, M * N),
                  mean: a.read(pMean, N),
                  invStd: a.read(pInv, N),
                };
                if (mov) {
                  out.movMean = a.read(pMM, N);
                  out.movVar = a.read(pMV, N);
                }
                return out;
              },
              (k) => (k === 'Y' ? { rel: 5e-5, abs: 1e-5 } : { rel: 5e-5, abs: 1e-7 }),
              [M, N],
            );
          }
        }
      }
    }
  });

  test('bnForwardInfer: ±gamma/beta, separate and aliased Y', () => {
    const rng = mulberry32(22);
    for (const [M, N] of SHAPES) {
      const X = colData(rng, M, N),
        gamma = randArray(rng, N, 0.5, 1.5),
        beta = randArray(rng, N, -1, 1);
      const mm = randArray(rng, N, 2, 4),
        mv = randArray(rng, N, 0.5, 5);
      for (const affine of [false, true]) {
        for (const alias of [false, true]) {
          conform(
            `bnForwardInfer(M=${M}, N=${N}, affine=${affine}, alias=${alias})`,
            w,
            (a) => {
              const pX = a.put(X),
                pY = alias ? pX : a.empty(M * N);
              a.b.bnForwardInfer(
                pX,
                pY,
                M,
                N,
                affine ? a.put(gamma) : 0,
                affine ? a.put(beta) : 0,
                a.put(mm),
                a.put(mv),
                EPS,
              );
              return { Y: a.read(pY, M * N) };
            },
            { rel: 1e-5, abs: 1e-6 },
            [M, N],
          );
        }
      }
    }
  });

  test('bnBackward: ±gamma, ±dGamma/dBeta', () => {
    const rng = mulberry32(23);
    for (const [M, N] of SHAPES) {
      const X = colData(rng, M, N),
        dY = randArray(rng, M * N),
        gamma = randArray(rng, N, 0.5, 1.5);
      // The statistics both backends read: the js forward's.
      const { mean, invStd } = withArena(js, (a) => {
        const pM = a.empty(N),
          pI = a.empty(N);
        js.bnForwardTrain(a.put(X), a.empty(M * N), M, N, 0, 0, pM, pI, EPS, 0, 0, 0.99);
        return { mean: a.read(pM, N), invStd: a.read(pI, N) };
      });
      for (const withGamma of [false, true]) {
        const bwdScale = new Float64Array(M * N),
          sumScale = new Float64Array(2 * N);
        for (let j = 0; j < N; j++) {
          let sa = 0,
            sb = 0;
          for (let i = 0; i < M; i++) {
            const xh = (X[i * N + j]! - mean[j]!) * invStd[j]!;
            sa += Math.abs(dY[i * N + j]!);
            sb += Math.abs(dY[i * N + j]! * xh);
          }
          sumScale[j] = sb;
          sumScale[N + j] = sa;
          const g = Math.abs((withGamma ? gamma[j]! : 1) * invStd[j]!);
          for (let i = 0; i < M; i++) {
            const xh = (X[i * N + j]! - mean[j]!) * invStd[j]!;
            bwdScale[i * N + j] = g * (Math.abs(dY[i * N + j]!) + sa / M + (Math.abs(xh) * sb) / M);
          }
        }
        for (const wantParams of [false, true]) {
          conform(
            `bnBackward(M=${M}, N=${N}, gamma=${withGamma}, dGamma/dBeta=${wantParams})`,
            w,
            (a) => {
              const pDX = a.empty(M * N),
                pDG = wantParams ? a.empty(N) : 0,
                pDB = wantParams ? a.empty(N) : 0;
              a.b.bnBackward(
                a.put(X),
                a.put(dY),
                pDX,
                M,
                N,
                withGamma ? a.put(gamma) : 0,
                a.put(mean),
                a.put(invStd),
                pDG,
                pDB,
              );
              const out: Record<string, Float32Array> = { dX: a.read(pDX, M * N) };
              if (wantParams) {
                out.dGamma = a.read(pDG, N);
                out.dBeta = a.read(pDB, N);
              }
              return out;
            },
            (k) =>
              k === 'dX'
                ? { scale: bwdScale, scaleTol: 8 * (M + 4) * U, abs: 1e-30 }
                : {
                    scale: k === 'dGamma' ? sumScale.subarray(0, N) : sumScale.subarray(N),
                    scaleTol: 4 * (M + 4) * U,
                    abs: 1e-30,
                  },
            [M, N],
          );
        }
      }
    }
  });
});
