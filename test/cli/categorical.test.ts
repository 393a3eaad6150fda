/**
 * Categorical feature columns in `simdnet train` / predict / evaluate /
 * summary (issue 13 §3): text columns one-hot encoded, --categorical for
 * categories coded as numbers, --ignore, the categories stored in
 * preprocessing.json, an unseen category encoded as zeros with one warning per
 * column, --impute filling an empty categorical cell with the most frequent
 * category; standardization by default; version 1 preprocessing.json files
 * (written before all this) still load.
 *
 * The commands run in this process (their own functions, output captured);
 * the expected model inputs are built here from preprocessing.json and the
 * CSV by this file's own code, and fed to the model loaded with sn.loadModel.
 * One run of the real command (dist/cli/main.js) checks the warning on stderr.
 */
import { afterAll, describe, expect, it, vi } from 'vitest';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { train } from '../../src/cli/commands/train.js';
import { predict } from '../../src/cli/commands/predict.js';
import { evaluate } from '../../src/cli/commands/evaluate.js';
import { summary } from '../../src/cli/commands/summary.js';
import { loadModel } from '../../src/io/api.js';
import { readTable } from '../../src/cli/csv.js';
import { Preprocessing, readFeatures, transform } from '../../src/cli/preprocess.js';
import { penguins, rng } from './datasets.js';
import { ROOT, cleanup, readPredictions, requireBuild, scratch, simdnet, smallBinaryCsv, write } from './helpers.js';

const d = scratch();
afterAll(() => cleanup(d));

/** Run a command function in this process, capturing what it writes. */
async function run(
  fn: (args: string[]) => Promise<number>,
  args: string[],
): Promise<{ code: number | undefined; stdout: string; stderr: string; error: Error | undefined }> {
  const out: string[] = [],
    err: string[] = [];
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
    out.push(String(s));
    return true;
  });
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
    err.push(String(s));
    return true;
  });
  let code: number | undefined, error: Error | undefined;
  try {
    code = await fn(args);
  } catch (x) {
    error = x as Error;
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
  return { code, stdout: out.join(''), stderr: err.join(''), error };
}

async function ok(fn: (args: string[]) => Promise<number>, args: string[]) {
  const r = await run(fn, args);
  if (r.error) throw r.error;
  expect(r.code).toBe(0);
  return r;
}

async function fails(fn: (args: string[]) => Promise<number>, args: string[], message: RegExp) {
  const r = await run(fn, args);
  expect(r.error, `expected an error, got code ${r.code}`).toBeDefined();
  expect(r.error!.message).toMatch(message);
  return r;
}

/** A CSV as header + rows of cells (no quoted fields in these files). */
function table(text: string): { header: string[]; rows: string[][] } {
  const lines = text.trim().split('\n');
  return { header: lines[0]!.split(','), rows: lines.slice(1).map((l) => l.split(',')) };
}

interface Cat {
  column: string;
  categories: string[];
  numeric: boolean;
  mostFrequent: string | null;
}
interface Prep {
  version: number;
  features: string[];
  ignored: string[];
  categorical: Cat[];
  classes: string[];
  standardize: boolean;
  impute: string | null;
  imputeValues: (number | null)[] | null;
  means: (number | null)[] | null;
  stds: (number | null)[] | null;
}
const readPrep = (dir: string) => JSON.parse(readFileSync(join(dir, 'preprocessing.json'), 'utf8')) as Prep;

/** This test's own encoding of one CSV row (by header name) as preprocessing.json describes. */
function encodeRow(prep: Prep, header: string[], row: string[]): number[] {
  const x: number[] = [];
  prep.features.forEach((f, k) => {
    const cell = row[header.indexOf(f)]!;
    const cat = prep.categorical.find((c) => c.column === f);
    if (cat) {
      const value = cell === '' ? cat.mostFrequent! : cat.numeric ? String(Number(cell)) : cell;
      for (const c of cat.categories) x.push(c === value ? 1 : 0);
    } else {
      const v = cell === '' ? prep.imputeValues![k]! : Number(cell);
      x.push(prep.means ? (v - prep.means[k]!) / prep.stds![k]! : v);
    }
  });
  return x;
}

/** The loaded model's class probabilities for `rows` encoded by encodeRow. */
async function expectedProbabilities(dir: string, prep: Prep, header: string[], rows: string[][]): Promise<number[][]> {
  const model = await loadModel(dir);
  const out = model.predict(rows.map((r) => encodeRow(prep, header, r)));
  const K = prep.classes.length,
    w = out.shape[1]!;
  return rows.map((_, i) =>
    w === 1 ? [1 - out.values[i]!, out.values[i]!] : Array.from(out.values.subarray(i * K, i * K + K)),
  );
}

function maxDiff(a: number[][], b: number[][]): number {
  let m = 0;
  a.forEach((r, i) =>
    r.forEach((v, k) => {
      m = Math.max(m, Math.abs(v - b[i]![k]!));
    }),
  );
  return m;
}

const mode = (values: string[]) => {
  const counts = new Map<string, number>();
  for (const v of values) if (v !== '') counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]![0];
};
const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

describe('penguin-like data: text feature columns, an id column, empty cells', () => {
  // Text columns island and sex, an id column, and 6 rows whose sex is empty.
  const data = penguins({ id: true, emptySex: 6, rows: 200, testRows: 400 });
  const trainCsv = write(d, 'penguins.csv', data.train);
  const testCsv = write(d, 'penguins-test.csv', data.test);
  const model = join(d, 'penguin-model');
  const T = table(data.train);

  it('an id column of distinct text values is refused, with a hint to --ignore it', async () => {
    await fails(
      train,
      [trainCsv, '--target', 'species', '--out', model, '-q'],
      /column 'id' of .*penguins\.csv holds text with 200 distinct values in 200 rows .*looks like an id or free text\. Pass --ignore 'id' to leave it out/,
    );
  });

  it('empty categorical cells are an error unless --impute, naming where they are', async () => {
    await fails(
      train,
      [trainCsv, '--target', 'species', '--ignore', 'id', '--out', model, '-q'],
      /6 empty cells in feature columns: line 2 column 'sex', line 3 column 'sex', .*--impute mean\|median to fill them from the training rows \(a categorical column's with its most frequent category\)/,
    );
  });

  it('--ignore id --impute median: one-hot columns and their categories in preprocessing.json', async () => {
    // Every row a training row (no splits), so the statistics can be recomputed here from the CSV.
    const r = await ok(train, [
      trainCsv,
      '--target',
      'species',
      '--ignore',
      'id',
      '--impute',
      'median',
      '--test-split',
      '0',
      '--validation-split',
      '0',
      '--epochs',
      '150',
      '--out',
      model,
      '--verbose',
      '0',
    ]);
    expect(r.stdout).toMatch(
      /Features: 6: 4 numeric, standardized; 2 categorical, one-hot: island \(3\), sex \(2\) → 9 model inputs; empty cells filled with the median \(categorical: the most frequent category\); ignored: id/,
    );
    const prep = readPrep(model);
    expect(prep.version).toBe(2);
    expect(prep.ignored).toEqual(['id']);
    expect(prep.features).toEqual([
      'island',
      'bill_length_mm',
      'bill_depth_mm',
      'flipper_length_mm',
      'body_mass_g',
      'sex',
    ]);
    const col = (name: string) => T.rows.map((row) => row[T.header.indexOf(name)]!);
    expect(prep.categorical).toEqual([
      {
        column: 'island',
        categories: [...new Set(col('island'))].sort(),
        numeric: false,
        mostFrequent: mode(col('island')),
      },
      { column: 'sex', categories: ['FEMALE', 'MALE'], numeric: false, mostFrequent: mode(col('sex')) },
    ]);
    expect(prep.categorical[0]!.categories).toEqual(['Biscoe', 'Dream', 'Torgersen']);
    // Numeric statistics for the numeric features only; null for the categorical ones.
    const numeric = prep.features.map((f) => (f === 'island' || f === 'sex' ? null : col(f).map(Number)));
    expect(prep.imputeValues).toEqual(numeric.map((v) => (v ? median(v) : null)));
    prep.means!.forEach((m, k) => {
      const v = numeric[k];
      if (!v) {
        expect(m).toBeNull();
        expect(prep.stds![k]).toBeNull();
        return;
      }
      const mean = v.reduce((a, b) => a + b, 0) / v.length;
      expect(m).toBeCloseTo(mean, 9);
      expect(prep.stds![k]).toBeCloseTo(Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length), 9);
    });
    const loaded = await loadModel(model);
    expect(loaded.layers[0]!.inFeatures).toBe(9);
  });

  it('predict: the one-hot input preprocessing.json describes; an unseen category is all zeros with one warning per column; an empty cell is the most frequent category', async () => {
    const prep = readPrep(model);
    // Columns in another order, no id, no target.
    const header = ['sex', 'body_mass_g', 'island', 'flipper_length_mm', 'bill_depth_mm', 'bill_length_mm'];
    const rows = [
      ['MALE', '5400', 'Biscoe', '221', '15.6', '49.1'],
      ['FEMALE', '3500', 'Atlantis', '190', '18.0', '38.0'],
      ['MALE', '3900', 'Atlantis', '195', '18.9', '40.1'],
      ['X', '3600', 'Dream', '195', '17.5', '47.0'],
      ['', '4700', 'Biscoe', '215', '14.5', '46.0'],
      ['FEMALE', '3400', 'Lemuria', '185', '17.9', '37.0'],
    ];
    const file = write(d, 'new-penguins.csv', `${[header, ...rows].map((r) => r.join(',')).join('\n')}\n`);
    const r = await ok(predict, [model, file]);
    const warnings = r.stderr.trim().split('\n');
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toBe(
      `simdnet: warning: column 'island' has the category 'Atlantis' (${file}, line 3) (and 1 other unseen value), which the model did not see in training: encoded as all zeros in 3 rows.`,
    );
    expect(warnings[1]).toBe(
      `simdnet: warning: column 'sex' has the category 'X' (${file}, line 5), which the model did not see in training: encoded as all zeros in 1 row.`,
    );
    const got = readPredictions(r.stdout);
    expect(got.header).toEqual(['prediction', 'probability_Adelie', 'probability_Chinstrap', 'probability_Gentoo']);
    const want = await expectedProbabilities(model, prep, header, rows);
    expect(
      maxDiff(
        got.rows.map((row) => row.slice(1).map(Number)),
        want,
      ),
    ).toBeLessThan(1e-5);
    // The empty sex cell predicts as the most frequent category written out.
    const filled = [...rows[4]!];
    filled[0] = prep.categorical[1]!.mostFrequent!;
    expect(maxDiff([want[4]!], await expectedProbabilities(model, prep, header, [filled]))).toBe(0);
    // The model's input itself: the island block of the unseen rows and the sex block of 'X' are zeros.
    const t = readTable(file, undefined);
    const featureIdx = prep.features.map((f) => t.columns.indexOf(f));
    const kinds = prep.features.map((f) =>
      prep.categorical.some((c) => c.column === f) ? ('categorical' as const) : ('numeric' as const),
    );
    const x = transform(t, readFeatures(t, featureIdx, kinds, true, true), prep as unknown as Preprocessing);
    expect(x.shape).toEqual([6, 9]);
    const input = (i: number) => Array.from(x.data.subarray(i * 9, i * 9 + 9));
    for (const i of [1, 2, 5]) expect(input(i).slice(0, 3)).toEqual([0, 0, 0]);
    expect(input(3).slice(7, 9)).toEqual([0, 0]);
    expect(input(4).slice(7, 9)).toEqual(prep.categorical[1]!.mostFrequent === 'FEMALE' ? [1, 0] : [0, 1]);
    rows.forEach((row, i) => input(i).forEach((v, k) => expect(v).toBeCloseTo(encodeRow(prep, header, row)[k]!, 5)));
    expect(got.rows[0]![0]).toBe('Gentoo'); // a Biscoe penguin with a long flipper and heavy body
  });

  it('evaluate reads a file with the ignored id column; summary lists the encoded columns', async () => {
    const e = await ok(evaluate, [model, testCsv, '--json']);
    const ev = JSON.parse(e.stdout) as { rows: number; accuracy: number };
    expect(ev.rows).toBe(400);
    expect(ev.accuracy).toBeGreaterThan(0.95);
    expect(e.stderr).toBe('');
    const s = await ok(summary, [model]);
    const prep = readPrep(model);
    expect(s.stdout).toContain('Ignored columns: id');
    expect(s.stdout).toContain(
      'Categorical columns, one-hot encoded (9 model inputs in all; an unseen category is all zeros):',
    );
    expect(s.stdout).toContain(
      `  island → 3 inputs: island=Biscoe, island=Dream, island=Torgersen; empty cells filled with '${prep.categorical[0]!.mostFrequent}'`,
    );
    expect(s.stdout).toContain(
      `  sex → 2 inputs: sex=FEMALE, sex=MALE; empty cells filled with '${prep.categorical[1]!.mostFrequent}'`,
    );
    expect(s.stdout).toContain('Standardized: yes (the 4 numeric features)');
  });

  it('the real command prints the warning once per column on stderr', () => {
    requireBuild();
    const r = simdnet(['predict', model, join(d, 'new-penguins.csv'), '--out', join(d, 'p.csv')], d);
    expect(r.status).toBe(0);
    expect(r.stderr.match(/simdnet: warning: column 'island' has the category 'Atlantis'/g)).toHaveLength(1);
    expect(r.stderr.match(/simdnet: warning: column 'sex' has the category 'X'/g)).toHaveLength(1);
    expect(r.stderr).toMatch(/Wrote 6 predictions/);
  });
});

describe('--categorical: categories coded as numbers', () => {
  // y = 1 exactly in zone 2 of 3: not monotonic in the zone number, so a linear model needs the one-hot zone.
  const u = rng(5);
  const lines = ['zone,grade,x,y'];
  for (let i = 0; i < 300; i++) {
    const zone = 1 + Math.floor(u() * 3),
      grade = [10, 20][Math.floor(u() * 2)]!,
      x = (u() - 0.5).toFixed(3);
    lines.push(`${zone},${grade},${x},${zone === 2 ? 1 : 0}`);
  }
  const file = write(d, 'zones.csv', `${lines.join('\n')}\n`);
  const common = ['--target', 'y', '--layers', 'none', '--learning-rate', '0.05', '--epochs', '100', '--verbose', '0'];

  it('a numeric column is numeric unless named; named, it is one-hot with numeric categories', async () => {
    await ok(train, [file, ...common, '--out', join(d, 'zones-numeric')]);
    expect(readPrep(join(d, 'zones-numeric')).categorical).toEqual([]);
    const numeric = JSON.parse((await ok(evaluate, [join(d, 'zones-numeric'), file, '--json'])).stdout) as {
      accuracy: number;
    };
    await ok(train, [file, ...common, '--categorical', 'zone', '--out', join(d, 'zones-cat')]);
    const prep = readPrep(join(d, 'zones-cat'));
    expect(prep.categorical).toEqual([
      { column: 'zone', categories: ['1', '2', '3'], numeric: true, mostFrequent: null },
    ]);
    const cat = JSON.parse((await ok(evaluate, [join(d, 'zones-cat'), file, '--json'])).stdout) as { accuracy: number };
    expect(cat.accuracy).toBe(1);
    expect(numeric.accuracy).toBeLessThan(0.8);
  });

  it('a number in another spelling is the same category (2.0 is 2)', async () => {
    const a = write(d, 'zone-a.csv', 'zone,grade,x\n2,10,0.1\n3,20,-0.2\n');
    const b = write(d, 'zone-b.csv', 'zone,grade,x\n2.0,10,0.1\n3e0,20,-0.2\n');
    const ra = await ok(predict, [join(d, 'zones-cat'), a]);
    const rb = await ok(predict, [join(d, 'zones-cat'), b]);
    expect(rb.stdout).toBe(ra.stdout);
    expect(rb.stderr).toBe('');
  });

  it('repeated, as a comma-separated list, or by index: the same columns', async () => {
    const cats = async (args: string[], name: string) => {
      await ok(train, [file, ...common, '--epochs', '1', ...args, '--out', join(d, name)]);
      return readPrep(join(d, name)).categorical.map((c) => c.column);
    };
    expect(await cats(['--categorical', 'zone', '--categorical', 'grade'], 'z1')).toEqual(['zone', 'grade']);
    expect(await cats(['--categorical', 'zone,grade'], 'z2')).toEqual(['zone', 'grade']);
    expect(await cats(['--categorical', '1,0'], 'z3')).toEqual(['zone', 'grade']);
    // Without a header: col0, col1, … or indices.
    const noHeader = write(d, 'zones-nh.csv', `${lines.slice(1).join('\n')}\n`);
    await ok(train, [
      noHeader,
      '--no-header',
      '--target',
      'last',
      '--categorical',
      'col0',
      '--epochs',
      '1',
      '-q',
      '--out',
      join(d, 'z4'),
    ]);
    expect(readPrep(join(d, 'z4')).categorical.map((c) => c.column)).toEqual(['col0']);
  });
});

describe('standardization by default', () => {
  const file = write(d, 'ab.csv', smallBinaryCsv(60, 3));
  const base = ['--target', 'y', '--test-split', '0', '--validation-split', '0', '--epochs', '1', '-q'];
  const T = table(readFileSync(file, 'utf8'));

  it("standardizes with the training rows' mean and deviation unless --no-standardize; --standardize is accepted", async () => {
    await ok(train, [file, ...base, '--out', join(d, 's-default')]);
    const p = readPrep(join(d, 's-default'));
    expect(p.standardize).toBe(true);
    for (let k = 0; k < 2; k++) {
      const v = T.rows.map((r) => Number(r[k]));
      const mean = v.reduce((a, b) => a + b, 0) / v.length;
      expect(p.means![k]).toBeCloseTo(mean, 12);
      expect(p.stds![k]).toBeCloseTo(Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length), 12);
    }
    await ok(train, [file, ...base, '--standardize', '--out', join(d, 's-on')]);
    expect(readPrep(join(d, 's-on'))).toEqual(p);
    await ok(train, [file, ...base, '--no-standardize', '--out', join(d, 's-off')]);
    const off = readPrep(join(d, 's-off'));
    expect(off.standardize).toBe(false);
    expect(off.means).toBeNull();
    expect(off.stds).toBeNull();
  });

  it('--help states the defaults', async () => {
    const h = await ok(train, ['--help']);
    expect(h.stdout).toMatch(
      /--no-standardize +keep numeric features as they are\. By default each numeric feature is\n +scaled/,
    );
    expect(h.stdout).toMatch(/default 32: one\n +hidden layer of 32 units/);
    expect(h.stdout).toMatch(/--learning-rate LR +default 0\.005 with adam/);
    expect(h.stdout).toMatch(/--epochs 500 +at most this many epochs \(default 500/);
    expect(h.stdout).toMatch(/\(default 30; 0 turns it off\)/);
    expect(h.stdout).toMatch(/--categorical COL/);
    expect(h.stdout).toMatch(/--ignore COL/);
  });
});

describe('a version 1 preprocessing.json (written before categorical columns)', () => {
  // test/fixtures/cli/v1-model: written by simdnet train at commit e3294853 (before this change) with
  //   simdnet train data.csv --target y --standardize --layers 4 --epochs 30 --learning-rate 0.05 --seed 2
  // on smallBinaryCsv(60, 1).
  const model = join(d, 'v1-model');
  cpSync(join(ROOT, 'test', 'fixtures', 'cli', 'v1-model'), model, { recursive: true });
  const csv = smallBinaryCsv(60, 1);
  const file = write(d, 'v1-data.csv', csv);

  it('loads: predict, evaluate and summary work, and predictions follow its standardization', async () => {
    const prep = readPrep(model);
    expect(prep.version).toBe(1);
    expect(prep.categorical).toBeUndefined();
    const r = await ok(predict, [model, file]);
    const T = table(csv);
    const want = await expectedProbabilities(model, { ...prep, categorical: [] }, T.header, T.rows);
    const got = readPredictions(r.stdout).rows.map((row) => row.slice(1).map(Number));
    expect(got).toHaveLength(60);
    expect(maxDiff(got, want)).toBeLessThan(1e-5);
    const e = JSON.parse((await ok(evaluate, [model, file, '--json'])).stdout) as { accuracy: number };
    expect(e.accuracy).toBeGreaterThan(0.9);
    const s = await ok(summary, [model]);
    expect(s.stdout).toMatch(/Features \(2, matched by header name\): a, b\nStandardized: yes\nEmpty cells: refused/);
    expect(s.stdout).not.toMatch(/Categorical|Ignored/);
  });

  it('a version 1 file that claims categorical columns is corrupt', async () => {
    const bad = join(d, 'v1-bad');
    cpSync(model, bad, { recursive: true });
    writeFileSync(join(bad, 'preprocessing.json'), JSON.stringify({ ...readPrep(model), categorical: [] }));
    await fails(
      predict,
      [bad, file],
      /preprocessing\.json is corrupt: a version 1 file has no 'ignored' or 'categorical'/,
    );
  });
});
