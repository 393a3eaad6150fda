// Soak: many training steps on a small model; the kernel memory and the JS heap
// must stay flat after warm-up. `npm run soak` runs 100,000 steps and prints
// memory over time; `node --expose-gc bench/soak.mjs --steps N --json` is what
// the test suite runs (fewer steps, same code).
import * as sn from '../dist/index.js';

const args = process.argv.slice(2);
const steps = Number(args[args.indexOf('--steps') + 1] ?? 0) || 100_000;
const json = args.includes('--json');
const gc = globalThis.gc ?? (() => {});
const batch = 32,
  reportEvery = Math.max(1, Math.floor(steps / 20));

sn.setSeed(1);
const model = sn.sequential([
  sn.layers.dense({ units: 32, inputDim: 16, activation: 'relu' }),
  sn.layers.dropout({ rate: 0.1 }),
  sn.layers.batchNormalization(),
  sn.layers.dense({ units: 4, activation: 'softmax' }),
]);
model.compile({
  loss: 'sparse_categorical_crossentropy',
  optimizer: sn.optimizers.adam({ globalClipnorm: 5 }),
  metrics: ['accuracy'],
});
const n = batch * 50;
const x = new Float32Array(n * 16).map((_, i) => Math.sin(i * 0.37));
const y = new Float32Array(n).map((_, i) => Math.floor(x[i * 16] * 4 + 4) % 4);
const epochs = Math.ceil(steps / 50);
const samples = [];
let done = 0;
const t0 = performance.now();
const probe = {
  onBatchEnd() {
    done++;
    if (done % reportEvery === 0 || done === 1) {
      gc();
      const s = {
        step: done,
        heapUsedMiB: +(process.memoryUsage().heapUsed / 2 ** 20).toFixed(3),
        kernelMiB: +(sn.getBackend().heap.byteLength / 2 ** 20).toFixed(3),
        kernelLiveBlocks: sn.getBackend().heap.liveCount,
        seconds: +((performance.now() - t0) / 1000).toFixed(1),
      };
      samples.push(s);
      if (!json)
        console.log(
          `step ${String(s.step).padStart(7)}  JS heap ${s.heapUsedMiB.toFixed(2)} MiB  kernel memory ${s.kernelMiB.toFixed(2)} MiB (${s.kernelLiveBlocks} blocks)  ${s.seconds}s`,
        );
    }
    if (done >= steps) model.stopTraining = true;
  },
};
await model.fit(
  { data: x, shape: [n, 16] },
  { data: y, shape: [n] },
  { epochs, batchSize: batch, verbose: 0, callbacks: [probe], yieldEvery: 1000 },
);
const warm = samples[Math.min(2, samples.length - 1)],
  last = samples[samples.length - 1];
const result = {
  steps: done,
  samples,
  heapGrowthMiB: +(last.heapUsedMiB - warm.heapUsedMiB).toFixed(3),
  kernelGrowthMiB: last.kernelMiB - warm.kernelMiB,
  liveBlockGrowth: last.kernelLiveBlocks - warm.kernelLiveBlocks,
};
if (json) console.log(JSON.stringify(result));
else
  console.log(
    `\n${done} steps: JS heap grew ${result.heapGrowthMiB} MiB after warm-up, kernel memory ${result.kernelGrowthMiB} MiB, live blocks ${result.liveBlockGrowth}.`,
  );
