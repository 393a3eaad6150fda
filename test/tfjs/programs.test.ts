/**
 * TF.js programs, unchanged but for their import line, on TF.js (@tensorflow/tfjs 4.22, its CPU backend in Node)
 * and on simdnet/tfjs (issue 18): the same API behaviour (history keys, evaluate's Scalars, dtypes,
 * shapes), accuracy within a stated margin of TF.js's, and the speed ratio reported.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { digits, mnist, rng } from '../helpers/data.js';
import { runProgram } from './helpers.js';

const report = (name: string, tfjsMs: number, oursMs: number) =>
  console.log(
    `${name}: TF.js (cpu) ${tfjsMs.toFixed(0)} ms, simdnet/tfjs ${oursMs.toFixed(0)} ms: ${(tfjsMs / oursMs).toFixed(1)}x`,
  );

async function both<R>(name: string, data: unknown): Promise<[R, R]> {
  const theirs = await runProgram<R>(name, 'tfjs', data);
  const ours = await runProgram<R>(name, 'simdnet', data);
  report(name, theirs.ms, ours.ms, { tfjs: theirs.result, simdnet: ours.result });
  return [theirs.result, ours.result];
}

/** The UCI digits split as the programs take them: rows of 64 features, class indices. */
function digitsData() {
  const s = digits();
  return { xTrain: s.xTrain, yTrain: s.yTrain.map((r) => r[0]!), xTest: s.xTest, yTest: s.yTest.map((r) => r[0]!) };
}

describe('TF.js programs on simdnet/tfjs', () => {
  it('digits: dense classifier, callbacks object, evaluate, confusion matrix', async () => {
    const data = digitsData();
    type R = Awaited<ReturnType<typeof import('./programs/digits.js').run>>;
    const [a, b] = await both<R>('digits', data);
    expect(b.historyKeys).toEqual(a.historyKeys);
    expect(b.epochs).toEqual(a.epochs);
    expect(b.predictionsDtype).toBe(a.predictionsDtype);
    expect(b.matrixShape).toEqual(a.matrixShape);
    expect(b.total).toBe(a.total);
    expect(b.weightShapes).toEqual(a.weightShapes);
    // Both learn the digits: ≥ 93% held out, within 3 points of each other; the confusion matrix agrees with evaluate.
    expect(a.acc).toBeGreaterThan(0.93);
    expect(b.acc).toBeGreaterThan(0.93);
    expect(Math.abs(a.acc - b.acc)).toBeLessThan(0.03);
    expect(b.matrixAcc).toBeCloseTo(b.acc, 5);
    expect(a.matrixAcc).toBeCloseTo(a.acc, 5);
  }, 120_000);
});

describe('more TF.js programs', () => {
  it('housing: tensor-op normalization, tf.train.sgd, a linear model and an MLP', async () => {
    // Twelve features on scales from 0.01 to 1000, a target mostly linear in them, noise.
    const r = rng(3);
    const scales = [0.01, 0.1, 1, 5, 10, 50, 100, 200, 500, 1000, 2, 20];
    const rows = Array.from({ length: 500 }, () => scales.map((s) => r() * s));
    const y = rows.map(
      (x) =>
        x.reduce((a, v, j) => a + ((j % 3) - 1) * (v / scales[j]!) * 4, 10 + 2 * Math.sin((3 * x[0]!) / scales[0]!)) +
        r() -
        0.5,
    );
    const data = { xTrain: rows.slice(0, 400), yTrain: y.slice(0, 400), xTest: rows.slice(400), yTest: y.slice(400) };
    type R = Awaited<ReturnType<typeof import('./programs/housing.js').run>>;
    const [a, b] = await both<R>('housing', data);
    expect(b.meanShape).toEqual(a.meanShape);
    for (const m of ['linear', 'mlp'] as const) {
      expect(b.results[m]!.valLoss.length).toBe(a.results[m]!.valLoss.length);
      // Both learn (test loss well under predicting the mean) and ours is within 1.5x of TF.js's.
      expect(a.results[m]!.testLoss).toBeLessThan(0.3 * a.baseline);
      expect(b.results[m]!.testLoss).toBeLessThan(0.3 * b.baseline);
      expect(b.results[m]!.testLoss).toBeLessThan(1.5 * a.results[m]!.testLoss + 0.05);
    }
  }, 120_000);

  it('functional: two inputs, concatenate, two outputs with their own losses and metrics', async () => {
    const data = digitsData();
    type R = Awaited<ReturnType<typeof import('./programs/functional.js').run>>;
    const [a, b] = await both<R>('functional', data);
    expect(b.historyKeys).toEqual(a.historyKeys);
    expect(b.nScores).toBe(a.nScores); // TF.js's six: running loss totals, output losses, metrics
    expect(b.shapes).toEqual(a.shapes);
    expect(b.outputNames).toEqual(a.outputNames);
    for (const x of [a, b]) {
      expect(x.digitAcc).toBeGreaterThan(0.9);
      expect(x.evenAcc).toBeGreaterThan(0.9);
    }
    expect(Math.abs(a.digitAcc - b.digitAcc)).toBeLessThan(0.04);
  }, 120_000);

  it('series: an LSTM on the airline passengers, scaled with tensor ops', async () => {
    const series = readFileSync(
      fileURLToPath(new URL('../../examples/data/airline-passengers.csv', import.meta.url)),
      'utf8',
    )
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => Number(l.split(',')[1]));
    type R = Awaited<ReturnType<typeof import('./programs/series.js').run>>;
    const [a, b] = await both<R>('series', series);
    expect(b.predictionShape).toEqual(a.predictionShape);
    expect(b.naive).toBeCloseTo(a.naive, 6);
    // One unseeded run of this small LSTM (108 windows, 60 epochs) ends anywhere from 0.3x to 3x the naive
    // error (repeating last month's value) on either library — measured over 30 runs of ours: median 1.07x,
    // 1 in 30 above 2x — so a single pair cannot be compared closely. Ours is judged by the median of five
    // runs (about 0.1 s each); TF.js's one run (15 s) by a looser bound. A model that does not learn
    // predicts the scaled training mean, an error of 0.1 or more here, far above every bound.
    const ours = [b.testMse];
    for (let i = 0; i < 4; i++) ours.push((await runProgram<R>('series', 'simdnet', series)).result.testMse);
    const median = ours.sort((x, y) => x - y)[2]!;
    console.log(`series: test MSE TF.js ${a.testMse.toFixed(4)}, ours ${ours.map((x) => x.toFixed(4)).join(' ')}`);
    expect(a.testMse).toBeLessThan(4 * a.naive);
    expect(median).toBeLessThan(2 * b.naive);
    // Ours within 2x of TF.js's error, or of the naive error where TF.js's run was a lucky one.
    expect(median).toBeLessThan(2 * Math.max(a.testMse, a.naive));
  }, 180_000);

  it('sentiment: Embedding + Conv1D + global max pooling on word-index sequences', async () => {
    // Sentences of up to 16 word indices (0 pads) from a vocabulary of 100: words 1-10 are positive, 11-20
    // negative, the rest neutral; a sentence has one to three words of one polarity, which is its label.
    const r = rng(11);
    const make = (n: number) => {
      const xs: number[][] = [],
        ys: number[] = [];
      for (let i = 0; i < n; i++) {
        const label = r() < 0.5 ? 1 : 0;
        const len = 6 + Math.floor(r() * 10);
        const words = Array.from({ length: len }, () => 21 + Math.floor(r() * 79));
        const k = 1 + Math.floor(r() * 3);
        for (let j = 0; j < k; j++) words[Math.floor(r() * len)] = (label ? 1 : 11) + Math.floor(r() * 10);
        xs.push([...new Array<number>(16 - len).fill(0), ...words]);
        ys.push(label);
      }
      return { xs, ys };
    };
    const tr = make(400),
      te = make(200);
    const data = { xTrain: tr.xs, yTrain: tr.ys, xTest: te.xs, yTest: te.ys, vocab: 100 };
    type R = Awaited<ReturnType<typeof import('./programs/sentiment.js').run>>;
    const [a, b] = await both<R>('sentiment', data);
    expect(b.keys).toEqual(a.keys);
    expect(a.acc).toBeGreaterThan(0.75);
    expect(b.acc).toBeGreaterThan(0.75);
    expect(b.acc).toBeGreaterThan(a.acc - 0.06);
  }, 300_000);

  it('mnist-cnn: a convolutional network on 600 MNIST images', async () => {
    const m = mnist();
    const data = { images: m.images, labels: Array.from(m.labels), nTrain: 400, nTest: 200 };
    type R = Awaited<ReturnType<typeof import('./programs/mnist-cnn.js').run>>;
    const [a, b] = await both<R>('mnist-cnn', data);
    expect(b.params).toBe(a.params);
    expect(b.dtype).toBe(a.dtype);
    console.log(`mnist-cnn accuracy: TF.js ${a.acc}, simdnet/tfjs ${b.acc}`);
    // 400 training images, 3 epochs (TF.js's CPU backend needs about a minute for them): both > 65%.
    expect(a.acc).toBeGreaterThan(0.65);
    expect(b.acc).toBeGreaterThan(0.65);
    expect(b.acc).toBeGreaterThan(a.acc - 0.08);
  }, 300_000);
});
