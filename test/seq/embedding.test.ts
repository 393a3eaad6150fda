/**
 * The Embedding layer (issue 16's first step): finite-difference gradients on
 * both backends (ids repeated within and across samples, so rows collect
 * several gradients), TF.js's predictions for a model built in TF.js and ours
 * loaded back by tf.loadLayersModel, a text-like task it learns, and bad ids
 * refused with their position, the model still usable.
 */
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import * as sn from '../../src/index.js';
import { gradError, rng } from '../helpers/gradcheck.js';
import { io, saveToMemory } from '../io/helpers.js';
import { expectClose, tfArtifacts } from '../conv/helpers.js';

const ids = (r: () => number, n: number, len: number, V: number) =>
  Array.from({ length: n }, () => Array.from({ length: len }, () => Math.floor(r() * V)));

for (const backend of ['js', 'wasm'] as const) {
  describe(`embedding gradients (${backend} backend)`, () => {
    it('embedding → flatten → dense softmax, and embedding → conv1d → global average pooling', () => {
      sn.setBackend(backend);
      sn.setSeed(5);
      const r = rng(9);
      const x = ids(r, 6, 5, 4); // 4 ids over 30 positions: every row gets several gradients
      const y = x.map((_, i) => [0, 1, 2].map((k) => (k === i % 3 ? 1 : 0)));
      for (const layers of [
        () => [
          sn.layers.embedding({ inputDim: 4, outputDim: 3, inputLength: 5 }),
          sn.layers.flatten(),
          sn.layers.dense({ units: 3, activation: 'softmax' }),
        ],
        () => [
          sn.layers.embedding({ inputDim: 4, outputDim: 5, inputLength: 5, embeddingsRegularizer: 'l2' }),
          sn.layers.conv1d({ filters: 3, kernelSize: 2, activation: 'tanh' }),
          sn.layers.globalAveragePooling1d(),
          sn.layers.dense({ units: 3, activation: 'softmax' }),
        ],
      ]) {
        const m = sn.sequential(layers());
        m.compile({ optimizer: 'sgd', loss: 'categorical_crossentropy' });
        const { err, norm } = gradError(m, x, y);
        expect(norm).toBeGreaterThan(0);
        expect(err).toBeLessThanOrEqual(2e-2 * Math.max(norm, 1e-3));
      }
      sn.setBackend('wasm');
    });
  });
}

describe('embedding and TensorFlow.js, learning, bad ids', () => {
  it('a TF.js model with an Embedding loads here and predicts the same; ours, trained, loads in tf.loadLayersModel', async () => {
    const tm = tfl.sequential({
      layers: [
        tfl.layers.embedding({ inputDim: 30, outputDim: 6, inputLength: 7, embeddingsInitializer: 'randomNormal' }),
        tfl.layers.conv1d({ filters: 4, kernelSize: 3, activation: 'relu' }),
        tfl.layers.globalMaxPooling1d({}),
        tfl.layers.dense({ units: 2, activation: 'softmax' }),
      ],
    });
    const x = ids(rng(3), 5, 7, 30);
    const want = Array.from((tm.predict(tf.tensor(x)) as tf.Tensor).dataSync());
    const ours = await sn.loadModel(io.fromMemory(await tfArtifacts(tm)));
    expect(ours.layers[0]!.className).toBe('Embedding');
    expect(ours.layers[0]!.outputShape).toEqual([7, 6]);
    expectClose((ours.predict(x) as sn.Tensor).values, want, 'TF.js → simdnet (embedding)');
    ours.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy' });
    await ours.fit(
      x,
      x.map((_, i) => [i % 2]),
      { epochs: 3, verbose: 0 },
    );
    const mine = Array.from((ours.predict(x) as sn.Tensor).values);
    const back = await tfl.loadLayersModel(tf.io.fromMemory(await saveToMemory(ours)));
    expectClose(Array.from((back.predict(tf.tensor(x)) as tf.Tensor).dataSync()), mine, 'simdnet → TF.js (embedding)');
  });

  it('learns which of two marker ids a sequence holds: ≥ 95% on 400 held-out sequences', async () => {
    // Sequences of 12 ids from 50: filler ids 2..49, and somewhere one marker, 0 (class 0) or 1 (class 1).
    const r = rng(21);
    const make = (n: number) => {
      const x = ids(r, n, 12, 48).map((s) => s.map((v) => v + 2));
      const y = x.map((s) => {
        const c = r() < 0.5 ? 0 : 1;
        s[Math.floor(r() * 12)] = c;
        return [c];
      });
      return { x, y };
    };
    const tr = make(1600),
      te = make(400);
    sn.setSeed(2);
    const m = sn.sequential([
      sn.layers.embedding({ inputDim: 50, outputDim: 8, inputLength: 12 }),
      sn.layers.globalMaxPooling1d(),
      sn.layers.dense({ units: 2, activation: 'softmax' }),
    ]);
    m.compile({
      optimizer: sn.optimizers.adam({ learningRate: 0.02 }),
      loss: 'sparse_categorical_crossentropy',
      metrics: ['accuracy'],
    });
    await m.fit(tr.x, tr.y, { epochs: 8, batchSize: 32, verbose: 0, seed: 1 });
    expect(m.evaluate(te.x, te.y).accuracy).toBeGreaterThanOrEqual(0.95);
  });

  it('a bad id is refused with its position and the model stays usable; bad arguments name themselves', () => {
    const m = sn.sequential([
      sn.layers.embedding({ inputDim: 10, outputDim: 2, inputLength: 3 }),
      sn.layers.flatten(),
      sn.layers.dense({ units: 1 }),
    ]);
    expect(() =>
      m.predict([
        [1, 2, 3],
        [4, 10, 5],
      ]),
    ).toThrow(/input 1 \(in this batch\), position 1, is 10: expected an integer id in \[0, 9\]/);
    expect(() => m.predict([[1, 2.5, 3]])).toThrow(/is 2\.5: expected an integer id/);
    expect((m.predict([[1, 2, 3]]) as sn.Tensor).shape).toEqual([1, 1]);
    expect(() => sn.layers.embedding({ inputDim: 0, outputDim: 2 })).toThrow(/inputDim/);
    expect(() => sn.layers.embedding({ inputDim: 3, outputDim: -1 })).toThrow(/outputDim/);
    expect(() => sn.layers.embedding({ inputDim: 3, outputDim: 2, inputLength: 0 })).toThrow(/inputLength/);
    expect(() => sn.layers.embedding({ inputDim: 3, outputDim: 2, maskZero: 1 as unknown as boolean })).toThrow(
      /maskZero/,
    );
    expect(() =>
      sn.sequential([
        sn.layers.input({ shape: [2, 3] }),
        sn.layers.embedding({ inputDim: 3, outputDim: 2, maskZero: true }),
      ]),
    ).toThrow(/maskZero needs one id per step/);
  });
});
