// simdnet, from the BUILT package (dist/index.js), as a user gets it.
//   backend 'wasm': the binary the library picks (relaxed SIMD on Node 20, where the
//                   library turns V8's flag on, and on Node 22+; SIMDNET_WASM_VARIANT=simd
//                   forces the plain-SIMD one);
//   backend 'js'  : sn.setBackend('js'), the pure-TypeScript kernels.
// GEMM calls the backend kernel directly on preallocated buffers in the kernel memory,
// as training does; `matMul: true` times the public sn.matMul op instead (tensors in
// ordinary JS memory, copied in and out on every call).
import { mnist, seedData, seriesData, textData, uniform } from '../data.mjs';
import { gemmDims } from '../suites/gemm.mjs';
import { loadProgram, programData } from '../programs.mjs';

const DIST = new URL('../../dist/index.js', import.meta.url);
let sn;

export async function init({ backend, expectVariant, threads }) {
  sn = await import(DIST.href);
  sn.setBackend(backend);
  if (threads !== undefined && typeof sn.setThreads === 'function') sn.setThreads(threads);
  const info = sn.backendInfo();
  if (info.backend !== backend) throw new Error(`simdnet backend is ${info.backend}, wanted ${backend}`);
  if (threads !== undefined && (info.threads ?? 1) !== threads) {
    throw new Error(
      `simdnet runs ${info.threads ?? 1} thread(s), wanted ${threads}` +
        `${info.threadsReason ? ` (${info.threadsReason})` : ''}`,
    );
  }
  if (expectVariant && info.variant !== expectVariant) {
    throw new Error(
      `simdnet picked the ${info.variant} kernels, expected ${expectVariant} (backendInfo: ${JSON.stringify(info)})`,
    );
  }
  return { library: 'simdnet (dist/index.js)', ...info };
}

function mlp(units, inputDim, activations) {
  return sn.sequential(
    units.map((u, i) =>
      sn.layers.dense({
        units: u,
        activation: activations[i],
        ...(i === 0 ? { inputDim } : {}),
      }),
    ),
  );
}

const MODELS = {
  seed: () => mlp([10, 8, 1], 8, ['relu', 'relu', 'sigmoid']),
  'mnist-mlp': () => mlp([128, 10], 784, ['relu', 'softmax']),
  'wide-mlp': () => mlp([512, 512, 10], 784, ['relu', 'relu', 'softmax']),
  'cnn-mnist': () =>
    sn.sequential([
      sn.layers.conv2d({ filters: 8, kernelSize: 5, activation: 'relu', inputShape: [28, 28, 1] }),
      sn.layers.maxPooling2d({ poolSize: 2 }),
      sn.layers.conv2d({ filters: 16, kernelSize: 5, activation: 'relu' }),
      sn.layers.maxPooling2d({ poolSize: 2 }),
      sn.layers.flatten(),
      sn.layers.dense({ units: 10, activation: 'softmax' }),
    ]),
  'lstm-text': () =>
    sn.sequential([
      sn.layers.embedding({ inputDim: 1000, outputDim: 32, inputLength: 50 }),
      sn.layers.lstm({ units: 64 }),
      sn.layers.dense({ units: 1, activation: 'sigmoid' }),
    ]),
  'lstm-series': () =>
    sn.sequential([sn.layers.input({ shape: [12, 1] }), sn.layers.lstm({ units: 20 }), sn.layers.dense({ units: 1 })]),
};

export async function setup(spec, opts) {
  if (spec.kind === 'tfjs-program') {
    if (sn.backendInfo().backend !== 'wasm') return null;
    const tf = await import(new URL('../../dist/tfjs/index.js', import.meta.url).href);
    const run = await loadProgram(spec.program, tf);
    const data = programData(spec.program);
    return { fn: () => run(data) };
  }
  if (spec.kind === 'gemm') {
    const { transA, transB } = spec;
    const [m, k, n] = gemmDims(spec);
    const A = uniform(m * k, 1),
      B = uniform(k * n, 2);
    if (opts.matMul) {
      const a = sn.tensor(A, transA ? [k, m] : [m, k]),
        b = sn.tensor(B, transB ? [n, k] : [k, n]);
      const run = () => sn.matMul(a, b, { transposeA: transA, transposeB: transB }).dataSync();
      const d = run();
      let s = 0;
      for (let i = 0; i < d.length; i++) s += d[i];
      return { fn: run, check: s };
    }
    const be = sn.getBackend();
    const heap = be.heap;
    const pa = heap.allocF32(m * k),
      pb = heap.allocF32(k * n),
      pc = heap.allocF32(m * n);
    const ws = heap.alloc(be.gemmWorkspaceBytes);
    heap.write(pa, A);
    heap.write(pb, B);
    // Leading dimensions of the stored (not the transposed) matrices.
    const lda = transA ? m : k,
      ldb = transB ? k : n;
    const run = () => be.gemm(transA, transB, m, n, k, 1, pa, lda, pb, ldb, 0, pc, n, ws);
    run();
    const d = heap.read(pc, m * n);
    let s = 0;
    for (let i = 0; i < d.length; i++) s += d[i];
    return {
      fn: run,
      check: s,
      teardown: () => {
        heap.release(ws);
        heap.release(pc);
        heap.release(pb);
        heap.release(pa);
      },
    };
  }
  if (spec.kind === 'train') {
    const model = MODELS[spec.model]();
    let x, y;
    if (spec.model === 'seed') {
      const d = seedData(spec.samples);
      x = sn.tensor(d.x, [d.n, 8]);
      y = sn.tensor(d.y, [d.n, 1]);
      model.compile({ loss: 'mean_squared_error', optimizer: 'adam', metrics: ['accuracy'] });
    } else if (spec.model === 'lstm-text') {
      const d = textData(spec.samples);
      x = sn.tensor(d.x, [d.n, d.len]);
      y = sn.tensor(d.y, [d.n, 1]);
      model.compile({ loss: 'binary_crossentropy', optimizer: 'adam', metrics: ['accuracy'] });
    } else if (spec.model === 'lstm-series') {
      const d = seriesData(spec.samples);
      x = sn.tensor(d.x, [d.n, d.steps, 1]);
      y = sn.tensor(d.y, [d.n, 1]);
      model.compile({ loss: 'mean_squared_error', optimizer: 'adam' });
    } else {
      const d = mnist(spec.samples);
      x = sn.tensor(d.x, spec.model === 'cnn-mnist' ? [d.n, 28, 28, 1] : [d.n, 784]);
      y = sn.tensor(d.y, [d.n, 10]);
      model.compile({ loss: 'categorical_crossentropy', optimizer: 'adam', metrics: ['accuracy'] });
    }
    const fn = async () => {
      const callbacks = spec.diagnostics ? [sn.callbacks.diagnostics({ warn: false })] : [];
      const h = await model.fit(x, y, { epochs: spec.epochs, batchSize: spec.batchSize, verbose: 0, callbacks });
      return h.history.loss[h.history.loss.length - 1];
    };
    return { fn };
  }
  if (spec.kind === 'train-dataset') {
    // fitDataset (issue 17). 'memory': the mnist-mlp case's data and model, each sample an element of
    // sn.data (zip of two array datasets, views of the rows), batched by the dataset. 'csv': a CSV written
    // to a temporary file once, streamed through sn.data.csv each call; rows/s.
    let model, ds;
    if (spec.source === 'memory') {
      const d = mnist(spec.samples);
      const xs = Array.from({ length: d.n }, (_, i) => d.x.subarray(i * 784, (i + 1) * 784));
      const ys = Array.from({ length: d.n }, (_, i) => d.y.subarray(i * 10, (i + 1) * 10));
      model = MODELS['mnist-mlp']();
      model.compile({ loss: 'categorical_crossentropy', optimizer: 'adam', metrics: ['accuracy'] });
      ds = sn.data.zip({ xs: sn.data.array(xs), ys: sn.data.array(ys) }).batch(spec.batchSize);
    } else {
      const { csvFile } = await import('../data.mjs');
      const file = csvFile(spec.samples, spec.features);
      model = mlp([32, 1], spec.features, ['relu', 'sigmoid']);
      model.compile({ loss: 'binary_crossentropy', optimizer: 'adam', metrics: ['accuracy'] });
      ds = sn.data
        .csv(file, { columnConfigs: { label: { isLabel: true } } })
        .map(({ xs, ys }) => ({ xs: Object.values(xs), ys: [ys.label] }))
        .batch(spec.batchSize)
        .prefetch(2);
    }
    const fn = async () => {
      const h = await model.fitDataset(ds, { epochs: 1, verbose: 0 });
      return h.history.loss[0];
    };
    return { fn };
  }
  if (spec.kind === 'predict-mobilenet-v2') {
    // Built in TF.js (its cpu backend only builds and saves it), loaded from the artifacts TF.js writes.
    const { createRequire } = await import('node:module');
    const require = createRequire(import.meta.url);
    const tf = require('@tensorflow/tfjs-core');
    require('@tensorflow/tfjs-backend-cpu');
    const tfl = require('@tensorflow/tfjs-layers');
    await tf.setBackend('cpu');
    const { mobileNetV2, mobileNetInput } = await import('../mobilenet-v2.mjs');
    const tm = mobileNetV2(tfl, tf);
    let artifacts;
    await tm.save(
      tf.io.withSaveHandler(async (a) => {
        artifacts = a;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    tm.dispose();
    const model = await sn.loadModel(sn.io.fromMemory(artifacts));
    const x = sn.tensor(mobileNetInput(spec.batch), [spec.batch, 224, 224, 3]);
    const fn = () => model.predict(x, { batchSize: spec.batch }).dataSync();
    return { fn };
  }
  if (spec.kind === 'predict-lstm-step') {
    const model = sn.sequential([
      sn.layers.input({ shape: [1, 1] }),
      sn.layers.lstm({ units: 20, stateful: true }),
      sn.layers.dense({ units: 1 }),
    ]);
    const x = sn.tensor(new Float32Array([0.5]), [1, 1, 1]);
    const fn = () => model.predict(x, { batchSize: 1 }).dataSync();
    return { fn };
  }
  if (spec.kind === 'predict') {
    const model = MODELS['mnist-mlp']();
    const d = mnist(spec.batch);
    const x = sn.tensor(d.x, [d.n, 784]);
    const fn = () => model.predict(x, { batchSize: spec.batch }).dataSync();
    return { fn };
  }
  return null;
}
