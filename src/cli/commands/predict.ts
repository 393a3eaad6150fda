/**
 * `simdnet predict DIR DATA.csv [--out FILE]`: apply the saved preprocessing
 * and the model to a CSV, and write one line per row: the predicted class
 * label (as it was in the training data) and each class's probability, or the
 * predicted value for regression.
 */
import { readTable } from '../csv.js';
import { FeatureKind, mapColumns, readFeatures, transform, unseenWarning } from '../preprocess.js';
import { checkParentDir, csvLine, formatValue, writeFileAtomic } from '../util.js';
import { decodeOutputs, loadModelDir, parseCommandArgs, positionals } from './common.js';
import type { LoadedModel } from './common.js';

export const predictHelp = `Usage: simdnet predict DIR DATA.csv [--out predictions.csv]

Predict with a model directory written by simdnet train. DATA.csv has the
model's feature columns (matched by name when both files have a header, else
by position), with or without the target column.

Output: a CSV with a 'prediction' column (the class label, as in the training
data, or the predicted value) and, for classifiers, one 'probability_<class>'
column per class; one line per input row, in order.

  -o, --out FILE          write the predictions to FILE (default: standard output)
  --header, --no-header   whether DATA.csv's first line is a header (default: guessed)
`;

const options = {
  out: { type: 'string', short: 'o' },
  header: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/**
 * Read DATA.csv for a loaded model: the model's input rows (and the table, for
 * the target). A category the model did not see in training is encoded as all
 * zeros, with a warning on stderr once per column.
 */
export function modelInput(m: LoadedModel, file: string, header: boolean | undefined, needTarget: boolean) {
  const table = readTable(file, header);
  const { featureIdx, targetIdx } = mapColumns(table, m.prep, needTarget);
  const categorical = new Set(m.prep.categorical.map((c) => c.column));
  const kinds: FeatureKind[] = m.prep.features.map((f) => (categorical.has(f) ? 'categorical' : 'numeric'));
  const cols = readFeatures(table, featureIdx, kinds, m.prep.impute !== null, true);
  const x = transform(table, cols, m.prep);
  for (const u of x.unseen) process.stderr.write(unseenWarning(table, u));
  return { table, targetIdx, x: { data: x.data, shape: x.shape } };
}

export async function predict(args: string[]): Promise<number> {
  const { values: v, positionals: pos } = parseCommandArgs('predict', args, options);
  if (v.help) {
    process.stdout.write(predictHelp);
    return 0;
  }
  const [dir, file] = positionals('predict', pos, ['DIR', 'DATA.csv']);
  if (v.out !== undefined && v.out !== '-') checkParentDir(v.out, 'the predictions');
  const m = await loadModelDir(dir);
  const { table, x } = modelInput(m, file, v.header, false);
  const n = table.rows.length;
  const out = m.model.predict(x, { batchSize: 256 }).values;
  const d = decodeOutputs(out, n, m.prep);
  const classes = m.prep.classes;
  const head = ['prediction', ...(classes ? classes.map((c) => `probability_${c}`) : [])];
  const lines = [csvLine(head)];
  for (let i = 0; i < n; i++) {
    const f = [d.predictions[i]!];
    if (classes)
      for (let k = 0; k < classes.length; k++) f.push(formatValue(d.probabilities![i * classes.length + k]!));
    lines.push(csvLine(f));
  }
  const text = `${lines.join('\n')}\n`;
  if (v.out === undefined || v.out === '-') process.stdout.write(text);
  else {
    writeFileAtomic(v.out, text);
    process.stderr.write(`Wrote ${n} prediction${n === 1 ? '' : 's'} to ${v.out}\n`);
  }
  return 0;
}
