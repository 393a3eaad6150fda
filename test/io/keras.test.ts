/**
 * Files from Keras through `tensorflowjs_converter --input_format keras`: the
 * converter wraps the topology as { model_config, training_config } with
 * Keras's own names ('Custom>Adam', MeanMetricWrapper, an InputLayer entry,
 * BatchNormalization axis [1]); Keras 3 writes functional graphs with
 * `__keras_tensor__` nodes and DTypePolicy dtypes. The fixtures below follow
 * those layouts; predictions are checked against a forward pass computed here
 * in float64 from the same weights.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as sn from '../../src/index.js';
import { inputs, io, tempDir } from './helpers.js';

const init = (cls: string, config: Record<string, unknown> = {}) => ({
  module: 'keras.initializers',
  class_name: cls,
  config,
  registered_name: null,
});

function rand(n: number, seed: number, scale = 0.5): number[] {
  let s = seed >>> 0;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return scale * (2 * (s / 2 ** 32) - 1);
  });
}

/** y = act(x·K + b) in float64. */
function dense(x: number[][], K: number[], b: number[], units: number, act: (v: number) => number): number[][] {
  return x.map((row) =>
    Array.from({ length: units }, (_, j) => act(row.reduce((s, v, i) => s + v * K[i * units + j]!, b[j]!))),
  );
}
const relu = (v: number) => Math.max(0, v);
const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

function expectClose(actual: ArrayLike<number>, expected: number[]): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++)
    expect(Math.abs(actual[i]! - expected[i]!), `index ${i}`).toBeLessThanOrEqual(1e-5 * Math.abs(expected[i]!) + 1e-6);
}

describe('Keras models through the tensorflowjs converter', () => {
  it('a Keras 2 Sequential (converter layout) loads, compiles from its training_config and predicts as Keras computes', async () => {
    const W = {
      k1: rand(8 * 12, 1),
      b1: rand(12, 2),
      gamma: rand(12, 3).map((v) => 1 + v),
      beta: rand(12, 4),
      mean: rand(12, 5),
      variance: rand(12, 6).map((v) => 0.5 + Math.abs(v)),
      k2: rand(12, 7),
      b2: rand(1, 8),
    };
    const specs = [
      ['batch_normalization/beta', [12], W.beta],
      ['batch_normalization/gamma', [12], W.gamma],
      ['batch_normalization/moving_mean', [12], W.mean],
      ['batch_normalization/moving_variance', [12], W.variance],
      ['dense/bias', [12], W.b1],
      ['dense/kernel', [8, 12], W.k1],
      ['dense_1/bias', [1], W.b2],
      ['dense_1/kernel', [12, 1], W.k2],
    ] as const;
    const data = new Float32Array(specs.flatMap(([, , v]) => v));
    const modelJSON = {
      format: 'layers-model',
      generatedBy: 'keras v2.15.0',
      convertedBy: 'TensorFlow.js Converter v4.22.0',
      modelTopology: {
        keras_version: '2.15.0',
        backend: 'tensorflow',
        model_config: {
          class_name: 'Sequential',
          config: {
            name: 'sequential',
            layers: [
              {
                class_name: 'InputLayer',
                config: {
                  batch_input_shape: [null, 8],
                  dtype: 'float32',
                  sparse: false,
                  ragged: false,
                  name: 'dense_input',
                },
              },
              {
                class_name: 'Dense',
                config: {
                  name: 'dense',
                  trainable: true,
                  dtype: 'float32',
                  batch_input_shape: [null, 8],
                  units: 12,
                  activation: 'relu',
                  use_bias: true,
                  kernel_initializer: init('GlorotUniform', { seed: null }),
                  bias_initializer: init('Zeros'),
                  kernel_regularizer: null,
                  bias_regularizer: null,
                  activity_regularizer: null,
                  kernel_constraint: null,
                  bias_constraint: null,
                },
              },
              {
                class_name: 'Dropout',
                config: {
                  name: 'dropout',
                  trainable: true,
                  dtype: 'float32',
                  rate: 0.2,
                  noise_shape: null,
                  seed: null,
                },
              },
              {
                class_name: 'BatchNormalization',
                config: {
                  name: 'batch_normalization',
                  trainable: true,
                  dtype: 'float32',
                  axis: [1],
                  momentum: 0.99,
                  epsilon: 0.001,
                  center: true,
                  scale: true,
                  beta_initializer: init('Zeros'),
                  gamma_initializer: init('Ones'),
                  moving_mean_initializer: init('Zeros'),
                  moving_variance_initializer: init('Ones'),
                  beta_regularizer: null,
                  gamma_regularizer: null,
                  beta_constraint: null,
                  gamma_constraint: null,
                  synchronized: false,
                },
              },
              {
                class_name: 'Dense',
                config: {
                  name: 'dense_1',
                  trainable: true,
                  dtype: 'float32',
                  units: 1,
                  activation: 'sigmoid',
                  use_bias: true,
                  kernel_initializer: init('GlorotUniform', { seed: null }),
                  bias_initializer: init('Zeros'),
                  kernel_regularizer: init('L2', { l2: 0.01 }),
                  bias_regularizer: null,
                  activity_regularizer: null,
                  kernel_constraint: null,
                  bias_constraint: null,
                },
              },
            ],
          },
        },
        training_config: {
          loss: {
            class_name: 'BinaryCrossentropy',
            config: {
              reduction: 'auto',
              name: 'binary_crossentropy',
              from_logits: false,
              label_smoothing: 0.0,
              axis: -1,
              fn: 'binary_crossentropy',
            },
          },
          metrics: [
            [
              {
                class_name: 'MeanMetricWrapper',
                config: { name: 'accuracy', dtype: 'float32', fn: 'binary_accuracy' },
              },
            ],
          ],
          weighted_metrics: null,
          loss_weights: null,
          optimizer_config: {
            class_name: 'Custom>Adam',
            config: {
              name: 'Adam',
              weight_decay: null,
              clipnorm: null,
              global_clipnorm: null,
              clipvalue: null,
              use_ema: false,
              ema_momentum: 0.99,
              ema_overwrite_frequency: null,
              jit_compile: false,
              is_legacy_optimizer: false,
              learning_rate: 0.0010000000474974513,
              beta_1: 0.9,
              beta_2: 0.999,
              epsilon: 1e-7,
              amsgrad: false,
            },
          },
        },
      },
      weightsManifest: [
        { paths: ['group1-shard1of1.bin'], weights: specs.map(([name, shape]) => ({ name, shape, dtype: 'float32' })) },
      ],
    };
    const dir = tempDir('keras2');
    writeFileSync(join(dir, 'model.json'), JSON.stringify(modelJSON));
    writeFileSync(join(dir, 'group1-shard1of1.bin'), new Uint8Array(data.buffer));
    const m = await sn.loadModel(join(dir, 'model.json'));
    expect(m.layers.map((l) => l.className)).toEqual(['Dense', 'Dropout', 'BatchNormalization', 'Dense']);
    expect(m.optimizer!.className).toBe('Adam');
    expect(m.optimizer!.currentLearningRate).toBe(0.0010000000474974513);
    expect(m.metricNames).toEqual(['accuracy']);
    expect((m.loss as sn.losses.Loss).name).toBe('binary_crossentropy');
    const x = inputs(6, 8, 3);
    const f = (a: readonly number[]) => a.map(Math.fround);
    const h = dense(x, f(W.k1), f(W.b1), 12, relu).map((r) =>
      r.map((v, j) => (f(W.gamma)[j]! * (v - f(W.mean)[j]!)) / Math.sqrt(f(W.variance)[j]! + 0.001) + f(W.beta)[j]!),
    );
    expectClose(m.predict(x).values, dense(h, f(W.k2), f(W.b2), 1, sigmoid).flat());
    // It trains (compiled from the converter's training_config).
    await m.fit(
      x,
      x.map((r) => [r[0]! > 0 ? 1 : 0]),
      { epochs: 1, batchSize: 3, verbose: 0 },
    );
  });

  it('a Keras 3 single-chain functional model (__keras_tensor__ nodes, DTypePolicy) loads', async () => {
    const dtype = { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null };
    const node = (from: string, shape: (number | null)[]) => [
      {
        args: [{ class_name: '__keras_tensor__', config: { shape, dtype: 'float32', keras_history: [from, 0, 0] } }],
        kwargs: {},
      },
    ];
    const topo = {
      module: 'keras',
      class_name: 'Functional',
      registered_name: 'Functional',
      keras_version: '3.3.3',
      config: {
        name: 'functional',
        trainable: true,
        layers: [
          {
            module: 'keras.layers',
            class_name: 'InputLayer',
            config: { batch_shape: [null, 4], dtype: 'float32', sparse: false, name: 'input_layer' },
            registered_name: null,
            name: 'input_layer',
            inbound_nodes: [],
          },
          {
            module: 'keras.layers',
            class_name: 'Dense',
            config: {
              name: 'dense',
              trainable: true,
              dtype,
              units: 3,
              activation: 'relu',
              use_bias: true,
              kernel_initializer: init('GlorotUniform', { seed: null }),
              bias_initializer: init('Zeros'),
              kernel_regularizer: null,
              bias_regularizer: null,
              kernel_constraint: null,
              bias_constraint: null,
            },
            registered_name: null,
            build_config: { input_shape: [null, 4] },
            name: 'dense',
            inbound_nodes: node('input_layer', [null, 4]),
          },
          {
            module: 'keras.layers',
            class_name: 'LeakyReLU',
            config: { name: 'leaky_re_lu', trainable: true, dtype, negative_slope: 0.1 },
            registered_name: null,
            name: 'leaky_re_lu',
            inbound_nodes: node('dense', [null, 3]),
          },
          {
            module: 'keras.layers',
            class_name: 'Dense',
            config: {
              name: 'dense_1',
              trainable: true,
              dtype,
              units: 2,
              activation: 'softmax',
              use_bias: true,
              kernel_initializer: init('HeNormal', { seed: 4 }),
              bias_initializer: init('Zeros'),
              kernel_regularizer: null,
              bias_regularizer: null,
              kernel_constraint: null,
              bias_constraint: null,
            },
            registered_name: null,
            name: 'dense_1',
            inbound_nodes: node('leaky_re_lu', [null, 3]),
          },
        ],
        input_layers: [['input_layer', 0, 0]],
        output_layers: [['dense_1', 0, 0]],
      },
    };
    const k1 = rand(12, 11),
      b1 = rand(3, 12),
      k2 = rand(6, 13),
      b2 = rand(2, 14);
    const m = await sn.loadModel(
      io.fromMemory({
        modelTopology: topo,
        weightSpecs: [
          { name: 'dense/kernel', shape: [4, 3], dtype: 'float32' },
          { name: 'dense/bias', shape: [3], dtype: 'float32' },
          { name: 'dense_1/kernel', shape: [3, 2], dtype: 'float32' },
          { name: 'dense_1/bias', shape: [2], dtype: 'float32' },
        ],
        weightData: new Float32Array([...k1, ...b1, ...k2, ...b2]).buffer,
      }),
    );
    expect(m.name).toBe('functional');
    expect(m.layers.map((l) => l.name)).toEqual(['input_layer', 'dense', 'leaky_re_lu', 'dense_1']);
    expect((m.getLayer('leaky_re_lu') as sn.layers.LeakyReLU).alpha).toBe(0.1);
    const x = inputs(5, 4, 9);
    const f = (a: number[]) => a.map(Math.fround);
    const h = dense(x, f(k1), f(b1), 3, relu).map((r) => r.map((v) => (v >= 0 ? v : 0.1 * v)));
    const logits = dense(h, f(k2), f(b2), 2, (v) => v);
    const soft = logits.map((r) => {
      const e = r.map((v) => Math.exp(v - Math.max(...r)));
      const s = e[0]! + e[1]!;
      return e.map((v) => v / s);
    });
    expectClose(m.predict(x).values, soft.flat());
  });
});
