/** Several models in one process: interleaved fits, memory exhaustion, finalization. */
import { describe, expect, it } from 'vitest';
import * as sn from '../../src/index.js';
import { digits } from '../helpers/data.js';

function model(seed: number, units = 24) {
  sn.setSeed(seed);
  const m = sn.sequential([
    sn.layers.dense({ units, inputDim: 64, activation: 'relu' }),
    sn.layers.dropout({ rate: 0.1 }),
    sn.layers.dense({ units: 10, activation: 'softmax' }),
  ]);
  m.compile({ loss: 'sparse_categorical_crossentropy', optimizer: 'adam', metrics: ['accuracy'] });
  return m;
}

describe('isolation', () => {
  it('interleaved async fits of three models give the same weights as each trained alone', async () => {
    const d = digits();
    const x = d.xTrain.slice(0, 400),
      y = d.yTrain.slice(0, 400);
    const alone: Float32Array[][] = [];
    for (const s of [1, 2, 3]) {
      const m = model(s, 16 + s * 8);
      await m.fit(x, y, { epochs: 3, batchSize: 16, verbose: 0, seed: s });
      alone.push(m.getWeights().map((t) => t.values));
    }
    const ms = [1, 2, 3].map((s) => model(s, 16 + s * 8));
    // yieldEvery: 0 makes every fit yield after each step, so the three really interleave.
    const order: number[] = [];
    await Promise.all(
      ms.map((m, i) =>
        m.fit(x, y, {
          epochs: 3,
          batchSize: 16,
          verbose: 0,
          seed: i + 1,
          yieldEvery: 0,
          callbacks: [
            {
              onBatchEnd: () => {
                order.push(i);
              },
            },
          ],
        }),
      ),
    );
    // They did interleave:
    expect(new Set(order.slice(0, 10)).size).toBeGreaterThan(1);
    ms.forEach((m, i) =>
      m.getWeights().forEach((t, k) => expect(Array.from(t.values)).toEqual(Array.from(alone[i]![k]!))),
    );
  });

  it('a model too big for the kernel memory is a clear error before training, and other models keep working', async () => {
    const d = digits();
    const ok = model(4);
    await ok.fit(d.xTrain.slice(0, 64), d.yTrain.slice(0, 64), { epochs: 1, batchSize: 16, verbose: 0 });
    const before = ok.predict(d.xTest.slice(0, 8)).values;
    const heap = sn.getBackend().heap;
    const live = heap.liveCount;
    // 64 → 2,200,000 units: 141 M weights (563 MiB), plus their gradient and two Adam slots: over 2 GiB.
    const big = sn.sequential([sn.layers.dense({ units: 2_200_000, inputDim: 64, kernelInitializer: 'zeros' })]);
    big.compile({ loss: 'mse', optimizer: 'adam' });
    expect(() => big.predict([new Array(64).fill(0)])).toThrow(/Out of kernel memory: model .* needs \d+\.\d MiB/);
    expect(heap.liveCount).toBe(live);
    expect(Array.from(ok.predict(d.xTest.slice(0, 8)).values)).toEqual(Array.from(before));
    await ok.fit(d.xTrain.slice(0, 64), d.yTrain.slice(0, 64), { epochs: 1, batchSize: 16, verbose: 0 });
  });

  it('a single weight larger than the kernel memory can hold is refused when the layer is built', () => {
    expect(() => sn.sequential([sn.layers.dense({ units: 2 ** 20, inputDim: 2 ** 10 })])).toThrow(
      /more than the kernel memory can ever hold/,
    );
  });
});
