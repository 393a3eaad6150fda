/**
 * Depthwise and separable convolutions and ReLU6 (issue 15, the MobileNet
 * layers): finite-difference gradients on both backends over their options
 * (depth multipliers, strides, 'same' with even kernels, dilation, a capped
 * ReLU with units on both sides of the cap), and TF.js's predictions for
 * models built in TF.js, both ways.
 */
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import * as sn from '../../src/index.js';
import { gradError, rng } from '../helpers/gradcheck.js';
import { io, saveToMemory } from '../io/helpers.js';
import { expectClose, images, tfArtifacts } from './helpers.js';

const CASES: [string, () => sn.layers.Layer[], number[]][] = [
  [
    'depthwise 3×3 same (multiplier 1, 5 channels: a vector and a tail), ReLU capped at 0.5',
    () => [
      sn.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', biasInitializer: 'randomNormal' }),
      sn.layers.reLU({ maxValue: 0.5 }),
      sn.layers.flatten(),
      sn.layers.dense({ units: 3, activation: 'softmax' }),
    ],
    [5, 4, 5],
  ],
  [
    'depthwise multiplier 2, even 2×2 kernel, stride 2, same; depthwise dilation 2 with relu6 activation',
    () => [
      sn.layers.depthwiseConv2d({ kernelSize: 2, depthMultiplier: 2, strides: 2, padding: 'same', activation: 'tanh' }),
      sn.layers.depthwiseConv2d({ kernelSize: 2, dilationRate: 2, padding: 'same', activation: 'relu6' }),
      sn.layers.flatten(),
      sn.layers.dense({ units: 3, activation: 'softmax' }),
    ],
    [7, 6, 3],
  ],
  [
    'separable 3×3 valid with multiplier 3 and elu; separable stride 2 same without bias; global average',
    () => [
      sn.layers.separableConv2d({ filters: 4, kernelSize: 3, depthMultiplier: 3, activation: 'elu' }),
      sn.layers.separableConv2d({ filters: 5, kernelSize: 3, strides: 2, padding: 'same', useBias: false }),
      sn.layers.globalAveragePooling2d(),
      sn.layers.dense({ units: 3, activation: 'softmax' }),
    ],
    [7, 8, 2],
  ],
];

for (const backend of ['js', 'wasm'] as const) {
  describe(`depthwise and separable convolution gradients (${backend} backend)`, () => {
    for (const [name, layers, shape] of CASES) {
      it(name, () => {
        sn.setBackend(backend);
        sn.setSeed(3);
        const r = rng(7);
        const m = sn.sequential([sn.layers.input({ shape }), ...layers()]);
        m.compile({ optimizer: 'sgd', loss: 'categorical_crossentropy' });
        const x = images(r, 4, shape[0]!, shape[1]!, shape[2]!);
        const y = x.map((_, i) => [0, 1, 2].map((k) => (k === i % 3 ? 1 : 0)));
        const { err, norm } = gradError(m, x as unknown as number[][], y);
        expect(err).toBeLessThanOrEqual(2e-2 * Math.max(norm, 1e-3));
        sn.setBackend('wasm');
      });
    }
  });
}

describe('depthwise, separable and ReLU6 layers and TensorFlow.js', () => {
  it('a TF.js model of them loads here and predicts the same; ours, trained a little, loads in tf.loadLayersModel', async () => {
    const tm = tfl.sequential({
      layers: [
        tfl.layers.depthwiseConv2d({
          kernelSize: 3,
          depthMultiplier: 2,
          strides: 2,
          padding: 'same',
          inputShape: [9, 10, 3],
          biasInitializer: 'randomNormal',
          useBias: true,
        }),
        tfl.layers.reLU({ maxValue: 6 }),
        // No dilation: TF.js 4.22's DepthwiseConv2D ignores dilationRate (its own TODO); ours is checked above.
        tfl.layers.depthwiseConv2d({ kernelSize: 2, padding: 'same', activation: 'relu6' }),
        // depthMultiplier 1: TF.js 4.22 leaves depth_multiplier out of SeparableConv2D's config, so a file it
        // writes with another multiplier loads in neither TF.js nor here (simdnet writes the key).
        tfl.layers.separableConv2d({
          filters: 5,
          kernelSize: 3,
          activation: 'relu',
          biasInitializer: 'randomNormal',
        }),
        tfl.layers.batchNormalization({
          movingMeanInitializer: 'randomNormal',
          movingVarianceInitializer: 'ones',
          gammaInitializer: 'randomUniform',
        }),
        tfl.layers.reLU({}),
        tfl.layers.flatten(),
        tfl.layers.dense({ units: 4, activation: 'softmax' }),
      ],
    });
    const x = images(rng(11), 5, 9, 10, 3).map((img) => img.map((row) => row.map((px) => px.map((v) => v * 4))));
    const want = Array.from((tm.predict(tf.tensor(x)) as tf.Tensor).dataSync());
    const ours = await sn.loadModel(io.fromMemory(await tfArtifacts(tm)));
    expect(ours.layers.map((l) => l.className)).toEqual([
      'DepthwiseConv2D',
      'ReLU',
      'DepthwiseConv2D',
      'SeparableConv2D',
      'BatchNormalization',
      'ReLU',
      'Flatten',
      'Dense',
    ]);
    expectClose((ours.predict(x as unknown as number[][]) as sn.Tensor).values, want, 'TF.js → simdnet');
    ours.compile({ optimizer: 'adam', loss: 'categorical_crossentropy' });
    await ours.fit(
      x as unknown as number[][],
      x.map((_, i) => [0, 1, 2, 3].map((k) => (k === i % 4 ? 1 : 0))),
      { epochs: 3, verbose: 0 },
    );
    const mine = Array.from((ours.predict(x as unknown as number[][]) as sn.Tensor).values);
    expect(closeEnough(mine, want)).toBe(false);
    const back = await tfl.loadLayersModel(tf.io.fromMemory(await saveToMemory(ours)));
    expectClose(Array.from((back.predict(tf.tensor(x)) as tf.Tensor).dataSync()), mine, 'simdnet → TF.js');
  });

  it('ReLU(max_value) clips at the cap, relu6 is ReLU capped at 6, and Keras 3 forms are read', async () => {
    const m = sn.sequential([sn.layers.input({ shape: [4] }), sn.layers.reLU({ maxValue: 6 })]);
    expect(Array.from((m.predict([[-1, 3, 6, 9]]) as sn.Tensor).values)).toEqual([0, 3, 6, 6]);
    const a = sn.sequential([sn.layers.input({ shape: [4] }), sn.layers.activation({ activation: 'relu6' })]);
    expect(Array.from((a.predict([[-1, 3, 6, 9]]) as sn.Tensor).values)).toEqual([0, 3, 6, 6]);
    const leaky = sn.sequential([sn.layers.input({ shape: [2] }), sn.layers.reLU({ negativeSlope: 0.5 })]);
    expect(Array.from((leaky.predict([[-2, 2]]) as sn.Tensor).values)).toEqual([-1, 2]);
    const back = await sn.loadModel(io.fromMemory(await saveToMemory(m)));
    expect((back.layers[0] as sn.layers.ReLU).maxValue).toBe(6);
    expect(() => sn.layers.reLU({ maxValue: -1 })).toThrow(/maxValue/);
    expect(() => sn.layers.reLU({ threshold: 1 })).toThrow(/threshold/);
    expect(() => sn.layers.reLU({ maxValue: 6, negativeSlope: 0.1 })).toThrow(/negativeSlope/);
    expect(() => sn.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 0 })).toThrow(/depthMultiplier/);
    expect(() => sn.layers.separableConv2d({ filters: 0, kernelSize: 3 })).toThrow(/filters/);
    expect(() => sn.layers.depthwiseConv2d({ kernelSize: 3, strides: 2, dilationRate: 2 })).toThrow(
      /strides > 1 together with dilationRate > 1/,
    );
  });
});

function closeEnough(a: number[], b: number[]): boolean {
  return a.every((v, i) => Math.abs(v - b[i]!) < 1e-6);
}
