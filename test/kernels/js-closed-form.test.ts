/**
 * The js backend against closed forms written out here in float64: activations
 * and losses forward against their formulas, backward passes against central
 * finite differences of those formulas, softmax, batch norm, reductions,
 * regularization and dropout. These run without the wasm backend: they are
 * what makes the js backend a trustworthy reference for the conformance suite.
 *
 * Tolerances: the kernel rounds a float64 result to float32 once, so forward
 * values are within ~u = 2⁻²⁴ relative (2u allowed). Backward kernels of
 * activations work from the float32 forward output Y (rounded by u), which
 * moves the derivative by up to a few u absolute (e.g. 1 − y² near y = ±1);
 * finite differences with h = 1e-4 in float64 are accurate to ~1e-9.
 */
import { describe, expect, test } from 'vitest';
import { Act, actNeedsZ } from '../../src/backend/types.js';
import { uniform } from '../../src/backend/prng.js';
import { expectClose, expectNear, js, mulberry32, randArray, randProbRows, withArena, type Rng } from './helpers.js';

const U = 2 ** -24;
const H = 1e-4;
const SELU_A = 1.6732632423543772848170429916717,
  SELU_S = 1.0507009873554804934193349852946;

/**
 * erf by its everywhere-positive series, erf(x) = 2/√π·e^(−x²)·Σ 2ⁿx^(2n+1)/(1·3·…·(2n+1)): independent of the kernel's
 * fdlibm form.
 */
function erfSeries(x: number): number {
  if (x === 0) return 0;
  const ax = Math.abs(x);
  if (ax > 6) return Math.sign(x);
  let term = ax,
    sum = ax;
  for (let n = 1; n < 500; n++) {
    term *= (2 * ax * ax) / (2 * n + 1);
    sum += term;
    if (term < sum * 1e-18) break;
  }
  return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * Math.exp(-ax * ax) * sum;
}

/** The activations as their textbook formulas. */
function actRef(act: Act, p: number, z: number): number {
  switch (act) {
    case Act.Linear:
      return z;
    case Act.Relu:
      return Math.max(0, z);
    case Act.LeakyRelu:
      return z >= 0 ? z : p * z;
    case Act.Elu:
      return z > 0 ? z : p * (Math.exp(z) - 1);
    case Act.Selu:
      return SELU_S * (z > 0 ? z : SELU_A * (Math.exp(z) - 1));
    case Act.Sigmoid:
      return 1 / (1 + Math.exp(-z));
    case Act.Tanh:
      return (Math.exp(2 * z) - 1) / (Math.exp(2 * z) + 1);
    case Act.Exponential:
      return Math.exp(z);
    case Act.Softplus:
      return Math.log(1 + Math.exp(z));
    case Act.Softsign:
      return z / (1 + Math.abs(z));
    case Act.Gelu:
      return 0.5 * z * (1 + erfSeries(z / Math.SQRT2));
    case Act.Swish:
      return z / (1 + Math.exp(-z));
    // Keras 3 (keras/src/activations/activations.py): relu6(x + 3) / 6.
    case Act.HardSigmoid:
      return Math.min(6, Math.max(0, z + 3)) / 6;
    // TF.js / Keras 2: clip(0.2·x + 0.5, 0, 1).
    case Act.HardSigmoidLegacy:
      return Math.min(1, Math.max(0, 0.2 * z + 0.5));
    case Act.ReluMax:
      return Math.min(p, Math.max(0, z));
  }
}

const ACTS: ReadonlyArray<readonly [Act, number]> = [
  [Act.Linear, 0],
  [Act.Relu, 0],
  [Act.LeakyRelu, 0.3],
  [Act.Elu, 1],
  [Act.Elu, 0.7],
  [Act.Selu, 0],
  [Act.Sigmoid, 0],
  [Act.Tanh, 0],
  [Act.Exponential, 0],
  [Act.Softplus, 0],
  [Act.Softsign, 0],
  [Act.Gelu, 0],
  [Act.Swish, 0],
  [Act.HardSigmoid, 0],
  [Act.HardSigmoidLegacy, 0],
  [Act.ReluMax, 6],
];

/** Points of [lo, hi) as float32, at least `gap` away from the activation's kinks (0, ±2.5 and ±3). */
function smoothPoints(rng: Rng, n: number, lo: number, hi: number, gap = 1e-2): Float32Array {
  const z = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let v: number;
    do v = Math.fround(lo + (hi - lo) * rng());
    while (Math.abs(v) < gap || Math.abs(Math.abs(v) - 2.5) < gap || Math.abs(Math.abs(v) - 3) < gap);
    z[i] = v;
  }
  return z;
}

function forward(act: Act, p: number, Z: ArrayLike<number>): Float32Array {
  return withArena(js, (a) => {
    const pZ = a.put(Z),
      pY = a.empty(Z.length);
    js.biasAct(act, p, pZ, 0, pY, 1, Z.length);
    return a.read(pY, Z.length);
  });
}

describe('js activations against closed forms', () => {
  test('forward: every activation on [−6, 6]', () => {
    const rng = mulberry32(31);
    const Z = smoothPoints(rng, 301, -6, 6, 0);
    for (const [act, p] of ACTS) {
      const ref = Array.from(Z, (z) => actRef(act, p, z));
      expectClose(`forward ${Act[act]}(${p})`, forward(act, p, Z), ref, { rel: 2 * U, abs: 1e-13 });
    }
  });

  test('biasAct adds the bias to Z in place, then activates (Y aliasing Z too)', () => {
    const rng = mulberry32(32);
    const M = 3,
      N = 5;
    const Z = randArray(rng, M * N, -2, 2),
      bias = randArray(rng, N);
    withArena(js, (a) => {
      const pZ = a.put(Z),
        pB = a.put(bias),
        pY = a.empty(M * N);
      js.biasAct(Act.Tanh, 0, pZ, pB, pY, M, N);
      const zb = Float32Array.from(Z, (z, i) => z + bias[i % N]!);
      expectClose('Z + bias', a.read(pZ, M * N), zb, { rel: 0 }, [M, N]);
      expectClose('tanh(Z + bias)', a.read(pY, M * N), Array.from(zb, Math.tanh), { rel: U }, [M, N]);
      const pZ2 = a.put(Z);
      js.biasAct(Act.Tanh, 0, pZ2, pB, pZ2, M, N);
      expectClose('aliased', a.read(pZ2, M * N), a.read(pY, M * N), { rel: 0 }, [M, N]);
    });
  });

  test('saturation at extreme inputs: no NaN, the right limits', () => {
    const Z = [1e4, -1e4, 1e3, -1e3, 100, -100];
    const limitsFor = (p: number): Partial<Record<Act, number[]>> => ({
      [Act.Sigmoid]: [1, 0, 1, 0, 1, 3.720075976020836e-44],
      [Act.Tanh]: [1, -1, 1, -1, 1, -1],
      [Act.Softplus]: [1e4, 0, 1e3, 0, 100, 3.720075976020836e-44],
      [Act.Gelu]: [1e4, 0, 1e3, 0, 100, 0],
      [Act.Swish]: [1e4, 0, 1e3, 0, 100, -100 * 3.720075976020836e-44],
      [Act.Elu]: [1e4, -p, 1e3, -p, 100, -p],
      [Act.Selu]: [1e4 * SELU_S, -SELU_S * SELU_A, 1e3 * SELU_S, -SELU_S * SELU_A, 100 * SELU_S, -SELU_S * SELU_A],
      [Act.Softsign]: Z.map((z) => z / (1 + Math.abs(z))),
      [Act.HardSigmoid]: [1, 0, 1, 0, 1, 0],
      [Act.HardSigmoidLegacy]: [1, 0, 1, 0, 1, 0],
      [Act.ReluMax]: [p, 0, p, 0, p, 0],
      [Act.Exponential]: [Infinity, 0, Infinity, 0, Infinity, 3.720075976020836e-44],
    });
    for (const [act, p] of ACTS) {
      const y = forward(act, p, Z);
      for (const v of y) expect(Number.isNaN(v), `${Act[act]} gave NaN`).toBe(false);
      const lim = limitsFor(p)[act];
      if (lim) expectClose(`${Act[act]} limits`, y, lim, { rel: 2 * U, abs: 1e-44 });
      // Backward at the extremes: finite (or ±Infinity for the exponential), never NaN.
      const dX = withArena(js, (a) => {
        const pZ = a.put(Z),
          pY = a.put(y),
          pG = a.put(Z.map(() => 1)),
          pX = a.empty(Z.length);
        js.actBackward(act, p, pZ, pY, pG, pX, Z.length);
        return a.read(pX, Z.length);
      });
      for (const v of dX) expect(Number.isNaN(v), `${Act[act]} backward gave NaN`).toBe(false);
    }
  });

  test('backward: dY·act′(z) against central finite differences of the closed form', () => {
    const rng = mulberry32(33);
    for (const [act, p] of ACTS) {
      for (const n of [1, 5, 67]) {
        const Z = smoothPoints(rng, n, -4, 4);
        const dY = randArray(rng, n);
        const Y = forward(act, p, Z);
        const expected = Array.from(Z, (z, i) => (dY[i]! * (actRef(act, p, z + H) - actRef(act, p, z - H))) / (2 * H));
        for (const alias of [false, true]) {
          const dX = withArena(js, (a) => {
            const pZ = actNeedsZ(act) ? a.put(Z) : 0,
              pY = a.put(Y),
              pG = a.put(dY),
              pX = alias ? pG : a.empty(n);
            js.actBackward(act, p, pZ, pY, pG, pX, n);
            return a.read(pX, n);
          });
          expectClose(
            `backward ${Act[act]}(${p}) n=${n} alias=${alias}`,
            dX,
            expected,
            { rel: 4e-6, abs: 0, scale: dY, scaleTol: 4e-6 },
            [n],
          );
        }
      }
    }
  });

  test('relu and leaky relu derivatives at the kink follow TF (relu′(0) = 0, leaky′(0) = alpha)', () => {
    withArena(js, (a) => {
      const pY = a.put([0]),
        pG = a.put([1]),
        pX = a.empty(1);
      js.actBackward(Act.Relu, 0, 0, pY, pG, pX, 1);
      expect(a.read(pX, 1)[0]).toBe(0);
      js.actBackward(Act.LeakyRelu, 0.25, 0, pY, pG, pX, 1);
      expect(a.read(pX, 1)[0]).toBe(0.25);
    });
  });
});

function softmaxRow(x: ArrayLike<number>): number[] {
  const m = Math.max(...Array.from(x));
  const e = Array.from(x, (v) => Math.exp(v - m));
  const s = e.reduce((p, v) => p + v, 0);
  return e.map((v) => v / s);
}

describe('js softmax against closed forms', () => {
  test('softmax and log-softmax rows, including logits that overflow exp', () => {
    const rng = mulberry32(41);
    for (const [M, N] of [
      [1, 1],
      [3, 5],
      [4, 17],
    ] as const) {
      const X = randArray(rng, M * N, -10, 10);
      X[0] = 500; // e^500 overflows even float64: only a max-subtracted form survives
      const refS: number[] = [],
        refL: number[] = [];
      for (let i = 0; i < M; i++) {
        const row = X.subarray(i * N, (i + 1) * N);
        const s = softmaxRow(row);
        refS.push(...s);
        const m = Math.max(...Array.from(row));
        const lse = m + Math.log(Array.from(row).reduce((p, v) => p + Math.exp(v - m), 0));
        refL.push(...Array.from(row, (v) => v - lse));
      }
      withArena(js, (a) => {
        const pX = a.put(X),
          pY = a.empty(M * N);
        js.softmaxRows(pX, pY, M, N);
        expectClose('softmax', a.read(pY, M * N), refS, { rel: 2 * U, abs: 1e-45 }, [M, N]);
        js.logSoftmaxRows(pX, pX, M, N);
        expectClose('logSoftmax (aliased)', a.read(pX, M * N), refL, { rel: 2 * U, abs: 1e-12 }, [M, N]);
      });
    }
  });

  test('softmaxBackward against finite differences of Σ dY·softmax(x)', () => {
    const rng = mulberry32(42);
    const M = 3,
      N = 6;
    const X = randArray(rng, M * N, -3, 3),
      dY = randArray(rng, M * N);
    const expected: number[] = [];
    for (let i = 0; i < M; i++) {
      const row = Array.from(X.subarray(i * N, (i + 1) * N));
      const L = (r: number[]): number => softmaxRow(r).reduce((p, s, k) => p + s * dY[i * N + k]!, 0);
      for (let j = 0; j < N; j++) {
        const up = row.slice(),
          dn = row.slice();
        up[j]! += H;
        dn[j]! -= H;
        expected.push((L(up) - L(dn)) / (2 * H));
      }
    }
    withArena(js, (a) => {
      const pY = a.put(X);
      js.softmaxRows(pY, pY, M, N);
      const pG = a.put(dY),
        pX = a.empty(M * N);
      js.softmaxBackward(pY, pG, pX, M, N);
      expectClose('softmaxBackward', a.read(pX, M * N), expected, { rel: 1e-6, abs: 1e-7 }, [M, N]);
      js.softmaxBackward(pY, pG, pG, M, N);
      expectClose('softmaxBackward (aliased)', a.read(pG, M * N), a.read(pX, M * N), { rel: 0 }, [M, N]);
    });
  });
});

// ---------------------------------------------------------------- losses

const EPS = 1e-7;
const clip = (p: number): number => Math.min(Math.max(p, Math.fround(EPS)), Math.fround(1 - EPS));
const sig = (z: number): number => 1 / (1 + Math.exp(-z));

interface LossRef {
  name: string;
  /** Per-sample loss of row i from targets t (or label) and predictions/logits x. */
  row(t: ArrayLike<number>, x: number[], label: number): number;
  kernel(T: number, X: number, G: number, W: number, M: number, N: number, s: number): number;
  data(rng: Rng, M: number, N: number): { T: Float32Array; X: Float32Array; sparse: boolean };
  /** Finite-difference step (default H); the rescaled cross-entropies' third derivatives need a smaller one. */
  h?: number;
}

const sum = (a: number[]): number => a.reduce((p, v) => p + v, 0);
const mean = (a: number[]): number => sum(a) / a.length;
const regData = (rng: Rng, M: number, N: number): { T: Float32Array; X: Float32Array; sparse: boolean } => {
  // |p − t| kept away from 0 and from the huber deltas (kinks for finite differences).
  const T = randArray(rng, M * N, -2, 2),
    X = new Float32Array(M * N);
  for (let i = 0; i < M * N; i++) {
    let d: number;
    do d = (rng() * 2 - 1) * 3;
    while (Math.abs(d) < 0.05 || Math.abs(Math.abs(d) - 1) < 0.05 || Math.abs(Math.abs(d) - 0.3) < 0.05);
    X[i] = T[i]! + d;
  }
  return { T, X, sparse: false };
};
const huberRef = (d: number, delta: number): number =>
  Math.abs(d) <= delta ? 0.5 * d * d : delta * Math.abs(d) - 0.5 * delta * delta;
const labels = (rng: Rng, M: number, N: number): Float32Array =>
  Float32Array.from({ length: M }, () => Math.floor(rng() * N));

const LOSSES: LossRef[] = [
  {
    name: 'mse',
    row: (t, x) => mean(x.map((p, j) => (p - t[j]!) ** 2)),
    kernel: (...a) => js.mse(...a),
    data: regData,
  },
  {
    name: 'mae',
    row: (t, x) => mean(x.map((p, j) => Math.abs(p - t[j]!))),
    kernel: (...a) => js.mae(...a),
    data: regData,
  },
  {
    name: 'huber(1)',
    row: (t, x) => mean(x.map((p, j) => huberRef(p - t[j]!, 1))),
    kernel: (T, X, G, W, M, N, s) => js.huber(T, X, G, W, M, N, s, 1),
    data: regData,
  },
  {
    name: 'huber(0.3)',
    row: (t, x) => mean(x.map((p, j) => huberRef(p - t[j]!, 0.3))),
    kernel: (T, X, G, W, M, N, s) => js.huber(T, X, G, W, M, N, s, 0.3),
    data: regData,
  },
  {
    name: 'logCosh',
    row: (t, x) => mean(x.map((p, j) => Math.log(Math.cosh(p - t[j]!)))),
    kernel: (...a) => js.logCosh(...a),
    data: regData,
  },
  {
    name: 'hinge',
    row: (t, x) =>
      mean(
        x.map((p, j) => {
          const y = t[j] === 0 ? -1 : t[j]!;
          return Math.max(1 - y * p, 0);
        }),
      ),
    kernel: (...a) => js.hinge(...a),
    data: (rng, M, N) => {
      const T = Float32Array.from({ length: M * N }, (_, i) => (rng() < 0.5 ? (i % 2 ? 0 : -1) : 1));
      const X = Float32Array.from(T, (t) => {
        const y = t === 0 ? -1 : t;
        let p: number;
        do p = rng() * 4 - 2;
        while (Math.abs(1 - y * p) < 0.05);
        return p;
      });
      return { T, X, sparse: false };
    },
  },
  {
    name: 'bce',
    row: (t, x) => mean(x.map((p, j) => -(t[j]! * Math.log(clip(p)) + (1 - t[j]!) * Math.log(1 - clip(p))))),
    kernel: (...a) => js.bce(...a),
    data: (rng, M, N) => ({
      T: Float32Array.from({ length: M * N }, (_, i) => (i % 3 === 2 ? rng() : rng() < 0.5 ? 0 : 1)),
      X: randArray(rng, M * N, 0.02, 0.98),
      sparse: false,
    }),
  },
  {
    // Keras 3 (keras/src/backend/numpy/nn.py categorical_crossentropy): each row rescaled to sum to 1, then clipped.
    name: 'cce',
    row: (t, x) => {
      const S = sum(x);
      return -x.reduce((s, p, j) => s + t[j]! * Math.log(clip(p / S)), 0);
    },
    kernel: (...a) => js.cce(...a),
    h: 1e-6,
    // Rows summing to 0.95 and to 1.9 (the rescale matters); N = 1 rescales to exactly 1, at the clip (gradient 0).
    data: (rng, M, N) => ({
      T: randProbRows(rng, M, N),
      X: randProbRows(rng, M, N).map((p, k) => (Math.floor(k / N) % 2 ? 1.9 : 0.95) * p),
      sparse: false,
    }),
  },
  {
    name: 'cce label smoothing 0.2',
    row: (t, x) => {
      const S = sum(x);
      return -x.reduce((s, p, j) => s + (t[j]! * 0.8 + 0.2 / x.length) * Math.log(clip(p / S)), 0);
    },
    kernel: (T, X, G, W, M, N, s) => js.cce(T, X, G, W, M, N, s, 0.2),
    h: 1e-6,
    data: (rng, M, N) => ({
      T: randProbRows(rng, M, N),
      X: randProbRows(rng, M, N).map((p, k) => (Math.floor(k / N) % 2 ? 1.9 : 0.95) * p),
      sparse: false,
    }),
  },
  {
    name: 'sparseCce',
    row: (_t, x, c) => -Math.log(clip(x[c]! / sum(x))),
    kernel: (...a) => js.sparseCce(...a),
    h: 1e-6,
    data: (rng, M, N) => ({
      T: labels(rng, M, N),
      X: randProbRows(rng, M, N).map((p, k) => (Math.floor(k / N) % 2 ? 1.9 : 0.95) * p),
      sparse: true,
    }),
  },
  {
    // Keras's ignore_class: rows labelled 2 add nothing (the mean over the rest is the caller's scale).
    name: 'sparseCce ignore class 2',
    row: (_t, x, c) => (c === 2 ? 0 : -Math.log(clip(x[c]! / sum(x)))),
    kernel: (T, X, G, W, M, N, s) => js.sparseCce(T, X, G, W, M, N, s, 2),
    h: 1e-6,
    data: (rng, M, N) => ({
      T: labels(rng, M, N).map((c, i) => (i % 2 ? 2 : c)),
      X: randProbRows(rng, M, N).map((p) => 0.95 * p),
      sparse: true,
    }),
  },
  {
    name: 'bce label smoothing 0.3',
    row: (t, x) =>
      mean(
        x.map((p, j) => {
          const u = t[j]! * 0.7 + 0.15;
          return -(u * Math.log(clip(p)) + (1 - u) * Math.log(1 - clip(p)));
        }),
      ),
    kernel: (T, X, G, W, M, N, s) => js.bce(T, X, G, W, M, N, s, 0.3),
    data: (rng, M, N) => ({
      T: Float32Array.from({ length: M * N }, (_, i) => (i % 3 === 2 ? rng() : rng() < 0.5 ? 0 : 1)),
      X: randArray(rng, M * N, 0.02, 0.98),
      sparse: false,
    }),
  },
  {
    name: 'sigmoidBce label smoothing 0.3',
    row: (t, x) =>
      mean(
        x.map((z, j) => {
          const u = t[j]! * 0.7 + 0.15;
          return -(u * Math.log(sig(z)) + (1 - u) * Math.log(1 - sig(z)));
        }),
      ),
    kernel: (T, X, G, W, M, N, s) => js.sigmoidBce(T, X, 0, G, W, M, N, s, 0.3),
    data: (rng, M, N) => ({
      T: Float32Array.from({ length: M * N }, (_, i) => (i % 3 === 2 ? rng() : rng() < 0.5 ? 0 : 1)),
      X: randArray(rng, M * N, -6, 6),
      sparse: false,
    }),
  },
  {
    name: 'softmaxCce label smoothing 0.2',
    row: (t, x) => {
      const s = softmaxRow(x);
      return -s.reduce((a, p, j) => a + (t[j]! * 0.8 + 0.2 / x.length) * Math.log(p), 0);
    },
    kernel: (T, X, G, W, M, N, s) => js.softmaxCce(T, X, 0, G, W, M, N, s, 0.2),
    data: (rng, M, N) => ({ T: randProbRows(rng, M, N), X: randArray(rng, M * N, -4, 4), sparse: false }),
  },
  {
    name: 'sparseSoftmaxCce ignore class -1',
    row: (_t, x, c) => (c === -1 ? 0 : -Math.log(softmaxRow(x)[c]!)),
    kernel: (T, X, G, W, M, N, s) => js.sparseSoftmaxCce(T, X, 0, G, W, M, N, s, -1),
    data: (rng, M, N) => ({
      T: labels(rng, M, N).map((c, i) => (i % 2 ? -1 : c)),
      X: randArray(rng, M * N, -4, 4),
      sparse: true,
    }),
  },
  {
    name: 'sigmoidBce',
    row: (t, x) => mean(x.map((z, j) => -(t[j]! * Math.log(sig(z)) + (1 - t[j]!) * Math.log(1 - sig(z))))),
    kernel: (T, X, G, W, M, N, s) => js.sigmoidBce(T, X, 0, G, W, M, N, s),
    data: (rng, M, N) => ({
      T: Float32Array.from({ length: M * N }, (_, i) => (i % 3 === 2 ? rng() : rng() < 0.5 ? 0 : 1)),
      X: randArray(rng, M * N, -6, 6),
      sparse: false,
    }),
  },
  {
    name: 'softmaxCce',
    row: (t, x) => {
      const s = softmaxRow(x);
      return -s.reduce((a, p, j) => a + t[j]! * Math.log(p), 0);
    },
    kernel: (T, X, G, W, M, N, s) => js.softmaxCce(T, X, 0, G, W, M, N, s),
    data: (rng, M, N) => ({ T: randProbRows(rng, M, N), X: randArray(rng, M * N, -4, 4), sparse: false }),
  },
  {
    name: 'sparseSoftmaxCce',
    row: (_t, x, c) => -Math.log(softmaxRow(x)[c]!),
    kernel: (T, X, G, W, M, N, s) => js.sparseSoftmaxCce(T, X, 0, G, W, M, N, s),
    data: (rng, M, N) => ({ T: labels(rng, M, N), X: randArray(rng, M * N, -4, 4), sparse: true }),
  },
];

function lossTotal(
  spec: LossRef,
  T: Float32Array,
  X: ArrayLike<number>,
  W: Float32Array | null,
  M: number,
  N: number,
  sparse: boolean,
): number {
  let total = 0;
  for (let i = 0; i < M; i++) {
    const t = sparse ? [] : T.subarray(i * N, (i + 1) * N);
    total += (W ? W[i]! : 1) * spec.row(t, Array.from(X).slice(i * N, (i + 1) * N), sparse ? T[i]! : 0);
  }
  return total;
}

describe('js losses against closed forms', () => {
  for (const spec of LOSSES) {
    test(`${spec.name}: value, and gradient against finite differences (±weights, G = 0)`, () => {
      const rng = mulberry32(spec.name.length * 31 + 5);
      for (const [M, N] of [
        [1, 1],
        [3, 4],
        [5, 7],
      ] as const) {
        const { T, X, sparse } = spec.data(rng, M, N);
        const Wt = randArray(rng, M, 0.2, 2);
        for (const W of [null, Wt]) {
          const scale = 1 / M;
          const ref = lossTotal(spec, T, X, W, M, N, sparse);
          const expG: number[] = [];
          const Xd = Float64Array.from(X);
          for (let k = 0; k < M * N; k++) {
            const x0 = Xd[k]!;
            const h = spec.h ?? H;
            Xd[k] = x0 + h;
            const up = lossTotal(spec, T, Xd, W, M, N, sparse);
            Xd[k] = x0 - h;
            const dn = lossTotal(spec, T, Xd, W, M, N, sparse);
            Xd[k] = x0;
            expG.push((scale * (up - dn)) / (2 * h));
          }
          withArena(js, (a) => {
            const pT = a.put(T),
              pX = a.put(X),
              pW = W ? a.put(W) : 0,
              pG = a.empty(M * N);
            const label = `${spec.name}(M=${M}, N=${N}, weights=${W !== null})`;
            expectNear(`${label} value`, spec.kernel(pT, pX, pG, pW, M, N, scale), ref, 1e-9, 1e-12);
            expectNear(`${label} value with G = 0`, spec.kernel(pT, pX, 0, pW, M, N, scale), ref, 1e-9, 1e-12);
            const maxG = expG.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
            expectClose(`${label} gradient`, a.read(pG, M * N), expG, { rel: 1e-5, abs: 1e-6 * maxG }, [M, N]);
          });
        }
      }
    });
  }

  test('mae subgradient is 0 where p = t; hinge maps {0,1} labels to {−1,1}', () => {
    withArena(js, (a) => {
      const pT = a.put([0.5, 1]),
        pP = a.put([0.5, 2]),
        pG = a.empty(2);
      expect(js.mae(pT, pP, pG, 0, 1, 2, 1)).toBeCloseTo(0.5, 12);
      expect(Array.from(a.read(pG, 2))).toEqual([0, 0.5]);
      const p = [0.3, -0.7, 1.5, -0.2];
      const l01 = js.hinge(a.put([0, 1, 1, 0]), a.put(p), 0, 0, 1, 4, 1);
      const lpm = js.hinge(a.put([-1, 1, 1, -1]), a.put(p), 0, 0, 1, 4, 1);
      expect(l01).toBe(lpm);
      expect(l01).toBeCloseTo((1.3 + 1.7 + 0 + 0.8) / 4, 6);
    });
  });

  test('clipping: probabilities 0 and 1 give finite losses (Keras epsilon) and zero gradient', () => {
    withArena(js, (a) => {
      const pG = a.empty(2);
      const v = js.bce(a.put([1, 0]), a.put([0, 1]), pG, 0, 1, 2, 1);
      // mean of −log(eps) and −log(1 − (1 − eps)), both bounds as float32.
      expect(v).toBeCloseTo((-Math.log(Math.fround(1e-7)) - Math.log(1 - Math.fround(1 - 1e-7))) / 2, 9);
      expect(Array.from(a.read(pG, 2))).toEqual([0, 0]);
      const c = js.cce(a.put([1, 0]), a.put([0, 1]), pG, 0, 1, 2, 1);
      expect(c).toBeCloseTo(-Math.log(Math.fround(1e-7)), 9);
      const s = js.sparseCce(a.put([0]), a.put([0, 1]), pG, 0, 1, 2, 1);
      expect(s).toBe(c);
    });
  });

  test('stability of the logit forms and logCosh at large magnitudes', () => {
    withArena(js, (a) => {
      const pG = a.empty(4),
        pP = a.empty(4);
      // sigmoidBce: z = ±100 with the wrong label costs |z|, with the right one ~0.
      const v = js.sigmoidBce(a.put([0, 1, 1, 0]), a.put([100, -100, 100, -100]), pP, pG, 0, 1, 4, 1);
      expect(v).toBeCloseTo((100 + 100) / 4, 10);
      expectClose('sigmoidBce P', a.read(pP, 4), [1, 0, 1, 0], { rel: 0, abs: 1e-40 });
      expectClose('sigmoidBce gradient', a.read(pG, 4), [0.25, -0.25, 0, 0], { rel: 0, abs: 1e-40 });
      // softmaxCce with a logit of 1000: no overflow.
      const c = js.softmaxCce(a.put([0, 1]), a.put([1000, 0]), pP, pG, 0, 1, 2, 1);
      expect(c).toBeCloseTo(1000, 9);
      expectClose('softmaxCce P', a.read(pP, 2), [1, 0], { rel: 0, abs: 1e-30 });
      const s = js.sparseSoftmaxCce(a.put([1]), a.put([1000, 0]), 0, pG, 0, 1, 2, 1);
      expect(s).toBeCloseTo(1000, 9);
      expectClose('sparseSoftmaxCce G', a.read(pG, 2), [1, -1], { rel: 0, abs: 1e-30 });
      // logCosh(1000) = 1000 − log 2 (cosh itself overflows past 710).
      expect(js.logCosh(a.put([0]), a.put([1000]), pG, 0, 1, 1, 1)).toBeCloseTo(1000 - Math.LN2, 9);
      expect(a.read(pG, 1)[0]).toBe(1);
    });
  });

  test('fused kernels write P = sigmoid/softmax when asked', () => {
    const rng = mulberry32(45);
    const M = 2,
      N = 5;
    const Z = randArray(rng, M * N, -4, 4),
      T = randProbRows(rng, M, N);
    withArena(js, (a) => {
      const pP = a.empty(M * N);
      js.sigmoidBce(a.put(T), a.put(Z), pP, 0, 0, M, N, 1);
      expectClose('sigmoid P', a.read(pP, M * N), Array.from(Z, sig), { rel: 2 * U }, [M, N]);
      js.softmaxCce(a.put(T), a.put(Z), pP, 0, 0, M, N, 1);
      const ref = [...softmaxRow(Z.subarray(0, N)), ...softmaxRow(Z.subarray(N))];
      expectClose('softmax P', a.read(pP, M * N), ref, { rel: 2 * U }, [M, N]);
      js.sparseSoftmaxCce(a.put([1, 4]), a.put(Z), pP, 0, 0, M, N, 1);
      expectClose('sparse softmax P', a.read(pP, M * N), ref, { rel: 2 * U }, [M, N]);
    });
  });
});

// ---------------------------------------------------------------- batch norm

/** Training-mode BN of an M×N block in float64, per column: the textbook formula. */
function bnRef(
  X: ArrayLike<number>,
  M: number,
  N: number,
  gamma: ArrayLike<number>,
  beta: ArrayLike<number>,
  eps: number,
): { Y: number[]; mean: number[]; varB: number[] } {
  const mean: number[] = [],
    varB: number[] = [],
    Y = new Array<number>(M * N);
  for (let j = 0; j < N; j++) {
    let s = 0;
    for (let i = 0; i < M; i++) s += X[i * N + j]!;
    const m = s / M;
    let v = 0;
    for (let i = 0; i < M; i++) v += (X[i * N + j]! - m) ** 2;
    v /= M;
    mean.push(m);
    varB.push(v);
    for (let i = 0; i < M; i++) Y[i * N + j] = (gamma[j]! * (X[i * N + j]! - m)) / Math.sqrt(v + eps) + beta[j]!;
  }
  return { Y, mean, varB };
}

describe('js batch norm against closed forms', () => {
  test('training forward: Y, mean, invStd and moving statistics', () => {
    const rng = mulberry32(51);
    const M = 9,
      N = 4,
      eps = 1e-3,
      mom = 0.9;
    const X = randArray(rng, M * N, 1, 5),
      gamma = randArray(rng, N, 0.5, 2),
      beta = randArray(rng, N);
    const mm = randArray(rng, N),
      mv = randArray(rng, N, 0.5, 2);
    const ref = bnRef(X, M, N, gamma, beta, eps);
    withArena(js, (a) => {
      const pX = a.put(X),
        pMean = a.empty(N),
        pInv = a.empty(N),
        pMM = a.put(mm),
        pMV = a.put(mv);
      js.bnForwardTrain(pX, pX, M, N, a.put(gamma), a.put(beta), pMean, pInv, eps, pMM, pMV, mom);
      expectClose('Y', a.read(pX, M * N), ref.Y, { rel: 1e-6, abs: 1e-6 }, [M, N]);
      expectClose('mean', a.read(pMean, N), ref.mean, { rel: 2 * U });
      expectClose(
        'invStd',
        a.read(pInv, N),
        ref.varB.map((v) => 1 / Math.sqrt(v + eps)),
        { rel: 2 * U },
      );
      expectClose(
        'movMean',
        a.read(pMM, N),
        Array.from(mm, (m, j) => mom * m + (1 - mom) * ref.mean[j]!),
        { rel: 2 * U, abs: 1e-7 },
      );
      expectClose(
        'movVar (biased batch variance)',
        a.read(pMV, N),
        Array.from(mv, (v, j) => mom * v + (1 - mom) * ref.varB[j]!),
        { rel: 2 * U },
      );
      // gamma = 0 and beta = 0 mean 1 and 0.
      const pY = a.empty(M * N);
      js.bnForwardTrain(a.put(X), pY, M, N, 0, 0, pMean, pInv, eps, 0, 0, mom);
      const plain = bnRef(X, M, N, new Array<number>(N).fill(1), new Array<number>(N).fill(0), eps);
      expectClose('Y without gamma/beta', a.read(pY, M * N), plain.Y, { rel: 1e-6, abs: 1e-6 }, [M, N]);
    });
  });

  test('inference forward with moving statistics', () => {
    const rng = mulberry32(52);
    const M = 5,
      N = 3,
      eps = 1e-3;
    const X = randArray(rng, M * N, -2, 2),
      gamma = randArray(rng, N, 0.5, 2),
      beta = randArray(rng, N);
    const mm = randArray(rng, N),
      mv = randArray(rng, N, 0.5, 2);
    const ref = Array.from(X, (x, k) => {
      const j = k % N;
      return (gamma[j]! * (x - mm[j]!)) / Math.sqrt(mv[j]! + eps) + beta[j]!;
    });
    withArena(js, (a) => {
      const pY = a.empty(M * N);
      js.bnForwardInfer(a.put(X), pY, M, N, a.put(gamma), a.put(beta), a.put(mm), a.put(mv), eps);
      expectClose('Y', a.read(pY, M * N), ref, { rel: 2 * U, abs: 1e-7 }, [M, N]);
    });
  });

  test('backward against finite differences of Σ dY·BN(X) in X, gamma and beta', () => {
    const rng = mulberry32(53);
    const eps = 1e-3;
    for (const [M, N] of [
      [2, 1],
      [6, 3],
      [13, 2],
    ] as const) {
      const X = randArray(rng, M * N, -2, 2),
        dY = randArray(rng, M * N),
        gamma = randArray(rng, N, 0.5, 2),
        beta = randArray(rng, N);
      const L = (x: ArrayLike<number>, g: ArrayLike<number>, b: ArrayLike<number>): number =>
        bnRef(x, M, N, g, b, eps).Y.reduce((s, y, k) => s + y * dY[k]!, 0);
      const fd = (arr: Float32Array, which: 'x' | 'g' | 'b'): number[] => {
        const out: number[] = [];
        const v = Float64Array.from(arr);
        for (let k = 0; k < v.length; k++) {
          const v0 = v[k]!;
          const at = (d: number): number => {
            v[k] = v0 + d;
            const r = L(which === 'x' ? v : X, which === 'g' ? v : gamma, which === 'b' ? v : beta);
            v[k] = v0;
            return r;
          };
          out.push((at(H) - at(-H)) / (2 * H));
        }
        return out;
      };
      withArena(js, (a) => {
        const pMean = a.empty(N),
          pInv = a.empty(N);
        js.bnForwardTrain(a.put(X), a.empty(M * N), M, N, a.put(gamma), a.put(beta), pMean, pInv, eps, 0, 0, 0.99);
        const pDX = a.empty(M * N),
          pDG = a.empty(N),
          pDB = a.empty(N);
        js.bnBackward(a.put(X), a.put(dY), pDX, M, N, a.put(gamma), pMean, pInv, pDG, pDB);
        const lbl = `bnBackward(M=${M}, N=${N})`;
        expectClose(`${lbl} dX`, a.read(pDX, M * N), fd(X, 'x'), { rel: 1e-4, abs: 2e-5 }, [M, N]);
        expectClose(`${lbl} dGamma`, a.read(pDG, N), fd(gamma, 'g'), { rel: 1e-5, abs: 1e-6 });
        expectClose(`${lbl} dBeta`, a.read(pDB, N), fd(beta, 'b'), { rel: 1e-5, abs: 1e-6 });
      });
    }
  });
});

// ---------------------------------------------------------------- reductions, elementwise, regularization, dropout

describe('js reductions and elementwise kernels against closed forms', () => {
  test('colSum: a fixed (ascending-row, float64) order, reproducible bit for bit, with beta', () => {
    const rng = mulberry32(61);
    const M = 37,
      N = 6;
    const X = randArray(rng, M * N, -1e3, 1e3),
      out0 = randArray(rng, N);
    const sums = Array.from({ length: N }, (_, j) => {
      let s = 0;
      for (let i = 0; i < M; i++) s += X[i * N + j]!;
      return s;
    });
    withArena(js, (a) => {
      const pX = a.put(X),
        pO = a.put(out0);
      js.colSum(pX, M, N, pO, 0);
      const first = a.read(pO, N);
      expectClose('colSum beta=0', first, sums.map(Math.fround), { rel: 0 });
      js.colSum(pX, M, N, pO, 0);
      expectClose('colSum repeated', a.read(pO, N), first, { rel: 0 });
      const pO2 = a.put(out0);
      js.colSum(pX, M, N, pO2, 0.5);
      expectClose(
        'colSum beta=0.5',
        a.read(pO2, N),
        sums.map((s, j) => Math.fround(0.5 * out0[j]! + s)),
        { rel: 0 },
      );
    });
  });

  test('sumSquares, scale, clipValue, mul, axpy', () => {
    const rng = mulberry32(62);
    const n = 23;
    const X = randArray(rng, n, -2, 2),
      Y = randArray(rng, n, -2, 2);
    withArena(js, (a) => {
      expect(js.sumSquares(a.put(X), n)).toBeCloseTo(
        Array.from(X).reduce((s, v) => s + v * v, 0),
        12,
      );
      const p = a.put(X);
      js.scale(p, n, -0.5);
      expectClose(
        'scale',
        a.read(p, n),
        Array.from(X, (v) => -0.5 * v),
        { rel: 0 },
      );
      const q = a.put(X);
      js.clipValue(q, n, 0.75);
      expectClose(
        'clipValue',
        a.read(q, n),
        Array.from(X, (v) => Math.fround(Math.min(0.75, Math.max(-0.75, v)))),
        { rel: 0 },
      );
      const px = a.put(X),
        py = a.put(Y),
        pz = a.empty(n);
      js.mul(px, py, pz, n);
      expectClose(
        'mul',
        a.read(pz, n),
        Array.from(X, (v, i) => Math.fround(v * Y[i]!)),
        { rel: 0 },
      );
      js.axpy(n, 2.5, px, py);
      expectClose(
        'axpy',
        a.read(py, n),
        Array.from(X, (v, i) => Math.fround(2.5 * v + Y[i]!)),
        { rel: 0 },
      );
    });
  });

  test('l1l2: penalty, gradient added to G (sign(0) = 0), and the gradient is the penalty’s derivative', () => {
    const rng = mulberry32(63);
    const n = 11,
      l1 = 0.01,
      l2 = 0.03;
    const W = randArray(rng, n, -1, 1),
      G = randArray(rng, n);
    W[3] = 0;
    const pen = Array.from(W).reduce((s, w) => s + l1 * Math.abs(w) + l2 * w * w, 0);
    withArena(js, (a) => {
      const pW = a.put(W),
        pG = a.put(G);
      expect(js.l1l2(pW, pG, n, l1, l2)).toBeCloseTo(pen, 12);
      const expected = Array.from(W, (w, i) => G[i]! + l1 * Math.sign(w) + 2 * l2 * w);
      expectClose('G', a.read(pG, n), expected, { rel: 2 * U, abs: 1e-9 }, [n]);
      // Away from 0 the added term equals the finite-difference derivative of the penalty.
      for (let i = 0; i < n; i++) {
        if (W[i] === 0) continue;
        const pAt = (w: number): number => l1 * Math.abs(w) + l2 * w * w;
        expectNear(
          `penalty derivative at ${i}`,
          l1 * Math.sign(W[i]!) + 2 * l2 * W[i]!,
          (pAt(W[i]! + 1e-6) - pAt(W[i]! - 1e-6)) / 2e-6,
          1e-6,
          1e-9,
        );
      }
      expect(js.l1l2(pW, 0, n, l1, l2)).toBeCloseTo(pen, 12);
    });
  });

  test('dropout: mask and output follow the PRNG spec exactly', () => {
    const rng = mulberry32(64);
    const n = 1001;
    const X = randArray(rng, n, -3, 3);
    for (const rate of [0, 0.25, 0.3, 0.5]) {
      for (const [seed, offset] of [
        [7, 0],
        [123456789, 5000],
      ] as const) {
        const r = Math.fround(rate),
          s = Math.fround(1 / Math.fround(1 - r));
        const mask = Array.from({ length: n }, (_, i) => (uniform(seed, offset + i) >= r ? s : 0));
        withArena(js, (a) => {
          const pX = a.put(X),
            pY = a.empty(n),
            pM = a.empty(n);
          js.dropout(pX, pY, pM, n, rate, seed, offset);
          expectClose(`mask rate=${rate}`, a.read(pM, n), mask, { rel: 0 });
          expectClose(
            `Y rate=${rate}`,
            a.read(pY, n),
            Array.from(X, (x, i) => Math.fround(x * mask[i]!)),
            { rel: 0 },
          );
        });
      }
    }
  });
});
