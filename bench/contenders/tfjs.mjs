// TensorFlow.js 4.22 peers: `tfjs-cpu` (@tensorflow/tfjs-backend-cpu) and `tfjs-wasm`
// (@tensorflow/tfjs-backend-wasm), each in its own process, with @tensorflow/tfjs-layers.
// Used as their docs recommend: tf.matMul(a, b, transposeA, transposeB); tf.sequential +
// compile + fit; predict(x, { batchSize }). Results are forced with dataSync(); every
// tensor made in a timed iteration is disposed.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { mnist, seedData, seriesData, textData, uniform } from '../data.mjs';
import { gemmDims } from '../suites/gemm.mjs';
import { loadProgram, programData } from '../programs.mjs';

const require = createRequire(import.meta.url);
let tf, tfl;

export async function init({ backend: which }) {
  tf = require('@tensorflow/tfjs-core');
  require('@tensorflow/tfjs-backend-cpu');
  tfl = require('@tensorflow/tfjs-layers');
  const info = { library: `@tensorflow/tfjs-core ${tf.version_core}`, backend: which };
  if (which === 'wasm') {
    const wasm = require('@tensorflow/tfjs-backend-wasm');
    // Node: the .wasm files are loaded from the package's installed dist/ folder.
    wasm.setWasmPaths(join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')), '/'));
    wasm.setThreadsCount(1);
    if (!(await tf.setBackend('wasm'))) throw new Error('tf.setBackend("wasm") failed');
    await tf.ready();
    info.simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    info.multithread = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
    info.threads = typeof wasm.getThreadsCount === 'function' ? wasm.getThreadsCount() : 1;
    info.binary = info.multithread ? 'threaded-simd' : info.simd ? 'simd' : 'plain';
  } else {
    if (!(await tf.setBackend('cpu'))) throw new Error('tf.setBackend("cpu") failed');
    await tf.ready();
  }
  info.active = tf.getBackend();
  if (info.active !== which) throw new Error(`tfjs backend is ${info.active}, wanted ${which}`);
  return info;
}

function mlp(units, inputDim, activations) {
  const layers = units.map((u, i) =>
    tfl.layers.dense({
      units: u,
      activation: activations[i],
      ...(i === 0 ? { inputShape: [inputDim] } : {}),
    }),
  );
  return tfl.sequential({ layers });
}

const MODELS = {
  seed: () => mlp([10, 8, 1], 8, ['relu', 'relu', 'sigmoid']),
  'mnist-mlp': () => mlp([128, 10], 784, ['relu', 'softmax']),
  'wide-mlp': () => mlp([512, 512, 10], 784, ['relu', 'relu', 'softmax']),
  'cnn-mnist': () =>
    tfl.sequential({
      layers: [
        tfl.layers.conv2d({ filters: 8, kernelSize: 5, activation: 'relu', inputShape: [28, 28, 1] }),
        tfl.layers.maxPooling2d({ poolSize: 2 }),
        tfl.layers.conv2d({ filters: 16, kernelSize: 5, activation: 'relu' }),
        tfl.layers.maxPooling2d({ poolSize: 2 }),
        tfl.layers.flatten(),
        tfl.layers.dense({ units: 10, activation: 'softmax' }),
      ],
    }),
  // Keras's defaults where TF.js's differ (the sigmoid gates, not TF.js's hard sigmoid), as simdnet's. The
  // recurrent kernels start glorot-uniform: TF.js's orthogonal initializer calls the chained-op API
  // (tensor.flatten), which tfjs-core alone, as loaded here, does not register; the timing does not depend on it.
  'lstm-text': () =>
    tfl.sequential({
      layers: [
        tfl.layers.embedding({ inputDim: 1000, outputDim: 32, inputLength: 50 }),
        tfl.layers.lstm({ units: 64, recurrentActivation: 'sigmoid', recurrentInitializer: 'glorotUniform' }),
        tfl.layers.dense({ units: 1, activation: 'sigmoid' }),
      ],
    }),
  'lstm-series': () =>
    tfl.sequential({
      layers: [
        tfl.layers.lstm({
          units: 20,
          recurrentActivation: 'sigmoid',
          recurrentInitializer: 'glorotUniform',
          inputShape: [12, 1],
        }),
        tfl.layers.dense({ units: 1 }),
      ],
    }),
};

export async function setup(spec) {
  if (spec.kind === 'tfjs-program') {
    if (tf.getBackend() !== 'cpu') return null;
    // The umbrella package a TF.js program imports (the same tfjs-core, with its chained ops registered).
    const run = await loadProgram(spec.program, require('@tensorflow/tfjs'));
    const data = programData(spec.program);
    return { fn: () => run(data) };
  }
  if (spec.kind === 'gemm') {
    const { transA, transB } = spec;
    const [m, k, n] = gemmDims(spec);
    const a = tf.tensor2d(uniform(m * k, 1), transA ? [k, m] : [m, k]);
    const b = tf.tensor2d(uniform(k * n, 2), transB ? [n, k] : [k, n]);
    const run = () => {
      const c = tf.matMul(a, b, transA, transB);
      const d = c.dataSync();
      c.dispose();
      return d;
    };
    const d = run();
    let s = 0;
    for (let i = 0; i < d.length; i++) s += d[i];
    return {
      fn: run,
      check: s,
      teardown: () => {
        a.dispose();
        b.dispose();
      },
    };
  }
  if (spec.kind === 'train') {
    const model = MODELS[spec.model]();
    let xs, ys;
    if (spec.model === 'seed') {
      const d = seedData(spec.samples);
      xs = tf.tensor2d(d.x, [d.n, 8]);
      ys = tf.tensor2d(d.y, [d.n, 1]);
      model.compile({ loss: 'meanSquaredError', optimizer: 'adam', metrics: ['accuracy'] });
    } else if (spec.model === 'lstm-text') {
      const d = textData(spec.samples);
      xs = tf.tensor2d(d.x, [d.n, d.len]);
      ys = tf.tensor2d(d.y, [d.n, 1]);
      model.compile({ loss: 'binaryCrossentropy', optimizer: 'adam', metrics: ['accuracy'] });
    } else if (spec.model === 'lstm-series') {
      const d = seriesData(spec.samples);
      xs = tf.tensor3d(d.x, [d.n, d.steps, 1]);
      ys = tf.tensor2d(d.y, [d.n, 1]);
      model.compile({ loss: 'meanSquaredError', optimizer: 'adam' });
    } else {
      const d = mnist(spec.samples);
      xs = spec.model === 'cnn-mnist' ? tf.tensor4d(d.x, [d.n, 28, 28, 1]) : tf.tensor2d(d.x, [d.n, 784]);
      ys = tf.tensor2d(d.y, [d.n, 10]);
      model.compile({ loss: 'categoricalCrossentropy', optimizer: 'adam', metrics: ['accuracy'] });
    }
    const fn = async () => {
      const h = await model.fit(xs, ys, { epochs: spec.epochs, batchSize: spec.batchSize, verbose: 0 });
      return h.history.loss[h.history.loss.length - 1];
    };
    return {
      fn,
      teardown: () => {
        model.dispose();
        xs.dispose();
        ys.dispose();
      },
    };
  }
  if (spec.kind === 'predict-mobilenet-v2') {
    const { mobileNetV2, mobileNetInput } = await import('../mobilenet-v2.mjs');
    const model = mobileNetV2(tfl, tf);
    const x = tf.tensor4d(mobileNetInput(spec.batch), [spec.batch, 224, 224, 3]);
    const fn = () => {
      const y = model.predict(x, { batchSize: spec.batch });
      const v = y.dataSync();
      y.dispose();
      return v;
    };
    return {
      fn,
      teardown: () => {
        model.dispose();
        x.dispose();
      },
    };
  }
  if (spec.kind === 'predict-lstm-step') {
    const model = tfl.sequential({
      layers: [
        tfl.layers.lstm({
          units: 20,
          stateful: true,
          batchInputShape: [1, 1, 1],
          recurrentActivation: 'sigmoid',
          recurrentInitializer: 'glorotUniform',
        }),
        tfl.layers.dense({ units: 1 }),
      ],
    });
    const x = tf.tensor3d([0.5], [1, 1, 1]);
    const fn = () => {
      const y = model.predict(x, { batchSize: 1 });
      const v = y.dataSync();
      y.dispose();
      return v;
    };
    return {
      fn,
      teardown: () => {
        model.dispose();
        x.dispose();
      },
    };
  }
  if (spec.kind === 'predict') {
    const model = MODELS['mnist-mlp']();
    const d = mnist(spec.batch);
    const x = tf.tensor2d(d.x, [d.n, 784]);
    const fn = () => {
      const y = model.predict(x, { batchSize: spec.batch });
      const v = y.dataSync();
      y.dispose();
      return v;
    };
    return {
      fn,
      teardown: () => {
        model.dispose();
        x.dispose();
      },
    };
  }
  return null;
}
