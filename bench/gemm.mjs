// GEMM throughput of the wasm backend (and the js backend where it exists),
// on the built dist/ (run `npm run build` first).
//
//   node bench/gemm.mjs                     # the best variant for this Node
//   (relaxed SIMD on Node 20 too: the loader turns V8's flag on)
//   SIMDNET_WASM_VARIANT=simd node bench/gemm.mjs          # force a variant
//   node bench/gemm.mjs --no-js             # skip the (slow) js backend
//
// Prints GFLOP/s (2·M·N·K / time) as the median and the min–max over the
// samples. The machine this was tuned on is noisy (±50% run to run): compare
// medians within one run.
import { Bench } from 'tinybench';

const dist = new URL('../dist/', import.meta.url);
const { loadWasmModule } = await import(new URL('runtime/loader.js', dist).href);
const { createWasmBackend } = await import(new URL('backend/wasm.js', dist).href);
let createJsBackend = null;
try {
  ({ createJsBackend } = await import(new URL('backend/js.js', dist).href));
} catch {
  console.log('(js backend not built: dist/backend/js.js is missing; skipping it)');
}
if (process.argv.includes('--no-js')) createJsBackend = null;

const loaded = await loadWasmModule();
if (loaded.module === null) {
  console.log(`wasm backend unavailable: ${loaded.reason}`);
  process.exit(1);
}
const wasm = createWasmBackend(loaded.module, loaded.variant);
const js = createJsBackend ? createJsBackend() : null;
console.log(`wasm variant: ${loaded.variant}; Node ${process.version}`);

/** [label, transA, transB, M, N, K, run the js backend too?] */
const cases = [];
for (const n of [64, 128, 256, 512, 1024]) cases.push([`${n}³ NN`, false, false, n, n, n, n <= 256]);
cases.push(['512³ TN', true, false, 512, 512, 512, false]);
cases.push(['512³ NT', false, true, 512, 512, 512, false]);
cases.push(['512³ TT', true, true, 512, 512, 512, false]);
cases.push(['[128×784]·[784×128] NN', false, false, 128, 128, 784, true]);
cases.push(['[784×128]ᵀ·[128×128] TN', true, false, 784, 128, 128, true]);
cases.push(['[128×128]·[784×128]ᵀ NT', false, true, 128, 784, 128, true]);
cases.push(['[128×128]·[128×10] NN', false, false, 128, 10, 128, true]);
cases.push(['[128×128]ᵀ·[128×10] TN', true, false, 128, 10, 128, true]);
cases.push(['[128×10]·[128×10]ᵀ NT', false, true, 128, 128, 10, true]);
cases.push(['[1×784]·[784×128] NN', false, false, 1, 128, 784, true]);
cases.push(['[8×784]·[784×128] NN', false, false, 8, 128, 784, true]);

function setup(backend, tA, tB, M, N, K) {
  const h = backend.heap;
  const A = h.allocF32(M * K),
    B = h.allocF32(K * N),
    C = h.allocF32(M * N);
  const ws = backend.gemmWorkspaceBytes > 0 ? h.alloc(backend.gemmWorkspaceBytes) : 0;
  h.refresh();
  for (let i = 0; i < M * K; i++) h.f32[(A >> 2) + i] = Math.random() - 0.5;
  for (let i = 0; i < K * N; i++) h.f32[(B >> 2) + i] = Math.random() - 0.5;
  const lda = tA ? M : K,
    ldb = tB ? K : N;
  const run = () => backend.gemm(tA, tB, M, N, K, 1, A, lda, B, ldb, 0, C, N, ws);
  const free = () => {
    for (const p of [A, B, C, ws]) h.release(p);
  };
  return { run, free };
}

async function measure(backend, tA, tB, M, N, K) {
  const flops = 2 * M * N * K;
  const { run, free } = setup(backend, tA, tB, M, N, K);
  run();
  // Aim for ~0.4 s per case (longer for the slow js backend only through its own cost).
  const bench = new Bench({ time: 400, warmupTime: 100, iterations: 5, warmupIterations: 2 });
  bench.add('gemm', run);
  await bench.run();
  free();
  const lat = bench.tasks[0].result.latency; // ms
  const gf = (ms) => flops / (ms * 1e6);
  return { med: gf(lat.p50), lo: gf(lat.max), hi: gf(lat.min), us: lat.p50 * 1000 };
}

const fmt = (r) =>
  `${r.med.toFixed(2).padStart(6)} (${r.lo.toFixed(1)}–${r.hi.toFixed(1)}) ${r.us < 1000 ? r.us.toFixed(1) + ' µs' : (r.us / 1000).toFixed(2) + ' ms'}`;
console.log(`${'shape'.padEnd(28)} ${'wasm GFLOP/s median (min–max) time'.padEnd(40)} js GFLOP/s`);
const results = {};
for (const [label, tA, tB, M, N, K, withJs] of cases) {
  const w = await measure(wasm, tA, tB, M, N, K);
  results[label] = w;
  let jsText = '';
  if (js && withJs) jsText = fmt(await measure(js, tA, tB, M, N, K));
  console.log(`${label.padEnd(28)} ${fmt(w).padEnd(40)} ${jsText}`);
}
const nn = results['512³ NN'].med;
console.log(
  `transposed forms at 512³ relative to NN: TN ${(results['512³ TN'].med / nn).toFixed(2)}, ` +
    `NT ${(results['512³ NT'].med / nn).toFixed(2)}, TT ${(results['512³ TT'].med / nn).toFixed(2)}`,
);
