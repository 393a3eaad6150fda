/** The memory plan: a training step after the first allocates no kernel memory; dropped models free theirs. */
import { describe, expect, it } from 'vitest';
import * as sn from '../../src/index.js';

describe('memory plan', () => {
  for (const backend of ['wasm', 'js'] as const) {
    it(`200 steps after warm-up change neither the kernel memory size nor the live block count (${backend})`, async () => {
      sn.setBackend(backend);
      sn.setSeed(1);
      const model = sn.sequential([
        sn.layers.dense({ units: 32, inputDim: 16, activation: 'relu' }),
        sn.layers.dropout({ rate: 0.2 }),
        sn.layers.batchNormalization(),
        sn.layers.dense({ units: 4, activation: 'softmax' }),
      ]);
      model.compile({ loss: 'categorical_crossentropy', optimizer: sn.optimizers.adam({ globalClipnorm: 1 }), metrics: ['accuracy'] });
      const x = Array.from({ length: 64 }, (_, i) => Array.from({ length: 16 }, (_, j) => Math.sin(i * 16 + j)));
      const y = x.map((r) => { const o = [0, 0, 0, 0]; o[Math.abs(Math.floor(r[0]! * 4)) % 4] = 1; return o; });
      await model.fit(x, y, { epochs: 1, batchSize: 16, verbose: 0 });
      const before = model.memoryStats();
      let after = before;
      // 50 epochs × 4 steps = 200 steps.
      const probe = { onBatchEnd: () => { after = model.memoryStats(); if (after.heapLive !== before.heapLive || after.heapBytes !== before.heapBytes) throw new Error('kernel memory changed during a step'); } };
      await model.fit(x, y, { epochs: 50, batchSize: 16, verbose: 0, callbacks: [probe] });
      expect(after).toEqual(before);
    });
  }

  it('release() frees the kernel memory and the model stays usable', () => {
    sn.setBackend('wasm');
    const heap = sn.getBackend().heap;
    const live0 = heap.liveCount;
    const m = sn.sequential([sn.layers.dense({ units: 8, inputDim: 4 })]);
    const p1 = m.predict([[1, 2, 3, 4]]);
    expect(heap.liveCount).toBeGreaterThan(live0);
    m.release();
    expect(heap.liveCount).toBe(live0);
    expect(Array.from(m.predict([[1, 2, 3, 4]]).values)).toEqual(Array.from(p1.values));
  });

  it('a model switches backends, carrying its weights, and both agree', async () => {
    sn.setBackend('wasm');
    sn.setSeed(5);
    const m = sn.sequential([sn.layers.dense({ units: 16, inputDim: 4, activation: 'tanh' }), sn.layers.dense({ units: 2, activation: 'softmax' })]);
    m.compile({ loss: 'sparse_categorical_crossentropy', optimizer: 'adam' });
    const x = Array.from({ length: 40 }, (_, i) => [Math.sin(i), Math.cos(i), Math.sin(2 * i), 1]);
    const y = x.map((r) => [r[0]! > 0 ? 1 : 0]);
    await m.fit(x, y, { epochs: 2, batchSize: 8, verbose: 0, seed: 1 });
    const a = m.predict(x).values;
    sn.setBackend('js');
    const b = m.predict(x).values;
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThan(1e-5);
    sn.setBackend('wasm');
  });
});
