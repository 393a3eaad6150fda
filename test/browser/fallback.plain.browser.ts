/**
 * A page served WITHOUT COOP/COEP: not cross-origin isolated, so a shared
 * WebAssembly.Memory is not allowed. The library must fall back to its
 * unshared-memory build on one thread, and still train.
 */
import { expect, test } from 'vitest';
import * as sn from '../../src/index.js';
import { getBackend } from '../../src/backend/index.js';
import { trainDigitsAndCheck } from './training.js';

test('the page is not isolated: the unshared build, one thread', () => {
  expect(globalThis.crossOriginIsolated).toBe(false);
  const { threadsReason, ...info } = sn.backendInfo();
  expect(info).toEqual({
    backend: 'wasm',
    variant: 'simd-unshared',
    simd: true,
    relaxedSimd: info.relaxedSimd,
    relaxedSimdFlag: false, // V8 flags are Node's alone
    sharedMemory: false,
    threads: 1,
  });
  // Asked for kernel threads, it stays on one and says why (issue 5).
  sn.setThreads(2);
  expect(sn.backendInfo()).toMatchObject({
    threads: 1,
    threadsReason: expect.stringMatching(/not cross-origin isolated/),
  });
  void threadsReason;
  const buffer = getBackend().heap.memory.buffer;
  expect(buffer).toBeInstanceOf(ArrayBuffer);
  expect(typeof SharedArrayBuffer === 'undefined' || !(buffer instanceof SharedArrayBuffer)).toBe(true);
});

test('UCI digits on the fallback: a short training run reaches ≥ 95% test accuracy without freezing the page', async () => {
  const r = await trainDigitsAndCheck();
  console.log(
    `plain page (${sn.backendInfo().variant}): test accuracy ${(r.accuracy * 100).toFixed(1)}%, ` +
      `${r.ms.toFixed(0)} ms, longest event-loop gap ${r.maxGapMs.toFixed(0)} ms`,
  );
});
