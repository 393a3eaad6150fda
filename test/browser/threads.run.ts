/**
 * What the browser thread tests run, on the page's main thread
 * (threads.browser.ts) and inside a dedicated worker (threads.worker.ts): a
 * GEMM and a short training run with a given thread count, returning their
 * bits and how many calls were split; and a wall-clock comparison of a large
 * GEMM on the calling thread alone and split across the threads.
 */
import * as sn from '../../src/index.js';
import type { ThreadedBackend } from '../../src/backend/threaded.js';

export function data(n: number, seed: number): Float32Array {
  let a = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5;
  }
  return out;
}

function backend(): ThreadedBackend {
  return sn.getBackend() as ThreadedBackend;
}

/** Wait (yielding, bounded) until `n` kernel workers are ready. */
export async function waitWorkers(n: number, ms = 20_000): Promise<void> {
  const be = backend();
  const t0 = performance.now();
  while (be.readyWorkers() < n) {
    if (performance.now() - t0 > ms)
      throw new Error(`only ${be.readyWorkers()} of ${n} kernel workers started within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export interface ThreadRun {
  gemm: number[];
  weights: number[];
  /** Calls split across threads, and task records the workers ran. */
  dispatches: number;
  workerTasks: number;
}

/** A GEMM and two epochs of training on `threads` threads; their bits. */
export async function runOn(threads: number): Promise<ThreadRun> {
  sn.setThreads(threads);
  const be = backend();
  const h = be.heap;
  const M = 300,
    N = 200,
    K = 400;
  const A = h.allocF32(M * K),
    B = h.allocF32(K * N),
    C = h.allocF32(M * N);
  h.write(A, data(M * K, 1));
  h.write(B, data(K * N, 2));
  be.gemm(false, false, M, N, K, 1, A, K, B, N, 0, C, N, 0); // starts the workers if wanted
  if (threads > 1) await waitWorkers(threads - 1);
  const d0 = be.pool?.dispatches ?? 0;
  const w0 = (be.pool?.tasks ?? 0) - (be.pool?.ownTasks ?? 0);
  be.gemm(false, false, M, N, K, 1, A, K, B, N, 0, C, N, 0);
  const gemm = Array.from(new Uint32Array(h.read(C, M * N).buffer));
  sn.setSeed(3);
  const model = sn.sequential([
    sn.layers.dense({ units: 256, inputDim: 256, activation: 'relu' }),
    sn.layers.dense({ units: 10, activation: 'softmax' }),
  ]);
  model.compile({ loss: 'sparse_categorical_crossentropy', optimizer: 'adam' });
  const n = 512;
  await model.fit(
    sn.tensor(data(n * 256, 3), [n, 256]),
    sn.tensor(
      Float32Array.from({ length: n }, (_, i) => i % 10),
      [n, 1],
    ),
    { epochs: 2, batchSize: 256, verbose: 0, seed: 4 },
  );
  const weights = model.getWeights().flatMap((t) => Array.from(new Uint32Array(t.values.slice().buffer)));
  for (const p of [A, B, C]) h.release(p);
  return {
    gemm,
    weights,
    dispatches: (be.pool?.dispatches ?? 0) - d0,
    workerTasks: (be.pool?.tasks ?? 0) - (be.pool?.ownTasks ?? 0) - w0,
  };
}

export function sameBits(a: number[], b: number[]): boolean {
  return a.length > 0 && a.length === b.length && a.every((v, i) => v === b[i]);
}

function median(xs: number[]): number {
  const s = xs.slice().sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * A size³ GEMM timed `reps` times each way, interleaved: on the calling
 * thread alone (the plain wasm backend: the same kernel) and split over the
 * current threads. Medians (ms), and whether both gave the same bits.
 */
export async function gemmSpeed(
  size: number,
  reps: number,
): Promise<{
  oneMs: number;
  threadedMs: number;
  one: number[];
  threaded: number[];
  same: boolean;
  dispatches: number;
}> {
  const be = backend();
  const h = be.heap;
  const n = size;
  const A = h.allocF32(n * n),
    B = h.allocF32(n * n),
    C1 = h.allocF32(n * n),
    C2 = h.allocF32(n * n);
  h.write(A, data(n * n, 5));
  h.write(B, data(n * n, 6));
  const single = (): void => be.base.gemm(false, false, n, n, n, 1, A, n, B, n, 0, C1, n, 0);
  const split = (): void => be.gemm(false, false, n, n, n, 1, A, n, B, n, 0, C2, n, 0);
  if (be.threads > 1) {
    split();
    await waitWorkers(be.threads - 1);
  }
  // Warm up both ways (and let the pool learn the workers' speeds).
  single();
  split();
  split();
  const d0 = be.pool?.dispatches ?? 0;
  const one: number[] = [],
    threaded: number[] = [];
  for (let r = 0; r < reps; r++) {
    for (const [fn, out] of (r % 2 === 0
      ? [
          [single, one],
          [split, threaded],
        ]
      : [
          [split, threaded],
          [single, one],
        ]) as Array<[() => void, number[]]>) {
      const t0 = performance.now();
      fn();
      out.push(performance.now() - t0);
    }
    await new Promise((res) => setTimeout(res, 0)); // let the page breathe between reps
  }
  const x = new Uint32Array(h.read(C1, n * n).buffer),
    y = new Uint32Array(h.read(C2, n * n).buffer);
  let same = x.length === y.length;
  for (let i = 0; same && i < x.length; i++) same = x[i] === y[i];
  const dispatches = (be.pool?.dispatches ?? 0) - d0;
  for (const p of [A, B, C1, C2]) h.release(p);
  return { oneMs: median(one), threadedMs: median(threaded), one, threaded, same, dispatches };
}
