/**
 * Bad input to the real `simdnet` command, in a child process: a clear
 * message on stderr, a non-zero exit, and nothing written (no model directory,
 * no predictions, no plot, no temporary file).
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Run, cleanup, entries, requireBuild, scratch, simdnet, smallBinaryCsv, write } from './helpers.js';

beforeAll(requireBuild);

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) cleanup(d);
  dirs = [];
});
function tmp(): string {
  const d = scratch();
  dirs.push(d);
  return d;
}

function fails(r: Run, message: RegExp, status = 1): void {
  expect(r.stderr, `stdout was: ${r.stdout}`).toMatch(message);
  expect(r.stderr).toMatch(/^simdnet: error: /);
  expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  expect(r.status).toBe(status);
}

/** Train on `csv` (written as data.csv) with `args`; expect failure and that only data.csv remains. */
function trainFails(csv: string | Buffer, args: string[], message: RegExp, status = 1): Run {
  const d = tmp();
  write(d, 'data.csv', csv);
  const r = simdnet(
    ['train', 'data.csv', '--out', 'model', '--plot', 'curves.svg', '--epochs', '2', '--verbose', '0', ...args],
    d,
  );
  fails(r, message, status);
  expect(entries(d)).toEqual(['data.csv']);
  return r;
}

describe('simdnet train: bad data', () => {
  it('a missing file', () => {
    const d = tmp();
    const r = simdnet(['train', 'nope.csv', '--target', 'y', '--out', 'model'], d);
    fails(r, /file not found: nope\.csv/);
    expect(entries(d)).toEqual([]);
  });

  it('an empty file, and one with only a byte-order mark and blank lines', () => {
    trainFails('', ['--target', 'y'], /data\.csv is empty/);
    trainFails('\uFEFF\r\n\r\n  \n', ['--target', 'y'], /data\.csv is empty/);
  });

  it('a header-only file', () => {
    trainFails('a,b,y\n', ['--target', 'y'], /has a header \(a, b, y\) but no data rows/);
    trainFails('a,b,y\r\n', ['--target', 'y', '--header'], /has a header \(a, b, y\) but no data rows/);
  });

  it('a ragged row, naming its line', () => {
    trainFails('a,b,y\n1,2,0\n3,4\n5,6,1\n', ['--target', 'y'], /data\.csv, line 3: 2 fields, but line 1 has 3/);
    // A quoted field spanning lines does not throw the count off.
    trainFails('a,b,y\n1,"two\nlines",0\n3,4,1\n5,6\n', ['--target', 'y'], /line 5: 2 fields/);
  });

  it('a non-numeric cell in a feature column, naming line and column', () => {
    trainFails(
      'a,b,y\n1,2,0\n3,x7,1\n5,6,1\n',
      ['--target', 'y'],
      /data\.csv, line 3, column 'b' \(2nd\): 'x7' is not a number/,
    );
  });

  it('invalid CSV (an unclosed quote)', () => {
    trainFails('a,b,y\n1,"2,0\n3,4,1\n', ['--target', 'y'], /data\.csv is not valid CSV: .*[Qq]uote/);
  });

  it('empty cells: an error naming them, unless --impute', () => {
    const csv = 'a,b,y\n1,,0\n3,4,1\n5,6,0\n,8,1\n9,10,0\n11,12,1\n13,14,0\n15,16,1\n17,18,0\n19,20,1\n';
    trainFails(
      csv,
      ['--target', 'y'],
      /2 empty cells in feature columns: line 2 column 'b', line 5 column 'a'.*--impute mean\|median/,
    );
    const d = tmp();
    write(d, 'data.csv', csv);
    const r = simdnet(
      [
        'train',
        'data.csv',
        '--target',
        'y',
        '--impute',
        'median',
        '--test-split',
        '0',
        '--validation-split',
        '0',
        '--epochs',
        '2',
        '--out',
        'model',
        '-q',
      ],
      d,
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const prep = JSON.parse(readFileSync(join(d, 'model', 'preprocessing.json'), 'utf8'));
    expect(prep.impute).toBe('median');
    expect(prep.imputeValues).toEqual([11, 12]); // medians of the present values (a: 1,3,5,9,…,19; b: 4,6,…,20)
    // An empty target cell is never imputed.
    trainFails(
      'a,b,y\n1,2,\n3,4,1\n5,6,0\n',
      ['--target', 'y', '--impute', 'mean'],
      /line 2, column 'y' \(3rd\): the target is empty/,
    );
  });

  it('an unknown target column, listing the columns', () => {
    trainFails(
      smallBinaryCsv(20),
      ['--target', 'label'],
      /unknown target column 'label'\. The columns of data\.csv are: a, b, y/,
    );
    trainFails('1,2,0\n3,4,1\n', ['--target', '7', '--no-header'], /has 3 columns, so an index must be in 0\.\.2/);
  });

  it('a target with one class', () => {
    trainFails('a,b,y\n1,2,1\n3,4,1\n5,6,1\n', ['--target', 'y'], /only one class \("1"\) in 3 rows/);
  });

  it('fewer rows than a split needs', () => {
    trainFails(
      'a,b,y\n1,2,0\n3,4,1\n5,6,0\n',
      ['--target', 'y', '--test-split', '0.1'],
      /--test-split 0\.1 of 3 rows leaves no test row: it needs at least 5 rows/,
    );
    trainFails(
      'a,b,y\n1,2,0\n3,4,1\n5,6,0\n',
      ['--target', 'y', '--test-split', '0', '--validation-split', '0.1'],
      /--validation-split 0\.1 of the 3 rows .* leaves no validation row/,
    );
  });

  it('NaN and infinity', () => {
    trainFails(
      'a,b,y\n1,2,0\n3,NaN,1\n',
      ['--target', 'y'],
      /line 3, column 'b' \(2nd\): 'NaN' is not a finite number/,
    );
    trainFails(
      'a,b,y\n1,2,0\n-Infinity,4,1\n',
      ['--target', 'y'],
      /line 3, column 'a' \(1st\): '-Infinity' is not a finite number/,
    );
    trainFails('a,b,y\n1,2,0\n1e999,4,1\n', ['--target', 'y'], /'1e999' is not a finite number/);
    trainFails(
      'a,b,y\n1,2,0.5\n3,4,inf\n5,6,7\n',
      ['--target', 'y'],
      /line 3, column 'y' \(3rd\): 'inf' is not a finite number/,
    );
  });

  it('a column mixing numbers and text: the text cell is an error, with a hint to --categorical', () => {
    trainFails(
      'a,b,y\n1,2,0\n3,x7,1\n5,6,1\n',
      ['--target', 'y'],
      /line 3, column 'b' \(2nd\): 'x7' is not a number\. Feature columns must be numeric or categorical\. Its other cells are numbers; if the column holds categories, pass --categorical 'b'\./,
    );
  });

  it('a missing-value marker such as NA in a numeric column: the error says to leave the cell empty', () => {
    trainFails(
      'a,b,y\n1,2,0\n3,NA,1\n5,6,1\n',
      ['--target', 'y'],
      /line 3, column 'b' \(2nd\): 'NA' is not a number\. Feature columns must be numeric or categorical\. If 'NA' marks a missing value, leave the cell empty instead and pass --impute mean\|median to fill it\./,
    );
    trainFails(
      'a,b,y\n1,2,0\n3,?,1\n5,6,1\n',
      ['--target', 'y'],
      /'\?' is not a number\. .*If '\?' marks a missing value/,
    );
  });

  it('a text column of distinct values (an id, free text) is refused, with a hint to --ignore it', () => {
    const rows = smallBinaryCsv(60)
      .trim()
      .split('\n')
      .map((l, i) => `${i === 0 ? 'name' : `n${i}`},${l}`);
    // 20 rows or more, all distinct, is an id too.
    trainFails(
      `${rows.slice(0, 21).join('\n')}\n`,
      ['--target', 'y'],
      /column 'name' of data\.csv holds text with 20 distinct values in 20 rows/,
    );
    trainFails(
      `${rows.join('\n')}\n`,
      ['--target', 'y'],
      /column 'name' of data\.csv holds text with 60 distinct values in 60 rows \('n1', 'n2', 'n3', 'n4', 'n5', …\): too many to be categories; it looks like an id or free text\. Pass --ignore 'name' to leave it out, or --categorical 'name' to one-hot encode it anyway\./,
    );
  });

  it('bad --categorical and --ignore: unknown columns, the target, both at once, no feature left', () => {
    const csv = smallBinaryCsv(20);
    trainFails(
      csv,
      ['--target', 'y', '--categorical', 'colour'],
      /--categorical 'colour': no such column\. The columns of data\.csv are: a, b, y\. Pass a column name or a 0-based index/,
    );
    trainFails(
      csv,
      ['--target', 'y', '--ignore', 'a,id'],
      /--ignore 'id': no such column\. The columns of data\.csv are: a, b, y/,
    );
    trainFails(csv, ['--target', 'y', '--ignore', '7'], /--ignore '7': no such column/);
    trainFails(
      csv,
      ['--target', 'y', '--ignore', 'y'],
      /--ignore 'y': that is the target column \(--target y\)\. A column cannot be both ignored and predicted/,
    );
    trainFails(csv, ['--target', 'last', '--ignore', '2'], /--ignore 'y': that is the target column \(--target last\)/);
    trainFails(
      csv,
      ['--target', 'y', '--categorical', 'y'],
      /--categorical 'y': that is the target column \(--target y\)\. --categorical names feature columns/,
    );
    trainFails(
      csv,
      ['--target', 'y', '--categorical', 'a', '--ignore', 'a'],
      /column 'a' given to both --categorical and --ignore/,
    );
    trainFails(
      csv,
      ['--target', 'y', '--ignore', 'a', '--ignore', 'b'],
      /--ignore leaves no feature column: data\.csv has only the target 'y' besides the ignored 'a', 'b'/,
    );
  });

  it('only the target column', () => {
    trainFails('y\n1\n0\n', ['--target', 'y'], /only the target column 'y'/);
  });

  it('a bad command line exits 2 with usage', () => {
    trainFails(smallBinaryCsv(20), [], /--target COLUMN is required[\s\S]*simdnet train --help/, 2);
    trainFails(smallBinaryCsv(20), ['--target', 'y', '--frobnicate'], /Unknown option '--frobnicate'/, 2);
    trainFails(
      smallBinaryCsv(20),
      ['--target', 'y', '--epochs', 'ten'],
      /--epochs expects an integer ≥ 1; got 'ten'/,
      2,
    );
    trainFails(
      smallBinaryCsv(20),
      ['--target', 'y', '--layers', '10,x'],
      /--layers expects comma-separated positive integers/,
      2,
    );
    trainFails(smallBinaryCsv(20), ['--target', 'y', '--impute', 'mode'], /--impute expects mean or median/, 2);
    trainFails(smallBinaryCsv(20), ['--target', 'y', '--loss', 'nonsense'], /--loss: Unknown value for `loss`/, 2);
    trainFails(
      smallBinaryCsv(20),
      ['--target', 'y', '--task', 'regression', '--loss', 'binary_crossentropy'],
      /is for classification, but the task is regression/,
      2,
    );
    trainFails(
      smallBinaryCsv(20),
      ['--target', 'y', '--optimizer', 'adamm'],
      /--optimizer: Unknown value for `optimizer`/,
      2,
    );
    trainFails(smallBinaryCsv(20), ['--target', 'y', '--activation', 'relux'], /unknown activation 'relux'/, 2);
    const d = tmp();
    fails(simdnet(['fly'], d), /unknown command 'fly'/, 2);
  });

  it('an --out directory holding other files is not overwritten; a missing parent is refused up front', () => {
    const d = tmp();
    write(d, 'data.csv', smallBinaryCsv(40));
    mkdirSync(join(d, 'mine'));
    writeFileSync(join(d, 'mine', 'notes.txt'), 'keep me');
    fails(
      simdnet(['train', 'data.csv', '--target', 'y', '--out', 'mine', '--epochs', '1', '-q'], d),
      /does not overwrite it/,
    );
    expect(readFileSync(join(d, 'mine', 'notes.txt'), 'utf8')).toBe('keep me');
    expect(entries(join(d, 'mine'))).toEqual(['notes.txt']);
    fails(
      simdnet(
        ['train', 'data.csv', '--target', 'y', '--out', 'model', '--plot', 'no/such/dir/p.svg', '--epochs', '1', '-q'],
        d,
      ),
      /cannot write the plot no\/such\/dir\/p\.svg: the directory .* does not exist/,
    );
    expect(entries(d)).toEqual(['data.csv', 'mine']);
  });
});

describe('simdnet predict / evaluate / summary: bad model directories and data', () => {
  /** A trained model on a.b.y data, in d/model. */
  function trained(d: string): void {
    write(d, 'data.csv', smallBinaryCsv(60));
    const r = simdnet(['train', 'data.csv', '--target', 'y', '--epochs', '2', '--out', 'model', '-q'], d);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  }

  it('a model directory that does not exist, or is not a model', () => {
    const d = tmp();
    write(d, 'data.csv', smallBinaryCsv(10));
    fails(simdnet(['predict', 'nomodel', 'data.csv', '--out', 'p.csv'], d), /model directory not found: nomodel/);
    fails(simdnet(['evaluate', 'nomodel', 'data.csv'], d), /model directory not found: nomodel/);
    fails(simdnet(['summary', 'nomodel'], d), /model directory not found: nomodel/);
    mkdirSync(join(d, 'empty'));
    fails(
      simdnet(['predict', 'empty', 'data.csv', '--out', 'p.csv'], d),
      /empty is not a simdnet model directory: it has no model\.json/,
    );
    fails(
      simdnet(['predict', 'data.csv', 'data.csv', '--out', 'p.csv'], d),
      /data\.csv is not a model directory \(it is a file\)/,
    );
    expect(entries(d)).toEqual(['data.csv', 'empty']);
  });

  it('a corrupt model directory', () => {
    const d = tmp();
    trained(d);
    const model = join(d, 'model');
    const good = {
      json: readFileSync(join(model, 'model.json')),
      prep: readFileSync(join(model, 'preprocessing.json')),
      bin: readFileSync(join(model, 'weights.bin')),
    };
    const restore = () => {
      writeFileSync(join(model, 'model.json'), good.json);
      writeFileSync(join(model, 'preprocessing.json'), good.prep);
      writeFileSync(join(model, 'weights.bin'), good.bin);
    };
    const predictFails = (re: RegExp) => {
      fails(simdnet(['predict', 'model', 'data.csv', '--out', 'p.csv'], d), re);
      expect(existsSync(join(d, 'p.csv'))).toBe(false);
      restore();
    };
    writeFileSync(join(model, 'model.json'), '{"modelTopology": {"class_name": "Sequ');
    predictFails(/cannot load the model in model: /);
    writeFileSync(join(model, 'weights.bin'), good.bin.subarray(0, 100));
    predictFails(/cannot load the model in model: .*/);
    writeFileSync(join(model, 'preprocessing.json'), 'not json');
    predictFails(/model[/\\]preprocessing\.json is corrupt/);
    writeFileSync(
      join(model, 'preprocessing.json'),
      JSON.stringify({ ...JSON.parse(good.prep.toString()), features: ['a'] }),
    );
    predictFails(/does not match its preprocessing\.json|preprocessing\.json is corrupt/);
    writeFileSync(
      join(model, 'preprocessing.json'),
      JSON.stringify({ ...JSON.parse(good.prep.toString()), means: [0, 'x'] }),
    );
    predictFails(/preprocessing\.json is corrupt: 'means' must be null or 2 finite numbers/);
    rmSync(join(model, 'preprocessing.json'));
    predictFails(/has no preprocessing\.json/);
    expect(entries(d)).toEqual(['data.csv', 'model']);
  });

  it('a predict CSV whose columns do not match the model', () => {
    const d = tmp();
    trained(d);
    write(d, 'other.csv', 'a,c\n1,2\n3,4\n');
    fails(
      simdnet(['predict', 'model', 'other.csv', '--out', 'p.csv'], d),
      /the columns of other\.csv do not match the model's: missing 'b'; unexpected 'c'\. The model takes a, b/,
    );
    write(d, 'nohead.csv', '1,2,3,4\n5,6,7,8\n');
    fails(
      simdnet(['predict', 'model', 'nohead.csv', '--out', 'p.csv'], d),
      /it has 4 columns, the model needs 2 feature columns \(or 3 with the target\)/,
    );
    write(d, 'notarget.csv', 'a,b\n1,2\n');
    fails(simdnet(['evaluate', 'model', 'notarget.csv'], d), /missing 'y'/);
    write(d, 'badcell.csv', 'a,b\n1,2\n3,\n');
    fails(
      simdnet(['predict', 'model', 'badcell.csv', '--out', 'p.csv'], d),
      /1 empty cell in feature columns: line 3 column 'b'\. The model was trained without --impute/,
    );
    write(d, 'textcell.csv', 'a,b\n1,2\n3,x\n');
    fails(
      simdnet(['predict', 'model', 'textcell.csv', '--out', 'p.csv'], d),
      /textcell\.csv, line 3, column 'b' \(2nd\): 'x' is not a number\. Feature columns must be numeric or categorical\. The model takes this column as numbers\./,
    );
    write(d, 'newclass.csv', 'a,b,y\n1,2,0\n3,4,2\n');
    fails(
      simdnet(['evaluate', 'model', 'newclass.csv'], d),
      /newclass\.csv, line 3, column 'y' \(3rd\): '2' is not one of the model's classes \(0, 1\)/,
    );
    expect(entries(d).filter((f) => f !== 'model')).toEqual([
      'badcell.csv',
      'data.csv',
      'newclass.csv',
      'nohead.csv',
      'notarget.csv',
      'other.csv',
      'textcell.csv',
    ]);
  });

  it('a model with a categorical column and no --impute: an empty cell there is an error; an id column it ignored may be there or not', () => {
    const d = tmp();
    const rows = smallBinaryCsv(60)
      .trim()
      .split('\n')
      .map((l, i) => (i === 0 ? `id,${l},colour` : `${i},${l},${i % 3 === 0 ? 'red' : 'blue'}`));
    write(d, 'data.csv', `${rows.join('\n')}\n`);
    const r = simdnet(
      ['train', 'data.csv', '--target', 'y', '--ignore', 'id', '--epochs', '2', '--out', 'model', '-q'],
      d,
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    write(d, 'empty.csv', 'a,b,colour\n1,2,red\n3,4,\n');
    fails(
      simdnet(['predict', 'model', 'empty.csv', '--out', 'p.csv'], d),
      /1 empty cell in feature columns: line 3 column 'colour'\. The model was trained without --impute/,
    );
    write(d, 'with-id.csv', 'id,a,b,colour\n7,1,2,red\n');
    write(d, 'without-id.csv', 'a,b,colour\n1,2,red\n');
    const a = simdnet(['predict', 'model', 'with-id.csv'], d),
      b = simdnet(['predict', 'model', 'without-id.csv'], d);
    expect(a.status).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    // By position (no header): all the training file's columns, or all but the target, or the features alone.
    write(d, 'pos-all.csv', '7,1,2,0,red\n');
    write(d, 'pos-no-target.csv', '7,1,2,red\n');
    write(d, 'pos-features.csv', '1,2,red\n');
    for (const f of ['pos-all.csv', 'pos-no-target.csv', 'pos-features.csv'])
      expect(simdnet(['predict', 'model', f, '--no-header'], d).stdout).toBe(a.stdout);
    write(d, 'pos-bad.csv', '1,2\n');
    fails(
      simdnet(['predict', 'model', 'pos-bad.csv', '--no-header'], d),
      /it has 2 columns, the model needs the training file's 5 columns \(or 4 without the target, or its 3 feature columns\)/,
    );
  });
});
