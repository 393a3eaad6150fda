/**
 * `simdnet train` with no tuning flags (issue 13 §3): on every data set in
 * examples/data and on generated ones (tiny, wide, unscaled, imbalanced, a
 * flower-like set with text labels, a penguin-like set with text feature
 * columns), the default run's held-out accuracy is within 2 points of a tuned
 * run's — the same command with flags chosen for that data set (the best of
 * the configurations tried when the defaults were chosen; listed per case).
 *
 * Accuracy is measured on rows the model never saw: a large held-out file
 * drawn from the same distribution for the generated sets, a seeded 30% split
 * of the file for Pima and digits. Each run is repeated with seeds 1–4 (split,
 * initial weights, shuffling) and the mean is compared, so one lucky seed does
 * not decide. Training runs in this process (the command's own function), so
 * the whole file takes seconds.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { train } from '../../src/cli/commands/train.js';
import { loadModelDir } from '../../src/cli/commands/common.js';
import { evaluateModel } from '../../src/cli/commands/evaluate.js';
import * as ds from './datasets.js';
import { DIGITS, PIMA, cleanup, scratch } from './helpers.js';

const d = scratch();
afterAll(() => cleanup(d));
const SEEDS = ['1', '2', '3', '4'];

interface Case {
  name: string;
  train: string;
  test: string;
  target: string;
  header: boolean;
  tuned: string[];
}

const pima = ds.holdOut(readFileSync(PIMA, 'utf8'), false, 0.3, 1);
const digits = ds.holdOut(readFileSync(DIGITS, 'utf8'), false, 0.3, 1);
const CASES: Case[] = [
  // Logistic regression is the known strong model on Pima.
  {
    name: 'pima',
    ...pima,
    target: 'last',
    header: false,
    tuned: [
      '--standardize',
      '--layers',
      'none',
      '--learning-rate',
      '0.01',
      '--epochs',
      '500',
      '--early-stopping',
      '30',
    ],
  },
  {
    name: 'digits',
    ...digits,
    target: 'last',
    header: false,
    tuned: ['--standardize', '--layers', '64', '--learning-rate', '0.005'],
  },
  {
    name: 'flowers',
    ...ds.flowers(),
    header: true,
    tuned: [
      '--standardize',
      '--layers',
      '16',
      '--learning-rate',
      '0.003',
      '--epochs',
      '1000',
      '--early-stopping',
      '50',
      '--batch-size',
      '16',
    ],
  },
  {
    name: 'tiny',
    ...ds.tiny(),
    header: true,
    tuned: [
      '--standardize',
      '--layers',
      'none',
      '--learning-rate',
      '0.01',
      '--epochs',
      '500',
      '--early-stopping',
      '30',
    ],
  },
  { name: 'wide', ...ds.wide(), header: true, tuned: ['--standardize', '--layers', '32', '--learning-rate', '0.003'] },
  {
    name: 'unscaled',
    ...ds.unscaled(),
    header: true,
    tuned: [
      '--standardize',
      '--layers',
      '16',
      '--learning-rate',
      '0.003',
      '--epochs',
      '1000',
      '--early-stopping',
      '50',
      '--batch-size',
      '16',
    ],
  },
  {
    name: 'imbalanced',
    ...ds.imbalanced(),
    header: true,
    tuned: [
      '--standardize',
      '--layers',
      'none',
      '--learning-rate',
      '0.01',
      '--epochs',
      '500',
      '--early-stopping',
      '30',
    ],
  },
  {
    name: 'penguins',
    ...ds.penguins(),
    header: true,
    tuned: [
      '--standardize',
      '--layers',
      '10,8',
      '--learning-rate',
      '0.01',
      '--epochs',
      '300',
      '--early-stopping',
      '20',
    ],
  },
];

/** Mean held-out accuracy (and balanced accuracy) over SEEDS of `simdnet train FILE --target … ${flags}`. */
async function heldOut(
  c: Case,
  flags: string[],
  tag: string,
): Promise<{ accuracy: number; balanced: number; each: number[] }> {
  const trainFile = join(d, `${c.name}-train.csv`),
    testFile = join(d, `${c.name}-test.csv`);
  writeFileSync(trainFile, c.train);
  writeFileSync(testFile, c.test);
  const each: number[] = [],
    balanced: number[] = [];
  for (const seed of SEEDS) {
    const out = join(d, `${c.name}-${tag}-${seed}`);
    expect(
      await train([
        trainFile,
        '--target',
        c.target,
        c.header ? '--header' : '--no-header',
        '--seed',
        seed,
        '--out',
        out,
        '-q',
        ...flags,
      ]),
    ).toBe(0);
    const r = evaluateModel(await loadModelDir(out), testFile, c.header);
    each.push(r.accuracy!);
    const conf = r.confusion!;
    balanced.push(conf.reduce((a, row, i) => a + row[i]! / row.reduce((x, y) => x + y, 0), 0) / conf.length);
    cleanup(out);
  }
  const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
  return { accuracy: mean(each), balanced: mean(balanced), each };
}

describe('simdnet train defaults reach within 2 points of a tuned run', () => {
  it.each(CASES)('$name', async (c) => {
    const def = await heldOut(c, [], 'default');
    const tuned = await heldOut(c, c.tuned, 'tuned');
    const pct = (x: number) => (100 * x).toFixed(1);
    console.log(
      `${c.name}: default ${pct(def.accuracy)}% [${def.each.map(pct).join(' ')}], balanced ${pct(def.balanced)}%; tuned ${pct(tuned.accuracy)}% [${tuned.each.map(pct).join(' ')}], balanced ${pct(tuned.balanced)}%`,
    );
    expect(def.accuracy, `default ${pct(def.accuracy)}% vs tuned ${pct(tuned.accuracy)}%`).toBeGreaterThanOrEqual(
      tuned.accuracy - 0.02,
    );
    // Not just the majority class: every class is found (this matters for the imbalanced set).
    expect(def.balanced).toBeGreaterThan(0.65);
  });
});
