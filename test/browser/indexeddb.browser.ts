/**
 * Saving to and loading from IndexedDB in a real browser (src/io/browser.ts):
 * `model.save('indexeddb://name')` and `sn.loadModel('indexeddb://name')`.
 */
import { afterAll, expect, test } from 'vitest';
import * as sn from '../../src/index.js';
import { digits, expectBitEqual } from './helpers.js';

const NAME = 'simdnet-browser-test';
const d = digits();
const xs = d.xTrain.slice(0, 256),
  ys = d.yTrain.slice(0, 256).map((v) => [v]);
const probe = d.xTest.slice(0, 40);

function build(seed: number): sn.Sequential {
  sn.setSeed(seed);
  const m = sn.sequential([
    sn.layers.dense({ units: 32, inputDim: 64, activation: 'relu' }),
    sn.layers.dense({ units: 10, activation: 'softmax' }),
  ]);
  m.compile({
    loss: 'sparse_categorical_crossentropy',
    optimizer: sn.optimizers.adam({ learningRate: 0.005 }),
    metrics: ['accuracy'],
  });
  return m;
}

function deleteDatabase(): Promise<void> {
  return new Promise((resolve) => {
    const r = indexedDB.deleteDatabase('tensorflowjs');
    r.onsuccess = r.onerror = r.onblocked = () => resolve();
  });
}

afterAll(deleteDatabase);

test('save, load: same predictions bit for bit; with the optimizer, training resumes to the same bits', async () => {
  await deleteDatabase();
  const model = build(1);
  await model.fit(xs, ys, { epochs: 3, batchSize: 32, verbose: 0, seed: 5 });
  const result = await model.save(`indexeddb://${NAME}`, { includeOptimizer: true });
  // The weights, plus Adam's two slots per weight and its step count.
  expect(result.modelArtifactsInfo.weightDataBytes!).toBeGreaterThanOrEqual((64 * 32 + 32 + 32 * 10 + 10) * 4);

  const loaded = await sn.loadModel(`indexeddb://${NAME}`);
  expect(loaded.layers.length).toBe(2);
  expectBitEqual('predictions after load', loaded.predict(probe).dataSync(), model.predict(probe).dataSync());

  // The optimizer state came along: one more epoch on each gives the same weights.
  await model.fit(xs, ys, { epochs: 1, batchSize: 32, verbose: 0, seed: 9 });
  await loaded.fit(xs, ys, { epochs: 1, batchSize: 32, verbose: 0, seed: 9 });
  const a = model.getWeights(),
    b = loaded.getWeights();
  expect(b.length).toBe(a.length);
  a.forEach((w, i) => expectBitEqual(`weight ${i} after resumed training`, b[i]!.dataSync(), w.dataSync()));
  model.release();
  loaded.release();
});

test('saving under the same name replaces the model; a missing name is a clear error', async () => {
  const first = build(2),
    second = build(3);
  await first.save(`indexeddb://${NAME}-2`);
  await second.save(`indexeddb://${NAME}-2`);
  const loaded = await sn.loadModel(`indexeddb://${NAME}-2`);
  expectBitEqual('replaced model', loaded.predict(probe).dataSync(), second.predict(probe).dataSync());
  await expect(sn.loadModel(`indexeddb://${NAME}-does-not-exist`)).rejects.toThrow(/no model named/i);
  first.release();
  second.release();
  loaded.release();
});

test("the records are in TF.js's IndexedDB layout (database tensorflowjs, models_store)", async () => {
  const keys = await new Promise<IDBValidKey[]>((resolve, reject) => {
    const open = indexedDB.open('tensorflowjs');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      const req = db.transaction('models_store', 'readonly').objectStore('models_store').getAllKeys();
      req.onsuccess = () => {
        db.close();
        resolve(req.result);
      };
      req.onerror = () => {
        db.close();
        reject(req.error);
      };
    };
  });
  expect(keys).toEqual(expect.arrayContaining([NAME, `${NAME}-2`]));
});
