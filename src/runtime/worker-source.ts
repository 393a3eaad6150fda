/**
 * The code of a kernel worker, as a string: workers start from it with no file
 * path to resolve (Node: `new Worker(WORKER_SOURCE, { eval: true })`;
 * browsers: a Blob URL), so it works the same from the ES module build, the
 * CommonJS build, a bundle or a CDN. The string is `kernelWorker`'s own source
 * (Function.prototype.toString), so it is type-checked here and minified by
 * bundlers with the rest; it must therefore reach nothing outside its body
 * (no imports, no module-level names, no syntax a compiler would turn into
 * helper calls).
 *
 * A worker receives (Node: `workerData`; browsers: its first message) the
 * compiled `WebAssembly.Module`, the shared `WebAssembly.Memory` and the
 * layout of the control block (runtime/pool.ts), instantiates the same module
 * on the same memory, and then serves dispatches:
 *
 *   - it waits (Atomics.wait, bounded) on its slot's job word;
 *   - a new value means a job: it takes it with a compare-and-swap on its
 *     offer word (job → −job), which fails if the caller has revoked it (the
 *     caller did the work itself because this worker was late) or moved on;
 *   - it runs the range of task records the caller assigned to it, then any
 *     record no thread has claimed yet (a record is claimed by an
 *     Atomics.exchange of the job number into its claim word), so a thread
 *     that wakes late or runs on a busier core has its share taken over. A
 *     record is a kernel index and 16 numeric arguments; the kernel's return
 *     value is stored in it. GEMM records run with this worker's own packing
 *     workspace in place of the record's;
 *   - then it stores its status, stores the job number as "done", and
 *     notifies the waiting caller.
 *
 * The job word is read BEFORE the worker announces it is ready, so a dispatch
 * that lands between the two cannot be lost. For 3 ms after a job the worker
 * waits in 0.1 ms slices (see pool.ts: a virtual core that sleeps longer is
 * slow to wake); nothing spins. A worker of an older pool generation (a pool
 * that was torn down) stops without touching its slot. A worker that throws
 * reports the message in its slot; one that exits (process.exit in Node)
 * marks its slot dead, so the caller fails at once instead of at the end of
 * its time bound.
 */

/** What a worker is given (pool.ts builds it). */
interface Init {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  names: string[];
  gemmIndex: number;
  ws: number;
  slot: number;
  generation: number;
  layout: Record<string, number>;
}

type Kernel = (...a: number[]) => number | undefined;

/** The worker's whole program: run in the worker, never here. */
function kernelWorker(): void {
  const g = globalThis as unknown as {
    process?: {
      versions?: { node?: string };
      getBuiltinModule?: (id: string) => unknown;
      exit(code: number): void;
      on(ev: string, fn: () => void): void;
    };
    require?: (id: string) => unknown;
    performance?: { now(): number; timeOrigin: number };
    onmessage: ((e: { data: Init }) => void) | null;
    close(): void;
  };
  const proc = g.process;
  const isNode = typeof proc?.versions?.node === 'string';

  function start(init: Init): void {
    const L = init.layout;
    const i32 = new Int32Array(init.memory.buffer, 0, L.end! >> 2);
    const f64 = new Float64Array(init.memory.buffer, 0, L.end! >> 3);
    const u8 = new Uint8Array(init.memory.buffer, 0, L.end!);
    const S = (L.slotBase! >> 2) + init.slot * (L.slotBytes! >> 2);
    const H = L.headerBase! >> 2;
    const GEN = H + L.hGen!,
      COUNT = H + L.hCount!,
      WARM = H + L.hWarmUs!,
      SLICE = H + L.hSliceUs!;
    const CLAIMS = L.claimBase! >> 2,
      TASKS = L.taskBase! >> 3,
      REC = L.recF64!;
    const JOB = S + L.sJob!,
      DONE = S + L.sDone!,
      STATUS = S + L.sStatus!,
      STATE = S + L.sState!;
    const OFFER = S + L.sOffer!,
      T0 = S + L.sT0!,
      T1 = S + L.sT1!,
      DBG = S + L.sDbgOp!,
      DBGARG = S + L.sDbgArg!;
    const TIMES = (L.slotBase! + init.slot * L.slotBytes! + L.sTimesByte!) >> 3;
    const msgBase = L.msgBase! + init.slot * L.msgBytes!;
    const clock = g.performance ?? Date;
    const origin = g.performance ? g.performance.timeOrigin : 0;
    const WS = init.ws,
      GEMM = init.gemmIndex,
      gen = init.generation;
    let doneAt = -1e9;

    const current = (): boolean => Atomics.load(i32, GEN) === gen;
    function markDead(): void {
      if (!current()) return;
      Atomics.store(i32, STATE, 3);
      Atomics.store(i32, DONE, -1);
      Atomics.notify(i32, DONE);
    }
    function writeMessage(text: unknown): void {
      const s = String(text);
      let n = 0;
      for (let i = 0; i < s.length && n < L.msgBytes! - 1; i++) {
        const c = s.charCodeAt(i);
        u8[msgBase + n++] = c < 128 ? c : 63;
      }
      u8[msgBase + n] = 0;
    }

    let fns: Kernel[];
    try {
      const instance = new WebAssembly.Instance(init.module, { env: { memory: init.memory } });
      fns = init.names.map((n) => instance.exports[n] as unknown as Kernel);
    } catch (e) {
      writeMessage(
        'a kernel worker could not instantiate the kernels: ' + (e instanceof Error ? e.message : String(e)),
      );
      markDead();
      return;
    }
    if (isNode) proc!.on('exit', markDead);

    // Test hooks (the slot's debug word, set by ThreadPool.inject): exit mid-call, throw, sleep.
    const sleeper = new Int32Array(new SharedArrayBuffer(4));
    /** Thrown by the browser's "exit": leaves the loop (close() alone lets running code go on). */
    const EXIT = { exit: true };
    function debug(op: number, a: number): void {
      if (op === -1) {
        if (isNode) proc!.exit(1);
        markDead();
        g.close();
        throw EXIT;
      }
      if (op === -2) throw new Error('injected failure');
      if (op === -3) Atomics.wait(sleeper, 0, 0, a);
    }

    // Read the job word first, then announce readiness (lost wake-up trap).
    let last = Atomics.load(i32, JOB);
    Atomics.store(i32, STATE, 1);
    Atomics.notify(i32, STATE);

    for (;;) {
      if (!current()) return;
      const job = Atomics.load(i32, JOB);
      if (job === last) {
        // Short slices for a while after a job, then the long (still bounded) wait.
        const slice = Atomics.load(i32, SLICE);
        const warm = slice > 0 && (clock.now() - doneAt) * 1000 < Atomics.load(i32, WARM);
        Atomics.wait(i32, JOB, last, warm ? slice / 1000 : L.idleWaitMs!);
        continue;
      }
      last = job;
      if (job <= 0) return; // shutdown
      // Take the job (offer: job → −job); fails if revoked (0) or superseded.
      if (Atomics.compareExchange(i32, OFFER, job, -job) !== job) continue;
      const count = Atomics.load(i32, COUNT);
      f64[TIMES] = origin + clock.now();
      let status = 0;
      try {
        const dop = Atomics.load(i32, DBG);
        if (dop !== 0) {
          Atomics.store(i32, DBG, 0);
          debug(dop, i32[DBGARG]!);
        }
        // Its own range first, then any record nobody has claimed, from the last down.
        const t0 = Atomics.load(i32, T0),
          own = Atomics.load(i32, T1) - t0;
        for (let k = 0; k < own + count; k++) {
          const t = k < own ? t0 + k : count - 1 - (k - own);
          if (Atomics.exchange(i32, CLAIMS + t, job) === job) continue;
          const r = TASKS + t * REC;
          const id = f64[r]!;
          const v = fns[id]!(
            f64[r + 1]!,
            f64[r + 2]!,
            f64[r + 3]!,
            f64[r + 4]!,
            f64[r + 5]!,
            f64[r + 6]!,
            f64[r + 7]!,
            f64[r + 8]!,
            f64[r + 9]!,
            f64[r + 10]!,
            f64[r + 11]!,
            f64[r + 12]!,
            f64[r + 13]!,
            id === GEMM ? WS : f64[r + 14]!,
            f64[r + 15]!,
            f64[r + 16]!,
            f64[r + 17]!,
            f64[r + 18]!,
          );
          f64[r + 19] = v === undefined ? 0 : v;
        }
      } catch (e) {
        if (e === EXIT) return; // gone: its slot says dead, and it reports nothing more
        status = 1;
        writeMessage(e instanceof Error ? e.message : e);
      }
      if (!current()) return;
      f64[TIMES + 1] = origin + clock.now();
      Atomics.store(i32, STATUS, status);
      Atomics.store(i32, DONE, job);
      Atomics.notify(i32, DONE);
      doneAt = clock.now();
    }
  }

  if (isNode) {
    // Eval'd as CommonJS, or as an ES module when the process runs with
    // --input-type=module (workers inherit execArgv): no require there. The
    // name sits in a variable, so a browser bundle's scan for Node imports
    // finds none.
    const WT = 'node:worker_threads';
    type WorkerThreads = { workerData: Init };
    const wt = (
      proc!.getBuiltinModule ? proc!.getBuiltinModule(WT) : typeof g.require === 'function' ? g.require(WT) : null
    ) as WorkerThreads | null;
    if (wt) start(wt.workerData);
    else
      (new Function('s', 'return import(s)') as (s: string) => Promise<WorkerThreads>)(WT).then((m) =>
        start(m.workerData),
      );
  } else {
    g.onmessage = (e) => {
      g.onmessage = null;
      start(e.data);
      g.close();
    };
  }
}

/** The worker's source: kernelWorker, called. */
export const WORKER_SOURCE = `(${kernelWorker.toString()})();\n`;
