// A Node ES-module user: `import` the package, train, evaluate, predict, save, load.
import * as sn from 'simdnet';
import { sequential, layers, Tensor } from 'simdnet'; // named imports, as well as the namespace
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

sn.setSeed(7);
// Is a point of the unit square above the diagonal x0 + x1 = 1?
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

const dir = join(mkdtempSync(join(tmpdir(), 'simdnet-esm-model-')), 'model');
await model.save(dir);
const loaded = await sn.loadModel(dir);
const again = loaded.predict(probe);

console.log(JSON.stringify({
  resolved: import.meta.resolve('simdnet'),
  backend: sn.backendInfo(),
  lossFirst: history.history.loss[0],
  lossLast: history.history.loss.at(-1),
  accuracy: logs.accuracy,
  pred: Array.from(pred.dataSync()),
  predShape: pred.shape,
  isTensor: pred instanceof Tensor && pred instanceof sn.Tensor,
  saved: readdirSync(dir).sort(),
  loadedSame: Array.from(again.dataSync()).every((v, i) => v === pred.dataSync()[i]),
}));
