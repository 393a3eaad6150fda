/**
 * `simdnet train DATA.csv --target COLUMN [options]`: read a CSV, infer the
 * task, split, impute and standardize from the training rows, train a dense
 * network, report the test split, and save the model with its preprocessing.
 *
 * Everything that can be wrong with the input is checked before training, and
 * nothing is written until training has finished: the model directory is
 * built under a temporary name and renamed into place, the plot is written to
 * a temporary file and renamed.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as sn from '../../index.js';
import { type Table, readTable } from '../csv.js';
import { STREAM_BYTES, analyse } from '../stream.js';
import {
  Encoding,
  Impute,
  Preprocessing,
  Task,
  type TargetInfo,
  type Unseen,
  classIndices,
  featureKinds,
  fitStatistics,
  inferTask,
  inputWidth,
  readFeatures,
  readTargetCells,
  resolveColumnList,
  resolveTarget,
  splitRows,
  targetValues,
  transform,
  unseenWarning,
} from '../preprocess.js';
import { BestEpoch } from '../stopping.js';
import {
  CliError,
  UsageError,
  checkParentDir,
  listForMessage,
  removeQuietly,
  replaceDir,
  tempDirBeside,
  writeFileAtomic,
} from '../util.js';
import {
  PREPROCESSING_FILE,
  checkOutDir,
  dirArg,
  fractionOption,
  intOption,
  numberOption,
  parseCommandArgs,
  positionals,
  saveModel,
} from './common.js';

/** The defaults, chosen on small tabular data (see test/cli/defaults.test.ts). */
export const DEFAULTS = {
  layers: [32],
  learningRate: 0.005,
  epochs: 500,
  patience: 30,
  batchSize: 32,
} as const;

export const trainHelp = `Usage: simdnet train DATA.csv --target COLUMN [options]

Train a dense network on a CSV file and save it (with its preprocessing) to a
directory that simdnet predict / evaluate / summary read.

Data
  --target COLUMN         the column to predict: a header name, a 0-based index, or 'last' (required)
  --header, --no-header   whether the first line is a header (default: guessed from the data).
                          Without a header the columns are named col0, col1, …
  --categorical COL       treat COL as categorical (one-hot encoded). Columns whose cells are all
                          text are categorical already; use this for categories coded as numbers.
                          Repeat it, or give a comma-separated list; names or 0-based indices.
  --ignore COL            leave COL out (an id, a free-text column); repeatable or a comma list
  --impute mean|median    fill empty numeric cells with the training rows' mean or median, and empty
                          categorical cells with their most frequent category (default: empty cells
                          are an error)
  --no-standardize        keep numeric features as they are. By default each numeric feature is
                          scaled to mean 0, deviation 1 with the statistics of the training rows
                          (regression targets too; predictions are mapped back). --standardize is
                          accepted and is the default.

  A category that the training rows do not have (in the validation or test rows here, or in a
  file given to predict or evaluate) is encoded as all zeros, with a warning naming the column.

Task and network
  --task binary|multiclass|regression
                          default: inferred from the target (two values: binary; up to 20 integer or
                          text classes: multiclass; other numbers: regression)
  --layers 32             hidden layer sizes, comma-separated like 64,32 (default ${DEFAULTS.layers.join(',')}: one
                          hidden layer of ${DEFAULTS.layers.join(',')} units; 'none' for no hidden layer)
  --activation relu       hidden-layer activation (default relu)
  --loss NAME             default: binary_crossentropy, sparse_categorical_crossentropy or mse
  --optimizer adam        sgd, adam, adamw, rmsprop, adagrad, adadelta, adamax, nadam, lion, ftrl (default adam)
  --learning-rate LR      default ${DEFAULTS.learningRate} with adam; another --optimizer keeps its own default

Training
  --epochs ${DEFAULTS.epochs}            at most this many epochs (default ${DEFAULTS.epochs}; early stopping usually ends sooner)
  --batch-size ${DEFAULTS.batchSize}         default ${DEFAULTS.batchSize} (capped at the number of training rows)
  --validation-split 0.2  fraction of the non-test rows held out for validation (default 0.2)
  --test-split 0.1        fraction of all rows held out for a final test (default 0.1)
  --seed 1                seeds the split, the initial weights and the shuffling (default 1)
  --stream, --no-stream   read the file as a stream, never whole: two passes for the statistics,
                          then one per epoch (default: streamed when it is larger than 256 MB).
                          Rows are split by a hash of their number; --impute median is refused.
  --early-stopping N      stop after N epochs without a better validation epoch and keep the best
                          epoch's weights (default ${DEFAULTS.patience}; 0 turns it off). A classifier's best epoch
                          has the highest validation accuracy, and among those the lowest
                          validation loss; regression uses the validation loss. Without a
                          validation split, the training loss. A loss must drop by more than
                          0.0001 to count as better.
  --verbose 0|1|2         0 silent, 1 progress bar, 2 one line per epoch (default 1)
  -q, --quiet             print only errors (same as --verbose 0, and no summary)

Output
  -o, --out DIR           model directory (default ./simdnet-model); model.json, weights.bin and
                          preprocessing.json. An existing model there is replaced.
  --plot FILE.svg         write the loss and metric curves per epoch as an SVG chart, with each layer's
                          gradient norm (log10). Layer problems seen while training (vanishing or
                          exploding gradients, dead ReLUs, saturated units) are printed as warnings.
`;

const options = {
  target: { type: 'string', short: 't' },
  header: { type: 'boolean' },
  impute: { type: 'string' },
  standardize: { type: 'boolean' },
  categorical: { type: 'string', multiple: true },
  ignore: { type: 'string', multiple: true },
  task: { type: 'string' },
  layers: { type: 'string' },
  activation: { type: 'string' },
  loss: { type: 'string' },
  optimizer: { type: 'string' },
  'learning-rate': { type: 'string' },
  epochs: { type: 'string' },
  'batch-size': { type: 'string' },
  'validation-split': { type: 'string' },
  'test-split': { type: 'string' },
  seed: { type: 'string' },
  'early-stopping': { type: 'string' },
  verbose: { type: 'string' },
  quiet: { type: 'boolean', short: 'q' },
  out: { type: 'string', short: 'o' },
  plot: { type: 'string' },
  stream: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

interface TrainOptions {
  file: string;
  target: string;
  header: boolean | undefined;
  impute: Impute | null;
  standardize: boolean;
  categorical: string[];
  ignore: string[];
  task: Task | undefined;
  layers: number[];
  activation: string;
  loss: string | undefined;
  optimizer: string;
  learningRate: number | undefined;
  epochs: number;
  batchSize: number;
  validationSplit: number;
  testSplit: number;
  seed: number;
  patience: number;
  verbose: 0 | 1 | 2;
  quiet: boolean;
  out: string;
  plot: string | undefined;
  /** Stream the file (true), read it whole (false), or decide by its size (undefined). */
  stream: boolean | undefined;
}

function readOptions(args: string[]): TrainOptions | null {
  const { values: v, positionals: pos } = parseCommandArgs('train', args, options);
  if (v.help) return null;
  const [file] = positionals('train', pos, ['DATA.csv']);
  if (v.target === undefined)
    throw new UsageError('--target COLUMN is required (a header name, a 0-based index, or last)', 'train');
  if (v.impute !== undefined && v.impute !== 'mean' && v.impute !== 'median')
    throw new UsageError(`--impute expects mean or median; got '${v.impute}'`, 'train');
  if (v.task !== undefined && !['binary', 'multiclass', 'regression'].includes(v.task))
    throw new UsageError(`--task expects binary, multiclass or regression; got '${v.task}'`, 'train');
  let layers: number[] = [...DEFAULTS.layers];
  if (v.layers !== undefined) {
    const s = v.layers.trim();
    layers =
      s === '' || s === 'none'
        ? []
        : s.split(',').map((u) => {
            const n = Number(u.trim());
            if (u.trim() === '' || !Number.isInteger(n) || n < 1)
              throw new UsageError(
                `--layers expects comma-separated positive integers like 10,8 (or none); got '${v.layers}'`,
                'train',
              );
            return n;
          });
  }
  const activation = v.activation ?? 'relu';
  if (!sn.activationNames.includes(activation) || activation === 'softmax') {
    // The library also accepts camelCase spellings; let it decide, with a clear message.
    try {
      sn.layers.dense({ units: 1, activation });
    } catch {
      throw new UsageError(
        `--activation: unknown activation '${activation}'. Known: ${sn.activationNames.filter((a) => a !== 'softmax').join(', ')}`,
        'train',
      );
    }
  }
  const validationSplit = fractionOption('validation-split', v['validation-split'], 0.2);
  const testSplit = fractionOption('test-split', v['test-split'], 0.1);
  const verboseRaw = v.verbose === undefined ? 1 : intOption('verbose', v.verbose, 1, 0);
  if (verboseRaw > 2) throw new UsageError(`--verbose expects 0, 1 or 2; got '${v.verbose}'`, 'train');
  const quiet = !!v.quiet;
  const patience = intOption('early-stopping', v['early-stopping'], DEFAULTS.patience, 0);
  if (patience > 0 && v['early-stopping'] !== undefined && validationSplit === 0 && !quiet) {
    process.stderr.write('simdnet: note: --early-stopping without a validation split monitors the training loss\n');
  }
  return {
    file,
    target: v.target,
    header: v.header,
    impute: (v.impute as Impute | undefined) ?? null,
    standardize: v.standardize ?? true,
    categorical: v.categorical ?? [],
    ignore: v.ignore ?? [],
    task: v.task as Task | undefined,
    layers,
    activation,
    loss: v.loss,
    optimizer: v.optimizer ?? 'adam',
    learningRate:
      v['learning-rate'] === undefined
        ? undefined
        : numberOption('learning-rate', v['learning-rate'], 0, (x) => x > 0, 'a positive number'),
    epochs: intOption('epochs', v.epochs, DEFAULTS.epochs, 1),
    batchSize: intOption('batch-size', v['batch-size'], DEFAULTS.batchSize, 1),
    validationSplit,
    testSplit,
    seed: intOption('seed', v.seed, 1, 0),
    patience,
    verbose: quiet ? 0 : (verboseRaw as 0 | 1 | 2),
    quiet,
    out: dirArg(v.out ?? 'simdnet-model'),
    plot: v.plot,
    stream: v.stream,
  };
}

/** The loss, output layer and target encoding for a task (and an optional --loss). */
function chooseHead(
  task: Task,
  K: number,
  lossName: string | undefined,
): { loss: string; activation: 'sigmoid' | 'softmax' | 'linear'; units: number; encoding: Encoding } {
  if (lossName === undefined) {
    if (task === 'binary') return { loss: 'binary_crossentropy', activation: 'sigmoid', units: 1, encoding: 'binary' };
    if (task === 'multiclass')
      return { loss: 'sparse_categorical_crossentropy', activation: 'softmax', units: K, encoding: 'sparse' };
    return { loss: 'mean_squared_error', activation: 'linear', units: 1, encoding: 'value' };
  }
  let loss: sn.losses.Loss;
  try {
    const l = sn.losses.getLoss(lossName, 'loss');
    if (!(l instanceof sn.losses.Loss)) throw new Error('not a named loss');
    loss = l;
  } catch (e) {
    throw new UsageError(`--loss: ${(e as Error).message.replace(/, a Loss, or an object.*?\./, '.')}`, 'train');
  }
  const kind = loss.kind;
  if (task === 'regression') {
    if (kind === 'bce' || kind === 'cce' || kind === 'sparse_cce' || kind === 'hinge') {
      throw new UsageError(
        `--loss ${lossName} is for classification, but the task is regression. Use mse, mae, huber or log_cosh, or pass --task.`,
        'train',
      );
    }
    return { loss: loss.name, activation: 'linear', units: 1, encoding: 'value' };
  }
  if (kind === 'sparse_cce') return { loss: loss.name, activation: 'softmax', units: K, encoding: 'sparse' };
  if (kind === 'cce') return { loss: loss.name, activation: 'softmax', units: K, encoding: 'onehot' };
  if (task === 'binary') return { loss: loss.name, activation: 'sigmoid', units: 1, encoding: 'binary' };
  if (kind === 'bce')
    throw new UsageError(
      `--loss ${lossName} needs two classes, but the target has ${K}. Use sparse_categorical_crossentropy or categorical_crossentropy.`,
      'train',
    );
  if (kind === 'hinge') throw new UsageError(`--loss hinge needs two classes, but the target has ${K}.`, 'train');
  return { loss: loss.name, activation: 'softmax', units: K, encoding: 'onehot' };
}

/** Target rows for the loss: 0/1 or class index (one column), one-hot rows, or values. */
function encodeTargets(
  enc: Encoding,
  idx: Int32Array | null,
  vals: Float64Array | null,
  rows: Int32Array,
  K: number,
  tMean: number | null,
  tStd: number | null,
): { data: Float32Array; shape: number[] } {
  const n = rows.length;
  if (enc === 'onehot') {
    const d = new Float32Array(n * K);
    for (let i = 0; i < n; i++) d[i * K + idx![rows[i]!]!] = 1;
    return { data: d, shape: [n, K] };
  }
  const d = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const r = rows[i]!;
    d[i] = enc === 'value' ? (tStd !== null ? (vals![r]! - tMean!) / tStd : vals![r]!) : idx![r]!;
  }
  return { data: d, shape: [n, 1] };
}

function gatherRows(
  { data: X }: { data: Float32Array },
  F: number,
  rows: Int32Array,
): { data: Float32Array; shape: number[] } {
  const d = new Float32Array(rows.length * F);
  for (let i = 0; i < rows.length; i++) d.set(X.subarray(rows[i]! * F, rows[i]! * F + F), i * F);
  return { data: d, shape: [rows.length, F] };
}

/** The target, ignored, categorical and feature columns, checked against each other. */
function resolveColumns(
  table: Pick<Table, 'file' | 'columns' | 'header'>,
  o: TrainOptions,
): { ti: number; ignoredIdx: number[]; namedIdx: number[]; featureIdx: number[] } {
  const t = table as Table;
  const ti = resolveTarget(t, o.target);
  const targetName = table.columns[ti]!;
  const ignoredIdx = resolveColumnList(t, 'ignore', o.ignore);
  const namedIdx = resolveColumnList(t, 'categorical', o.categorical);
  if (ignoredIdx.includes(ti))
    throw new CliError(
      `--ignore '${targetName}': that is the target column (--target ${o.target}). A column cannot be both ignored and predicted; choose another --target or drop it from --ignore.`,
    );
  if (namedIdx.includes(ti)) {
    throw new CliError(
      `--categorical '${targetName}': that is the target column (--target ${o.target}). --categorical names feature columns; the target's classes are inferred (pass --task multiclass to make a numeric target a classifier).`,
    );
  }
  const both = namedIdx.filter((j) => ignoredIdx.includes(j));
  if (both.length > 0)
    throw new CliError(
      `column${both.length === 1 ? '' : 's'} ${both.map((j) => `'${table.columns[j]}'`).join(', ')} given to both --categorical and --ignore: a column is either ignored or used`,
    );
  const featureIdx = table.columns.map((_, j) => j).filter((j) => j !== ti && !ignoredIdx.includes(j));
  if (featureIdx.length === 0) {
    throw new CliError(
      ignoredIdx.length > 0
        ? `--ignore leaves no feature column: ${o.file} has only the target '${targetName}' besides the ignored ${ignoredIdx.map((j) => `'${table.columns[j]}'`).join(', ')}`
        : `${o.file} has only the target column '${targetName}': there are no features to learn from`,
    );
  }
  return { ti, ignoredIdx, namedIdx, featureIdx };
}

/** What both paths know once the data is analysed: the preprocessing file's contents. */
function makePrep(
  table: Pick<Table, 'columns' | 'header'>,
  o: TrainOptions,
  cols: { ti: number; ignoredIdx: number[]; featureIdx: number[] },
  info: TargetInfo,
  head: ReturnType<typeof chooseHead>,
  stats: Pick<Preprocessing, 'imputeValues' | 'means' | 'stds' | 'categorical'>,
  targetMean: number | null,
  targetStd: number | null,
): Preprocessing {
  return {
    format: 'simdnet-preprocessing',
    version: 2,
    header: table.header,
    columns: table.columns,
    target: table.columns[cols.ti]!,
    features: cols.featureIdx.map((j) => table.columns[j]!),
    ignored: [...cols.ignoredIdx].sort((a, b) => a - b).map((j) => table.columns[j]!),
    categorical: stats.categorical,
    task: info.task,
    encoding: head.encoding,
    loss: head.loss,
    metrics: info.task === 'regression' ? ['mae'] : ['accuracy'],
    outputActivation: head.activation,
    outputUnits: head.units,
    classes: info.classes,
    classesNumeric: info.classesNumeric,
    impute: o.impute,
    imputeValues: stats.imputeValues,
    standardize: o.standardize,
    means: stats.means,
    stds: stats.stds,
    targetMean,
    targetStd,
  };
}

/** The lines that describe the data, the same for both paths. */
function describeData(
  say: (s: string) => void,
  o: TrainOptions,
  table: Pick<Table, 'columns' | 'header' | 'headerGuessed'>,
  n: number,
  prep: Preprocessing,
  K: number,
  counts: { train: number; val: number; test: number },
  streamed: boolean,
): void {
  const F = inputWidth(prep);
  const headerNote = table.header
    ? `with a header${table.headerGuessed ? ' (guessed: pass --no-header if the first line is data)' : ''}`
    : `no header, so columns col0..col${table.columns.length - 1}${table.headerGuessed ? ' (guessed: pass --header if the first line is one)' : ''}`;
  say(`Data: ${o.file}: ${n} rows, ${table.columns.length} columns, ${headerNote}${streamed ? ' (streamed)' : ''}`);
  const taskText =
    prep.task === 'regression'
      ? 'regression'
      : `${prep.task} classification, ${K} classes: ${listForMessage(prep.classes!, 12)}`;
  say(`Target: '${prep.target}' → ${taskText}${o.task ? '' : ' (inferred; --task to override)'}`);
  const nCat = prep.categorical.length,
    nNum = prep.features.length - nCat;
  const catText = prep.categorical.map((c) => `${c.column} (${c.categories.length})`).join(', ');
  say(
    `Features: ${prep.features.length}${nCat > 0 ? `: ${nNum} numeric${nNum > 0 && o.standardize ? ', standardized' : ''}; ${nCat} categorical, one-hot: ${catText} → ${F} model inputs` : o.standardize ? ', standardized' : ''}${o.impute ? `; empty cells filled with the ${o.impute}${nCat > 0 ? ' (categorical: the most frequent category)' : ''}` : ''}${prep.ignored.length > 0 ? `; ignored: ${listForMessage(prep.ignored, 20)}` : ''}`,
  );
  say(
    `Split (seed ${o.seed}${streamed ? ', by a hash of the row number' : ''}): ${counts.train} train, ${counts.val} validation, ${counts.test} test`,
  );
}

/** The network for F inputs, compiled; its summary printed. */
function buildModel(
  o: TrainOptions,
  F: number,
  head: ReturnType<typeof chooseHead>,
  metrics: string[],
  say: (s: string) => void,
): sn.Sequential {
  sn.setSeed(o.seed);
  const layers: sn.layers.Layer[] = [];
  o.layers.forEach((units, i) =>
    layers.push(sn.layers.dense({ units, activation: o.activation, ...(i === 0 ? { inputDim: F } : {}) })),
  );
  layers.push(
    sn.layers.dense({
      units: head.units,
      activation: head.activation,
      ...(o.layers.length === 0 ? { inputDim: F } : {}),
    }),
  );
  const model = sn.sequential(layers);
  // The default learning rate is adam's here (the default optimizer); another optimizer keeps its own unless
  // --learning-rate.
  const learningRate = o.learningRate ?? (o.optimizer.toLowerCase() === 'adam' ? DEFAULTS.learningRate : undefined);
  let optimizer: sn.optimizers.Optimizer;
  try {
    optimizer = sn.optimizers.getOptimizer(
      learningRate === undefined ? o.optimizer : { className: o.optimizer, config: { learning_rate: learningRate } },
      'optimizer',
    );
  } catch (e) {
    throw new UsageError(`--optimizer: ${(e as Error).message.replace(/ or an Optimizer\./, '.')}`, 'train');
  }
  model.compile({ optimizer, loss: head.loss, metrics });
  say(
    `Loss: ${head.loss}; output: ${head.units} ${head.activation} unit${head.units === 1 ? '' : 's'}; optimizer: ${o.optimizer} (learning rate ${learningRate ?? optimizer.learningRate})${o.patience > 0 ? `; early stopping after ${o.patience} epochs without improvement` : ''}`,
  );
  if (!o.quiet) {
    say('');
    model.summary();
    say('');
  }
  return model;
}

/**
 * The diagnostics callback (issue 19): its layer warnings (vanishing or exploding gradients, dead ReLUs,
 * saturated units) on stderr, and the layers' gradient norms in --plot's chart. Over- and under-fitting
 * are left to early stopping and the test line here.
 */
function diagnosticsCallback(o: TrainOptions): sn.callbacks.Diagnostics {
  return sn.callbacks.diagnostics({
    warn: !o.quiet,
    print: (line: string) => {
      if (!/^⚠ (over|under)-fitting/.test(line)) process.stderr.write(`simdnet: warning: ${line.replace(/^⚠ /, '')}\n`);
    },
  });
}

/** Early stopping on the best epoch (validation when there is some), if asked for. */
function stoppingCallback(o: TrainOptions, hasVal: boolean, task: Task): BestEpoch | null {
  if (o.patience <= 0) return null;
  return new BestEpoch(
    hasVal ? 'val_loss' : 'loss',
    hasVal && task !== 'regression' ? 'val_accuracy' : null,
    o.patience,
  );
}

/** After training: what early stopping did, the test line, the model directory and the plot. */
async function finish(
  o: TrainOptions,
  say: (s: string) => void,
  model: sn.Sequential,
  prep: Preprocessing,
  history: sn.callbacks.History,
  es: BestEpoch | null,
  seconds: number,
  test: (() => Promise<sn.callbacks.Logs | null>) | null,
  testRows: number,
): Promise<number> {
  const ran = history.epoch.length;
  if (es && es.stoppedEpoch >= 0)
    say(`Early stopping after epoch ${es.stoppedEpoch + 1}; kept the weights of epoch ${es.bestEpoch + 1}.`);
  else if (es && es.bestEpoch !== ran - 1) say(`Kept the weights of epoch ${es.bestEpoch + 1}, the best.`);
  if (o.verbose === 0) say(`Trained ${ran} epoch${ran === 1 ? '' : 's'} in ${seconds.toFixed(1)}s`);
  const logs = test ? await test() : null;
  if (logs) {
    const parts = Object.entries(logs).map(([k, v]) => `${k}: ${v.toFixed(4)}`);
    say(
      `Test (${testRows} rows): ${parts.join(' - ')}${prep.task === 'regression' && prep.targetStd !== null ? ' (in standardized target units)' : ''}`,
    );
  }
  // Output: the model directory under a temporary name, renamed into place; then the plot.
  const tmp = tempDirBeside(o.out);
  try {
    await saveModel(model, tmp);
    writeFileAtomic(join(tmp, PREPROCESSING_FILE), `${JSON.stringify(prep, null, 2)}\n`);
    replaceDir(tmp, o.out);
  } catch (e) {
    removeQuietly(tmp);
    if (e instanceof CliError) throw e;
    throw new CliError(`cannot save the model to ${o.out}: ${(e as Error).message}`);
  }
  say(`Saved the model and its preprocessing to ${o.out}`);
  if (o.plot !== undefined) {
    writeFileAtomic(o.plot, history.toSVG({ title: `simdnet train ${o.file} → ${prep.target}` }));
    say(`Wrote the training curves to ${o.plot}`);
  }
  return 0;
}

export async function train(args: string[]): Promise<number> {
  const o = readOptions(args);
  if (o === null) {
    process.stdout.write(trainHelp);
    return 0;
  }
  const say = (s: string) => {
    if (!o.quiet) process.stdout.write(`${s}\n`);
  };

  // Where output goes: checked first, so a bad path fails before any work.
  checkOutDir(o.out);
  checkParentDir(o.out, 'the model directory', false);
  if (o.plot !== undefined) checkParentDir(o.plot, 'the plot');
  if (o.stream ?? fileSize(o.file) > STREAM_BYTES) return trainStreamed(o, say);

  // Data.
  const table = readTable(o.file, o.header);
  const rc = resolveColumns(table, o);
  const { ti, featureIdx } = rc;
  const features = featureIdx.map((j) => table.columns[j]!);
  const n = table.rows.length;
  const kinds = featureKinds(table, featureIdx, new Set(rc.namedIdx));
  const cols = readFeatures(table, featureIdx, kinds, o.impute !== null);
  const cells = readTargetCells(table, ti);
  const info = inferTask(table, ti, cells, o.task);
  const K = info.classes?.length ?? 1;
  const head = chooseHead(info.task, K, o.loss);
  const idx = info.classes ? classIndices(table, ti, cells, info.classes, info.classesNumeric) : null;
  const vals = info.task === 'regression' ? targetValues(table, ti, cells) : null;

  const split = splitRows(n, o.testSplit, o.validationSplit, o.seed);
  const stats = fitStatistics(cols, split.train, features, o.impute, o.standardize);
  let targetMean: number | null = null,
    targetStd: number | null = null;
  if (vals && o.standardize) {
    let s = 0;
    for (const r of split.train) s += vals[r]!;
    targetMean = s / split.train.length;
    let q = 0;
    for (const r of split.train) q += (vals[r]! - targetMean) ** 2;
    const sd = Math.sqrt(q / split.train.length);
    targetStd = sd > 1e-12 * Math.max(1, Math.abs(targetMean)) ? sd : 1;
  }
  const prep = makePrep(table, o, rc, info, head, stats, targetMean, targetStd);
  // The model's input for every row; categories only validation or test rows have are encoded as zeros.
  const X = transform(table, cols, prep);
  const F = inputWidth(prep);
  describeData(
    say,
    o,
    table,
    n,
    prep,
    K,
    { train: split.train.length, val: split.val.length, test: split.test.length },
    false,
  );
  if (!o.quiet)
    for (const u of X.unseen)
      process.stderr.write(
        unseenWarning(table, u).replace(
          'which the model did not see in training',
          'which no training row has (only validation or test rows)',
        ),
      );

  const model = buildModel(o, F, head, prep.metrics, say);
  const xTrain = gatherRows(X, F, split.train);
  const yTrain = encodeTargets(head.encoding, idx, vals, split.train, K, targetMean, targetStd);
  const hasVal = split.val.length > 0;
  const es = stoppingCallback(o, hasVal, info.task);
  const t0 = performance.now();
  const history = await model.fit(xTrain, yTrain, {
    epochs: o.epochs,
    batchSize: Math.min(o.batchSize, split.train.length),
    verbose: o.verbose,
    seed: o.seed,
    callbacks: es ? [es, diagnosticsCallback(o)] : [diagnosticsCallback(o)],
    ...(hasVal
      ? {
          validationData: [
            gatherRows(X, F, split.val),
            encodeTargets(head.encoding, idx, vals, split.val, K, targetMean, targetStd),
          ] as [sn.DataLike, sn.DataLike],
        }
      : {}),
  });
  const test =
    split.test.length > 0
      ? async () =>
          model.evaluate(
            gatherRows(X, F, split.test),
            encodeTargets(head.encoding, idx, vals, split.test, K, targetMean, targetStd),
            { batchSize: 256 },
          )
      : null;
  return finish(o, say, model, prep, history, es, (performance.now() - t0) / 1000, test, split.test.length);
}

/** The size of a file in bytes (0 if it cannot be read: readTable then says why). */
function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/** train on a file streamed from disk (see src/cli/stream.ts): the same model, options and output. */
async function trainStreamed(o: TrainOptions, say: (s: string) => void): Promise<number> {
  if (!existsSync(o.file)) throw new CliError(`file not found: ${o.file}`);
  let rc: ReturnType<typeof resolveColumns> | null = null;
  const d = await analyse({
    file: o.file,
    header: o.header,
    resolve: (t) => {
      rc = resolveColumns(t, o);
      return { ti: rc.ti, featureIdx: rc.featureIdx, named: new Set(rc.namedIdx) };
    },
    task: o.task,
    impute: o.impute,
    standardize: o.standardize,
    seed: o.seed,
    testSplit: o.testSplit,
    validationSplit: o.validationSplit,
  });
  const info = d.info;
  const K = info.classes?.length ?? 1;
  const head = chooseHead(info.task, K, o.loss);
  const prep = makePrep(d.table, o, rc!, info, head, d.stats, d.targetMean, d.targetStd);
  const F = inputWidth(prep);
  describeData(say, o, d.table, d.rows, prep, K, d.counts, true);
  const model = buildModel(o, F, head, prep.metrics, say);
  const encodeY = (idx: Int32Array | null, vals: Float64Array | null, rows: Int32Array) =>
    encodeTargets(head.encoding, idx, vals, rows, K, d.targetMean, d.targetStd);
  const train = d
    .part('train', prep, encodeY)
    .shuffle(Math.min(d.counts.train, 20_000), o.seed)
    .batch(Math.min(o.batchSize, d.counts.train))
    .prefetch(2);
  const hasVal = d.counts.val > 0;
  const es = stoppingCallback(o, hasVal, info.task);
  const t0 = performance.now();
  const history = await model.fitDataset(train, {
    epochs: o.epochs,
    verbose: o.verbose,
    seed: o.seed,
    callbacks: es ? [es, diagnosticsCallback(o)] : [diagnosticsCallback(o)],
    ...(hasVal ? { validationData: d.part('val', prep, encodeY).batch(1024).prefetch(1) } : {}),
  });
  const seconds = (performance.now() - t0) / 1000;
  const test =
    d.counts.test > 0
      ? async () => {
          const logs = await model.evaluateDataset(d.part('test', prep, encodeY).batch(1024));
          warnUnseen(o, d.table, d.unseen());
          return logs;
        }
      : null;
  if (test === null) warnUnseen(o, d.table, d.unseen());
  return finish(o, say, model, prep, history, es, seconds, test, d.counts.test);
}

/** The streamed path's unseen categories, as the in-memory path words them. */
function warnUnseen(o: TrainOptions, table: Pick<Table, 'file'>, unseen: Unseen[]): void {
  if (o.quiet) return;
  for (const u of unseen)
    process.stderr.write(
      unseenWarning(table as Table, u).replace(
        'which the model did not see in training',
        'which no training row has (only validation or test rows)',
      ),
    );
}
