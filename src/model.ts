/**
 * Models: one engine for functional models (`sn.model({ inputs, outputs })`)
 * and `Sequential` (a builder of the same graph, one chain) — compile, fit,
 * evaluate, predict, weights, summary, save.
 *
 * Memory plan: when a model is placed on a backend, its weights, gradients and
 * optimizer slots are laid out once in kernel memory; when it first runs at a
 * batch size B, the activations, their gradients and the input/target
 * buffers for B samples are laid out once too (a "plan", src/engine/plan.ts).
 * A training step then only copies the batch in and calls kernels: it
 * allocates nothing, in kernel memory or on the JS heap. Kernel memory is
 * released when the model is garbage-collected (a FinalizationRegistry), or
 * at once with `release()`.
 */
import type { Backend } from './backend/types.js';
import { hash32 } from './backend/prng.js';
import { NotSupportedError, SimdnetError, ValueError, checkPositiveInt, describe, invalid } from './errors.js';
import { Layer, InputLayer, OutputSlice, Weight, checkWeights } from './layers.js';
import { Loss, CustomLoss, getLoss, isCustomLoss } from './losses.js';
import { Metric, getMetric } from './metrics.js';
import { Optimizer, type ParamSlots, getOptimizer } from './optimizers.js';
import { Callback, CustomCallback, History, Logs, TerminateOnNaN, TrainParams } from './callbacks.js';
import { DataLike, Matrix, checkFinite, featureMatrix, sampleWeights, sliceRows, targetMatrix } from './data.js';
import { Tensor, resultTensor, shapeSize } from './tensor.js';
import { Printer, ProgbarLogger, defaultPrinter, formatLogs, hasConsoleStdout } from './progress.js';
import { Rng, nextSeed } from './random.js';
import { summarize, type SummaryArgs } from './summary.js';
import { type Plan, activationBuffers } from './engine/plan.js';
import { type Program, SymbolicTensor, compileProgram } from './engine/graph.js';
import { ModelMemory } from './engine/memory.js';
import { Executor, type OutputInfo, applyUpdate, penalty } from './engine/step.js';
import { type BatchSource, type LoopHost, arrayBatches, runEpochs } from './engine/loop.js';
import { Dataset, locate } from './dataset.js';
import {
  DiagnosticProbe,
  Diagnostics,
  type DiagnosticsReport,
  type ProbedLayer,
  diagnose as diagnoseLayers,
} from './diagnostics.js';
import type { IOHandler, SaveOptions, SaveResult } from './io/types.js';
import { saveModel } from './io/save.js';

type LossId = string | Loss | CustomLoss;
type MetricId = string | Metric;

export interface CompileArgs {
  /** An optimizer name ('adam', 'sgd', ...) or object. */
  optimizer: string | Optimizer;
  /**
   * A loss name ('mean_squared_error', 'mse', 'binaryCrossentropy', ...), a Loss, or a custom loss object;
   * for a model with several outputs, one for all or one per output (an array in output order, or an object keyed by
   * output name).
   */
  loss: LossId | LossId[] | Record<string, LossId>;
  /**
   * Metric names ('accuracy', 'mse', 'precision', ...), for every output; or per output (an array of arrays, or an
   * object keyed by output name).
   */
  metrics?: MetricId[] | MetricId[][] | Record<string, MetricId | MetricId[]>;
  /**
   * Weights of the outputs' losses in the total loss (array in output order, or object keyed by output name). Default 1
   * each.
   */
  lossWeights?: number[] | Record<string, number>;
}

/**
 * Data for a model's inputs or outputs: one DataLike for one, an array in order or an object keyed by name for several.
 */
export type ModelData = DataLike | DataLike[] | Record<string, DataLike>;

export interface FitArgs {
  /** Defaults to 1. */
  epochs?: number;
  /** Defaults to 32. */
  batchSize?: number;
  /** 0 silent, 1 progress bar, 2 one line per epoch. Defaults to 1 in Node, 0 in browsers. */
  verbose?: number;
  /** Fraction of the data, taken from the end before shuffling, held out for validation (as Keras). */
  validationSplit?: number;
  /** [x, y] or [x, y, sampleWeight] used for validation instead of validationSplit. */
  validationData?: [ModelData, ModelData] | [ModelData, ModelData, DataLike];
  /** Shuffle the training samples every epoch. Defaults to true. */
  shuffle?: boolean;
  callbacks?: (Callback | CustomCallback)[];
  /** Epoch to start from (for resuming). Defaults to 0. */
  initialEpoch?: number;
  /** Weight per class index (labels: the class index, argmax of one-hot, or 0/1 for binary). One output only. */
  classWeight?: Record<number, number>;
  /** Weight per sample (applied to every output's loss). */
  sampleWeight?: DataLike;
  /** Seed for shuffling and dropout. Defaults to a draw from the global seed (see setSeed). */
  seed?: number;
  /** Accept NaN/Infinity in the data instead of refusing it. Defaults to false. */
  allowNonFinite?: boolean;
  /** Yield to the event loop at least this often, in ms, so pages and servers stay responsive. Defaults to 50. */
  yieldEvery?: number;
  /** Where progress lines go (defaults to stdout in Node, nothing in browsers). */
  print?: Printer;
}

export interface EvaluateArgs {
  batchSize?: number;
  sampleWeight?: DataLike;
  verbose?: number;
  allowNonFinite?: boolean;
}
export interface PredictArgs {
  batchSize?: number;
}

/** fit's callbacks argument, checked. */
function callbackList(v: unknown): (Callback | CustomCallback)[] {
  // One callback, or an object of hooks ({ onEpochEnd }), is taken as a list of one (TF.js's forms).
  const list = v ?? [];
  if (!Array.isArray(list)) {
    const hooks = ['onTrainBegin', 'onTrainEnd', 'onEpochBegin', 'onEpochEnd', 'onBatchBegin', 'onBatchEnd'];
    const o = list as Record<string, unknown>;
    const isHooks =
      typeof list === 'object' &&
      list !== null &&
      (list instanceof Callback || hooks.some((h) => typeof o[h] === 'function')) &&
      hooks.every((h) => o[h] === undefined || typeof o[h] === 'function');
    if (!isHooks)
      invalid('callbacks', 'an array of callbacks, one callback, or an object of hooks like { onEpochEnd }', v);
    return [list as CustomCallback];
  }
  for (const c of list)
    if (typeof c !== 'object' || c === null) invalid('callbacks', 'an array of callback objects', c);
  return list as (Callback | CustomCallback)[];
}

/** The options fit and fitDataset share, checked: epochs, initialEpoch, verbose. */
function loopOptions(args: { epochs?: number; initialEpoch?: number; verbose?: number }): {
  epochs: number;
  initialEpoch: number;
  verbose: number;
} {
  const epochs = args.epochs ?? 1;
  if (!Number.isInteger(epochs) || epochs < 0) invalid('epochs', 'a non-negative integer', args.epochs);
  const initialEpoch = args.initialEpoch ?? 0;
  if (!Number.isInteger(initialEpoch) || initialEpoch < 0)
    invalid('initialEpoch', 'a non-negative integer', args.initialEpoch);
  const verbose = args.verbose ?? (hasConsoleStdout() ? 1 : 0);
  if (![0, 1, 2].includes(verbose)) invalid('verbose', '0, 1 or 2', args.verbose);
  return { epochs, initialEpoch, verbose };
}

/** The next batch of a dataset pass; a failure to make it is named by the batch. */
async function nextBatch(src: { next(): unknown }, b: number): Promise<IteratorResult<unknown>> {
  try {
    return (await src.next()) as IteratorResult<unknown>;
  } catch (e) {
    throw locate(e, `dataset batch ${b}`);
  }
}

/** The options fit(dataset, args) takes: fitDataset's, and fit's that a dataset makes moot (refused there). */
const FIT_DATASET_KEYS: Record<keyof FitDatasetArgs | 'validationSplit' | 'batchSize' | 'sampleWeight' | 'shuffle', 1> =
  {
    epochs: 1,
    batchesPerEpoch: 1,
    validationData: 1,
    validationBatches: 1,
    callbacks: 1,
    verbose: 1,
    initialEpoch: 1,
    classWeight: 1,
    seed: 1,
    allowNonFinite: 1,
    yieldEvery: 1,
    print: 1,
    validationSplit: 1,
    batchSize: 1,
    sampleWeight: 1,
    shuffle: 1,
  };

export interface FitDatasetArgs {
  /** Defaults to 1. */
  epochs?: number;
  /** Batches per epoch, from one pass that goes on across epochs; by default every epoch reads the whole dataset. */
  batchesPerEpoch?: number;
  /** A dataset of batches, or arrays [x, y] / [x, y, sampleWeight]. */
  validationData?: Dataset | [ModelData, ModelData] | [ModelData, ModelData, DataLike];
  /** How many batches of a validation dataset to evaluate (default: all). */
  validationBatches?: number;
  callbacks?: (Callback | CustomCallback)[];
  /** 0 silent, 1 progress bar, 2 one line per epoch. */
  verbose?: number;
  initialEpoch?: number;
  /** Weight per class index (one output). */
  classWeight?: Record<number, number>;
  /** Seed for dropout. */
  seed?: number;
  allowNonFinite?: boolean;
  yieldEvery?: number;
  print?: Printer;
}

const modelCounters = new Map<string, number>();
function modelName(base: string): string {
  const n = modelCounters.get(base) ?? 0;
  modelCounters.set(base, n + 1);
  return n === 0 ? base : `${base}_${n}`;
}

const isDataObject = (d: unknown): d is Record<string, unknown> =>
  typeof d === 'object' &&
  d !== null &&
  !Array.isArray(d) &&
  !(d instanceof Tensor) &&
  !ArrayBuffer.isView(d) &&
  !('data' in d && 'shape' in d);

/**
 * A model over a graph of layers: several inputs and outputs, branches,
 * merges, shared layers (TF.js's `LayersModel`, Keras's functional `Model`).
 * Build one with `sn.model({ inputs, outputs })`; `Sequential` is the same
 * engine over one chain.
 */
export class LayersModel {
  readonly name: string;
  /**
   * The layers, in order (a functional model lists its input layers first; a Sequential model does not list its input).
   */
  readonly layers: Layer[] = [];
  optimizer: Optimizer | null = null;
  /** The loss of each output (see `loss` for a one-output model). */
  losses: (Loss | CustomLoss)[] = [];
  /** The weight of each output's loss in the total. */
  lossWeights: number[] = [];
  /** The metrics of each output, as compiled. */
  outputMetrics: Metric[][] = [];
  /** Set to true (by a callback) to stop fit after the current batch. */
  stopTraining = false;
  protected graphInputs: SymbolicTensor[] = [];
  protected graphOutputs: SymbolicTensor[] = [];
  protected program: Program | null = null;
  private outs: OutputInfo[] = [];
  /** Kernel memory: placement of the weights, plans (src/engine/memory.ts). */
  protected readonly mem: ModelMemory = new ModelMemory(() => this.name);
  /** Runs the program on a plan (src/engine/step.ts). */
  private exec: Executor | null = null;
  private fitting = false;
  private compiledMetricNames: string[][] = [];

  constructor(
    args: {
      inputs?: SymbolicTensor | SymbolicTensor[];
      outputs?: SymbolicTensor | SymbolicTensor[];
      name?: string;
    } = {},
    defaultName = 'model',
  ) {
    if (args.name !== undefined && (typeof args.name !== 'string' || args.name === ''))
      invalid('name', 'a non-empty string', args.name);
    this.name = args.name ?? modelName(defaultName);
    if (args.inputs === undefined && args.outputs === undefined) return; // a Sequential builds its graph later
    const list = (v: unknown, what: string): SymbolicTensor[] => {
      const a = Array.isArray(v) ? v : [v];
      if (a.length === 0 || a.some((t) => !(t instanceof SymbolicTensor))) {
        invalid(what, `a symbolic tensor (from sn.input() or layer.apply()) or a non-empty array of them`, v);
      }
      return a as SymbolicTensor[];
    };
    const inputs = list(args.inputs, 'inputs'),
      outputs = list(args.outputs, 'outputs');
    inputs.forEach((t, i) => {
      if (!(t.sourceLayer instanceof InputLayer))
        invalid(`inputs[${i}]`, 'a tensor made by sn.input() (a model input), not the output of a layer', t.toString());
      if (inputs.indexOf(t) !== i) throw new ValueError(`\`inputs\` lists '${t.name}' twice.`);
    });
    outputs.forEach((t, i) => {
      if (t.sourceLayer instanceof InputLayer)
        invalid(`outputs[${i}]`, 'a tensor made by a layer (an input cannot be an output)', t.toString());
      if (outputs.indexOf(t) !== i) throw new ValueError(`\`outputs\` lists '${t.name}' twice.`);
    });
    this.setGraph(inputs, outputs);
  }

  /** Adopt a graph: its program, its layers (unique names), its outputs. */
  protected setGraph(inputs: SymbolicTensor[], outputs: SymbolicTensor[], listInputs = true): void {
    const program = compileProgram(inputs, outputs);
    const names = new Map<string, Layer>();
    for (const l of program.layers) {
      const other = names.get(l.name);
      if (other && other !== l)
        throw new ValueError(
          `Two layers of the model are named '${l.name}'; layer names must be unique (weights are saved by name).`,
        );
      names.set(l.name, l);
    }
    const storages = program.outputs.map((o) => program.values[o]!.storage);
    if (new Set(storages).size !== storages.length)
      throw new ValueError(
        'Two outputs of the model are views of one tensor (e.g. a tensor and its reshape). Use one of them.',
      );
    const used = new Map<string, number>();
    this.outs = program.outputs.map((v, k) => {
      const val = program.values[v]!;
      const src = outputs[k]!.sourceLayer,
        base = src instanceof OutputSlice ? src.source.name : src.name,
        n = used.get(base) ?? 0;
      used.set(base, n + 1);
      return {
        name: n === 0 ? base : `${base}_${n}`,
        value: v,
        step: val.step,
        feat: val.feat,
        shape: val.shape.slice(),
        canFuse: val.consumers.length === 0,
      };
    });
    this.graphInputs = inputs.slice();
    this.graphOutputs = outputs.slice();
    this.program = program;
    this.exec = new Executor(program, this.outs);
    this.mem.dropPlans();
    (this.layers as Layer[]).length = 0;
    for (const l of program.layers)
      if ((listInputs || !(l instanceof InputLayer)) && !(l instanceof OutputSlice)) this.layers.push(l);
    this.weightCache = this.layers.flatMap((l) => l.weights);
  }

  /** 'Model' for a functional model, 'Sequential' for a sequential one (the class name files use). */
  get className(): string {
    return 'Model';
  }
  /** The model's input tensors. */
  get inputs(): SymbolicTensor[] {
    this.build();
    return this.graphInputs.slice();
  }
  /** The model's output tensors. */
  get outputs(): SymbolicTensor[] {
    this.build();
    return this.graphOutputs.slice();
  }
  /** The input layers' names, in input order. */
  get inputNames(): string[] {
    return this.inputs.map((t) => t.sourceLayer.name);
  }
  /** The outputs' names (their layers' names), in output order: the keys of per-output losses, metrics and logs. */
  get outputNames(): string[] {
    this.build();
    return this.outs.map((o) => o.name);
  }

  /** Whether the model has created its weights. */
  get built(): boolean {
    return this.program !== null;
  }
  /** A functional model is built when it is made. */
  build(_inputShape?: number[]): void {
    if (!this.program)
      throw new ValueError('The model has no layers. Add layers before building, training or predicting.');
  }

  /** The output shape per sample (the first output's, for a model with several: see outputShapes). */
  get outputShape(): number[] {
    this.build();
    return this.outs[0]!.shape.slice();
  }
  /** Every output's shape per sample. */
  get outputShapes(): number[][] {
    this.build();
    return this.outs.map((o) => o.shape.slice());
  }
  /** The loss (one output) — for several outputs, the first; see `losses`. */
  get loss(): Loss | CustomLoss | null {
    return this.losses[0] ?? null;
  }
  /** The metrics (one output) — for several outputs, the first's; see `outputMetrics`. */
  get metrics(): Metric[] {
    return this.outputMetrics[0] ?? [];
  }
  /** Every weight, in layer order (cached with the graph: layers have created their weights by then). */
  protected weightCache: Weight[] | null = null;
  private get allWeights(): Weight[] {
    return this.weightCache ?? this.layers.flatMap((l) => l.weights);
  }
  private get trainableWeights(): Weight[] {
    return this.layers.filter((l) => l.trainable).flatMap((l) => l.weights.filter((w) => w.trainable));
  }
  private get single(): boolean {
    return this.outs.length === 1;
  }

  /**
   * Per-output values for a compile argument: one for all, an array in output order, or an object keyed by output name.
   */
  /**
   * The outputs' names, known before a model is built: a functional model is
   * built when made; a Sequential model has one output, its last layer.
   */
  private compiledNames(): string[] {
    if (this.program) return this.outs.map((o) => o.name);
    const last = this.layers[this.layers.length - 1];
    return [last ? last.name : 'output'];
  }

  /** `missing`: the value of an output an object leaves out (undefined: every output must be named). */
  private perOutput<T>(v: unknown, arg: string, isOne: (x: unknown) => boolean, missing?: unknown): unknown[] {
    const names = this.compiledNames();
    if (isOne(v)) return names.map(() => v);
    if (Array.isArray(v)) {
      if (v.length !== names.length) invalid(arg, `one entry per output (${names.length}: ${names.join(', ')})`, v);
      return v;
    }
    if (isDataObject(v)) {
      const extra = Object.keys(v).filter((k) => !names.includes(k));
      if (extra.length > 0)
        throw new ValueError(
          `\`${arg}\` names outputs the model does not have: ${extra.join(', ')}. Its outputs are: ${names.join(', ')}.`,
        );
      return names.map((n) => {
        if (!(n in v) && missing !== undefined) return missing;
        if (!(n in v))
          throw new ValueError(
            `\`${arg}\` has no entry for output '${n}'. Give one for each output: ${names.join(', ')}.`,
          );
        return (v as Record<string, T>)[n];
      });
    }
    return invalid(
      arg,
      `one value for every output, an array in output order, or an object keyed by output name (${names.join(', ')})`,
      v,
    );
  }

  /**
   * Configure training: optimizer, loss(es) and metrics.
   * @example model.compile({ loss: 'mean_squared_error', optimizer: 'adam', metrics: ['accuracy'] })
   */
  compile(args: CompileArgs): void {
    if (typeof args !== 'object' || args === null) invalid('args', 'an object { optimizer, loss, metrics }', args);
    if (this.fitting) throw new SimdnetError('Cannot compile while fit() is running.');
    // Compiling needs the outputs' names only (a Sequential model may be built later, as in Keras).
    const names = this.compiledNames(),
      one = names.length === 1;
    const optimizer = getOptimizer(args.optimizer, 'optimizer');
    const isLoss = (x: unknown) => typeof x === 'string' || x instanceof Loss || isCustomLoss(x as LossId);
    const losses = this.perOutput(args.loss, 'loss', isLoss).map((l, k) =>
      getLoss(l as LossId, one ? 'loss' : `loss (output '${names[k]}')`),
    );
    let lossWeights = names.map(() => 1);
    if (args.lossWeights !== undefined) {
      lossWeights = this.perOutput(args.lossWeights, 'lossWeights', (x) => typeof x === 'number', 1).map((w, k) => {
        if (typeof w !== 'number' || !Number.isFinite(w) || w < 0)
          invalid(`lossWeights (output '${names[k]}')`, 'a finite number ≥ 0', w);
        return w as number;
      });
    }
    const mIn = args.metrics ?? [];
    const isMetric = (x: unknown) => typeof x === 'string' || x instanceof Metric;
    let perOut: unknown[];
    if (Array.isArray(mIn) && mIn.every(isMetric)) perOut = names.map(() => mIn);
    else if (Array.isArray(mIn) || isDataObject(mIn)) perOut = this.perOutput(mIn, 'metrics', () => false, null);
    else
      return invalid(
        'metrics',
        'an array of metric names (or per output: an array of arrays, or an object keyed by output name)',
        mIn,
      );
    const metrics = perOut.map((ms, k) => {
      const list = ms === undefined || ms === null ? [] : Array.isArray(ms) ? ms : [ms];
      const arg = one ? 'metrics' : `metrics (output '${names[k]}')`;
      return list.map((m) => {
        const got = getMetric(m as MetricId, arg);
        return new Metric(got.name, got.kind, got.threshold); // each output counts on its own
      });
    });
    // Everything validated: now swap in (a failed compile leaves the model as it was).
    if (this.mem.placed && this.optimizer) this.mem.releaseSlots();
    this.optimizer = optimizer;
    this.losses = losses;
    this.lossWeights = lossWeights;
    this.outputMetrics = metrics;
    this.compiledMetricNames = metrics.map((ms) => ms.map((m) => m.name));
    // Log keys, made once (not per batch).
    this.lossKeys = names.map((n) => `${n}_loss`);
    this.metricIds = perOut.map((ms) => (ms === undefined || ms === null ? [] : Array.isArray(ms) ? ms : [ms]));
    this.nameLogs();
    // A plan's target buffers are as wide as the loss wants (one class index for a sparse loss): lay out anew.
    this.mem.dropPlans();
    if (this.mem.placed) this.mem.allocateSlots(this.allWeights, optimizer);
  }
  private lossKeys: string[] = [];
  private metricKeys: string[][] = [];

  // ------------------------------------------------------------------ memory and steps (src/engine/)

  private get be(): Backend {
    return this.mem.be;
  }

  /** Put the model and its weights in the current backend's memory (moving them if the backend changed). */
  private ensurePlaced(): void {
    this.build();
    const ws = this.allWeights;
    if (this.mem.ready(ws)) return;
    this.mem.place(ws, this.optimizer);
  }

  /**
   * Free this model's kernel memory now (it is freed anyway when the model is
   * garbage-collected). The weights are kept in JS memory, so the model stays usable.
   */
  release(): void {
    if (this.fitting) throw new SimdnetError('Cannot release a model while fit() is running.');
    this.mem.release(this.allWeights);
  }

  /** Target floats per sample of each output (1 for a sparse loss's class index). */
  private targetWidths(): number[] {
    return this.outs.map((o, k) => {
      const l = this.losses[k];
      return l instanceof Loss && l.sparse ? 1 : o.feat;
    });
  }

  private planFor(B: number, training: boolean): Plan {
    return this.mem.planFor(this.program!, B, training, this.targetWidths());
  }

  private forward(plan: Plan, M: number, training: boolean, stepSeed: number): void {
    this.exec!.forward(this.be, this.mem.ws, plan, M, training, stepSeed);
  }
  private lossOn(plan: Plan, M: number, useW: boolean, grad: boolean): number {
    return this.exec!.lossOn(this.be, plan, M, useW, grad, this.losses, this.lossWeights);
  }
  private gather(
    plan: Plan,
    X: Matrix[],
    Y: Matrix[] | null,
    w: Float32Array | null,
    order: Int32Array | null,
    start: number,
    end: number,
  ): void {
    this.exec!.gather(this.be, plan, X, Y, w, order, start, end);
  }

  /** The trainable weights, and all of them, as of the last fit or trainOnBatch (not rebuilt per step). */
  private trainable: Weight[] = [];
  private stepWeights: Weight[] = [];
  /** The optimizer's view of the trainable weights (pointers and this model's slots), made once per fit. */
  private params: ParamSlots[] = [];

  /** One optimizer step on the M samples already copied into the plan. Returns the batch loss. */
  private trainStep(
    plan: Plan,
    M: number,
    useW: boolean,
    stepSeed: number,
    backup: number,
    probe: DiagnosticProbe | null = null,
  ): number {
    const exec = this.exec!,
      be = this.be;
    exec.forward(be, this.mem.ws, plan, M, true, stepSeed);
    const sum = exec.lossOn(be, plan, M, useW, true, this.losses, this.lossWeights);
    exec.backward(be, plan, M);
    const loss = sum / M + penalty(be, this.stepWeights, true);
    if (probe === null) return applyUpdate(be, this.optimizer!, this.params, this.stepWeights, loss, backup);
    probe.afterBackward(plan.y, M);
    return applyUpdate(be, this.optimizer!, this.params, this.stepWeights, loss, backup);
  }

  /** The layers diagnostics reports on (those with a trainable kernel), and a probe over them. */
  private makeProbe(): DiagnosticProbe {
    const p = this.program!;
    const layers: ProbedLayer[] = [];
    for (const s of p.steps) {
      const l = s.layer;
      if (layers.some((q) => q.layer === l)) continue;
      const kernel = l.weights.find((w) => w.trainable && /(^|\/)kernel$/.test(w.name));
      if (kernel === undefined) continue;
      const act = (l as { activation?: { name?: unknown } }).activation?.name;
      layers.push({
        layer: l,
        kernel,
        value: s.output,
        feat: p.values[s.output]!.feat,
        activation: typeof act === 'string' ? act : null,
        output: p.outputs.includes(s.output),
      });
    }
    return new DiagnosticProbe(this.be, layers, (floats) => this.mem.probeFor(floats));
  }

  /**
   * One forward and backward pass on (x, y), without training, and what the diagnostics callback would
   * report of it (issue 19): per layer the gradient and weight norms, dead and saturated units, activation
   * statistics, and the warnings they give.
   * @example const { layers, warnings } = model.diagnose(xTrain.slice(0, 256), yTrain.slice(0, 256));
   */
  diagnose(x: ModelData, y: ModelData): DiagnosticsReport {
    this.requireCompiled('diagnose()');
    const { X, Y } = this.prepareXY(x, y, false);
    const rows = X[0]!.rows;
    if (rows === 0) throw new ValueError('`x` has no samples to diagnose.');
    this.ensurePlaced();
    const plan = this.planFor(rows, true);
    const frozen = this.allWeights.filter((w) => !w.trainable);
    const saved = frozen.map((w) => this.be.heap.read(w.ptr, w.size));
    this.gather(plan, X, Y, null, null, 0, rows);
    this.forward(plan, rows, true, 0);
    this.lossOn(plan, rows, false, true);
    this.exec!.backward(this.be, plan, rows);
    const probe = this.makeProbe();
    probe.afterBackward(plan.y, rows, false);
    frozen.forEach((w, i) => this.be.heap.write(w.ptr, saved[i]!));
    const layers = probe.report();
    return { epoch: 0, layers, warnings: diagnoseLayers(layers, null, [], []).map((w) => w.text) };
  }

  /**
   * An output of rank > 1 per sample (a Dense on a sequence, say) is trained
   * with the elementwise losses and metrics, whose mean over every position is
   * Keras's; the categorical ones reduce over the last axis per position, which
   * comes with the recurrent layers (issue 16).
   */
  private checkOutputRank(): void {
    this.outs.forEach((o, k) => {
      const shape = o.shape,
        loss = this.losses[k];
      if (shape.length <= 1) return;
      const what = `${this.single ? "the model's output" : `output '${o.name}'`} has shape [${shape.join(', ')}] per sample (rank ${shape.length})`;
      if (loss instanceof Loss && (loss.kind === 'cce' || loss.kind === 'sparse_cce')) {
        throw new NotSupportedError(
          `Loss '${loss.name}': ${what}; categorical losses need an output of rank 1. Add a flatten() layer before the output layer, or use an elementwise loss (mean_squared_error, binary_crossentropy, ...).`,
        );
      }
      for (const m of this.outputMetrics[k] ?? []) {
        if (m.kind === 'auto_accuracy' && loss instanceof Loss && loss.kind === 'bce') m.kind = 'binary_accuracy';
        if (
          m.kind === 'auto_accuracy' ||
          m.kind === 'categorical_accuracy' ||
          m.kind === 'sparse_categorical_accuracy'
        ) {
          throw new NotSupportedError(
            `Metric '${m.name}': ${what}; categorical accuracy needs an output of rank 1 (with binary_crossentropy, 'accuracy' is binary accuracy over every position).`,
          );
        }
      }
    });
  }

  private requireCompiled(what: string): void {
    if (!this.optimizer || this.losses.length === 0) {
      throw new SimdnetError(
        `You must call compile() before ${what}. For example: model.compile({ optimizer: 'adam', loss: 'mean_squared_error' })`,
      );
    }
  }

  /** Split data given for several inputs (or outputs): an array in order or an object keyed by name. */
  private split(d: ModelData, names: string[], what: 'x' | 'y', arg: string): { data: DataLike; name: string }[] {
    const kind = what === 'x' ? 'input' : 'output';
    if (names.length === 1) {
      if (isDataObject(d) && names[0]! in d)
        return [{ data: (d as Record<string, DataLike>)[names[0]!]!, name: `${arg}['${names[0]}']` }];
      if (Array.isArray(d) && d.length === 1 && d[0] instanceof Tensor) return [{ data: d[0], name: `${arg}[0]` }];
      return [{ data: d as DataLike, name: arg }];
    }
    if (
      Array.isArray(d) &&
      d.length === names.length &&
      d.every(
        (e) =>
          e instanceof Tensor || ArrayBuffer.isView(e) || Array.isArray(e) || (typeof e === 'object' && e !== null),
      )
    ) {
      return (d as DataLike[]).map((e, i) => ({ data: e, name: `${arg}[${i}]` }));
    }
    if (isDataObject(d)) {
      const extra = Object.keys(d).filter((k) => !names.includes(k));
      if (extra.length > 0)
        throw new ValueError(
          `\`${arg}\` names ${kind}s the model does not have: ${extra.join(', ')}. Its ${kind}s are: ${names.join(', ')}.`,
        );
      return names.map((n) => {
        if (!(n in d))
          throw new ValueError(
            `\`${arg}\` has no data for ${kind} '${n}'. Give data for each ${kind}: ${names.join(', ')}.`,
          );
        return { data: (d as Record<string, DataLike>)[n]!, name: `${arg}['${n}']` };
      });
    }
    return invalid(
      arg,
      `the data of the model's ${names.length} ${kind}s: an array in ${kind} order or an object keyed by ${kind} name (${names.join(', ')})`,
      d,
    );
  }

  /** The inputs' matrices; `names` receives the argument name of each (x, x[1], x['b']) for later messages. */
  private inputMatrices(x: ModelData, arg = 'x', names?: string[]): Matrix[] {
    const ins = this.graphInputs;
    const parts = this.split(
      x,
      ins.map((t) => t.sourceLayer.name),
      'x',
      arg,
    );
    const X = parts.map((p, k) => featureMatrix(p.data, p.name, shapeSize(ins[k]!.shape), ins[k]!.shape));
    X.forEach((m, k) => {
      if (m.rows !== X[0]!.rows)
        throw new ValueError(
          `The inputs have different numbers of samples: ${parts[0]!.name} has ${X[0]!.rows}, ${parts[k]!.name} has ${m.rows}.`,
        );
    });
    if (names) for (const p of parts) names.push(p.name);
    return X;
  }

  private prepareXY(
    x: ModelData,
    y: ModelData,
    allowNonFinite: boolean,
    nameX = 'x',
    nameY = 'y',
  ): { X: Matrix[]; Y: Matrix[] } {
    this.build();
    this.checkOutputRank();
    const xNames: string[] = [];
    const X = this.inputMatrices(x, nameX, xNames);
    const parts = this.split(
      y,
      this.outs.map((o) => o.name),
      'y',
      nameY,
    );
    const Y = parts.map((p, k) => {
      const l = this.losses[k];
      return targetMatrix(p.data, p.name, this.outs[k]!.feat, l instanceof Loss && l.sparse, X[0]!.rows);
    });
    if (!allowNonFinite) {
      X.forEach((m, k) => checkFinite(m, xNames[k]!));
      Y.forEach((m, k) => checkFinite(m, parts[k]!.name));
    }
    return { X, Y };
  }

  private classWeights(Y: Matrix, cw: Record<number, number>, base: Float32Array | null): Float32Array {
    const out = new Float32Array(Y.rows);
    const outFeat = this.outs[0]!.feat;
    for (let i = 0; i < Y.rows; i++) {
      let c: number;
      if (Y.cols === 1) c = outFeat === 1 ? (Y.values[i]! > 0.5 ? 1 : 0) : Y.values[i]!;
      else {
        c = 0;
        for (let j = 1; j < Y.cols; j++) if (Y.values[i * Y.cols + j]! > Y.values[i * Y.cols + c]!) c = j;
      }
      const wv = cw[c] ?? 1;
      out[i] = (base ? base[i]! : 1) * wv;
    }
    return out;
  }

  /** The metrics as compile was given them, per output (their log keys follow `logNames`). */
  private metricIds: unknown[][] = [];
  /**
   * @internal How logs and history name metrics: 'keras' (the metric's name: `accuracy`) or 'tfjs' (TF.js's:
   * `acc` for 'accuracy' or 'acc', `ce` for 'crossentropy' or 'ce', any other name as given), which
   * `simdnet/tfjs` sets on its models.
   */
  private logNames: 'keras' | 'tfjs' = 'keras';
  /** @internal Set how logs name metrics, renaming a compiled model's. */
  setLogNames(style: 'keras' | 'tfjs'): void {
    this.logNames = style;
    if (this.outputMetrics.length > 0) this.nameLogs();
  }
  private nameLogs(): void {
    const names = this.compiledNames(),
      one = names.length === 1;
    // A name as given (a metric from a file's training config: its name), 'acc' and 'ce' as TF.js shortens them.
    const tfjs = (id: unknown, m: Metric) => {
      const name = typeof id === 'string' ? id : m.name;
      if (name === 'accuracy' || name === 'acc') return 'acc';
      if (name === 'crossentropy' || name === 'ce') return 'ce';
      return name;
    };
    this.metricKeys = names.map((n, k) =>
      this.outputMetrics[k]!.map((m, j) => {
        const key = this.logNames === 'tfjs' ? tfjs(this.metricIds[k]?.[j], m) : m.name;
        return one ? key : `${n}_${key}`;
      }),
    );
  }

  /** @internal The log keys of a loss pass: `loss`, then per output `<name>_loss` (several outputs) and the metrics. */
  logKeys(): string[] {
    return ['loss', ...(this.single ? [] : this.lossKeys), ...this.metricKeys.flat()];
  }

  /** Fresh metric counters per output, resolved against the targets' widths. */
  private freshMetrics(Y: Matrix[]): Metric[][] {
    return this.outputMetrics.map((ms, k) =>
      ms.map((m0) => {
        const m = new Metric(m0.name, m0.kind, m0.threshold);
        m.resolve(this.outs[k]!.feat, Y[k]!.cols);
        return m;
      }),
    );
  }

  private updateMetrics(metrics: Metric[][], plan: Plan, M: number, useW: boolean): void {
    this.exec!.updateMetrics(this.be, metrics, plan, M, useW);
  }

  /** Write per-output losses (means over `count` samples) and metric results into logs. */
  private writeLogs(logs: Logs, metrics: Metric[][], outLossSums: Float64Array | null, count: number): void {
    const one = this.single;
    for (let k = 0; k < metrics.length; k++) {
      if (!one && outLossSums) logs[this.lossKeys[k]!] = count > 0 ? outLossSums[k]! / count : NaN;
    }
    for (let k = 0; k < metrics.length; k++) {
      const ms = metrics[k]!,
        keys = this.metricKeys[k]!;
      for (let j = 0; j < ms.length; j++) logs[keys[j]!] = ms[j]!.result();
    }
  }

  /**
   * Train the model.
   * @example const history = await model.fit(X, y, { epochs: 10, batchSize: 32, validationSplit: 0.2 });
   */
  async fit(dataset: Dataset, args?: FitDatasetArgs): Promise<History>;
  async fit(x: ModelData, y: ModelData, args?: FitArgs): Promise<History>;
  async fit(x: ModelData | Dataset, y?: ModelData | FitDatasetArgs, args: FitArgs = {}): Promise<History> {
    // Keras's fit(dataset, …): the dataset's elements carry the targets; the second argument is the options.
    if (x instanceof Dataset) {
      const a = y ?? args;
      const known = new Set(Object.keys(FIT_DATASET_KEYS));
      if (typeof a !== 'object' || a === null || Array.isArray(a) || a instanceof Tensor || ArrayBuffer.isView(a))
        invalid('args', 'the fit options (with a dataset, fit takes no y: its elements carry the targets)', a);
      for (const k of Object.keys(a))
        if (!known.has(k))
          throw new ValueError(
            `fit(dataset, args): unknown option '${k}' (with a dataset, fit takes no y: its elements carry the targets). Options: ${[...known].join(', ')}.`,
          );
      return this.fitDataset(x, a as FitDatasetArgs);
    }
    if (y === undefined) invalid('y', 'the targets (or pass a dataset of { xs, ys } batches)', y);
    if (this.fitting)
      throw new SimdnetError('Cannot start a second fit() on this model while one is running. Await the first.');
    if (typeof args !== 'object' || args === null) invalid('args', 'an object of fit options', args);
    this.requireCompiled('fit()');
    const { epochs, initialEpoch, verbose } = loopOptions(args);
    const batchSizeGiven = args.batchSize !== undefined;
    let batchSize = checkPositiveInt('batchSize', args.batchSize ?? 32);
    const split = args.validationSplit ?? 0;
    if (typeof split !== 'number' || !(split >= 0 && split < 1))
      invalid('validationSplit', 'a number in [0, 1)', args.validationSplit);
    const yieldEvery = args.yieldEvery ?? 50;
    const allow = !!args.allowNonFinite;
    const callbacksIn = callbackList(args.callbacks);

    let { X, Y } = this.prepareXY(x, y as ModelData, allow);
    const rows = X[0]!.rows;
    let SW = args.sampleWeight !== undefined ? sampleWeights(args.sampleWeight, rows) : null;
    if (args.classWeight !== undefined) {
      if (typeof args.classWeight !== 'object' || args.classWeight === null)
        invalid('classWeight', 'an object mapping class index to weight', args.classWeight);
      if (!this.single)
        throw new NotSupportedError(
          `\`classWeight\` applies to a model with one output; this one has ${this.outs.length} (${this.outputNames.join(', ')}). Pass \`sampleWeight\` instead.`,
        );
      SW = this.classWeights(Y[0]!, args.classWeight, SW);
    }
    let val: { X: Matrix[]; Y: Matrix[]; W: Float32Array | null } | null = null;
    if (args.validationData !== undefined)
      val = this.validationArrays(args.validationData, allow, 'an array [xVal, yVal] or [xVal, yVal, sampleWeightVal]');
    else if (split > 0) {
      const nVal = Math.floor(rows * split);
      const nTrain = rows - nVal;
      if (nVal === 0 || nTrain === 0) {
        throw new ValueError(
          `\`validationSplit\`=${split} of ${rows} samples leaves ${nTrain} for training and ${nVal} for validation; both must be at least 1.`,
        );
      }
      val = {
        X: X.map((m) => sliceRows(m, nTrain, rows)),
        Y: Y.map((m) => sliceRows(m, nTrain, rows)),
        W: SW ? SW.slice(nTrain) : null,
      };
      X = X.map((m) => sliceRows(m, 0, nTrain));
      Y = Y.map((m) => sliceRows(m, 0, nTrain));
      SW = SW ? SW.slice(0, nTrain) : null;
    }
    const n = X[0]!.rows;
    if (n === 0) throw new ValueError('`x` has no samples to train on.');
    if (!batchSizeGiven) batchSize = Math.min(batchSize, n);
    if (batchSize > n) {
      throw new ValueError(
        `\`batchSize\`=${batchSize} is larger than the ${n} training samples. Use a batchSize of at most ${n}.`,
      );
    }

    const rng = new Rng(args.seed ?? nextSeed());
    return this.trainLoop({
      epochs,
      initialEpoch,
      verbose,
      callbacks: callbacksIn,
      print: args.print,
      yieldEvery,
      rng,
      B: batchSize,
      Y,
      useW: SW !== null,
      samples: n,
      steps: Math.ceil(n / batchSize),
      batchSize,
      hasVal: val !== null,
      validate: () => (val ? this.evaluateMatrices(val.X, val.Y, val.W, batchSize) : null),
      source: (feed) =>
        arrayBatches(n, batchSize, args.shuffle ?? true, rng, (order, start, end) =>
          this.gather(feed.plan(), X, Y, SW, order, start, end),
        ),
    });
  }

  /**
   * Train on a dataset (`sn.data`, issue 17) whose elements are batches `{ xs, ys }` or `[xs, ys]`
   * (xs, ys: a tensor, an array of them for several inputs/outputs, or an object keyed by name), as
   * TF.js's fitDataset: each epoch a fresh pass over the dataset, or `batchesPerEpoch` batches of one pass
   * that goes on across epochs. Each batch is copied into the model's buffers and dropped.
   * @example await model.fitDataset(sn.data.csv('big.csv', { columnConfigs: { y: { isLabel: true } } })
   *   .map(({ xs, ys }) => ({ xs: Object.values(xs), ys: Object.values(ys) })).batch(64), { epochs: 5 });
   */
  async fitDataset(dataset: Dataset, args: FitDatasetArgs = {}): Promise<History> {
    if (this.fitting)
      throw new SimdnetError('Cannot start a second fit() on this model while one is running. Await the first.');
    if (!(dataset instanceof Dataset)) invalid('dataset', 'a Dataset (sn.data.*)', dataset);
    if (typeof args !== 'object' || args === null) invalid('args', 'an object of fitDataset options', args);
    if ((args as { shuffle?: unknown }).shuffle === true)
      throw new ValueError(
        '`shuffle` does not apply to a dataset (it is read as a stream): use dataset.shuffle(bufferSize).',
      );
    for (const k of ['validationSplit', 'batchSize', 'sampleWeight'] as const)
      if ((args as Record<string, unknown>)[k] !== undefined)
        throw new ValueError(
          k === 'validationSplit'
            ? '`validationSplit` cannot split a dataset (it is read as a stream, as in Keras). Pass `validationData` (a dataset, or [x, y]).'
            : `\`${k}\` does not apply to a dataset: ${k === 'batchSize' ? 'batch it with dataset.batch(n)' : 'give each batch its weights'}.`,
        );
    this.requireCompiled('fitDataset()');
    this.build();
    this.checkOutputRank();
    const { epochs, initialEpoch, verbose } = loopOptions(args);
    const perEpoch = args.batchesPerEpoch;
    if (perEpoch !== undefined) checkPositiveInt('batchesPerEpoch', perEpoch);
    const callbacksIn = callbackList(args.callbacks);
    const cw = args.classWeight;
    if (cw !== undefined) {
      if (typeof cw !== 'object' || cw === null)
        invalid('classWeight', 'an object mapping class index to weight', args.classWeight);
      if (!this.single)
        throw new NotSupportedError(
          `\`classWeight\` applies to a model with one output; this one has ${this.outs.length} (${this.outputNames.join(', ')}).`,
        );
    }
    const allow = !!args.allowNonFinite;
    // One pass goes on across epochs when batchesPerEpoch is given (TF.js); otherwise each epoch opens one.
    let src = dataset.source(),
      index = 0;
    const read = async (where: string): Promise<{ X: Matrix[]; Y: Matrix[]; W: Float32Array | null } | null> => {
      const r = await nextBatch(src, index);
      if (r.done) return null;
      const b = this.batchXY(r.value, allow, `${where} batch ${index}`);
      index++;
      return { ...b, W: cw !== undefined ? this.classWeights(b.Y[0]!, cw, null) : null };
    };
    let first = await read('dataset');
    if (first === null) throw new ValueError('`dataset` has no batches: it ended before the first.');
    const valData = args.validationData;
    let val: ((batch: number) => Promise<Logs> | Logs) | null = null;
    if (valData instanceof Dataset) {
      const vb = args.validationBatches;
      if (vb !== undefined) checkPositiveInt('validationBatches', vb);
      val = () => this.evaluateDataset(valData, { batches: vb, allowNonFinite: allow });
    } else if (valData !== undefined) {
      const v = this.validationArrays(
        valData,
        allow,
        'a dataset, or an array [xVal, yVal] or [xVal, yVal, sampleWeightVal]',
      );
      val = () => this.evaluateMatrices(v.X, v.Y, v.W, 32);
    }
    const rng = new Rng(args.seed ?? nextSeed());
    return this.trainLoop({
      epochs,
      initialEpoch,
      verbose,
      callbacks: callbacksIn,
      print: args.print,
      yieldEvery: args.yieldEvery ?? 50,
      rng,
      B: first.X[0]!.rows,
      Y: first.Y,
      useW: cw !== undefined,
      samples: null,
      steps: perEpoch ?? null,
      batchSize: null,
      hasVal: val !== null,
      validate: () => (val ? val(0) : null),
      source: (feed) => ({
        begin: (epoch) => {
          if (perEpoch === undefined && epoch > initialEpoch) {
            src = dataset.source();
            index = 0;
          }
        },
        next: async (s) => {
          if (perEpoch !== undefined && s >= perEpoch) return 0;
          const b = first ?? (await read('dataset'));
          first = null;
          if (b === null) {
            if (perEpoch !== undefined)
              throw new ValueError(
                `\`dataset\` ran out after ${index} batches, before batch ${s + 1} of the ${perEpoch} per epoch (batchesPerEpoch); the model keeps the weights of its last completed batch. Use dataset.repeat(), or a smaller batchesPerEpoch.`,
              );
            return 0;
          }
          const M = b.X[0]!.rows;
          feed.fit(M);
          this.gather(feed.plan(), b.X, b.Y, b.W, null, 0, M);
          return M;
        },
      }),
    });
  }

  /** One batch of a dataset as matrices: `{ xs, ys }` or `[xs, ys]`, with the checks of fit's arrays. */
  private batchXY(el: unknown, allow: boolean, where: string): { X: Matrix[]; Y: Matrix[] } {
    let xs: unknown, ys: unknown;
    if (Array.isArray(el) && el.length === 2) [xs, ys] = el;
    else if (typeof el === 'object' && el !== null && 'xs' in el && 'ys' in el)
      ({ xs, ys } = el as { xs: unknown; ys: unknown });
    else
      throw new ValueError(
        `${where}: expected a batch { xs, ys } (or [xs, ys]) of tensors; did you forget dataset.batch(n)? Received: ${describe(el)}`,
      );
    if ([xs, ys].some((v) => Array.isArray(v) && v.length > 0 && typeof v[0] === 'number'))
      throw new ValueError(
        `${where}: the element's xs/ys are flat arrays of numbers — one sample, not a batch. Did you forget dataset.batch(n)? Received: ${describe(el)}`,
      );
    try {
      const { X, Y } = this.prepareXY(
        this.columnsAsInput(xs) as ModelData,
        this.columnsAsInput(ys, true) as ModelData,
        allow,
        'xs',
        'ys',
      );
      if (X[0]!.rows === 0) throw new ValueError('the batch has no samples.');
      return { X, Y };
    } catch (e) {
      throw locate(e, where);
    }
  }

  /**
   * A CSV's batched columns ({ col: [n] tensor, … }) for a one-input (one-output) model whose input is not
   * named by them: the columns side by side, [n, columns], in the order given.
   */
  private columnsAsInput(v: unknown, outputs = false): unknown {
    if (typeof v !== 'object' || v === null || v instanceof Tensor || Array.isArray(v) || ArrayBuffer.isView(v))
      return v;
    const names = outputs ? this.outputNames : this.inputNames;
    const cols = Object.entries(v as Record<string, unknown>);
    if (names.length !== 1 || cols.some(([k]) => names.includes(k))) return v;
    if (!cols.every(([, t]) => t instanceof Tensor && t.rank === 1)) return v;
    const ts = cols.map(([, t]) => t as Tensor),
      n = ts[0]!.shape[0]!,
      k = ts.length;
    const out = new Float32Array(n * k);
    ts.forEach((t, j) => {
      if (t.shape[0] !== n)
        throw new ValueError(`column '${cols[j]![0]}' has ${t.shape[0]} values where '${cols[0]![0]}' has ${n}.`);
      for (let i = 0; i < n; i++) out[i * k + j] = t.values[i]!;
    });
    return resultTensor(out, [n, k]);
  }

  /** Loss and metrics over a dataset of batches (all of it, or its first `batches`). */
  async evaluateDataset(
    dataset: Dataset,
    args: { batches?: number; verbose?: number; allowNonFinite?: boolean } = {},
  ): Promise<Logs> {
    if (!(dataset instanceof Dataset)) invalid('dataset', 'a Dataset (sn.data.*)', dataset);
    if (typeof args !== 'object' || args === null) invalid('args', 'an object like { batches: 10 }', args);
    this.requireCompiled('evaluateDataset()');
    if (args.batches !== undefined) checkPositiveInt('batches', args.batches);
    this.build();
    this.checkOutputRank();
    this.ensurePlaced();
    const src = dataset.source();
    const outLoss = new Float64Array(this.outs.length);
    let metrics: Metric[][] | null = null,
      plan: Plan | null = null,
      sum = 0,
      rows = 0;
    for (let b = 0; args.batches === undefined || b < args.batches; b++) {
      const r = await nextBatch(src, b);
      if (r.done) break;
      const { X, Y } = this.batchXY(r.value, !!args.allowNonFinite, `evaluateDataset(): batch ${b}`);
      const M = X[0]!.rows;
      if (plan === null || plan.B < M) plan = this.planFor(M, false);
      metrics ??= this.freshMetrics(Y);
      this.gather(plan, X, Y, null, null, 0, M);
      sum += this.evaluateBatch(plan, M, false, outLoss, metrics);
      rows += M;
    }
    src.close?.();
    if (rows === 0 || metrics === null) throw new ValueError('`dataset` has no batches to evaluate.');
    const logs: Logs = { loss: sum / rows + penalty(this.be, this.allWeights, false) };
    this.writeLogs(logs, metrics, outLoss, rows);
    if ((args.verbose ?? 0) > 0) defaultPrinter()(formatLogs(logs), false);
    return logs;
  }

  /** What fit and fitDataset share once their data is ready: callbacks, the plan, the loop. */
  private async trainLoop(t: {
    epochs: number;
    initialEpoch: number;
    verbose: number;
    callbacks: (Callback | CustomCallback)[];
    print: Printer | undefined;
    yieldEvery: number;
    rng: Rng;
    /** The batch size the plan is laid out for first (a dataset's larger batch grows it). */
    B: number;
    /** Targets (of one batch, for a dataset) that the metrics resolve against. */
    Y: Matrix[];
    useW: boolean;
    samples: number | null;
    steps: number | null;
    batchSize: number | null;
    hasVal: boolean;
    validate: () => Logs | null | Promise<Logs | null>;
    source: (feed: { plan(): Plan; fit(M: number): void }) => BatchSource;
  }): Promise<History> {
    // A callback that monitors a validation quantity without validation data fails now, before any
    // training. (Other names are checked by the callback at the first epoch end: custom callbacks may add logs.)
    const keys = this.logKeys();
    for (const c of t.callbacks) {
      const mon = (c as { monitor?: unknown }).monitor;
      if (!t.hasVal && typeof mon === 'string' && mon.startsWith('val_')) {
        throw new ValueError(
          `A callback monitors '${mon}', but fit has no validation data: pass validationSplit or validationData, or monitor one of ${keys.join(', ')}.`,
        );
      }
    }

    this.ensurePlaced();
    let plan = this.planFor(t.B, true);
    plan.pinned++;
    const history = new History();
    const print = t.print ?? defaultPrinter();
    // Keras's order: History first, the user's callbacks, the progress bar last.
    const cbs: (Callback | CustomCallback)[] = [history, ...t.callbacks];
    if (t.verbose > 0) cbs.push(new ProgbarLogger(print, t.verbose, keys));
    const guardNaN = t.callbacks.some((c) => c instanceof TerminateOnNaN);
    const backup = guardNaN ? this.mem.backupFor(this.allWeights.reduce((a, w) => a + w.size, 0)) : 0;
    this.trainable = this.trainableWeights;
    this.stepWeights = this.allWeights;
    this.params = this.mem.params(this.trainable);
    const params: TrainParams = {
      epochs: t.epochs,
      steps: t.steps,
      samples: t.samples,
      batchSize: t.batchSize,
      verbose: t.verbose,
    };
    for (const c of cbs)
      if (c instanceof Callback) {
        c.setModel(this);
        c.setParams(params);
      }
    const metrics = this.freshMetrics(t.Y);
    const useW = t.useW;
    const diags = t.callbacks.filter((c): c is Diagnostics => c instanceof Diagnostics);
    const probe = diags.length > 0 ? this.makeProbe() : null;
    for (const d of diags) d.probe = probe;
    const feed = {
      plan: () => plan,
      fit: (M: number) => {
        if (M <= plan.B) return;
        plan.pinned--;
        plan = this.planFor(M, true);
        plan.pinned++;
      },
    };
    const host: LoopHost = {
      stopping: () => this.stopTraining,
      stop: () => {
        this.stopTraining = true;
      },
      iterations: () => this.optimizer!.iterations,
      step: (M, stepSeed) => this.trainStep(plan, M, useW, stepSeed, backup, probe),
      outSums: this.exec!.outSums,
      resetMetrics: () => {
        for (const ms of metrics) for (const m of ms) m.reset();
      },
      updateMetrics: (M) => this.updateMetrics(metrics, plan, M, useW),
      writeLogs: (logs, outLoss, count) => this.writeLogs(logs, metrics, outLoss, count),
      validate: t.validate,
    };
    this.fitting = true;
    this.stopTraining = false;
    try {
      await runEpochs(host, cbs, {
        epochs: t.epochs,
        initialEpoch: t.initialEpoch,
        source: t.source(feed),
        rng: t.rng,
        keys,
        guardNaN,
        yieldEvery: t.yieldEvery,
      });
    } finally {
      this.fitting = false;
      plan.pinned--;
      for (const d of diags) d.probe = null;
    }
    if (diags.length > 0) history.diagnostics = diags[0]!.reports;
    return history;
  }

  /** fit's and fitDataset's validationData given as arrays: [x, y] or [x, y, sampleWeight], checked. */
  private validationArrays(
    vd: unknown,
    allow: boolean,
    expected: string,
  ): { X: Matrix[]; Y: Matrix[]; W: Float32Array | null } {
    if (!Array.isArray(vd) || vd.length < 2) invalid('validationData', expected, vd);
    const v = this.prepareXY(vd[0] as ModelData, vd[1] as ModelData, allow, 'validationData[0]', 'validationData[1]');
    const W = vd[2] !== undefined ? sampleWeights(vd[2] as DataLike, v.X[0]!.rows, 'validationData[2]') : null;
    return { ...v, W };
  }

  /** Evaluation of the M samples already in the plan: their loss sum returned, outputs' sums and metrics added. */
  private evaluateBatch(plan: Plan, M: number, useW: boolean, outLoss: Float64Array, metrics: Metric[][]): number {
    this.forward(plan, M, false, 0);
    const sum = this.lossOn(plan, M, useW, false);
    for (let k = 0; k < outLoss.length; k++) outLoss[k] = outLoss[k]! + this.exec!.outSums[k]!;
    this.updateMetrics(metrics, plan, M, useW);
    return sum;
  }

  private evaluateMatrices(X: Matrix[], Y: Matrix[], W: Float32Array | null, batchSize: number): Logs {
    const rows = X[0]!.rows;
    const B = Math.min(batchSize, Math.max(1, rows));
    const plan = this.planFor(B, false);
    const metrics = this.freshMetrics(Y);
    const outLoss = new Float64Array(this.outs.length);
    let sum = 0;
    for (let start = 0; start < rows; start += B) {
      const end = Math.min(rows, start + B),
        M = end - start;
      this.gather(plan, X, Y, W, null, start, end);
      sum += this.evaluateBatch(plan, M, W !== null, outLoss, metrics);
    }
    const logs: Logs = { loss: (rows > 0 ? sum / rows : NaN) + penalty(this.be, this.allWeights, false) };
    this.writeLogs(logs, metrics, outLoss, rows);
    return logs;
  }

  /**
   * Loss and metrics on data, as named numbers: `{ loss: 0.18, accuracy: 0.93 }`
   * (several outputs: also `<output>_loss` and `<output>_<metric>`).
   */
  evaluate(x: ModelData, y: ModelData, args: EvaluateArgs = {}): Logs {
    if (typeof args !== 'object' || args === null) invalid('args', 'an object like { batchSize: 32 }', args);
    this.requireCompiled('evaluate()');
    const batchSize = checkPositiveInt('batchSize', args.batchSize ?? 32);
    const { X, Y } = this.prepareXY(x, y, !!args.allowNonFinite);
    if (X[0]!.rows === 0) throw new ValueError('`x` has no samples to evaluate.');
    const W = args.sampleWeight !== undefined ? sampleWeights(args.sampleWeight, X[0]!.rows) : null;
    this.ensurePlaced();
    const logs = this.evaluateMatrices(X, Y, W, batchSize);
    if ((args.verbose ?? 0) > 0) defaultPrinter()(formatLogs(logs), false);
    return logs;
  }

  /**
   * Predictions for `x`, in batches of `batchSize` (default 32): one Tensor of
   * shape [n, ...outputShape], or one per output for a model with several.
   */
  predict(dataset: Dataset, args?: PredictArgs): Promise<Tensor | Tensor[]>;
  predict(x: ModelData, args?: PredictArgs): Tensor | Tensor[];
  predict(x: ModelData | Dataset, args: PredictArgs = {}): Tensor | Tensor[] | Promise<Tensor | Tensor[]> {
    if (x instanceof Dataset) return this.predictDataset(x);
    if (typeof args !== 'object' || args === null) invalid('args', 'an object like { batchSize: 32 }', args);
    const batchSize = checkPositiveInt('batchSize', args.batchSize ?? 32);
    this.build();
    const X = this.inputMatrices(x);
    this.ensurePlaced();
    const rows = X[0]!.rows;
    const outs = this.outs.map((o) => new Float32Array(rows * o.feat));
    const B = Math.min(batchSize, Math.max(1, rows));
    const plan = this.planFor(B, false);
    const heap = this.be.heap;
    for (let start = 0; start < rows; start += B) {
      const end = Math.min(rows, start + B),
        M = end - start;
      this.gather(plan, X, null, null, null, start, end);
      this.forward(plan, M, false, 0);
      this.outs.forEach((o, k) => {
        const y = plan.y[o.value]! >> 2;
        outs[k]!.set(heap.f32.subarray(y, y + M * o.feat), start * o.feat);
      });
    }
    const ts = this.outs.map((o, k) => resultTensor(outs[k]!, [rows, ...o.shape]));
    return this.single ? ts[0]! : ts;
  }

  /**
   * Predictions over a dataset of batches (each the inputs, or `{ xs }` / `{ xs, ys }`), in order: one
   * Tensor per output, as predict gives.
   */
  private async predictDataset(dataset: Dataset): Promise<Tensor | Tensor[]> {
    this.build();
    this.ensurePlaced();
    const src = dataset.source();
    const chunks: Float32Array[][] = this.outs.map(() => []);
    let plan: Plan | null = null,
      rows = 0;
    for (let b = 0; ; b++) {
      const r = await nextBatch(src, b);
      if (r.done) break;
      const el = r.value;
      const xs = typeof el === 'object' && el !== null && !(el instanceof Tensor) && 'xs' in el ? el.xs : el;
      let X: Matrix[];
      try {
        X = this.inputMatrices(this.columnsAsInput(xs) as ModelData, 'xs');
      } catch (e) {
        throw locate(e, `predict(): dataset batch ${b}`);
      }
      const M = X[0]!.rows;
      if (M === 0) continue;
      if (plan === null || plan.B < M) plan = this.planFor(M, false);
      this.gather(plan, X, null, null, null, 0, M);
      this.forward(plan, M, false, 0);
      const f32 = this.be.heap.f32;
      this.outs.forEach((o, k) => {
        const y = plan!.y[o.value]! >> 2;
        chunks[k]!.push(f32.slice(y, y + M * o.feat));
      });
      rows += M;
    }
    const ts = this.outs.map((o, k) => {
      const out = new Float32Array(rows * o.feat);
      let at = 0;
      for (const c of chunks[k]!) {
        out.set(c, at);
        at += c.length;
      }
      return resultTensor(out, [rows, ...o.shape]);
    });
    return this.single ? ts[0]! : ts;
  }

  /** Predict one batch (all samples at once). */
  predictOnBatch(x: ModelData): Tensor | Tensor[] {
    this.build();
    const rows = this.inputMatrices(x)[0]!.rows;
    return this.predict(x, { batchSize: Math.max(1, rows) });
  }

  /** One optimizer step on the given batch; returns the loss and metrics for it. */
  trainOnBatch(x: ModelData, y: ModelData, args: { sampleWeight?: DataLike } = {}): Logs {
    if (this.fitting) throw new SimdnetError('Cannot call trainOnBatch() while fit() is running.');
    if (typeof args !== 'object' || args === null) invalid('args', 'an object like { sampleWeight }', args);
    this.requireCompiled('trainOnBatch()');
    const { X, Y } = this.prepareXY(x, y, false);
    const rows = X[0]!.rows;
    if (rows === 0) throw new ValueError('`x` has no samples.');
    const W = args.sampleWeight !== undefined ? sampleWeights(args.sampleWeight, rows) : null;
    this.ensurePlaced();
    this.trainable = this.trainableWeights;
    this.stepWeights = this.allWeights;
    this.params = this.mem.params(this.trainable);
    const plan = this.planFor(rows, true);
    this.gather(plan, X, Y, W, null, 0, rows);
    const loss = this.trainStep(plan, rows, W !== null, hash32(nextSeed(), this.optimizer!.iterations), 0);
    const logs: Logs = { loss };
    const metrics = this.freshMetrics(Y);
    this.updateMetrics(metrics, plan, rows, W !== null);
    this.writeLogs(logs, metrics, this.exec!.outSums, rows);
    return logs;
  }

  /**
   * The loss (with regularization penalties) on one batch and its gradient with
   * respect to every trainable weight, without updating anything (TF.js's
   * `optimizer.computeGradients`). `training` (default true) runs dropout with
   * the mask of `seed` and batch normalization on batch statistics.
   */
  computeGradients(
    x: ModelData,
    y: ModelData,
    args: { training?: boolean; seed?: number } = {},
  ): { loss: number; grads: Tensor[] } {
    const r = this.lossAndGrad(x, y, args.training ?? true, args.seed ?? 0, true);
    return { loss: r.loss, grads: r.grads! };
  }

  /** The loss on one batch as computed by a training step (same mode options as computeGradients), with no update. */
  computeLoss(x: ModelData, y: ModelData, args: { training?: boolean; seed?: number } = {}): number {
    return this.lossAndGrad(x, y, args.training ?? true, args.seed ?? 0, false).loss;
  }

  private lossAndGrad(
    x: ModelData,
    y: ModelData,
    training: boolean,
    seed: number,
    withGrad: boolean,
  ): { loss: number; grads: Tensor[] | null } {
    this.requireCompiled('computing gradients');
    const { X, Y } = this.prepareXY(x, y, false);
    const rows = X[0]!.rows;
    this.ensurePlaced();
    const plan = this.planFor(rows, training || withGrad);
    // Batch normalization updates its moving statistics in training mode: keep them as they were.
    const frozen = this.allWeights.filter((w) => !w.trainable);
    const saved = frozen.map((w) => this.be.heap.read(w.ptr, w.size));
    this.gather(plan, X, Y, null, null, 0, rows);
    this.forward(plan, rows, training, seed);
    const sum = this.lossOn(plan, rows, false, withGrad);
    if (withGrad) this.exec!.backward(this.be, plan, rows);
    const loss = sum / rows + penalty(this.be, this.allWeights, withGrad);
    const grads = withGrad
      ? this.trainableWeights.map((w) => resultTensor(this.be.heap.read(w.grad, w.size), w.shape))
      : null;
    frozen.forEach((w, i) => this.be.heap.write(w.ptr, saved[i]!));
    return { loss, grads };
  }

  /** Zero the carried states of every stateful recurrent layer (Keras's reset_states, TF.js's resetStates). */
  resetStates(): void {
    for (const l of this.layers) (l as { resetStates?: () => void }).resetStates?.();
  }

  // ------------------------------------------------------------------ weights

  /** Every weight (trainable and not), in layer order, as tensors (copies). */
  getWeights(): Tensor[] {
    this.build();
    return this.allWeights.map((w) => w.read());
  }

  /** Set every weight, in the order of getWeights(). Shapes must match. */
  setWeights(weights: Tensor[]): void {
    this.build();
    const ws = this.allWeights;
    checkWeights(ws, weights, 'setWeights').forEach((t, i) => ws[i]!.write(t));
  }

  /** The weights with their names, as a map name → tensor. */
  namedWeights(): { name: string; tensor: Tensor; trainable: boolean }[] {
    const ts = this.getWeights();
    return this.allWeights.map((w, i) => ({ name: w.name, tensor: ts[i]!, trainable: w.trainable }));
  }

  /**
   * The optimizer's slot variables (e.g. Adam's momentum and velocity per
   * weight), named `${weightName}/${slotName}` in weight order, plus its step
   * count as `iter`. Empty until the model is compiled and placed.
   */
  getOptimizerWeights(): { name: string; tensor: Tensor }[] {
    if (!this.optimizer) return [];
    this.ensurePlaced();
    const heap = this.be.heap;
    const names = this.optimizer.slotNames();
    const out: { name: string; tensor: Tensor }[] = [];
    for (const w of this.trainableWeights) {
      this.mem
        .slotsOf(w)
        .forEach((p, k) =>
          out.push({ name: `${w.name}/${names[k]}`, tensor: new Tensor(heap.read(p, w.size), w.shape) }),
        );
    }
    return out;
  }

  /** Restore what getOptimizerWeights returned (same optimizer kind and model). */
  setOptimizerWeights(weights: { name: string; tensor: Tensor }[]): void {
    if (!this.optimizer) throw new SimdnetError('setOptimizerWeights: compile the model with an optimizer first.');
    this.ensurePlaced();
    const names = this.optimizer.slotNames();
    const byName = new Map(weights.map((w) => [w.name, w.tensor]));
    const todo: [number, Tensor][] = [];
    for (const w of this.trainableWeights) {
      this.mem.slotsOf(w).forEach((p, k) => {
        const name = `${w.name}/${names[k]}`;
        const t = byName.get(name);
        if (!t)
          throw new ValueError(
            `setOptimizerWeights: missing slot '${name}'. Received: ${[...byName.keys()].join(', ') || 'none'}`,
          );
        if (t.size !== w.size)
          throw new ValueError(`setOptimizerWeights: slot '${name}' must have ${w.size} values. Received: ${t.size}`);
        todo.push([p, t]);
      });
    }
    for (const [p, t] of todo) this.be.heap.write(p, t.values);
  }

  /** The number of scalar weights. */
  countParams(): number {
    this.build();
    return this.layers.reduce((a, l) => a + l.countParams(), 0);
  }

  /**
   * A layer by name, or by index (Keras's `get_layer(name=None, index=None)`,
   * TF.js's `getLayer(name?, index?)`): exactly one of the two.
   * @example model.getLayer('dense_1').getWeights?.()
   */
  getLayer(name?: string | number, index?: number): Layer {
    // TF.js also accepts getLayer(undefined, index); a bare number is taken as the index, as Keras's positional use.
    if (typeof name === 'number' && index === undefined) {
      index = name;
      name = undefined;
    }
    if ((name === undefined) === (index === undefined)) {
      invalid('name', 'a layer name or an index (exactly one of the two)', name === undefined ? { name, index } : name);
    }
    if (index !== undefined) {
      if (!Number.isInteger(index) || index < 0 || index >= this.layers.length) {
        invalid(
          'index',
          `an integer in [0, ${this.layers.length - 1}] (the model has ${this.layers.length} layers)`,
          index,
        );
      }
      return this.layers[index]!;
    }
    if (typeof name !== 'string') invalid('name', 'a layer name (a string)', name);
    const l = this.layers.find((x) => x.name === name);
    if (!l)
      throw new ValueError(
        `No such layer: '${name}'. Existing layers are: ${this.layers.map((x) => `'${x.name}'`).join(', ') || 'none'}.`,
      );
    return l;
  }

  /**
   * Keras's summary table: layer, output shape, parameter count (and, for a
   * functional model, the "Connected to" column), totals. Printed (unless print is false) and returned.
   */
  summary(args: SummaryArgs = {}): string {
    this.build();
    return summarize(this.name, this.layers, args, this instanceof Sequential ? null : this.program!);
  }

  /** @internal kernel-memory statistics for tests: blocks and bytes this model holds. */
  memoryStats(): {
    blocks: number;
    heapBytes: number;
    heapLive: number;
    plans: { B: number; training: boolean; activationBuffers: number }[];
  } {
    const st = this.mem.stats();
    return {
      ...st,
      plans: st.plans.map((p) => ({ B: p.B, training: p.training, activationBuffers: activationBuffers(p) })),
    };
  }

  /** Metric names as compiled (for io): the first output's. */
  get metricNames(): string[] {
    return (this.compiledMetricNames[0] ?? []).slice();
  }
  /** Metric names as compiled, per output (for io). */
  get outputMetricNames(): string[][] {
    return this.compiledMetricNames.map((m) => m.slice());
  }
  /** @internal the program (for saving and summaries). */
  get graph(): Program {
    this.build();
    return this.program!;
  }

  // [io, issue 6] Saving, delegated to src/io/save.ts (below the model: no module cycle).
  /**
   * Save the model in the TF.js layers format (model.json + weights), readable
   * by `sn.loadModel`, `tf.loadLayersModel` and the tensorflowjs converter.
   * `target`: a directory in Node ('./my-model' or 'file://…'), 'indexeddb://name',
   * 'localstorage://name', 'downloads://name', an http(s) URL, or an IOHandler.
   * `includeOptimizer` also saves the compile configuration and optimizer state
   * so training can resume. Defaults to false (as TF.js).
   * @example await model.save('./my-model', { includeOptimizer: true });
   */
  async save(target: string | IOHandler, options: SaveOptions = {}): Promise<SaveResult> {
    return saveModel(this, target, options);
  }
}

/**
 * A linear stack of layers: a builder of a one-chain graph, run by the same
 * engine as functional models.
 */
export class Sequential extends LayersModel {
  private inputShape: number[] | null = null;
  private inputLayer: InputLayer | null = null;

  constructor(args: { layers?: (Layer | SymbolicTensor)[]; name?: string } = {}) {
    super({ ...(args.name !== undefined ? { name: args.name } : {}) }, 'sequential');
    for (const l of args.layers ?? []) this.add(l);
  }

  /** Append a layer (or, first, an input: an InputLayer or a tensor from sn.input()). */
  add(layer: Layer | SymbolicTensor): void {
    if (layer instanceof SymbolicTensor && layer.sourceLayer instanceof InputLayer) layer = layer.sourceLayer;
    if (!(layer instanceof Layer)) invalid('layer', 'a layer (e.g. sn.layers.dense({ units: 10 }))', layer);
    if (this.isPlaced())
      throw new ValueError('Cannot add layers to a model that has already been built. Create a new model.');
    if (this.layers.includes(layer)) throw new ValueError(`Layer '${layer.name}' is already in this model`);
    if (layer.multiInput)
      throw new ValueError(
        `Layer '${layer.name}' (${layer.className}) merges several inputs; a sequential model is one chain. Use the functional API (sn.model).`,
      );
    if (layer.outputCount() > 1)
      throw new ValueError(
        `Layer '${layer.name}' (${layer.className}) returns ${layer.outputCount()} tensors (returnState, or mergeMode 'none'); a sequential model passes one tensor from layer to layer. Use the functional API (sn.model) to route them.`,
      );
    if (layer instanceof InputLayer) {
      if (this.layers.length > 0 || this.inputShape)
        throw new ValueError('An input layer must come first in a sequential model');
      this.inputShape = layer.declaredInputShape!.slice();
      this.inputLayer = layer;
      return;
    }
    if (this.layers.length === 0 && this.inputShape === null && layer.declaredInputShape)
      this.inputShape = layer.declaredInputShape.slice();
    this.layers.push(layer);
    this.program = null;
    this.weightCache = null;
    // Like Keras, a model whose input shape is known builds (creates its
    // weights) as layers are added, so initial weights follow setSeed in
    // construction order.
    if (this.inputShape) {
      let s = this.inputShape;
      for (const l of this.layers) {
        if (!l.built) l.build(s);
        s = l.outputShape!;
      }
    }
  }

  private isPlaced(): boolean {
    return this.mem.placed;
  }

  override get className(): string {
    return 'Sequential';
  }
  /** Whether the model has created its weights. */
  override get built(): boolean {
    return this.layers.length > 0 && this.layers.every((l) => l.built);
  }

  /** Create the weights for an input feature shape (taken from the first layer's inputShape/inputDim if omitted). */
  override build(inputShape?: number[]): void {
    if (this.program) return;
    if (this.layers.length === 0)
      throw new ValueError('The model has no layers. Add layers before building, training or predicting.');
    const shape = inputShape ?? this.inputShape;
    if (!shape) {
      throw new ValueError(
        `The first layer ('${this.layers[0]!.name}') needs an input shape: pass \`inputDim\` or \`inputShape\` to it (e.g. sn.layers.dense({ units: 10, inputDim: 8 })), or start with sn.layers.input({ shape: [8] }).`,
      );
    }
    this.inputShape = shape.slice();
    let s = shape;
    for (const l of this.layers) {
      if (!l.built) l.build(s);
      else if (l.inputShape!.join() !== s.join())
        throw new ValueError(`Layer '${l.name}' was built for input shape [${l.inputShape}] but receives [${s}]`);
      s = l.outputShape!;
    }
    if (!this.inputLayer || this.inputLayer.declaredInputShape!.join() !== shape.join()) {
      this.inputLayer = new InputLayer({ shape, name: `${this.name}_input` });
    }
    let x = this.inputLayer.output;
    for (const l of this.layers) x = l.apply(x);
    this.setGraph([this.inputLayer.output], [x], false);
  }

  /** Predictions for `x` (one output): a Tensor of shape [n, ...outputShape]. */
  override predict(dataset: Dataset, args?: PredictArgs): Promise<Tensor>;
  override predict(x: ModelData, args?: PredictArgs): Tensor;
  override predict(x: ModelData | Dataset, args: PredictArgs = {}): Tensor | Promise<Tensor> {
    return super.predict(x as ModelData, args) as Tensor | Promise<Tensor>;
  }
  /** Predict one batch (all samples at once). */
  override predictOnBatch(x: ModelData): Tensor {
    return super.predictOnBatch(x) as Tensor;
  }
}

/**
 * A linear stack of layers.
 * @example
 * const model = sn.sequential([
 *   sn.layers.dense({ units: 10, inputDim: 8, activation: 'relu' }),
 *   sn.layers.dense({ units: 1, activation: 'sigmoid' }),
 * ]);
 */
export function sequential(
  layers?: (Layer | SymbolicTensor)[] | { layers?: (Layer | SymbolicTensor)[]; name?: string },
): Sequential {
  if (layers === undefined) return new Sequential();
  if (Array.isArray(layers)) return new Sequential({ layers });
  if (typeof layers === 'object' && layers !== null) return new Sequential(layers);
  return invalid('layers', 'an array of layers', layers);
}

/**
 * A functional model from its input and output tensors: several inputs and
 * outputs, branches, merges and shared layers (TF.js's `tf.model`, Keras's `Model`).
 * @example
 * const a = sn.input({ shape: [4], name: 'a' }), b = sn.input({ shape: [3], name: 'b' });
 * const h = sn.layers.dense({ units: 8, activation: 'relu' }).apply(sn.layers.concatenate().apply([a, b]));
 * const model = sn.model({ inputs: [a, b], outputs: sn.layers.dense({ units: 1 }).apply(h) });
 */
export function model(args: {
  inputs: SymbolicTensor | SymbolicTensor[];
  outputs: SymbolicTensor | SymbolicTensor[];
  name?: string;
}): LayersModel {
  if (typeof args !== 'object' || args === null) invalid('args', 'an object { inputs, outputs, name? }', args);
  return new LayersModel(args);
}

/**
 * A model input: the symbolic tensor a functional model starts from.
 * @param args.shape the shape of one sample (without the batch dimension). @param args.name its name (the key of its
 * data).
 * @example const x = sn.input({ shape: [784], name: 'pixels' });
 */
export function input(args: { shape?: number[]; batchShape?: (number | null)[]; name?: string }): SymbolicTensor {
  return new InputLayer(args).output;
}
