/**
 * What the commands share: option parsing, reading a model directory (the
 * model plus its preprocessing.json), and turning model outputs into labels,
 * probabilities or values.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, type ParseArgsConfig } from 'node:util';
// Imported for its effect too: index.js compiles the kernels and picks the backend (top-level await).
import '../../index.js';
import type * as sn from '../../index.js';
// sn.loadModel, imported from its module so the CLI does not depend on how index.ts re-exports it.
import { loadModel } from '../../io/api.js';
import { Sequential } from '../../model.js';
import { Preprocessing, inputWidth, validatePreprocessing } from '../preprocess.js';
import { CliError, UsageError } from '../util.js';

export const PREPROCESSING_FILE = 'preprocessing.json';
export const MODEL_FILE = 'model.json';

type Options = NonNullable<ParseArgsConfig['options']>;
type Parsed<O extends Options> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; allowNegative: true; strict: true }>
>;

/** parseArgs, with its errors turned into usage errors that name the command. */
export function parseCommandArgs<O extends Options>(command: string, args: string[], options: O): Parsed<O> {
  try {
    return parseArgs({ args, options, allowPositionals: true, allowNegative: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/\. To specify a positional argument.*$/s, ''), command);
  }
}

/** A number option: finite, and within what `check` allows. */
export function numberOption(
  name: string,
  raw: string | undefined,
  fallback: number,
  check: (v: number) => boolean,
  expected: string,
): number {
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(v) || !check(v))
    throw new UsageError(`--${name} expects ${expected}; got '${raw}'`);
  return v;
}

export const intOption = (name: string, raw: string | undefined, fallback: number, min: number) =>
  numberOption(name, raw, fallback, (v) => Number.isInteger(v) && v >= min, `an integer ≥ ${min}`);

export const fractionOption = (name: string, raw: string | undefined, fallback: number) =>
  numberOption(name, raw, fallback, (v) => v >= 0 && v < 1, 'a fraction in [0, 1)');

/** Exactly `n` positional arguments, named in the message when missing. */
export function positionals<N extends string[]>(
  command: string,
  got: string[],
  names: [...N],
): { [K in keyof N]: string } {
  if (got.length < names.length) throw new UsageError(`missing ${names.slice(got.length).join(' and ')}`, command);
  if (got.length > names.length)
    throw new UsageError(
      `unexpected argument${got.length - names.length > 1 ? 's' : ''}: ${got.slice(names.length).join(' ')}`,
      command,
    );
  return got as { [K in keyof N]: string };
}

/** A directory argument: a path, or a file:// URL. */
export function dirArg(s: string): string {
  return s.startsWith('file://') ? fileURLToPath(s) : s;
}

export function isModelDir(dir: string): boolean {
  return existsSync(join(dir, MODEL_FILE));
}

/** A directory `train --out` may write: absent, empty, or holding a model to replace. */
export function checkOutDir(dir: string): void {
  if (!existsSync(dir)) return;
  let st;
  try {
    st = statSync(dir);
  } catch (e) {
    throw new CliError(`cannot use --out ${dir}: ${(e as Error).message}`);
  }
  if (!st.isDirectory())
    throw new CliError(`--out ${dir} is a file; the model is saved as a directory. Choose another path.`);
  if (readdirSync(dir).length > 0 && !isModelDir(dir)) {
    throw new CliError(
      `--out ${dir} is a directory that holds other files and no model.json; simdnet does not overwrite it. Choose a new or empty directory.`,
    );
  }
}

/** Save with the library's own save (the TF.js layers format: model.json + weights.bin). */
export async function saveModel(model: sn.Sequential, dir: string): Promise<void> {
  await model.save(dir);
}

export interface LoadedModel {
  model: sn.Sequential;
  prep: Preprocessing;
  dir: string;
}

/** Load a model directory written by `simdnet train`, checking that its parts exist and agree. */
export async function loadModelDir(dirIn: string): Promise<LoadedModel> {
  const dir = dirArg(dirIn);
  let st;
  try {
    st = statSync(dir);
  } catch {
    throw new CliError(`model directory not found: ${dir}`);
  }
  if (!st.isDirectory())
    throw new CliError(
      `${dir} is not a model directory (it is a file). Pass the directory simdnet train wrote (--out).`,
    );
  if (!isModelDir(dir))
    throw new CliError(
      `${dir} is not a simdnet model directory: it has no ${MODEL_FILE}. Pass the directory simdnet train wrote (--out).`,
    );
  const prepPath = join(dir, PREPROCESSING_FILE);
  if (!existsSync(prepPath))
    throw new CliError(
      `${dir} has no ${PREPROCESSING_FILE}, so its columns and scaling are unknown. The command line needs a model written by simdnet train.`,
    );
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(prepPath, 'utf8'));
  } catch (e) {
    throw new CliError(`${prepPath} is corrupt: ${(e as Error).message}. Train the model again with simdnet train.`);
  }
  const prep = validatePreprocessing(raw, prepPath);
  let model: sn.Sequential;
  try {
    const loaded = await loadModel(dir, { compile: false });
    if (!(loaded instanceof Sequential))
      throw new CliError(
        `the model in ${dir} is a functional model; the command line runs the sequential models simdnet train writes.`,
      );
    model = loaded;
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError(`cannot load the model in ${dir}: ${(e as Error).message}`);
  }
  let inFeatures: number, outUnits: number;
  try {
    outUnits = model.outputShape.reduce((a, b) => a * b, 1); // builds the model
    inFeatures = model.layers[0]!.inFeatures;
  } catch (e) {
    throw new CliError(`cannot load the model in ${dir}: ${(e as Error).message}`);
  }
  const width = inputWidth(prep);
  if (inFeatures !== width || outUnits !== prep.outputUnits) {
    throw new CliError(
      `the model in ${dir} does not match its ${PREPROCESSING_FILE}: the model takes ${inFeatures} inputs and gives ${outUnits} outputs, the preprocessing has ${width} inputs and ${prep.outputUnits} outputs. The directory is corrupt; train again.`,
    );
  }
  // Compile for evaluate (the saved training configuration, if any, is replaced by the recorded loss and metrics).
  try {
    model.compile({ optimizer: 'adam', loss: prep.loss, metrics: prep.metrics });
  } catch (e) {
    throw new CliError(`${prepPath} is corrupt: ${(e as Error).message}`);
  }
  return { model, prep, dir };
}

export interface Decoded {
  /** Class labels (classification) or values (regression), one per row, as text. */
  predictions: string[];
  /** Per-class probabilities (rows × classes), classification only. */
  probabilities: Float32Array | null;
  /** Class index per row (classification) or value (regression). */
  indices: Int32Array | null;
  values: Float64Array | null;
}

/** Model outputs (rows × outputUnits) → labels and probabilities, or values in the target's units. */
export function decodeOutputs(out: Float32Array, rows: number, p: Preprocessing): Decoded {
  if (p.task === 'regression') {
    const values = new Float64Array(rows);
    for (let i = 0; i < rows; i++) values[i] = p.targetStd !== null ? out[i]! * p.targetStd + p.targetMean! : out[i]!;
    return {
      predictions: [...values].map((v) => String(Number(v.toPrecision(7)))),
      probabilities: null,
      indices: null,
      values,
    };
  }
  const classes = p.classes!,
    K = classes.length;
  const probabilities = new Float32Array(rows * K);
  const indices = new Int32Array(rows);
  if (p.outputUnits === 1) {
    // One sigmoid unit: the probability of the second class.
    for (let i = 0; i < rows; i++) {
      const q = out[i]!;
      probabilities[i * 2] = 1 - q;
      probabilities[i * 2 + 1] = q;
      indices[i] = q >= 0.5 ? 1 : 0;
    }
  } else {
    probabilities.set(out.subarray(0, rows * K));
    for (let i = 0; i < rows; i++) {
      let best = 0;
      for (let k = 1; k < K; k++) if (out[i * K + k]! > out[i * K + best]!) best = k;
      indices[i] = best;
    }
  }
  return { predictions: [...indices].map((k) => classes[k]!), probabilities, indices, values: null };
}
