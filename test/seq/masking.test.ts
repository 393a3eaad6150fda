/**
 * Masks (issue 16), as Keras propagates them: from embedding({ maskZero })
 * and masking() through the layers that keep a sequence's steps, into the
 * recurrent layers (states held through padding, so a padded sequence gives
 * what the unpadded one gives) and GlobalAveragePooling1D (the mean of the
 * real steps). Finite-difference gradients on both backends, TF.js models
 * with masks both ways, and the merge refusal.
 */
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import * as sn from '../../src/index.js';
import { gradError, rng } from '../helpers/gradcheck.js';
import { io, saveToMemory } from '../io/helpers.js';
import { expectClose, tfArtifacts } from '../conv/helpers.js';

const values = (m: sn.LayersModel, x: unknown) => Array.from((m.predict(x as number[][]) as sn.Tensor).values);
/** Id sequences of length T with padding (0) at the end or the start, every sample at least one real id. */
const ids = (r: () => number, n: number, T: number) =>
  Array.from({ length: n }, (_, i) => {
    const len = 1 + Math.floor(r() * T);
    const real = Array.from({ length: len }, () => 1 + Math.floor(r() * 7));
    const pad = Array<number>(T - len).fill(0);
    return i % 2 === 0 ? [...real, ...pad] : [...pad, ...real];
  });

const CASES: [string, () => sn.layers.Layer[], number[], boolean][] = [
  [
    'embedding(maskZero) → dense (keeps the mask) → LSTM sequence → GRU (reset before), padding both ends',
    () => [
      sn.layers.embedding({ inputDim: 8, outputDim: 3, maskZero: true }),
      sn.layers.dense({ units: 4, activation: 'tanh' }),
      sn.layers.lstm({ units: 3, returnSequences: true }),
      sn.layers.gru({ units: 4, resetAfter: false, goBackwards: true }),
      sn.layers.dense({ units: 3, activation: 'softmax' }),
    ],
    [6],
    true,
  ],
  [
    'masking → bidirectional GRU (reset after, recurrent dropout) sequence → global average pooling over the real steps',
    () => [
      sn.layers.masking({ maskValue: 0 }),
      sn.layers.bidirectional({
        layer: sn.layers.gru({ units: 3, returnSequences: true, recurrentDropout: 0.3 }),
        mergeMode: 'sum',
      }),
      sn.layers.globalAveragePooling1d({}),
      sn.layers.dense({ units: 3, activation: 'softmax' }),
    ],
    [5, 2],
    false,
  ],
];

/** Sequences of T steps of F features with whole steps of 0 (padding) at the end or the start. */
const padded = (r: () => number, n: number, T: number, F: number) =>
  ids(r, n, T).map((s) =>
    s.map((v) => (v === 0 ? Array<number>(F).fill(0) : Array.from({ length: F }, () => r() * 2 - 1))),
  );

for (const backend of ['js', 'wasm'] as const) {
  describe(`masked gradients (${backend} backend)`, () => {
    for (const [name, layers, shape, isIds] of CASES) {
      it(name, () => {
        sn.setBackend(backend);
        sn.setSeed(3);
        const m = sn.sequential([sn.layers.input({ shape }), ...layers()]);
        m.compile({ optimizer: 'sgd', loss: 'categorical_crossentropy' });
        const r = rng(7);
        const x = isIds ? ids(r, 6, shape[0]!) : padded(r, 6, shape[0]!, shape[1]!);
        const y = x.map((_, i) => [0, 1, 2].map((k) => (k === i % 3 ? 1 : 0)));
        const { err, norm } = gradError(m, x as unknown as number[][], y);
        expect(norm).toBeGreaterThan(0);
        expect(err).toBeLessThanOrEqual(2e-2 * Math.max(norm, 1e-3));
        sn.setBackend('wasm');
      });
    }
  });
}

describe('mask semantics', () => {
  for (const kind of ['lstm', 'gru', 'simpleRNN'] as const)
    it(`${kind}: a sequence padded at either end predicts what the unpadded one predicts`, () => {
      sn.setSeed(4);
      const rnn = () =>
        kind === 'lstm'
          ? sn.layers.lstm({ units: 4 })
          : kind === 'gru'
            ? sn.layers.gru({ units: 4 })
            : sn.layers.simpleRNN({ units: 4 });
      const padded = sn.sequential([
        sn.layers.input({ shape: [7] }),
        sn.layers.embedding({ inputDim: 9, outputDim: 3, maskZero: true }),
        rnn(),
      ]);
      const plain = sn.sequential([
        sn.layers.input({ shape: [3] }),
        sn.layers.embedding({ inputDim: 9, outputDim: 3 }),
        rnn(),
      ]);
      plain.setWeights(padded.getWeights());
      const want = values(plain, [[4, 2, 8]]);
      expectClose(values(padded, [[4, 2, 8, 0, 0, 0, 0]]), want, `${kind} right-padded`);
      expectClose(values(padded, [[0, 0, 0, 0, 4, 2, 8]]), want, `${kind} left-padded`);
      expect(values(padded, [[4, 2, 8, 1, 0, 0, 0]])).not.toEqual(values(padded, [[4, 2, 8, 0, 0, 0, 0]]));
    });

  it('global average pooling averages the unmasked steps; a mask flows through dense and dropout, not flatten', () => {
    sn.setSeed(1);
    const m = sn.sequential([
      sn.layers.input({ shape: [4, 2] }),
      sn.layers.masking({ maskValue: -1 }),
      sn.layers.dropout({ rate: 0.5 }),
      sn.layers.globalAveragePooling1d({}),
    ]);
    const x = [
      [
        [1, 2],
        [-1, -1],
        [3, 6],
        [-1, 5],
      ],
    ];
    // Steps 0, 2 and 3 are real (step 3 has one feature that is not -1).
    expectClose(values(m, x), [(1 + 3 - 1) / 3, (2 + 6 + 5) / 3], 'masked mean');
    expect(m.graph.maskFrom[2]).toBe(0);
    const f = sn.sequential([
      sn.layers.input({ shape: [4, 2] }),
      sn.layers.masking({}),
      sn.layers.flatten(),
      sn.layers.reshape({ targetShape: [4, 2] }),
      sn.layers.globalAveragePooling1d({}),
    ]);
    expect(Array.from(f.graph.maskFrom)).toEqual([-1, 0, -1, -1]);
  });

  it('a merge of sequences masked by different layers is refused, naming them', () => {
    const a = sn.input({ shape: [5] }),
      b = sn.input({ shape: [5] });
    const ea = sn.layers.embedding({ inputDim: 4, outputDim: 2, maskZero: true, name: 'ea' }).apply(a);
    const eb = sn.layers.embedding({ inputDim: 4, outputDim: 2, maskZero: true, name: 'eb' }).apply(b);
    const c = sn.layers.concatenate({}).apply([ea, eb]);
    expect(() => sn.model({ inputs: [a, b], outputs: c })).toThrow(
      /merges sequences masked by different layers \('ea', 'eb'\)/,
    );
  });
});

describe('masks and TensorFlow.js', () => {
  it('TF.js embedding(maskZero) → LSTM and masking → GRU models load and predict the same on padded data; ours load back', async () => {
    const t1 = tfl.sequential({
      layers: [
        tfl.layers.embedding({ inputDim: 9, outputDim: 4, maskZero: true, inputLength: 6 }),
        tfl.layers.lstm({ units: 5, recurrentInitializer: 'glorotUniform', returnSequences: true }),
        tfl.layers.lstm({ units: 3, recurrentInitializer: 'glorotUniform' }),
      ],
    });
    const t2 = tfl.sequential({
      layers: [
        tfl.layers.masking({ maskValue: 0, inputShape: [5, 2] }),
        tfl.layers.gru({ units: 4, recurrentInitializer: 'glorotUniform', goBackwards: true }),
      ],
    });
    const r = rng(12);
    const xi = ids(r, 6, 6),
      xs = padded(r, 6, 5, 2);
    for (const [tm, x, name] of [
      [t1, xi, 'embedding(maskZero) → LSTM'],
      [t2, xs, 'masking → GRU'],
    ] as const) {
      const want = Array.from((tm.predict(tf.tensor(x as number[][])) as tf.Tensor).dataSync());
      const ours = await sn.loadModel(io.fromMemory(await tfArtifacts(tm)));
      expectClose(values(ours, x), want, `TF.js → simdnet (${name})`);
      const back = await tfl.loadLayersModel(tf.io.fromMemory(await saveToMemory(ours)));
      expectClose(
        Array.from((back.predict(tf.tensor(x as number[][])) as tf.Tensor).dataSync()),
        want,
        `simdnet → TF.js (${name})`,
      );
    }
  });
});
