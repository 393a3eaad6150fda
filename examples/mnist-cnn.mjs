// A convolutional network on real images (`npm run mnist-cnn`): Keras's
// `mnist_convnet` example — conv 32@3×3 relu → max pool 2 → conv 64@3×3 relu
// → max pool 2 → flatten → dropout 0.5 → dense 10 softmax — trained with Adam
// on the MNIST test set shipped in examples/data/mnist (10,000 handwritten
// digits, examples/data/PROVENANCE.md), split 8,000 for training and 2,000
// held out, for up to 10 epochs, then saved (TF.js layers format).
//
// SIMDNET_CNN_EPOCHS caps the epochs; SIMDNET_CNN_OUT changes where the model
// is written (default: examples/output/mnist-cnn).
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import * as sn from '../dist/index.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const epochs = Number(process.env.SIMDNET_CNN_EPOCHS ?? 10);
const outDir = process.env.SIMDNET_CNN_OUT ?? join(here, 'output', 'mnist-cnn');

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
const xTrain = new sn.Tensor(pixels.subarray(0, nTrain * 784), [nTrain, 28, 28, 1]);
const yTrain = new sn.Tensor(labels.subarray(0, nTrain), [nTrain, 1]);
const xTest = new sn.Tensor(pixels.subarray(nTrain * 784), [n - nTrain, 28, 28, 1]);
const yTest = new sn.Tensor(labels.subarray(nTrain), [n - nTrain, 1]);

// ---- the model
sn.setSeed(7);
const model = sn.sequential([
  sn.layers.input({ shape: [28, 28, 1] }),
  sn.layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu' }),
  sn.layers.maxPooling2d({ poolSize: 2 }),
  sn.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu' }),
  sn.layers.maxPooling2d({ poolSize: 2 }),
  sn.layers.flatten(),
  sn.layers.dropout({ rate: 0.5 }),
  sn.layers.dense({ units: 10, activation: 'softmax' }),
]);
model.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy', metrics: ['accuracy'] });
model.summary();
console.log(`MNIST: ${nTrain} training images, ${n - nTrain} held out; backend ${JSON.stringify(sn.backendInfo())}`);

// ---- train, with the held-out images as validation, and stop at 98%+ once reached twice
const t0 = performance.now();
const history = await model.fit(xTrain, yTrain, {
  epochs,
  batchSize: 128,
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
