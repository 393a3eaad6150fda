/**
 * Helpers for the thread tests: a threaded wasm backend on a fresh memory
 * (one pool per memory), waiting for its workers, and bitwise comparison.
 */
import { expect } from 'vitest';
import { loadWasmModule, type LoadedWasm } from '../../src/runtime/loader.js';
import { createWasmBackend } from '../../src/backend/wasm.js';
import { createThreadedBackend, type ThreadedBackend, type ThreadedOptions } from '../../src/backend/threaded.js';

let loaded: LoadedWasm | undefined;

/** A threaded backend on a new memory (threads: 1 until setThreads). */
export async function freshThreaded(opts: ThreadedOptions = {}): Promise<ThreadedBackend> {
  if (loaded === undefined) {
    const l = await loadWasmModule();
    if (l.module === null) throw new Error(`no wasm kernels here: ${l.reason}`);
    loaded = l;
  }
  return createThreadedBackend(createWasmBackend(loaded.module, loaded.variant), loaded.module, opts);
}

/** Wait (bounded) until `n` workers are ready. */
export async function waitWorkers(tb: ThreadedBackend, n: number, ms = 30_000): Promise<void> {
  const t0 = Date.now();
  while (tb.readyWorkers() < n) {
    if (Date.now() - t0 > ms) throw new Error(`only ${tb.readyWorkers()} of ${n} workers started within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Set the thread count and wait for its workers. */
export async function useThreads(tb: ThreadedBackend, n: number): Promise<void> {
  tb.setThreads(n);
  if (n > 1) await waitWorkers(tb, n - 1);
}

/** Float32 bits, for exact comparison (NaN payloads and −0 included). */
export function bits(a: Float32Array): Uint32Array {
  return new Uint32Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength));
}

/** Expect two float32 arrays to be bit-identical, naming the first difference. */
export function expectSameBits(a: Float32Array, b: Float32Array, what: string): void {
  expect(a.length, `${what}: length`).toBe(b.length);
  const x = bits(a),
    y = bits(b);
  for (let i = 0; i < x.length; i++) {
    if (x[i] !== y[i]) {
      expect.fail(
        `${what}: element ${i} differs: ${a[i]} vs ${b[i]} (bits ${x[i]!.toString(16)} vs ${y[i]!.toString(16)})`,
      );
    }
  }
}

/** Expect two float64 values to be the same bits. */
export function expectSameF64(a: number, b: number, what: string): void {
  expect(Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b)), `${what}: ${a} vs ${b}`).toBe(true);
}

/** Deterministic float32 data in [lo, hi). */
export function data(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  let a = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = lo + (hi - lo) * (((t ^ (t >>> 14)) >>> 0) / 4294967296);
  }
  return out;
}
