/**
 * Runs inside a dedicated Web Worker of the cross-origin isolated test page
 * (threads.browser.ts): there Atomics.wait is allowed, so the library can use
 * kernel threads (nested Web Workers from a Blob URL on the shared memory).
 * Computes a GEMM and a short training run with 1 and then 2 threads and
 * posts back what it saw: backendInfo(), how many calls ran on 2 threads, and
 * the results' bits.
 */
import * as sn from '../../src/index.js';
import type { ThreadedBackend } from '../../src/backend/threaded.js';

function data(n: number, seed: number): Float32Array {
  let a = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) - 0.5;
  }
  return out;
}

async function run(threads: number): Promise<{ gemm: number[]; weights: number[]; dispatches: number }> {
  sn.setThreads(threads);
  const be = sn.getBackend() as ThreadedBackend;
  const h = be.heap;
  const M = 300, N = 200, K = 400;
  const A = h.allocF32(M * K), B = h.allocF32(K * N), C = h.allocF32(M * N);
  h.write(A, data(M * K, 1)); h.write(B, data(K * N, 2));
  be.gemm(false, false, M, N, K, 1, A, K, B, N, 0, C, N, 0); // starts the workers if wanted
  const t0 = performance.now();
  while (threads > 1 && be.readyWorkers() < threads - 1) {
    if (performance.now() - t0 > 20_000) throw new Error('the kernel workers did not start');
    await new Promise((r) => setTimeout(r, 10));
  }
  const d0 = be.pool?.dispatches ?? 0;
  be.gemm(false, false, M, N, K, 1, A, K, B, N, 0, C, N, 0);
  const gemm = Array.from(new Uint32Array(h.read(C, M * N).buffer));
  sn.setSeed(3);
  const model = sn.sequential([
    sn.layers.dense({ units: 256, inputDim: 256, activation: 'relu' }),
    sn.layers.dense({ units: 10, activation: 'softmax' }),
  ]);
  model.compile({ loss: 'sparse_categorical_crossentropy', optimizer: 'adam' });
  const n = 512;
  await model.fit(sn.tensor(data(n * 256, 3), [n, 256]), sn.tensor(Float32Array.from({ length: n }, (_, i) => i % 10), [n, 1]),
    { epochs: 2, batchSize: 256, verbose: 0, seed: 4 });
  const weights = model.getWeights().flatMap((t) => Array.from(new Uint32Array(t.values.slice().buffer)));
  for (const p of [A, B, C]) h.release(p);
  return { gemm, weights, dispatches: (be.pool?.dispatches ?? 0) - d0 };
}

self.onmessage = async () => {
  try {
    const one = await run(1);
    const two = await run(2);
    const info = sn.backendInfo();
    await sn.shutdown();
    self.postMessage({
      info, dispatches: two.dispatches, oneDispatches: one.dispatches,
      sameGemm: one.gemm.every((v, i) => v === two.gemm[i]),
      sameWeights: one.weights.length > 0 && one.weights.every((v, i) => v === two.weights[i]),
    });
  } catch (e) {
    self.postMessage({ error: String(e instanceof Error ? e.stack ?? e.message : e) });
  }
};
// A message that reaches a module worker while its top-level await (the
// kernels' compile) runs can be lost: the page waits for this before sending.
self.postMessage({ ready: true });
