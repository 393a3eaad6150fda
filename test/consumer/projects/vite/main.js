// A browser application bundled by Vite: `import` the package (the bundler
// takes the ES-module build), train, predict, save to and load from memory.
import * as sn from 'simdnet';
import { sequential, layers } from 'simdnet';
// The TF.js door (issue 18), bundled beside it: one instance of simdnet.
import * as tf from 'simdnet/tfjs';

async function main() {
  sn.setSeed(7);
  const xs = [], ys = [];
  for (let i = 0; i < 8; i++) for (let j = 0; j < 8; j++) {
    xs.push([i / 7, j / 7]);
    ys.push([i + j > 7 ? 1 : 0]);
  }
  const model = sequential([
    layers.dense({ units: 8, inputDim: 2, activation: 'relu' }),
    layers.dense({ units: 1, activation: 'sigmoid' }),
  ]);
  model.compile({ optimizer: sn.optimizers.adam({ learningRate: 0.05 }), loss: 'binary_crossentropy', metrics: ['accuracy'] });
  const history = await model.fit(xs, ys, { epochs: 120, batchSize: 16, verbose: 0 });
  const logs = model.evaluate(xs, ys);
  const probe = sn.tensor([[0.95, 0.9], [0.05, 0.1]]);
  const pred = model.predict(probe);
  let artifacts;
  await model.save(sn.io.withSaveHandler((a) => { artifacts = a; }));
  const loaded = await sn.loadModel(sn.io.fromMemory(artifacts));
  const again = loaded.predict(probe);
  const tfModel = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [2], activation: 'softmax' })] });
  tfModel.compile({ optimizer: tf.train.adam(0.1), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const oneHot = tf.oneHot(tf.tensor1d(ys.map((y) => y[0]), 'int32'), 2);
  const tfHistory = await tfModel.fit(tf.tensor2d(xs), oneHot, { epochs: 30, verbose: 0, callbacks: { onEpochEnd: () => {} } });
  const tfEval = tfModel.evaluate(tf.tensor2d(xs), oneHot);
  return {
    tfjs: {
      keys: Object.keys(tfHistory.history),
      acc: tfEval[1].dataSync()[0],
      argMax: Array.from(tf.tensor2d([[1, 3], [4, 2]]).argMax(-1).dataSync()),
      predictIsTfTensor: pred instanceof tf.Tensor,
      backend: tf.getBackend(),
    },
    backend: sn.backendInfo(),
    lossFirst: history.history.loss[0],
    lossLast: history.history.loss.at(-1),
    accuracy: logs.accuracy,
    pred: Array.from(pred.dataSync()),
    loadedSame: Array.from(again.dataSync()).every((v, i) => v === pred.dataSync()[i]),
  };
}

main().then(
  (r) => { window.__result = r; document.getElementById('out').textContent = JSON.stringify(r); },
  (e) => { window.__result = { error: String(e && e.stack || e) }; document.getElementById('out').textContent = String(e); },
);
