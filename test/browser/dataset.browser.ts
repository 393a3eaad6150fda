/**
 * sn.data in a real browser (issue 17): a CSV from a Blob, a File and a
 * Response, parsed by csv-parse's browser build chunk by chunk, trains a
 * model through fitDataset; the rows are the file's rows.
 */
import { expect, test } from 'vitest';
import * as sn from '../../src/index.js';
import digitsCsv from '../../examples/data/digits.csv?raw';

const names = Array.from({ length: 65 }, (_, i) => `p${i}`);
const config = { hasHeader: false, columnNames: names, columnConfigs: { p64: { isLabel: true } } };
const toBatch = (r: unknown) => {
  const { xs, ys } = r as { xs: Record<string, number>; ys: Record<string, number> };
  return { xs: Object.values(xs).map((v) => v / 16), ys: [ys.p64!] };
};

test('a Blob, a File and a Response give the file rows; a model trains on the Blob through fitDataset', async () => {
  const want = digitsCsv
    .trim()
    .split(/\r?\n/)
    .map((l) => l.split(',').map(Number));
  const blob = new Blob([digitsCsv], { type: 'text/csv' });
  const rows = (await sn.data.csv(blob, config).toArray()) as {
    xs: Record<string, number>;
    ys: Record<string, number>;
  }[];
  expect(rows.length).toBe(want.length);
  expect([...Object.values(rows[17]!.xs), rows[17]!.ys.p64]).toEqual(want[17]);
  expect(
    (
      await sn.data
        .csv(new File([digitsCsv], 'digits.csv'), config)
        .take(3)
        .toArray()
    ).length,
  ).toBe(3);
  expect(
    (
      await sn.data
        .csv(new Response(blob), config)
        .skip(want.length - 2)
        .toArray()
    ).length,
  ).toBe(2);

  sn.setSeed(4);
  const m = sn.sequential([
    sn.layers.dense({ units: 32, inputDim: 64, activation: 'relu' }),
    sn.layers.dense({ units: 10, activation: 'softmax' }),
  ]);
  m.compile({ loss: 'sparse_categorical_crossentropy', optimizer: 'adam', metrics: ['accuracy'] });
  const ds = sn.data.csv(blob, config).map(toBatch);
  const h = await m.fitDataset(ds.take(1400).shuffle(1400, 1).batch(32), { epochs: 10, verbose: 0 });
  expect(h.history.loss![9]!).toBeLessThan(h.history.loss![0]!);
  const { accuracy } = await m.evaluateDataset(ds.skip(1400).batch(100));
  expect(accuracy).toBeGreaterThanOrEqual(0.85);
});
