#!/usr/bin/env node
// Threads against one thread, measured the way bench/run.mjs measures: each thread count in
// its own child process (SIMDNET_THREADS=n), the children taking turns round after round
// (1t 2t 1t 2t …) so drift on a shared machine hits both alike; a round is the median of
// repeated runs within a short time budget; reported: the median over rounds, and the ratio.
//
//   node test/threads/bench.mjs [--dist DIR] [--rounds N] [--cases a,b] [--threads 1,2] [--budget MS]
//                               [--quiet 0.85] [--tune '<json per child>/…']
//
// --quiet F waits before each round until a fraction F of the CPU is idle (other people's
// work on a shared 2-core machine otherwise lands on the second core). --tune passes JSON to
// each child's threaded.ts tune() (splitMinNs, gemmMinMacs, balance) and pool settings
// (sliceUs, warmUs, workerSliceUs), to compare settings side by side: --threads 1,2,2
// --tune '//{"splitMinNs":300000}'.
//
// DIR is a build of src/ (default dist/). Cases: gemm-512, gemm-1024, train-mnist-mlp (784–128–10,
// batch 128), train-wide-mlp (784–512–512–10, batch 256), train-seed (the founding model:
// 8–10–8–1, 1,000 samples, 10 epochs, batch 32), predict-b1000 (784–128–10, 1,000 samples),
// and kernel sweeps used to pick thresholds (gemm-<M>x<N>x<K>, adam-<n>, relu-<n>, mse-<n>).
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import os from 'node:os';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const ROOT = resolve(HERE, '../..');

function median(a) {
  const s = [...a].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The fraction of CPU time idle over `ms` (Linux /proc/stat; 1 elsewhere). */
async function idleFraction(ms = 300) {
  const read = () => {
    try {
      const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
      return { idle: f[3] + f[4], total: f.reduce((a, b) => a + b, 0) };
    } catch { return null; }
  };
  const a = read();
  await new Promise((r) => setTimeout(r, ms));
  const b = read();
  return a && b ? (b.idle - a.idle) / Math.max(1, b.total - a.total) : 1;
}

/** Wait (at most maxMs) until the machine is mostly idle: other people's work distorts a 2-core machine's figures. */
async function waitQuiet(min, maxMs = 120_000) {
  const t0 = Date.now();
  for (;;) {
    const f = await idleFraction();
    if (f >= min || Date.now() - t0 > maxMs) return f;
  }
}

// ------------------------------------------------------------------ child
async function child(dist, threads) {
  const sn = await import(pathToFileURL(resolve(dist, 'index.js')).href);
  const { uniform, mnist, seedData } = await import(pathToFileURL(resolve(ROOT, 'bench/data.mjs')).href);
  const be = sn.getBackend();
  const info = sn.backendInfo();
  if (process.env.BENCH_TUNE) {
    // Threshold / chunking experiments: threaded.ts's tune(), and the pool's wait settings.
    const t = JSON.parse(process.env.BENCH_TUNE);
    const th = await import(pathToFileURL(resolve(dist, 'backend/threaded.js')).href);
    th.tune(t);
    if (be.pool) for (const k of ['spinUs', 'sliceUs', 'warmUs', 'workerSliceUs']) if (t[k] !== undefined) be.pool[k] = t[k];
  }
  const heap = be.heap;
  const mlp = (units, inputDim, acts) => sn.sequential(units.map((u, i) => sn.layers.dense({
    units: u, activation: acts[i], ...(i === 0 ? { inputDim } : {}),
  })));

  function gemmCase(M, N, K, tA = false, tB = false) {
    const A = heap.allocF32(M * K), B = heap.allocF32(K * N), C = heap.allocF32(M * N);
    const ws = heap.alloc(be.gemmWorkspaceBytes);
    heap.write(A, uniform(M * K, 1)); heap.write(B, uniform(K * N, 2));
    const lda = tA ? M : K, ldb = tB ? K : N;
    return { fn: () => be.gemm(tA, tB, M, N, K, 1, A, lda, B, ldb, 0, C, N, ws), work: 2 * M * N * K, unit: 'GFLOP/s' };
  }
  function adamCase(n) {
    const p = [0, 1, 2, 3].map(() => heap.allocF32(n));
    heap.write(p[1], uniform(n, 3));
    return { fn: () => be.adam(p[0], p[1], p[2], p[3], 0, n, 1e-3, 0.9, 0.999, 1e-7), work: n, unit: 'Melem/s' };
  }
  function reluCase(n) {
    const z = heap.allocF32(n), y = heap.allocF32(n);
    heap.write(z, uniform(n, 4));
    return { fn: () => be.biasAct(1, 0, z, 0, y, n / 128, 128), work: n, unit: 'Melem/s' };
  }
  function mseCase(n) {
    const t = heap.allocF32(n), p = heap.allocF32(n), g = heap.allocF32(n);
    heap.write(t, uniform(n, 5)); heap.write(p, uniform(n, 6));
    return { fn: () => be.mse(t, p, g, 0, n / 64, 64, 1 / (n / 64)), work: n, unit: 'Melem/s' };
  }
  function trainCase(kind) {
    let model, x, y, epochs = 1, batchSize;
    if (kind === 'seed') {
      const d = seedData(1000);
      model = mlp([10, 8, 1], 8, ['relu', 'relu', 'sigmoid']);
      x = sn.tensor(d.x, [d.n, 8]); y = sn.tensor(d.y, [d.n, 1]);
      model.compile({ loss: 'mean_squared_error', optimizer: 'adam', metrics: ['accuracy'] });
      epochs = 10; batchSize = 32;
      return { fn: () => model.fit(x, y, { epochs, batchSize, verbose: 0 }), work: 1, unit: 'fits/s' };
    }
    const wide = kind === 'wide';
    const n = wide ? 1024 : 2048;
    const d = mnist(n);
    model = wide ? mlp([512, 512, 10], 784, ['relu', 'relu', 'softmax']) : mlp([128, 10], 784, ['relu', 'softmax']);
    x = sn.tensor(d.x, [d.n, 784]); y = sn.tensor(d.y, [d.n, 10]);
    model.compile({ loss: 'categorical_crossentropy', optimizer: 'adam', metrics: ['accuracy'] });
    batchSize = wide ? 256 : 128;
    return { fn: () => model.fit(x, y, { epochs, batchSize, verbose: 0 }), work: n, unit: 'samples/s' };
  }
  function predictCase(batch) {
    const model = mlp([128, 10], 784, ['relu', 'softmax']);
    const d = mnist(batch);
    const x = sn.tensor(d.x, [d.n, 784]);
    return { fn: () => model.predict(x, { batchSize: batch }).dataSync(), work: batch, unit: 'samples/s' };
  }
  function make(name) {
    let m;
    if (name === 'gemm-512') return gemmCase(512, 512, 512);
    if (name === 'gemm-1024') return gemmCase(1024, 1024, 1024);
    if ((m = /^gemm-(\d+)x(\d+)x(\d+)(t[ab])?$/.exec(name))) return gemmCase(+m[1], +m[2], +m[3], m[4] === 'ta', m[4] === 'tb');
    if ((m = /^adam-(\d+)$/.exec(name))) return adamCase(+m[1]);
    if ((m = /^relu-(\d+)$/.exec(name))) return reluCase(+m[1]);
    if ((m = /^mse-(\d+)$/.exec(name))) return mseCase(+m[1]);
    if (name === 'train-mnist-mlp') return trainCase('mnist');
    if (name === 'train-wide-mlp') return trainCase('wide');
    if (name === 'train-seed') return trainCase('seed');
    if (name === 'predict-b1000') return predictCase(1000);
    throw new Error(`unknown case ${name}`);
  }
  const cases = new Map();
  process.on('message', async (msg) => {
    if (msg.cmd === 'exit') { await sn.shutdown(); process.exit(0); }
    try {
      let c = cases.get(msg.name);
      if (c === undefined) {
        c = make(msg.name);
        cases.set(msg.name, c);
        for (let i = 0; i < 3; i++) await c.fn(); // warm up (and start the workers)
        const t0 = performance.now();
        while (threads > 1 && be.readyWorkers?.() < threads - 1 && performance.now() - t0 < 10000) {
          await new Promise((r) => setTimeout(r, 10));
        }
        await c.fn();
      }
      const times = [];
      const start = performance.now();
      do {
        const t = performance.now();
        await c.fn();
        times.push(performance.now() - t);
      } while (performance.now() - start < msg.budget || times.length < 3);
      const ms = median(times);
      process.send({ ms, rate: c.work / ms * 1e3, unit: c.unit, iters: times.length });
    } catch (e) {
      process.send({ error: String(e && e.stack || e) });
    }
  });
  process.send({ ready: true, info, threads: sn.backendInfo().threads });
}

// ------------------------------------------------------------------ parent
async function parent(argv) {
  const o = { dist: resolve(ROOT, 'dist'), rounds: 7, cases: null, threads: [1, 2], budget: 400, tune: [], quiet: 0 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i], v = () => argv[++i];
    if (a === '--dist') o.dist = resolve(v());
    else if (a === '--rounds') o.rounds = Number(v());
    else if (a === '--cases') o.cases = v().split(',');
    else if (a === '--threads') o.threads = v().split(',').map(Number);
    else if (a === '--budget') o.budget = Number(v());
    else if (a === '--tune') o.tune = v().split('/'); // per child: JSON for tune() and the pool, '' for none
    else if (a === '--quiet') o.quiet = Number(v()); // wait before each round until this fraction of the CPU is idle
    else throw new Error(`unknown option ${a}`);
  }
  o.cases ??= ['gemm-512', 'gemm-1024', 'train-mnist-mlp', 'train-wide-mlp', 'train-seed', 'predict-b1000'];
  const kids = await Promise.all(o.threads.map((t, i) => new Promise((res, rej) => {
    const env = { ...process.env, SIMDNET_THREADS: String(t) };
    if (o.tune[i]) env.BENCH_TUNE = o.tune[i];
    const c = fork(fileURLToPath(import.meta.url), ['--child', o.dist, String(t)], { env, execArgv: ['--expose-gc'] });
    c.once('message', (m) => (m.ready ? res({ c, t, info: m }) : rej(new Error(JSON.stringify(m)))));
    c.once('error', rej);
  })));
  const ask = (k, msg) => new Promise((res) => { k.c.once('message', res); k.c.send(msg); });
  console.log(`node ${process.version}, ${os.cpus().length} cpus, variant ${kids[0].info.info.variant}; ` +
    `threads per child: ${kids.map((k) => k.info.threads).join(', ')}`);
  const summary = [];
  for (const name of o.cases) {
    const res = kids.map(() => []);
    const loads = [];
    for (let r = 0; r < o.rounds; r++) {
      // Alternate who goes first, so neither always follows the other.
      const order = r % 2 ? [...kids.keys()].reverse() : [...kids.keys()];
      for (const i of order) {
        if (o.quiet > 0) loads.push(await waitQuiet(o.quiet));
        const m = await ask(kids[i], { name, budget: o.budget });
        if (m.error) throw new Error(`${name} (${kids[i].t} threads): ${m.error}`);
        res[i].push(m);
      }
    }
    const med = res.map((a) => median(a.map((m) => m.ms)));
    const line = kids.map((k, i) => `${k.t}t${o.tune[i] ? o.tune[i] : ''} ${med[i].toFixed(3)} ms [${Math.min(...res[i].map((m) => m.ms)).toFixed(3)}–` +
      `${Math.max(...res[i].map((m) => m.ms)).toFixed(3)}]`).join('  ');
    const ratio = kids.length > 1 ? (med[0] / med[1]).toFixed(2) : '-';
    const idle = loads.length ? `  (idle before rounds: median ${(median(loads) * 100).toFixed(0)}%)` : '';
    console.log(`${name.padEnd(18)} ${line}  speedup ${ratio}×${idle}`);
    summary.push({ name, med, ratio });
  }
  for (const k of kids) k.c.send({ cmd: 'exit' });
}

if (process.argv[2] === '--child') await child(process.argv[3], Number(process.argv[4]));
else await parent(process.argv.slice(2));
