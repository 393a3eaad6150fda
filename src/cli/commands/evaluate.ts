/**
 * `simdnet evaluate DIR DATA.csv`: the model's loss and metrics on a CSV that
 * includes the target column. Classifiers: loss, accuracy and the confusion
 * counts; regression: loss plus MSE, RMSE, MAE and R² in the target's units.
 */
import { CliError } from '../util.js';
import { Task, classIndices, readTargetCells, targetValues } from '../preprocess.js';
import { decodeOutputs, loadModelDir, parseCommandArgs, positionals } from './common.js';
import type { LoadedModel } from './common.js';
import { modelInput } from './predict.js';

export const evaluateHelp = `Usage: simdnet evaluate DIR DATA.csv [--json]

Evaluate a model directory written by simdnet train on DATA.csv, which must
hold the model's feature columns and the target column.

  --json                  print the results as one JSON object
  --header, --no-header   whether DATA.csv's first line is a header (default: guessed)
`;

const options = {
  json: { type: 'boolean' },
  header: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export interface EvaluateResult {
  rows: number;
  task: Task;
  loss: number;
  /** Classifiers: accuracy, the class labels, and confusion[true class][predicted class] = rows. */
  accuracy?: number;
  classes?: string[];
  confusion?: number[][];
  /** Regression, in the target's units. */
  mse?: number;
  rmse?: number;
  mae?: number;
  r2?: number | null;
}

/** The loss and metrics of a loaded model on `file` (which must have the target column). */
export function evaluateModel(m: LoadedModel, file: string, header: boolean | undefined): EvaluateResult {
  const p = m.prep;
  const { table, targetIdx, x } = modelInput(m, file, header, true);
  if (targetIdx < 0) throw new CliError(`${file} has no target column '${p.target}'`);
  const n = table.rows.length;
  const cells = readTargetCells(table, targetIdx);
  const out = m.model.predict(x, { batchSize: 256 }).values;
  const d = decodeOutputs(out, n, p);

  if (p.task === 'regression') {
    const y = targetValues(table, targetIdx, cells);
    const yModel = new Float32Array(n);
    for (let i = 0; i < n; i++) yModel[i] = p.targetStd !== null ? (y[i]! - p.targetMean!) / p.targetStd : y[i]!;
    const logs = m.model.evaluate(x, { data: yModel, shape: [n, 1] }, { batchSize: 256 });
    let se = 0,
      ae = 0,
      mean = 0;
    for (let i = 0; i < n; i++) mean += y[i]! / n;
    let ss = 0;
    for (let i = 0; i < n; i++) {
      const e = d.values![i]! - y[i]!;
      se += e * e;
      ae += Math.abs(e);
      ss += (y[i]! - mean) ** 2;
    }
    return {
      rows: n,
      task: p.task,
      loss: logs.loss!,
      mse: se / n,
      rmse: Math.sqrt(se / n),
      mae: ae / n,
      r2: ss > 0 ? 1 - se / ss : null,
    };
  }
  const classes = p.classes!,
    K = classes.length;
  const idx = classIndices(table, targetIdx, cells, classes, p.classesNumeric);
  let y: { data: Float32Array; shape: number[] };
  if (p.encoding === 'onehot') {
    const data = new Float32Array(n * K);
    for (let i = 0; i < n; i++) data[i * K + idx[i]!] = 1;
    y = { data, shape: [n, K] };
  } else y = { data: Float32Array.from(idx), shape: [n, 1] };
  const logs = m.model.evaluate(x, y, { batchSize: 256 });
  let correct = 0;
  const confusion = classes.map(() => new Array<number>(K).fill(0));
  for (let i = 0; i < n; i++) {
    if (d.indices![i] === idx[i]) correct++;
    confusion[idx[i]!]![d.indices![i]!]!++;
  }
  return { rows: n, task: p.task, loss: logs.loss!, accuracy: correct / n, classes, confusion };
}

export async function evaluate(args: string[]): Promise<number> {
  const { values: v, positionals: pos } = parseCommandArgs('evaluate', args, options);
  if (v.help) {
    process.stdout.write(evaluateHelp);
    return 0;
  }
  const [dir, file] = positionals('evaluate', pos, ['DIR', 'DATA.csv']);
  const m = await loadModelDir(dir);
  const p = m.prep;
  const result = evaluateModel(m, file, v.header) as unknown as Record<string, unknown>;
  const n = result.rows as number;
  if (v.json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return 0;
  }
  const f = (k: string) => (typeof result[k] === 'number' ? (result[k] as number).toFixed(4) : String(result[k]));
  process.stdout.write(`Evaluated ${n} rows of ${file} (${p.task}, target '${p.target}')\n`);
  if (p.task === 'regression') {
    process.stdout.write(
      `loss: ${f('loss')}${p.targetStd !== null ? ' (standardized units)' : ''} - mse: ${f('mse')} - rmse: ${f('rmse')} - mae: ${f('mae')} - r2: ${f('r2')}\n`,
    );
  } else {
    process.stdout.write(`loss: ${f('loss')} - accuracy: ${f('accuracy')}\n`);
    const classes = p.classes!;
    if (classes.length <= 12) {
      const conf = result.confusion as number[][];
      const w = Math.max(6, ...classes.map((c) => c.length + 1), ...conf.flat().map((c) => String(c).length + 1));
      process.stdout.write(
        `Confusion (rows: true class, columns: predicted)\n${''.padStart(w)}${classes.map((c) => c.padStart(w)).join('')}\n`,
      );
      conf.forEach((row, i) =>
        process.stdout.write(`${classes[i]!.padStart(w)}${row.map((c) => String(c).padStart(w)).join('')}\n`),
      );
    }
  }
  return 0;
}
