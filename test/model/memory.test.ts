/**
 * The memory plan: a training step after the first allocates no kernel memory; dropped models free theirs;
 * inference plans reuse three buffers where training plans keep every layer's.
 */
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
      model.compile({
        loss: 'categorical_crossentropy',
        optimizer: sn.optimizers.adam({ globalClipnorm: 1 }),
        metrics: ['accuracy'],
      });
      const x = Array.from({ length: 64 }, (_, i) => Array.from({ length: 16 }, (_, j) => Math.sin(i * 16 + j)));
      const y = x.map((r) => {
        const o = [0, 0, 0, 0];
        o[Math.abs(Math.floor(r[0]! * 4)) % 4] = 1;
        return o;
      });
      await model.fit(x, y, { epochs: 1, batchSize: 16, verbose: 0 });
      const before = model.memoryStats();
      let after = before;
      // 50 epochs × 4 steps = 200 steps.
      const probe = {
        onBatchEnd: () => {
          after = model.memoryStats();
          if (after.heapLive !== before.heapLive || after.heapBytes !== before.heapBytes)
            throw new Error('kernel memory changed during a step');
        },
      };
      await model.fit(x, y, { epochs: 50, batchSize: 16, verbose: 0, callbacks: [probe] });
      expect(after).toEqual(before);
    });
  }

  it('a functional model with two inputs, a shared layer, a merge and two outputs: 200 steps change no kernel memory', async () => {
    sn.setBackend('wasm');
    sn.setSeed(3);
    const a = sn.input({ shape: [6] }),
      b = sn.input({ shape: [6] });
    const shared = sn.layers.dense({ units: 8, activation: 'relu' });
    const h = sn.layers.concatenate([shared.apply(a), shared.apply(b)]);
    const m = sn.model({
      inputs: [a, b],
      outputs: [sn.layers.dense({ units: 3, activation: 'softmax' }).apply(h), sn.layers.dense({ units: 1 }).apply(h)],
    });
    m.compile({
      optimizer: 'adam',
      loss: ['sparse_categorical_crossentropy', 'mse'],
      lossWeights: [1, 0.5],
      metrics: ['accuracy'],
    });
    const xa = Array.from({ length: 64 }, (_, i) => Array.from({ length: 6 }, (_, j) => Math.sin(i * 6 + j)));
    const xb = xa.map((r) => r.map((v) => v * v));
    const y1 = xa.map((r) => [Math.abs(Math.floor(r[0]! * 3)) % 3]),
      y2 = xa.map((r) => [r[1]! + r[2]!]);
    await m.fit([xa, xb], [y1, y2], { epochs: 1, batchSize: 16, verbose: 0 });
    const before = m.memoryStats();
    let changed = false;
    const probe = {
      onBatchEnd: () => {
        const now = m.memoryStats();
        if (now.heapLive !== before.heapLive || now.heapBytes !== before.heapBytes) changed = true;
      },
    };
    await m.fit([xa, xb], [y1, y2], { epochs: 50, batchSize: 16, verbose: 0, callbacks: [probe] });
    expect(changed).toBe(false);
    expect(m.memoryStats()).toEqual(before);
  });

  it('an inference plan holds three activation buffers for a 10-layer, 1024-wide MLP at batch 1024; a training plan three per layer', () => {
    sn.setBackend('wasm');
    sn.setSeed(2);
    const layers = Array.from({ length: 10 }, (_, i) =>
      sn.layers.dense({
        units: 1024,
        activation: i === 9 ? 'softmax' : 'relu',
        ...(i === 0 ? { inputDim: 1024 } : {}),
      }),
    );
    const model = sn.sequential(layers);
    const x = sn.tensor(
      new Float32Array(1024 * 1024).map((_, i) => Math.sin(i)),
      [1024, 1024],
    );
    const heap0 = model.memoryStats().heapLive;
    model.predict(x, { batchSize: 1024 });
    const [plan] = model.memoryStats().plans;
    expect(plan).toEqual({ B: 1024, training: false, activationBuffers: 3 });
    expect(model.memoryStats().heapLive - heap0).toBeGreaterThan(0);
    // A gradient at the same batch size lays out a training plan: output, pre-activation and gradient per layer.
    model.compile({ loss: 'categorical_crossentropy', optimizer: 'sgd' });
    const small = sn.tensor(
      new Float32Array(8 * 1024).map((_, i) => Math.cos(i)),
      [8, 1024],
    );
    const onehot = sn.tensor(
      new Float32Array(8 * 1024).map((_, i) => (i % 1025 === 0 ? 1 : 0)),
      [8, 1024],
    );
    model.computeGradients(small, onehot);
    expect(model.memoryStats().plans.find((p) => p.training)).toEqual({ B: 8, training: true, activationBuffers: 30 });
    model.release();
  });

  it('inference through its own plan gives the bits a training plan gives: predict and evaluate, every layer kind, fused and unfused losses', () => {
    sn.setBackend('wasm');
    const build = (loss: string, out: string) => {
      sn.setSeed(4);
      const m = sn.sequential([
        sn.layers.dense({ units: 12, inputDim: 6, activation: 'tanh' }),
        sn.layers.dropout({ rate: 0.3 }),
        sn.layers.batchNormalization(),
        sn.layers.flatten(),
        sn.layers.dense({ units: 9 }),
        sn.layers.activation({ activation: 'relu' }),
        sn.layers.dense({ units: 3, activation: out }),
      ]);
      m.compile({ loss, optimizer: 'adam', metrics: ['accuracy'] });
      return m;
    };
    const x = Array.from({ length: 20 }, (_, i) => Array.from({ length: 6 }, (_, j) => Math.sin(i * 7 + j)));
    const y = x.map((r) => {
      const o = [0, 0, 0];
      o[Math.abs(Math.floor(r[0]! * 3)) % 3] = 1;
      return o;
    });
    for (const [loss, out] of [
      ['categorical_crossentropy', 'softmax'],
      ['binary_crossentropy', 'sigmoid'],
      ['mse', 'linear'],
    ] as const) {
      // a: inference plan (predict first); b: the same weights, a training plan laid out first at the same batch size.
      const a = build(loss, out),
        b = build(loss, out);
      b.setWeights(a.getWeights());
      b.computeGradients(x, y, { training: false });
      const pa = a.predict(x, { batchSize: 20 }).values,
        pb = b.predict(x, { batchSize: 20 }).values;
      expect(a.memoryStats().plans.map((p) => p.training)).toEqual([false]);
      expect(b.memoryStats().plans.map((p) => p.training)).toEqual([true]);
      expect(Array.from(pa), loss).toEqual(Array.from(pb));
      expect(a.evaluate(x, y, { batchSize: 20 }), loss).toEqual(b.evaluate(x, y, { batchSize: 20 }));
    }
  });

  it('a plan that cannot fit is refused before anything is allocated, with its numbers; a smaller batch then works', () => {
    sn.setBackend('wasm');
    sn.setSeed(5);
    const m = sn.sequential([
      sn.layers.dense({ units: 65536, inputDim: 8, activation: 'relu' }),
      sn.layers.dense({ units: 2 }),
    ]);
    const x = sn.tensor(new Float32Array(8192 * 8).fill(0.1), [8192, 8]);
    m.predict(x, { batchSize: 4 }); // placed, with a small plan
    const before = m.memoryStats();
    // Three buffers of 8192 × 65536 floats: 6 GiB, over the 2 GiB the kernel memory can ever hold.
    expect(() => m.predict(x, { batchSize: 8192 })).toThrow(
      /Out of kernel memory: running model '.+' at batch size 8192 needs 614\d\.\d MiB for its activations, but only \d+\.\d MiB of the 2048 MiB maximum are free\. Use a smaller batchSize/,
    );
    expect(m.memoryStats().heapBytes).toBe(before.heapBytes); // nothing grown
    expect(m.predict(x, { batchSize: 64 }).shape).toEqual([8192, 2]);
    m.release();
  });

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
    const m = sn.sequential([
      sn.layers.dense({ units: 16, inputDim: 4, activation: 'tanh' }),
      sn.layers.dense({ units: 2, activation: 'softmax' }),
    ]);
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
