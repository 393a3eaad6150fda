/**
 * The new optimizers and loss options in saved models, as the other
 * optimizers and losses are: their configs (Keras snake_case) survive a save
 * with includeOptimizer and a load, and training resumes on the same loss
 * trajectory (the Lion and FTRL slots are saved and restored with the model).
 */
import { describe, expect, it } from 'vitest';
import * as sn from '../../src/index.js';
import { cloneArtifacts, inputs, io, saveToMemory, tempDir } from '../io/helpers.js';

const weights = (m: sn.Sequential) => m.getWeights().map((t) => Array.from(t.values));

describe('Keras 3 additions in saved models', () => {
  it('Lion, Ftrl and excludeFromWeightDecay configs, label smoothing and ignore_class round-trip', async () => {
    const O = sn.optimizers,
      L = sn.losses;
    const cases: [sn.optimizers.Optimizer, sn.losses.Loss][] = [
      [
        O.lion({ learningRate: 3e-4, beta1: 0.85, beta2: 0.98, weightDecay: 0.01, excludeFromWeightDecay: ['bias'] }),
        L.binaryCrossentropy({ labelSmoothing: 0.1 }),
      ],
      [
        O.ftrl({
          learningRate: 0.05,
          learningRatePower: -0.2,
          initialAccumulatorValue: 0.4,
          l1RegularizationStrength: 0.05,
          l2RegularizationStrength: 0.15,
          l2ShrinkageRegularizationStrength: 0.01,
          beta: 0.3,
        }),
        L.categoricalCrossentropy({ labelSmoothing: 0.2 }),
      ],
      [
        O.adamw({ excludeFromWeightDecay: ['bias', 'dense_1/kernel'] }),
        L.sparseCategoricalCrossentropy({ ignoreClass: -1 }),
      ],
      [O.adam({ clipvalue: 0.5 }), L.categoricalCrossentropy({ fromLogits: true, labelSmoothing: 0.05 })],
    ];
    for (const [optimizer, loss] of cases) {
      const m = sn.sequential([sn.layers.dense({ units: 2, inputDim: 3 })]);
      m.compile({ optimizer, loss });
      const saved = await saveToMemory(m, { includeOptimizer: true });
      const loaded = await sn.loadModel(io.fromMemory(cloneArtifacts(saved)));
      expect(loaded.optimizer!.className).toBe(optimizer.className);
      expect(loaded.optimizer!.getConfig()).toEqual(optimizer.getConfig());
      expect(loaded.optimizer!.excludedFromWeightDecay).toEqual(optimizer.excludedFromWeightDecay);
      const [a, b] = [loaded.loss as sn.losses.Loss, loss];
      expect([a.name, a.kind, a.getConfig()]).toEqual([b.name, b.kind, b.getConfig()]);
    }
  });

  it("a file's label_smoothing and ignore_class are read (Keras config form), and refused where Keras has none", async () => {
    const m = sn.sequential([sn.layers.dense({ units: 3, inputDim: 2, activation: 'softmax' })]);
    m.compile({ optimizer: 'sgd', loss: 'categorical_crossentropy' });
    const a = await saveToMemory(m, { includeOptimizer: true });
    const tc = a.trainingConfig as unknown as { loss: unknown };
    tc.loss = {
      class_name: 'CategoricalCrossentropy',
      config: {
        name: 'categorical_crossentropy',
        from_logits: false,
        label_smoothing: 0.3,
        reduction: 'sum_over_batch_size',
      },
    };
    expect(((await sn.loadModel(io.fromMemory(cloneArtifacts(a)))).loss as sn.losses.Loss).options.labelSmoothing).toBe(
      0.3,
    );
    tc.loss = {
      class_name: 'SparseCategoricalCrossentropy',
      config: { name: 'sparse_categorical_crossentropy', ignore_class: 255 },
    };
    expect(((await sn.loadModel(io.fromMemory(cloneArtifacts(a)))).loss as sn.losses.Loss).options.ignoreClass).toBe(
      255,
    );
    tc.loss = { class_name: 'Huber', config: { delta: 1, label_smoothing: 0.1 } };
    await expect(sn.loadModel(io.fromMemory(cloneArtifacts(a)))).rejects.toThrow(
      /label_smoothing: label smoothing for this loss is not supported/,
    );
    tc.loss = { class_name: 'CategoricalCrossentropy', config: { label_smoothing: 2 } };
    await expect(sn.loadModel(io.fromMemory(cloneArtifacts(a)))).rejects.toThrow(
      /label_smoothing: expected a number in \[0, 1\]/,
    );
  });

  it('with includeOptimizer, Lion and Ftrl training resumes on the same loss trajectory as an uninterrupted run', async () => {
    const x = inputs(40, 5, 9);
    const y = x.map((r) => [r[0]! * r[1]! > 0 ? 1 : 0]);
    const fitArgs = { batchSize: 8, verbose: 0, shuffle: false, seed: 21 } as const;
    for (const make of [
      () => sn.optimizers.lion({ learningRate: 0.003, weightDecay: 0.1, excludeFromWeightDecay: ['bias'] }),
      () => sn.optimizers.ftrl({ learningRate: 0.1, l1RegularizationStrength: 0.001 }),
    ]) {
      const build = () => {
        sn.setSeed(8);
        const m = sn.sequential([
          sn.layers.dense({ units: 8, inputDim: 5, activation: 'relu' }),
          sn.layers.dense({ units: 1, activation: 'sigmoid' }),
        ]);
        m.compile({ optimizer: make(), loss: 'binary_crossentropy' });
        return m;
      };
      const straight = build();
      await straight.fit(x, y, { ...fitArgs, epochs: 3 });
      const h2 = await straight.fit(x, y, { ...fitArgs, epochs: 6, initialEpoch: 3 });
      const first = build();
      await first.fit(x, y, { ...fitArgs, epochs: 3 });
      const dir = tempDir('resume-k3');
      await first.save(dir, { includeOptimizer: true });
      const resumed = await sn.loadModel(dir);
      expect(resumed.optimizer!.iterations).toBe(first.optimizer!.iterations);
      const g2 = await resumed.fit(x, y, { ...fitArgs, epochs: 6, initialEpoch: 3 });
      expect(g2.history.loss, resumed.optimizer!.className).toEqual(h2.history.loss);
      expect(weights(resumed)).toEqual(weights(straight));
    }
  });
});
