/** The founding article's example, as written, and the small classics. */
import { describe, expect, it } from 'vitest';
import * as sn from '../../src/index.js';
import { pima } from '../helpers/data.js';

describe('the founding example', () => {
  it('runs as written on real data and its loss falls', async () => {
    sn.setSeed(1);
    const { xTrain: X, yTrain: y, xTest: XTest } = pima();
    const model = sn.sequential([
      sn.layers.dense({ units: 10, inputDim: 8, activation: 'relu' }),
      sn.layers.dense({ units: 8, activation: 'relu' }),
      sn.layers.dense({ units: 1, activation: 'sigmoid' }),
    ]);
    model.compile({ loss: 'mean_squared_error', optimizer: 'adam', metrics: ['accuracy'] });
    const history = await model.fit(X, y, { epochs: 10, batchSize: 32, verbose: 0 });
    const yPred = model.predict(XTest);
    expect(yPred).toBeInstanceOf(sn.Tensor);
    expect(yPred.shape).toEqual([XTest.length, 1]);
    for (const v of yPred.values) expect(v > 0 && v < 1).toBe(true);
    expect(Object.keys(history.history).sort()).toEqual(['accuracy', 'loss']);
    expect(history.history.loss).toHaveLength(10);
    expect(history.history.loss[9]!).toBeLessThan(history.history.loss[0]! * 0.9);
    const ev = model.evaluate(XTest, pima().yTest);
    expect(Object.keys(ev).sort()).toEqual(['accuracy', 'loss']);
    expect(ev.accuracy!).toBeGreaterThan(0.6);
  });

  it('accepts snake_case, camelCase and short names alike, each meaning its loss', () => {
    // A linear one-unit model with set weights: its predictions are known, so
    // evaluate() shows which loss each name resolved to (a name that resolved
    // to another loss, say 'MSE' to mean absolute error, gives another number).
    const x = [
      [1, 0],
      [0, 1],
      [1, 1],
      [0, 0],
    ];
    const yBin = [[0], [1], [1], [1]];
    const cases: Array<[string, 'mse' | 'mae' | 'bce']> = [
      ['mean_squared_error', 'mse'],
      ['meanSquaredError', 'mse'],
      ['mse', 'mse'],
      ['MSE', 'mse'],
      ['mean_absolute_error', 'mae'],
      ['meanAbsoluteError', 'mae'],
      ['mae', 'mae'],
      ['MAE', 'mae'],
      ['binary_crossentropy', 'bce'],
      ['binaryCrossentropy', 'bce'],
    ];
    for (const [loss, kind] of cases) {
      const m = sn.sequential([sn.layers.dense({ units: 1, inputDim: 2, activation: 'linear' })]);
      // Kernel [−0.2, 0.3]ᵀ and bias 0.4 predict 0.2, 0.7, 0.5, 0.4: MSE, MAE and BCE all differ there.
      m.setWeights([sn.tensor([[-0.2], [0.3]]), sn.tensor([0.4])]);
      m.compile({ loss, optimizer: 'adam' });
      const pp = Array.from(m.predict(x).values);
      expect(pp.map((v) => +v.toFixed(6))).toEqual([0.2, 0.7, 0.5, 0.4]);
      const want =
        kind === 'mse'
          ? pp.reduce((s, v, i) => s + (v - yBin[i]![0]!) ** 2, 0) / 4
          : kind === 'mae'
            ? pp.reduce((s, v, i) => s + Math.abs(v - yBin[i]![0]!), 0) / 4
            : -pp.reduce((s, v, i) => s + (yBin[i]![0]! ? Math.log(v) : Math.log(1 - v)), 0) / 4;
      expect(m.evaluate(x, yBin).loss, `loss '${loss}'`).toBeCloseTo(want, 5);
    }
    // Sparse names take integer labels and mean the sparse cross-entropy.
    for (const loss of ['sparse_categorical_crossentropy', 'sparseCategoricalCrossentropy']) {
      const m = sn.sequential([sn.layers.dense({ units: 2, inputDim: 2, activation: 'softmax' })]);
      m.setWeights([
        sn.tensor([
          [1, -1],
          [0.5, 2],
        ]),
        sn.tensor([0, 0.1]),
      ]);
      m.compile({ loss, optimizer: 'adam' });
      const probs = m.predict(x).toArray() as number[][];
      const labels = [0, 1, 1, 0];
      const want = -labels.reduce((s, c, i) => s + Math.log(probs[i]![c]!), 0) / 4;
      expect(
        m.evaluate(
          x,
          labels.map((c) => [c]),
        ).loss,
        `loss '${loss}'`,
      ).toBeCloseTo(want, 5);
    }
    for (const act of ['leaky_relu', 'leakyRelu', 'hard_sigmoid', 'hardSigmoid', 'silu', 'swish']) {
      expect(() => sn.layers.dense({ units: 1, activation: act })).not.toThrow();
    }
  });

  it('learns XOR to 100% accuracy', async () => {
    sn.setSeed(3);
    const x = [
        [0, 0],
        [0, 1],
        [1, 0],
        [1, 1],
      ],
      y = [[0], [1], [1], [0]];
    const model = sn.sequential([
      sn.layers.dense({ units: 8, inputDim: 2, activation: 'tanh' }),
      sn.layers.dense({ units: 1, activation: 'sigmoid' }),
    ]);
    model.compile({
      loss: 'binary_crossentropy',
      optimizer: sn.optimizers.adam({ learningRate: 0.05 }),
      metrics: ['accuracy'],
    });
    await model.fit(x, y, { epochs: 300, batchSize: 4, verbose: 0 });
    const p = model.predict(x).values;
    expect(Array.from(p, (v) => (v > 0.5 ? 1 : 0))).toEqual([0, 1, 1, 0]);
    expect(model.evaluate(x, y).accuracy).toBe(1);
  });

  it('predicts from a Float32Array with a shape, and from a tensor, identically', async () => {
    sn.setSeed(4);
    const model = sn.sequential([sn.layers.dense({ units: 3, inputShape: [2], activation: 'softmax' })]);
    const flat = new Float32Array([1, 2, 3, 4, 5, 6]);
    const a = model.predict({ data: flat, shape: [3, 2] });
    const b = model.predict(sn.tensor(flat, [3, 2]));
    const c = model.predict([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    expect(Array.from(a.values)).toEqual(Array.from(b.values));
    expect(Array.from(a.values)).toEqual(Array.from(c.values));
    const rows = a.toArray() as number[][];
    for (const r of rows) expect(r.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5);
  });

  it('getLayer by name or index, as Keras and TF.js; a wrong one is refused with the layers that exist', () => {
    const model = sn.sequential([
      sn.layers.dense({ units: 4, inputDim: 3, name: 'hidden' }),
      sn.layers.dense({ units: 1, name: 'out' }),
    ]);
    expect(model.getLayer('out')).toBe(model.layers[1]);
    expect(model.getLayer(undefined, 0)).toBe(model.layers[0]);
    expect(model.getLayer(1)).toBe(model.layers[1]);
    expect(() => model.getLayer('nope')).toThrow(/No such layer: 'nope'\. Existing layers are: 'hidden', 'out'\./);
    expect(() => model.getLayer(undefined, 2)).toThrow(/`index`.*\[0, 1\].*Received: 2/);
    expect(() => model.getLayer()).toThrow(/`name`.*exactly one/);
    expect(() => model.getLayer('out', 1)).toThrow(/`name`.*exactly one/);
  });

  it("batchNormalization({ axis }) takes -1 or the last axis's index (the batch axis is 0), with the same result", () => {
    const x = Array.from({ length: 8 }, (_, i) =>
      Array.from({ length: 3 }, (_, t) => Array.from({ length: 4 }, (_, j) => Math.sin(i * 12 + t * 4 + j))),
    );
    const run = (axis?: number) => {
      sn.setSeed(8);
      const m = sn.sequential([
        sn.layers.batchNormalization({ inputShape: [3, 4], ...(axis !== undefined ? { axis } : {}) }),
      ]);
      m.compile({ loss: 'mse', optimizer: 'sgd' });
      return Array.from(m.computeGradients(x as unknown as number[][], x as unknown as number[][]).grads[0]!.values);
    };
    expect(run(2)).toEqual(run());
    expect(run(-1)).toEqual(run());
  });

  it("summary() prints Keras's table and countParams matches", () => {
    const model = sn.sequential([
      sn.layers.dense({ units: 10, inputDim: 8, activation: 'relu', name: 'hidden1' }),
      sn.layers.dense({ units: 8, activation: 'relu' }),
      sn.layers.dense({ units: 1, activation: 'sigmoid' }),
    ]);
    const lines: string[] = [];
    const text = model.summary({ print: (l) => lines.push(l) });
    expect(text).toContain('hidden1 (Dense)');
    expect(text).toContain('(None, 10)');
    expect(text).toContain('Total params: 187');
    expect(model.countParams()).toBe(8 * 10 + 10 + 10 * 8 + 8 + 8 + 1);
    expect(lines.join('\n')).toBe(text);
    for (const l of lines.slice(1, 4)) expect(l.length).toBe(72);
    // lineLength widens the table (Keras's line_length); a bad one is refused by name.
    const wide = model.summary({ print: false, lineLength: 100 }).split('\n');
    expect(wide[1]!.length).toBe(100);
    expect(wide[2]!.length).toBe(100);
    expect(wide[2]!.trimEnd()).toMatch(/^Layer \(type\) +Output Shape +Param #$/);
    expect(() => model.summary({ lineLength: 10 })).toThrow(/lineLength.*at least 40.*Received: 10/);
    expect(() => model.summary({ print: 'yes' as unknown as boolean })).toThrow(/print.*Received/);
  });
});
