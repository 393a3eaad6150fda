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
 *   - a new value means: take task records from the task table, one at a
 *     time, by incrementing the shared "next" counter (Atomics.add) until it
 *     passes the task count — the calling thread and the other workers take
 *     them the same way, so a faster core simply takes more. Each record is a
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
    var GEN = (L.headerBase >> 2) + L.hGen, NEXT = (L.headerBase >> 2) + L.hNext, COUNT = (L.headerBase >> 2) + L.hCount;
    var JOB = S + L.sJob, DONE = S + L.sDone, STATUS = S + L.sStatus, STATE = S + L.sState;
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

    // Test hooks (negative kernel indices): exit mid-call, throw, sleep.
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
      if (job === last) { Atomics.wait(i32, JOB, last, L.idleWaitMs); continue; }
      last = job;
      if (job <= 0) return; // shutdown
      var count = Atomics.load(i32, COUNT);
      var status = 0;
      try {
        var dop = Atomics.load(i32, S + L.sDbgOp);
        if (dop !== 0) { Atomics.store(i32, S + L.sDbgOp, 0); debug(dop, i32[S + L.sDbgArg]); }
        for (;;) {
          var t = Atomics.add(i32, NEXT, 1);
          if (t >= count) break;
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
      Atomics.store(i32, STATUS, status);
      Atomics.store(i32, DONE, job);
      Atomics.notify(i32, DONE);
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
