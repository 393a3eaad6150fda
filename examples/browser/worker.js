// The demo's training worker: loads the data, trains a classifier with
// simdnet and answers predictions, all off the page's main thread (the page
// stays responsive however long an epoch takes). Two models:
//   'mlp': the UCI digits (8×8, values 0..16), 64 → hidden (1 to 16 layers, ReLU or sigmoid) → 10 softmax;
//   'cnn': MNIST (28×28, values 0..1; the 10,000 shipped images split 8,000 / 2,000),
//          the TF.js tutorial's CNN: conv 8@5×5 relu → max pool 2 → conv 16@5×5 relu
//          → max pool 2 → dense 10 softmax.
//
// Messages in:  { type: 'train', kind, epochs, hidden, learningRate, activation, depth }
//               { type: 'predict', id, pixels }   (the current model's input: 64 values 0..16, or 784 values 0..1)
//               { type: 'save' } | { type: 'load', kind }  (IndexedDB)
// Messages out: ready, epoch, progress, done, prediction, saved, loaded, error.
import * as sn from '/dist/index.js';

const MODEL_URLS = { mlp: 'indexeddb://simdnet-digits-demo', cnn: 'indexeddb://simdnet-mnist-cnn-demo' };

let data = null;   // the digits: { xTrain, yTrain, xTest, yTest }
let mnist = null;  // MNIST as tensors: { xTrain, yTrain, xTest, yTest }
let model = null;
let kind = 'mlp';  // the current model's kind
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

/** A gzipped file, decompressed by the browser's own DecompressionStream. */
async function gunzip(url) {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`Could not fetch ${url}: HTTP ${res.status}`);
  return new Uint8Array(await new Response(res.body.pipeThrough(new DecompressionStream('gzip'))).arrayBuffer());
}

/** The shipped MNIST test set (IDX files), pixels scaled to 0..1: the first 8,000 to train on, the last 2,000 to test. */
async function loadMnist() {
  const [img, lab] = await Promise.all([
    gunzip(new URL('../data/mnist/t10k-images-idx3-ubyte.gz', import.meta.url)),
    gunzip(new URL('../data/mnist/t10k-labels-idx1-ubyte.gz', import.meta.url)),
  ]);
  const n = 10000, nTrain = 8000, px = 784;
  const x = new Float32Array(n * px);
  for (let i = 0; i < n * px; i++) x[i] = img[16 + i] / 255;
  const y = Float32Array.from(lab.subarray(8, 8 + n));
  const t = (a, b) => ({
    x: sn.tensor(x.subarray(a * px, b * px), [b - a, 28, 28, 1]),
    y: sn.tensor(y.subarray(a, b), [b - a, 1]),
  });
  const tr = t(0, nTrain), te = t(nTrain, n);
  return { xTrain: tr.x, yTrain: tr.y, xTest: te.x, yTest: te.y };
}

function buildCnn(learningRate) {
  sn.setSeed(12);
  const m = sn.sequential([
    sn.layers.conv2d({ filters: 8, kernelSize: 5, activation: 'relu', inputShape: [28, 28, 1] }),
    sn.layers.maxPooling2d({ poolSize: 2 }),
    sn.layers.conv2d({ filters: 16, kernelSize: 5, activation: 'relu' }),
    sn.layers.maxPooling2d({ poolSize: 2 }),
    sn.layers.flatten(),
    sn.layers.dense({ units: 10, activation: 'softmax' }),
  ]);
  m.compile({ loss: 'sparse_categorical_crossentropy', optimizer: sn.optimizers.adam({ learningRate }), metrics: ['accuracy'] });
  return m;
}

function buildModel(hidden, learningRate, activation = 'relu', depth = 1) {
  sn.setSeed(12);
  const m = sn.sequential([
    ...Array.from({ length: depth }, (_, i) =>
      sn.layers.dense({ units: hidden, ...(i === 0 ? { inputDim: 64 } : {}), activation })),
    sn.layers.dense({ units: 10, activation: 'softmax' }),
  ]);
  m.compile({ loss: 'sparse_categorical_crossentropy', optimizer: sn.optimizers.adam({ learningRate }), metrics: ['accuracy'] });
  return m;
}

async function train({ kind: k = 'mlp', epochs = 30, hidden = 64, learningRate = 0.003, activation = 'relu', depth = 1 }) {
  if (training) return;
  training = true;
  try {
    model?.release();
    model = null;
    kind = k;
    if (kind === 'cnn' && !mnist) {
      post({ type: 'status', text: 'Loading MNIST (10,000 images)…' });
      mnist = await loadMnist();
    }
    const d = kind === 'cnn' ? mnist : data;
    const nTrain = d.xTrain.shape?.[0] ?? d.xTrain.length;
    model = kind === 'cnn' ? buildCnn(learningRate) : buildModel(hidden, learningRate, activation, depth);
    const t0 = performance.now();
    let lastProgress = 0;
    await model.fit(d.xTrain, d.yTrain, {
      epochs, batchSize: 32, verbose: 0, seed: 2,
      validationData: [d.xTest, d.yTest],
      callbacks: [{
        onBatchEnd: (batch, logs) => {
          const now = performance.now();
          if (now - lastProgress > 50) { lastProgress = now; post({ type: 'progress', batch, loss: logs.loss, accuracy: logs.accuracy }); }
        },
        onEpochEnd: (epoch, logs) => post({ type: 'epoch', epoch, epochs, logs: { ...logs }, ms: performance.now() - t0 }),
      },
      // Per-layer gradient norms and dead units, every epoch, to the page (issue 19).
      sn.callbacks.diagnostics({ warn: false, onReport: (report) => post({ type: 'diagnostics', report }) })],
    });
    const ms = performance.now() - t0;
    post({ type: 'done', kind, ms, samplesPerSecond: (epochs * nTrain) / (ms / 1000), params: model.countParams?.() });
  } finally {
    training = false;
  }
  if (pendingPredict) { const p = pendingPredict; pendingPredict = null; predict(p); }
}

function predict({ id, kind: k, pixels }) {
  if (!model) return;
  if (training) { pendingPredict = { id, kind: k, pixels }; return; }
  if (k !== undefined && k !== kind) return; // drawn for the other model
  const x = kind === 'cnn' ? sn.tensor(Float32Array.from(pixels), [1, 28, 28, 1]) : [pixels.map((v) => v / 16)];
  const probs = Array.from(model.predict(x).dataSync());
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
      const r = await model.save(MODEL_URLS[kind], { includeOptimizer: true });
      post({ type: 'saved', url: MODEL_URLS[kind], bytes: r.modelArtifactsInfo.weightDataBytes });
    } else if (msg.type === 'load') {
      if (training) throw new Error('Wait for training to finish.');
      const k = msg.kind ?? 'mlp';
      const loaded = await sn.loadModel(MODEL_URLS[k]);
      if (k === 'cnn' && !mnist) mnist = await loadMnist();
      model?.release();
      model = loaded;
      kind = k;
      const d = k === 'cnn' ? mnist : data;
      const { accuracy } = model.evaluate(d.xTest, d.yTest);
      post({ type: 'loaded', kind, url: MODEL_URLS[k], accuracy });
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
