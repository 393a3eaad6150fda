/** Callbacks: early stopping with best-weight restore, LR on plateau, schedules, NaN, custom hooks, re-entry. */
import { describe, expect, it } from 'vitest';
import * as sn from '../../src/index.js';
import { pima } from '../helpers/data.js';

function smallModel(seed: number, lr = 0.01) {
  sn.setSeed(seed);
  const m = sn.sequential([
    sn.layers.dense({ units: 6, inputDim: 8, activation: 'relu' }),
    sn.layers.dense({ units: 1, activation: 'sigmoid' }),
  ]);
  m.compile({
    loss: 'binary_crossentropy',
    optimizer: sn.optimizers.adam({ learningRate: lr }),
    metrics: ['accuracy'],
  });
  return m;
}

describe('callbacks', () => {
  it("earlyStopping with restoreBestWeights leaves exactly the best epoch's weights", async () => {
    const d = pima();
    const model = smallModel(5, 0.05);
    const snapshots: sn.Tensor[][] = [];
    const record = {
      onEpochEnd: () => {
        snapshots.push(model.getWeights());
      },
    };
    const es = sn.callbacks.earlyStopping({ monitor: 'val_loss', patience: 3, restoreBestWeights: true });
    const h = await model.fit(d.xTrain, d.yTrain, {
      epochs: 200,
      batchSize: 16,
      validationSplit: 0.3,
      verbose: 0,
      seed: 1,
      callbacks: [record, es],
    });
    const vl = h.history.val_loss!;
    expect(vl.length).toBeLessThan(200); // it stopped
    const best = vl.indexOf(Math.min(...vl));
    expect(es.bestEpoch).toBe(best);
    const now = model.getWeights();
    now.forEach((t, i) => expect(Array.from(t.values)).toEqual(Array.from(snapshots[best]![i]!.values)));
    // and not the last epoch's weights
    expect(best).toBeLessThan(vl.length - 1);
    expect(Array.from(now[0]!.values)).not.toEqual(Array.from(snapshots[vl.length - 1]![0]!.values));
  });

  it('reduceLROnPlateau lowers the rate after `patience` epochs without improvement', async () => {
    const model = smallModel(6);
    const x = [[1, 2, 3, 4, 5, 6, 7, 8]],
      y = [[1]];
    const seen: number[] = [];
    // A monitored value that never improves after epoch 0.
    const fake = {
      onEpochEnd: (_e: number, logs?: sn.callbacks.Logs) => {
        logs!.fake = 1;
      },
    };
    const rl = sn.callbacks.reduceLROnPlateau({ monitor: 'fake', patience: 2, factor: 0.5, mode: 'min' });
    const spy = {
      onEpochEnd: () => {
        seen.push(model.optimizer!.currentLearningRate);
      },
    };
    await model.fit(x, y, { epochs: 7, batchSize: 1, verbose: 0, callbacks: [fake, rl, spy] });
    expect(seen.map((v) => +v.toPrecision(6))).toEqual([0.01, 0.01, 0.005, 0.005, 0.0025, 0.0025, 0.00125]);
  });

  it('learningRateScheduler and schedules set the rate', async () => {
    const model = smallModel(7);
    const seen: number[] = [];
    const spy = {
      onEpochBegin: () => {
        seen.push(model.optimizer!.currentLearningRate);
      },
    };
    await model.fit([[0, 0, 0, 0, 0, 0, 0, 1]], [[1]], {
      epochs: 3,
      batchSize: 1,
      verbose: 0,
      callbacks: [sn.callbacks.learningRateScheduler((e) => 0.1 / (e + 1)), spy],
    });
    expect(model.optimizer!.currentLearningRate).toBeCloseTo(0.1 / 3, 12);
    const s = sn.schedules.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5 });
    expect(s.at(10)).toBeCloseTo(0.05, 12);
    expect(sn.schedules.piecewiseConstantDecay({ boundaries: [5], values: [1, 0.1] }).at(6)).toBe(0.1);
    expect(sn.schedules.cosineDecay({ initialLearningRate: 1, decaySteps: 10 }).at(5)).toBeCloseTo(0.5, 12);
    // A schedule drives the optimizer step by step.
    const opt = sn.optimizers.sgd({ learningRate: s });
    expect(opt.currentLearningRate).toBe(0.1);
  });

  it('terminateOnNaN stops at once and keeps the last finite weights', async () => {
    sn.setSeed(8);
    const model = sn.sequential([sn.layers.dense({ units: 1, inputDim: 1 })]);
    model.compile({ loss: 'mse', optimizer: sn.optimizers.sgd({ learningRate: 10 }) }); // diverges
    const x = Array.from({ length: 8 }, (_, i) => [i * 100]),
      y = x.map(([v]) => [v! * 2]);
    const t = sn.callbacks.terminateOnNaN();
    const h = await model.fit(x, y, { epochs: 50, batchSize: 8, verbose: 0, shuffle: false, callbacks: [t] });
    expect(h.history.loss!.length).toBeLessThan(50);
    for (const w of model.getWeights()) for (const v of w.values) expect(Number.isFinite(v)).toBe(true);
  });

  it('awaits custom async hooks in order, and refuses a second concurrent fit', async () => {
    const model = smallModel(9);
    const events: string[] = [];
    const cb = {
      onTrainBegin: async () => {
        await new Promise((r) => setTimeout(r, 1));
        events.push('trainBegin');
      },
      onEpochBegin: (e: number) => {
        events.push(`epochBegin${e}`);
      },
      onBatchEnd: async (b: number) => {
        await Promise.resolve();
        events.push(`batch${b}`);
      },
      onEpochEnd: (e: number) => {
        events.push(`epochEnd${e}`);
      },
      onTrainEnd: () => {
        events.push('trainEnd');
      },
    };
    const x = Array.from({ length: 4 }, () => [1, 0, 0, 0, 0, 0, 0, 0]),
      y = [[1], [0], [1], [0]];
    const p = model.fit(x, y, { epochs: 2, batchSize: 2, verbose: 0, callbacks: [cb] });
    await expect(model.fit(x, y, { verbose: 0 })).rejects.toThrow(/second fit/);
    await p;
    expect(events).toEqual([
      'trainBegin',
      'epochBegin0',
      'batch0',
      'batch1',
      'epochEnd0',
      'epochBegin1',
      'batch0',
      'batch1',
      'epochEnd1',
      'trainEnd',
    ]);
  });

  it("fit takes one callback or an object of hooks (TF.js's forms), and refuses an object without hooks", async () => {
    const d = pima();
    const model = smallModel(3);
    const epochs: number[] = [];
    await model.fit(d.xTrain, d.yTrain, {
      epochs: 3,
      verbose: 0,
      callbacks: { onEpochEnd: (e) => void epochs.push(e) },
    });
    expect(epochs).toEqual([0, 1, 2]);
    const es = sn.callbacks.earlyStopping({ monitor: 'loss', patience: 0, baseline: 0 });
    const h = await model.fit(d.xTrain, d.yTrain, { epochs: 20, verbose: 0, callbacks: es });
    expect(h.epoch.length).toBeLessThanOrEqual(2); // one callback, not in an array, ran: the baseline stopped training
    for (const bad of [{}, { onEpochEnd: 5 }, { onEpochEnd: () => {}, onBatchEnd: 'x' }, 7])
      await expect(
        model.fit(d.xTrain, d.yTrain, { epochs: 1, verbose: 0, callbacks: bad as unknown as [] }),
      ).rejects.toThrow(/`callbacks`.*an object of hooks/);
  });

  it("history has Keras's keys with validation, and toSVG draws them", async () => {
    const d = pima();
    const model = smallModel(10);
    const h = await model.fit(d.xTrain, d.yTrain, { epochs: 3, validationData: [d.xTest, d.yTest], verbose: 0 });
    expect(Object.keys(h.history).sort()).toEqual(['accuracy', 'loss', 'val_accuracy', 'val_loss']);
    const svg = h.toSVG({ title: 'pima' });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('val_loss');
    expect((svg.match(/<polyline/g) ?? []).length).toBe(4);
  });

  it('fit yields to the event loop during long training', async () => {
    const model = smallModel(11);
    const d = pima();
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    await model.fit(d.xTrain, d.yTrain, { epochs: 30, batchSize: 8, verbose: 0, yieldEvery: 5 });
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(0);
  });
});
