// A Node CommonJS user ("type" is not "module"): `require` the package. The
// kernels are ready as soon as require() returns; no await needed.
const sn = require('simdnet');
const { mkdtempSync, readdirSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const readyAtRequire = sn.backendInfo(); // throws if the kernels were not initialized

async function main() {
  await sn.ready(); // resolves at once (TF.js habit)
  sn.setSeed(7);
  const xs = [], ys = [];
  for (let i = 0; i < 8; i++) for (let j = 0; j < 8; j++) {
    xs.push([i / 7, j / 7]);
    ys.push([i + j > 7 ? 1 : 0]);
  }
  const model = sn.sequential([
    sn.layers.dense({ units: 8, inputDim: 2, activation: 'relu' }),
    sn.layers.dense({ units: 1, activation: 'sigmoid' }),
  ]);
  model.compile({ optimizer: sn.optimizers.adam({ learningRate: 0.05 }), loss: 'binary_crossentropy', metrics: ['accuracy'] });
  const history = await model.fit(xs, ys, { epochs: 120, batchSize: 16, verbose: 0 });
  const logs = model.evaluate(xs, ys);
  const probe = sn.tensor([[0.95, 0.9], [0.05, 0.1]]);
  const pred = model.predict(probe);

  const dir = join(mkdtempSync(join(tmpdir(), 'simdnet-cjs-model-')), 'model');
  await model.save(dir);
  const loaded = await sn.loadModel(dir);
  const again = loaded.predict(probe);

  // The same package through import() from CommonJS: the same instance.
  const ns = await import('simdnet');
  console.log(JSON.stringify({
    resolved: require.resolve('simdnet'),
    readyAtRequire,
    backend: sn.backendInfo(),
    lossFirst: history.history.loss[0],
    lossLast: history.history.loss.at(-1),
    accuracy: logs.accuracy,
    pred: Array.from(pred.dataSync()),
    predShape: pred.shape,
    isTensor: pred instanceof sn.Tensor,
    saved: readdirSync(dir).sort(),
    loadedSame: Array.from(again.dataSync()).every((v, i) => v === pred.dataSync()[i]),
    importSame: ns.Tensor === sn.Tensor && ns.default === sn && pred instanceof ns.Tensor,
  }));
}
main().catch((e) => { console.error(e); process.exit(1); });
