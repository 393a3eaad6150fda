/**
 * The GRU layer (issue 16), in both of Keras's forms: finite-difference
 * gradients on both backends over its options; reset_after = true (Keras 3's
 * default, which TF.js refuses) against a float64 evaluation of Keras's
 * formula; reset_after = false against GRUs built in TF.js, both ways; files
 * saying either form load in it; and a task that needs memory.
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
    'reset after (Keras 3), last step, 5 units (a vector and a tail), random biases',
    () => [
      sn.layers.gru({ units: 5, biasInitializer: 'randomNormal' }),
      sn.layers.dense({ units: 3, activation: 'softmax' }),
    ],
    [4, 3],
  ],
  [
    'reset before (TF.js), whole sequence, goBackwards, hard sigmoid gates; then reset after without bias, relu',
    () => [
      sn.layers.gru({
        units: 4,
        resetAfter: false,
        returnSequences: true,
        goBackwards: true,
        recurrentActivation: 'hard_sigmoid_legacy',
        biasInitializer: 'randomNormal',
      }),
      sn.layers.gru({ units: 3, activation: 'relu', useBias: false, recurrentRegularizer: 'l2' }),
      sn.layers.dense({ units: 3, activation: 'softmax' }),
    ],
    [5, 2],
  ],
  [
    'reset before, 6 units, Keras 3 hard sigmoid, the whole sequence flattened',
    () => [
      sn.layers.gru({ units: 6, resetAfter: false, returnSequences: true, recurrentActivation: 'hard_sigmoid' }),
      sn.layers.flatten(),
      sn.layers.dense({ units: 3, activation: 'softmax' }),
    ],
    [3, 4],
  ],
  [
    'dropout and recurrentDropout (one mask per sequence), both forms, and a bidirectional LSTM and SimpleRNN with them',
    () => [
      sn.layers.gru({ units: 5, returnSequences: true, dropout: 0.3, recurrentDropout: 0.4, seed: 1 }),
      sn.layers.gru({ units: 4, returnSequences: true, resetAfter: false, dropout: 0.2, recurrentDropout: 0.5 }),
      sn.layers.bidirectional({
        layer: sn.layers.lstm({ units: 3, returnSequences: true, dropout: 0.25, recurrentDropout: 0.3 }),
      }),
      sn.layers.simpleRNN({ units: 3, recurrentDropout: 0.5, goBackwards: true }),
      sn.layers.dense({ units: 3, activation: 'softmax' }),
    ],
    [4, 3],
  ],
];

for (const backend of ['js', 'wasm'] as const) {
  describe(`GRU gradients (${backend} backend)`, () => {
    for (const [name, layers, shape] of CASES) {
      it(name, () => {
        sn.setBackend(backend);
        sn.setSeed(3);
        const r = rng(7);
        const m = sn.sequential([sn.layers.input({ shape }), ...layers()]);
        m.compile({ optimizer: 'sgd', loss: 'categorical_crossentropy' });
        const x = seqs(r, 5, shape[0]!, shape[1]!);
        const y = x.map((_, i) => [0, 1, 2].map((k) => (k === i % 3 ? 1 : 0)));
        const { err, norm } = gradError(m, x as unknown as number[][], y);
        expect(norm).toBeGreaterThan(0);
        expect(err).toBeLessThanOrEqual(2e-2 * Math.max(norm, 1e-3));
        sn.setBackend('wasm');
      });
    }
  });
}

/** Keras's GRU (reset_after = true) in float64: h = z·h + (1 − z)·tanh(x_h + b_h + r·(h·U_h + b'_h)). */
function kerasGru(x: number[][], W: Float32Array, Uk: Float32Array, bias: Float32Array, U: number): number[] {
  const F = x[0]!.length,
    sig = (v: number) => 1 / (1 + Math.exp(-v));
  let h = new Array<number>(U).fill(0);
  for (const xt of x) {
    const pre = (m: Float32Array, v: number[], rows: number, k: number) =>
      Array.from({ length: U }, (_, u) => {
        let s = 0;
        for (let i = 0; i < rows; i++) s += v[i]! * m[i * 3 * U + k * U + u]!;
        return s;
      });
    const [xz, xr, xh] = [0, 1, 2].map((k) => pre(W, xt, F, k));
    const [hz, hr, hh] = [0, 1, 2].map((k) => pre(Uk, h, U, k));
    const b = (row: number, k: number, u: number) => bias[row * 3 * U + k * U + u]!;
    h = h.map((hp, u) => {
      const z = sig(xz[u]! + b(0, 0, u) + hz[u]! + b(1, 0, u));
      const r = sig(xr[u]! + b(0, 1, u) + hr[u]! + b(1, 1, u));
      const c = Math.tanh(xh[u]! + b(0, 2, u) + r * (hh[u]! + b(1, 2, u)));
      return z * hp + (1 - z) * c;
    });
  }
  return h;
}

describe('GRU against Keras and TensorFlow.js, and learning', () => {
  for (const backend of ['js', 'wasm'] as const)
    it(`reset_after = true computes Keras's formula (float64 reference, ${backend} backend); its bias is [2, 3·units]`, () => {
      sn.setBackend(backend);
      sn.setSeed(9);
      const U = 6,
        T = 7,
        F = 3;
      const m = sn.sequential([
        sn.layers.input({ shape: [T, F] }),
        sn.layers.gru({ units: U, biasInitializer: 'randomNormal', recurrentInitializer: 'glorotUniform' }),
      ]);
      const [W, Uk, bias] = m.getWeights();
      expect(bias!.shape).toEqual([2, 3 * U]);
      const x = seqs(rng(12), 4, T, F);
      const got = (m.predict(x as unknown as number[][]) as sn.Tensor).values;
      const want = x.flatMap((s) => kerasGru(s, W!.values, Uk!.values, bias!.values, U));
      expectClose(got, want, `GRU reset_after=true vs float64 (${backend})`);
      sn.setBackend('wasm');
    });

  it('TF.js GRUs (reset before, its hard-sigmoid default, sequences, goBackwards) load and predict the same; ours load back in TF.js', async () => {
    const tm = tfl.sequential({
      layers: [
        tfl.layers.gru({
          units: 6,
          returnSequences: true,
          inputShape: [7, 3],
          biasInitializer: 'randomNormal',
          recurrentInitializer: 'glorotUniform',
        }),
        tfl.layers.gru({
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
    expect(ours.layers.map((l) => l.className)).toEqual(['GRU', 'GRU', 'Dense']);
    const g0 = ours.layers[0] as sn.layers.GRU;
    expect([g0.resetAfter, g0.recurrentActivation.name]).toEqual([false, 'hard_sigmoid_legacy']);
    expectClose((ours.predict(x as unknown as number[][]) as sn.Tensor).values, want, 'TF.js → simdnet (GRU)');
    ours.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy' });
    await ours.fit(x as unknown as number[][], [[0], [1], [1], [0]], { epochs: 3, verbose: 0 });
    const mine = Array.from((ours.predict(x as unknown as number[][]) as sn.Tensor).values);
    const back = await tfl.loadLayersModel(tf.io.fromMemory(await saveToMemory(ours)));
    expectClose(Array.from((back.predict(tf.tensor(x)) as tf.Tensor).dataSync()), mine, 'simdnet → TF.js (GRU)');
  });

  it('a Keras 3 GRU saved here loads back with reset_after and its [2, 3·units] bias; TF.js refuses it as TF.js does', async () => {
    sn.setSeed(2);
    const m = sn.sequential([
      sn.layers.input({ shape: [5, 2] }),
      sn.layers.gru({ units: 3, biasInitializer: 'randomNormal' }),
    ]);
    const art = await saveToMemory(m);
    const layer = (art.modelTopology as { config: { layers: { config: Record<string, unknown> }[] } }).config.layers[0]!
      .config;
    expect(layer.reset_after).toBe(true);
    const back = await sn.loadModel(io.fromMemory(art));
    const x = seqs(rng(3), 3, 5, 2);
    expect((back.predict(x as unknown as number[][]) as sn.Tensor).values).toEqual(
      (m.predict(x as unknown as number[][]) as sn.Tensor).values,
    );
    await expect(tfl.loadLayersModel(tf.io.fromMemory(art))).rejects.toThrow(/reset_after/);
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
      sn.layers.gru({ units: 8 }),
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

  it('dropout: a TF.js GRU and LSTM with dropout load and predict as TF.js (inference draws no mask); training draws masks, predicting does not', async () => {
    const tm = tfl.sequential({
      layers: [
        tfl.layers.gru({
          units: 4,
          returnSequences: true,
          inputShape: [5, 2],
          dropout: 0.3,
          recurrentDropout: 0.2,
          recurrentInitializer: 'glorotUniform',
        }),
        tfl.layers.lstm({ units: 3, dropout: 0.1, recurrentInitializer: 'glorotUniform' }),
      ],
    });
    const x = seqs(rng(8), 3, 5, 2);
    const want = Array.from((tm.predict(tf.tensor(x)) as tf.Tensor).dataSync());
    const ours = await sn.loadModel(io.fromMemory(await tfArtifacts(tm)));
    expect((ours.layers[0] as sn.layers.GRU).recurrentDropout).toBeCloseTo(0.2, 6);
    expectClose((ours.predict(x as unknown as number[][]) as sn.Tensor).values, want, 'TF.js → simdnet (dropout)');
    const back = await tfl.loadLayersModel(tf.io.fromMemory(await saveToMemory(ours)));
    expect((back.layers[0]!.getConfig() as { dropout: number }).dropout).toBeCloseTo(0.3, 6);
    // Training with dropout changes the loss from one step's masks to the next; predicting twice does not.
    ours.compile({ optimizer: sn.optimizers.sgd({ learningRate: 0 }), loss: 'mse' });
    const y = [
      [0, 0, 0],
      [1, 1, 1],
      [0, 1, 0],
    ];
    const h = await ours.fit(x as unknown as number[][], y, { epochs: 3, batchSize: 3, verbose: 0 });
    const losses = h.history.loss as number[];
    expect(new Set(losses).size).toBe(3);
    expect(ours.evaluate(x as unknown as number[][], y).loss).toBe(ours.evaluate(x as unknown as number[][], y).loss);
  });

  it('refuses bad options, naming the argument', () => {
    expect(() => sn.layers.gru({ units: 2, dropout: 1 })).toThrow(/dropout.*\[0, 1\)/);
    expect(() => sn.layers.lstm({ units: 2, recurrentDropout: -0.1 })).toThrow(/recurrentDropout/);
    expect(() => sn.layers.simpleRNN({ units: 2, seed: 1.5 })).toThrow(/seed/);
    expect(() => sn.layers.gru({ units: -1 })).toThrow(/units/);
    expect(() => sn.layers.gru({ units: 2, activation: 'softmax' })).toThrow(/activation.*GRU/);
    expect(() => sn.layers.gru({ units: 2, recurrentActivation: 'relu' })).toThrow(/recurrentActivation/);
    expect(() => sn.layers.gru({ units: 2, resetAfter: 'yes' as unknown as boolean })).toThrow(/resetAfter/);
  });
});
