/**
 * Keras 3's loss tests (keras/src/losses/losses_test.py), ported: the inputs
 * and expected values are Keras's; each case names its test class and method.
 * The losses run through simdnet's Loss objects (the kernels a model calls) on
 * the js backend and every wasm build; Keras's default reduction
 * "sum_over_batch_size" is the kernel's weighted sum divided by the batch size,
 * as the model computes it. Tolerances are Keras's: its TestCase.assertAlmostEqual
 * checks |x − y| < 1.5·10^−decimal with decimal = 3 by default (Keras's golden
 * numbers are rounded to 4 decimals), assertAllClose rtol = atol = 1e-6.
 */
import { beforeAll, expect, test } from 'vitest';
import * as L from '../../src/losses.js';
import { ValueError } from '../../src/errors.js';
import { getLoss } from '../../src/losses.js';
import type { Backend } from '../../src/backend/types.js';
import { withArena } from '../kernels/helpers.js';
import { describeBackends } from './backends.js';

/** Keras's loss value (sum_over_batch_size) for targets t (rows, or labels) and predictions p, through Loss.run. */
function kerasValue(
  be: Backend,
  loss: L.Loss,
  t: number[][] | number[],
  p: number[][],
  w?: number[],
  outAct = 'linear',
): number {
  const M = p.length,
    N = p[0]!.length;
  return withArena(be, (a) => {
    const T = a.put((t as (number | number[])[]).flat()),
      P = a.put(p.flat()),
      G = a.empty(M * N);
    const W = w ? a.put(w) : 0;
    return loss.run(be, T, P, P, G, W, M, N, 1 / M, outAct).sum / M;
  });
}
const near = (x: number, want: number, places = 3) =>
  expect(Math.abs(x - want), `${x} vs Keras ${want}`).toBeLessThan(1.5 * 10 ** -places);

const YT = [
    [1, 9, 2],
    [-5, -2, 6],
  ],
  YP = [
    [4, 8, 12],
    [8, 1, 3],
  ];
const huberRef = (t: number, p: number, d: number) => {
  const e = Math.abs(p - t);
  return e <= d ? 0.5 * e * e : d * e - 0.5 * d * d;
};

describeBackends('Keras 3 loss golden values', (load) => {
  let be: Backend;
  beforeAll(async () => {
    be = await load();
  });

  test('MeanSquaredErrorTest: test_unweighted 49.5, test_scalar_weighted 113.85, test_sample_weighted 767.8/6, test_zero_weighted 0, test_all_correct_unweighted 0', () => {
    const mse = L.meanSquaredError();
    near(kerasValue(be, mse, YT, YP), 49.5);
    near(kerasValue(be, mse, YT, YP, [2.3, 2.3]), 113.85);
    near(kerasValue(be, mse, YT, YP, [1.2, 3.4]), 767.8 / 6);
    near(kerasValue(be, mse, YT, YP, [0, 0]), 0);
    near(
      kerasValue(
        be,
        mse,
        [
          [4, 8, 12],
          [8, 1, 3],
        ],
        [
          [4, 8, 12],
          [8, 1, 3],
        ],
      ),
      0,
    );
  });

  test('MeanAbsoluteErrorTest: test_unweighted 5.5, test_scalar_weighted 12.65, test_sample_weighted 81.4/6, test_zero_weighted 0', () => {
    const mae = L.meanAbsoluteError();
    near(kerasValue(be, mae, YT, YP), 5.5);
    near(kerasValue(be, mae, YT, YP, [2.3, 2.3]), 12.65);
    near(kerasValue(be, mae, YT, YP, [1.2, 3.4]), 81.4 / 6);
    near(kerasValue(be, mae, YT, YP, [0, 0]), 0);
  });

  test('HingeTest: test_unweighted 1.3, test_weighted [1, 0] 0.55, test_zero_weighted 0', () => {
    const t = [
        [0, 1],
        [0, 0],
      ],
      p = [
        [0.6, 0.4],
        [0.4, 0.6],
      ];
    near(kerasValue(be, L.hinge(), t, p), 1.3);
    near(kerasValue(be, L.hinge(), t, p, [1, 0]), 0.55);
    near(kerasValue(be, L.hinge(), t, p, [0, 0]), 0);
  });

  test("HuberLossTest: test_unweighted, test_scalar_weighted, test_sample_weighted, test_non_default_delta (Keras's huber_loss formula), test_all_correct", () => {
    const t = [
        [1, 0, 1],
        [1, 0, 0],
      ],
      p = [
        [0.9, 0.2, 0.2],
        [0.8, 0.4, 0.6],
      ];
    const expected = (d: number, w = [1, 1]) =>
      t.flat().reduce((s, tv, k) => s + w[Math.floor(k / 3)]! * huberRef(tv, p.flat()[k]!, d), 0) / 6;
    near(kerasValue(be, L.huber(), t, p), expected(1));
    near(kerasValue(be, L.huber(), t, p, [2.3, 2.3]), expected(1, [2.3, 2.3]));
    near(kerasValue(be, L.huber(), t, p, [1.2, 3.4]), expected(1, [1.2, 3.4]));
    near(kerasValue(be, L.huber({ delta: 0.8 }), t, p, [2.3, 2.3]), expected(0.8, [2.3, 2.3]));
    near(kerasValue(be, L.huber(), t, t), 0);
  });

  test("LogCoshTest: test_unweighted, test_scalar_weighted, test_sample_weighted (Keras's log((e^x + e^−x)/2))", () => {
    const lc = (w = [1, 1]) =>
      YT.flat().reduce((s, tv, k) => {
        const e = YP.flat()[k]! - tv;
        return s + w[Math.floor(k / 3)]! * Math.log((Math.exp(e) + Math.exp(-e)) / 2);
      }, 0) / 6;
    near(kerasValue(be, L.logCosh(), YT, YP), lc());
    near(kerasValue(be, L.logCosh(), YT, YP, [2.3, 2.3]), lc([2.3, 2.3]));
    near(kerasValue(be, L.logCosh(), YT, YP, [1.2, 3.4]), lc([1.2, 3.4]));
  });

  test('BinaryCrossentropyTest: test_unweighted 0.20046903 and 3.98559, logits 3.3333; test_scalar_weighted 9.1668, logits 7.666; test_sample_weighted 4.7827, logits 10.0; test_all_correct_unweighted 0', () => {
    const bce = L.binaryCrossentropy(),
      bceL = L.binaryCrossentropy({ fromLogits: true });
    const eye = [
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ];
    expect(
      Math.abs(
        kerasValue(be, bce, eye, [
          [0.9, 0.1, 0.2],
          [0.3, 0.8, 0.1],
          [0.1, 0.2, 0.7],
        ]) - 0.20046903,
      ),
    ).toBeLessThan(1e-6 + 1e-6 * 0.2);
    near(
      kerasValue(
        be,
        bce,
        [
          [1, 0],
          [1, 0],
        ],
        [
          [1, 1],
          [1, 0],
        ],
      ),
      3.98559,
    );
    near(
      kerasValue(
        be,
        bceL,
        [
          [1, 0, 1],
          [0, 1, 1],
        ],
        [
          [10, -10, 10],
          [10, 10, -10],
        ],
      ),
      3.3333,
    );
    near(
      kerasValue(
        be,
        bce,
        [
          [1, 0],
          [1, 0],
        ],
        [
          [1, 1],
          [1, 0],
        ],
        [2.3, 2.3],
      ),
      9.1668,
    );
    near(
      kerasValue(
        be,
        bceL,
        [
          [1, 0, 1],
          [0, 1, 1],
        ],
        [
          [10, -10, 10],
          [10, 10, -10],
        ],
        [2.3, 2.3],
      ),
      7.666,
    );
    near(
      kerasValue(
        be,
        bce,
        [
          [1, 0],
          [1, 0],
        ],
        [
          [1, 1],
          [1, 0],
        ],
        [1.2, 3.4],
      ),
      4.7827,
    );
    near(
      kerasValue(
        be,
        bceL,
        [
          [1, 0, 1],
          [0, 1, 1],
        ],
        [
          [10, -10, 10],
          [10, 10, -10],
        ],
        [4, 3],
      ),
      10.0,
    );
    near(kerasValue(be, bce, eye, eye), 0);
    near(
      kerasValue(be, bceL, eye, [
        [10, -10, -10],
        [-10, 10, -10],
        [-10, -10, 10],
      ]),
      0,
    );
  });

  test('BinaryCrossentropyTest.test_label_smoothing: logits [10, −10, −10], labels [1, 0, 1], smoothing 0.1 → (10 + 5·0.1)/3', () => {
    near(
      kerasValue(be, L.binaryCrossentropy({ fromLogits: true, labelSmoothing: 0.1 }), [[1, 0, 1]], [[10, -10, -10]]),
      (10 + 5 * 0.1) / 3,
    );
    // The same through the fused sigmoid path (logits in Z, output activation sigmoid).
    near(
      kerasValue(
        be,
        L.binaryCrossentropy({ label_smoothing: 0.1 }),
        [[1, 0, 1]],
        [[10, -10, -10]],
        undefined,
        'sigmoid',
      ),
      (10 + 5 * 0.1) / 3,
    );
  });

  const CCE_P = [
    [0.9, 0.05, 0.05],
    [0.5, 0.89, 0.6],
    [0.05, 0.01, 0.94],
  ];
  const CCE_Z = [
    [8, 1, 1],
    [0, 9, 1],
    [2, 3, 5],
  ];
  const EYE = [
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 1],
  ];

  test('CategoricalCrossentropyTest: test_unweighted 0.3239 (the row summing to 1.99 is rescaled), logits 0.0573; test_scalar_weighted 0.7449, 0.1317; test_sample_weighted 1.0696, 0.31829; test_all_correct_unweighted 0', () => {
    const cce = L.categoricalCrossentropy(),
      cceL = L.categoricalCrossentropy({ fromLogits: true });
    near(kerasValue(be, cce, EYE, CCE_P), 0.3239);
    near(kerasValue(be, cceL, EYE, CCE_Z), 0.0573);
    near(kerasValue(be, cce, EYE, CCE_P, [2.3, 2.3, 2.3]), 0.7449);
    near(kerasValue(be, cceL, EYE, CCE_Z, [2.3, 2.3, 2.3]), 0.1317);
    near(kerasValue(be, cce, EYE, CCE_P, [1.2, 3.4, 5.6]), 1.0696);
    near(kerasValue(be, cceL, EYE, CCE_Z, [1.2, 3.4, 5.6]), 0.31829);
    near(kerasValue(be, cce, EYE, EYE), 0);
    near(
      kerasValue(be, cceL, EYE, [
        [10, 0, 0],
        [0, 10, 0],
        [0, 0, 10],
      ]),
      0,
    );
  });

  test('CategoricalCrossentropyTest.test_label_smoothing(_ndarray): logits [100, −100, −100], smoothing 0.1 → 400·0.1/3', () => {
    near(
      kerasValue(
        be,
        L.categoricalCrossentropy({ fromLogits: true, labelSmoothing: 0.1 }),
        [[1, 0, 0]],
        [[100, -100, -100]],
      ),
      (400 * 0.1) / 3,
    );
    near(
      kerasValue(
        be,
        L.categoricalCrossentropy({ labelSmoothing: 0.1 }),
        [[1, 0, 0]],
        [[100, -100, -100]],
        undefined,
        'softmax',
      ),
      (400 * 0.1) / 3,
    );
  });

  test('SparseCategoricalCrossentropyTest: test_unweighted 0.3239, logits 0.0573; test_scalar_weighted 0.7449, 0.1317; test_sample_weighted 1.0696, 0.31829; test_all_correct_unweighted 0', () => {
    const s = L.sparseCategoricalCrossentropy(),
      sL = L.sparseCategoricalCrossentropy({ fromLogits: true });
    const y = [0, 1, 2];
    near(kerasValue(be, s, y, CCE_P), 0.3239);
    near(kerasValue(be, sL, y, CCE_Z), 0.0573);
    near(kerasValue(be, s, y, CCE_P, [2.3, 2.3, 2.3]), 0.7449);
    near(kerasValue(be, sL, y, CCE_Z, [2.3, 2.3, 2.3]), 0.1317);
    near(kerasValue(be, s, y, CCE_P, [1.2, 3.4, 5.6]), 1.0696);
    near(kerasValue(be, sL, y, CCE_Z, [1.2, 3.4, 5.6]), 0.31829);
    near(kerasValue(be, s, y, EYE), 0);
  });

  test('SparseCategoricalCrossentropyTest.test_ignore_class: labels [−1, 2], ignore_class −1 → per-sample [0, 1.480129]; the mean runs over the kept rows', () => {
    const Z = [
      [0.854, 0.698, 0.598],
      [0.088, 0.86, 0.018],
    ];
    const loss = L.sparseCategoricalCrossentropy({ fromLogits: true, ignoreClass: -1 });
    // Keras reduces a masked loss over the valid entries: 1.480129 / 1.
    // assertAllClose: rtol = atol = 1e-6.
    const close = (x: number) => expect(Math.abs(x - 1.480129), String(x)).toBeLessThanOrEqual(1e-6 + 1e-6 * 1.480129);
    close(kerasValue(be, loss, [-1, 2], Z));
    // Fused (softmax output): the same row ignored.
    close(kerasValue(be, L.sparseCategoricalCrossentropy({ ignoreClass: -1 }), [-1, 2], Z, undefined, 'softmax'));
    // Every row ignored: loss 0 (Keras: 0 / (0 + ε)).
    near(kerasValue(be, loss, [-1, -1], Z), 0);
  });
});

test('losses_test.py test_config: options round-trip through getConfig, both name styles are accepted, bad values are refused', () => {
  expect(L.binaryCrossentropy({ label_smoothing: 0.2 }).getConfig()).toEqual({ label_smoothing: 0.2 });
  expect(L.categoricalCrossentropy({ fromLogits: true, labelSmoothing: 0.1 }).getConfig()).toEqual({
    from_logits: true,
    label_smoothing: 0.1,
  });
  expect(L.sparseCategoricalCrossentropy({ ignore_class: 255 }).getConfig()).toEqual({ ignore_class: 255 });
  expect(L.sparseCategoricalCrossentropy({ ignoreClass: null }).getConfig()).toEqual({});
  expect(() => L.binaryCrossentropy({ labelSmoothing: 1.5 })).toThrow(
    new ValueError('Invalid value for `labelSmoothing`: expected a number in [0, 1]. Received: 1.5'),
  );
  expect(() => L.sparseCategoricalCrossentropy({ ignoreClass: 0.5 })).toThrow(
    /Invalid value for `ignoreClass`: expected an integer/,
  );
  expect(getLoss('categorical_crossentropy')).toBeInstanceOf(L.Loss);
});
