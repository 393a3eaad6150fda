/**
 * Convolution and pooling (issue 15, first step): finite-difference gradients
 * on both backends over the options (padding, strides, dilation, even kernels,
 * 1×1, pooling windows that overhang), TF.js's predictions for models built in
 * TF.js, and ours loaded in tf.loadLayersModel.
 */
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import * as sn from '../../src/index.js';
import { gradError, rng } from '../helpers/gradcheck.js';
import { io, saveToMemory } from '../io/helpers.js';
import { expectClose, images, tfArtifacts } from './helpers.js';
import { mnist } from '../helpers/data.js';

/** Small CNNs over every option, as [name, layers, input shape]. */
const CASES: [string, () => sn.layers.Layer[], number[]][] = [
  [
    'valid 3×3 relu, then same 3×3 (overlapping windows: col2im sums), max pool 2, dense softmax',
    () => [
      sn.layers.conv2d({ filters: 3, kernelSize: 3, activation: 'relu' }),
      sn.layers.conv2d({ filters: 2, kernelSize: 3, padding: 'same', activation: 'sigmoid' }),
      sn.layers.maxPooling2d({ poolSize: 2 }),
      sn.layers.flatten(),
      sn.layers.dense({ units: 3, activation: 'softmax' }),
    ],
    [6, 6, 2],
  ],
  [
    'same, even 2×2 kernel, stride 2, tanh; average pool 3 stride 1 same',
    () => [
      sn.layers.conv2d({ filters: 4, kernelSize: 2, strides: 2, padding: 'same', activation: 'tanh' }),
      sn.layers.averagePooling2d({ poolSize: 3, strides: 1, padding: 'same' }),
      sn.layers.flatten(),
      sn.layers.dense({ units: 3, activation: 'softmax' }),
    ],
    [5, 7, 3],
  ],
  [
    'dilation 2, odd sizes, a single channel; max pool 3 stride 2 same',
    () => [
      sn.layers.conv2d({ filters: 2, kernelSize: [3, 2], dilationRate: 2, activation: 'elu' }),
      sn.layers.conv2d({ filters: 2, kernelSize: 2, dilationRate: [1, 2], padding: 'same' }),
      sn.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }),
      sn.layers.flatten(),
      sn.layers.dense({ units: 3, activation: 'softmax' }),
    ],
    [7, 6, 1],
  ],
  [
    '1×1 (no im2col), stride larger than the kernel, batch normalization over channels',
    () => [
      sn.layers.conv2d({ filters: 5, kernelSize: 1, activation: 'swish' }),
      sn.layers.batchNormalization(),
      sn.layers.conv2d({ filters: 2, kernelSize: 2, strides: 3 }),
      sn.layers.flatten(),
      sn.layers.dense({ units: 3, activation: 'softmax' }),
    ],
    [7, 7, 3],
  ],
  [
    'zero padding, cropping, nearest upsampling, global max and average pooling over two branches',
    () => [
      sn.layers.zeroPadding2d({
        padding: [
          [1, 2],
          [0, 1],
        ],
      }),
      sn.layers.conv2d({ filters: 3, kernelSize: 3, activation: 'tanh' }),
      sn.layers.upSampling2d({ size: [2, 1] }),
      sn.layers.cropping2d({
        cropping: [
          [1, 0],
          [0, 1],
        ],
      }),
      sn.layers.conv2d({ filters: 4, kernelSize: 2, activation: 'softplus' }),
      sn.layers.globalMaxPooling2d(),
      sn.layers.dense({ units: 3, activation: 'softmax' }),
    ],
    [5, 5, 2],
  ],
  [
    'global average pooling',
    () => [
      sn.layers.conv2d({ filters: 4, kernelSize: 2, activation: 'selu' }),
      sn.layers.globalAveragePooling2d(),
      sn.layers.dense({ units: 3, activation: 'softmax' }),
    ],
    [4, 5, 3],
  ],
  [
    '1-D: conv1d same with dilation, max pool 1d same, conv1d stride 2, average pool 1d, global max and average pooling 1d',
    () => [
      sn.layers.conv1d({ filters: 3, kernelSize: 3, padding: 'same', dilationRate: 2, activation: 'tanh' }),
      sn.layers.maxPooling1d({ poolSize: 2, padding: 'same' }),
      sn.layers.conv1d({ filters: 4, kernelSize: 2, strides: 2, activation: 'elu' }),
      sn.layers.averagePooling1d({ poolSize: 2, strides: 1 }),
      sn.layers.globalMaxPooling1d(),
      sn.layers.dense({ units: 3, activation: 'softmax' }),
    ],
    [9, 2],
  ],
  [
    'transposed: 3×3 stride 2 valid (windows overlap), 2×2 stride 2 same, 1×1 stride 2 valid (kernel smaller than stride)',
    () => [
      sn.layers.conv2dTranspose({ filters: 3, kernelSize: 3, strides: 2, activation: 'tanh' }),
      sn.layers.conv2dTranspose({ filters: 2, kernelSize: 2, strides: [2, 1], padding: 'same', useBias: false }),
      sn.layers.conv2dTranspose({ filters: 2, kernelSize: 1, strides: 2, activation: 'elu' }),
      sn.layers.flatten(),
      sn.layers.dense({ units: 3, activation: 'softmax' }),
    ],
    [3, 2, 2],
  ],
  [
    'bilinear upsampling (TF.js positions, then half-pixel centers), spatial dropout of whole channels',
    () => [
      sn.layers.conv2d({ filters: 3, kernelSize: 2, activation: 'tanh' }),
      sn.layers.upSampling2d({ size: [2, 3], interpolation: 'bilinear' }),
      sn.layers.spatialDropout2d({ rate: 0.4 }),
      sn.layers.upSampling2d({ size: 2, interpolation: 'bilinear', halfPixelCenters: true }),
      sn.layers.conv2d({ filters: 2, kernelSize: 3, strides: 3 }),
      sn.layers.flatten(),
      sn.layers.dense({ units: 3, activation: 'softmax' }),
    ],
    [3, 3, 2],
  ],
  [
    '1-D: spatial dropout',
    () => [
      sn.layers.conv1d({ filters: 4, kernelSize: 2, activation: 'tanh' }),
      sn.layers.spatialDropout1d({ rate: 0.5 }),
      sn.layers.flatten(),
      sn.layers.dense({ units: 3, activation: 'softmax' }),
    ],
    [5, 2],
  ],
  [
    'channels first (by transposition): conv 3×3 same, max pool, depthwise stride 2, transposed conv, bilinear, global average',
    () => [
      sn.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', activation: 'tanh', dataFormat: 'channelsFirst' }),
      sn.layers.maxPooling2d({ poolSize: 2, strides: 1, dataFormat: 'channelsFirst' }),
      sn.layers.depthwiseConv2d({ kernelSize: 2, strides: 2, activation: 'elu', dataFormat: 'channelsFirst' }),
      sn.layers.conv2dTranspose({ filters: 2, kernelSize: 2, strides: 2, dataFormat: 'channelsFirst' }),
      sn.layers.upSampling2d({ size: 2, interpolation: 'bilinear', dataFormat: 'channelsFirst' }),
      sn.layers.spatialDropout2d({ rate: 0.3, dataFormat: 'channelsFirst' }),
      sn.layers.conv2d({ filters: 3, kernelSize: 3, strides: 3, dataFormat: 'channelsFirst' }),
      sn.layers.flatten(),
      sn.layers.dense({ units: 3, activation: 'softmax' }),
    ],
    [2, 6, 5],
  ],
  [
    '1-D channels first: conv1d, average pool 1d, global max',
    () => [
      sn.layers.conv1d({ filters: 3, kernelSize: 2, activation: 'tanh', dataFormat: 'channelsFirst' }),
      sn.layers.averagePooling1d({ poolSize: 2, dataFormat: 'channelsFirst' }),
      sn.layers.globalMaxPooling1d({ dataFormat: 'channelsFirst' }),
      sn.layers.dense({ units: 3, activation: 'softmax' }),
    ],
    [2, 7],
  ],
  [
    '1-D: global average pooling',
    () => [
      sn.layers.conv1d({ filters: 4, kernelSize: 3 }),
      sn.layers.globalAveragePooling1d(),
      sn.layers.dense({ units: 3, activation: 'softmax' }),
    ],
    [6, 3],
  ],
];

for (const backend of ['js', 'wasm'] as const) {
  describe(`convolution gradients (${backend} backend)`, () => {
    for (const [name, layers, shape] of CASES) {
      it(name, () => {
        sn.setBackend(backend);
        sn.setSeed(3);
        const r = rng(7);
        const m = sn.sequential([sn.layers.input({ shape }), ...layers()]);
        m.compile({ optimizer: 'sgd', loss: 'categorical_crossentropy' });
        const x =
          shape.length === 3
            ? images(r, 4, shape[0]!, shape[1]!, shape[2]!)
            : images(r, 4, 1, shape[0]!, shape[1]!).map((img) => img[0]!);
        const y = x.map((_, i) => [0, 1, 2].map((k) => (k === i % 3 ? 1 : 0)));
        const { err, norm } = gradError(m, x as unknown as number[][], y);
        expect(err).toBeLessThanOrEqual(2e-2 * Math.max(norm, 1e-3));
        sn.setBackend('wasm');
      });
    }
  });
}

describe('convolutional models and TensorFlow.js', () => {
  it('a TF.js CNN over every option loads here and predicts the same; ours loads in tf.loadLayersModel and predicts the same', async () => {
    const tm = tfl.sequential({
      layers: [
        tfl.layers.conv2d({
          filters: 4,
          kernelSize: 3,
          strides: 2,
          activation: 'relu',
          inputShape: [11, 9, 2],
          biasInitializer: 'randomNormal',
        }),
        tfl.layers.conv2d({
          filters: 3,
          kernelSize: 2,
          padding: 'same',
          activation: 'tanh',
          biasInitializer: 'randomNormal',
        }),
        tfl.layers.maxPooling2d({ poolSize: 2, padding: 'same' }),
        tfl.layers.averagePooling2d({ poolSize: 3, strides: 1, padding: 'same' }),
        tfl.layers.conv2d({ filters: 2, kernelSize: 2, dilationRate: 2, padding: 'same' }),
        tfl.layers.conv2d({ filters: 3, kernelSize: 1 }),
        tfl.layers.zeroPadding2d({
          padding: [
            [1, 0],
            [2, 1],
          ],
        }),
        tfl.layers.upSampling2d({ size: [1, 2] }),
        tfl.layers.cropping2D({
          cropping: [
            [0, 1],
            [1, 1],
          ],
        }),
        tfl.layers.flatten(),
        tfl.layers.dense({ units: 4, activation: 'softmax' }),
      ],
    });
    const r = rng(21);
    const x = images(r, 5, 11, 9, 2);
    const want = Array.from((tm.predict(tf.tensor(x)) as tf.Tensor).dataSync());
    const ours = await sn.loadModel(io.fromMemory(await tfArtifacts(tm)));
    expect(ours.layers.map((l) => l.className)).toEqual([
      'Conv2D',
      'Conv2D',
      'MaxPooling2D',
      'AveragePooling2D',
      'Conv2D',
      'Conv2D',
      'ZeroPadding2D',
      'UpSampling2D',
      'Cropping2D',
      'Flatten',
      'Dense',
    ]);
    expectClose((ours.predict(x as unknown as number[][]) as sn.Tensor).values, want, 'TF.js → simdnet');
    // Train ours a little, then TF.js reads it back.
    ours.compile({ optimizer: 'adam', loss: 'categorical_crossentropy' });
    await ours.fit(
      x as unknown as number[][],
      x.map((_, i) => [0, 1, 2, 3].map((k) => (k === i % 4 ? 1 : 0))),
      { epochs: 3, verbose: 0 },
    );
    const mine = Array.from((ours.predict(x as unknown as number[][]) as sn.Tensor).values);
    const back = await tfl.loadLayersModel(tf.io.fromMemory(await saveToMemory(ours)));
    expectClose(Array.from((back.predict(tf.tensor(x)) as tf.Tensor).dataSync()), mine, 'simdnet → TF.js');
  });

  it('global pooling layers from TF.js load and predict the same, both ways', async () => {
    for (const pool of [tfl.layers.globalAveragePooling2d({}), tfl.layers.globalMaxPooling2d({})]) {
      const tm = tfl.sequential({
        layers: [
          tfl.layers.conv2d({ filters: 5, kernelSize: 3, inputShape: [6, 7, 2], activation: 'relu' }),
          pool,
          tfl.layers.dense({ units: 2 }),
        ],
      });
      const x = images(rng(4), 3, 6, 7, 2);
      const want = Array.from((tm.predict(tf.tensor(x)) as tf.Tensor).dataSync());
      const ours = await sn.loadModel(io.fromMemory(await tfArtifacts(tm)));
      expectClose((ours.predict(x as unknown as number[][]) as sn.Tensor).values, want, pool.getClassName());
      const back = await tfl.loadLayersModel(tf.io.fromMemory(await saveToMemory(ours)));
      expectClose(
        Array.from((back.predict(tf.tensor(x)) as tf.Tensor).dataSync()),
        want,
        `${pool.getClassName()} back`,
      );
    }
  });

  it('1-D convolution and pooling from TF.js load and predict the same, both ways', async () => {
    const tm = tfl.sequential({
      layers: [
        tfl.layers.conv1d({
          filters: 4,
          kernelSize: 3,
          padding: 'same',
          activation: 'relu',
          inputShape: [12, 3],
          biasInitializer: 'randomNormal',
        }),
        tfl.layers.maxPooling1d({ poolSize: 2 }),
        tfl.layers.conv1d({ filters: 3, kernelSize: 2, strides: 2, dilationRate: 1 }),
        tfl.layers.averagePooling1d({ poolSize: 2, strides: 1, padding: 'same' }),
        tfl.layers.conv1d({ filters: 2, kernelSize: 2, dilationRate: 2, padding: 'same' }),
        tfl.layers.globalAveragePooling1d({}),
        tfl.layers.dense({ units: 2 }),
      ],
    });
    const x = images(rng(8), 4, 1, 12, 3).map((img) => img[0]!);
    const want = Array.from((tm.predict(tf.tensor(x)) as tf.Tensor).dataSync());
    const ours = await sn.loadModel(io.fromMemory(await tfArtifacts(tm)));
    expect(ours.layers.map((l) => l.className)).toEqual([
      'Conv1D',
      'MaxPooling1D',
      'Conv1D',
      'AveragePooling1D',
      'Conv1D',
      'GlobalAveragePooling1D',
      'Dense',
    ]);
    expectClose((ours.predict(x as unknown as number[][]) as sn.Tensor).values, want, 'TF.js → simdnet (1-D)');
    const back = await tfl.loadLayersModel(tf.io.fromMemory(await saveToMemory(ours)));
    expectClose(Array.from((back.predict(tf.tensor(x)) as tf.Tensor).dataSync()), want, 'simdnet → TF.js (1-D)');
    const gm = tfl.sequential({
      layers: [
        tfl.layers.conv1d({ filters: 3, kernelSize: 2, inputShape: [7, 2] }),
        tfl.layers.globalMaxPooling1d({}),
        tfl.layers.dense({ units: 2 }),
      ],
    });
    const x2 = images(rng(9), 3, 1, 7, 2).map((img) => img[0]!);
    const ours2 = await sn.loadModel(io.fromMemory(await tfArtifacts(gm)));
    expectClose(
      (ours2.predict(x2 as unknown as number[][]) as sn.Tensor).values,
      Array.from((gm.predict(tf.tensor(x2)) as tf.Tensor).dataSync()),
      'global max 1-D',
    );
  });

  it('transposed convolutions from TF.js load and predict the same, both ways, after training here', async () => {
    const tm = tfl.sequential({
      layers: [
        tfl.layers.conv2dTranspose({
          filters: 4,
          kernelSize: 3,
          strides: 2,
          inputShape: [5, 4, 3],
          activation: 'relu',
          biasInitializer: 'randomNormal',
        }),
        tfl.layers.conv2dTranspose({ filters: 3, kernelSize: [2, 3], strides: [1, 2], padding: 'same' }),
        tfl.layers.conv2dTranspose({ filters: 2, kernelSize: 1, strides: 3 }),
        tfl.layers.flatten(),
        tfl.layers.dense({ units: 3, activation: 'softmax' }),
      ],
    });
    const x = images(rng(12), 4, 5, 4, 3);
    const want = Array.from((tm.predict(tf.tensor(x)) as tf.Tensor).dataSync());
    const ours = await sn.loadModel(io.fromMemory(await tfArtifacts(tm)));
    expect(ours.layers[0]!.outputShape).toEqual([11, 9, 4]);
    expect(ours.layers[1]!.outputShape).toEqual([11, 18, 3]);
    expect(ours.layers[2]!.outputShape).toEqual([33, 54, 2]);
    expectClose((ours.predict(x as unknown as number[][]) as sn.Tensor).values, want, 'TF.js → simdnet (transposed)');
    ours.compile({ optimizer: 'adam', loss: 'categorical_crossentropy' });
    await ours.fit(
      x as unknown as number[][],
      x.map((_, i) => [0, 1, 2].map((k) => (k === i % 3 ? 1 : 0))),
      { epochs: 2, verbose: 0 },
    );
    const mine = Array.from((ours.predict(x as unknown as number[][]) as sn.Tensor).values);
    const back = await tfl.loadLayersModel(tf.io.fromMemory(await saveToMemory(ours)));
    expectClose(Array.from((back.predict(tf.tensor(x)) as tf.Tensor).dataSync()), mine, 'simdnet → TF.js (transposed)');
    expect(() => sn.layers.conv2dTranspose({ filters: 2, kernelSize: 3, dilationRate: 2 })).toThrow(/dilationRate/);
    expect(() => sn.layers.conv2dTranspose({ filters: 2, kernelSize: 3, outputPadding: 1 })).toThrow(/outputPadding/);
  });

  it("bilinear upsampling from TF.js predicts the same, both ways; Keras's 'bilinear' loads with half-pixel centers", async () => {
    const tm = tfl.sequential({
      layers: [
        tfl.layers.conv2d({ filters: 3, kernelSize: 2, inputShape: [4, 5, 2], biasInitializer: 'randomNormal' }),
        tfl.layers.upSampling2d({ size: [3, 2], interpolation: 'bilinear' }),
        tfl.layers.conv2d({ filters: 2, kernelSize: 3 }),
        tfl.layers.upSampling2d({ size: [2, 2], interpolation: 'bilinear' }),
        tfl.layers.flatten(),
        tfl.layers.dense({ units: 2 }),
      ],
    });
    const x = images(rng(13), 3, 4, 5, 2);
    const want = Array.from((tm.predict(tf.tensor(x)) as tf.Tensor).dataSync());
    const art = await tfArtifacts(tm);
    const ours = await sn.loadModel(io.fromMemory(art));
    expectClose((ours.predict(x as unknown as number[][]) as sn.Tensor).values, want, 'TF.js → simdnet (bilinear)');
    const back = await tfl.loadLayersModel(tf.io.fromMemory(await saveToMemory(ours)));
    expectClose(Array.from((back.predict(tf.tensor(x)) as tf.Tensor).dataSync()), want, 'simdnet → TF.js (bilinear)');
    // The same file as Keras 3 wrote it: half-pixel centers (TensorFlow's resize), so other values, which
    // simdnet writes under a name TF.js refuses.
    const keras = structuredClone({ ...art, weightData: undefined }) as tf.io.ModelArtifacts;
    (keras.modelTopology as { keras_version: string }).keras_version = '3.6.0';
    const k3 = await sn.loadModel(io.fromMemory({ ...keras, weightData: art.weightData! }));
    expect((k3.layers[1] as sn.layers.UpSampling2D).halfPixelCenters).toBe(true);
    const k3y = (k3.predict(x as unknown as number[][]) as sn.Tensor).values;
    expect(Math.max(...Array.from(k3y, (v, i) => Math.abs(v - want[i]!)))).toBeGreaterThan(1e-3);
    await expect(tfl.loadLayersModel(tf.io.fromMemory(await saveToMemory(k3)))).rejects.toThrow();
    // Half-pixel positions on a ramp: 4 cells upsampled by 2 sample at 0, 0.25, 0.75, … as TensorFlow's resize.
    const ramp = sn.sequential([
      sn.layers.input({ shape: [1, 4, 1] }),
      sn.layers.upSampling2d({ size: [1, 2], interpolation: 'bilinear', halfPixelCenters: true }),
    ]);
    expect(Array.from((ramp.predict([[[[0], [1], [2], [3]]]] as unknown as number[][]) as sn.Tensor).values)).toEqual([
      0, 0.25, 0.75, 1.25, 1.75, 2.25, 2.75, 3,
    ]);
  });

  it('spatial dropout zeroes whole channels while training (and nothing in inference)', () => {
    sn.setSeed(4);
    const C = 8;
    const m = sn.sequential([
      sn.layers.input({ shape: [3, 2, C] }),
      sn.layers.spatialDropout2d({ rate: 0.5 }),
      sn.layers.flatten(),
      sn.layers.dense({ units: 1, useBias: false, kernelInitializer: 'ones' }),
    ]);
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    const x = [images(rng(3), 1, 3, 2, C)[0]!.map((r) => r.map((p) => p.map((v) => v + 2)))];
    const { grads } = m.computeGradients(x as unknown as number[][], [[0]], { seed: 9 });
    const g = grads[0]!.values;
    const kept = Array.from({ length: C }, (_, c) => {
      const col = Array.from({ length: 6 }, (_, p) => g[p * C + c]!);
      expect(col.every((v) => v === 0) || col.every((v) => v !== 0), `channel ${c}`).toBe(true);
      return col[0] !== 0;
    });
    expect(kept.some((k) => k) && kept.some((k) => !k)).toBe(true);
    expect((m.predict(x as unknown as number[][]) as sn.Tensor).values[0]).toBeCloseTo(
      x[0]!.flat(2).reduce((a, b) => a + b, 0),
      3,
    );
  });

  it('channels-first models from TF.js load and predict the same, both ways, after training here', async () => {
    const cf = { dataFormat: 'channelsFirst' as const };
    const tm = tfl.sequential({
      layers: [
        tfl.layers.conv2d({
          filters: 4,
          kernelSize: 3,
          padding: 'same',
          activation: 'relu',
          inputShape: [3, 7, 6],
          biasInitializer: 'randomNormal',
          ...cf,
        }),
        tfl.layers.maxPooling2d({ poolSize: 2, ...cf }),
        tfl.layers.zeroPadding2d({ padding: 1, ...cf }),
        tfl.layers.depthwiseConv2d({ kernelSize: 2, activation: 'relu6', ...cf }),
        tfl.layers.averagePooling2d({ poolSize: 2, strides: 1, ...cf }),
        tfl.layers.upSampling2d({ size: [2, 2], ...cf }),
        tfl.layers.cropping2D({ cropping: [1, 0], ...cf }),
        tfl.layers.flatten(),
        tfl.layers.dense({ units: 3, activation: 'softmax' }),
      ],
    });
    const x = images(rng(14), 4, 3, 7, 6);
    const want = Array.from((tm.predict(tf.tensor(x)) as tf.Tensor).dataSync());
    const ours = await sn.loadModel(io.fromMemory(await tfArtifacts(tm)));
    expect(ours.layers.map((l) => l.outputShape)).toEqual(tm.layers.map((l) => (l.outputShape as number[]).slice(1)));
    expectClose(
      (ours.predict(x as unknown as number[][]) as sn.Tensor).values,
      want,
      'TF.js → simdnet (channels first)',
    );
    ours.compile({ optimizer: 'adam', loss: 'categorical_crossentropy' });
    await ours.fit(
      x as unknown as number[][],
      x.map((_, i) => [0, 1, 2].map((k) => (k === i % 3 ? 1 : 0))),
      { epochs: 2, verbose: 0 },
    );
    const mine = Array.from((ours.predict(x as unknown as number[][]) as sn.Tensor).values);
    const back = await tfl.loadLayersModel(tf.io.fromMemory(await saveToMemory(ours)));
    expectClose(
      Array.from((back.predict(tf.tensor(x)) as tf.Tensor).dataSync()),
      mine,
      'simdnet → TF.js (channels first)',
    );
  });

  it("Keras's class aliases load as the classes they name; TF.js's factory spellings are the same factories", async () => {
    const tm = tfl.sequential({
      layers: [
        tfl.layers.conv2d({ filters: 2, kernelSize: 2, inputShape: [5, 5, 2] }),
        tfl.layers.maxPooling2d({ poolSize: 2 }),
        tfl.layers.globalAveragePooling2d({}),
      ],
    });
    const art = await tfArtifacts(tm);
    const layers = (art.modelTopology as { config: { layers: { class_name: string }[] } }).config.layers;
    layers[0]!.class_name = 'Convolution2D';
    layers[1]!.class_name = 'MaxPool2D';
    layers[2]!.class_name = 'GlobalAvgPool2D';
    const m = await sn.loadModel(io.fromMemory(art));
    expect(m.layers.map((l) => l.className)).toEqual(['Conv2D', 'MaxPooling2D', 'GlobalAveragePooling2D']);
    const x = images(rng(15), 2, 5, 5, 2);
    expectClose(
      (m.predict(x as unknown as number[][]) as sn.Tensor).values,
      Array.from((tm.predict(tf.tensor(x)) as tf.Tensor).dataSync()),
      'aliases',
    );
    expect(sn.layers.cropping2D).toBe(sn.layers.cropping2d);
    expect(sn.layers.maxPool2d).toBe(sn.layers.maxPooling2d);
    expect(sn.layers.avgPool2d).toBe(sn.layers.averagePooling2d);
    expect(sn.layers.globalMaxPool1d).toBe(sn.layers.globalMaxPooling1d);
  });

  it('refuses what it cannot do, naming the argument', () => {
    expect(() => sn.layers.conv2d({ filters: 0, kernelSize: 3 })).toThrow(/filters/);
    expect(() => sn.layers.conv2d({ filters: 2, kernelSize: [3, 0] })).toThrow(/kernelSize/);
    expect(() => sn.layers.conv2d({ filters: 2, kernelSize: 3, padding: 'full' as 'same' })).toThrow(/padding/);
    expect(() => sn.layers.conv2d({ filters: 2, kernelSize: 3, strides: 2, dilationRate: 2 })).toThrow(
      /strides > 1 together with dilationRate > 1/,
    );
    expect(() =>
      sn.sequential([sn.layers.input({ shape: [4, 4, 1] }), sn.layers.conv2d({ filters: 1, kernelSize: 5 })]),
    ).toThrow(/does not fit an input of 4×4/);
    expect(() =>
      sn.sequential([sn.layers.input({ shape: [16] }), sn.layers.conv2d({ filters: 1, kernelSize: 3 })]),
    ).toThrow(/\[height, width, channels\]/);
  });

  it('the TF.js tutorial CNN (conv 8@5×5 → max pool → conv 16@5×5 → max pool → dense 10) learns MNIST: ≥ 92% on 1,000 held-out images after 3 epochs on 2,000', async () => {
    const { images: px, labels, n } = mnist();
    expect(n).toBe(10000);
    const nTrain = 2000,
      nTest = 1000;
    sn.setSeed(1);
    const m = sn.sequential([
      sn.layers.conv2d({ filters: 8, kernelSize: 5, activation: 'relu', inputShape: [28, 28, 1] }),
      sn.layers.maxPooling2d({ poolSize: 2 }),
      sn.layers.conv2d({ filters: 16, kernelSize: 5, activation: 'relu' }),
      sn.layers.maxPooling2d({ poolSize: 2 }),
      sn.layers.flatten(),
      sn.layers.dense({ units: 10, activation: 'softmax' }),
    ]);
    m.compile({
      optimizer: sn.optimizers.adam({ learningRate: 0.005 }),
      loss: 'sparse_categorical_crossentropy',
      metrics: ['accuracy'],
    });
    const x = new sn.Tensor(px.subarray(0, nTrain * 784), [nTrain, 28, 28, 1]);
    const y = new sn.Tensor(labels.subarray(0, nTrain), [nTrain, 1]);
    await m.fit(x, y, { epochs: 3, batchSize: 32, verbose: 0, seed: 1 });
    const xt = new sn.Tensor(px.subarray(nTrain * 784, (nTrain + nTest) * 784), [nTest, 28, 28, 1]);
    const yt = new sn.Tensor(labels.subarray(nTrain, nTrain + nTest), [nTest, 1]);
    expect(m.evaluate(xt, yt).accuracy).toBeGreaterThanOrEqual(0.92);
  }, 120_000);
});
