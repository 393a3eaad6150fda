/**
 * The kernel worker pool: threads that run wasm kernels on the one shared
 * `WebAssembly.Memory`, each with its own instance of the same compiled module
 * (worker-source.ts), driven through a control block in the reserved low
 * memory (heap.ts keeps the first 64 KiB free for it).
 *
 * A dispatch is synchronous and costs no message: the caller writes task
 * records (a kernel index and 16 numeric arguments each) into the task table,
 * gives each worker a range of them by storing a new value in the worker's job
 * counter (Atomics.store + Atomics.notify), runs its own range meanwhile, and
 * then waits (Atomics.wait) until every worker has stored that value in its
 * "done" word. Every record is claimed (Atomics.exchange of the dispatch
 * number into its claim word) before it runs, so a thread that is done takes
 * over records a late worker has not started; a worker that has not even
 * taken its job when the caller is done has the job revoked and is not waited
 * for (on this VM a sleeping virtual core can take milliseconds to come
 * back). The job is offered in the worker's "offer" word; the worker takes it
 * with a compare-and-swap from the job's number to its negation, the caller
 * revokes it with one from the number to 0: exactly one wins, and a worker
 * held up before taking an old job can never take it later.
 *
 * Nothing spins where it can wait: on this project's 2-core machines a
 * spinning thread stole the core the working one needed, and spinning workers
 * made training slower too (ARCHITECTURE.md, "Threads wait, they do not spin"). Instead waits
 * are cut into 0.1 ms slices (for 3 ms after a worker's last job, and while
 * the caller waits): a virtual core that sleeps longer than the host's halt
 * polling (~0.2 ms) took 80–100 µs to wake, one that wakes every slice
 * answered in ~25 µs. The one exception is a caller on a browser's main
 * thread, where Atomics.wait throws: there it polls the done words with
 * Atomics.load until the same bound (as Emscripten's pthreads do). It only
 * spins after finishing its own share, while the workers finish theirs, and
 * a synchronous call blocks that thread anyway. Workers always wait with
 * Atomics.wait (they are workers).
 *
 * Failures never hang: every wait has a bound. A kernel that throws in a
 * worker is reported by that worker and rethrown by the call; a worker that
 * exits marks its slot dead (the call fails at once); one that stops answering
 * fails the call when the bound expires. After a death or a timeout the pool
 * tears itself down (the next call runs on the calling thread, and workers are
 * started again in the background); after {@link MAX_FAILURES} such failures
 * it stays on one thread and says why (`disabledReason`).
 *
 * Workers start in the background (the first calls after a start run on
 * fewer threads), are unref'd in Node so an idle pool never keeps a process
 * alive, and end with {@link ThreadPool.shutdown}, which settles once every
 * worker it ended (and any still exiting from a resize) has exited.
 *
 * Node: `worker_threads` is reached through `process.getBuiltinModule`
 * (Node ≥ 20.16) or, failing that, a dynamic import, so nothing Node-specific
 * is imported statically. Browsers: a Web Worker from a Blob URL.
 */
import { SimdnetError } from '../errors.js';
import type { Heap } from './heap.js';
import { RESERVED_BYTES } from './heap.js';
import { WORKER_SOURCE } from './worker-source.js';

/**
 * The control block's layout (byte offsets in the memory; word indices within
 * a header or slot). It fills the top of the reserved low memory, so that the
 * kernels' static data (AssemblyScript's math tables: `Math.pow`, `Math.exp`
 * in f64 bring 6 KiB of them, from byte 1024) has [0, headerBase) to itself.
 * The two must not overlap: every worker's instantiation writes the static
 * data again, which would reset the control block under running threads, and
 * the control block would overwrite the tables. The pool checks it when it is
 * made (see the constructor).
 */
export const LAYOUT = {
  /**
   * Header: the pool generation (a worker of another generation stops), the
   * task count of the current dispatch, and the workers' wait slices (µs).
   */
  headerBase: 15360,
  hGen: 0,
  hCount: 2,
  hWarmUs: 3,
  hSliceUs: 4,
  /** One 64-byte slot per worker. */
  slotBase: 15360 + 64,
  slotBytes: 64,
  sState: 0,
  sJob: 1,
  sT0: 2,
  sT1: 3,
  sDone: 4,
  sStatus: 5,
  sDbgOp: 6,
  sDbgArg: 7,
  /** Two float64 in each slot: when the worker started and finished its last job (absolute ms). */
  sTimesByte: 32,
  /** The job offered to the worker: its number (offered), minus it (taken), 0 (revoked). */
  sOffer: 12,
  maxSlots: 31,
  /** Each worker's last error message (ASCII, NUL-terminated). */
  msgBase: 15360 + 64 + 31 * 64,
  msgBytes: 128,
  /** The task table: records of 20 float64 (kernel index, 18 arguments, result). */
  taskBase: 15360 + 64 + 31 * 64 + 31 * 128,
  recF64: 20,
  maxTasks: 256,
  /** A claim word per task record: the number of the dispatch that claimed it. */
  claimBase: 15360 + 64 + 31 * 64 + 31 * 128 + 256 * 20 * 8,
  end: 15360 + 64 + 31 * 64 + 31 * 128 + 256 * 20 * 8 + 256 * 4,
  /** A worker's idle wait is bounded too: it wakes up this often to check its generation. */
  idleWaitMs: 10_000,
} as const;
if (
  LAYOUT.end > RESERVED_BYTES ||
  LAYOUT.msgBase + LAYOUT.maxSlots * LAYOUT.msgBytes > LAYOUT.taskBase ||
  LAYOUT.slotBase + LAYOUT.maxSlots * LAYOUT.slotBytes > LAYOUT.msgBase ||
  LAYOUT.taskBase % 8 !== 0 ||
  LAYOUT.slotBase % 8 !== 0
) {
  throw new Error('simdnet: the thread control block does not fit the reserved memory');
}

/** Worker slot states (LAYOUT.sState). */
const STARTING = 0,
  READY = 1,
  DEAD = 3;

/** Workers keep quick to wake (short wait slices) this long after a job (µs), and the slice (µs). */
const DEFAULT_WARM_US = 3000,
  DEFAULT_SLICE_US = 100;

/** Where this thread spins (a browser's main thread): loads of the done word between checks of the clock. */
const SPIN_POLLS = 2000;

/** Weight of the newest measurement in a worker's speed average. */
const SPEED_EMA = 0.2;

/** After this many deaths or timeouts, the pool stays on one thread. */
export const MAX_FAILURES = 3;

/** The most a shutdown waits for its workers' exits to be reported (ms). */
export const EXIT_WAIT_MS = 5000;

/**
 * Whether this thread may block in Atomics.wait: everywhere but on a
 * browser's main thread (there the call throws a TypeError, whatever the value).
 */
export function atomicsWaitAllowed(): boolean {
  if (typeof SharedArrayBuffer !== 'function') return false;
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0); // "not-equal" at once where allowed
    return true;
  } catch {
    return false;
  }
}

/** What a worker is told at start. */
export interface WorkerInit {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  names: string[];
  /** The index of `gemm` in names: its tasks run with the worker's own workspace. */
  gemmIndex: number;
  /** This worker's GEMM packing workspace. */
  ws: number;
  slot: number;
  generation: number;
  layout: typeof LAYOUT;
}

/** A started worker, whatever the platform. */
export interface WorkerHandle {
  terminate(): void;
}

/**
 * Starts a worker from WORKER_SOURCE with `init`; calls onExit once when it
 * is gone (exited, crashed or terminated), where the platform tells.
 */
export type Spawner = (init: WorkerInit, onExit: (why: string) => void) => WorkerHandle;

interface WorkerRec {
  slot: number;
  handle: WorkerHandle | null;
  /** This worker's GEMM packing workspace (heap pointer), released when it has exited. */
  ws: number;
  state: 'starting' | 'ready' | 'dead';
  startedAt: number;
  /** Ended by the pool (shutdown, resize, teardown), so its exit is no failure. */
  retired: boolean;
  /** Its exit has been reported (its slot and workspace are free again). */
  exited: boolean;
  /**
   * How fast this worker gets through a static share, relative to the calling
   * thread, counting its wake-up (a moving average; 1 = as fast).
   */
  speed: number;
}

export interface PoolOptions {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  heap: Heap;
  /** Kernel export names; a task's kernel index refers to this list. */
  names: string[];
  /** The calling thread's instance (runs its own share of every dispatch). */
  instance: WebAssembly.Instance;
  /** Bytes of GEMM workspace each worker gets from the heap. */
  wsBytes: number;
  /**
   * How workers are started (default: worker_threads in Node, Web Workers in
   * browsers); a string means "no workers here", and is the reason given.
   */
  spawner?: Spawner | Promise<Spawner> | string;
  /** The least time a call waits for a worker before failing (ms). Default 10 s. */
  timeoutMs?: number;
  /** The time a worker may take to start (ms). Default 30 s. */
  startTimeoutMs?: number;
}

/** Debug injections, for tests: what a worker (or the pool) does on the next dispatch. */
export type Injection = { kind: 'exit' } | { kind: 'throw' } | { kind: 'sleep'; ms: number } | { kind: 'terminate' };

const now: () => number =
  typeof performance === 'object' && performance !== null && typeof performance.now === 'function'
    ? () => performance.now()
    : () => Date.now();
/** now() + origin: absolute milliseconds, comparable across threads (each has its own timeOrigin). */
const origin: number =
  typeof performance === 'object' && performance !== null && typeof performance.now === 'function'
    ? performance.timeOrigin
    : 0;

interface NodeWorker {
  unref(): void;
  terminate(): Promise<number>;
  on(ev: 'exit', fn: (code: number) => void): void;
  on(ev: 'error', fn: (e: Error) => void): void;
}
interface WorkerThreads {
  Worker: new (src: string, opts: object) => NodeWorker;
}

function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string';
}

/** The Node spawner: worker_threads, eval'd source, unref'd. */
function nodeSpawner(wt: WorkerThreads): Spawner {
  return (init, onExit) => {
    const w = new wt.Worker(WORKER_SOURCE, { eval: true, workerData: init, stdout: false, stderr: false });
    w.unref();
    let gone = false;
    const done = (why: string): void => {
      if (!gone) {
        gone = true;
        onExit(why);
      }
    };
    w.on('error', (e) => done(`it threw: ${e && e.message ? e.message : String(e)}`));
    w.on('exit', (code) => done(`it exited with code ${code}`));
    return {
      terminate: () => {
        void w.terminate();
      },
    };
  };
}

/** The browser spawner: a Web Worker from a Blob URL, given `init` as its first message. */
function browserSpawner(): Spawner {
  let url: string | undefined;
  return (init, onExit) => {
    url ??= URL.createObjectURL(new Blob([WORKER_SOURCE], { type: 'text/javascript' }));
    const w = new Worker(url);
    let gone = false;
    const done = (why: string): void => {
      if (!gone) {
        gone = true;
        onExit(why);
      }
    };
    w.onerror = (e) => {
      done(`it threw: ${e.message}`);
      w.terminate();
    };
    w.postMessage(init);
    return {
      terminate: () => {
        w.terminate();
        done('terminated');
      },
    };
  };
}

/**
 * The platform's spawner, or why there is none. Node: synchronous where
 * process.getBuiltinModule exists, else a promise (dynamic import).
 */
export function defaultSpawner(): Spawner | Promise<Spawner> | string {
  if (isNode()) {
    const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
    if (typeof proc?.getBuiltinModule === 'function') {
      const wt = proc.getBuiltinModule('node:worker_threads') as WorkerThreads | undefined;
      if (wt?.Worker) return nodeSpawner(wt);
    }
    const spec = 'node:worker_threads';
    return (import(/* @vite-ignore */ spec) as Promise<WorkerThreads>).then(nodeSpawner);
  }
  if (typeof Worker !== 'function' || typeof Blob !== 'function' || typeof URL?.createObjectURL !== 'function') {
    return 'this platform has no Web Workers';
  }
  return browserSpawner();
}

/** Memories with a pool: one control block each, so one pool each. */
const pools = new WeakSet<WebAssembly.Memory>();

/** The pool. See the module comment. */
export class ThreadPool {
  readonly memory: WebAssembly.Memory;
  /** Int32 / Float64 views of the control block (low memory: valid across grows, the memory being shared). */
  readonly i32: Int32Array;
  readonly f64: Float64Array;
  private readonly u8: Uint8Array;
  private readonly module: WebAssembly.Module;
  private readonly heap: Heap;
  private readonly names: string[];
  private readonly wsBytes: number;
  private readonly gemmIndex: number;
  /** The calling thread's kernels, by index. */
  private readonly fns: Array<(...a: number[]) => number>;
  private spawner: Spawner | null = null;
  private workers: WorkerRec[] = [];
  private readyList: WorkerRec[] = [];
  private wanted = 0;
  private generation = 1;
  private seq = 0;
  private failures = 0;
  /** Set when the pool gave up: why calls stay on one thread. */
  disabledReason: string | undefined;
  timeoutMs: number;
  startTimeoutMs: number;
  /** For tests: what happens on the next dispatch. */
  private injection: Injection | null = null;
  /** Slots owned by workers that have not exited yet. */
  private usedSlots = new Set<number>();
  private nextSlot = 0;
  /** Pending shutdowns: each returns true (and is removed) once the workers it waits for have exited. */
  private exitWaiters = new Set<() => boolean>();
  /** Workers started and not yet exited (retired ones included). */
  private unexitedRecs = new Set<WorkerRec>();
  /**
   * How this thread waits for workers: false, Atomics.wait in slices (Node,
   * workers); true, polling with Atomics.load until the same bound (a
   * browser's main thread, where Atomics.wait throws). Tests set it.
   */
  spinWait = !atomicsWaitAllowed();
  /**
   * Waits shorter than the host's halt polling keep a virtual core quick to
   * wake (see the worker source): this thread waits for workers in slices of
   * this many µs (0: one wait), and workers wait for the next job in slices
   * during warmUs after finishing one.
   */
  sliceUs = 100;
  get warmUs(): number {
    return Atomics.load(this.i32, (LAYOUT.headerBase >> 2) + LAYOUT.hWarmUs);
  }
  set warmUs(us: number) {
    Atomics.store(this.i32, (LAYOUT.headerBase >> 2) + LAYOUT.hWarmUs, us | 0);
  }
  get workerSliceUs(): number {
    return Atomics.load(this.i32, (LAYOUT.headerBase >> 2) + LAYOUT.hSliceUs);
  }
  set workerSliceUs(us: number) {
    Atomics.store(this.i32, (LAYOUT.headerBase >> 2) + LAYOUT.hSliceUs, us | 0);
  }
  /** Dispatches so far (calls that ran on more than one thread). */
  dispatches = 0;
  /** Jobs revoked from workers that had not started them when this thread had finished every record. */
  revoked = 0;
  /** Records of the last dispatch this thread took over from others, and how long its own part took (ms). */
  private stolen = new Uint8Array(LAYOUT.maxTasks);
  private ownRangeMs = 0;
  /**
   * Whether this thread takes over what late workers have not started: their
   * records (static splits) and their jobs (revoked). Tests turn it off to
   * make sure workers compute their share.
   */
  takeOver = true;
  /** Tasks dispatched, and of those, how many the calling thread ran itself (a measure of worker wake-up lag). */
  tasks = 0;
  ownTasks = 0;

  constructor(o: PoolOptions) {
    if (pools.has(o.memory)) {
      throw new SimdnetError('ThreadPool: this memory already has a thread pool (its control block is shared)');
    }
    pools.add(o.memory);
    this.memory = o.memory;
    this.module = o.module;
    this.heap = o.heap;
    this.names = o.names;
    this.wsBytes = o.wsBytes;
    this.gemmIndex = o.names.indexOf('gemm');
    this.timeoutMs = o.timeoutMs ?? 10_000;
    this.startTimeoutMs = o.startTimeoutMs ?? 30_000;
    const buf = o.memory.buffer;
    if (!(typeof SharedArrayBuffer === 'function' && buf instanceof SharedArrayBuffer)) {
      throw new SimdnetError('ThreadPool: the kernel memory is not shared');
    }
    this.i32 = new Int32Array(buf, 0, LAYOUT.end >> 2);
    this.f64 = new Float64Array(buf, 0, LAYOUT.end >> 3);
    this.u8 = new Uint8Array(buf, 0, LAYOUT.end);
    const ex = o.instance.exports as Record<string, unknown>;
    this.fns = o.names.map((n) => {
      const f = ex[n];
      if (typeof f !== 'function') throw new SimdnetError(`ThreadPool: the kernels lack the export \`${n}\``);
      return f as (...a: number[]) => number;
    });
    // The block must be ours alone: nothing but the kernels' static data is
    // written below the heap before a pool exists, so a byte set here is static
    // data that every worker's instantiation would write again over the block.
    const taken = this.u8.subarray(LAYOUT.headerBase, LAYOUT.end).findIndex((b) => b !== 0);
    if (taken >= 0) {
      this.disabledReason =
        `the kernels' static data reaches into the thread control block (a byte set at ${LAYOUT.headerBase + taken}; ` +
        `it must end below ${LAYOUT.headerBase}): running on one thread`;
      return;
    }
    Atomics.store(this.i32, (LAYOUT.headerBase >> 2) + LAYOUT.hGen, this.generation);
    this.warmUs = DEFAULT_WARM_US;
    this.workerSliceUs = DEFAULT_SLICE_US;
    const sp = o.spawner ?? defaultSpawner();
    if (typeof sp === 'string') this.disabledReason = sp;
    else if (typeof sp === 'function') this.spawner = sp;
    else {
      sp.then(
        (s) => {
          this.spawner = s;
          if (this.wanted > 0) this.ensureStarted();
        },
        (e: unknown) => {
          this.disabledReason = `workers could not be loaded: ${String(e)}`;
        },
      );
    }
  }

  /** Workers wanted (threads − 1). */
  get size(): number {
    return this.wanted;
  }
  /** Workers that have started and not exited. */
  get liveCount(): number {
    return this.workers.length;
  }
  /** Deaths and timeouts so far. */
  get failureCount(): number {
    return this.failures;
  }
  /** Workers started and not yet exited, those being ended included. */
  get unexited(): number {
    return this.unexitedRecs.size;
  }

  /** Ask for n workers (threads − 1). Extra workers end now; missing ones start at the next ensureStarted(). */
  resize(n: number): void {
    this.wanted = Math.max(0, Math.min(LAYOUT.maxSlots, n | 0));
    while (this.workers.length > this.wanted) this.retire(this.workers[this.workers.length - 1]!);
    this.refreshReady();
  }

  /** Start the missing workers in the background (no-op when all are there, or when disabled). */
  ensureStarted(): void {
    if (this.disabledReason !== undefined || this.workers.length >= this.wanted) return;
    if (this.spawner === null) return; // still loading worker_threads
    while (this.workers.length < this.wanted) {
      const slot = this.takeSlot();
      if (slot < 0) return;
      const ws = this.heap.alloc(this.wsBytes);
      const base = this.slotIndex(slot);
      Atomics.store(this.i32, base + LAYOUT.sState, STARTING);
      Atomics.store(this.i32, base + LAYOUT.sJob, 0);
      Atomics.store(this.i32, base + LAYOUT.sDone, 0);
      Atomics.store(this.i32, base + LAYOUT.sDbgOp, 0);
      Atomics.store(this.i32, base + LAYOUT.sOffer, 0);
      const rec: WorkerRec = {
        slot,
        handle: null,
        ws,
        state: 'starting',
        startedAt: now(),
        retired: false,
        exited: false,
        speed: 1,
      };
      this.workers.push(rec);
      const init: WorkerInit = {
        module: this.module,
        memory: this.memory,
        names: this.names,
        gemmIndex: this.gemmIndex,
        ws,
        slot,
        generation: this.generation,
        layout: LAYOUT,
      };
      this.unexitedRecs.add(rec);
      try {
        rec.handle = this.spawner(init, (why) => this.onExit(rec, why));
      } catch (e) {
        this.unexitedRecs.delete(rec);
        this.workers.pop();
        this.usedSlots.delete(slot);
        this.heap.release(ws);
        this.fail(`a kernel worker could not be started: ${e instanceof Error ? e.message : String(e)}`);
        return;
      }
    }
  }

  /**
   * The workers ready to take work now (promotes started ones; notices dead
   * ones and those that failed to start in time).
   */
  ready(): readonly WorkerRec[] {
    if (this.readyList.length < this.workers.length) this.refreshReady();
    return this.readyList;
  }

  private refreshReady(): void {
    const list: WorkerRec[] = [];
    for (const w of this.workers) {
      if (w.state === 'starting') {
        const st = Atomics.load(this.i32, this.slotIndex(w.slot) + LAYOUT.sState);
        if (st === READY) w.state = 'ready';
        else if (st === DEAD) {
          this.fail(`a kernel worker failed to start: ${this.message(w.slot) || 'it died'}`);
          return this.refreshReady();
        } else if (now() - w.startedAt > this.startTimeoutMs) {
          this.fail(`a kernel worker did not start within ${this.startTimeoutMs} ms`);
          return this.refreshReady();
        }
      }
      if (w.state === 'ready') list.push(w);
    }
    this.readyList = list;
  }

  /** For tests: make the next dispatch fail in a chosen way. */
  inject(i: Injection | null): void {
    this.injection = i;
  }

  /**
   * Run task records [0, count) on this thread and `workers`. With `bounds`
   * (length workers + 2), thread k starts with [bounds[k], bounds[k+1]) — k = 0
   * is this thread, k ≥ 1 is workers[k − 1] — so that the same thread takes
   * the same part of the same arrays call after call; then every thread takes
   * over records nobody has claimed (a late or slow thread's share). Without
   * bounds, every thread takes the next unclaimed record until none is left.
   * GEMM records run with the taking thread's workspace (`ownWs` here).
   * Synchronous; throws if a kernel or a worker failed, after every worker
   * involved has finished or been given up on.
   */
  run(
    workers: readonly WorkerRec[],
    count: number,
    ownWs: number,
    bounds?: ArrayLike<number>,
    shares?: ArrayLike<number>,
  ): void {
    const nw = workers.length;
    this.dispatches++;
    let seq = this.seq + 1;
    if (seq > 0x3fffffff) {
      // Claim words hold dispatch numbers: start again from 1 with clean ones
      // (no worker is inside a job between dispatches; one held up before
      // taking an old job cannot take it: its offer is gone).
      seq = 1;
      for (let t = 0; t < LAYOUT.maxTasks; t++) Atomics.store(this.i32, (LAYOUT.claimBase >> 2) + t, 0);
    }
    this.seq = seq;
    const inj = this.injection;
    this.injection = null;
    const H = LAYOUT.headerBase >> 2;
    Atomics.store(this.i32, H + LAYOUT.hCount, count);
    for (let k = 0; k < nw; k++) {
      const s = this.slotIndex(workers[k]!.slot);
      this.i32[s + LAYOUT.sT0] = bounds !== undefined ? bounds[k + 1]! : -1;
      this.i32[s + LAYOUT.sT1] = bounds !== undefined ? bounds[k + 2]! : -1;
      if (inj !== null) {
        // 'terminate': the worker is held (asleep) in the middle of the call, then killed.
        this.i32[s + LAYOUT.sDbgArg] = inj.kind === 'sleep' ? inj.ms : inj.kind === 'terminate' ? 60_000 : 0;
        Atomics.store(this.i32, s + LAYOUT.sDbgOp, inj.kind === 'exit' ? -1 : inj.kind === 'throw' ? -2 : -3);
      }
      Atomics.store(this.i32, s + LAYOUT.sOffer, seq); // before the job number: a worker takes what is offered
      Atomics.store(this.i32, s + LAYOUT.sJob, seq);
      Atomics.notify(this.i32, s + LAYOUT.sJob, 1);
    }
    // This thread's share.
    const t0 = now();
    const dispatchedAt = origin + t0;
    let ownError: unknown = null;
    try {
      this.runTasks(count, ownWs, seq, bounds !== undefined ? bounds[0]! : 0, bounds !== undefined ? bounds[1]! : 0);
    } catch (e) {
      ownError = e;
      // Leave no task for anyone: the call fails anyway.
      for (let t = 0; t < count; t++) Atomics.store(this.i32, (LAYOUT.claimBase >> 2) + t, seq);
    }
    const ownMs = now() - t0;
    if (inj?.kind === 'terminate') for (const w of workers) w.handle?.terminate(); // killed mid-call
    // Wait for the workers, each wait bounded.
    const bound = Math.max(this.timeoutMs, 50 * ownMs);
    const deadline = now() + bound;
    let failure: string | null = null;
    let kernelError: string | null = null;
    for (let k = 0; k < nw; k++) {
      const w = workers[k]!;
      const s = this.slotIndex(w.slot);
      // A worker that has not taken the job yet (its core is slow to wake, or
      // busy elsewhere) is not waited for: every record is done by now, so the
      // job is revoked, and the worker will skip it. (Not with a test injection.)
      if (
        inj === null &&
        this.takeOver &&
        Atomics.load(this.i32, s + LAYOUT.sDone) !== seq &&
        Atomics.compareExchange(this.i32, s + LAYOUT.sOffer, seq, 0) === seq
      ) {
        this.revoked++;
        continue;
      }
      for (;;) {
        const d = Atomics.load(this.i32, s + LAYOUT.sDone);
        if (d === seq) {
          if (this.i32[s + LAYOUT.sStatus] !== 0 && kernelError === null) kernelError = this.message(w.slot);
          break;
        }
        if (Atomics.load(this.i32, s + LAYOUT.sState) === DEAD || w.state === 'dead') {
          failure ??= `a kernel worker died during the call${this.message(w.slot) ? ` (${this.message(w.slot)})` : ''}`;
          break;
        }
        const left = deadline - now();
        if (left <= 0) {
          failure ??= `a kernel worker did not finish within ${Math.round(bound)} ms`;
          break;
        }
        if (this.spinWait) {
          // No Atomics.wait here: poll the word a while, then check state and clock again.
          for (let i = 0; i < SPIN_POLLS && Atomics.load(this.i32, s + LAYOUT.sDone) === d; i++) {
            /* spin */
          }
        } else {
          Atomics.wait(this.i32, s + LAYOUT.sDone, d, this.sliceUs > 0 ? Math.min(left, this.sliceUs / 1000) : left);
        }
      }
    }
    if (failure !== null) {
      this.fail(failure);
      throw new SimdnetError(
        `A kernel thread failed: ${failure}. The call's outputs are incomplete; ` +
          (this.disabledReason !== undefined ? 'simdnet now runs on one thread.' : 'the thread pool was restarted.'),
      );
    }
    if (ownError !== null) throw ownError;
    if (kernelError !== null) throw new SimdnetError(`A kernel failed in a worker thread: ${kernelError}`);
    if (shares !== undefined && bounds !== undefined && this.ownRangeMs > 0.05) {
      this.learnSpeeds(workers, shares, bounds, dispatchedAt, seq);
    }
  }

  /**
   * After a static split: how long each worker took for its share (from the
   * dispatch: its wake-up counts) against this thread, folded into its speed.
   */
  private learnSpeeds(
    workers: readonly WorkerRec[],
    shares: ArrayLike<number>,
    bounds: ArrayLike<number>,
    at: number,
    seq: number,
  ): void {
    const own = shares[0]! / this.ownRangeMs;
    if (!(own > 0)) return;
    for (let k = 0; k < workers.length; k++) {
      const w = workers[k]!;
      const f = (LAYOUT.slotBase + w.slot * LAYOUT.slotBytes + LAYOUT.sTimesByte) >> 3;
      // A worker whose part this thread had to take over (or whose job it
      // revoked) was too slow: the slowest sample.
      let late = Atomics.load(this.i32, this.slotIndex(w.slot) + LAYOUT.sDone) !== seq;
      for (let t = bounds[k + 1]!; t < bounds[k + 2]! && !late; t++) late = this.stolen[t] === 1;
      const ms = late ? Infinity : this.f64[f + 1]! - at;
      const share = shares[k + 1]!;
      if (!(ms > 0) || !(share > 0)) continue;
      const s = Math.min(2, Math.max(0.5, share / ms / own));
      w.speed += SPEED_EMA * (s - w.speed);
    }
  }

  /**
   * Run task records on this thread: its own range [t0, t1) first, then any
   * record no thread has claimed, from the last down (see the worker source).
   */
  private runTasks(count: number, ws: number, seq: number, t0: number, t1: number): void {
    const f = this.f64,
      i32 = this.i32,
      fns = this.fns,
      REC = LAYOUT.recF64,
      GEMM = this.gemmIndex;
    const CLAIMS = LAYOUT.claimBase >> 2,
      TASKS = LAYOUT.taskBase >> 3;
    const own = t1 - t0;
    this.tasks += count;
    this.stolen.fill(0, 0, count);
    const start = now();
    this.ownRangeMs = 0;
    const n = own > 0 && !this.takeOver ? own : own + count;
    for (let k = 0; k < n; k++) {
      if (k === own) this.ownRangeMs = now() - start;
      const t = k < own ? t0 + k : count - 1 - (k - own);
      if (Atomics.exchange(i32, CLAIMS + t, seq) === seq) continue;
      this.ownTasks++;
      if (k >= own) this.stolen[t] = 1;
      const r = TASKS + t * REC;
      const id = f[r]!;
      const v = fns[id]!(
        f[r + 1]!,
        f[r + 2]!,
        f[r + 3]!,
        f[r + 4]!,
        f[r + 5]!,
        f[r + 6]!,
        f[r + 7]!,
        f[r + 8]!,
        f[r + 9]!,
        f[r + 10]!,
        f[r + 11]!,
        f[r + 12]!,
        f[r + 13]!,
        id === GEMM ? ws : f[r + 14]!,
        f[r + 15]!,
        f[r + 16]!,
        f[r + 17]!,
        f[r + 18]!,
      );
      f[r + 19] = v === undefined ? 0 : v;
    }
    if (n === own) this.ownRangeMs = now() - start;
  }

  /**
   * End every worker. The pool can start again (lazily) afterwards. Resolves
   * when they have exited — they, and the workers ended before (by a resize or
   * a teardown) that had not exited yet; not workers a later call starts.
   * Bounded: a worker whose exit is never reported holds it EXIT_WAIT_MS at
   * most. The bound is a timer that keeps a Node process alive while a
   * shutdown is pending, so an awaited shutdown always settles (an unref'd one
   * left a script's top-level await unsettled: exit code 13).
   */
  shutdown(): Promise<void> {
    for (const w of this.workers.slice()) this.retire(w);
    this.refreshReady();
    const waitFor = [...this.unexitedRecs];
    if (waitFor.length === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const check = (): boolean => {
        for (const w of waitFor) if (!w.exited) return false;
        clearTimeout(timer);
        resolve();
        return true;
      };
      const timer = setTimeout(() => {
        this.exitWaiters.delete(check);
        resolve();
      }, EXIT_WAIT_MS);
      this.exitWaiters.add(check);
    });
  }

  // ------------------------------------------------------------------ internals

  private slotIndex(slot: number): number {
    return (LAYOUT.slotBase >> 2) + slot * (LAYOUT.slotBytes >> 2);
  }

  private message(slot: number): string {
    const base = LAYOUT.msgBase + slot * LAYOUT.msgBytes;
    let s = '';
    for (let i = 0; i < LAYOUT.msgBytes; i++) {
      const c = this.u8[base + i]!;
      if (c === 0) break;
      s += String.fromCharCode(c);
    }
    return s;
  }

  private takeSlot(): number {
    for (let i = 0; i < LAYOUT.maxSlots; i++) {
      const s = (this.nextSlot + i) % LAYOUT.maxSlots;
      if (!this.usedSlots.has(s)) {
        this.usedSlots.add(s);
        this.nextSlot = (s + 1) % LAYOUT.maxSlots;
        this.u8[LAYOUT.msgBase + s * LAYOUT.msgBytes] = 0;
        return s;
      }
    }
    return -1;
  }

  /** Stop a worker on purpose: its exit is not a failure. */
  private retire(w: WorkerRec): void {
    w.retired = true;
    this.drop(w);
    const s = this.slotIndex(w.slot);
    Atomics.store(this.i32, s + LAYOUT.sJob, -1);
    Atomics.notify(this.i32, s + LAYOUT.sJob);
    w.handle?.terminate();
  }

  private drop(w: WorkerRec): void {
    w.state = 'dead';
    const i = this.workers.indexOf(w);
    if (i >= 0) this.workers.splice(i, 1);
    const j = this.readyList.indexOf(w);
    if (j >= 0) this.readyList = this.readyList.filter((x) => x !== w);
  }

  private onExit(w: WorkerRec, why: string): void {
    if (w.exited) return;
    w.exited = true;
    this.unexitedRecs.delete(w);
    const unexpected = !w.retired;
    this.drop(w);
    // Only now, with the thread gone, are its slot and workspace free.
    this.usedSlots.delete(w.slot);
    this.heap.release(w.ws);
    if (unexpected) this.fail(`a kernel worker ended unexpectedly: ${why}`);
    // A shutdown settles when all of ITS workers have exited, not at the first exit.
    for (const f of [...this.exitWaiters]) if (f()) this.exitWaiters.delete(f);
  }

  /**
   * A worker died, timed out or failed to start: end this generation of
   * workers (the next big call starts new ones), or give up after MAX_FAILURES.
   */
  private fail(why: string): void {
    this.failures++;
    this.generation++;
    Atomics.store(this.i32, (LAYOUT.headerBase >> 2) + LAYOUT.hGen, this.generation);
    for (const w of this.workers.slice()) this.retire(w);
    this.readyList = [];
    if (this.failures >= MAX_FAILURES && this.disabledReason === undefined) {
      this.disabledReason = `the worker threads failed ${this.failures} times (last: ${why}); running on one thread`;
    }
  }
}
