/**
 * The LSTM layer (issue 16): finite-difference gradients on both backends
 * over its options (the last step or the whole sequence, goBackwards, gate and
 * candidate activations, units with a vector tail, behind an Embedding),
 * TF.js's predictions for LSTMs built in TF.js (its default gate activation,
 * the hard sigmoid, included) and ours loaded back by tf.loadLayersModel, and
 * a task that needs memory across the sequence.
 */
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import * as sn from '../../src/index.js';
import { gradError, rng } from '../helpers/gradcheck.js';
import { io, saveToMemory } from '../io/helpers.js';
import { expectClose, tfArtifacts } from '../conv/helpers.js';

const seqs = (r: () => number, n: number, T: number, F: number) =>
  Array.from({ length: n }, () => Array.from({ length: T }, () => Array.from({ length: F }, () => r() * 2 - 1)));

const CASES: [string, () => sn.layers.Layer[], number[], boolean][] = [
  [
    'last step, 5 units (a vector and a tail), tanh and sigmoid',
    () => [sn.layers.lstm({ units: 5 }), sn.layers.dense({ units: 3, activation: 'softmax' })],
    [4, 3],
    false,
  ],
  [
    'whole sequence, goBackwards, hard sigmoid gates (TF.js form), then a second LSTM with relu and Keras 3 hard sigmoid',
    () => [
      sn.layers.lstm({
        units: 4,
        returnSequences: true,
        goBackwards: true,
        recurrentActivation: 'hard_sigmoid_legacy',
        biasInitializer: 'randomNormal',
      }),
      sn.layers.lstm({ units: 3, activation: 'relu', recurrentActivation: 'hard_sigmoid', useBias: false }),
      sn.layers.dense({ units: 3, activation: 'softmax' }),
    ],
    [5, 2],
    false,
  ],
  [
    'SimpleRNN: whole sequence with goBackwards and elu, then the last step of a tanh one without bias',
    () => [
      sn.layers.simpleRNN({ units: 5, returnSequences: true, goBackwards: true, activation: 'elu' }),
      sn.layers.simpleRNN({ units: 3, useBias: false }),
      sn.layers.dense({ units: 3, activation: 'softmax' }),
    ],
    [6, 2],
    false,
  ],
  [
    'behind an embedding, the whole sequence flattened',
    () => [
      sn.layers.embedding({ inputDim: 6, outputDim: 3, inputLength: 4 }),
      sn.layers.lstm({ units: 2, returnSequences: true, recurrentRegularizer: 'l2' }),
      sn.layers.flatten(),
      sn.layers.dense({ units: 3, activation: 'softmax' }),
    ],
    [4],
    true,
  ],
];

for (const backend of ['js', 'wasm'] as const) {
  describe(`LSTM gradients (${backend} backend)`, () => {
    for (const [name, layers, shape, ids] of CASES) {
      it(name, () => {
        sn.setBackend(backend);
        sn.setSeed(3);
        const r = rng(7);
        const m = sn.sequential([sn.layers.input({ shape }), ...layers()]);
        m.compile({ optimizer: 'sgd', loss: 'categorical_crossentropy' });
        const x = ids
          ? Array.from({ length: 5 }, () => Array.from({ length: shape[0]! }, () => Math.floor(r() * 6)))
          : seqs(r, 5, shape[0]!, shape[1]!);
        const y = x.map((_, i) => [0, 1, 2].map((k) => (k === i % 3 ? 1 : 0)));
        const { err, norm } = gradError(m, x as unknown as number[][], y);
        expect(norm).toBeGreaterThan(0);
        expect(err).toBeLessThanOrEqual(2e-2 * Math.max(norm, 1e-3));
        sn.setBackend('wasm');
      });
    }
  });
}

describe('LSTM and TensorFlow.js, and learning', () => {
  it('TF.js LSTMs (its hard-sigmoid default, sequences, goBackwards) load and predict the same; ours load back in TF.js', async () => {
    const tm = tfl.sequential({
      layers: [
        tfl.layers.lstm({
          units: 6,
          returnSequences: true,
          inputShape: [7, 3],
          biasInitializer: 'randomNormal',
          recurrentInitializer: 'glorotUniform',
        }),
        tfl.layers.lstm({
          units: 5,
          goBackwards: true,
          recurrentActivation: 'sigmoid',
          activation: 'relu',
          recurrentInitializer: 'glorotUniform',
        }),
        tfl.layers.dense({ units: 2, activation: 'softmax' }),
      ],
    });
    const x = seqs(rng(5), 4, 7, 3);
    const want = Array.from((tm.predict(tf.tensor(x)) as tf.Tensor).dataSync());
    const ours = await sn.loadModel(io.fromMemory(await tfArtifacts(tm)));
    expect(ours.layers.map((l) => l.className)).toEqual(['LSTM', 'LSTM', 'Dense']);
    expect((ours.layers[0] as sn.layers.LSTM).recurrentActivation.name).toBe('hard_sigmoid_legacy');
    expectClose((ours.predict(x as unknown as number[][]) as sn.Tensor).values, want, 'TF.js → simdnet (LSTM)');
    ours.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy' });
    await ours.fit(x as unknown as number[][], [[0], [1], [1], [0]], { epochs: 3, verbose: 0 });
    const mine = Array.from((ours.predict(x as unknown as number[][]) as sn.Tensor).values);
    const back = await tfl.loadLayersModel(tf.io.fromMemory(await saveToMemory(ours)));
    expectClose(Array.from((back.predict(tf.tensor(x)) as tf.Tensor).dataSync()), mine, 'simdnet → TF.js (LSTM)');
  });

  it('TF.js SimpleRNNs load and predict the same, both ways', async () => {
    const tm = tfl.sequential({
      layers: [
        tfl.layers.simpleRNN({
          units: 4,
          returnSequences: true,
          inputShape: [6, 3],
          recurrentInitializer: 'glorotUniform',
          biasInitializer: 'randomNormal',
        }),
        tfl.layers.simpleRNN({
          units: 3,
          goBackwards: true,
          activation: 'relu',
          recurrentInitializer: 'glorotUniform',
        }),
        tfl.layers.dense({ units: 2 }),
      ],
    });
    const x = seqs(rng(6), 3, 6, 3);
    const want = Array.from((tm.predict(tf.tensor(x)) as tf.Tensor).dataSync());
    const ours = await sn.loadModel(io.fromMemory(await tfArtifacts(tm)));
    expect(ours.layers.map((l) => l.className)).toEqual(['SimpleRNN', 'SimpleRNN', 'Dense']);
    expectClose((ours.predict(x as unknown as number[][]) as sn.Tensor).values, want, 'TF.js → simdnet (SimpleRNN)');
    const back = await tfl.loadLayersModel(tf.io.fromMemory(await saveToMemory(ours)));
    expectClose(Array.from((back.predict(tf.tensor(x)) as tf.Tensor).dataSync()), want, 'simdnet → TF.js (SimpleRNN)');
  });

  it('remembers the sign of the first step across 12 steps of noise: ≥ 95% on 500 held-out sequences', async () => {
    const r = rng(31);
    const make = (n: number) => {
      const x = seqs(r, n, 12, 1);
      return { x, y: x.map((s) => [s[0]![0]! > 0 ? 1 : 0]) };
    };
    const tr = make(2000),
      te = make(500);
    sn.setSeed(4);
    const m = sn.sequential([
      sn.layers.input({ shape: [12, 1] }),
      sn.layers.lstm({ units: 8 }),
      sn.layers.dense({ units: 1, activation: 'sigmoid' }),
    ]);
    m.compile({
      optimizer: sn.optimizers.adam({ learningRate: 0.01 }),
      loss: 'binary_crossentropy',
      metrics: ['accuracy'],
    });
    await m.fit(tr.x as unknown as number[][], tr.y, { epochs: 30, batchSize: 32, verbose: 0, seed: 2 });
    expect(m.evaluate(te.x as unknown as number[][], te.y).accuracy).toBeGreaterThanOrEqual(0.95);
  }, 60_000);

  it('refuses bad arguments, naming them', () => {
    expect(() => sn.layers.lstm({ units: 0 })).toThrow(/units/);
    expect(() => sn.layers.lstm({ units: 2, activation: 'softmax' })).toThrow(/activation/);
    expect(() => sn.layers.lstm({ units: 2, recurrentActivation: 'tanh' })).toThrow(/recurrentActivation/);
    expect(() => sn.layers.lstm({ units: 2, stateful: 'yes' as unknown as boolean })).toThrow(/stateful/);
    expect(() => sn.layers.lstm({ units: 2, returnState: 'yes' as unknown as boolean })).toThrow(/returnState/);
    expect(() => sn.sequential([sn.layers.input({ shape: [4] }), sn.layers.lstm({ units: 2 })])).toThrow(
      /\[steps, features\]/,
    );
  });
});
