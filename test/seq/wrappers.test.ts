/**
 * Bidirectional and TimeDistributed (issue 16): finite-difference gradients
 * on both backends over every merge mode and wrapped layer kind, TF.js models
 * with them built in TF.js loaded here and predicting the same, ours loaded
 * back by tf.loadLayersModel, and the errors.
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

const CASES: [string, () => sn.layers.Layer[], number[]][] = [
  [
    'bidirectional LSTM, concat, whole sequence; then bidirectional GRU (reset before), sum, last step',
    () => [
      sn.layers.bidirectional({ layer: sn.layers.lstm({ units: 3, returnSequences: true }) }),
      sn.layers.bidirectional({ layer: sn.layers.gru({ units: 2, resetAfter: false }), mergeMode: 'sum' }),
      sn.layers.dense({ units: 3, activation: 'softmax' }),
    ],
    [4, 2],
  ],
  [
    'bidirectional SimpleRNN, mul, whole sequence, flattened; bidirectional GRU (goBackwards), ave',
    () => [
      sn.layers.bidirectional({
        layer: sn.layers.simpleRNN({ units: 3, returnSequences: true, biasInitializer: 'randomNormal' }),
        mergeMode: 'mul',
      }),
      sn.layers.bidirectional({ layer: sn.layers.gru({ units: 5, goBackwards: true }), mergeMode: 'ave' }),
      sn.layers.dense({ units: 3, activation: 'softmax' }),
    ],
    [5, 3],
  ],
  [
    'timeDistributed dense after an LSTM sequence, flattened',
    () => [
      sn.layers.lstm({ units: 3, returnSequences: true }),
      sn.layers.timeDistributed({ layer: sn.layers.dense({ units: 2, activation: 'tanh' }) }),
      sn.layers.flatten(),
      sn.layers.dense({ units: 3, activation: 'softmax' }),
    ],
    [4, 2],
  ],
  [
    'timeDistributed conv2d and pooling over frames, then an LSTM over the frames',
    () => [
      sn.layers.timeDistributed({ layer: sn.layers.conv2d({ filters: 2, kernelSize: 2, activation: 'relu' }) }),
      sn.layers.timeDistributed({ layer: sn.layers.globalAveragePooling2d({}) }),
      sn.layers.lstm({ units: 3 }),
      sn.layers.dense({ units: 3, activation: 'softmax' }),
    ],
    [3, 4, 4, 1],
  ],
];

const data = (shape: number[], n: number, r: () => number): unknown => {
  const one = (s: number[]): unknown =>
    s.length === 1
      ? Array.from({ length: s[0]! }, () => r() * 2 - 1)
      : Array.from({ length: s[0]! }, () => one(s.slice(1)));
  return Array.from({ length: n }, () => one(shape));
};

for (const backend of ['js', 'wasm'] as const) {
  describe(`wrapper gradients (${backend} backend)`, () => {
    for (const [name, layers, shape] of CASES) {
      it(name, () => {
        sn.setBackend(backend);
        sn.setSeed(3);
        const m = sn.sequential([sn.layers.input({ shape }), ...layers()]);
        m.compile({ optimizer: 'sgd', loss: 'categorical_crossentropy' });
        const x = data(shape, 5, rng(7)) as number[][];
        const y = x.map((_, i) => [0, 1, 2].map((k) => (k === i % 3 ? 1 : 0)));
        const { err, norm } = gradError(m, x, y);
        expect(norm).toBeGreaterThan(0);
        expect(err).toBeLessThanOrEqual(2e-2 * Math.max(norm, 1e-3));
        sn.setBackend('wasm');
      });
    }
  });
}

describe('wrappers and TensorFlow.js', () => {
  for (const mode of ['concat', 'sum', 'mul', 'ave'] as const)
    it(`a TF.js bidirectional (${mode}) and timeDistributed model loads and predicts the same; ours loads back in TF.js`, async () => {
      const tm = tfl.sequential({
        layers: [
          tfl.layers.bidirectional({
            layer: tfl.layers.lstm({
              units: 4,
              returnSequences: true,
              recurrentInitializer: 'glorotUniform',
              biasInitializer: 'randomNormal',
            }) as tfl.RNN,
            mergeMode: mode,
            inputShape: [6, 3],
          }),
          tfl.layers.timeDistributed({ layer: tfl.layers.dense({ units: 3, activation: 'relu' }) }),
          tfl.layers.bidirectional({
            layer: tfl.layers.gru({ units: 2, recurrentInitializer: 'glorotUniform', goBackwards: true }) as tfl.RNN,
            mergeMode: mode,
          }),
          tfl.layers.dense({ units: 2, activation: 'softmax' }),
        ],
      });
      const x = seqs(rng(5), 4, 6, 3);
      const want = Array.from((tm.predict(tf.tensor(x)) as tf.Tensor).dataSync());
      const ours = await sn.loadModel(io.fromMemory(await tfArtifacts(tm)));
      expect(ours.layers.map((l) => l.className)).toEqual([
        'Bidirectional',
        'TimeDistributed',
        'Bidirectional',
        'Dense',
      ]);
      expectClose((ours.predict(x as unknown as number[][]) as sn.Tensor).values, want, `TF.js → simdnet (${mode})`);
      ours.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy' });
      await ours.fit(x as unknown as number[][], [[0], [1], [1], [0]], { epochs: 2, verbose: 0 });
      const mine = Array.from((ours.predict(x as unknown as number[][]) as sn.Tensor).values);
      const back = await tfl.loadLayersModel(tf.io.fromMemory(await saveToMemory(ours)));
      expectClose(Array.from((back.predict(tf.tensor(x)) as tf.Tensor).dataSync()), mine, `simdnet → TF.js (${mode})`);
    });

  it('weights carry TF.js names; a model saved here loads back here the same', async () => {
    sn.setSeed(1);
    const m = sn.sequential([
      sn.layers.input({ shape: [5, 2] }),
      sn.layers.bidirectional({ layer: sn.layers.gru({ units: 3, name: 'g' }), name: 'bi' }),
      sn.layers.repeatVector({ n: 2 }),
      sn.layers.timeDistributed({ layer: sn.layers.dense({ units: 2 }), name: 'td' }),
    ]);
    expect(m.getWeights().length).toBe(8);
    expect(m.layers[0]!.weights.map((w) => w.name)).toEqual([
      'bi/forward_g/kernel',
      'bi/forward_g/recurrent_kernel',
      'bi/forward_g/bias',
      'bi/backward_g/kernel',
      'bi/backward_g/recurrent_kernel',
      'bi/backward_g/bias',
    ]);
    expect(m.layers[2]!.weights.map((w) => w.name)).toEqual(['td/kernel', 'td/bias']);
    const x = seqs(rng(2), 3, 5, 2);
    const back = await sn.loadModel(io.fromMemory(await saveToMemory(m)));
    expect((back.predict(x as unknown as number[][]) as sn.Tensor).values).toEqual(
      (m.predict(x as unknown as number[][]) as sn.Tensor).values,
    );
  });

  it('refuses bad arguments, naming them', () => {
    expect(() => sn.layers.bidirectional({ layer: sn.layers.dense({ units: 2 }) })).toThrow(/layer.*recurrent layer/);
    expect(() =>
      sn.layers.bidirectional({ layer: sn.layers.lstm({ units: 2 }), mergeMode: 'max' as unknown as 'sum' }),
    ).toThrow(/mergeMode/);
    expect(() => sn.layers.bidirectional({ layer: sn.layers.lstm({ units: 2, returnState: true }) })).toThrow(
      /not supported yet/,
    );
    expect(() => sn.layers.timeDistributed({ layer: sn.layers.add() })).toThrow(/layer of one input/);
    expect(() =>
      sn.sequential([
        sn.layers.input({ shape: [4] }),
        sn.layers.timeDistributed({ layer: sn.layers.dense({ units: 2 }) }),
      ]),
    ).toThrow(/\[steps, \.\.\.features\]/);
  });
});
