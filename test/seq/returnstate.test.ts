/**
 * Layers that return several tensors (issue 16): recurrent layers with
 * returnState ([output, h], LSTM [output, h, c]) and Bidirectional with
 * mergeMode 'none' ([forward, backward]), in functional models. Finite
 * differences on both backends through every tensor, the states' values,
 * TF.js functional models with them both ways, saving, summaries, masks and
 * the refusals.
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
const vals = (t: sn.Tensor | sn.Tensor[], k = 0) => Array.from((Array.isArray(t) ? t[k]! : t).values);

const CASES: [string, () => sn.LayersModel][] = [
  [
    'LSTM sequence with returnState: mean of the sequence, h and c concatenated',
    () => {
      const x = sn.input({ shape: [4, 2] });
      const [seq, h, c] = sn.layers.lstm({ units: 3, returnSequences: true, returnState: true }).apply(x);
      const pooled = sn.layers.globalAveragePooling1d({}).apply(seq!);
      const all = sn.layers.concatenate({}).apply([pooled, h!, c!]);
      return sn.model({ inputs: x, outputs: sn.layers.dense({ units: 3, activation: 'softmax' }).apply(all) });
    },
  ],
  [
    'GRU (reset before, goBackwards) with returnState feeding only its state on; SimpleRNN with returnState',
    () => {
      const x = sn.input({ shape: [5, 2] });
      const [, h] = sn.layers.gru({ units: 3, resetAfter: false, goBackwards: true, returnState: true }).apply(x);
      const [o, s] = sn.layers.simpleRNN({ units: 2, returnState: true }).apply(x);
      const all = sn.layers.concatenate({}).apply([h!, o!, s!]);
      return sn.model({ inputs: x, outputs: sn.layers.dense({ units: 3, activation: 'softmax' }).apply(all) });
    },
  ],
  [
    "bidirectional GRU (mergeMode 'none') sequences, each pooled its own way",
    () => {
      const x = sn.input({ shape: [4, 3] });
      const [f, b] = sn.layers
        .bidirectional({ layer: sn.layers.gru({ units: 2, returnSequences: true }), mergeMode: 'none' })
        .apply(x);
      const all = sn.layers
        .concatenate({})
        .apply([sn.layers.globalAveragePooling1d({}).apply(f!), sn.layers.globalMaxPooling1d({}).apply(b!)]);
      return sn.model({ inputs: x, outputs: sn.layers.dense({ units: 3, activation: 'softmax' }).apply(all) });
    },
  ],
];

for (const backend of ['js', 'wasm'] as const) {
  describe(`gradients through several returned tensors (${backend} backend)`, () => {
    for (const [name, build] of CASES)
      it(name, () => {
        sn.setBackend(backend);
        sn.setSeed(4);
        const m = build();
        m.compile({ optimizer: 'sgd', loss: 'categorical_crossentropy' });
        const [T, F] = m.inputs[0]!.shape as [number, number];
        const x = seqs(rng(9), 5, T, F);
        const y = x.map((_, i) => [0, 1, 2].map((k) => (k === i % 3 ? 1 : 0)));
        const { err, norm } = gradError(m, x as unknown as number[][], y);
        expect(norm).toBeGreaterThan(0);
        expect(err).toBeLessThanOrEqual(2e-2 * Math.max(norm, 1e-3));
        sn.setBackend('wasm');
      });
  });
}

describe('returned states and both directions', () => {
  it('h is the last output, c the cell state; a model of several outputs returns each', () => {
    sn.setSeed(2);
    const x = sn.input({ shape: [6, 2] });
    const lstm = sn.layers.lstm({ units: 4, returnSequences: true, returnState: true, name: 'enc' });
    const outs = lstm.apply(x);
    expect(outs.map((t) => t.shape)).toEqual([[6, 4], [4], [4]]);
    const m = sn.model({ inputs: x, outputs: outs });
    expect(m.layers.map((l) => l.className)).toEqual(['InputLayer', 'LSTM']);
    expect(m.outputNames).toEqual(['enc', 'enc_1', 'enc_2']);
    const data = seqs(rng(3), 3, 6, 2);
    const [seq, h, c] = m.predict(data as unknown as number[][]) as sn.Tensor[];
    const last = Array.from({ length: 3 }, (_, i) => Array.from(seq!.values.slice(i * 24 + 20, i * 24 + 24)));
    expect(Array.from(h!.values)).toEqual(last.flat());
    // The same layer without returnState (same weights) gives the same sequence; c is bounded and not h.
    const plain = sn.sequential([
      sn.layers.input({ shape: [6, 2] }),
      sn.layers.lstm({ units: 4, returnSequences: true }),
    ]);
    plain.setWeights(m.getWeights());
    expect(vals(plain.predict(data as unknown as number[][]))).toEqual(Array.from(seq!.values));
    expect(Array.from(c!.values)).not.toEqual(Array.from(h!.values));
  });

  it("mergeMode 'none' gives the two halves of 'concat', the backward one in time order", () => {
    sn.setSeed(6);
    const x = sn.input({ shape: [5, 2] });
    const none = sn.model({
      inputs: x,
      outputs: sn.layers
        .bidirectional({ layer: sn.layers.lstm({ units: 3, returnSequences: true }), mergeMode: 'none' })
        .apply(x),
    });
    const cat = sn.sequential([
      sn.layers.input({ shape: [5, 2] }),
      sn.layers.bidirectional({ layer: sn.layers.lstm({ units: 3, returnSequences: true }) }),
    ]);
    cat.setWeights(none.getWeights());
    const data = seqs(rng(4), 2, 5, 2);
    const [f, b] = none.predict(data as unknown as number[][]) as sn.Tensor[];
    const both = vals(cat.predict(data as unknown as number[][]));
    const half = (k: number) =>
      Array.from({ length: 10 }, (_, r) => both.slice(r * 6 + 3 * k, r * 6 + 3 * k + 3)).flat();
    expect(Array.from(f!.values)).toEqual(half(0));
    expect(Array.from(b!.values)).toEqual(half(1));
  });

  it('a sequence returned with states keeps its mask; the states are those of the real steps', () => {
    sn.setSeed(8);
    const x = sn.input({ shape: [5] });
    const e = sn.layers.embedding({ inputDim: 6, outputDim: 3, maskZero: true }).apply(x);
    const [seq, h, c] = sn.layers.lstm({ units: 2, returnSequences: true, returnState: true }).apply(e);
    const pooled = sn.layers.globalAveragePooling1d({}).apply(seq!);
    const m = sn.model({ inputs: x, outputs: [pooled, h!, c!] });
    const got = m.predict([
      [3, 1, 4, 0, 0],
      [3, 1, 4, 5, 2],
    ]) as sn.Tensor[];
    const ref = m.predict([[3, 1, 4, 0, 0]]) as sn.Tensor[];
    // The padded sample's mean is over its three real steps: equal to the three-step mean computed alone.
    const three = sn.sequential([
      sn.layers.input({ shape: [3] }),
      sn.layers.embedding({ inputDim: 6, outputDim: 3 }),
      sn.layers.lstm({ units: 2, returnSequences: true }),
      sn.layers.globalAveragePooling1d({}),
    ]);
    three.setWeights(m.getWeights());
    const alone = vals(three.predict([[3, 1, 4]]));
    for (let k = 0; k < 2; k++) expect(got[0]!.values[k]!).toBeCloseTo(alone[k]!, 6);
    for (const t of [1, 2]) expect(Array.from(got[t]!.values.slice(0, 2))).toEqual(Array.from(ref[t]!.values));
    expect(Array.from(got[1]!.values.slice(0, 2))).not.toEqual(Array.from(got[1]!.values.slice(2)));
  });

  it('saves and loads, summarises the layer once, trains', async () => {
    sn.setSeed(5);
    const x = sn.input({ shape: [4, 2] });
    const [o, h] = sn.layers.gru({ units: 3, returnState: true, name: 'g' }).apply(x);
    const [f, b] = sn.layers
      .bidirectional({ layer: sn.layers.simpleRNN({ units: 2 }), mergeMode: 'none', name: 'bi' })
      .apply(x);
    const y = sn.layers
      .dense({ units: 1, activation: 'sigmoid', name: 'out' })
      .apply(sn.layers.concatenate({}).apply([o!, h!, f!, b!]));
    const m = sn.model({ inputs: x, outputs: y });
    const text = m.summary({ print: false, lineLength: 120 });
    expect(text.match(/\bg \(GRU\)/g)?.length).toBe(1);
    expect(text.match(/\bbi \(Bidirectional\)/g)?.length).toBe(1);
    expect(text).toMatch(/g\[0\]\[1\]/);
    expect(text).toMatch(/bi\[0\]\[1\]/);
    const data = seqs(rng(1), 8, 4, 2);
    m.compile({ optimizer: 'adam', loss: 'binary_crossentropy' });
    const hist = await m.fit(
      data as unknown as number[][],
      data.map((s) => [s[0]![0]! > 0 ? 1 : 0]),
      {
        epochs: 3,
        verbose: 0,
      },
    );
    expect(hist.history.loss!.length).toBe(3);
    const back = await sn.loadModel(io.fromMemory(await saveToMemory(m)));
    expect(back.layers.map((l) => l.name)).toEqual(m.layers.map((l) => l.name));
    expect(vals(back.predict(data as unknown as number[][]))).toEqual(vals(m.predict(data as unknown as number[][])));
  });

  it('refuses what cannot work, naming it', () => {
    expect(() =>
      sn.sequential([sn.layers.input({ shape: [3, 2] }), sn.layers.lstm({ units: 2, returnState: true })]),
    ).toThrow(/'lstm.*' \(LSTM\) returns 3 tensors.*functional API/);
    expect(() =>
      sn.sequential([
        sn.layers.input({ shape: [3, 2] }),
        sn.layers.bidirectional({ layer: sn.layers.gru({ units: 2 }), mergeMode: null }),
      ]),
    ).toThrow(/returns 2 tensors/);
    expect(() =>
      sn.layers.bidirectional({ layer: sn.layers.lstm({ units: 2, returnState: true }), mergeMode: 'concat' }),
    ).toThrow(/returnState is not supported yet/);
    expect(() => sn.layers.lstm({ units: 2, returnState: 1 as unknown as boolean })).toThrow(/returnState.*Received/);
  });
});

describe('several returned tensors and TensorFlow.js', () => {
  it('a TF.js functional model with LSTM/GRU states and a bidirectional of mergeMode null loads, predicts, trains and goes back', async () => {
    const x = tfl.input({ shape: [6, 3] });
    const [seq, h, c] = tfl.layers
      .lstm({
        units: 4,
        returnSequences: true,
        returnState: true,
        recurrentInitializer: 'glorotUniform',
        biasInitializer: 'randomNormal',
      })
      .apply(x) as tfl.SymbolicTensor[];
    const [g, gh] = tfl.layers
      .gru({ units: 3, returnState: true, recurrentInitializer: 'glorotUniform', goBackwards: true })
      .apply(seq!) as tfl.SymbolicTensor[];
    const [f, b] = tfl.layers
      .bidirectional({
        layer: tfl.layers.simpleRNN({ units: 2, recurrentInitializer: 'glorotUniform' }) as tfl.RNN,
        mergeMode: null as unknown as 'concat',
      })
      .apply(x) as tfl.SymbolicTensor[];
    const joined = tfl.layers.concatenate().apply([h!, c!, g!, gh!, f!, b!]) as tfl.SymbolicTensor;
    const out = tfl.layers.dense({ units: 2, activation: 'softmax' }).apply(joined) as tfl.SymbolicTensor;
    const tm = tfl.model({ inputs: x, outputs: [out, c!] });
    const data = seqs(rng(12), 4, 6, 3);
    const want = (tm.predict(tf.tensor(data)) as tf.Tensor[]).map((t) => Array.from(t.dataSync()));
    const ours = await sn.loadModel(io.fromMemory(await tfArtifacts(tm)));
    const got = ours.predict(data as unknown as number[][]) as sn.Tensor[];
    expectClose(got[0]!.values, want[0]!, 'TF.js → simdnet, the softmax');
    expectClose(got[1]!.values, want[1]!, 'TF.js → simdnet, the LSTM cell state');
    ours.compile({ optimizer: 'adam', loss: ['sparse_categorical_crossentropy', 'mse'] });
    await ours.fit(
      data as unknown as number[][],
      [[[0], [1], [1], [0]], [0, 1, 2, 3].map((i) => want[1]!.slice(i * 4, i * 4 + 4).map((v) => v * 0.5))],
      {
        epochs: 2,
        verbose: 0,
      },
    );
    const mine = (ours.predict(data as unknown as number[][]) as sn.Tensor[]).map((t) => Array.from(t.values));
    const back = await tfl.loadLayersModel(tf.io.fromMemory(await saveToMemory(ours)));
    const theirs = (back.predict(tf.tensor(data)) as tf.Tensor[]).map((t) => Array.from(t.dataSync()));
    expectClose(theirs[0]!, mine[0]!, 'simdnet → TF.js, the softmax');
    expectClose(theirs[1]!, mine[1]!, 'simdnet → TF.js, the LSTM cell state');
  });
});
