/**
 * Keras 3's activation tests (keras/src/activations/activations_test.py),
 * ported: Keras checks each activation against a reference function
 * (_ref_hard_sigmoid, _ref_softplus, …) on random inputs in given ranges with
 * assertAllClose(rtol = 1e-5, atol = 1e-6); the same references, ranges and
 * tolerance here, on fixed seeded inputs, through the kernels a Dense layer
 * calls (biasAct with the code `resolveActivation(name)` gives; softmaxRows /
 * logSoftmaxRows), on the js backend and every wasm build.
 */
import { beforeAll, expect, test } from 'vitest';
import { resolveActivation } from '../../src/activations.js';
import type { Backend } from '../../src/backend/types.js';
import { mulberry32, withArena } from '../kernels/helpers.js';
import { allClose, describeBackends } from './backends.js';

const SELU_ALPHA = 1.6732632423543772848170429916717,
  SELU_SCALE = 1.0507009873554804934193349852946;

/** erf by its positive series (accurate to ~1e-15 for |x| < 6): for gelu's x·Φ(x) (Keras uses scipy's norm.cdf). */
function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax > 6) return Math.sign(x);
  let term = ax,
    sum = ax;
  for (let n = 1; n < 500 && term > sum * 1e-18; n++) {
    term *= (2 * ax * ax) / (2 * n + 1);
    sum += term;
  }
  return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * Math.exp(-ax * ax) * sum;
}

// Keras's reference functions (activations_test.py), one value at a time.
const REF: Record<string, (x: number) => number> = {
  hard_sigmoid: (x) => {
    const y = x / 6 + 0.5;
    return y <= 0 ? 0 : y >= 1 ? 1 : y;
  }, // _ref_hard_sigmoid
  sigmoid: (x) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x))), // _ref_sigmoid
  softplus: (x) => Math.log(1 + Math.exp(x)), // _ref_softplus
  softsign: (x) => x / (1 + Math.abs(x)), // _ref_softsign
  silu: (x) => x / (1 + Math.exp(-x)), // _ref_silu
  relu: (x) => Math.max(0, x),
  tanh: Math.tanh,
  exponential: Math.exp,
  linear: (x) => x,
  elu: (x) => (x > 0 ? x : Math.exp(x) - 1),
  selu: (x) => (x > 0 ? SELU_SCALE * x : SELU_SCALE * SELU_ALPHA * (Math.exp(x) - 1)),
  gelu: (x) => x * 0.5 * (1 + erf(x / Math.SQRT2)),
};

function uniform(seed: number, n: number, lo: number, hi: number): Float32Array {
  const r = mulberry32(seed);
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * r());
}

/**
 * act(x) through biasAct, as a Dense layer runs it; `param` overrides the activation's default (leaky_relu's slope).
 */
function activate(be: Backend, name: string, x: Float32Array, param?: number): Float32Array {
  const a = resolveActivation(name);
  return withArena(be, (ar) => {
    const pZ = ar.put(x),
      pY = ar.empty(x.length);
    be.biasAct(a.code, param ?? a.param, pZ, 0, pY, 1, x.length);
    return ar.read(pY, x.length);
  });
}
const check = (got: ArrayLike<number>, want: ArrayLike<number>) => expect(allClose(got, want, 1e-5, 1e-6)).toBeNull();

describeBackends('Keras 3 activation golden values', (load) => {
  let be: Backend;
  beforeAll(async () => {
    be = await load();
  });

  // [Keras test, activation, ranges it samples]
  const CASES: [string, string, [number, number][]][] = [
    [
      'test_hard_sigmoid',
      'hard_sigmoid',
      [
        [0, 1],
        [-10, 10],
        [5, 10],
      ],
    ],
    [
      'test_sigmoid',
      'sigmoid',
      [
        [0, 1],
        [-10, 10],
        [-1e-7, 1e-7],
        [10, 100],
        [-100, -10],
      ],
    ],
    [
      'test_softplus',
      'softplus',
      [
        [0, 1],
        [-10, 10],
        [-1e-7, 1e-7],
        [10, 100],
        [-100, -10],
      ],
    ],
    [
      'test_softsign',
      'softsign',
      [
        [0, 1],
        [-10, 10],
        [-1e-7, 1e-7],
        [10, 100],
        [-100, -10],
      ],
    ],
    [
      'test_silu',
      'silu',
      [
        [0, 5.9],
        [-1, 1],
        [-5.9, 0],
      ],
    ],
    [
      'test_relu',
      'relu',
      [
        [0.1, 10],
        [-10, -0.1],
        [-10, 10],
        [-1e-7, 1e-7],
        [1e4, 1e5],
        [-1e5, -1e4],
      ],
    ],
    [
      'test_tanh',
      'tanh',
      [
        [0, 1],
        [-10, 10],
        [0, 10],
        [-10, 0],
        [-1e-7, 1e-7],
        [1e4, 1e5],
      ],
    ],
    [
      'test_exponential',
      'exponential',
      [
        [0, 1],
        [-10, 10],
        [0, 10],
        [-10, 0],
        [-1e-7, 1e-7],
        [1e4, 1e5],
      ],
    ],
    [
      'test_linear',
      'linear',
      [
        [0, 1],
        [-10, 10],
      ],
    ],
    [
      'test_elu',
      'elu',
      [
        [0, 1],
        [-2, -1],
      ],
    ],
    [
      'test_selu',
      'selu',
      [
        [1, 2],
        [-2, -1],
      ],
    ],
    [
      'test_gelu (approximate=False)',
      'gelu',
      [
        [0, 1],
        [-3, 3],
      ],
    ],
  ];
  for (const [kerasTest, name, ranges] of CASES) {
    test(`activations_test.py ${kerasTest}: '${name}' against Keras's reference`, () => {
      ranges.forEach(([lo, hi], k) => {
        const x = uniform(k * 31 + name.length, 27, lo, hi);
        check(activate(be, name, x), Array.from(x, REF[name === 'silu' ? 'silu' : name]!));
      });
    });
  }

  test("activations_test.py test_hard_sigmoid: values in [5, 10] give exactly 1; Keras 3 form, not Keras 2's 0.2·x + 0.5", () => {
    expect(Array.from(activate(be, 'hard_sigmoid', uniform(3, 10, 5, 10)))).toEqual(new Array(10).fill(1));
    // x = 2: Keras 3 gives 2/6 + 0.5 = 0.8333…; Keras 2 / TF.js gave 0.9. x = −2.75: 0.0417 (Keras 2: 0).
    check(activate(be, 'hard_sigmoid', Float32Array.of(2, -2.75, 3, -3)), [2 / 6 + 0.5, -2.75 / 6 + 0.5, 1, 0]);
    check(activate(be, 'hardSigmoid', Float32Array.of(2)), [2 / 6 + 0.5]);
    // The TF.js / Keras 2 form stays available (tf.keras activations_test.py ref_hard_sigmoid: x·0.2 + 0.5).
    check(activate(be, 'hard_sigmoid_legacy', Float32Array.of(2, -2.75, 1)), [0.9, 0, 0.7]);
  });

  test('activations_test.py test_leaky_relu: negative_slope 0.01 and 0.3 (_ref_leaky_relu)', () => {
    for (const slope of [0.01, 0.3]) {
      for (const [lo, hi] of [
        [0, 1],
        [-1, 0],
      ] as const) {
        const x = uniform(Math.round(slope * 100) + lo, 10, lo, hi);
        check(
          activate(be, 'leaky_relu', x, slope),
          Array.from(x, (v) => (v > 0 ? v : slope * v)),
        );
      }
    }
  });

  test('activations_test.py test_softmax / test_log_softmax (last axis): _ref_softmax, _ref_log_softmax', () => {
    const M = 2,
      N = 5;
    for (const scale of [1, 10]) {
      const x = uniform(scale, M * N, 0, scale);
      const [sm, lsm] = withArena(be, (a) => {
        const pX = a.put(x),
          pY = a.empty(M * N),
          pL = a.empty(M * N);
        be.softmaxRows(pX, pY, M, N);
        be.logSoftmaxRows(pX, pL, M, N);
        return [a.read(pY, M * N), a.read(pL, M * N)];
      });
      const ref: number[] = [],
        refLog: number[] = [];
      for (let i = 0; i < M; i++) {
        const row = Array.from(x.subarray(i * N, (i + 1) * N));
        const m = Math.max(...row),
          e = row.map((v) => Math.exp(v - m)),
          s = e.reduce((p, v) => p + v, 0);
        ref.push(...e.map((v) => v / s));
        refLog.push(...row.map((v) => v - m - Math.log(s)));
      }
      check(sm, ref);
      check(lsm, refLog);
    }
  });
});
