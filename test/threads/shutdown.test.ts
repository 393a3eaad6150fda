/**
 * shutdown() settles promptly whatever came before it (issue 13 §1): every
 * order of setThreads / big calls / waiting for workers / shutdown, including
 * a shutdown while the worker a resize ended is still exiting, and several
 * shutdowns in flight at once. Each promise of ours must settle within
 * SETTLE_MS (a worker's exit takes milliseconds; the pool's fallback bound
 * is 5 s, so a lost exit waiter shows as a 5 s wait). Then a child process
 * with nothing else alive runs the exact script of the issue, and every
 * order again: a promise that never settles would end it with code 13.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ThreadedBackend } from '../../src/backend/threaded.js';
import { data, expectSameBits, freshThreaded, waitWorkers } from './helpers.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The most a shutdown may take (ms): generous for a loaded 2-core machine, far below the 5 s fallback. */
const SETTLE_MS = 2000;

/**
 * Ops: '1' '2' '3' setThreads(n); 'c' a call big enough to be split (starts
 * missing workers in the background); 'w' wait until the workers are ready;
 * 'd' shutdown() without awaiting it. Every sequence ends with `await shutdown()`.
 */
const OPS = ['1', '2', '3', 'c', 'w', 'd'] as const;
function sequences(len: number): string[] {
  let out = [''];
  for (let i = 0; i < len; i++) out = out.flatMap((s) => OPS.map((o) => s + o));
  return out;
}

let tb: ThreadedBackend;
let g: { run: () => Float32Array; want: Float32Array; free: () => void };

beforeAll(async () => {
  tb = await freshThreaded();
  const h = tb.heap,
    M = 256,
    N = 128,
    K = 200; // 6.5 M multiply-adds: split on 2 or 3 threads
  const A = h.allocF32(M * K),
    B = h.allocF32(K * N),
    C = h.allocF32(M * N);
  h.write(A, data(M * K, 1));
  h.write(B, data(K * N, 2));
  tb.base.gemm(false, false, M, N, K, 1, A, K, B, N, 0, C, N, 0);
  g = {
    want: h.read(C, M * N),
    run: () => {
      tb.gemm(false, false, M, N, K, 1, A, K, B, N, 0, C, N, 0);
      return h.read(C, M * N);
    },
    free: () => {
      for (const p of [A, B, C]) h.release(p);
    },
  };
});
afterAll(async () => {
  g.free();
  await tb.shutdown();
});

/** How long `p` took to settle, or Infinity if it has not within `limit` ms. */
async function settleTime(p: Promise<unknown>, since: number, limit = SETTLE_MS + 4000): Promise<number> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<number>((r) => {
    timer = setTimeout(() => r(Infinity), limit);
  });
  const ms = await Promise.race([p.then(() => performance.now() - since), late]);
  clearTimeout(timer);
  return ms;
}

/** Run one sequence; returns what went wrong (empty when all is well). */
async function play(seq: string): Promise<string[]> {
  const problems: string[] = [];
  const pending: Array<{ at: string; t0: number; p: Promise<void> }> = [];
  for (let i = 0; i < seq.length; i++) {
    const op = seq[i]!;
    if (op === 'c') expectSameBits(g.run(), g.want, `${seq}: call ${i}`);
    else if (op === 'w') {
      if (tb.threads > 1) await waitWorkers(tb, tb.threads - 1, 20_000);
    } else if (op === 'd') pending.push({ at: `shutdown at step ${i}`, t0: performance.now(), p: tb.shutdown() });
    else tb.setThreads(Number(op));
  }
  pending.push({ at: 'the final shutdown', t0: performance.now(), p: tb.shutdown() });
  for (const { at, t0, p } of pending) {
    const ms = await settleTime(p, t0);
    if (!(ms < SETTLE_MS)) problems.push(`${seq}: ${at} took ${ms === Infinity ? 'forever' : `${Math.round(ms)} ms`}`);
  }
  const pool = tb.pool;
  if (pool !== null && (pool.liveCount !== 0 || pool.unexited !== 0)) {
    problems.push(`${seq}: after the final shutdown, ${pool.liveCount} workers live and ${pool.unexited} not exited`);
  }
  if (pool !== null && pool.failureCount !== 0) problems.push(`${seq}: ${pool.failureCount} worker failures`);
  return problems;
}

describe('shutdown() settles promptly after any order of calls', () => {
  it('the issue: setThreads 2, 1, 2 with a big call after each, then shutdown', async () => {
    expect(await play('2c1c2c')).toEqual([]);
  });

  it('a shutdown while the worker a resize ended is still exiting (3 → 2, 2 → 1), and a call in between', async () => {
    const problems: string[] = [];
    for (const seq of ['3cw2', '3cw2c', '2cw1', '2cw1c', '3cw1c2c', '3c2d1d', '2c1c2c1', '2cw1c2cw1c']) {
      problems.push(...(await play(seq)));
    }
    expect(problems).toEqual([]);
  });

  for (const len of [1, 2, 3]) {
    it(`every sequence of ${len} of setThreads(1|2|3), call, wait for workers, shutdown — then shutdown`, async () => {
      const problems: string[] = [];
      for (const seq of sequences(len)) problems.push(...(await play(seq)));
      expect(problems).toEqual([]);
    });
  }

  it('a call right after shutdown() (before it settled) starts new workers; the shutdown still settles', async () => {
    tb.setThreads(3);
    g.run();
    await waitWorkers(tb, 2);
    const t0 = performance.now();
    const p = tb.shutdown();
    g.run(); // starts two new workers: the shutdown waits for the old ones only
    expect(tb.pool!.liveCount).toBe(2);
    expect(await settleTime(p, t0)).toBeLessThan(SETTLE_MS);
    await waitWorkers(tb, 2);
    expectSameBits(g.run(), g.want, 'on the new workers');
    expect(await settleTime(tb.shutdown(), performance.now())).toBeLessThan(SETTLE_MS);
    expect(tb.pool!.unexited).toBe(0);
  });
});

describe('a script with nothing else pending: shutdown settles, the script goes on, Node exits 0', () => {
  const dist = `${ROOT}dist/index.js`;
  async function runChild(code: string): Promise<{ code: number | null; out: string; err: string; ms: number }> {
    if (!existsSync(dist)) expect.fail(`${dist} is missing: run \`npm run build\` (npm test does)`);
    const t0 = Date.now();
    const child = spawn(process.execPath, ['--input-type=module', '-e', code], {
      cwd: ROOT,
      env: { ...process.env, SIMDNET_THREADS: '' },
    });
    let out = '',
      err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d;
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d;
    });
    const exit = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        resolve(null);
      }, 60_000);
      child.on('exit', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    return { code: exit, out, err, ms: Date.now() - t0 };
  }

  it("the issue's script prints 'done' and exits 0 at once", async () => {
    // The script of issue 13 §1, verbatim (the package resolves to this one by its name).
    const script = `
import * as sn from 'simdnet';
const a = sn.tensor(new Float32Array(512 * 512).fill(1), [512, 512]);
for (const t of [2, 1, 2]) { sn.setThreads(t); sn.matMul(a, a); }
await sn.shutdown();
console.log('done');
`;
    const r = await runChild(script);
    expect(r.code, `exit code (13: the top-level await never settled); stderr: ${r.err}`).toBe(0);
    expect(r.out).toBe('done\n');
    // Start-up included; a 5 s fallback wait would show.
    expect(r.ms).toBeLessThan(4500);
  });

  it('every sequence of 3 ops in one process: each shutdown settles promptly, then the process exits 0', async () => {
    const script = `
import * as sn from 'simdnet';
const a = sn.tensor(new Float32Array(256 * 256).fill(1), [256, 256]);
const be = sn.getBackend();
const ops = ${JSON.stringify(OPS)};
let seqs = [''];
for (let i = 0; i < 3; i++) seqs = seqs.flatMap((s) => ops.map((o) => s + o));
let worst = 0, worstSeq = '';
for (const seq of seqs) {
  const pending = [];
  for (const op of seq) {
    if (op === 'c') sn.matMul(a, a).dispose?.();
    else if (op === 'w') { while (be.threads > 1 && be.readyWorkers() < be.threads - 1) await new Promise((r) => setTimeout(r, 5)); }
    else if (op === 'd') pending.push([performance.now(), sn.shutdown()]);
    else sn.setThreads(Number(op));
  }
  pending.push([performance.now(), sn.shutdown()]);
  for (const [t0, p] of pending) {
    await p;
    const ms = performance.now() - t0;
    if (ms > worst) { worst = ms; worstSeq = seq; }
  }
}
console.log(JSON.stringify({ n: seqs.length, worst, worstSeq, unexited: be.pool ? be.pool.unexited : 0 }));
`;
    const r = await runChild(script);
    expect(r.code, `exit code (13: a shutdown never settled); stderr: ${r.err}`).toBe(0);
    const res = JSON.parse(r.out.trim().split('\n').pop()!) as {
      n: number;
      worst: number;
      worstSeq: string;
      unexited: number;
    };
    expect(res.n).toBe(OPS.length ** 3);
    expect(res.worst, `the slowest shutdown (after ${res.worstSeq})`).toBeLessThan(SETTLE_MS);
    expect(res.unexited).toBe(0);
  });
});
