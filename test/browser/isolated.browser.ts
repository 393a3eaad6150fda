/**
 * A page served with COOP same-origin + COEP require-corp (this project's
 * server headers): cross-origin isolated, so the library runs its kernels on a
 * shared WebAssembly.Memory (the prerequisite of the worker pool), and with
 * as many kernel threads as the machine has cores (at most 8) on the page's
 * main thread too, where the pool polls instead of Atomics.wait
 * (threads.browser.ts tests them there and in a worker).
 */
import { expect, test } from 'vitest';
import * as sn from '../../src/index.js';
import { getBackend } from '../../src/backend/index.js';
import { trainDigitsAndCheck } from './training.js';

test('the page is cross-origin isolated and the library uses shared memory', () => {
  expect(globalThis.crossOriginIsolated).toBe(true);
  const info = sn.backendInfo();
  expect(info).toMatchObject({
    backend: 'wasm',
    simd: true,
    sharedMemory: true,
    threads: Math.min(8, navigator.hardwareConcurrency),
  });
  expect(info.threadsReason).toBeUndefined();
  expect(['relaxed-simd', 'simd']).toContain(info.variant);
  expect(info.reason).toBeUndefined();
  expect(getBackend().heap.memory.buffer).toBeInstanceOf(SharedArrayBuffer);
});

test('UCI digits: a short training run reaches ≥ 95% test accuracy without freezing the page', async () => {
  const r = await trainDigitsAndCheck();
  console.log(
    `isolated page (${sn.backendInfo().variant}): test accuracy ${(r.accuracy * 100).toFixed(1)}%, ` +
      `${r.ms.toFixed(0)} ms, longest event-loop gap ${r.maxGapMs.toFixed(0)} ms`,
  );
});
