/**
 * The threaded wasm backend: the wasm backend (wasm.ts) with big calls split
 * across a pool of kernel workers (runtime/pool.ts) on the same shared memory.
 * The calling thread always takes a share; small calls run on it directly.
 *
 * How each kernel is split (and why the bits never depend on the thread count):
 *  - gemm: by blocks of output rows, each ≥ GEMM_MIN_ROWS rows, each thread
 *    packing into its own workspace. Every C element is the same sum in the
 *    same order whatever its row block (assembly/gemm/gemm.ts), as long as
 *    every block takes the same path as the whole product: blocks of more
 *    than 16 rows keep the few-rows path out.
 *  - elementwise and optimizer kernels: by ranges of elements, multiples of 4;
 *    row-wise kernels (activations with bias, softmax, BN inference): by rows.
 *    Each element's result is the same vector formula wherever it lands (the
 *    kernels run the same formula on a partial tail).
 *  - reductions that return a sum (losses, sumSquares, l1l2): a FIXED
 *    partition into blocks that depends only on the shape (LOSS_BLOCK /
 *    SUM_BLOCK elements), the blocks' partial sums added in block order on the
 *    calling thread. The one-thread path uses the same partition, so the result
 *    is the same float64 for any thread count. A shape that fits one block (every
 *    batch of an ordinary classifier) gives exactly the plain kernel's result.
 *  - colSum (bias gradients) and the training-mode batch-norm kernels are not
 *    split: their per-column sums run in one fixed order on one thread.
 *
 * Each split gives every thread one contiguous part, the calling thread the
 * first: the same thread gets the same part of the same arrays call after
 * call (on this VM, writing cache lines the other core has read costs ~5×
 * more). Parts are sized by the workers' measured speeds, and a part a late
 * worker has not started is taken over by the calling thread (pool.ts).
 *
 * Thresholds come from measurements on the 2-core VM this was written on
 * (test/threads/bench.mjs): a call is split only when its estimated time on
 * one thread is at least SPLIT_MIN_NS, from the per-element costs of each
 * kernel's descriptor (kernels.ts).
 */
import type { WasmBackend } from './wasm.js';
import { KERNELS, KERNEL_NAMES, WORKER_KERNELS, costOf, maxCost, type KernelName, type Split } from './kernels.js';
import { ThreadPool, type Injection, type Spawner, defaultSpawner, LAYOUT } from '../runtime/pool.js';
import { ValueError, describe } from '../errors.js';

// ------------------------------------------------------------------ thresholds
/**
 * A call is split when its estimated time on one thread is at least this
 * (ns). Measured here: a dispatch round trip costs 10–25 µs while the worker
 * is warm (pool.ts keeps it so for 3 ms after a job), 80–100 µs when its
 * virtual core has fallen asleep; training the 784–128–10 MLP was fastest
 * with splits from ~0.1–0.15 ms (Adam on its 100,352 weights included), and
 * no model got slower.
 */
export const SPLIT_MIN_NS = 150_000;
/** A GEMM is split when M·N·K ≥ this (multiply-adds: ~0.15 ms at the ~20 per ns measured) … */
export const GEMM_MIN_MACS = 3_000_000;
/** … into blocks of rows, at least this many per thread (> 16: the few-rows path stays out). */
export const GEMM_MIN_ROWS = 32;

/** The tunables in force (tests and the threshold benchmark change them with {@link tune}). */
let splitMinNs = SPLIT_MIN_NS;
let gemmMinMacs = GEMM_MIN_MACS;
let balance = true;

/**
 * @internal Override the thresholds (all threaded backends of this module
 * instance); no argument restores the defaults. Tests use it to split small
 * calls, the benchmark to compare settings. `balance: false` splits evenly
 * instead of by the workers' measured speeds.
 */
export function tune(o: { splitMinNs?: number; gemmMinMacs?: number; balance?: boolean } = {}): void {
  splitMinNs = o.splitMinNs ?? SPLIT_MIN_NS;
  gemmMinMacs = o.gemmMinMacs ?? GEMM_MIN_MACS;
  balance = o.balance ?? true;
}
/** Fixed block of a loss reduction, in elements (rows per block = ceil(LOSS_BLOCK / N)). */
export const LOSS_BLOCK = 1 << 15;
/** Fixed block of sumSquares / l1l2, in elements (a multiple of 4). */
export const SUM_BLOCK = 1 << 16;
/** Never more blocks than task records. */
const MAX_BLOCKS = 240;

/** The kernels workers can run; a task's kernel index refers to this list (kernels.ts). */
const NAMES = WORKER_KERNELS;
type Name = KernelName;
const ID = Object.fromEntries(NAMES.map((n, i) => [n, i])) as Record<Name, number>;

/**
 * Why threads cannot be used in this context, or undefined when they can:
 * they need the shared memory, nothing more. (A browser's main thread, where
 * Atomics.wait is forbidden, waits for its workers by polling: pool.ts.)
 */
export function threadSupport(memory: WebAssembly.Memory): string | undefined {
  if (typeof SharedArrayBuffer !== 'function' || !(memory.buffer instanceof SharedArrayBuffer)) {
    const coi = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated;
    return coi === false
      ? 'the page is not cross-origin isolated (serve it with COOP: same-origin and COEP: require-corp), so there is no shared memory'
      : 'the kernel memory is not shared';
  }
  return undefined;
}

/** The largest thread count setThreads accepts (the calling thread and 31 workers). */
export const MAX_THREADS = LAYOUT.maxSlots + 1;

/**
 * The default thread count: the machine's available parallelism (Node's
 * os.availableParallelism(), a browser's navigator.hardwareConcurrency), at
 * most 8; 1 where it cannot be told.
 */
export function defaultThreads(): number {
  let n = 1;
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const os =
    typeof proc?.getBuiltinModule === 'function'
      ? (proc.getBuiltinModule('node:os') as
          { availableParallelism?: () => number; cpus?: () => unknown[] } | undefined)
      : undefined;
  if (os !== undefined) n = os.availableParallelism?.() ?? os.cpus?.().length ?? 1;
  else {
    const hc = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
    if (typeof hc === 'number' && hc > 0) n = hc;
  }
  return Math.max(1, Math.min(8, Math.floor(n)));
}

/** Check a thread count given to setThreads(`what`); a ValueError naming it when invalid. */
export function checkThreads(n: unknown, what = 'threads'): number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_THREADS) {
    throw new ValueError(
      `Invalid value for \`${what}\`: expected an integer from 1 to ${MAX_THREADS}. ` + `Received: ${describe(n)}`,
    );
  }
  return n;
}

/** The thread count of SIMDNET_THREADS (undefined when unset); a ValueError when invalid. */
export function parseThreads(env: string | undefined): number | undefined {
  if (env === undefined) return undefined;
  const n = /^\s*\d+\s*$/.test(env) ? Number(env) : NaN;
  if (!(Number.isInteger(n) && n >= 1 && n <= MAX_THREADS)) {
    throw new ValueError(
      `Invalid value for \`SIMDNET_THREADS\`: expected an integer from 1 to ${MAX_THREADS}. ` +
        `Received: ${JSON.stringify(env)}`,
    );
  }
  return n;
}

/** The threaded backend: a WasmBackend plus the thread controls. */
export interface ThreadedBackend extends WasmBackend {
  /** Threads in use for big calls (1 when threads are unavailable). */
  readonly threads: number;
  /** Why threads are not available, or why the pool gave up (undefined when they work). */
  readonly threadsReason: string | undefined;
  /** Ask for n threads (n ≥ 1; the calling thread counts). */
  setThreads(n: number): void;
  /** End the worker threads (they start again, lazily, if a big call needs them). */
  shutdown(): Promise<void>;
  /** The wrapped single-threaded backend. */
  readonly base: WasmBackend;
  /** @internal The pool (null until threads were asked for), for tests. */
  readonly pool: ThreadPool | null;
  /** @internal For tests: make the next split call fail in a given way. */
  inject(i: Injection | null): void;
  /** @internal Workers ready now (tests wait for them). */
  readyWorkers(): number;
}

export interface ThreadedOptions {
  /** How workers start (default: the platform's); a string means none can, and is the reason. */
  spawner?: Spawner | Promise<Spawner> | string;
  timeoutMs?: number;
  startTimeoutMs?: number;
}

type F = (...a: number[]) => number;

/**
 * Wrap `base` (created from `module`). Starts with one thread; setThreads(n)
 * asks for more (the registry does it from SIMDNET_THREADS or the default).
 */
export function createThreadedBackend(
  base: WasmBackend,
  module: WebAssembly.Module,
  opts: ThreadedOptions = {},
): ThreadedBackend {
  const ex = base.instance.exports as unknown as Record<string, F>;
  const raw = Object.fromEntries(NAMES.map((n) => [n, ex[n]!])) as Record<Name, F>;
  const bound = base as unknown as Record<Name, F>;
  const support = threadSupport(base.heap.memory);
  let reason: string | undefined = support;
  let wanted = 1;
  let pool: ThreadPool | null = null;
  let f64: Float64Array | null = null;
  const TB = LAYOUT.taskBase >> 3,
    REC = LAYOUT.recF64;
  const bounds: number[] = [];

  function getPool(): ThreadPool | null {
    if (pool === null && reason === undefined && wanted > 1) {
      const spawner = opts.spawner ?? defaultSpawner();
      if (typeof spawner === 'string') {
        reason = spawner;
        return null;
      }
      pool = new ThreadPool({
        module,
        memory: base.heap.memory,
        heap: base.heap,
        names: [...NAMES],
        instance: base.instance,
        wsBytes: base.gemmWorkspaceBytes,
        spawner,
        timeoutMs: opts.timeoutMs,
        startTimeoutMs: opts.startTimeoutMs,
      });
      f64 = pool.f64;
      pool.resize(wanted - 1);
    }
    return pool;
  }

  /**
   * The workers to use for a call (at most maxThreads threads in all), or
   * null for "run it here". Starts the pool's missing workers in the
   * background when threads are wanted.
   */
  function helpers(maxThreads: number): ReturnType<ThreadPool['ready']> | null {
    if (wanted <= 1 || maxThreads < 2) return null;
    const p = pool ?? getPool();
    if (p === null) return null;
    const ready = p.ready();
    if (ready.length < p.size) p.ensureStarted();
    if (ready.length === 0) return null;
    if (p.disabledReason !== undefined) {
      reason = p.disabledReason;
      return null;
    }
    return ready.length + 1 > maxThreads ? ready.slice(0, maxThreads - 1) : ready;
  }

  /** Write task record t: kernel `id` with arguments a (up to REC − 2 = 18). */
  function put(t: number, id: number, a: ArrayLike<number>): void {
    const r = TB + t * REC;
    const f = f64!;
    f[r] = id;
    for (let i = 0; i < a.length; i++) f[r + 1 + i] = a[i]!;
    for (let i = a.length; i < REC - 2; i++) f[r + 1 + i] = 0;
  }
  function result(t: number): number {
    return f64![TB + t * REC + REC - 1]!;
  }

  /**
   * Run task records [0, count), count = threads: thread k (0 = this one)
   * runs record k, or takes over another's that has not been started.
   */
  function runOn(hs: ReturnType<ThreadPool['ready']>, count: number, ws = 0): void {
    bounds.length = count + 1;
    for (let k = 0; k <= count; k++) bounds[k] = k;
    const weighed = cum.length === count + 1;
    for (let k = 0; k < count; k++) shares[k] = weighed ? cum[k + 1]! - cum[k]! : 1 / count;
    shares.length = count;
    pool!.run(hs, count, ws, bounds, shares);
  }
  /**
   * The static split's cumulative shares for this thread and the workers `hs`
   * (cum[0] = 0 … cum[T] = 1): in proportion to their measured speeds, so a
   * worker that wakes late or runs on a busier core gets less.
   */
  const cum: number[] = [0];
  const shares: number[] = [];
  function weigh(hs: ReturnType<ThreadPool['ready']>): void {
    const T = hs.length + 1;
    let sum = 1;
    for (const w of hs) sum += balance ? w.speed : 1;
    cum.length = T + 1;
    cum[0] = 0;
    let acc = 1;
    cum[1] = acc / sum;
    for (let k = 1; k < T; k++) {
      acc += balance ? hs[k - 1]!.speed : 1;
      cum[k + 1] = acc / sum;
    }
    cum[T] = 1;
  }
  /** Reduction blocks [0, nb) in contiguous ranges over the threads (weighed evenly). */
  function runBlocks(hs: ReturnType<ThreadPool['ready']>, nb: number): void {
    const T = hs.length + 1;
    bounds.length = T + 1;
    for (let k = 0; k <= T; k++) bounds[k] = Math.floor((k * nb) / T);
    pool!.run(hs, nb, 0, bounds);
  }
  /**
   * Boundaries of `parts` pieces of [0, total), multiples of `align` (the last
   * ends at total): piece k is [cut(k), cut(k + 1)).
   */
  function cut(k: number, parts: number, total: number, align: number): number {
    if (k >= parts) return total;
    const f = parts === cum.length - 1 ? cum[k]! : k / parts;
    return Math.min(total, Math.round((f * total) / align) * align);
  }

  // ---------------------------------------------------------------- GEMM
  const gemmRaw = raw.gemm;
  const gemmArgs: number[] = new Array(14).fill(0);
  function gemm(
    transA: boolean,
    transB: boolean,
    M: number,
    N: number,
    K: number,
    alpha: number,
    A: number,
    lda: number,
    B: number,
    ldb: number,
    beta: number,
    C: number,
    ldc: number,
    ws: number,
  ): void {
    const w = ws || base.workspace;
    if (wanted > 1 && M >= 2 * GEMM_MIN_ROWS && K > 0 && N > 0 && M * N * K >= gemmMinMacs) {
      const maxT = Math.min(Math.floor(M / GEMM_MIN_ROWS), Math.floor((M * N * K) / (gemmMinMacs / 2)));
      const hs = helpers(maxT);
      if (hs !== null) {
        // One block of rows per thread (multiples of 4 rows).
        const parts = hs.length + 1;
        weigh(hs);
        // Every block must keep more than 16 rows (the few-rows path computes differently).
        for (let k = 0; k < parts; k++)
          if (cut(k + 1, parts, M, 4) - cut(k, parts, M, 4) <= 16) {
            cum.length = 1;
            break;
          }
        let t = 0;
        for (; t < parts; t++) {
          const r0 = cut(t, parts, M, 4),
            rows = cut(t + 1, parts, M, 4) - r0;
          gemmArgs[0] = transA ? 1 : 0;
          gemmArgs[1] = transB ? 1 : 0;
          gemmArgs[2] = rows;
          gemmArgs[3] = N;
          gemmArgs[4] = K;
          gemmArgs[5] = alpha;
          gemmArgs[6] = A + (transA ? r0 * 4 : r0 * lda * 4);
          gemmArgs[7] = lda;
          gemmArgs[8] = B;
          gemmArgs[9] = ldb;
          gemmArgs[10] = beta;
          gemmArgs[11] = C + r0 * ldc * 4;
          gemmArgs[12] = ldc;
          gemmArgs[13] = 0; // each thread's own workspace
          put(t, ID.gemm, gemmArgs);
        }
        runOn(hs, t, w);
        return;
      }
    }
    gemmRaw(transA ? 1 : 0, transB ? 1 : 0, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc, w);
  }

  // ---------------------------------------------------------------- elementwise (ranges of n)
  const args: number[] = [];
  function copyArgs(a: ArrayLike<number>): number[] {
    args.length = a.length;
    for (let i = 0; i < a.length; i++) args[i] = a[i]!;
    return args;
  }
  /** Split an image kernel's call over blocks of samples; false when it should run here. */
  function splitSamples(name: Name, a: number[], ns: number): boolean {
    const spec = KERNELS[name].split as Extract<Split, { kind: 'samples' }>;
    const M = a[spec.m]!;
    const hs = helpers(Math.min(M, Math.floor(ns / (splitMinNs / 2))));
    if (hs === null) return false;
    const parts = hs.length + 1;
    weigh(hs);
    const per = spec.per(a);
    for (let t = 0; t < parts; t++) {
      const s0 = cut(t, parts, M, 1);
      const b = copyArgs(a);
      for (let i = 0; i < spec.ptrs.length; i++) {
        const p = spec.ptrs[i]!;
        if (a[p] !== 0) b[p] = a[p]! + s0 * per[i]! * 4;
      }
      b[spec.m] = cut(t + 1, parts, M, 1) - s0;
      put(t, ID[name], b);
    }
    runOn(hs, parts);
    return true;
  }
  /** Split an elementwise call over ranges of n; false when it should run here. */
  function splitElem(name: Name, a: number[], ns: number): boolean {
    const spec = KERNELS[name].split as Extract<Split, { kind: 'elem' }>;
    const n = a[spec.n]!;
    const hs = helpers(Math.floor(ns / (splitMinNs / 2)));
    if (hs === null) return false;
    const parts = hs.length + 1;
    weigh(hs);
    for (let t = 0; t < parts; t++) {
      const s = cut(t, parts, n, 4);
      const b = copyArgs(a);
      for (const p of spec.ptrs) if (a[p] !== 0) b[p] = a[p]! + s * 4;
      b[spec.n] = cut(t + 1, parts, n, 4) - s;
      if (spec.offsetArg !== undefined) b[spec.offsetArg] = (a[spec.offsetArg]! + s) >>> 0;
      put(t, ID[name], b);
    }
    runOn(hs, parts);
    return true;
  }
  /** Split a row-wise call over blocks of rows; false when it should run here. */
  function splitRows(name: Name, a: number[], ns: number): boolean {
    const spec = KERNELS[name].split as Extract<Split, { kind: 'rows' }>;
    const M = a[spec.m]!,
      N = a[spec.m + 1]!;
    const hs = helpers(Math.min(M, Math.floor(ns / (splitMinNs / 2))));
    if (hs === null) return false;
    const parts = hs.length + 1;
    weigh(hs);
    for (let t = 0; t < parts; t++) {
      const r = cut(t, parts, M, 1);
      const b = copyArgs(a);
      for (const p of spec.ptrs) if (a[p] !== 0) b[p] = a[p]! + r * N * 4;
      b[spec.m] = cut(t + 1, parts, M, 1) - r;
      put(t, ID[name], b);
    }
    runOn(hs, parts);
    return true;
  }
  // ---------------------------------------------------------------- reductions (fixed blocks)
  /** Rows per block of a loss on M×N: depends on the shape only. */
  function lossRows(M: number, N: number): number {
    return Math.max(Math.ceil(LOSS_BLOCK / Math.max(1, N)), Math.ceil(M / MAX_BLOCKS));
  }
  /**
   * A loss over M×N (M·N > LOSS_BLOCK) in fixed row blocks, their sums added
   * in order; split across threads when big enough.
   */
  function blockedLoss(name: Name, a: number[]): number {
    const spec = KERNELS[name].split as Extract<Split, { kind: 'loss' }>;
    const fn = raw[name];
    const M = a[spec.m]!,
      N = a[spec.m + 1]!;
    const rows = lossRows(M, N);
    if (rows >= M) return fn(...a);
    const nb = Math.ceil(M / rows);
    const ns = M * N * spec.cost;
    const hs = wanted > 1 && ns >= splitMinNs ? helpers(Math.min(nb, Math.floor(ns / (splitMinNs / 2)))) : null;
    const block = (r: number): number[] => {
      const b = copyArgs(a);
      for (const p of spec.ptrs) if (a[p] !== 0) b[p] = a[p]! + r * N * 4;
      for (const p of spec.ptrs1) if (a[p] !== 0) b[p] = a[p]! + r * 4;
      b[spec.m] = Math.min(rows, M - r);
      return b;
    };
    let total = 0;
    if (hs === null) {
      for (let r = 0; r < M; r += rows) total += fn(...block(r));
    } else {
      let t = 0;
      for (let r = 0; r < M; r += rows, t++) put(t, ID[name], block(r));
      runBlocks(hs, nb);
      for (let b = 0; b < nb; b++) total += result(b);
    }
    return total;
  }
  /** sumSquares / l1l2: blocks of SUM_BLOCK elements (or n / MAX_BLOCKS, rounded up to 4). */
  function sumBlock(n: number): number {
    return Math.max(SUM_BLOCK, Math.ceil(n / MAX_BLOCKS / 4) * 4);
  }
  function blockedSum(name: Name, a: number[]): number {
    const spec = KERNELS[name].split as Extract<Split, { kind: 'sum' }>;
    const fn = raw[name],
      nArg = spec.n,
      ptrs = spec.ptrs,
      cost = spec.cost;
    const n = a[nArg]!;
    const blk = sumBlock(n);
    if (n <= blk) return fn(...a);
    const nb = Math.ceil(n / blk);
    const hs =
      wanted > 1 && n * cost >= splitMinNs ? helpers(Math.min(nb, Math.floor((n * cost) / (splitMinNs / 2)))) : null;
    const block = (s: number): number[] => {
      const b = copyArgs(a);
      for (const p of ptrs) if (a[p] !== 0) b[p] = a[p]! + s * 4;
      b[nArg] = Math.min(blk, n - s);
      return b;
    };
    let total = 0;
    if (hs === null) {
      for (let s = 0; s < n; s += blk) total += fn(...block(s));
    } else {
      let t = 0;
      for (let s = 0; s < n; s += blk, t++) put(t, ID[name], block(s));
      runBlocks(hs, nb);
      for (let b = 0; b < nb; b++) total += result(b);
    }
    return total;
  }

  // ---------------------------------------------------------------- the methods, from the descriptors
  /** Whether a call estimated at `ns` on one thread is worth splitting. */
  const big = (ns: number): boolean => wanted > 1 && ns >= splitMinNs;
  /** The result of the last call a `route` handled. */
  let routed = 0;
  /**
   * How a call of `name` runs, given its arguments: true when it was run here
   * (split or blocked, the result in `routed`), false to call the plain binding.
   */
  function router(name: Name): ((a: number[]) => boolean) | null {
    const sp = KERNELS[name].split;
    switch (sp.kind) {
      // Elementwise and row kernels split only with threads, and only calls of at least
      // splitMinNs at the kernel's highest cost are looked at further.
      case 'elem': {
        const top = maxCost(sp.cost);
        return (a) => {
          if (wanted <= 1 || a[sp.n]! * top < splitMinNs) return false;
          const ns = a[sp.n]! * costOf(sp.cost, a);
          return big(ns) && splitElem(name, a, ns);
        };
      }
      case 'rows': {
        const top = maxCost(sp.cost);
        return (a) => {
          const M = a[sp.m]!;
          if (wanted <= 1 || M < 2 || M * a[sp.m + 1]! * top < splitMinNs) return false;
          const ns = M * a[sp.m + 1]! * costOf(sp.cost, a);
          return big(ns) && splitRows(name, a, ns);
        };
      }
      case 'loss': {
        const labels = KERNELS[name].bind === 'labels';
        return (a) => {
          // Blocked on one thread too: the partition depends on the shape only.
          if (a[sp.m]! * a[sp.m + 1]! <= LOSS_BLOCK) return false;
          routed = blockedLoss(name, a);
          // A NaN from a sparse loss is a bad label: name it, as the plain binding does.
          if (labels && routed !== routed) base.checkLabels(a[0]!, a[sp.m]!, a[sp.m + 1]!, a[a.length - 1] ?? NaN);
          return true;
        };
      }
      case 'samples':
        return (a) => {
          const M = a[sp.m]!;
          if (wanted <= 1 || M < 2) return false;
          const ns = M * sp.cost(a);
          return big(ns) && splitSamples(name, a, ns);
        };
      case 'sum':
        return (a) => {
          if (a[sp.n]! <= SUM_BLOCK) return false;
          routed = blockedSum(name, a);
          return true;
        };
      default:
        return null;
    }
  }
  /**
   * The method: the plain binding behind a router, at the binding's exact
   * arity (the arguments go into one preallocated array, so a call allocates
   * nothing); kernels that never split are the plain binding itself.
   */
  /**
   * The method: the plain binding behind a gate and a router, at the
   * binding's exact arity. The gate — one or two size arguments against a
   * threshold — lets every small call through to the plain binding at once;
   * a call past it has its arguments copied into one preallocated array for
   * the router (nothing allocates). Kernels that never split are the plain binding itself.
   */
  function method(name: Name): F {
    const plain = bound[name],
      route = router(name);
    if (route === null) return plain;
    const n = raw[name].length,
      a = new Array<number>(n).fill(0);
    const sp = KERNELS[name].split as Exclude<Split, { kind: 'gemm' } | { kind: 'none' }>;
    // The image kernels (6 to 18 arguments, a few calls per layer, each large) and the recurrent cells (6 to 9,
    // one call per step), at their exact arities (nothing allocates); only calls of two samples or more, with
    // threads, are looked at further. M is argument 2 or 3 of an image kernel, 3 to 5 of a cell.
    if (sp.kind === 'samples') {
      const m = sp.m;
      if (m < 2 || m > 5 || (n > 9 && m > 3))
        throw new Error(`simdnet: ${name}: the samples split expects M at argument 2 to 5 (2 or 3 past 9 arguments)`);
      // A cell's few arguments are copied first, then M read from the copy.
      const cell = (): boolean => wanted > 1 && a[m]! >= 2 && route(a);
      switch (n) {
        case 7:
          return function (x0: number, x1: number, x2: number, x3: number, x4: number, x5: number, x6: number) {
            a[0] = x0;
            a[1] = x1;
            a[2] = x2;
            a[3] = x3;
            a[4] = x4;
            a[5] = x5;
            a[6] = x6;
            return cell() ? routed : plain(x0, x1, x2, x3, x4, x5, x6);
          };
        case 8:
          return function (
            x0: number,
            x1: number,
            x2: number,
            x3: number,
            x4: number,
            x5: number,
            x6: number,
            x7: number,
          ) {
            a[0] = x0;
            a[1] = x1;
            a[2] = x2;
            a[3] = x3;
            a[4] = x4;
            a[5] = x5;
            a[6] = x6;
            a[7] = x7;
            return cell() ? routed : plain(x0, x1, x2, x3, x4, x5, x6, x7);
          };
        case 9:
          return function (
            x0: number,
            x1: number,
            x2: number,
            x3: number,
            x4: number,
            x5: number,
            x6: number,
            x7: number,
            x8: number,
          ) {
            a[0] = x0;
            a[1] = x1;
            a[2] = x2;
            a[3] = x3;
            a[4] = x4;
            a[5] = x5;
            a[6] = x6;
            a[7] = x7;
            a[8] = x8;
            return cell() ? routed : plain(x0, x1, x2, x3, x4, x5, x6, x7, x8);
          };
        case 6:
          return function (x0: number, x1: number, x2: number, x3: number, x4: number, x5: number) {
            if (wanted > 1 && (m === 2 ? x2 : m === 3 ? x3 : m === 4 ? x4 : x5) >= 2) {
              a[0] = x0;
              a[1] = x1;
              a[2] = x2;
              a[3] = x3;
              a[4] = x4;
              a[5] = x5;
              if (route(a)) return routed;
            }
            return plain(x0, x1, x2, x3, x4, x5);
          };
        case 14:
          return function (
            x0: number,
            x1: number,
            x2: number,
            x3: number,
            x4: number,
            x5: number,
            x6: number,
            x7: number,
            x8: number,
            x9: number,
            x10: number,
            x11: number,
            x12: number,
            x13: number,
          ) {
            if (wanted > 1 && (m === 2 ? x2 : x3) >= 2) {
              a[0] = x0;
              a[1] = x1;
              a[2] = x2;
              a[3] = x3;
              a[4] = x4;
              a[5] = x5;
              a[6] = x6;
              a[7] = x7;
              a[8] = x8;
              a[9] = x9;
              a[10] = x10;
              a[11] = x11;
              a[12] = x12;
              a[13] = x13;
              if (route(a)) return routed;
            }
            return plain(x0, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, x11, x12, x13);
          };
        case 15:
          return function (
            x0: number,
            x1: number,
            x2: number,
            x3: number,
            x4: number,
            x5: number,
            x6: number,
            x7: number,
            x8: number,
            x9: number,
            x10: number,
            x11: number,
            x12: number,
            x13: number,
            x14: number,
          ) {
            if (wanted > 1 && (m === 2 ? x2 : x3) >= 2) {
              a[0] = x0;
              a[1] = x1;
              a[2] = x2;
              a[3] = x3;
              a[4] = x4;
              a[5] = x5;
              a[6] = x6;
              a[7] = x7;
              a[8] = x8;
              a[9] = x9;
              a[10] = x10;
              a[11] = x11;
              a[12] = x12;
              a[13] = x13;
              a[14] = x14;
              if (route(a)) return routed;
            }
            return plain(x0, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, x11, x12, x13, x14);
          };
        case 16:
          return function (
            x0: number,
            x1: number,
            x2: number,
            x3: number,
            x4: number,
            x5: number,
            x6: number,
            x7: number,
            x8: number,
            x9: number,
            x10: number,
            x11: number,
            x12: number,
            x13: number,
            x14: number,
            x15: number,
          ) {
            if (wanted > 1 && (m === 2 ? x2 : x3) >= 2) {
              a[0] = x0;
              a[1] = x1;
              a[2] = x2;
              a[3] = x3;
              a[4] = x4;
              a[5] = x5;
              a[6] = x6;
              a[7] = x7;
              a[8] = x8;
              a[9] = x9;
              a[10] = x10;
              a[11] = x11;
              a[12] = x12;
              a[13] = x13;
              a[14] = x14;
              a[15] = x15;
              if (route(a)) return routed;
            }
            return plain(x0, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, x11, x12, x13, x14, x15);
          };
        case 18:
          return function (
            x0: number,
            x1: number,
            x2: number,
            x3: number,
            x4: number,
            x5: number,
            x6: number,
            x7: number,
            x8: number,
            x9: number,
            x10: number,
            x11: number,
            x12: number,
            x13: number,
            x14: number,
            x15: number,
            x16: number,
            x17: number,
          ) {
            if (wanted > 1 && (m === 2 ? x2 : x3) >= 2) {
              a[0] = x0;
              a[1] = x1;
              a[2] = x2;
              a[3] = x3;
              a[4] = x4;
              a[5] = x5;
              a[6] = x6;
              a[7] = x7;
              a[8] = x8;
              a[9] = x9;
              a[10] = x10;
              a[11] = x11;
              a[12] = x12;
              a[13] = x13;
              a[14] = x14;
              a[15] = x15;
              a[16] = x16;
              a[17] = x17;
              if (route(a)) return routed;
            }
            return plain(x0, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, x11, x12, x13, x14, x15, x16, x17);
          };
        default:
          throw new Error(`simdnet: ${name}: no threaded wrapper for ${n} arguments`);
      }
    }
    // Size arguments: n (elem, sum) or M and N (rows, loss).
    const gi = sp.kind === 'elem' || sp.kind === 'sum' ? sp.n : sp.m,
      gj = sp.kind === 'elem' || sp.kind === 'sum' ? -1 : sp.m + 1;
    // Losses and sums are blocked past a fixed size even on one thread; the rest split only with threads.
    const fixed = sp.kind === 'loss' ? LOSS_BLOCK + 1 : sp.kind === 'sum' ? SUM_BLOCK + 1 : 0;
    const top = sp.kind === 'elem' || sp.kind === 'rows' ? maxCost(sp.cost) : 1;
    // The gate: fixed > 0: size ≥ fixed; else size·top ≥ splitMinNs, with threads.
    switch (n) {
      case 2:
        return function (x0: number, x1: number) {
          const size = (gi === 0 ? x0 : x1) * (gj < 0 ? 1 : gj === 0 ? x0 : x1);
          if (fixed > 0 ? size >= fixed : wanted > 1 && size * top >= splitMinNs) {
            a[0] = x0;
            a[1] = x1;
            if (route(a)) return routed;
          }
          return plain(x0, x1);
        };
      case 3:
        return function (x0: number, x1: number, x2: number) {
          const size = (gi === 0 ? x0 : gi === 1 ? x1 : x2) * (gj < 0 ? 1 : gj === 0 ? x0 : gj === 1 ? x1 : x2);
          if (fixed > 0 ? size >= fixed : wanted > 1 && size * top >= splitMinNs) {
            a[0] = x0;
            a[1] = x1;
            a[2] = x2;
            if (route(a)) return routed;
          }
          return plain(x0, x1, x2);
        };
      case 4:
        return function (x0: number, x1: number, x2: number, x3: number) {
          const size =
            (gi === 0 ? x0 : gi === 1 ? x1 : gi === 2 ? x2 : x3) *
            (gj < 0 ? 1 : gj === 0 ? x0 : gj === 1 ? x1 : gj === 2 ? x2 : x3);
          if (fixed > 0 ? size >= fixed : wanted > 1 && size * top >= splitMinNs) {
            a[0] = x0;
            a[1] = x1;
            a[2] = x2;
            a[3] = x3;
            if (route(a)) return routed;
          }
          return plain(x0, x1, x2, x3);
        };
      case 5:
        return function (x0: number, x1: number, x2: number, x3: number, x4: number) {
          const size =
            (gi === 0 ? x0 : gi === 1 ? x1 : gi === 2 ? x2 : gi === 3 ? x3 : x4) *
            (gj < 0 ? 1 : gj === 0 ? x0 : gj === 1 ? x1 : gj === 2 ? x2 : gj === 3 ? x3 : x4);
          if (fixed > 0 ? size >= fixed : wanted > 1 && size * top >= splitMinNs) {
            a[0] = x0;
            a[1] = x1;
            a[2] = x2;
            a[3] = x3;
            a[4] = x4;
            if (route(a)) return routed;
          }
          return plain(x0, x1, x2, x3, x4);
        };
      case 6:
        return function (x0: number, x1: number, x2: number, x3: number, x4: number, x5: number) {
          const size =
            (gi === 0 ? x0 : gi === 1 ? x1 : gi === 2 ? x2 : gi === 3 ? x3 : gi === 4 ? x4 : x5) *
            (gj < 0 ? 1 : gj === 0 ? x0 : gj === 1 ? x1 : gj === 2 ? x2 : gj === 3 ? x3 : gj === 4 ? x4 : x5);
          if (fixed > 0 ? size >= fixed : wanted > 1 && size * top >= splitMinNs) {
            a[0] = x0;
            a[1] = x1;
            a[2] = x2;
            a[3] = x3;
            a[4] = x4;
            a[5] = x5;
            if (route(a)) return routed;
          }
          return plain(x0, x1, x2, x3, x4, x5);
        };
      case 7:
        return function (x0: number, x1: number, x2: number, x3: number, x4: number, x5: number, x6: number) {
          const size =
            (gi === 0 ? x0 : gi === 1 ? x1 : gi === 2 ? x2 : gi === 3 ? x3 : gi === 4 ? x4 : gi === 5 ? x5 : x6) *
            (gj < 0
              ? 1
              : gj === 0
                ? x0
                : gj === 1
                  ? x1
                  : gj === 2
                    ? x2
                    : gj === 3
                      ? x3
                      : gj === 4
                        ? x4
                        : gj === 5
                          ? x5
                          : x6);
          if (fixed > 0 ? size >= fixed : wanted > 1 && size * top >= splitMinNs) {
            a[0] = x0;
            a[1] = x1;
            a[2] = x2;
            a[3] = x3;
            a[4] = x4;
            a[5] = x5;
            a[6] = +x6;
            if (route(a)) return routed;
          }
          return plain(x0, x1, x2, x3, x4, x5, x6);
        };
      case 8:
        return function (
          x0: number,
          x1: number,
          x2: number,
          x3: number,
          x4: number,
          x5: number,
          x6: number,
          x7?: number,
        ) {
          const size =
            (gi === 0 ? x0 : gi === 1 ? x1 : gi === 2 ? x2 : gi === 3 ? x3 : gi === 4 ? x4 : gi === 5 ? x5 : x6) *
            (gj < 0
              ? 1
              : gj === 0
                ? x0
                : gj === 1
                  ? x1
                  : gj === 2
                    ? x2
                    : gj === 3
                      ? x3
                      : gj === 4
                        ? x4
                        : gj === 5
                          ? x5
                          : x6);
          if (fixed > 0 ? size >= fixed : wanted > 1 && size * top >= splitMinNs) {
            a[0] = x0;
            a[1] = x1;
            a[2] = x2;
            a[3] = x3;
            a[4] = x4;
            a[5] = x5;
            a[6] = x6;
            a[7] = x7 ?? NaN;
            if (route(a)) return routed;
          }
          return plain(x0, x1, x2, x3, x4, x5, x6, x7!);
        };
      case 9:
        return function (
          x0: number,
          x1: number,
          x2: number,
          x3: number,
          x4: number,
          x5: number,
          x6: number,
          x7: number,
          x8?: number,
        ) {
          const size =
            (gi === 0
              ? x0
              : gi === 1
                ? x1
                : gi === 2
                  ? x2
                  : gi === 3
                    ? x3
                    : gi === 4
                      ? x4
                      : gi === 5
                        ? x5
                        : gi === 6
                          ? x6
                          : x7) *
            (gj < 0
              ? 1
              : gj === 0
                ? x0
                : gj === 1
                  ? x1
                  : gj === 2
                    ? x2
                    : gj === 3
                      ? x3
                      : gj === 4
                        ? x4
                        : gj === 5
                          ? x5
                          : gj === 6
                            ? x6
                            : x7);
          if (fixed > 0 ? size >= fixed : wanted > 1 && size * top >= splitMinNs) {
            a[0] = x0;
            a[1] = x1;
            a[2] = x2;
            a[3] = x3;
            a[4] = x4;
            a[5] = x5;
            a[6] = x6;
            a[7] = x7;
            a[8] = x8 ?? NaN;
            if (route(a)) return routed;
          }
          return plain(x0, x1, x2, x3, x4, x5, x6, x7, x8!);
        };
      case 10:
        return function (
          x0: number,
          x1: number,
          x2: number,
          x3: number,
          x4: number,
          x5: number,
          x6: number,
          x7: number,
          x8: number,
          x9: number,
        ) {
          const size =
            (gi === 0
              ? x0
              : gi === 1
                ? x1
                : gi === 2
                  ? x2
                  : gi === 3
                    ? x3
                    : gi === 4
                      ? x4
                      : gi === 5
                        ? x5
                        : gi === 6
                          ? x6
                          : gi === 7
                            ? x7
                            : gi === 8
                              ? x8
                              : x9) *
            (gj < 0
              ? 1
              : gj === 0
                ? x0
                : gj === 1
                  ? x1
                  : gj === 2
                    ? x2
                    : gj === 3
                      ? x3
                      : gj === 4
                        ? x4
                        : gj === 5
                          ? x5
                          : gj === 6
                            ? x6
                            : gj === 7
                              ? x7
                              : gj === 8
                                ? x8
                                : x9);
          if (fixed > 0 ? size >= fixed : wanted > 1 && size * top >= splitMinNs) {
            a[0] = x0;
            a[1] = x1;
            a[2] = x2;
            a[3] = x3;
            a[4] = x4;
            a[5] = x5;
            a[6] = x6;
            a[7] = x7;
            a[8] = x8;
            a[9] = x9;
            if (route(a)) return routed;
          }
          return plain(x0, x1, x2, x3, x4, x5, x6, x7, x8, x9);
        };
      case 12:
        return function (
          x0: number,
          x1: number,
          x2: number,
          x3: number,
          x4: number,
          x5: number,
          x6: number,
          x7: number,
          x8: number,
          x9: number,
          x10: number,
          x11: number,
        ) {
          const size =
            (gi === 0
              ? x0
              : gi === 1
                ? x1
                : gi === 2
                  ? x2
                  : gi === 3
                    ? x3
                    : gi === 4
                      ? x4
                      : gi === 5
                        ? x5
                        : gi === 6
                          ? x6
                          : gi === 7
                            ? x7
                            : gi === 8
                              ? x8
                              : gi === 9
                                ? x9
                                : gi === 10
                                  ? x10
                                  : x11) *
            (gj < 0
              ? 1
              : gj === 0
                ? x0
                : gj === 1
                  ? x1
                  : gj === 2
                    ? x2
                    : gj === 3
                      ? x3
                      : gj === 4
                        ? x4
                        : gj === 5
                          ? x5
                          : gj === 6
                            ? x6
                            : gj === 7
                              ? x7
                              : gj === 8
                                ? x8
                                : gj === 9
                                  ? x9
                                  : gj === 10
                                    ? x10
                                    : x11);
          if (fixed > 0 ? size >= fixed : wanted > 1 && size * top >= splitMinNs) {
            a[0] = x0;
            a[1] = x1;
            a[2] = x2;
            a[3] = x3;
            a[4] = x4;
            a[5] = x5;
            a[6] = x6;
            a[7] = x7;
            a[8] = x8;
            a[9] = x9;
            a[10] = x10;
            a[11] = x11;
            if (route(a)) return routed;
          }
          return plain(x0, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, x11);
        };
      default:
        throw new Error(`simdnet: no threaded wrapper for kernel '${name}' of ${n} arguments`);
    }
  }
  const kernels = Object.fromEntries(KERNEL_NAMES.filter((n) => n !== 'gemm').map((n) => [n, method(n)]));

  const tb: ThreadedBackend = {
    ...base,
    ...kernels,
    name: 'wasm',
    base,
    gemm,
    get threads(): number {
      if (wanted <= 1 || reason !== undefined || pool === null || pool.disabledReason !== undefined) return 1;
      return wanted;
    },
    get threadsReason(): string | undefined {
      return pool?.disabledReason ?? reason;
    },
    setThreads(n: number): void {
      wanted = checkThreads(n);
      // The pool object is made now (no worker starts before a call needs one),
      // so `threads` and `threadsReason` are right from here on.
      if (pool !== null) pool.resize(wanted - 1);
      else if (wanted > 1) getPool();
    },
    shutdown(): Promise<void> {
      return pool === null ? Promise.resolve() : pool.shutdown();
    },
    get pool(): ThreadPool | null {
      return pool;
    },
    inject(i: Injection | null): void {
      getPool()?.inject(i);
    },
    readyWorkers(): number {
      const p = getPool();
      if (p === null) return 0;
      p.ensureStarted();
      return p.ready().length;
    },
  } as unknown as ThreadedBackend;
  return tb;
}
