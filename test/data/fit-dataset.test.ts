/**
 * model.fitDataset, fit(dataset), evaluateDataset and predict over a
 * dataset (issue 17): the same weights, bit for bit, as fit on the same
 * arrays in the same order; real data streamed from a CSV reaching a stated
 * accuracy; batchesPerEpoch across epochs; validation from a dataset; several
 * inputs by name; the progress bar of an epoch of unknown length; and the
 * error table, each leaving the model as it was after its last completed batch.
 */
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import * as sn from '../../src/index.js';
import { pima } from '../helpers/data.js';

const DIGITS = fileURLToPath(new URL('../../examples/data/digits.csv', import.meta.url));

function founding(seed: number): sn.Sequential {
  sn.setSeed(seed);
  const m = sn.sequential([
    sn.layers.dense({ units: 10, inputDim: 8, activation: 'relu' }),
    sn.layers.dense({ units: 8, activation: 'relu' }),
    sn.layers.dropout({ rate: 0.1 }),
    sn.layers.dense({ units: 1, activation: 'sigmoid' }),
  ]);
  m.compile({ loss: 'binary_crossentropy', optimizer: 'adam', metrics: ['accuracy'] });
  return m;
}
const bits = (ts: sn.Tensor[]) => ts.map((t) => Array.from(new Uint32Array(t.values.buffer.slice(0))));

describe('fitDataset', () => {
  it('gives the weights fit gives on the same arrays in the same order, bit for bit; evaluate and predict agree', async () => {
    const d = pima();
    const a = founding(1);
    const ha = await a.fit(d.xTrain, d.yTrain, { epochs: 3, batchSize: 32, shuffle: false, verbose: 0, seed: 4 });
    const b = founding(1);
    const ds = sn.data.zip({ xs: sn.data.array(d.xTrain), ys: sn.data.array(d.yTrain) }).batch(32);
    const hb = await b.fitDataset(ds, { epochs: 3, verbose: 0, seed: 4 });
    expect(bits(b.getWeights())).toEqual(bits(a.getWeights()));
    expect(hb.history.loss).toEqual(ha.history.loss);
    expect(hb.history.accuracy).toEqual(ha.history.accuracy);
    // classWeight weighs the same samples the same way.
    const cwA = founding(1),
      cwB = founding(1);
    await cwA.fit(d.xTrain, d.yTrain, {
      epochs: 2,
      batchSize: 32,
      shuffle: false,
      verbose: 0,
      seed: 4,
      classWeight: { 0: 1, 1: 3 },
    });
    await cwB.fitDataset(ds, { epochs: 2, verbose: 0, seed: 4, classWeight: { 0: 1, 1: 3 } });
    expect(bits(cwB.getWeights())).toEqual(bits(cwA.getWeights()));
    expect(bits(cwB.getWeights())).not.toEqual(bits(founding(1).getWeights()));
    // fit(dataset, args) is fitDataset.
    const c = founding(1);
    await c.fit(ds, { epochs: 3, verbose: 0, seed: 4 });
    expect(bits(c.getWeights())).toEqual(bits(a.getWeights()));
    const test = sn.data.zip({ xs: sn.data.array(d.xTest), ys: sn.data.array(d.yTest) }).batch(50);
    const ev = await b.evaluateDataset(test);
    const ea = a.evaluate(d.xTest, d.yTest, { batchSize: 50 });
    expect(ev.loss).toBeCloseTo(ea.loss!, 6);
    expect(ev.accuracy).toBe(ea.accuracy);
    const pd = await b.predict(sn.data.array(d.xTest).batch(40));
    expect(Array.from(pd.values)).toEqual(Array.from(a.predict(d.xTest).values));
  });

  it('streams the UCI digits CSV, shuffled through a buffer, to ≥ 95% on the held-out rows', async () => {
    const names = Array.from({ length: 65 }, (_, i) => `p${i}`);
    const rows = sn.data
      .csv(DIGITS, { hasHeader: false, columnNames: names, columnConfigs: { p64: { isLabel: true } } })
      .map((r) => {
        const { xs, ys } = r as { xs: Record<string, number>; ys: Record<string, number> };
        return { xs: Object.values(xs).map((v) => v / 16), ys: [ys.p64!] };
      });
    // Every fifth row held out: rows numbered by zipping them with a counter.
    const counter = sn.data.generator(function* () {
      for (let i = 0; ; i++) yield i;
    });
    const numbered = sn.data.zip([rows, counter]);
    const part = (held: boolean) =>
      numbered
        .filter(([, i]) => ((i as number) % 5 === 0) === held)
        .map(([r]) => r as typeof rows extends sn.Dataset<infer R> ? R : never);
    const train = part(false).shuffle(1500, 3).batch(32).prefetch(2);
    const test = part(true).batch(128);
    sn.setSeed(9);
    const m = sn.sequential([
      sn.layers.dense({ units: 64, inputDim: 64, activation: 'relu' }),
      sn.layers.dense({ units: 10, activation: 'softmax' }),
    ]);
    m.compile({ loss: 'sparse_categorical_crossentropy', optimizer: 'adam', metrics: ['accuracy'] });
    const h = await m.fitDataset(train, { epochs: 40, verbose: 0, validationData: test, validationBatches: 1 });
    expect(h.history.val_loss).toHaveLength(40);
    const { accuracy } = await m.evaluateDataset(test);
    expect(accuracy).toBeGreaterThanOrEqual(0.95);
  });

  it('batchesPerEpoch reads one pass across epochs; classWeight; several inputs by name; the unknown-length bar', async () => {
    const d = pima();
    const ds = sn.data
      .zip({ xs: sn.data.array(d.xTrain), ys: sn.data.array(d.yTrain) })
      .batch(16)
      .repeat();
    const m = founding(2);
    const seen: number[] = [];
    await m.fitDataset(ds, {
      epochs: 3,
      batchesPerEpoch: 5,
      verbose: 0,
      classWeight: { 0: 1, 1: 2 },
      callbacks: [{ onBatchEnd: (b) => void seen.push(b) }],
    });
    expect(seen).toEqual([0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 1, 2, 3, 4]);
    // Two inputs, fed by name.
    sn.setSeed(3);
    const a = sn.input({ shape: [3], name: 'left' }),
      b = sn.input({ shape: [5], name: 'right' });
    const out = sn.layers
      .dense({ units: 1 })
      .apply(sn.layers.concatenate({}).apply([a, sn.layers.dense({ units: 2 }).apply(b)]));
    const f = sn.model({ inputs: [a, b], outputs: out });
    f.compile({ loss: 'mse', optimizer: 'sgd' });
    const two = sn.data.generator(function* () {
      for (let i = 0; i < 40; i++) yield { xs: { left: [i, 1, 2], right: [1, 2, 3, 4, i] }, ys: [i / 40] };
    });
    const lines: string[] = [];
    const h = await f.fitDataset(two.batch(8), { epochs: 2, verbose: 1, print: (l: string) => void lines.push(l) });
    expect(h.history.loss).toHaveLength(2);
    expect(lines.some((l) => /^5\/5 /.test(l))).toBe(true);
    expect(lines.join('\n')).toMatch(/Trained 2 epochs/);
    const progress: string[] = [];
    await f.fitDataset(two.batch(8), {
      epochs: 1,
      verbose: 1,
      yieldEvery: 0,
      print: (l: string) => void progress.push(l),
    });
    expect(progress.join('\n')).toMatch(/\d\/Unknown/);
  });

  it('errors name what is wrong and leave the model at its last completed batch', async () => {
    const d = pima();
    const m = founding(5);
    const good = sn.data.zip({ xs: sn.data.array(d.xTrain), ys: sn.data.array(d.yTrain) });
    // A generator that fails at its 70th element: batches 0 and 1 (32 each) train, batch 2 fails.
    const failing = sn.data.generator(function* () {
      for (let i = 0; i < 70; i++) yield { xs: d.xTrain[i]!, ys: d.yTrain[i]! };
      throw new Error('the database went away');
    });
    await expect(m.fitDataset(failing.batch(32), { verbose: 0, seed: 4 })).rejects.toThrow(
      /dataset batch 2.*element 70: the database went away/,
    );
    const ref = founding(5);
    await ref.fitDataset(good.take(64).batch(32), { verbose: 0, seed: 4 });
    expect(bits(m.getWeights())).toEqual(bits(ref.getWeights()));
    await expect(m.fitDataset(good.batch(32), { epochs: 1, verbose: 0 })).resolves.toBeDefined();

    const ragged = sn.data.generator(function* () {
      yield { xs: [1, 2, 3, 4, 5, 6, 7, 8], ys: [1] };
      yield { xs: [1, 2, 3], ys: [0] };
    });
    await expect(m.fitDataset(ragged.batch(2), { verbose: 0 })).rejects.toThrow(
      /'xs' of element 1 of the batch has shape \[3\] where the batch's first has shape \[8\]/,
    );
    await expect(m.fitDataset(good, { verbose: 0 })).rejects.toThrow(/forget dataset.batch/);
    const wide = sn.data.array([{ xs: [[1, 2, 3]], ys: [[1]] }]);
    await expect(m.fitDataset(wide, { verbose: 0 })).rejects.toThrow(/dataset batch 0.*8/);
    await expect(m.fitDataset(good.batch(32).take(3), { epochs: 2, batchesPerEpoch: 2, verbose: 0 })).rejects.toThrow(
      /ran out after 3 batches, before batch 2 of the 2 per epoch/,
    );
    await expect(m.fitDataset(good.batch(32), { validationSplit: 0.2 } as never)).rejects.toThrow(
      /validationSplit.*validationData/,
    );
    await expect(m.fitDataset(good.batch(32), { batchSize: 8 } as never)).rejects.toThrow(/dataset.batch/);
    await expect(m.fit(good.batch(32), d.yTrain as never)).rejects.toThrow(/fit takes no y/);
    await expect(m.fitDataset(sn.data.array([]), {})).rejects.toThrow(/no batches/);
    // Still usable.
    const h = await m.fitDataset(good.batch(64), { verbose: 0 });
    expect(Number.isFinite(h.history.loss![0]!)).toBe(true);
  });
});
