/**
 * The code of a kernel worker, as a string: workers start from it with no file
 * path to resolve (Node: `new Worker(WORKER_SOURCE, { eval: true })`;
 * browsers: a Blob URL), so it works the same from the ES module build, the
 * CommonJS build, a bundle or a CDN. It is plain ES2020 and self-contained.
 *
 * A worker receives (Node: `workerData`; browsers: its first message) the
 * compiled `WebAssembly.Module`, the shared `WebAssembly.Memory` and the
 * layout of the control block (runtime/pool.ts), instantiates the same module
 * on the same memory, and then serves dispatches:
 *
 *   - it waits (Atomics.wait, bounded) on its slot's job counter;
 *   - a new value means: run the range of task records the caller assigned
 *     to this worker, then any record no thread has claimed yet (a record is
 *     claimed by an Atomics.exchange of the job number into its claim word),
 *     so a thread that wakes late or runs on a busier core has its share
 *     taken over. Each record is a
 *     kernel index and 16 numeric arguments; the kernel's return value is
 *     stored in the record. GEMM tasks run with this worker's own packing
 *     workspace in place of the record's;
 *   - then it stores its status, stores the job counter's value as "done",
 *     and notifies the waiting caller.
 *
 * The job counter is read BEFORE the worker announces it is ready, so a
 * dispatch that lands between the two cannot be lost. A worker of an older
 * pool generation (a pool that was torn down) stops without touching its slot.
 * A worker that throws reports the message in its slot; one that exits
 * (process.exit in Node) marks its slot dead, so the caller fails at once
 * instead of at the end of its time bound.
 */
export const WORKER_SOURCE = String.raw`'use strict';
(function () {
  var isNode = typeof process === 'object' && process !== null && typeof process.versions === 'object' &&
    process.versions !== null && typeof process.versions.node === 'string';

  function start(init) {
    var L = init.layout;
    var i32 = new Int32Array(init.memory.buffer, 0, L.end >> 2);
    var f64 = new Float64Array(init.memory.buffer, 0, L.end >> 3);
    var u8 = new Uint8Array(init.memory.buffer, 0, L.end);
    var S = (L.slotBase >> 2) + init.slot * (L.slotBytes >> 2);
    var GEN = (L.headerBase >> 2) + L.hGen, COUNT = (L.headerBase >> 2) + L.hCount, CLAIMS = L.claimBase >> 2;
    var WARM = (L.headerBase >> 2) + L.hWarmUs, SLICE = (L.headerBase >> 2) + L.hSliceUs;
    var clock = typeof performance === 'object' && performance !== null ? performance : Date;
    var origin = clock === Date ? 0 : performance.timeOrigin;
    var TIMES = (L.slotBase + init.slot * L.slotBytes + L.sTimesByte) >> 3;
    var doneAt = -1e9;
    var JOB = S + L.sJob, DONE = S + L.sDone, STATUS = S + L.sStatus, STATE = S + L.sState, OFFER = S + L.sOffer;
    var WS = init.ws, GEMM = init.gemmIndex;
    var msgBase = L.msgBase + init.slot * L.msgBytes;
    var gen = init.generation;
    var REC = L.recF64, TASKS = L.taskBase >> 3;

    function current() { return Atomics.load(i32, GEN) === gen; }
    function markDead() {
      if (!current()) return;
      Atomics.store(i32, STATE, 3);
      Atomics.store(i32, DONE, -1);
      Atomics.notify(i32, DONE);
    }
    function writeMessage(text) {
      var s = String(text).slice(0, L.msgBytes - 1);
      var n = 0;
      for (var i = 0; i < s.length && n < L.msgBytes - 1; i++) {
        var c = s.charCodeAt(i);
        u8[msgBase + n++] = c < 128 ? c : 63;
      }
      u8[msgBase + n] = 0;
    }

    var fns;
    try {
      var instance = new WebAssembly.Instance(init.module, { env: { memory: init.memory } });
      fns = init.names.map(function (n) { return instance.exports[n]; });
    } catch (e) {
      writeMessage('a kernel worker could not instantiate the kernels: ' + (e && e.message ? e.message : e));
      markDead();
      return;
    }
    if (isNode) process.on('exit', markDead);

    // Test hooks (the slot's debug word, set by ThreadPool.inject): exit mid-call, throw, sleep.
    var sleeper = new Int32Array(new SharedArrayBuffer(4));
    function debug(op, a) {
      if (op === -1) { if (isNode) process.exit(1); else { markDead(); self.close(); throw new Error('closed'); } }
      if (op === -2) throw new Error('injected failure');
      if (op === -3) Atomics.wait(sleeper, 0, 0, a);
      return 0;
    }

    // Read the job counter first, then announce readiness (lost wake-up trap).
    var last = Atomics.load(i32, JOB);
    Atomics.store(i32, STATE, 1);
    Atomics.notify(i32, STATE);

    for (;;) {
      if (!current()) return;
      var job = Atomics.load(i32, JOB);
      if (job === last) {
        // For a while after a job, wait in short slices: a virtual core that
        // sleeps longer than the host's halt polling (~0.2 ms) takes 80-100 us
        // to wake; one that wakes every slice answers in ~25 us. Nothing spins.
        var slice = Atomics.load(i32, SLICE);
        var warm = slice > 0 && (clock.now() - doneAt) * 1000 < Atomics.load(i32, WARM);
        Atomics.wait(i32, JOB, last, warm ? slice / 1000 : L.idleWaitMs);
        continue;
      }
      last = job;
      if (job <= 0) return; // shutdown
      // Take the job: the offer word goes from the job's number to its
      // negation. It fails if the caller has revoked the job (it did the work
      // itself when this worker was late: the word is then 0) or has moved on
      // to a newer one; exactly one of the caller's and the worker's
      // compare-and-swaps wins.
      if (Atomics.compareExchange(i32, OFFER, job, -job) !== job) continue;
      var count = Atomics.load(i32, COUNT);
      f64[TIMES] = origin + clock.now(); // when this worker started on the job (the caller balances with it)
      var status = 0;
      try {
        var dop = Atomics.load(i32, S + L.sDbgOp);
        if (dop !== 0) { Atomics.store(i32, S + L.sDbgOp, 0); debug(dop, i32[S + L.sDbgArg]); }
        // This worker's own range [t0, t1) first, then whatever task nobody
        // has claimed yet, from the last one down (so a thread that is late
        // or slow has its work taken over). A task is claimed by swapping this
        // job's number into its claim word.
        var t0 = Atomics.load(i32, S + L.sT0), t1 = Atomics.load(i32, S + L.sT1);
        var own = t1 - t0;
        for (var k = 0; k < own + count; k++) {
          var t = k < own ? t0 + k : count - 1 - (k - own);
          if (Atomics.exchange(i32, CLAIMS + t, job) === job) continue;
          var r = TASKS + t * REC;
          var id = f64[r];
          var v = fns[id](f64[r + 1], f64[r + 2], f64[r + 3], f64[r + 4], f64[r + 5], f64[r + 6], f64[r + 7],
            f64[r + 8], f64[r + 9], f64[r + 10], f64[r + 11], f64[r + 12], f64[r + 13], id === GEMM ? WS : f64[r + 14],
            f64[r + 15], f64[r + 16]);
          f64[r + 17] = v === undefined ? 0 : v;
        }
      } catch (e) {
        status = 1;
        writeMessage(e && e.message ? e.message : e);
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
    // The source is eval'd as CommonJS, or as an ES module when the process
    // runs with --input-type=module (workers inherit execArgv): no require there.
    var wt = typeof process.getBuiltinModule === 'function' ? process.getBuiltinModule('node:worker_threads')
      : typeof require === 'function' ? require('node:worker_threads') : null;
    if (wt) start(wt.workerData);
    else import('node:worker_threads').then(function (m) { start(m.workerData); });
  } else {
    self.onmessage = function (e) { self.onmessage = null; start(e.data); self.close(); };
  }
})();
`;
