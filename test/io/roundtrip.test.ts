/**
 * simdnet → file → simdnet: every layer, activation, initializer, regularizer and compile option survives save and
 * load.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as sn from '../../src/index.js';
import { cloneArtifacts, inputs, io, saveToMemory, tempDir } from './helpers.js';

const cfgs = (m: sn.Sequential) => m.layers.map((l) => ({ className: l.className, config: l.getConfig() }));
const weights = (m: sn.Sequential) => m.getWeights().map((t) => Array.from(t.values));

function allKinds(): sn.Sequential {
  sn.setSeed(11);
  return sn.sequential({
    name: 'all_kinds',
    layers: [
      sn.layers.input({ shape: [2, 3] }),
      sn.layers.flatten(),
      sn.layers.dense({
        units: 7,
        activation: 'relu',
        kernelInitializer: sn.initializers.heNormal({ seed: 3 }),
        kernelRegularizer: sn.regularizers.l1l2({ l1: 0.001, l2: 0.002 }),
        biasRegularizer: sn.regularizers.l2(0.003),
      }),
      sn.layers.batchNormalization({ momentum: 0.9, epsilon: 0.01 }),
      sn.layers.dropout({ rate: 0.25, seed: 5 }),
      sn.layers.leakyReLU({ alpha: 0.1 }),
      sn.layers.dense({ units: 5, useBias: false, activation: 'linear' }),
      sn.layers.batchNormalization({
        center: false,
        scale: true,
        gammaInitializer: sn.initializers.constant({ value: 0.5 }),
      }),
      sn.layers.elu({ alpha: 0.7 }),
      sn.layers.activation({ activation: 'tanh' }),
      sn.layers.dense({ units: 3, activation: 'softmax', trainable: true }),
    ],
  });
}

describe('round trip through save and load', () => {
  it('keeps every layer kind: configs, names, weights and predictions, in memory and on disk', async () => {
    const model = allKinds();
    model.compile({ optimizer: 'adam', loss: 'categorical_crossentropy', metrics: ['accuracy'] });
    const x = inputs(24, 6).map((r) => [r.slice(0, 3), r.slice(3)]);
    const y = x.map((_, i) => [i % 3 === 0 ? 1 : 0, i % 3 === 1 ? 1 : 0, i % 3 === 2 ? 1 : 0]);
    await model.fit(x, y, { epochs: 2, batchSize: 8, verbose: 0, seed: 1 });
    const expected = model.predict(x);

    const fromMem = await sn.loadModel(io.fromMemory(cloneArtifacts(await saveToMemory(model))));
    const dir = tempDir('rt');
    await model.save(dir);
    expect(readdirSync(dir).sort()).toEqual(['model.json', 'weights.bin']);
    const fromDisk = await sn.loadModel(dir);
    for (const loaded of [fromMem, fromDisk]) {
      expect(loaded.name).toBe('all_kinds');
      // The input layer becomes the first layer's batch_input_shape, as TF.js writes it.
      const [first, ...rest] = cfgs(loaded);
      expect(first!.config.batch_input_shape).toEqual([null, 2, 3]);
      delete first!.config.batch_input_shape;
      expect([first, ...rest]).toEqual(cfgs(model));
      expect(loaded.namedWeights().map((w) => [w.name, w.trainable])).toEqual(
        model.namedWeights().map((w) => [w.name, w.trainable]),
      );
      expect(weights(loaded)).toEqual(weights(model));
      expect(Array.from(loaded.predict(x).values)).toEqual(Array.from(expected.values));
      expect(loaded.optimizer).toBeNull(); // as TF.js: no compile config without includeOptimizer
    }
    // The file is what TF.js writes: Keras-form topology, a manifest, float32 little-endian bytes.
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    expect(json.format).toBe('layers-model');
    expect(json.modelTopology.class_name).toBe('Sequential');
    expect(json.modelTopology.config.layers[0]).toMatchObject({
      class_name: 'Flatten',
      config: { batch_input_shape: [null, 2, 3] },
    });
    expect(json.modelTopology.config.layers[1].config.kernel_regularizer).toEqual({
      class_name: 'L1L2',
      config: { l1: 0.001, l2: 0.002 },
    });
    expect(json.weightsManifest).toEqual([
      {
        paths: ['weights.bin'],
        weights: model.namedWeights().map((w) => ({ name: w.name, shape: [...w.tensor.shape], dtype: 'float32' })),
      },
    ]);
    expect(readFileSync(join(dir, 'weights.bin')).byteLength).toBe(4 * model.countParams());
  });

  it('keeps every activation', async () => {
    for (const act of sn.activationNames) {
      sn.setSeed(2);
      const m = sn.sequential([
        sn.layers.dense({ units: 4, inputDim: 3, activation: act }),
        sn.layers.activation({ activation: act }),
      ]);
      const x = inputs(5, 3, 7);
      const loaded = await sn.loadModel(io.fromMemory(cloneArtifacts(await saveToMemory(m))));
      expect(cfgs(loaded)).toEqual(cfgs(m));
      expect(Array.from(loaded.predict(x).values)).toEqual(Array.from(m.predict(x).values));
    }
  });

  it('keeps every initializer, and rebuilds the same initial weights from a topology alone', async () => {
    const I = sn.initializers;
    const all = [
      I.zeros(),
      I.ones(),
      I.constant({ value: 0.3 }),
      I.randomUniform({ minval: -0.2, maxval: 0.3, seed: 1 }),
      I.randomNormal({ mean: 0.1, stddev: 0.2, seed: 2 }),
      I.truncatedNormal({ mean: -0.1, stddev: 0.3, seed: 3 }),
      new I.VarianceScaling(2.5, 'fan_out', 'untruncated_normal', 4),
      new I.VarianceScaling(0.5, 'fan_avg', 'truncated_normal', 5),
      new I.VarianceScaling(1.5, 'fan_in', 'uniform'),
      I.glorotUniform({ seed: 6 }),
      I.glorotNormal({ seed: 7 }),
      I.heNormal({ seed: 8 }),
      I.heUniform({ seed: 9 }),
      I.lecunNormal({ seed: 10 }),
      I.lecunUniform({ seed: 11 }),
      I.orthogonal({ gain: 1.5, seed: 12 }),
    ];
    for (const init of all) {
      const make = () =>
        sn.sequential([
          sn.layers.dense({ units: 6, inputDim: 4, kernelInitializer: init, biasInitializer: init }),
          sn.layers.batchNormalization({ gammaInitializer: init, betaInitializer: init, movingMeanInitializer: init }),
        ]);
      const m = make();
      const a = await saveToMemory(m);
      const loaded = await sn.loadModel(io.fromMemory(cloneArtifacts(a)));
      expect(cfgs(loaded), init.className).toEqual(cfgs(m));
      const dense = loaded.layers[0] as sn.layers.Dense;
      expect(dense.kernelInitializer.className).toBe(init.className);
      expect(dense.kernelInitializer).toBeInstanceOf(sn.initializers.Initializer);
      // Topology only: the initializers run. Seeded ones reproduce the original initial weights.
      const fresh = await sn.loadModel(io.fromMemory({ modelTopology: JSON.parse(JSON.stringify(a.modelTopology)) }));
      if ((init as { seed?: number }).seed !== undefined || ['Zeros', 'Ones', 'Constant'].includes(init.className)) {
        expect(weights(fresh), init.className).toEqual(weights(m));
      }
    }
  });

  it('keeps regularizers, and the penalty they add to the loss', async () => {
    for (const [k, b] of [
      [sn.regularizers.l1(0.01), null],
      [sn.regularizers.l2(0.02), sn.regularizers.l1(0.005)],
      [sn.regularizers.l1l2({ l1: 0.001, l2: 0.03 }), sn.regularizers.l1l2()],
    ] as const) {
      sn.setSeed(4);
      const m = sn.sequential([
        sn.layers.dense({
          units: 3,
          inputDim: 4,
          kernelRegularizer: k,
          ...(b ? { biasRegularizer: b } : {}),
          biasInitializer: 'ones',
        }),
      ]);
      m.compile({ optimizer: 'sgd', loss: 'mse' });
      const loaded = await sn.loadModel(
        io.fromMemory(cloneArtifacts(await saveToMemory(m, { includeOptimizer: true }))),
      );
      expect(cfgs(loaded)).toEqual(cfgs(m));
      const d = loaded.layers[0] as sn.layers.Dense;
      expect([d.kernelRegularizer?.className, d.kernelRegularizer?.l1, d.kernelRegularizer?.l2]).toEqual([
        k.className,
        k.l1,
        k.l2,
      ]);
      const x = inputs(6, 4, 3),
        y = inputs(6, 3, 4);
      expect(loaded.evaluate(x, y).loss).toBe(m.evaluate(x, y).loss);
    }
  });

  it('keeps the compile configuration: every optimizer with its options, losses with options, metrics', async () => {
    const O = sn.optimizers;
    const optimizers = [
      O.sgd({ learningRate: 0.05 }),
      O.sgd({ learningRate: 0.02, momentum: 0.8, nesterov: true, clipnorm: 1.5 }),
      O.adam({ learningRate: 0.003, beta1: 0.8, beta2: 0.99, epsilon: 1e-6, amsgrad: true, clipvalue: 0.5 }),
      O.adamw({ learningRate: 0.002, weightDecay: 0.01, globalClipnorm: 2 }),
      O.rmsprop({ learningRate: 0.01, rho: 0.8, momentum: 0.5, centered: true }),
      O.adagrad({ learningRate: 0.1, initialAccumulatorValue: 0.2 }),
      O.adadelta({ learningRate: 1, rho: 0.9 }),
      O.adamax({ beta1: 0.85 }),
      O.nadam({ learningRate: 0.004 }),
      O.adam({
        learningRate: sn.schedules.exponentialDecay({
          initialLearningRate: 0.1,
          decaySteps: 10,
          decayRate: 0.5,
          staircase: true,
        }),
      }),
      O.sgd({ learningRate: sn.schedules.piecewiseConstantDecay({ boundaries: [5, 10], values: [0.1, 0.05, 0.01] }) }),
      O.sgd({ learningRate: sn.schedules.cosineDecay({ initialLearningRate: 0.1, decaySteps: 100, alpha: 0.1 }) }),
    ];
    const L = sn.losses;
    const losses = [
      'mean_squared_error',
      'mae',
      'huber',
      'log_cosh',
      'hinge',
      'binary_crossentropy',
      'categorical_crossentropy',
      'sparse_categorical_crossentropy',
      L.huber({ delta: 2.5 }),
      L.binaryCrossentropy({ fromLogits: true }),
      L.categoricalCrossentropy({ fromLogits: true }),
      L.sparseCategoricalCrossentropy({ fromLogits: true }),
    ];
    let i = 0;
    for (const optimizer of optimizers) {
      for (const loss of i++ === 0 ? losses : [losses[i % losses.length]!]) {
        const m = sn.sequential([sn.layers.dense({ units: 2, inputDim: 3 })]);
        m.compile({
          optimizer,
          loss,
          metrics: ['accuracy', 'mse', sn.metrics.precision({ threshold: 0.7 }), 'recall'],
        });
        const loaded = await sn.loadModel(
          io.fromMemory(cloneArtifacts(await saveToMemory(m, { includeOptimizer: true }))),
        );
        expect(loaded.optimizer!.className).toBe(m.optimizer!.className);
        expect(loaded.optimizer!.getConfig()).toEqual(m.optimizer!.getConfig());
        const [a, b] = [loaded.loss as sn.losses.Loss, m.loss as sn.losses.Loss];
        expect([a.name, a.kind, a.getConfig()]).toEqual([b.name, b.kind, b.getConfig()]);
        expect(loaded.metricNames).toEqual(m.metricNames);
        expect(loaded.metrics.map((x) => x.threshold)).toEqual([0.5, 0.5, 0.7, 0.5]);
      }
    }
  });

  it('with includeOptimizer, training resumes on the same loss trajectory as an uninterrupted run', async () => {
    const x = inputs(40, 5, 9);
    const y = x.map((r) => [r[0]! * r[1]! > 0 ? 1 : 0]);
    const fitArgs = { batchSize: 8, verbose: 0, shuffle: false, seed: 21 } as const;
    for (const optimizer of ['adam', 'nadam', 'rmsprop', 'sgd'] as const) {
      const make = () => {
        sn.setSeed(8);
        const m = sn.sequential([
          sn.layers.dense({ units: 8, inputDim: 5, activation: 'relu' }),
          sn.layers.batchNormalization(),
          sn.layers.dropout({ rate: 0.2 }),
          sn.layers.dense({ units: 1, activation: 'sigmoid' }),
        ]);
        m.compile({
          optimizer: optimizer === 'sgd' ? sn.optimizers.sgd({ learningRate: 0.1, momentum: 0.9 }) : optimizer,
          loss: 'binary_crossentropy',
          metrics: ['accuracy'],
        });
        return m;
      };
      const straight = make();
      const h1 = await straight.fit(x, y, { ...fitArgs, epochs: 3 });
      const h2 = await straight.fit(x, y, { ...fitArgs, epochs: 6, initialEpoch: 3 });

      const first = make();
      const g1 = await first.fit(x, y, { ...fitArgs, epochs: 3 });
      const dir = tempDir('resume');
      await first.save(dir, { includeOptimizer: true });
      const resumed = await sn.loadModel(dir);
      expect(resumed.optimizer!.iterations).toBe(first.optimizer!.iterations);
      const g2 = await resumed.fit(x, y, { ...fitArgs, epochs: 6, initialEpoch: 3 });
      expect(g1.history.loss).toEqual(h1.history.loss);
      expect(g2.history.loss, optimizer).toEqual(h2.history.loss);
      expect(g2.history.accuracy).toEqual(h2.history.accuracy);
      expect(weights(resumed)).toEqual(weights(straight));
    }
  });

  it('saveWeightsOnly files load into a model built in code, and are refused by loadModel', async () => {
    sn.setSeed(3);
    const m = sn.sequential([
      sn.layers.dense({ units: 4, inputDim: 3, activation: 'relu' }),
      sn.layers.dense({ units: 1 }),
    ]);
    const dir = tempDir('wo');
    await io.saveModel(m, dir, { weightsOnly: true });
    await expect(sn.loadModel(dir)).rejects.toThrow(sn.DataError);
    await expect(sn.loadModel(dir)).rejects.toThrow(/weights only.*loadWeights/);
    sn.setSeed(99);
    const other = sn.sequential([
      sn.layers.dense({ units: 4, inputDim: 3, activation: 'relu' }),
      sn.layers.dense({ units: 1 }),
    ]);
    // Layer names differ (dense_2 vs dense): give the same names.
    const named = sn.sequential([
      sn.layers.dense({ units: 4, inputDim: 3, activation: 'relu', name: m.layers[0]!.name }),
      sn.layers.dense({ units: 1, name: m.layers[1]!.name }),
    ]);
    await io.loadWeights(named, dir);
    expect(weights(named)).toEqual(weights(m));
    await expect(io.loadWeights(other, dir)).rejects.toThrow(/missing from the weights manifest/);
  });

  it('modelCheckpoint saves the best epoch (saveBestOnly) and every epoch with placeholders', async () => {
    sn.setSeed(5);
    const x = inputs(60, 4, 2),
      y = x.map((r) => [r[0]! + r[1]! > 0 ? 1 : 0]);
    const m = sn.sequential([
      sn.layers.dense({ units: 6, inputDim: 4, activation: 'relu' }),
      sn.layers.dense({ units: 1, activation: 'sigmoid' }),
    ]);
    m.compile({ optimizer: sn.optimizers.adam({ learningRate: 0.05 }), loss: 'binary_crossentropy' });
    const dir = tempDir('ckpt');
    const snaps: number[][][] = [];
    const best = sn.callbacks.modelCheckpoint({ filepath: join(dir, 'best'), monitor: 'val_loss', saveBestOnly: true });
    const every = sn.callbacks.modelCheckpoint({
      filepath: join(dir, 'e{epoch:02d}-{loss:.3f}'),
      saveWeightsOnly: true,
    });
    const h = await m.fit(x, y, {
      epochs: 6,
      batchSize: 10,
      validationSplit: 0.25,
      verbose: 0,
      seed: 3,
      callbacks: [
        {
          onEpochEnd: () => {
            snaps.push(weights(m));
          },
        },
        best,
        every,
      ],
    });
    const vl = h.history.val_loss!;
    const bestEpoch = vl.indexOf(Math.min(...vl));
    expect(best.best).toBe(vl[bestEpoch]);
    const loaded = await sn.loadModel(join(dir, 'best'));
    expect(weights(loaded)).toEqual(snaps[bestEpoch]);
    expect(loaded.optimizer?.className).toBe('Adam'); // full checkpoints carry the optimizer
    const names = readdirSync(dir)
      .filter((n) => n.startsWith('e'))
      .sort();
    expect(names).toEqual(h.history.loss!.map((l, i) => `e${String(i + 1).padStart(2, '0')}-${l.toFixed(3)}`));
    expect(existsSync(join(dir, names[5]!, 'model.json'))).toBe(true);
    expect(() => sn.callbacks.modelCheckpoint({} as never)).toThrow(sn.ValueError);
  });
});
