/**
 * `simdnet/tfjs` models (issue 18): TF.js's LayersModel and Sequential over simdnet's engine. A thin
 * wrapper where TF.js and the Keras-style main entry differ: `evaluate` answers Scalars (loss first),
 * logs and history name metrics as TF.js does (`acc`, `val_acc`), losses and metrics may be TF.js's
 * functions, `summary` and `trainOnBatch` take and answer TF.js's forms. Everything else is the model.
 */
import { NotSupportedError, invalid } from '../errors.js';
import type { History, Logs } from '../callbacks.js';
import type { Dataset } from '../dataset.js';
import type { SymbolicTensor } from '../engine/graph.js';
import type { IOHandler, SaveResult } from '../io/types.js';
import type { Layer } from '../layers.js';
import {
  type FitArgs,
  type FitDatasetArgs,
  type EvaluateArgs,
  type ModelData,
  LayersModel as Model,
  Sequential as SequentialModel,
} from '../model.js';
import type { Optimizer } from '../optimizers.js';
import { Tensor, scalar } from './tensor.js';

/** TF.js loss and metric functions (tf.losses.*, tf.metrics.*) by identity → the name compile takes. */
export const functionNames = new Map<unknown, string>();

function named(v: unknown, what: 'loss' | 'metric'): unknown {
  if (typeof v !== 'function') return v;
  const name = functionNames.get(v);
  if (name !== undefined) return name;
  throw new NotSupportedError(
    `compile: a custom ${what} function is not supported by simdnet/tfjs (training it would need automatic differentiation of tensor ops). Use a ${what} name such as ${what === 'loss' ? "'meanSquaredError'" : "'accuracy'"}, or one of tf.${what === 'loss' ? 'losses' : 'metrics'}.*.`,
  );
}
const perOutput = (v: unknown, what: 'loss' | 'metric'): unknown =>
  Array.isArray(v)
    ? v.map((e) => perOutput(e, what))
    : v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype
      ? Object.fromEntries(Object.entries(v).map(([k, e]) => [k, perOutput(e, what)]))
      : named(v, what);

export interface ModelCompileArgs {
  optimizer: string | Optimizer;
  loss: unknown;
  metrics?: unknown;
  lossWeights?: number[] | Record<string, number>;
}
export interface ModelFitArgs extends Omit<FitArgs, 'callbacks' | 'yieldEvery'> {
  callbacks?: unknown;
  yieldEvery?: number | 'auto' | 'batch' | 'epoch' | 'never';
  stepsPerEpoch?: number;
  validationSteps?: number;
}
const yieldEvery = (v: ModelFitArgs['yieldEvery']): number | undefined =>
  v === 'never' ? -1 : v === 'batch' ? 0 : typeof v === 'number' ? v : undefined;
function fitArgs<T extends { yieldEvery?: ModelFitArgs['yieldEvery'] }>(args: T, unsupported: string[]): T {
  if (typeof args !== 'object' || args === null) invalid('args', 'an object like { epochs: 10 }', args);
  for (const k of unsupported)
    if ((args as Record<string, unknown>)[k] !== undefined)
      throw new NotSupportedError(`fit: option '${k}' is not supported by simdnet/tfjs.`);
  const { yieldEvery: y, ...rest } = args as T & Record<string, unknown>;
  const ms = yieldEvery(y);
  return (ms === undefined ? rest : { ...rest, yieldEvery: ms }) as T;
}

/**
 * evaluate's answer as TF.js 4.22 gives it: a Scalar for the loss alone, else an array of Scalars — with one
 * output [loss, ...metrics]; with several, TF.js's test function first lists the running totals of the
 * outputs' (unweighted) losses, then each output's loss, then the metrics, and programs index into that.
 */
function scalars(logs: Logs, outputs: string[]): Tensor | Tensor[] {
  let vals: number[];
  if (outputs.length > 1) {
    const per = outputs.map((n) => logs[`${n}_loss`]!);
    const lossKeys = new Set(['loss', ...outputs.map((n) => `${n}_loss`)]);
    let run = 0;
    vals = [
      ...per.map((v) => (run += v)),
      ...per,
      ...Object.entries(logs)
        .filter(([k]) => !lossKeys.has(k))
        .map(([, v]) => v),
    ];
  } else vals = Object.values(logs);
  const out = vals.map((v) => scalar(v));
  return out.length === 1 ? out[0]! : out;
}

/**
 * TF.js's LayersModel: a functional model (tf.model) or, as `Sequential`, a stack (tf.sequential). `layers`,
 * `inputs`, `outputs`, `getLayer`, `getWeights`, `save`, `fit`, `predict`… as in TF.js.
 */
export class LayersModel {
  /** @internal The simdnet model this wraps (the main entry's LayersModel). */
  readonly inner: Model;
  constructor(inner: Model) {
    this.inner = inner;
    inner.setLogNames('tfjs');
  }
  get name(): string {
    return this.inner.name;
  }
  get layers(): Layer[] {
    return this.inner.layers;
  }
  get inputs(): SymbolicTensor[] {
    return this.inner.inputs;
  }
  get outputs(): SymbolicTensor[] {
    return this.inner.outputs;
  }
  get inputNames(): string[] {
    return this.inner.inputNames;
  }
  get outputNames(): string[] {
    return this.inner.outputNames;
  }
  get optimizer(): Optimizer | null {
    return this.inner.optimizer;
  }
  get stopTraining(): boolean {
    return this.inner.stopTraining;
  }
  set stopTraining(v: boolean) {
    this.inner.stopTraining = v;
  }
  /** The compiled metric names as TF.js logs them (`acc` for 'accuracy'), loss first. */
  get metricsNames(): string[] {
    return this.inner.logKeys();
  }

  compile(args: ModelCompileArgs): void {
    if (typeof args !== 'object' || args === null) invalid('args', 'an object { optimizer, loss, metrics }', args);
    this.inner.compile({
      ...args,
      loss: perOutput(args.loss, 'loss'),
      ...(args.metrics !== undefined ? { metrics: perOutput(args.metrics, 'metric') } : {}),
    } as Parameters<Model['compile']>[0]);
  }
  async fit(x: ModelData, y: ModelData, args: ModelFitArgs = {}): Promise<History> {
    return this.inner.fit(x, y, fitArgs(args, ['stepsPerEpoch', 'validationSteps']) as FitArgs);
  }
  async fitDataset(
    dataset: Dataset,
    args: Omit<FitDatasetArgs, 'callbacks'> & { callbacks?: unknown },
  ): Promise<History> {
    return this.inner.fitDataset(dataset, fitArgs(args as ModelFitArgs, []) as FitDatasetArgs);
  }
  /** Loss (and metrics) on data: a Scalar, or an array of Scalars as TF.js answers (see scalars()). */
  evaluate(x: ModelData, y: ModelData, args: EvaluateArgs = {}): Tensor | Tensor[] {
    return scalars(this.inner.evaluate(x, y, args), this.inner.outputNames);
  }
  async evaluateDataset(
    dataset: Dataset,
    args: { batches?: number; verbose?: number } = {},
  ): Promise<Tensor | Tensor[]> {
    return scalars(await this.inner.evaluateDataset(dataset, args), this.inner.outputNames);
  }
  predict(x: ModelData, args: { batchSize?: number; verbose?: boolean } = {}): Tensor | Tensor[] {
    const { verbose: _v, ...rest } = args;
    return this.inner.predict(x, rest) as Tensor | Tensor[];
  }
  predictOnBatch(x: ModelData): Tensor | Tensor[] {
    return this.inner.predictOnBatch(x) as Tensor | Tensor[];
  }
  /** One step on a batch: the loss, or [loss, ...metrics], as numbers (TF.js answers a promise). */
  async trainOnBatch(x: ModelData, y: ModelData): Promise<number | number[]> {
    const v = Object.values(this.inner.trainOnBatch(x, y));
    return v.length === 1 ? v[0]! : v;
  }
  /** Print the summary table (TF.js's arguments: line length, positions (ignored), a print function). */
  summary(lineLength?: number, _positions?: number[], printFn?: (message?: unknown) => void): void {
    this.inner.summary({ ...(lineLength !== undefined ? { lineLength } : {}), print: printFn ?? true });
  }
  async save(handlerOrURL: string | IOHandler, config?: { includeOptimizer?: boolean }): Promise<SaveResult> {
    return this.inner.save(handlerOrURL, config ?? {});
  }
  getLayer(name?: string | number, index?: number): Layer {
    return this.inner.getLayer(name, index);
  }
  getWeights(): Tensor[] {
    return this.inner.getWeights() as Tensor[];
  }
  /** The number of weights (trainable and not). */
  countParams(): number {
    return this.inner.getWeights().reduce((a, t) => a + t.size, 0);
  }
  setWeights(weights: Tensor[]): void {
    this.inner.setWeights(weights);
  }
  resetStates(): void {
    this.inner.resetStates();
  }
  /** Release the model's kernel memory now (TF.js's dispose; simdnet also frees it when the model is dropped). */
  dispose(): { refCountAfterDispose: number; numDisposedVariables: number } {
    const n = this.inner.getWeights().length;
    this.inner.release();
    return { refCountAfterDispose: 0, numDisposedVariables: n };
  }
  /** TF.js calls a model on symbolic tensors to use it as a layer; simdnet models are not layers yet. */
  apply(): never {
    throw new NotSupportedError(
      'LayersModel.apply: using a model as a layer of another model is not supported by simdnet/tfjs yet.',
    );
  }
}

/** TF.js's Sequential: a LayersModel with add(). */
export class Sequential extends LayersModel {
  declare readonly inner: SequentialModel;
  /** A new stack (tf.sequential's config), or @internal a simdnet Sequential to wrap (a loaded one). */
  constructor(config: { layers?: Layer[]; name?: string } | SequentialModel = {}) {
    super(config instanceof SequentialModel ? config : new SequentialModel(config));
  }
  add(layer: Layer): void {
    this.inner.add(layer);
  }
}

/** A TF.js model over any simdnet model (what tf.loadLayersModel answers). */
export function wrapModel(m: Model): LayersModel {
  return m instanceof SequentialModel ? new Sequential(m) : new LayersModel(m);
}
