// brain.js 1.6.1: the founding model (8 → 10 → 8 → 1) and, for train-lstm-series, its
// recurrent.LSTMTimeStep. Its algorithm differs from
// the others: per-sample SGD with momentum (its defaults: learningRate 0.3, momentum 0.1)
// and sigmoid activations throughout, so it is timed on the same data and epoch count but
// does not do the same arithmetic. Data as plain arrays of { input, output }, as its docs show.
import { createRequire } from 'node:module';
import { seedData, seriesData } from '../data.mjs';

const require = createRequire(import.meta.url);
let brain;

export async function init() {
  brain = require('brain.js');
  const version = require('brain.js/package.json').version;
  return { library: `brain.js ${version}`, algorithm: 'per-sample SGD + momentum, sigmoid' };
}

export async function setup(spec) {
  if (spec.kind === 'train' && spec.model === 'lstm-series') {
    // Its time-series LSTM, as its docs show: sequences of numbers, each step predicting the next; the same
    // windows (12 steps and the value after them), one iteration per epoch. Its own SGD (no batches, no Adam).
    const d = seriesData(spec.samples);
    const net = new brain.recurrent.LSTMTimeStep({ inputSize: 1, hiddenLayers: [20], outputSize: 1 });
    const fn = () => net.train(d.seqs, { iterations: spec.epochs, errorThresh: 1e-9, log: false }).error;
    return { fn };
  }
  if (spec.kind === 'predict-lstm-step') {
    // Its LSTMTimeStep keeps no state between calls: the next value comes from run() over the window of the
    // last 12 values (the loop its docs show), so each step reruns the window. Trained one iteration first
    // (run needs a trained model).
    const d = seriesData(64);
    const net = new brain.recurrent.LSTMTimeStep({ inputSize: 1, hiddenLayers: [20], outputSize: 1 });
    net.train(d.seqs, { iterations: 1, errorThresh: 1e-9, log: false });
    const win = d.seqs[0].slice(0, 12);
    const fn = () => net.run(win);
    return { fn };
  }
  if (spec.kind !== 'train' || spec.model !== 'seed') return null;
  const d = seedData(spec.samples);
  const data = [];
  for (let i = 0; i < d.n; i++) data.push({ input: Array.from(d.x.subarray(i * 8, i * 8 + 8)), output: [d.y[i]] });
  const net = new brain.NeuralNetwork({ hiddenLayers: [10, 8] });
  // errorThresh tiny so every one of the `epochs` passes runs, as for the other contenders.
  const fn = () => net.train(data, { iterations: spec.epochs, errorThresh: 1e-9, log: false }).error;
  return { fn };
}
