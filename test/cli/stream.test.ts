/**
 * `simdnet train --stream` (issue 17): a CSV read as a stream, never whole.
 * The statistics it saves are the training rows' (recomputed here from the
 * file with the same hash split); a categorical, imputed, multi-class file
 * trains and its model predicts; a file whose rows as text would not fit a
 * 64 MB JS heap trains there streamed, and does not read whole; and the
 * streamed path's own refusals.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PIMA, cleanup, requireBuild, scratch, simdnet, write } from './helpers.js';
import { partOf } from '../../src/cli/stream.js';

let dir: string;
beforeAll(() => {
  requireBuild();
  dir = scratch();
});
afterAll(() => cleanup(dir));

/** A 3-class file with a text column, a numeric one with empty cells, and noise columns. */
function mixedCsv(rows: number, seed = 3): string {
  let s = seed >>> 0;
  const rnd = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  const lines = ['x1,x2,colour,x3,noise1,noise2,noise3,noise4,label'];
  const colours = ['red', 'green', 'blue'];
  for (let i = 0; i < rows; i++) {
    const c = Math.floor(rnd() * 3);
    const x1 = rnd() * 2 - 1,
      x2 = rnd() * 2 - 1;
    const label = c === 0 ? (x1 > 0 ? 'a' : 'b') : x2 > 0 ? 'c' : 'a';
    const x3 = rnd() < 0.05 ? '' : (rnd() * 10).toFixed(3);
    const noise = [rnd(), rnd(), rnd(), rnd()].map((v) => v.toFixed(5));
    lines.push([x1.toFixed(5), x2.toFixed(5), colours[c], x3, ...noise, label].join(','));
  }
  return `${lines.join('\n')}\n`;
}

describe('simdnet train --stream', () => {
  it('saves the training rows’ statistics, as the in-memory path computes them on the same rows', () => {
    const r = simdnet(['train', PIMA, '--target', 'last', '--stream', '--verbose', '0', '-o', 'pima'], dir);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/768 rows, 9 columns.*\(streamed\)/);
    expect(r.stdout).toMatch(/Split \(seed 1, by a hash of the row number\): (\d+) train/);
    const acc = Number(/Test \(\d+ rows\): .*accuracy: ([\d.]+)/.exec(r.stdout)![1]);
    expect(acc).toBeGreaterThanOrEqual(0.7);
    const prep = JSON.parse(readFileSync(join(dir, 'pima', 'preprocessing.json'), 'utf8')) as {
      means: number[];
      stds: number[];
    };
    const rows = readFileSync(PIMA, 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split(',').map(Number));
    const train = rows.filter((_, i) => partOf(i, 1, 0.1, 0.2) === 'train');
    for (let j = 0; j < 8; j++) {
      const mean = train.reduce((a, row) => a + row[j]!, 0) / train.length;
      const sd = Math.sqrt(train.reduce((a, row) => a + (row[j]! - mean) ** 2, 0) / train.length);
      expect(prep.means[j]!).toBeCloseTo(mean, 9);
      expect(prep.stds[j]!).toBeCloseTo(sd, 9);
    }
  });

  it('categorical, imputed, three classes: trains, and the model predicts', () => {
    const f = write(dir, 'mixed.csv', mixedCsv(3000));
    const r = simdnet(
      ['train', f, '--target', 'label', '--impute', 'mean', '--stream', '--verbose', '0', '-o', 'mixed'],
      dir,
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/multiclass classification, 3 classes: a, b, c/);
    expect(r.stdout).toMatch(/1 categorical, one-hot: colour \(3\)/);
    const acc = Number(/Test \(\d+ rows\): .*accuracy: ([\d.]+)/.exec(r.stdout)![1]);
    expect(acc).toBeGreaterThanOrEqual(0.9);
    const p = simdnet(['predict', 'mixed', f, '-o', 'pred.csv'], dir);
    expect(p.status).toBe(0);
    expect(readFileSync(join(dir, 'pred.csv'), 'utf8').trim().split('\n').length).toBe(3001);
  });

  it('a file too big for a 64 MB heap as text trains streamed there, and does not read whole', () => {
    const f = write(dir, 'big.csv', mixedCsv(150_000, 5));
    const args = ['train', f, '--target', 'label', '--impute', 'mean', '--verbose', '0', '--epochs', '2'];
    const env = { NODE_OPTIONS: '--max-old-space-size=64' };
    const streamed = simdnet([...args, '--stream', '--early-stopping', '0', '-o', 'big'], dir, env);
    expect(streamed.stderr).toBe('');
    expect(streamed.status).toBe(0);
    expect(streamed.stdout).toMatch(/150000 rows.*\(streamed\)/);
    const acc = Number(/Test \(\d+ rows\): .*accuracy: ([\d.]+)/.exec(streamed.stdout)![1]);
    expect(acc).toBeGreaterThanOrEqual(0.9);
    const whole = simdnet([...args, '--no-stream', '--early-stopping', '0', '-o', 'big2'], dir, env);
    expect(whole.status).not.toBe(0);
    expect(whole.stderr).toMatch(/heap/i);
  });

  it('a category only validation or test rows have: encoded as zeros, with the in-memory path’s warning', () => {
    const lines = mixedCsv(400, 9).trim().split('\n');
    const r = Array.from({ length: 400 }, (_, i) => i).find((i) => partOf(i, 1, 0.1, 0.2) !== 'train')!;
    const cells = lines[r + 1]!.split(',');
    cells[2] = 'purple';
    lines[r + 1] = cells.join(',');
    const f = write(dir, 'unseen.csv', `${lines.join('\n')}\n`);
    const out = simdnet(
      ['train', f, '--target', 'label', '--impute', 'mean', '--stream', '--verbose', '0', '-o', 'u'],
      dir,
    );
    expect(out.status).toBe(0);
    expect(out.stderr).toMatch(
      new RegExp(
        `column 'colour' has the category 'purple' \\(.*unseen.csv, line ${r + 2}\\), which no training row has`,
      ),
    );
    expect(out.stderr.match(/purple/g)).toHaveLength(1);
  });

  it('refusals: --impute median, a short row (its line), a text cell in a numeric column (line and column)', () => {
    const r = simdnet(['train', PIMA, '--target', 'last', '--stream', '--impute', 'median'], dir);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/--impute median needs every value.*--impute mean/);
    const short = write(dir, 'short.csv', 'a,b,y\n1,2,0\n3,4,1\n5,1\n');
    const s = simdnet(['train', short, '--target', 'y', '--stream'], dir);
    expect(s.stderr).toMatch(/line 4: 2 fields, but the first line has 3/);
    const text = write(dir, 'text.csv', `a,b,y\n${'1,2,0\n3,4,1\n'.repeat(20)}5,oops,1\n`);
    const t = simdnet(['train', text, '--target', 'y', '--stream'], dir);
    expect(t.stderr).toMatch(/line 42, column 'b'.*'oops' is not a number/);
  });
});
