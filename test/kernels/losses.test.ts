/**
 * Conformance of every loss kernel (value and gradient; with and without sample
 * weights; with G = 0; fused ones with and without P) of the wasm backend
 * against the js backend.
 *
 * Tolerances: values are sums of M·N float32 terms built from exp/log — the
 * wasm side may accumulate in float32 — so 2e-5 relative plus 1e-6 absolute;
 * gradients are single elementwise expressions: 1e-5 relative plus 1e-6 of the
 * largest gradient magnitude (for terms that cancel, e.g. p − t).
 */
import { beforeAll, expect, test } from 'vitest';
import { DataError } from '../../src/errors.js';
import type { Backend } from '../../src/backend/types.js';
import {
  conform,
  describeWasm,
  js,
  mulberry32,
  randArray,
  randProbRows,
  withArena,
  type Arena,
  type Rng,
  type Tol,
} from './helpers.js';

const SHAPES: ReadonlyArray<readonly [number, number]> = [
  [1, 1],
  [4, 1],
  [3, 5],
  [7, 10],
  [16, 3],
  [33, 17],
  [2, 129],
];

type Kind =
  | 'regression'
  | 'hinge'
  | 'binary'
  | 'categorical'
  | 'sparse'
  | 'logitsBinary'
  | 'logitsCategorical'
  | 'logitsSparse'
  | 'sparseIgnore'
  | 'logitsSparseIgnore';

interface LossSpec {
  name: string;
  kind: Kind;
  /** Calls the kernel: T (targets or labels), X (predictions or logits), P (fused output or 0). */
  call(b: Backend, T: number, X: number, P: number, G: number, W: number, M: number, N: number, s: number): number;
}

const LOSSES: LossSpec[] = [
  { name: 'mse', kind: 'regression', call: (b, T, X, _P, G, W, M, N, s) => b.mse(T, X, G, W, M, N, s) },
  { name: 'mae', kind: 'regression', call: (b, T, X, _P, G, W, M, N, s) => b.mae(T, X, G, W, M, N, s) },
  { name: 'huber(1)', kind: 'regression', call: (b, T, X, _P, G, W, M, N, s) => b.huber(T, X, G, W, M, N, s, 1) },
  { name: 'huber(0.3)', kind: 'regression', call: (b, T, X, _P, G, W, M, N, s) => b.huber(T, X, G, W, M, N, s, 0.3) },
  { name: 'logCosh', kind: 'regression', call: (b, T, X, _P, G, W, M, N, s) => b.logCosh(T, X, G, W, M, N, s) },
  { name: 'hinge', kind: 'hinge', call: (b, T, X, _P, G, W, M, N, s) => b.hinge(T, X, G, W, M, N, s) },
  { name: 'bce', kind: 'binary', call: (b, T, X, _P, G, W, M, N, s) => b.bce(T, X, G, W, M, N, s) },
  { name: 'cce', kind: 'categorical', call: (b, T, X, _P, G, W, M, N, s) => b.cce(T, X, G, W, M, N, s) },
  { name: 'sparseCce', kind: 'sparse', call: (b, T, X, _P, G, W, M, N, s) => b.sparseCce(T, X, G, W, M, N, s) },
  {
    name: 'sigmoidBce',
    kind: 'logitsBinary',
    call: (b, T, X, P, G, W, M, N, s) => b.sigmoidBce(T, X, P, G, W, M, N, s),
  },
  {
    name: 'softmaxCce',
    kind: 'logitsCategorical',
    call: (b, T, X, P, G, W, M, N, s) => b.softmaxCce(T, X, P, G, W, M, N, s),
  },
  {
    name: 'sparseSoftmaxCce',
    kind: 'logitsSparse',
    call: (b, T, X, P, G, W, M, N, s) => b.sparseSoftmaxCce(T, X, P, G, W, M, N, s),
  },
  // Label smoothing and ignore_class (Keras), on every kernel that takes them.
  { name: 'bce smoothing 0.1', kind: 'binary', call: (b, T, X, _P, G, W, M, N, s) => b.bce(T, X, G, W, M, N, s, 0.1) },
  {
    name: 'cce smoothing 0.2',
    kind: 'categorical',
    call: (b, T, X, _P, G, W, M, N, s) => b.cce(T, X, G, W, M, N, s, 0.2),
  },
  {
    name: 'sigmoidBce smoothing 0.1',
    kind: 'logitsBinary',
    call: (b, T, X, P, G, W, M, N, s) => b.sigmoidBce(T, X, P, G, W, M, N, s, 0.1),
  },
  {
    name: 'softmaxCce smoothing 0.2',
    kind: 'logitsCategorical',
    call: (b, T, X, P, G, W, M, N, s) => b.softmaxCce(T, X, P, G, W, M, N, s, 0.2),
  },
  {
    name: 'sparseCce ignore 1',
    kind: 'sparse',
    call: (b, T, X, _P, G, W, M, N, s) => b.sparseCce(T, X, G, W, M, N, s, 1),
  },
  {
    name: 'sparseCce ignore -1',
    kind: 'sparseIgnore',
    call: (b, T, X, _P, G, W, M, N, s) => b.sparseCce(T, X, G, W, M, N, s, -1),
  },
  {
    name: 'sparseSoftmaxCce ignore -1',
    kind: 'logitsSparseIgnore',
    call: (b, T, X, P, G, W, M, N, s) => b.sparseSoftmaxCce(T, X, P, G, W, M, N, s, -1),
  },
];

/** Targets and predictions for one loss kind, with the awkward values each kind has. */
function makeData(kind: Kind, rng: Rng, M: number, N: number): { T: Float32Array; X: Float32Array } {
  const n = M * N;
  switch (kind) {
    case 'regression': {
      const T = randArray(rng, n, -2, 2),
        X = randArray(rng, n, -2, 2);
      X[0] = T[0]!; // p = t: mae's subgradient 0, huber/logCosh at their minimum
      if (n > 2) X[2] = T[2]! + 40; // far in huber's linear part; logCosh where cosh is large
      return { T, X };
    }
    case 'hinge': {
      // Half the rows use {0,1} labels (mapped to {−1,1}), half {−1,1}.
      const T = new Float32Array(n);
      for (let i = 0; i < n; i++) T[i] = rng() < 0.5 ? (Math.floor(i / N) % 2 === 0 ? 0 : -1) : 1;
      return { T, X: randArray(rng, n, -2, 2) };
    }
    case 'binary': {
      const T = new Float32Array(n);
      for (let i = 0; i < n; i++) T[i] = i % 3 === 2 ? rng() : rng() < 0.5 ? 0 : 1; // hard and soft targets
      const X = randArray(rng, n, 0.01, 0.99);
      if (n > 1) X[1] = 0; // clipped to eps
      if (n > 3) X[3] = 1; // clipped to 1 − eps
      return { T, X };
    }
    case 'categorical': {
      const T = new Float32Array(n),
        X = randProbRows(rng, M, N);
      for (let i = 0; i < M; i++) {
        if (i % 2 === 0)
          T[i * N + Math.floor(rng() * N)] = 1; // one-hot
        else T.set(randProbRows(rng, 1, N), i * N); // soft labels
      }
      if (n > 1) X[1] = 0;
      // Rows not summing to 1 (rescaled by the kernels, as Keras does): every third row ×1.9, and one row of zeros.
      for (let i = 2; i < M; i += 3) for (let j = 0; j < N; j++) X[i * N + j] = 1.9 * X[i * N + j]!;
      if (M > 3) X.fill(0, 3 * N, 4 * N);
      return { T, X };
    }
    case 'sparse':
    case 'sparseIgnore': {
      const T = new Float32Array(M);
      for (let i = 0; i < M; i++) T[i] = kind === 'sparseIgnore' && i % 3 === 1 ? -1 : Math.floor(rng() * N);
      const X = randProbRows(rng, M, N);
      for (let i = 2; i < M; i += 3) for (let j = 0; j < N; j++) X[i * N + j] = 1.9 * X[i * N + j]!;
      return { T, X };
    }
    case 'logitsBinary': {
      const T = new Float32Array(n);
      for (let i = 0; i < n; i++) T[i] = i % 3 === 2 ? rng() : rng() < 0.5 ? 0 : 1;
      const X = randArray(rng, n, -8, 8);
      if (n > 1) X[1] = 60;
      if (n > 2) X[2] = -60;
      return { T, X };
    }
    case 'logitsCategorical': {
      const T = new Float32Array(n);
      for (let i = 0; i < M; i++) {
        if (i % 2 === 0) T[i * N + Math.floor(rng() * N)] = 1;
        else T.set(randProbRows(rng, 1, N), i * N);
      }
      const X = randArray(rng, n, -8, 8);
      for (let j = 0; j < N; j++) X[j] = 70 + 20 * rng(); // exp overflows float32 without the max subtracted
      return { T, X };
    }
    case 'logitsSparse':
    case 'logitsSparseIgnore': {
      const T = new Float32Array(M);
      for (let i = 0; i < M; i++) T[i] = kind === 'logitsSparseIgnore' && i % 3 === 1 ? -1 : Math.floor(rng() * N);
      const X = randArray(rng, n, -8, 8);
      for (let j = 0; j < N; j++) X[j] = 70 + 20 * rng();
      return { T, X };
    }
  }
}

function tolFor(key: string, maxG: number): Tol {
  if (key === 'loss') return { rel: 2e-5, abs: 1e-6 };
  if (key === 'P') return { rel: 1e-5, abs: 1e-7 };
  return { rel: 1e-5, abs: 1e-6 * maxG };
}

describeWasm('loss kernels: wasm against js', (load) => {
  let w: Backend;
  beforeAll(async () => {
    w = await load();
  });

  test('sparse losses: a label outside [0, N) or not an integer is a DataError on both backends', () => {
    for (const b of [js, w]) {
      for (const bad of [3, -1, 1.5, NaN]) {
        withArena(b, (a) => {
          const L = a.put([0, bad]),
            P = a.put([0.2, 0.3, 0.5, 0.2, 0.3, 0.5]),
            G = a.empty(6);
          expect(() => b.sparseCce(L, P, G, 0, 2, 3, 0.5), `${b.name} sparseCce label ${bad}`).toThrow(DataError);
          expect(() => b.sparseSoftmaxCce(L, P, 0, G, 0, 2, 3, 0.5), `${b.name} sparseSoftmaxCce label ${bad}`).toThrow(
            DataError,
          );
        });
      }
    }
  });

  for (const spec of LOSSES) {
    test(`${spec.name}: value and gradient, ±weights, G = 0${spec.kind.startsWith('logits') ? ', ±P' : ''}`, () => {
      const rng = mulberry32(spec.name.length * 7919 + 3);
      const fused = spec.kind.startsWith('logits');
      const sparse = spec.kind.toLowerCase().includes('sparse');
      for (const [M, N] of SHAPES) {
        const { T, X } = makeData(spec.kind, rng, M, N);
        const Wt = randArray(rng, M, 0, 2);
        const gradScale = 1 / M;
        for (const weighted of [false, true]) {
          for (const withG of [true, false]) {
            for (const withP of fused ? [true, false] : [false]) {
              let maxG = 0;
              const label = `${spec.name}(M=${M}, N=${N}, weights=${weighted}, G=${withG}, P=${withP})`;
              conform(
                label,
                w,
                (a: Arena) => {
                  const pT = a.put(T),
                    pX = a.put(X),
                    pW = weighted ? a.put(Wt) : 0;
                  const pG = withG ? a.empty(M * N) : 0,
                    pP = withP ? a.empty(M * N) : 0;
                  const loss = spec.call(a.b, pT, pX, pP, pG, pW, M, N, gradScale);
                  const out: Record<string, Float32Array | number> = { loss };
                  if (withG) {
                    const G = a.read(pG, M * N);
                    out.G = G;
                    if (a.b.name === 'js') maxG = G.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
                  }
                  if (withP) out.P = a.read(pP, M * N);
                  // Inputs are read-only.
                  out.T = a.read(pT, sparse ? M : M * N);
                  out.X = a.read(pX, M * N);
                  return out;
                },
                (key) => (key === 'T' || key === 'X' ? { rel: 0 } : tolFor(key, maxG)),
                [M, N],
              );
            }
          }
        }
      }
    });
  }
});
