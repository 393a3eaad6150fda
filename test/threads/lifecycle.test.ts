/**
 * The worker pool's life cycle (issue 5): workers start in the background
 * only when a call is big enough, shutdown ends them; a worker that exits,
 * throws, is terminated or hangs mid-call makes that call throw within a
 * bound, and the next call works; repeated failures and missing workers fall
 * back to one thread, saying why; a Node process that used threads exits by
 * itself.
 */
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SimdnetError } from '../../src/errors.js';
import { compileVariant } from '../../src/runtime/loader.js';
import { createWasmBackend } from '../../src/backend/wasm.js';
import { createThreadedBackend, type ThreadedBackend } from '../../src/backend/threaded.js';
import { MAX_FAILURES } from '../../src/runtime/pool.js';
import { data, expectSameBits, freshThreaded, waitWorkers } from './helpers.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A product big enough to be split: returns a function running it and reading C. */
function bigGemm(
  tb: ThreadedBackend,
  M = 384,
  N = 256,
  K = 300,
): { run: () => Float32Array; plain: () => Float32Array; free: () => void } {
  const h = tb.heap;
  const A = h.allocF32(M * K),
    B = h.allocF32(K * N),
    C = h.allocF32(M * N);
  h.write(A, data(M * K, 1));
  h.write(B, data(K * N, 2));
  return {
    run: () => {
      tb.gemm(false, false, M, N, K, 1, A, K, B, N, 0, C, N, 0);
      return h.read(C, M * N);
    },
    plain: () => {
      tb.base.gemm(false, false, M, N, K, 1, A, K, B, N, 0, C, N, 0);
      return h.read(C, M * N);
    },
    free: () => {
      for (const p of [A, B, C]) h.release(p);
    },
  };
}

async function timed<T>(fn: () => T): Promise<{ ms: number; value?: T; error?: unknown }> {
  const t0 = performance.now();
  try {
    const value = fn();
    return { ms: performance.now() - t0, value };
  } catch (error) {
    return { ms: performance.now() - t0, error };
  }
}

describe('pool start and stop', () => {
  it('starts no worker for small calls; starts them for a big one; shutdown ends them; they come back when needed', async () => {
    const tb = await freshThreaded();
    tb.setThreads(3);
    expect(tb.threads).toBe(3);
    expect(tb.pool!.liveCount).toBe(0);
    expect(tb.pool!.spinWait, 'Node may block: the caller waits with Atomics.wait').toBe(false);
    // Small calls: never a worker.
    const h = tb.heap;
    const s = h.allocF32(64 * 64 * 3);
    for (let i = 0; i < 20; i++) {
      tb.gemm(false, false, 64, 64, 64, 1, s, 64, s + 64 * 64 * 4, 64, 0, s + 2 * 64 * 64 * 4, 64, 0);
      tb.adam(s, s, s, s, 0, 1000, 1e-3, 0.9, 0.999, 1e-7);
    }
    expect(tb.pool!.liveCount).toBe(0);
    h.release(s);
    // A big call starts them (in the background; this call runs on one thread).
    const g = bigGemm(tb);
    const want = g.plain();
    expectSameBits(g.run(), want, 'first call');
    expect(tb.pool!.liveCount).toBe(2);
    await waitWorkers(tb, 2);
    const d0 = tb.pool!.dispatches;
    expectSameBits(g.run(), want, 'on 3 threads');
    expect(tb.pool!.dispatches).toBe(d0 + 1);
    // Fewer threads end the extra worker at once.
    tb.setThreads(2);
    expect(tb.pool!.liveCount).toBe(1);
    await tb.shutdown();
    expect(tb.pool!.liveCount).toBe(0);
    expect(tb.threads).toBe(2); // the setting stays
    expectSameBits(g.run(), want, 'after shutdown');
    await waitWorkers(tb, 1);
    expectSameBits(g.run(), want, 'restarted');
    g.free();
    await tb.shutdown();
  });

  it('workers see the memory after it grows (arrays allocated past the old end)', async () => {
    const tb = await freshThreaded();
    tb.setThreads(2);
    const small = bigGemm(tb);
    small.run();
    await waitWorkers(tb, 1);
    const before = tb.heap.byteLength;
    // Operands placed beyond the memory the workers were started with.
    const pad = tb.heap.alloc(before);
    expect(tb.heap.byteLength).toBeGreaterThan(before);
    const g = bigGemm(tb, 512, 384, 300);
    const want = g.plain();
    const d0 = tb.pool!.dispatches;
    tb.pool!.takeOver = false; // the worker must compute its part
    expectSameBits(g.run(), want, 'after a grow');
    expect(tb.pool!.dispatches).toBe(d0 + 1);
    g.free();
    small.free();
    tb.heap.release(pad);
    await tb.shutdown();
  });

  it('one pool per memory', async () => {
    const tb = await freshThreaded();
    tb.setThreads(2);
    const module = await compileVariant(tb.variant);
    expect(() => createThreadedBackend(tb.base, module).setThreads(2)).toThrow(/already has a thread pool/);
  });
});

describe('failures surface as errors from the call, and the next call works', () => {
  const cases: Array<{ kind: 'exit' | 'throw' | 'terminate' | 'sleep'; message: RegExp; fatal: boolean }> = [
    { kind: 'exit', message: /died during the call/, fatal: true },
    { kind: 'throw', message: /injected failure/, fatal: false },
    { kind: 'terminate', message: /did not finish within|died during the call/, fatal: true },
    // The bound is max(timeoutMs, 50 × the caller's own part): above 300 ms on a loaded machine.
    { kind: 'sleep', message: /did not finish within ([3-9]\d\d|[1-2]\d\d\d) ms/, fatal: true },
  ];
  // Both ways the calling thread can wait: Atomics.wait (Node, workers) and
  // polling (a browser's main thread, where Atomics.wait is forbidden).
  for (const c of cases)
    for (const spin of [false, true]) {
      it(
        `a worker that ${c.kind === 'sleep' ? 'hangs' : c.kind === 'exit' ? 'exits' : c.kind + 's'} mid-call` +
          ` (the caller ${spin ? 'polls' : 'waits'})`,
        async () => {
          const tb = await freshThreaded({ timeoutMs: 300 });
          tb.setThreads(2);
          tb.pool!.spinWait = spin;
          const g = bigGemm(tb);
          const want = g.plain();
          g.run();
          await waitWorkers(tb, 1);
          tb.inject(c.kind === 'sleep' ? { kind: 'sleep', ms: 5000 } : { kind: c.kind });
          const r = await timed(() => g.run());
          expect(r.error).toBeInstanceOf(SimdnetError);
          expect(String(r.error)).toMatch(c.message);
          expect(r.ms).toBeLessThan(3000); // bounded: no hang
          expect(tb.pool!.failureCount).toBe(c.fatal ? 1 : 0);
          // The next call works (on one thread, or on new workers), with the same bits.
          expectSameBits(g.run(), want, 'next call');
          await waitWorkers(tb, 1);
          const d0 = tb.pool!.dispatches;
          expectSameBits(g.run(), want, 'on threads again');
          expect(tb.pool!.dispatches).toBe(d0 + 1);
          expect(tb.threads).toBe(2);
          g.free();
          await tb.shutdown();
        },
      );
    }

  it(`after ${MAX_FAILURES} failures it stays on one thread and says why`, async () => {
    const tb = await freshThreaded();
    tb.setThreads(2);
    const g = bigGemm(tb);
    const want = g.plain();
    for (let i = 0; i < MAX_FAILURES; i++) {
      g.run();
      await waitWorkers(tb, 1);
      tb.inject({ kind: 'exit' });
      expect(() => g.run()).toThrow(/died/);
    }
    expect(tb.threads).toBe(1);
    expect(tb.threadsReason).toMatch(new RegExp(`failed ${MAX_FAILURES} times`));
    for (let i = 0; i < 3; i++) expectSameBits(g.run(), want, 'on one thread');
    expect(tb.pool!.liveCount).toBe(0);
    g.free();
  });
});

describe('fallback to one thread', () => {
  it('when the platform has no workers: threads 1, the reason, same results', async () => {
    const tb = await freshThreaded({ spawner: 'this platform has no Web Workers' });
    tb.setThreads(4);
    expect(tb.threads).toBe(1);
    expect(tb.threadsReason).toBe('this platform has no Web Workers');
    const g = bigGemm(tb);
    expectSameBits(g.run(), g.plain(), 'no workers');
    g.free();
  });

  it('when starting a worker throws: the calls still work, and threads give up after repeated failures', async () => {
    const tb = await freshThreaded({
      spawner: () => {
        throw new Error('no threads for you');
      },
    });
    tb.setThreads(2);
    const g = bigGemm(tb);
    const want = g.plain();
    for (let i = 0; i < MAX_FAILURES + 1; i++) expectSameBits(g.run(), want, `call ${i}`);
    expect(tb.threads).toBe(1);
    expect(tb.threadsReason).toMatch(/no threads for you/);
    g.free();
  });

  it('when the memory is not shared (a page that is not cross-origin isolated)', async () => {
    const module = await compileVariant('simd-unshared');
    const tb = createThreadedBackend(createWasmBackend(module, 'simd-unshared'), module);
    tb.setThreads(2);
    expect(tb.threads).toBe(1);
    expect(tb.threadsReason).toMatch(/not shared/);
    const g = bigGemm(tb);
    expectSameBits(g.run(), g.plain(), 'unshared');
    g.free();
  });

  it('backendInfo() says so with the unshared kernels', async () => {
    const { vi } = await import('vitest');
    vi.resetModules();
    vi.stubEnv('SIMDNET_WASM_VARIANT', 'unshared');
    vi.stubEnv('SIMDNET_THREADS', '2');
    try {
      const reg = await import('../../src/backend/index.js');
      await reg.initBackends();
      expect(reg.backendInfo()).toMatchObject({ variant: 'simd-unshared', threads: 1 });
      expect(reg.backendInfo().threadsReason).toMatch(/not shared/);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});

describe('a Node process that used threads exits by itself', () => {
  // The built package (npm test builds it first): the ES module and the CommonJS entries.
  const esm = `
    const sn = await import(${JSON.stringify(new URL('../../dist/index.js', import.meta.url).href)});
    await main(sn);
    ${'async function main(sn) {' + '__BODY__' + '}'}`;
  const cjs = `
    const sn = require(${JSON.stringify(`${ROOT}dist/cjs/index.cjs`)});
    main(sn).catch((e) => { console.error(e); process.exit(1); });
    ${'async function main(sn) {' + '__BODY__' + '}'}`;
  const body = `
    if (typeof sn.setThreads !== 'function') { console.log('STALE'); return; }
    sn.setThreads(2);
    const m = sn.sequential([sn.layers.dense({ units: 256, inputDim: 512, activation: 'relu' }), sn.layers.dense({ units: 10 })]);
    m.compile({ loss: 'mse', optimizer: 'adam' });
    const X = sn.tensor(new Float32Array(512 * 512).map((_, i) => Math.sin(i)), [512, 512]);
    const Y = sn.tensor(new Float32Array(512 * 10).map((_, i) => Math.cos(i)), [512, 10]);
    const be = sn.getBackend();
    await m.fit(X, Y, { epochs: 1, batchSize: 256, verbose: 0 });
    const t0 = Date.now();
    while (be.readyWorkers() < 1 && Date.now() - t0 < 20000) await new Promise((r) => setTimeout(r, 10));
    const d0 = be.pool.dispatches;
    await m.fit(X, Y, { epochs: 2, batchSize: 256, verbose: 0 });
    console.log(JSON.stringify({ threads: sn.backendInfo().threads, dispatches: be.pool.dispatches - d0, end: Date.now() }));`;

  for (const [kind, src] of [
    ['ES module', esm],
    ['CommonJS', cjs],
  ] as const) {
    it(`${kind} entry: exits within 5 s of its last statement, without shutdown()`, async () => {
      const dist = kind === 'CommonJS' ? `${ROOT}dist/cjs/index.cjs` : `${ROOT}dist/index.js`;
      if (!existsSync(dist)) expect.fail(`${dist} is missing: run \`npm run build\` (npm test does)`);
      const code = src.replace('__BODY__', body);
      const args = kind === 'CommonJS' ? ['-e', code] : ['--input-type=module', '-e', code];
      const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, SIMDNET_THREADS: '' } });
      let out = '',
        err = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d;
      });
      child.stderr.on('data', (d: Buffer) => {
        err += d;
      });
      const code_ = await new Promise<number | null>((resolve) => {
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          resolve(null);
        }, 60_000);
        child.on('exit', (c) => {
          clearTimeout(timer);
          resolve(c);
        });
      });
      const exitedAt = Date.now();
      expect(out, 'dist/ predates setThreads: run `npm run build`').not.toContain('STALE');
      expect(code_, `the child did not exit by itself (stderr: ${err})`).toBe(0);
      const r = JSON.parse(out.trim().split('\n').pop()!) as { threads: number; dispatches: number; end: number };
      expect(r.threads).toBe(2);
      expect(r.dispatches).toBeGreaterThan(0);
      expect(exitedAt - r.end).toBeLessThan(5000);
    });
  }
});
