/**
 * Runs inside a dedicated Web Worker of the cross-origin isolated test page
 * (threads.browser.ts): there Atomics.wait is allowed, so the calling thread
 * waits for its kernel workers (nested Web Workers from a Blob URL on the
 * shared memory) with it rather than by polling. Computes a GEMM and a short
 * training run with 1 and then 2 threads and posts back what it saw:
 * backendInfo(), how the pool waits, how many calls ran on 2 threads, and
 * whether the results' bits agree.
 */
import * as sn from '../../src/index.js';
import type { ThreadedBackend } from '../../src/backend/threaded.js';
import { runOn, sameBits } from './threads.run.js';

self.onmessage = async () => {
  try {
    const one = await runOn(1);
    const two = await runOn(2);
    const info = sn.backendInfo();
    const spinWait = (sn.getBackend() as ThreadedBackend).pool?.spinWait;
    await sn.shutdown();
    self.postMessage({
      info,
      spinWait,
      dispatches: two.dispatches,
      oneDispatches: one.dispatches,
      workerTasks: two.workerTasks,
      sameGemm: sameBits(one.gemm, two.gemm),
      sameWeights: sameBits(one.weights, two.weights),
    });
  } catch (e) {
    self.postMessage({ error: String(e instanceof Error ? (e.stack ?? e.message) : e) });
  }
};
// A message that reaches a module worker while its top-level await (the
// kernels' compile) runs can be lost: the page waits for this before sending.
self.postMessage({ ready: true });
