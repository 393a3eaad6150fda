/**
 * Training diagnostics (issue 19): each of the founding text's failure modes
 * reproduced deterministically gives its warning — vanishing gradients (a
 * 12-layer sigmoid network), exploding (large initial weights), dead ReLUs (a
 * large negative bias), saturation, over-fitting (a tiny set, a wide
 * network), under-fitting (a learning rate of 1e-7) — and a healthy model
 * gives none; the figures equal those computed from computeGradients and
 * predict; reports land in history.diagnostics, warnings print once.
 */
import { describe, expect, it } from 'vitest';
import * as sn from '../../src/index.js';
import { digits, pima } from '../helpers/data.js';

const norm = (a: ArrayLike<number>) => Math.sqrt(Array.from(a).reduce((s, v) => s + v * v, 0));

function mlp(units: number[], inputDim: number, args: Partial<sn.layers.DenseArgs>, out: sn.layers.Layer) {
  return sn.sequential([
    ...units.map((u, i) => sn.layers.dense({ units: u, ...(i === 0 ? { inputDim } : {}), ...args })),
    out,
  ]);
}

async function warningsOf(
  m: sn.LayersModel,
  x: number[][],
  y: number[][],
  fit: sn.FitArgs,
): Promise<{ warnings: string[]; printed: string[]; history: sn.callbacks.History }> {
  const printed: string[] = [];
  const cb = sn.callbacks.diagnostics({ print: (l: string) => void printed.push(l) });
  const history = await m.fit(x, y, { verbose: 0, seed: 1, ...fit, callbacks: [cb] });
  return { warnings: history.diagnostics!.flatMap((r) => r.warnings), printed, history };
}

describe('diagnostics: each failure mode gives its warning', () => {
  const d = pima();
  const x = d.xTrain,
    y = d.yTrain;

  it('vanishing gradients: a 12-layer sigmoid network', async () => {
    sn.setSeed(1);
    const m = mlp(
      Array(12).fill(16),
      8,
      { activation: 'sigmoid' },
      sn.layers.dense({ units: 1, activation: 'sigmoid' }),
    );
    m.compile({ loss: 'binary_crossentropy', optimizer: 'sgd' });
    const { warnings, printed } = await warningsOf(m, x, y, { epochs: 2, batchSize: 64 });
    expect(warnings.some((w) => /^vanishing gradients: layer 'dense(_\d+)?' has a gradient norm of/.test(w))).toBe(
      true,
    );
    expect(warnings[0]).toMatch(/ReLU-family activations.*He initialization.*batch normalization/);
    // Printed once per layer, however many epochs say it.
    expect(new Set(printed).size).toBe(printed.length);
  });

  it('exploding gradients: large initial weights, no clipping', async () => {
    sn.setSeed(2);
    const init = sn.initializers.randomNormal({ stddev: 4 });
    const m = mlp(
      Array(5).fill(32),
      8,
      { activation: 'linear', kernelInitializer: init },
      sn.layers.dense({ units: 1 }),
    );
    m.compile({ loss: 'mse', optimizer: sn.optimizers.sgd({ learningRate: 1e-9 }) });
    const { warnings } = await warningsOf(m, x, y, { epochs: 1, batchSize: 64 });
    expect(warnings.some((w) => /^exploding gradients: layer '.*' has a gradient norm of .*clipnorm/.test(w))).toBe(
      true,
    );
  });

  it('dead ReLUs: a large negative bias', async () => {
    sn.setSeed(3);
    const m = sn.sequential([
      sn.layers.dense({
        units: 32,
        inputDim: 8,
        activation: 'relu',
        biasInitializer: sn.initializers.constant({ value: -20 }),
        name: 'dead_one',
      }),
      sn.layers.dense({ units: 1, activation: 'sigmoid' }),
    ]);
    m.compile({ loss: 'binary_crossentropy', optimizer: 'adam' });
    const { warnings, history } = await warningsOf(m, x, y, { epochs: 1, batchSize: 64 });
    expect(warnings.some((w) => /^dead ReLUs: 100% of layer 'dead_one's units output 0.*leaky_relu/.test(w))).toBe(
      true,
    );
    expect(history.diagnostics![0]!.layers[0]!.deadFraction).toBe(1);
  });

  it('saturated sigmoids: unscaled inputs, large weights', async () => {
    sn.setSeed(4);
    const raw = x.map((r) => r.map((v) => v * 50));
    const m = sn.sequential([
      sn.layers.dense({
        units: 16,
        inputDim: 8,
        activation: 'sigmoid',
        name: 'sat',
        kernelInitializer: sn.initializers.randomNormal({ stddev: 2 }),
      }),
      sn.layers.dense({ units: 1, activation: 'sigmoid' }),
    ]);
    m.compile({ loss: 'binary_crossentropy', optimizer: 'sgd' });
    const { warnings } = await warningsOf(m, raw, y, { epochs: 1, batchSize: 64 });
    expect(warnings.some((w) => /^saturated sigmoid: \d+% of layer 'sat's outputs/.test(w))).toBe(true);
  });

  it('over-fitting: a tiny set and a wide network', async () => {
    sn.setSeed(5);
    const m = mlp([256, 256], 8, { activation: 'relu' }, sn.layers.dense({ units: 1, activation: 'sigmoid' }));
    m.compile({ loss: 'binary_crossentropy', optimizer: sn.optimizers.adam({ learningRate: 0.01 }) });
    const { warnings } = await warningsOf(m, x.slice(0, 24), y.slice(0, 24), {
      epochs: 60,
      batchSize: 24,
      validationData: [d.xTest, d.yTest],
    });
    expect(warnings.some((w) => /^over-fitting: the validation loss rose for 3 epochs.*dropout, L2/.test(w))).toBe(
      true,
    );
  });

  it('under-fitting: a learning rate of 1e-7', async () => {
    sn.setSeed(6);
    const m = mlp([16], 8, { activation: 'relu' }, sn.layers.dense({ units: 1, activation: 'sigmoid' }));
    m.compile({ loss: 'binary_crossentropy', optimizer: sn.optimizers.adam({ learningRate: 1e-7 }) });
    const { warnings } = await warningsOf(m, x, y, { epochs: 5, batchSize: 32 });
    expect(warnings.some((w) => /^under-fitting: the training loss has stayed at .*larger learning rate/.test(w))).toBe(
      true,
    );
  });

  it('a healthy model: no warning', async () => {
    sn.setSeed(7);
    const m = mlp([16, 8], 8, { activation: 'relu' }, sn.layers.dense({ units: 1, activation: 'sigmoid' }));
    m.compile({ loss: 'binary_crossentropy', optimizer: 'adam', metrics: ['accuracy'] });
    const { warnings, printed, history } = await warningsOf(m, x, y, {
      epochs: 20,
      batchSize: 32,
      validationData: [d.xTest, d.yTest],
    });
    expect(warnings).toEqual([]);
    expect(printed).toEqual([]);
    // The chart gains a panel of the layers' gradient norms.
    const svg = history.toSVG();
    for (const l of m.layers) expect(svg).toContain(`log10 |grad| ${l.name}`);
    expect(history.diagnostics![0]!.layers.map((l) => l.output)).toEqual([false, false, true]);
    expect(history.diagnostics).toHaveLength(20);
    const r = history.diagnostics![19]!.layers;
    expect(r.map((l) => l.name)).toEqual(m.layers.map((l) => l.name));
    for (const l of r) {
      expect(l.updateRatio!).toBeGreaterThan(1e-5);
      expect(l.updateRatio!).toBeLessThan(1e-1);
    }
  });
});

describe('diagnostics: the figures', () => {
  it('diagnose() gives the norms computeGradients and getWeights give, and predict’s activation statistics', () => {
    const d = digits();
    sn.setSeed(8);
    const m = mlp([32, 16], 64, { activation: 'relu' }, sn.layers.dense({ units: 10, activation: 'softmax' }));
    m.compile({ loss: 'sparse_categorical_crossentropy', optimizer: 'adam' });
    const x = d.xTrain.slice(0, 200),
      y = d.yTrain.slice(0, 200);
    const rep = m.diagnose(x, y);
    const { grads } = m.computeGradients(x, y);
    const kernels = m.namedWeights().filter((w) => /kernel$/.test(w.name));
    const gradKernels = m
      .namedWeights()
      .filter((w) => w.trainable)
      .map((w, i) => ({ w, g: grads[i]! }))
      .filter(({ w }) => /kernel$/.test(w.name));
    rep.layers.forEach((l, i) => {
      expect(l.gradNorm).toBeCloseTo(norm(gradKernels[i]!.g.values), 4);
      expect(l.weightNorm).toBeCloseTo(norm(kernels[i]!.tensor.values), 4);
      expect(l.updateRatio).toBeNull();
    });
    // The first layer's outputs, computed here from its weights: relu(x·W + b).
    const [W, b] = m.getWeights() as [sn.Tensor, sn.Tensor];
    const a = new Float64Array(200 * 32);
    for (let i = 0; i < 200; i++)
      for (let u = 0; u < 32; u++) {
        let z = b.values[u]!;
        for (let k = 0; k < 64; k++) z += x[i]![k]! * W.values[k * 32 + u]!;
        a[i * 32 + u] = Math.max(0, z);
      }
    const mean = Array.from(a).reduce((s, v) => s + v, 0) / a.length;
    const sd = Math.sqrt(Array.from(a).reduce((s, v) => s + (v - mean) ** 2, 0) / a.length);
    expect(rep.layers[0]!.activationMean).toBeCloseTo(mean, 4);
    expect(rep.layers[0]!.activationStd).toBeCloseTo(sd, 4);
    let dead = 0;
    for (let u = 0; u < 32; u++) {
      let any = false;
      for (let i = 0; i < 200; i++) if (a[i * 32 + u] !== 0) any = true;
      if (!any) dead++;
    }
    expect(rep.layers[0]!.deadFraction).toBe(dead / 32);
    expect(rep.layers[2]!.deadFraction).toBeNull();
  });

  it('updateRatio is ‖Δw‖/‖w‖: one SGD step on one batch is learningRate·‖g‖/‖w‖; every, onReport', async () => {
    const d = pima();
    sn.setSeed(9);
    const m = mlp([8], 8, { activation: 'tanh' }, sn.layers.dense({ units: 1, activation: 'sigmoid' }));
    m.compile({ loss: 'binary_crossentropy', optimizer: sn.optimizers.sgd({ learningRate: 0.1 }) });
    const x = d.xTrain.slice(0, 64),
      y = d.yTrain.slice(0, 64);
    const { grads } = m.computeGradients(x, y);
    const seen: number[] = [];
    const cb = sn.callbacks.diagnostics({ onReport: (r) => void seen.push(r.epoch), warn: false });
    const h = await m.fit(x, y, { epochs: 1, batchSize: 64, verbose: 0, callbacks: [cb] });
    const l0 = h.diagnostics![0]!.layers[0]!;
    expect(l0.updateRatio!).toBeCloseTo((0.1 * norm(grads[0]!.values)) / l0.weightNorm, 5);
    expect(seen).toEqual([0]);
    const every = sn.callbacks.diagnostics({ every: 3, warn: false });
    const h2 = await m.fit(x, y, { epochs: 7, batchSize: 32, verbose: 0, callbacks: [every] });
    expect(h2.diagnostics!.map((r) => r.epoch)).toEqual([2, 5]);
    expect(() => sn.callbacks.diagnostics({ every: 0 })).toThrow(/every.*positive integer/);
  });
});
