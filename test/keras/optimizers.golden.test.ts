/**
 * Keras 3's own optimizer tests, ported: the numbers are Keras's (copied from
 * keras/src/optimizers/<name>_test.py at keras-team/keras master); the tests
 * run simdnet's optimizers through Optimizer.apply on the js backend and on
 * every wasm build. Each case names the Keras test it comes from.
 *
 * test_correctness_with_golden: x = ones(10); one step with gradients 0.01,
 * then steps with gradients 0.1, 0.2, …, 1.0; x is compared with Keras's
 * golden row after each of the first five steps (rtol = atol = 5e-4, as Keras).
 * test_single_step: lr 0.5, x = [1, 2, 3, 4], g = [1, 6, 7, 2] (1e-4).
 * test_weight_decay: lr 1, weight_decay 0.004, zero gradients; var1 goes
 * through three optimizers (2·0.996³ = 1.9760959), the excluded ones stay 2.
 * test_clip_norm / test_clip_value: [100, 100] clipped to [√2/2, √2/2] / [1, 1].
 */
import { beforeAll, expect, test } from 'vitest';
import * as O from '../../src/optimizers.js';
import { ValueError } from '../../src/errors.js';
import { allClose, describeBackends, runOptimizer } from './backends.js';
import type { Backend } from '../../src/backend/types.js';

const ARANGE = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0];
const tile = (col: number[]): number[][] => col.map((v) => new Array(10).fill(v));

interface Golden {
  name: string;
  make: () => O.Optimizer;
  golden: number[][];
}
const GOLDEN: Golden[] = [
  {
    name: 'sgd_test.py test_correctness_with_golden: SGD(nesterov=True)',
    make: () => new O.SGD({ nesterov: true }),
    golden: [
      [0.9999, 0.9999, 0.9999, 0.9999, 0.9999, 0.9999, 0.9999, 0.9999, 0.9999, 0.9999],
      [0.9989, 0.9979, 0.9969, 0.9959, 0.9949, 0.9939, 0.9929, 0.9919, 0.9909, 0.9899],
      [0.9979, 0.9959, 0.9939, 0.9919, 0.9899, 0.9879, 0.9859, 0.9839, 0.9819, 0.9799],
      [0.9969, 0.9939, 0.9909, 0.9879, 0.9849, 0.9819, 0.9789, 0.9759, 0.9729, 0.9699],
      [0.9959, 0.9919, 0.9879, 0.9839, 0.9799, 0.9759, 0.9719, 0.9679, 0.9639, 0.9599],
    ],
  },
  {
    name: 'adam_test.py test_correctness_with_golden: Adam(amsgrad=True)',
    make: () => new O.Adam({ amsgrad: true }),
    golden: tile([0.999, 0.9982, 0.9974, 0.9965, 0.9955]),
  },
  {
    name: 'adamw_test.py test_correctness_with_golden: AdamW(learning_rate=1.0, weight_decay=0.5, epsilon=2)',
    make: () => new O.AdamW({ learningRate: 1, weightDecay: 0.5, epsilon: 2 }),
    golden: [
      [0.4998, 0.4998, 0.4998, 0.4998, 0.4998, 0.4998, 0.4998, 0.4998, 0.4998, 0.4998],
      [0.2486, 0.2475, 0.2463, 0.2451, 0.244, 0.2428, 0.2417, 0.2405, 0.2394, 0.2382],
      [0.1223, 0.1198, 0.1174, 0.1149, 0.1124, 0.11, 0.1075, 0.1051, 0.1027, 0.1003],
      [0.0586, 0.0549, 0.0512, 0.0475, 0.0439, 0.0402, 0.0366, 0.033, 0.0294, 0.0258],
      [0.0263, 0.0215, 0.0167, 0.012, 0.0073, 0.0026, -0.0021, -0.0067, -0.0113, -0.0159],
    ],
  },
  {
    name: 'rmsprop_test.py test_correctness_with_golden: RMSprop(centered=True)',
    make: () => new O.RMSprop({ centered: true }),
    golden: tile([0.9967, 0.9933, 0.9908, 0.9885, 0.9864]),
  },
  {
    name: 'adagrad_test.py test_correctness_with_golden: Adagrad(learning_rate=0.2, initial_accumulator_value=0.3, epsilon=1e-6)',
    make: () => new O.Adagrad({ learningRate: 0.2, initialAccumulatorValue: 0.3, epsilon: 1e-6 }),
    golden: [
      [0.9963, 0.9963, 0.9963, 0.9963, 0.9963, 0.9963, 0.9963, 0.9963, 0.9963, 0.9963],
      [0.9604, 0.9278, 0.9003, 0.8784, 0.8615, 0.8487, 0.8388, 0.8313, 0.8255, 0.8209],
      [0.9251, 0.8629, 0.8137, 0.7768, 0.7497, 0.7298, 0.7151, 0.704, 0.6956, 0.6891],
      [0.8903, 0.8012, 0.7342, 0.6862, 0.6521, 0.6277, 0.6099, 0.5967, 0.5867, 0.579],
      [0.856, 0.7422, 0.6604, 0.6037, 0.5644, 0.5367, 0.5168, 0.5021, 0.491, 0.4825],
    ],
  },
  {
    name: 'adadelta_test.py test_correctness_with_golden: Adadelta(learning_rate=1.0, rho=0.8, epsilon=1e-6)',
    make: () => new O.Adadelta({ learningRate: 1, rho: 0.8, epsilon: 1e-6 }),
    golden: tile([0.9978, 0.9947, 0.9915, 0.9882, 0.9849]),
  },
  {
    name: 'adamax_test.py test_correctness_with_golden: Adamax(learning_rate=0.2, beta_1=0.85, beta_2=0.95, epsilon=1e-6)',
    make: () => new O.Adamax({ learningRate: 0.2, beta1: 0.85, beta2: 0.95, epsilon: 1e-6 }),
    golden: [
      [0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8],
      [0.6827, 0.6873, 0.6888, 0.6896, 0.6901, 0.6904, 0.6906, 0.6908, 0.6909, 0.691],
      [0.5333, 0.5407, 0.5431, 0.5444, 0.5451, 0.5456, 0.546, 0.5462, 0.5464, 0.5466],
      [0.368, 0.3773, 0.3804, 0.382, 0.3829, 0.3835, 0.384, 0.3843, 0.3846, 0.3848],
      [0.1933, 0.204, 0.2076, 0.2094, 0.2105, 0.2112, 0.2117, 0.2121, 0.2124, 0.2126],
    ],
  },
  {
    name: 'nadam_test.py test_correctness_with_golden: Nadam(learning_rate=0.5, beta_1=0.5, beta_2=0.67, epsilon=1e-5)',
    make: () => new O.Nadam({ learningRate: 0.5, beta1: 0.5, beta2: 0.67, epsilon: 1e-5 }),
    golden: [
      [0.4281, 0.4281, 0.4281, 0.4281, 0.4281, 0.4281, 0.4281, 0.4281, 0.4281, 0.4281],
      [-0.1738, -0.1731, -0.1726, -0.1723, -0.1721, -0.172, -0.1719, -0.1718, -0.1718, -0.1717],
      [-0.7115, -0.7103, -0.7096, -0.7092, -0.709, -0.7088, -0.7086, -0.7085, -0.7085, -0.7084],
      [-1.2335, -1.2322, -1.2313, -1.2309, -1.2306, -1.2304, -1.2302, -1.2301, -1.23, -1.2299],
      [-1.7492, -1.7478, -1.7469, -1.7464, -1.7461, -1.7459, -1.7457, -1.7456, -1.7455, -1.7454],
    ],
  },
  {
    name: 'lion_test.py test_correctness_with_golden: Lion()',
    make: () => new O.Lion(),
    golden: tile([0.999, 0.998, 0.997, 0.996, 0.995]),
  },
  {
    name: 'ftrl_test.py test_correctness_with_golden: Ftrl(learning_rate=0.05, learning_rate_power=-0.2, initial_accumulator_value=0.4, l1=0.05, l2=0.15, l2_shrinkage=0.01, beta=0.3)',
    make: () =>
      new O.Ftrl({
        learningRate: 0.05,
        learningRatePower: -0.2,
        initialAccumulatorValue: 0.4,
        l1RegularizationStrength: 0.05,
        l2RegularizationStrength: 0.15,
        l2ShrinkageRegularizationStrength: 0.01,
        beta: 0.3,
      }),
    golden: [
      [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
      [-0.0034, -0.0077, -0.0118, -0.0157, -0.0194, -0.023, -0.0263, -0.0294, -0.0325, -0.0354],
      [-0.0078, -0.0162, -0.0242, -0.0317, -0.0387, -0.0454, -0.0516, -0.0575, -0.0631, -0.0685],
      [-0.0121, -0.0246, -0.0363, -0.0472, -0.0573, -0.0668, -0.0757, -0.0842, -0.0922, -0.0999],
      [-0.0164, -0.0328, -0.0481, -0.0623, -0.0753, -0.0875, -0.099, -0.1098, -0.1201, -0.1299],
    ],
  },
];

const SINGLE: [string, () => O.Optimizer, number[]][] = [
  ['sgd_test.py test_single_step', () => new O.SGD({ learningRate: 0.5 }), [0.5, -1.0, -0.5, 3.0]],
  ['adam_test.py test_single_step', () => new O.Adam({ learningRate: 0.5 }), [0.5, 1.5, 2.5, 3.5]],
  ['adamw_test.py test_single_step', () => new O.AdamW({ learningRate: 0.5 }), [0.498, 1.496, 2.494, 3.492]],
  ['rmsprop_test.py test_single_step', () => new O.RMSprop({ learningRate: 0.5 }), [-0.5811, 0.4189, 1.4189, 2.4189]],
  ['adagrad_test.py test_single_step', () => new O.Adagrad({ learningRate: 0.5 }), [0.5233, 1.5007, 2.5005, 3.5061]],
  ['adadelta_test.py test_single_step', () => new O.Adadelta({ learningRate: 0.5 }), [0.9993, 1.9993, 2.9993, 3.9993]],
  ['adamax_test.py test_single_step', () => new O.Adamax({ learningRate: 0.5 }), [0.5, 1.5, 2.5, 3.5]],
  ['nadam_test.py test_single_step', () => new O.Nadam({ learningRate: 0.5 }), [0.4686, 1.4686, 2.4686, 3.4686]],
  ['lion_test.py test_single_step', () => new O.Lion({ learningRate: 0.5 }), [0.5, 1.5, 2.5, 3.5]],
  ['ftrl_test.py test_single_step', () => new O.Ftrl({ learningRate: 0.5 }), [0.2218, 1.3954, 2.3651, 2.8814]],
];

/**
 * Every optimizer class with its Keras test file, for the weight-decay and clipping tests (Keras's Ftrl test has no
 * weight-decay case).
 */
const CLASSES: [string, (a: O.OptimizerArgs) => O.Optimizer, boolean][] = [
  ['sgd', (a) => new O.SGD(a), true],
  ['adam', (a) => new O.Adam(a), true],
  ['adamw', (a) => new O.AdamW(a), true],
  ['rmsprop', (a) => new O.RMSprop(a), true],
  ['adagrad', (a) => new O.Adagrad(a), true],
  ['adadelta', (a) => new O.Adadelta(a), true],
  ['adamax', (a) => new O.Adamax(a), true],
  ['nadam', (a) => new O.Nadam(a), true],
  ['lion', (a) => new O.Lion(a), true],
  ['ftrl', (a) => new O.Ftrl(a), false],
];

describeBackends('Keras 3 optimizer golden values', (load) => {
  let be: Backend;
  beforeAll(async () => {
    be = await load();
  });

  for (const g of GOLDEN) {
    test(g.name, () => {
      const steps = [[new Array(10).fill(0.01)], ...Array.from({ length: 4 }, () => [ARANGE])];
      const { values } = runOptimizer(be, g.make(), [{ value: new Array(10).fill(1) }], steps);
      for (let i = 0; i < 5; i++) {
        const bad = allClose(values[i]![0]!, g.golden[i]!, 5e-4, 5e-4);
        expect(bad, `golden row ${i}`).toBeNull();
      }
    });
  }

  for (const [name, make, want] of SINGLE) {
    test(`${name}: lr 0.5, x = [1, 2, 3, 4], g = [1, 6, 7, 2]`, () => {
      const { values } = runOptimizer(be, make(), [{ value: [1, 2, 3, 4] }], [[[1, 6, 7, 2]]]);
      expect(allClose(values[0]![0]!, want, 1e-4, 1e-4)).toBeNull();
    });
  }

  for (const [name, make, hasWd] of CLASSES) {
    if (hasWd) {
      test(`${name}_test.py test_weight_decay: 2·0.996³ = 1.9760959, excluded by name fragment and by full name stay 2`, () => {
        const v1 = [2],
          zero = [[0]],
          zero2 = [[0], [0]];
        let r = runOptimizer(be, make({ learningRate: 1, weightDecay: 0.004 }), [{ value: v1, name: 'var1' }], [zero]);
        const opt2 = make({ learningRate: 1, weightDecay: 0.004 });
        opt2.excludeFromWeightDecay(['exclude']); // Keras: exclude_from_weight_decay(var_names=['exclude'])
        r = runOptimizer(
          be,
          opt2,
          [
            { value: r.values[0]![0]!, name: 'var1' },
            { value: [2], name: 'exclude' },
          ],
          [zero2],
        );
        const var2 = r.values[0]![1]![0]!;
        // Keras's var_list=[var3] exclusion, by the weight's full name here.
        const opt3 = make({ learningRate: 1, weightDecay: 0.004, excludeFromWeightDecay: ['dense_3/kernel'] });
        r = runOptimizer(
          be,
          opt3,
          [
            { value: r.values[0]![0]!, name: 'var1' },
            { value: [2], name: 'dense_3/kernel' },
          ],
          [zero2],
        );
        expect(Math.abs(r.values[0]![0]![0]! - 1.9760959)).toBeLessThan(1.5e-6);
        expect(var2).toBe(2);
        expect(r.values[0]![1]![0]).toBe(2);
      });
    }
    test(`${name}_test.py test_clip_norm and test_clip_value: [100, 100] → [√2/2, √2/2] and [1, 1]`, () => {
      const norm = runOptimizer(be, make({ clipnorm: 1 }), [{ value: [0, 0] }], [[[100, 100]]]).grads[0]!;
      expect(allClose(norm, [2 ** 0.5 / 2, 2 ** 0.5 / 2], 1e-6, 1e-6)).toBeNull();
      const value = runOptimizer(be, make({ clipvalue: 1 }), [{ value: [0, 0] }], [[[100, 100]]]).grads[0]!;
      expect(value).toEqual([1, 1]);
    });
  }

  test('Adagrad divides by √(a + ε) (Keras 3 adagrad.py): accumulator 0 and g = 1e-4 step by 0.0301511, not 0.0999', () => {
    const { values } = runOptimizer(
      be,
      new O.Adagrad({ learningRate: 0.1, initialAccumulatorValue: 0 }),
      [{ value: [1] }],
      [[[1e-4]]],
    );
    expect(1 - values[0]![0]![0]!).toBeCloseTo(0.0301511, 6);
  });
});

test("base_optimizer.py: only one of clipnorm, clipvalue and global_clipnorm, refused with Keras's message", () => {
  const msg = (a: string, b: string, c: string) =>
    `Only one of \`clipnorm\`, \`clipvalue\` and \`global_clipnorm\` can be set. Received: clipnorm=${a}, clipvalue=${b}, global_clipnorm=${c}. (Here the arguments are \`clipnorm\`, \`clipvalue\` and \`globalClipnorm\`: keep one.)`;
  for (const [make] of CLASSES.map(([, m]) => [m] as const)) {
    expect(() => make({ clipnorm: 1, clipvalue: 0.5 })).toThrow(new ValueError(msg('1', '0.5', 'None')));
    expect(() => make({ globalClipnorm: 2, clipvalue: 0.5 })).toThrow(new ValueError(msg('None', '0.5', '2')));
    expect(() => make({ clipnorm: 1, globalClipnorm: 2 })).toThrow(new ValueError(msg('1', 'None', '2')));
  }
  // Through a config (Keras snake_case), too.
  expect(() => O.getOptimizer({ className: 'Adam', config: { clipnorm: 1, clipvalue: 1 } })).toThrow(
    /Only one of `clipnorm`, `clipvalue` and `global_clipnorm`/,
  );
});

test('lion_test.py test_invalid_beta_1: beta_1 of -0.1, 0 and 1.1 are refused, naming the argument', () => {
  for (const b of [-0.1, 0, 1.1])
    expect(() => new O.Lion({ beta1: b })).toThrow(/`beta1`.*\(0, 1\].*SignSGD.*Received: /);
  expect(() => new O.Lion({ beta1: 1 })).not.toThrow();
});

test('ftrl.py argument checks and test_config (both name styles round-trip)', () => {
  expect(() => new O.Ftrl({ learningRatePower: 0.1 })).toThrow(/`learningRatePower`/);
  expect(() => new O.Ftrl({ initialAccumulatorValue: -1 })).toThrow(/`initialAccumulatorValue`/);
  expect(() => new O.Ftrl({ l1RegularizationStrength: -1 })).toThrow(/`l1RegularizationStrength`/);
  const f = new O.Ftrl({
    learningRate: 0.05,
    learningRatePower: -0.2,
    initialAccumulatorValue: 0.4,
    l1RegularizationStrength: 0.05,
    l2RegularizationStrength: 0.15,
    l2ShrinkageRegularizationStrength: 0.01,
    beta: 0.3,
  });
  const back = O.getOptimizer({ className: 'Ftrl', config: f.getConfig() });
  expect(back).toBeInstanceOf(O.Ftrl);
  expect(back.getConfig()).toEqual(f.getConfig());
  const l = O.getOptimizer({ className: 'Lion', config: { learning_rate: 0.5, beta_1: 0.5, beta_2: 0.67 } }) as O.Lion;
  expect([l.beta1, l.beta2, l.learningRate]).toEqual([0.5, 0.67, 0.5]);
  expect(O.getOptimizer('lion')).toBeInstanceOf(O.Lion);
  expect(O.getOptimizer('ftrl')).toBeInstanceOf(O.Ftrl);
  const ex = O.getOptimizer({ className: 'AdamW', config: { exclude_from_weight_decay: ['bias'] } });
  expect(ex.excludedFromWeightDecay).toEqual(['bias']);
  expect(ex.getConfig().exclude_from_weight_decay).toEqual(['bias']);
  expect(() => new O.Adam({ excludeFromWeightDecay: 'bias' as unknown as string[] })).toThrow(
    /`excludeFromWeightDecay`: expected an array/,
  );
});

test('excludeFromWeightDecay in training: the model passes each weight\'s name, so a "bias" fragment spares every bias', async () => {
  const sn = await import('../../src/index.js');
  for (const backend of ['js', 'wasm'] as const) {
    sn.setBackend(backend);
    // x = 0 and y = 1 = the prediction (kernel ones, bias one): every gradient is 0, so only decay moves a weight.
    const model = sn.sequential([
      sn.layers.dense({ units: 2, inputDim: 3, kernelInitializer: 'ones', biasInitializer: 'ones' }),
    ]);
    model.compile({
      optimizer: sn.optimizers.sgd({ learningRate: 0.1, weightDecay: 0.5, excludeFromWeightDecay: ['bias'] }),
      loss: 'mse',
    });
    await model.fit([[0, 0, 0]], [[1, 1]], { epochs: 1, batchSize: 1, verbose: 0 });
    const [kernel, bias] = model.getWeights();
    expect(Array.from(kernel!.values), backend).toEqual(new Array(6).fill(Math.fround(0.95)));
    expect(Array.from(bias!.values), backend).toEqual([1, 1]);
  }
});
