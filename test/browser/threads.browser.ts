/**
 * Kernel threads in a real browser (issue 5), on the cross-origin isolated
 * page: the page's main thread stays on one thread (Atomics.wait is not
 * allowed there) and says why; inside a dedicated worker the library runs its
 * kernels on 2 threads (nested workers on the shared memory), with the same
 * bits as on 1.
 */
import { expect, test } from 'vitest';
import * as sn from '../../src/index.js';

test("the page's main thread keeps one thread and says why", () => {
  expect(globalThis.crossOriginIsolated).toBe(true);
  sn.setThreads(2);
  const info = sn.backendInfo();
  expect(info.threads).toBe(1);
  expect(info.threadsReason).toMatch(/main thread/);
});

test('inside a worker: 2 threads, the same bits as 1 thread', async () => {
  const worker = new Worker(new URL('./threads.worker.ts', import.meta.url), { type: 'module' });
  try {
    const r = await new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the worker did not answer within 50 s')), 50_000);
      worker.onmessage = (e: MessageEvent) => {
        if ((e.data as { ready?: boolean }).ready) { worker.postMessage('go'); return; }
        clearTimeout(timer);
        resolve(e.data as Record<string, unknown>);
      };
      worker.onerror = (e) => { clearTimeout(timer); reject(new Error(e.message)); };
    });
    expect(r.error).toBeUndefined();
    expect(r.info).toMatchObject({ backend: 'wasm', sharedMemory: true, threads: 2 });
    expect(r.oneDispatches).toBe(0);
    expect(r.dispatches as number).toBeGreaterThan(0);
    expect(r.sameGemm).toBe(true);
    expect(r.sameWeights).toBe(true);
  } finally {
    worker.terminate();
  }
});
