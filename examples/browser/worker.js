// The demo's training worker: loads the UCI digits, trains a classifier with
// simdnet and answers predictions, all off the page's main thread (the page
// stays responsive however long an epoch takes).
//
// Messages in:  { type: 'train', epochs, hidden, learningRate }
//               { type: 'predict', id, pixels }   (64 values, 0..16, like the data)
//               { type: 'save' } | { type: 'load' }  (IndexedDB)
// Messages out: ready, epoch, progress, done, prediction, saved, loaded, error.
import * as sn from '/dist/index.js';

const MODEL_URL = 'indexeddb://simdnet-digits-demo';

let data = null;   // { xTrain, yTrain, xTest, yTest }
let model = null;
let training = false;
let pendingPredict = null;

const post = (msg) => self.postMessage(msg);

/** A seeded shuffle so the train/test split is the same on every visit. */
function permutation(n, seed) {
  let a = seed >>> 0;
  const rnd = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const p = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) { const j = Math.floor(rnd() * (i + 1)); [p[i], p[j]] = [p[j], p[i]]; }
  return p;
}

async function loadData() {
  // Resolved against this module: works served from the repository and in the Vite build (which copies the file).
  const res = await fetch(new URL('../data/digits.csv', import.meta.url));
  if (!res.ok) throw new Error(`Could not fetch digits.csv: HTTP ${res.status}`);
  const rows = (await res.text()).trim().split(/\r?\n/).map((l) => l.split(',').map(Number));
  const p = permutation(rows.length, 7);
  const nTest = Math.round(rows.length * 0.2);
  const x = (ids) => ids.map((i) => rows[i].slice(0, 64).map((v) => v / 16));
  const y = (ids) => ids.map((i) => [rows[i][64]]);
  const te = p.slice(0, nTest), tr = p.slice(nTest);
  return { xTrain: x(tr), yTrain: y(tr), xTest: x(te), yTest: y(te) };
}

function buildModel(hidden, learningRate) {
  sn.setSeed(12);
  const m = sn.sequential([
    sn.layers.dense({ units: hidden, inputDim: 64, activation: 'relu' }),
    sn.layers.dense({ units: 10, activation: 'softmax' }),
  ]);
  m.compile({ loss: 'sparse_categorical_crossentropy', optimizer: sn.optimizers.adam({ learningRate }), metrics: ['accuracy'] });
  return m;
}

async function train({ epochs = 30, hidden = 64, learningRate = 0.003 }) {
  if (training) return;
  training = true;
  try {
    model?.release();
    model = buildModel(hidden, learningRate);
    const t0 = performance.now();
    let lastProgress = 0;
    await model.fit(data.xTrain, data.yTrain, {
      epochs, batchSize: 32, verbose: 0, seed: 2,
      validationData: [data.xTest, data.yTest],
      callbacks: [{
        onBatchEnd: (batch, logs) => {
          const now = performance.now();
          if (now - lastProgress > 50) { lastProgress = now; post({ type: 'progress', batch, loss: logs.loss, accuracy: logs.accuracy }); }
        },
        onEpochEnd: (epoch, logs) => post({ type: 'epoch', epoch, epochs, logs: { ...logs }, ms: performance.now() - t0 }),
      }],
    });
    const ms = performance.now() - t0;
    post({ type: 'done', ms, samplesPerSecond: (epochs * data.xTrain.length) / (ms / 1000), params: model.countParams?.() });
  } finally {
    training = false;
  }
  if (pendingPredict) { const p = pendingPredict; pendingPredict = null; predict(p); }
}

function predict({ id, pixels }) {
  if (!model) return;
  if (training) { pendingPredict = { id, pixels }; return; }
  const probs = Array.from(model.predict([pixels.map((v) => v / 16)]).dataSync());
  post({ type: 'prediction', id, probs });
}

self.onmessage = async (e) => {
  const msg = e.data;
  try {
    if (msg.type === 'train') await train(msg);
    else if (msg.type === 'predict') predict(msg);
    else if (msg.type === 'save') {
      if (!model) throw new Error('Train a model first.');
      // With the optimizer state: a loaded model can be trained further, not only used.
      const r = await model.save(MODEL_URL, { includeOptimizer: true });
      post({ type: 'saved', url: MODEL_URL, bytes: r.modelArtifactsInfo.weightDataBytes });
    } else if (msg.type === 'load') {
      if (training) throw new Error('Wait for training to finish.');
      const loaded = await sn.loadModel(MODEL_URL);
      model?.release();
      model = loaded;
      const { accuracy } = model.evaluate(data.xTest, data.yTest);
      post({ type: 'loaded', url: MODEL_URL, accuracy });
    }
  } catch (err) {
    post({ type: 'error', message: err?.message ?? String(err) });
  }
};

try {
  data = await loadData();
  post({
    type: 'ready', info: sn.backendInfo(), crossOriginIsolated: self.crossOriginIsolated === true,
    train: data.xTrain.length, test: data.xTest.length,
  });
} catch (err) {
  post({ type: 'error', message: `Could not start: ${err?.message ?? String(err)}` });
}
