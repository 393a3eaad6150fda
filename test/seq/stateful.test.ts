/**
 * Stateful recurrent layers (issue 16): a sequence fed in chunks to a
 * stateful layer gives what the whole sequence gives a stateless one with
 * the same weights (every layer kind, both GRU forms, a Bidirectional);
 * resetStates starts over; a batch of another size is refused clearly and
 * leaves the model usable; TF.js's stateful LSTM predicts chunk by chunk as
 * ours does, both ways.
 */
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import * as sn from '../../src/index.js';
import { rng } from '../helpers/gradcheck.js';
import { io, saveToMemory } from '../io/helpers.js';
import { expectClose, tfArtifacts } from '../conv/helpers.js';

const seqs = (r: () => number, n: number, T: number, F: number) =>
  Array.from({ length: n }, () => Array.from({ length: T }, () => Array.from({ length: F }, () => r() * 2 - 1)));
const chunk = (x: number[][][], a: number, b: number) => x.map((s) => s.slice(a, b));
const values = (m: sn.LayersModel, x: number[][][]) =>
  Array.from((m.predict(x as unknown as number[][]) as sn.Tensor).values);

const KINDS: [string, (stateful: boolean) => sn.layers.Layer][] = [
  ['LSTM', (stateful) => sn.layers.lstm({ units: 5, returnSequences: true, stateful })],
  ['GRU (reset after)', (stateful) => sn.layers.gru({ units: 5, returnSequences: true, stateful })],
  ['GRU (reset before)', (stateful) => sn.layers.gru({ units: 5, resetAfter: false, returnSequences: true, stateful })],
  ['SimpleRNN', (stateful) => sn.layers.simpleRNN({ units: 5, returnSequences: true, stateful })],
];

describe('stateful recurrent layers', () => {
  for (const backend of ['js', 'wasm'] as const)
    for (const [kind, make] of KINDS)
      it(`${kind} (${backend}): three chunks of 4 steps give the 12-step sequence's outputs; resetStates starts over`, () => {
        sn.setBackend(backend);
        sn.setSeed(5);
        const whole = sn.sequential([sn.layers.input({ shape: [12, 3] }), make(false)]);
        const parts = sn.sequential([sn.layers.input({ shape: [4, 3] }), make(true)]);
        parts.setWeights(whole.getWeights());
        const x = seqs(rng(4), 2, 12, 3);
        const want = values(whole, x);
        const got = [0, 4, 8].map((a) => values(parts, chunk(x, a, a + 4)));
        // Batch-major: sample 0's 12 steps of 5 units, then sample 1's.
        const joined = [0, 1].flatMap((b) => got.flatMap((g) => g.slice(b * 20, (b + 1) * 20)));
        expectClose(joined, want, `${kind} stateful chunks`);
        parts.resetStates();
        expect(values(parts, chunk(x, 0, 4))).toEqual(got[0]);
        sn.setBackend('wasm');
      });

  it('a bidirectional stateful layer carries both directions; a batch of another size is refused and the model stays usable', () => {
    sn.setSeed(6);
    const m = sn.sequential([
      sn.layers.input({ shape: [3, 2] }),
      sn.layers.bidirectional({ layer: sn.layers.lstm({ units: 3, stateful: true }) }),
    ]);
    const x = seqs(rng(9), 2, 3, 2);
    const first = values(m, x);
    expect(values(m, x)).not.toEqual(first);
    expect(() => m.predict(seqs(rng(1), 3, 3, 2) as unknown as number[][])).toThrow(
      /stateful: every batch must have the 2 samples.*Received a batch of 3.*resetStates/,
    );
    m.resetStates();
    expect(values(m, x)).toEqual(first);
  });

  it('a TF.js stateful LSTM (batchInputShape) predicts chunk by chunk as ours does, both ways', async () => {
    const tm = tfl.sequential({
      layers: [
        tfl.layers.lstm({
          units: 4,
          stateful: true,
          batchInputShape: [2, 3, 2],
          recurrentInitializer: 'glorotUniform',
          biasInitializer: 'randomNormal',
        }),
        tfl.layers.dense({ units: 1 }),
      ],
    });
    const x = seqs(rng(3), 2, 9, 2);
    const ours = await sn.loadModel(io.fromMemory(await tfArtifacts(tm)));
    const l0 = ours.layers[0] as sn.layers.LSTM;
    expect([l0.stateful, l0.declaredBatchSize]).toEqual([true, 2]);
    const want = [0, 3, 6].flatMap((a) =>
      Array.from((tm.predict(tf.tensor(chunk(x, a, a + 3))) as tf.Tensor).dataSync()),
    );
    const got = [0, 3, 6].flatMap((a) => values(ours, chunk(x, a, a + 3)));
    expectClose(got, want, 'TF.js stateful → simdnet');
    expect(() => ours.predict(chunk(x, 0, 3).slice(0, 1) as unknown as number[][])).toThrow(/2 samples/);
    ours.resetStates();
    const back = await tfl.loadLayersModel(tf.io.fromMemory(await saveToMemory(ours)));
    const again = [0, 3, 6].flatMap((a) =>
      Array.from((back.predict(tf.tensor(chunk(x, a, a + 3))) as tf.Tensor).dataSync()),
    );
    expectClose(again, want, 'simdnet stateful → TF.js');
  });

  it('trains statefully on consecutive chunks (batch size fixed, no shuffle)', async () => {
    sn.setSeed(2);
    const m = sn.sequential([
      sn.layers.input({ shape: [5, 1] }),
      sn.layers.gru({ units: 6, stateful: true }),
      sn.layers.dense({ units: 1 }),
    ]);
    m.compile({ optimizer: sn.optimizers.adam({ learningRate: 0.02 }), loss: 'mse' });
    // Four series, each cut into 10 chunks: batch k holds chunk k of every series.
    const series = [0, 1, 2, 3].map((s) => Array.from({ length: 51 }, (_, i) => Math.sin(0.3 * i + s)));
    const x: number[][][] = [],
      y: number[][] = [];
    for (let k = 0; k < 10; k++)
      for (const s of series) {
        x.push(s.slice(5 * k, 5 * k + 5).map((v) => [v]));
        y.push([s[5 * k + 5]!]);
      }
    const h = await m.fit(x as unknown as number[][], y, { epochs: 20, batchSize: 4, shuffle: false, verbose: 0 });
    const loss = h.history.loss as number[];
    expect(loss[loss.length - 1]!).toBeLessThan(loss[0]! / 5);
    await expect(
      m.fit(x.slice(0, 6) as unknown as number[][], y.slice(0, 6), { batchSize: 4, verbose: 0 }),
    ).rejects.toThrow(/stateful/);
  });
});
