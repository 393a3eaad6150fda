/** Seeds make training reproducible; js and wasm backends agree after a short run. */
import { describe, expect, it } from 'vitest';
import * as sn from '../../src/index.js';
import { digits } from '../helpers/data.js';

async function train(backend: 'js' | 'wasm', seed: number): Promise<Float32Array[]> {
  sn.setBackend(backend);
  sn.setSeed(seed);
  const d = digits();
  const m = sn.sequential([
    sn.layers.dense({ units: 32, inputDim: 64, activation: 'relu' }),
    sn.layers.dropout({ rate: 0.2 }),
    sn.layers.dense({ units: 10, activation: 'softmax' }),
  ]);
  m.compile({ loss: 'sparse_categorical_crossentropy', optimizer: 'adam' });
  await m.fit(d.xTrain.slice(0, 256), d.yTrain.slice(0, 256), { epochs: 2, batchSize: 32, verbose: 0, seed: seed + 1 });
  return m.getWeights().map((t) => t.values);
}

describe('determinism', () => {
  it('same seed, same data, same backend → bit-identical weights', async () => {
    for (const be of ['wasm', 'js'] as const) {
      const a = await train(be, 21),
        b = await train(be, 21);
      a.forEach((w, i) => expect(Array.from(w)).toEqual(Array.from(b[i]!)));
      const c = await train(be, 22);
      expect(Array.from(c[0]!)).not.toEqual(Array.from(a[0]!));
    }
  });

  it('js and wasm backends agree after a short training run (max abs diff < 1e-3)', async () => {
    const a = await train('wasm', 31),
      b = await train('js', 31);
    let maxDiff = 0;
    a.forEach((w, i) =>
      w.forEach((v, k) => {
        maxDiff = Math.max(maxDiff, Math.abs(v - b[i]![k]!));
      }),
    );
    expect(maxDiff).toBeLessThan(1e-3);
    sn.setBackend('wasm');
  });
});
