/**
 * A whole short training run through the public API gives the same weights,
 * losses and predictions, bit for bit, with 1, 2 and 3 threads (issue 5), and
 * the thread controls: sn.setThreads, backendInfo().threads, SIMDNET_THREADS.
 */
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import * as sn from '../../src/index.js';
import type { ThreadedBackend } from '../../src/backend/threaded.js';
import { defaultThreads, tune } from '../../src/backend/threaded.js';
import { bits, data, waitWorkers } from './helpers.js';

afterAll(async () => {
  await sn.shutdown();
});

async function trainOnce(
  threads: number,
): Promise<{ weights: Float32Array[]; loss: number[]; pred: Float32Array; dispatches: number }> {
  sn.setBackend('wasm');
  sn.setThreads(threads);
  const be = sn.getBackend() as ThreadedBackend;
  if (threads > 1) await waitWorkers(be, threads - 1);
  if (be.pool) be.pool.takeOver = threads < 3; // with 3 threads, make sure the workers compute their shares
  const d0 = be.pool?.dispatches ?? 0;
  sn.setSeed(5);
  const n = 640,
    features = 784,
    classes = 10;
  const x = sn.tensor(data(n * features, 1, 0, 1), [n, features]);
  const y = sn.tensor(
    Float32Array.from({ length: n }, (_, i) => (i * 3) % classes),
    [n, 1],
  );
  const model = sn.sequential([
    sn.layers.dense({
      units: 256,
      inputDim: features,
      activation: 'relu',
      kernelRegularizer: sn.regularizers.l2({ l2: 1e-4 }),
    }),
    sn.layers.dropout({ rate: 0.2 }),
    sn.layers.batchNormalization(),
    sn.layers.dense({ units: 64, activation: 'gelu' }),
    sn.layers.dense({ units: classes, activation: 'softmax' }),
  ]);
  model.compile({ loss: 'sparse_categorical_crossentropy', optimizer: sn.optimizers.adam({ clipnorm: 1 }) });
  const h = await model.fit(x, y, { epochs: 2, batchSize: 320, verbose: 0, seed: 9 });
  const pred = model
    .predict(sn.tensor(data(1000 * features, 2, 0, 1), [1000, features]), { batchSize: 1000 })
    .dataSync();
  return {
    weights: model.getWeights().map((t) => t.values.slice()),
    loss: h.history.loss as number[],
    pred: Float32Array.from(pred as ArrayLike<number>),
    dispatches: (be.pool?.dispatches ?? 0) - d0,
  };
}

describe('a short training run', () => {
  it('gives bit-identical weights, losses and predictions with 1, 2 and 3 threads', async () => {
    const one = await trainOnce(1);
    expect(one.dispatches).toBe(0);
    for (const t of [2, 3]) {
      const r = await trainOnce(t);
      expect(r.dispatches, `${t} threads: calls were split`).toBeGreaterThan(10);
      expect(r.loss).toEqual(one.loss);
      r.weights.forEach((w, i) =>
        expect(Array.from(bits(w)), `${t} threads, weight ${i}`).toEqual(Array.from(bits(one.weights[i]!))),
      );
      expect(Array.from(bits(r.pred)), `${t} threads, predictions`).toEqual(Array.from(bits(one.pred)));
    }
  });
});

/** A short run of a recurrent model (every call split: the thresholds are lowered), as trainOnce. */
async function trainRecurrent(
  threads: number,
): Promise<{ weights: Float32Array[]; loss: number[]; dispatches: number }> {
  sn.setBackend('wasm');
  sn.setThreads(threads);
  const be = sn.getBackend() as ThreadedBackend;
  if (threads > 1) await waitWorkers(be, threads - 1);
  if (be.pool) be.pool.takeOver = false;
  tune({ splitMinNs: 1, gemmMinMacs: 1 });
  try {
    const d0 = be.pool?.dispatches ?? 0;
    sn.setSeed(3);
    const [n, T] = [96, 12];
    const ids = data(n * T, 4, 1, 40).map(Math.floor);
    const x = Array.from({ length: n }, (_, i) => Array.from(ids.slice(i * T, (i + 1) * T)));
    const y = x.map((s) => [s[0]! > 20 ? 1 : 0]);
    const model = sn.sequential([
      sn.layers.input({ shape: [T] }),
      sn.layers.embedding({ inputDim: 41, outputDim: 8 }),
      sn.layers.bidirectional({
        layer: sn.layers.lstm({ units: 9, returnSequences: true, dropout: 0.1, recurrentDropout: 0.2 }),
      }),
      sn.layers.gru({ units: 7, resetAfter: false, returnSequences: true }),
      sn.layers.gru({ units: 5 }),
      sn.layers.dense({ units: 1, activation: 'sigmoid' }),
    ]);
    model.compile({ loss: 'binary_crossentropy', optimizer: 'adam' });
    const h = await model.fit(x, y, { epochs: 2, batchSize: 48, verbose: 0, seed: 2 });
    return {
      weights: model.getWeights().map((t) => t.values.slice()),
      loss: h.history.loss as number[],
      dispatches: (be.pool?.dispatches ?? 0) - d0,
    };
  } finally {
    tune();
  }
}

describe('a short recurrent training run', () => {
  it('gives bit-identical weights and losses with 1, 2 and 3 threads, its cells and GEMMs split', async () => {
    const one = await trainRecurrent(1);
    expect(one.dispatches).toBe(0);
    for (const t of [2, 3]) {
      const r = await trainRecurrent(t);
      expect(r.dispatches, `${t} threads: calls were split`).toBeGreaterThan(100);
      expect(r.loss).toEqual(one.loss);
      r.weights.forEach((w, i) =>
        expect(Array.from(bits(w)), `${t} threads, weight ${i}`).toEqual(Array.from(bits(one.weights[i]!))),
      );
    }
  });
});

describe('thread controls', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('setThreads / backendInfo().threads, and a ValueError naming the argument', () => {
    sn.setBackend('wasm');
    sn.setThreads(3);
    expect(sn.backendInfo().threads).toBe(3);
    expect(sn.backendInfo().threadsReason).toBeUndefined();
    sn.setThreads(1);
    expect(sn.backendInfo().threads).toBe(1);
    expect(sn.backendInfo().threadsReason).toBeUndefined();
    for (const bad of [0, -1, 1.5, NaN, 33, 65, '2' as unknown as number]) {
      expect(() => sn.setThreads(bad)).toThrow(sn.ValueError);
      expect(() => sn.setThreads(bad)).toThrow(/`threads`/);
    }
    sn.setThreads(2);
    sn.setBackend('js');
    expect(sn.backendInfo()).toMatchObject({
      backend: 'js',
      threads: 1,
      threadsReason: 'only the wasm backend uses threads',
    });
    sn.setBackend('wasm');
    expect(sn.backendInfo().threads).toBe(2);
  });

  it('defaults to the available parallelism (at most 8); SIMDNET_THREADS overrides it, and is checked', async () => {
    const os = await import('node:os');
    expect(defaultThreads()).toBe(Math.min(8, os.availableParallelism()));
    vi.resetModules();
    vi.stubEnv('SIMDNET_THREADS', '3');
    let reg = await import('../../src/backend/index.js');
    await reg.initBackends();
    expect(reg.backendInfo().threads).toBe(3);
    await reg.shutdown();
    vi.resetModules();
    vi.stubEnv('SIMDNET_THREADS', 'many');
    reg = await import('../../src/backend/index.js');
    await expect(reg.initBackends()).rejects.toThrow(/Invalid value for `SIMDNET_THREADS`.*Received: "many"/);
    vi.resetModules();
    vi.stubEnv('SIMDNET_THREADS', '');
    reg = await import('../../src/backend/index.js');
    await reg.initBackends();
    expect(reg.backendInfo().threads).toBe(defaultThreads());
  });
});
