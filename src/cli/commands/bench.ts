/**
 * `simdnet bench`: the quick benchmark. In a checkout of the repository (with
 * its dev dependencies installed) that is the project's own benchmark,
 * `node bench/run.mjs --quick`, run as it is; anywhere else (an installed
 * package) a small built-in timing of GEMM and of training, on the wasm
 * backend and on pure JS.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as sn from '../../index.js';
import { packageRoot, packageVersion } from '../util.js';

export const benchHelp = `Usage: simdnet bench [--builtin] [OPTIONS FOR bench/run.mjs]

Run the quick benchmark. In a checkout of the simdnet repository this runs
node bench/run.mjs --quick (other options are passed to it; see
node bench/run.mjs --help). Elsewhere, or with --builtin, a small built-in
timing: a 256×256×256 matrix product and a few epochs of training on 768×8
rows, on the wasm backend and on pure JS.
`;

/** Whether the repository's benchmark is here and can run (its dev dependencies installed). */
function repoBench(): string | null {
  const root = packageRoot();
  const run = join(root, 'bench', 'run.mjs');
  return existsSync(run) && existsSync(join(root, 'node_modules', 'tinybench', 'package.json')) ? run : null;
}

export async function bench(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(benchHelp);
    return 0;
  }
  const builtin = args.includes('--builtin');
  const rest = args.filter((a) => a !== '--builtin');
  const run = builtin ? null : repoBench();
  if (run) {
    const argv = [run, ...(rest.includes('--quick') ? [] : ['--quick']), ...rest];
    process.stderr.write(`simdnet bench: node bench/run.mjs ${argv.slice(1).join(' ')}\n`);
    return new Promise<number>((resolve) => {
      const child = spawn(process.execPath, argv, { cwd: packageRoot(), stdio: 'inherit' });
      child.on('error', (e) => {
        process.stderr.write(`simdnet: error: cannot run the benchmark: ${e.message}\n`);
        resolve(1);
      });
      child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    });
  }
  if (rest.length > 0) process.stderr.write(`simdnet bench: built-in benchmark; ignoring ${rest.join(' ')}\n`);
  return builtinBench();
}

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

/** Time fn: warm up once, then `rounds` runs; the median in ms. */
async function time(fn: () => unknown, rounds: number): Promise<number> {
  await fn();
  const ts: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t = performance.now();
    await fn();
    ts.push(performance.now() - t);
  }
  return median(ts);
}

async function builtinBench(): Promise<number> {
  const info = sn.backendInfo();
  process.stdout.write(
    `simdnet ${packageVersion()} built-in benchmark (node ${process.versions.node}, ${process.platform}-${process.arch})\n`,
  );
  const backends: ('wasm' | 'js')[] = info.backend === 'wasm' ? ['wasm', 'js'] : ['js'];
  if (info.backend !== 'wasm' && info.reason) process.stdout.write(`wasm unavailable: ${info.reason}\n`);
  const N = 256;
  let seed = 12345;
  const rnd = () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed / 4294967296 - 0.5;
  };
  const a = sn.tensor(Float32Array.from({ length: N * N }, rnd), [N, N]);
  const b = sn.tensor(Float32Array.from({ length: N * N }, rnd), [N, N]);
  const rows = 768,
    F = 8;
  const x = { data: Float32Array.from({ length: rows * F }, rnd), shape: [rows, F] };
  const y = {
    data: Float32Array.from({ length: rows }, (_, i) => (x.data[i * F]! + x.data[i * F + 1]! > 0 ? 1 : 0)),
    shape: [rows, 1],
  };
  const results: Record<string, { gemm: number; epoch: number }> = {};
  const original = info.backend;
  try {
    for (const be of backends) {
      sn.setBackend(be);
      const gemm = await time(() => sn.matMul(a, b), 5);
      sn.setSeed(1);
      const model = sn.sequential([
        sn.layers.dense({ units: 10, inputDim: F, activation: 'relu' }),
        sn.layers.dense({ units: 8, activation: 'relu' }),
        sn.layers.dense({ units: 1, activation: 'sigmoid' }),
      ]);
      model.compile({ optimizer: 'adam', loss: 'binary_crossentropy', metrics: ['accuracy'] });
      const epoch = await time(() => model.fit(x, y, { epochs: 1, batchSize: 32, verbose: 0, seed: 1 }), 5);
      results[be] = { gemm, epoch };
      const gflops = (2 * N * N * N) / (gemm * 1e6);
      process.stdout.write(
        `${be.padEnd(5)} GEMM ${N}×${N}×${N}: ${gemm.toFixed(2)} ms (${gflops.toFixed(2)} GFLOP/s); train 768×8 → 10 → 8 → 1, batch 32: ${epoch.toFixed(1)} ms/epoch\n`,
      );
    }
  } finally {
    sn.setBackend(original);
  }
  if (results.wasm && results.js) {
    process.stdout.write(
      `wasm vs js: GEMM ${(results.js.gemm / results.wasm.gemm).toFixed(1)}× faster, training ${(results.js.epoch / results.wasm.epoch).toFixed(1)}× faster\n`,
    );
  }
  return 0;
}
