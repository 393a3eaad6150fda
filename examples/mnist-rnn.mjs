// A recurrent network on real images (`npm run mnist-rnn`): the classic
// sequential-MNIST example — an LSTM reads each 28×28 digit as 28 steps of 28
// pixels (one row per step) and a dense softmax layer reads its last state —
// trained with Adam on the MNIST test set shipped in examples/data/mnist
// (10,000 handwritten digits, examples/data/PROVENANCE.md), split 8,000 for
// training and 2,000 held out, then saved (TF.js layers format).
//
// SIMDNET_RNN_EPOCHS caps the epochs; SIMDNET_RNN_OUT changes where the model
// is written (default: examples/output/mnist-rnn).
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import * as sn from '../dist/index.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const epochs = Number(process.env.SIMDNET_RNN_EPOCHS ?? 12);
const outDir = process.env.SIMDNET_RNN_OUT ?? join(here, 'output', 'mnist-rnn');

// ---- data: IDX files, pixels scaled to [0, 1], a fixed 8,000 / 2,000 split (the file's order is already mixed)
const img = gunzipSync(readFileSync(join(here, 'data', 'mnist', 't10k-images-idx3-ubyte.gz')));
const lab = gunzipSync(readFileSync(join(here, 'data', 'mnist', 't10k-labels-idx1-ubyte.gz')));
if (img.readInt32BE(0) !== 2051 || lab.readInt32BE(0) !== 2049)
  throw new Error('examples/data/mnist: not MNIST IDX files');
const n = img.readInt32BE(4);
const pixels = new Float32Array(n * 784);
for (let i = 0; i < pixels.length; i++) pixels[i] = img[16 + i] / 255;
const labels = new Float32Array(n);
for (let i = 0; i < n; i++) labels[i] = lab[8 + i];
const nTrain = 8000;
// [samples, 28 steps, 28 pixels]: each image's rows, top to bottom.
const xTrain = new sn.Tensor(pixels.subarray(0, nTrain * 784), [nTrain, 28, 28]);
const yTrain = new sn.Tensor(labels.subarray(0, nTrain), [nTrain, 1]);
const xTest = new sn.Tensor(pixels.subarray(nTrain * 784), [n - nTrain, 28, 28]);
const yTest = new sn.Tensor(labels.subarray(nTrain), [n - nTrain, 1]);

// ---- the model
sn.setSeed(7);
const model = sn.sequential([
  sn.layers.input({ shape: [28, 28] }),
  sn.layers.lstm({ units: 128 }),
  sn.layers.dense({ units: 10, activation: 'softmax' }),
]);
model.compile({
  optimizer: sn.optimizers.adam({ learningRate: 0.002 }),
  loss: 'sparse_categorical_crossentropy',
  metrics: ['accuracy'],
});
model.summary();
console.log(
  `MNIST as sequences: ${nTrain} training images, ${n - nTrain} held out; backend ${JSON.stringify(sn.backendInfo())}`,
);

// ---- train, with the held-out images as validation; keep the best epoch
const t0 = performance.now();
const history = await model.fit(xTrain, yTrain, {
  epochs,
  batchSize: 64,
  seed: 1,
  validationData: [xTest, yTest],
  callbacks: [sn.callbacks.earlyStopping({ monitor: 'val_accuracy', patience: 3, restoreBestWeights: true })],
});
const seconds = (performance.now() - t0) / 1000;
const epochsRun = history.epoch.length;
const { accuracy, loss } = model.evaluate(xTest, yTest, { batchSize: 500 });
console.log(
  `\nTrained ${epochsRun} epochs in ${seconds.toFixed(1)} s (${((nTrain * epochsRun) / seconds).toFixed(0)} samples/s).`,
);
console.log(`Held-out accuracy: ${(accuracy * 100).toFixed(2)}%  (loss ${loss.toFixed(4)}, ${n - nTrain} images)`);
await model.save(outDir);
console.log(`Model saved to ${outDir} (model.json + weights.bin, loadable by sn.loadModel and tf.loadLayersModel).`);
await sn.shutdown();
