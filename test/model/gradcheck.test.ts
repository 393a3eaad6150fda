/**
 * Finite-difference gradient checks of whole models: every activation in a
 * hidden and an output Dense layer, every loss, every regularizer, and every
 * layer kind, on both backends. The model's analytic gradient (one backward
 * pass) is compared with central differences of the loss it reports.
 *
 * Tolerance: activations are stored in float32 between layers, so a central
 * difference with step h has rounding noise ~ 1e-7·|loss|/h plus O(h²)
 * truncation; with h = 1e-3 the two agree to ~1e-3 of the gradient's norm.
 * We require ‖g − g_fd‖ ≤ 2e-2·max(‖g‖, 1e-3).
 */
import { describe, expect, it } from 'vitest';
import * as sn from '../../src/index.js';
import { gradError, rng } from '../helpers/gradcheck.js';

const ACTIVATIONS = [
  'linear',
  'relu',
  'leaky_relu',
  'elu',
  'selu',
  'sigmoid',
  'tanh',
  'exponential',
  'softplus',
  'softsign',
  'gelu',
  'swish',
  'hard_sigmoid',
  'hard_sigmoid_legacy',
  'relu6',
  'softmax',
];
const LOSSES = [
  'mean_squared_error',
  'mean_absolute_error',
  'huber',
  'log_cosh',
  'hinge',
  'binary_crossentropy',
  'categorical_crossentropy',
  'sparse_categorical_crossentropy',
];
const REGS: (string | undefined)[] = [undefined, 'l1', 'l2', 'l1l2'];

function outputActivationFor(loss: string, hidden: string): string {
  if (loss === 'binary_crossentropy') return 'sigmoid';
  if (loss.includes('categorical')) return 'softmax';
  return hidden; // the activation under test also serves as the output of regression losses
}

function targets(loss: string, n: number, k: number, r: () => number): number[][] {
  return Array.from({ length: n }, () => {
    if (loss === 'sparse_categorical_crossentropy') return [Math.floor(r() * k)];
    if (loss === 'categorical_crossentropy') {
      const row = new Array(k).fill(0);
      row[Math.floor(r() * k)] = 1;
      return row;
    }
    if (loss === 'binary_crossentropy' || loss === 'hinge') return Array.from({ length: k }, () => (r() < 0.5 ? 0 : 1));
    return Array.from({ length: k }, () => r() * 2 - 1);
  });
}

for (const backend of ['js', 'wasm'] as const) {
  describe(`gradient check (${backend} backend)`, () => {
    it('every hidden/output activation × loss × regularizer', () => {
      sn.setBackend(backend);
      const r = rng(42);
      const failures: string[] = [];
      let i = 0;
      for (const act of ACTIVATIONS) {
        for (const loss of LOSSES) {
          const reg = REGS[i++ % REGS.length];
          const outAct = outputActivationFor(loss, act);
          const k = loss === 'binary_crossentropy' || loss === 'hinge' ? 2 : 3;
          sn.setSeed(1000 + i);
          const model = sn.sequential([
            sn.layers.dense({ units: 4, inputDim: 3, activation: act, kernelRegularizer: reg, biasRegularizer: reg }),
            sn.layers.dense({
              units: k,
              activation: outAct,
              kernelInitializer: 'glorot_normal',
              biasInitializer: sn.initializers.randomNormal({ stddev: 0.1, seed: i }),
            }),
          ]);
          model.compile({ optimizer: 'sgd', loss: loss === 'huber' ? sn.losses.huber({ delta: 0.5 }) : loss });
          const x = Array.from({ length: 5 }, () => [r() * 2 - 1, r() * 2 - 1, r() * 2 - 1]);
          const y = targets(loss, 5, k, r);
          const { err, norm } = gradError(model, x, y);
          if (!(err <= 2e-2 * Math.max(norm, 1e-3)))
            failures.push(
              `${act} + ${loss} + ${reg ?? 'no reg'}: |g - fd| = ${err.toExponential(2)}, |g| = ${norm.toExponential(2)}`,
            );
        }
      }
      expect(failures).toEqual([]);
    });

    it('every layer kind × regularizer, with fused and unfused cross-entropies', () => {
      sn.setBackend(backend);
      const r = rng(7);
      const failures: string[] = [];
      const variants: [string, () => sn.layers.Layer[]][] = [
        ['activation(tanh)', () => [sn.layers.activation({ activation: 'tanh' })]],
        ['activation(softmax)', () => [sn.layers.activation({ activation: 'softmax' })]],
        ['leakyReLU', () => [sn.layers.leakyReLU({ alpha: 0.1 })]],
        ['elu', () => [sn.layers.elu({ alpha: 0.7 })]],
        ['dropout', () => [sn.layers.dropout({ rate: 0.3 })]],
        ['batchNormalization', () => [sn.layers.batchNormalization({ momentum: 0.9 })]],
        ['batchNormalization(no center/scale)', () => [sn.layers.batchNormalization({ center: false, scale: false })]],
        ['flatten', () => [sn.layers.flatten()]],
        ['dense(no bias)', () => [sn.layers.dense({ units: 3, useBias: false, activation: 'gelu' })]],
      ];
      let i = 0;
      for (const [name, make] of variants) {
        for (const reg of REGS) {
          for (const [loss, outAct] of [
            ['categorical_crossentropy', 'softmax'],
            ['binary_crossentropy', 'sigmoid'],
            ['sparse_categorical_crossentropy', 'softmax'],
            ['mse', 'linear'],
            ['categorical_crossentropy', 'linear_softmax_layer'],
          ] as const) {
            i++;
            sn.setSeed(2000 + i);
            const last =
              outAct === 'linear_softmax_layer'
                ? [sn.layers.dense({ units: 3 }), sn.layers.activation({ activation: 'softmax' })]
                : [sn.layers.dense({ units: 3, activation: outAct, kernelRegularizer: reg })];
            const model = sn.sequential([
              sn.layers.dense({
                units: 5,
                inputDim: 4,
                activation: 'tanh',
                kernelRegularizer: reg,
                biasRegularizer: reg,
              }),
              ...make(),
              ...last,
            ]);
            model.compile({ optimizer: 'adam', loss });
            const x = Array.from({ length: 6 }, () => [r() * 2 - 1, r() * 2 - 1, r() * 2 - 1, r() * 2 - 1]);
            const y = targets(loss, 6, 3, r);
            const { err, norm } = gradError(model, x, y, 11 + i);
            if (!(err <= 2e-2 * Math.max(norm, 1e-3)))
              failures.push(
                `${name} + ${reg ?? 'no reg'} + ${loss}/${outAct}: |g - fd| = ${err.toExponential(2)}, |g| = ${norm.toExponential(2)}`,
              );
          }
        }
      }
      expect(failures).toEqual([]);
    });

    it('dense and batchNormalization on the last axis of a [3, 4] input per sample: rank-2 outputs (mse, bce) and through flatten (cce)', () => {
      sn.setBackend(backend);
      const r = rng(13);
      const failures: string[] = [];
      const cases = [
        ['mse', () => [sn.layers.dense({ units: 2, activation: 'tanh' })]],
        ['binary_crossentropy', () => [sn.layers.dense({ units: 2, activation: 'sigmoid' })]],
        ['categorical_crossentropy', () => [sn.layers.flatten(), sn.layers.dense({ units: 3, activation: 'softmax' })]],
      ] as const;
      let i = 0;
      for (const [loss, head] of cases) {
        for (const bn of [false, true]) {
          i++;
          sn.setSeed(3000 + i);
          const model = sn.sequential([
            sn.layers.dense({ units: 5, inputShape: [3, 4], activation: 'swish', kernelRegularizer: 'l2' }),
            ...(bn ? [sn.layers.batchNormalization({ momentum: 0.8 })] : []),
            ...head(),
          ]);
          model.compile({ optimizer: 'sgd', loss });
          expect(model.layers[0]!.outputShape).toEqual([3, 5]);
          const x = Array.from({ length: 4 }, () =>
            Array.from({ length: 3 }, () => Array.from({ length: 4 }, () => r() * 2 - 1)),
          );
          const y =
            loss === 'categorical_crossentropy'
              ? targets(loss, 4, 3, r)
              : Array.from({ length: 4 }, () =>
                  Array.from({ length: 3 }, () =>
                    Array.from({ length: 2 }, () => (loss === 'mse' ? r() * 2 - 1 : r() < 0.5 ? 0 : 1)),
                  ),
                );
          const { err, norm } = gradError(model, x as unknown as number[][], y as unknown as number[][], 17 + i);
          if (!(err <= 2e-2 * Math.max(norm, 1e-3)))
            failures.push(
              `${loss}${bn ? ' + batchNormalization' : ''}: |g - fd| = ${err.toExponential(2)}, |g| = ${norm.toExponential(2)}`,
            );
        }
      }
      expect(failures).toEqual([]);
    });

    it('shape layers: permute, reshape and repeatVector between dense layers (rank-2 and flat outputs)', () => {
      sn.setBackend(backend);
      const r = rng(21);
      const failures: string[] = [];
      const cases: [string, string, () => sn.layers.Layer[]][] = [
        [
          'permute + reshape',
          'categorical_crossentropy',
          () => [
            sn.layers.dense({ units: 5, inputShape: [3, 4], activation: 'tanh' }),
            sn.layers.permute({ dims: [2, 1] }),
            sn.layers.dense({ units: 2, activation: 'elu' }),
            sn.layers.reshape({ targetShape: [-1] }),
            sn.layers.dense({ units: 3, activation: 'softmax' }),
          ],
        ],
        [
          'repeatVector',
          'mse',
          () => [
            sn.layers.reshape({ inputShape: [3, 4], targetShape: [12] }),
            sn.layers.dense({ units: 4, activation: 'swish' }),
            sn.layers.repeatVector({ n: 3 }),
            sn.layers.dense({ units: 2, activation: 'tanh' }),
          ],
        ],
      ];
      let i = 0;
      for (const [name, loss, make] of cases) {
        i++;
        sn.setSeed(4000 + i);
        const model = sn.sequential(make());
        model.compile({ optimizer: 'sgd', loss });
        const x = Array.from({ length: 4 }, () =>
          Array.from({ length: 3 }, () => Array.from({ length: 4 }, () => r() * 2 - 1)),
        );
        const y =
          loss === 'mse'
            ? Array.from({ length: 4 }, () => Array.from({ length: 3 }, () => [r() * 2 - 1, r() * 2 - 1]))
            : targets(loss, 4, 3, r);
        const { err, norm } = gradError(model, x as unknown as number[][], y as unknown as number[][], 23 + i);
        if (!(err <= 2e-2 * Math.max(norm, 1e-3)))
          failures.push(`${name}: |g - fd| = ${err.toExponential(2)}, |g| = ${norm.toExponential(2)}`);
      }
      expect(failures).toEqual([]);
    });

    it('a custom loss object and from-logits cross-entropies', () => {
      sn.setBackend(backend);
      const r = rng(9);
      const custom = {
        value: (t: sn.Tensor, p: sn.Tensor) => {
          let s = 0;
          for (let i = 0; i < p.size; i++) s += (p.values[i]! - t.values[i]!) ** 4;
          return s / t.shape[0]!;
        },
        gradient: (t: sn.Tensor, p: sn.Tensor) =>
          sn.tensor(
            p.values.map((v, i) => (4 * (v - t.values[i]!) ** 3) / t.shape[0]!),
            [...p.shape],
          ),
      };
      const cases: [string, sn.losses.Loss | typeof custom, string][] = [
        ['custom quartic', custom, 'mse'],
        ['bce fromLogits', sn.losses.binaryCrossentropy({ fromLogits: true }), 'binary_crossentropy'],
        ['cce fromLogits', sn.losses.categoricalCrossentropy({ fromLogits: true }), 'categorical_crossentropy'],
        [
          'sparse fromLogits',
          sn.losses.sparseCategoricalCrossentropy({ fromLogits: true }),
          'sparse_categorical_crossentropy',
        ],
      ];
      for (const [name, loss, kind] of cases) {
        sn.setSeed(77);
        const model = sn.sequential([
          sn.layers.dense({ units: 4, inputDim: 3, activation: 'elu' }),
          sn.layers.dense({ units: 3 }),
        ]);
        model.compile({ optimizer: 'sgd', loss });
        const x = Array.from({ length: 4 }, () => [r() * 2 - 1, r() * 2 - 1, r() * 2 - 1]);
        const { err, norm } = gradError(model, x, targets(kind, 4, 3, r));
        expect(err, name).toBeLessThanOrEqual(2e-2 * Math.max(norm, 1e-3));
      }
    });

    it('Keras 3 loss options: label smoothing, ignore_class, and CCE on rows that do not sum to 1 (rescaled)', () => {
      sn.setBackend(backend);
      const r = rng(13);
      const L = sn.losses;
      // [name, loss, kind of targets, output activation]. A sigmoid output under a categorical
      // cross-entropy gives rows that do not sum to 1: the unfused kernels rescale them (Keras 3).
      const cases: [string, sn.losses.Loss, string, string][] = [
        ['cce on sigmoid rows', L.categoricalCrossentropy(), 'categorical_crossentropy', 'sigmoid'],
        [
          'cce on sigmoid rows, smoothing 0.2',
          L.categoricalCrossentropy({ labelSmoothing: 0.2 }),
          'categorical_crossentropy',
          'sigmoid',
        ],
        [
          'cce fused softmax, smoothing 0.2',
          L.categoricalCrossentropy({ labelSmoothing: 0.2 }),
          'categorical_crossentropy',
          'softmax',
        ],
        [
          'cce fromLogits, smoothing 0.1',
          L.categoricalCrossentropy({ fromLogits: true, labelSmoothing: 0.1 }),
          'categorical_crossentropy',
          'linear',
        ],
        ['bce sigmoid, smoothing 0.3', L.binaryCrossentropy({ labelSmoothing: 0.3 }), 'binary_crossentropy', 'sigmoid'],
        [
          'bce on hard_sigmoid probabilities, smoothing 0.3',
          L.binaryCrossentropy({ label_smoothing: 0.3 }),
          'binary_crossentropy',
          'hard_sigmoid',
        ],
        [
          'bce fromLogits, smoothing 0.1',
          L.binaryCrossentropy({ fromLogits: true, labelSmoothing: 0.1 }),
          'binary_crossentropy',
          'linear',
        ],
        ['sparse on sigmoid rows', L.sparseCategoricalCrossentropy(), 'sparse_categorical_crossentropy', 'sigmoid'],
        [
          'sparse fused softmax, ignore_class 1',
          L.sparseCategoricalCrossentropy({ ignoreClass: 1 }),
          'sparse_categorical_crossentropy',
          'softmax',
        ],
        [
          'sparse on sigmoid rows, ignore_class 2',
          L.sparseCategoricalCrossentropy({ ignore_class: 2 }),
          'sparse_categorical_crossentropy',
          'sigmoid',
        ],
        [
          'sparse fromLogits, ignore_class 0',
          L.sparseCategoricalCrossentropy({ fromLogits: true, ignoreClass: 0 }),
          'sparse_categorical_crossentropy',
          'linear',
        ],
      ];
      const failures: string[] = [];
      for (const [name, loss, kind, outAct] of cases) {
        sn.setSeed(91);
        const k = kind === 'binary_crossentropy' ? 2 : 3;
        const model = sn.sequential([
          sn.layers.dense({ units: 4, inputDim: 3, activation: 'tanh' }),
          sn.layers.dense({ units: k, activation: outAct }),
        ]);
        model.compile({ optimizer: 'sgd', loss });
        const x = Array.from({ length: 6 }, () => [r() * 2 - 1, r() * 2 - 1, r() * 2 - 1]);
        const y = targets(kind, 6, k, r);
        const { err, norm } = gradError(model, x, y);
        if (!(norm > 0 && err <= 2e-2 * Math.max(norm, 1e-3)))
          failures.push(`${name}: |g - fd| = ${err.toExponential(2)}, |g| = ${norm.toExponential(2)}`);
      }
      expect(failures).toEqual([]);
    });
  });
}
