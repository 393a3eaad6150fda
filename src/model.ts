/**
 * Sequential models: compile, fit, evaluate, predict, summary, weights.
 *
 * Memory plan: when a model is placed on a backend, its weights, gradients and
 * optimizer slots are laid out once in kernel memory; when it first runs at a
 * batch size B, the activations, their gradients and the input/target
 * buffers for B rows are laid out once too (a "plan"). A training step then
 * only copies the batch in and calls kernels: it allocates nothing, in kernel
 * memory or on the JS heap. Kernel memory is released when the model is
 * garbage-collected (a FinalizationRegistry), or at once with `release()`.
 */
import { getBackend } from './backend/index.js';
import type { Backend } from './backend/types.js';
import { hash32 } from './backend/prng.js';
import { NotSupportedError, SimdnetError, ValueError, checkPositiveInt, describe, invalid } from './errors.js';
import { Layer, InputLayer, LayerBuffers, StepContext, Weight } from './layers.js';
import { Loss, CustomLoss, getLoss, isCustomLoss } from './losses.js';
import { Metric, getMetric } from './metrics.js';
import { Optimizer, getOptimizer } from './optimizers.js';
import { Callback, CustomCallback, History, Logs, TerminateOnNaN, TrainParams } from './callbacks.js';
import { DataLike, Matrix, asMatrix, checkFinite, featureMatrix, sampleWeights, sliceRows, targetMatrix, toTensor } from './data.js';
import { Tensor, shapeSize } from './tensor.js';
import { Printer, ProgbarLogger, defaultPrinter, formatLogs, hasConsoleStdout, now } from './progress.js';
import { Rng, nextSeed } from './random.js';
import { summarize, type SummaryArgs } from './summary.js';
import { type Plan, activationBuffers, layOutPlan, planFloats } from './engine/plan.js';
import type { IOHandler, SaveOptions, SaveResult } from './io/types.js';
import { saveModel } from './io/save.js';

export interface CompileArgs {
  /** An optimizer name ('adam', 'sgd', ...) or object. */
  optimizer: string | Optimizer;
  /** A loss name ('mean_squared_error', 'mse', 'binaryCrossentropy', ...), a Loss, or a custom loss object. */
  loss: string | Loss | CustomLoss;
  /** Metric names ('accuracy', 'mse', 'precision', ...). Defaults to none. */
  metrics?: (string | Metric)[];
}

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
  validationData?: [DataLike, DataLike] | [DataLike, DataLike, DataLike];
  /** Shuffle the training samples every epoch. Defaults to true. */
  shuffle?: boolean;
  callbacks?: (Callback | CustomCallback)[];
  /** Epoch to start from (for resuming). Defaults to 0. */
  initialEpoch?: number;
  /** Weight per class index (labels: the class index, argmax of one-hot, or 0/1 for binary). */
  classWeight?: Record<number, number>;
  /** Weight per sample. */
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

export interface EvaluateArgs { batchSize?: number; sampleWeight?: DataLike; verbose?: number; allowNonFinite?: boolean }
export interface PredictArgs { batchSize?: number }

interface Placement { be: Backend; blocks: number[]; ws: number }

/** Frees a dropped model's kernel memory. */
const registry = typeof FinalizationRegistry !== 'undefined'
  ? new FinalizationRegistry<{ be: Backend; blocks: number[] }>((held) => {
    for (const p of held.blocks) { try { held.be.heap.release(p); } catch { /* already gone */ } }
    held.blocks.length = 0;
  })
  : null;

let modelCounter = 0;

/** Yield to the event loop (a macrotask), so timers, I/O and rendering can run. */
function yieldToEventLoop(): Promise<void> {
  const si = (globalThis as { setImmediate?: (f: () => void) => void }).setImmediate;
  return new Promise((r) => (si ? si(r) : setTimeout(r, 0)));
}

export class Sequential {
  readonly name: string;
  /** The layers, in order (an Input layer only declares the shape and is not listed). */
  readonly layers: Layer[] = [];
  optimizer: Optimizer | null = null;
  loss: Loss | CustomLoss | null = null;
  metrics: Metric[] = [];
  /** Set to true (by a callback) to stop fit after the current batch. */
  stopTraining = false;
  private inputShape: number[] | null = null;
  private placement: Placement | null = null;
  private plans: Plan[] = [];
  /** One block holding every block of the placement and plans, for the finalizer. */
  private owned = { be: null as unknown as Backend, blocks: [] as number[] };
  private fitting = false;
  private compiledMetricNames: string[] = [];
  private backup = 0;

  constructor(args: { layers?: Layer[]; name?: string } = {}) {
    this.name = args.name ?? (modelCounter++ === 0 ? 'sequential' : `sequential_${modelCounter - 1}`);
    for (const l of args.layers ?? []) this.add(l);
  }

  /** Append a layer. */
  add(layer: Layer): void {
    if (!(layer instanceof Layer)) invalid('layer', 'a layer (e.g. sn.layers.dense({ units: 10 }))', layer);
    if (this.placement) throw new ValueError('Cannot add layers to a model that has already been built. Create a new model.');
    if (this.layers.includes(layer)) throw new ValueError(`Layer '${layer.name}' is already in this model`);
    if (layer instanceof InputLayer) {
      if (this.layers.length > 0 || this.inputShape) throw new ValueError('An input layer must come first in a sequential model');
      this.inputShape = layer.declaredInputShape!.slice();
      return;
    }
    if (this.layers.length === 0 && this.inputShape === null && layer.declaredInputShape) this.inputShape = layer.declaredInputShape.slice();
    layer.index = this.layers.length;
    this.layers.push(layer);
    // Like Keras, a model whose input shape is known builds (creates its
    // weights) as layers are added, so initial weights follow setSeed in
    // construction order.
    if (this.inputShape) {
      let s = this.inputShape;
      for (const l of this.layers) { if (!l.built) l.build(s); s = l.outputShape!; }
    }
  }

  /** Whether the model has created its weights. */
  get built(): boolean { return this.layers.length > 0 && this.layers.every((l) => l.built); }

  /** Create the weights for an input feature shape (taken from the first layer's inputShape/inputDim if omitted). */
  build(inputShape?: number[]): void {
    if (this.built) return;
    if (this.layers.length === 0) throw new ValueError('The model has no layers. Add layers before building, training or predicting.');
    const shape = inputShape ?? this.inputShape;
    if (!shape) {
      throw new ValueError(`The first layer ('${this.layers[0]!.name}') needs an input shape: pass \`inputDim\` or \`inputShape\` to it (e.g. sn.layers.dense({ units: 10, inputDim: 8 })), or start with sn.layers.input({ shape: [8] }).`);
    }
    this.inputShape = shape.slice();
    let s = shape;
    for (const l of this.layers) {
      if (!l.built) l.build(s);
      else if (l.inputShape!.join() !== s.join()) throw new ValueError(`Layer '${l.name}' was built for input shape [${l.inputShape}] but receives [${s}]`);
      s = l.outputShape!;
    }
  }

  /** The output feature shape. */
  get outputShape(): number[] { this.build(); return this.layers[this.layers.length - 1]!.outputShape!.slice(); }
  private get inFeatures(): number { return shapeSize(this.inputShape ?? []); }
  private get outFeatures(): number { return this.layers[this.layers.length - 1]!.outFeatures; }
  private get allWeights(): Weight[] { return this.layers.flatMap((l) => l.weights); }
  private get trainableWeights(): Weight[] { return this.layers.filter((l) => l.trainable).flatMap((l) => l.weights.filter((w) => w.trainable)); }

  /**
   * Configure training: optimizer, loss and metrics.
   * @example model.compile({ loss: 'mean_squared_error', optimizer: 'adam', metrics: ['accuracy'] })
   */
  compile(args: CompileArgs): void {
    if (typeof args !== 'object' || args === null) invalid('args', 'an object { optimizer, loss, metrics }', args);
    if (this.fitting) throw new SimdnetError('Cannot compile while fit() is running.');
    const optimizer = getOptimizer(args.optimizer, 'optimizer');
    const loss = getLoss(args.loss, 'loss');
    if (args.metrics !== undefined && !Array.isArray(args.metrics)) invalid('metrics', 'an array of metric names', args.metrics);
    const metrics = (args.metrics ?? []).map((m) => getMetric(m, 'metrics'));
    // Everything validated: now swap in (a failed compile leaves the model as it was).
    if (this.placement && this.optimizer) this.releaseSlots();
    this.optimizer = optimizer;
    this.loss = loss;
    this.metrics = metrics;
    this.compiledMetricNames = metrics.map((m) => m.name);
    if (this.placement) this.allocateSlots();
  }

  // ------------------------------------------------------------------ memory

  private get be(): Backend { return this.placement!.be; }

  private alloc(floats: number, into: number[]): number {
    const p = this.placement!.be.heap.allocF32(Math.max(1, floats));
    into.push(p);
    this.owned.blocks.push(p);
    return p;
  }
  private free(blocks: number[]): void {
    const heap = this.owned.be.heap;
    const set = new Set(blocks);
    for (const p of blocks) heap.release(p);
    this.owned.blocks = this.owned.blocks.filter((p) => !set.has(p));
    blocks.length = 0;
  }

  /** Put the weights in the current backend's memory (moving them if the backend changed). */
  private ensurePlaced(): void {
    this.build();
    const be = getBackend();
    if (this.placement?.be === be) return;
    let values: Float32Array[], slotValues: Float32Array[][] | null = null;
    if (this.placement) {
      // The backend changed: carry weights and optimizer state across.
      const old = this.placement.be.heap;
      values = this.allWeights.map((w) => old.read(w.ptr, w.size));
      slotValues = this.allWeights.map((w) => w.slots.map((s) => old.read(s, w.size)));
    } else {
      values = this.allWeights.map((w) => w.pending!);
    }
    // Refuse a model that cannot fit before touching anything.
    const floats = this.allWeights.reduce((a, w) => a + w.size * (1 + (w.trainable ? 1 + (this.optimizer?.slotNames().length ?? 0) : 0)), 0);
    const need = floats * 4 + be.gemmWorkspaceBytes;
    const free = be.heap.maxBytes - be.heap.liveBytes - 65536;
    if (need > free) {
      throw new SimdnetError(`Out of kernel memory: model '${this.name}' needs ${(need / 2 ** 20).toFixed(1)} MiB for its weights, gradients and optimizer state, but only ${(Math.max(0, free) / 2 ** 20).toFixed(1)} MiB of the ${(be.heap.maxBytes / 2 ** 20).toFixed(0)} MiB maximum are free. Use fewer or smaller layers, or release models you no longer need (model.release()).`);
    }
    if (this.placement) this.releaseAll();
    const blocks: number[] = [];
    this.placement = { be, blocks, ws: 0 };
    this.owned = { be, blocks: [] };
    try {
      this.placement.ws = this.alloc(Math.ceil(be.gemmWorkspaceBytes / 4), blocks);
      this.allWeights.forEach((w, i) => {
        w.ptr = this.alloc(w.size, blocks);
        be.heap.write(w.ptr, values[i]!);
        w.grad = w.trainable ? this.alloc(w.size, blocks) : 0;
        if (w.grad) be.heap.view(w.grad, w.size).fill(0);
      });
      if (this.optimizer) this.allocateSlots(slotValues);
    } catch (e) {
      // Leave the model as it was before: weights in JS memory, nothing in the kernel memory.
      this.free(this.owned.blocks.slice());
      this.allWeights.forEach((w, i) => { w.pending = values[i]!; w.ptr = 0; w.grad = 0; w.slots = []; });
      this.placement = null;
      throw e;
    }
    for (const w of this.allWeights) w.pending = null;
    registry?.register(this, this.owned, this);
  }

  private allocateSlots(values?: Float32Array[][] | null): void {
    const opt = this.optimizer!, be = this.be;
    const names = opt.slotNames();
    this.allWeights.forEach((w, i) => {
      if (!w.trainable) return;
      w.slots = names.map((_, k) => {
        const p = this.alloc(w.size, this.placement!.blocks);
        const old = values?.[i]?.[k];
        if (old && old.length === w.size) be.heap.write(p, old); else be.heap.view(p, w.size).fill(opt.slotInit(k));
        return p;
      });
    });
  }

  private releaseSlots(): void {
    const slots = this.allWeights.flatMap((w) => w.slots);
    this.placement!.blocks = this.placement!.blocks.filter((p) => !slots.includes(p));
    this.free(slots);
    for (const w of this.allWeights) w.slots = [];
  }

  private releaseAll(): void {
    if (!this.placement) return;
    for (const plan of this.plans) this.free(plan.blocks);
    this.plans = [];
    if (this.backup) { this.free([this.backup]); this.backup = 0; }
    this.free(this.placement.blocks);
    registry?.unregister(this);
    this.placement = null;
  }

  /**
   * Free this model's kernel memory now (it is freed anyway when the model is
   * garbage-collected). The weights are kept in JS memory, so the model stays usable.
   */
  release(): void {
    if (this.fitting) throw new SimdnetError('Cannot release a model while fit() is running.');
    if (!this.placement) return;
    const heap = this.be.heap;
    for (const w of this.allWeights) { w.pending = heap.read(w.ptr, w.size); w.ptr = 0; w.grad = 0; w.slots = []; }
    this.releaseAll();
  }

  /**
   * The buffers for batches of up to B rows, laid out once per B: for training
   * (a forward pass in training mode, or one the backward pass follows) or for
   * inference. A training plan serves inference too.
   */
  private planFor(B: number, training: boolean): Plan {
    const found = this.plans.find((p) => p.B === B && (p.training || !training));
    if (found) return found;
    // Keep at most two plans (typically one for training, one for inference); never drop one in use.
    while (this.plans.length >= 2) {
      const idx = this.plans.findIndex((p) => p.pinned === 0);
      if (idx < 0) break;
      this.free(this.plans[idx]!.blocks);
      this.plans.splice(idx, 1);
    }
    // Count the plan before laying it out, so one that cannot fit is refused with its numbers, nothing touched.
    const tw = this.loss instanceof Loss && this.loss.sparse ? 1 : this.outFeatures;
    const heap = this.be.heap;
    const need = planFloats(this.layers, B, training, this.inFeatures, tw) * 4, free = heap.maxBytes - heap.liveBytes - 65536;
    if (need > free) {
      const mib = (b: number) => `${(Math.max(0, b) / 2 ** 20).toFixed(1)} MiB`;
      throw new SimdnetError(`Out of kernel memory: ${training ? 'training' : 'running'} model '${this.name}' at batch size ${B} needs ${mib(need)} for its ${training ? 'activations and gradients' : 'activations'}, but only ${mib(free)} of the ${(heap.maxBytes / 2 ** 20).toFixed(0)} MiB maximum are free. Use a smaller batchSize, or release models you no longer need (model.release()).`);
    }
    const blocks: number[] = [];
    try {
      const plan = layOutPlan(this.layers, B, training, this.inFeatures, tw, (n) => this.alloc(n, blocks));
      plan.blocks = blocks;
      this.plans.push(plan);
      return plan;
    } catch (e) { this.free(blocks); throw e; }
  }

  // ------------------------------------------------------------------ steps

  private ctx: StepContext = { be: null as unknown as Backend, ws: 0, training: false, stepSeed: 0, fusedOutput: false };

  private forward(plan: Plan, M: number, training: boolean, stepSeed: number): void {
    const ctx = this.ctx;
    ctx.be = this.be; ctx.ws = this.placement!.ws; ctx.training = training; ctx.stepSeed = stepSeed; ctx.fusedOutput = false;
    let x = plan.x0;
    for (let i = 0; i < this.layers.length; i++) {
      const buf = plan.bufs[i]!;
      this.layers[i]!.forward(ctx, buf, x, M);
      x = buf.y;
    }
  }

  /** Loss sum over the batch (weighted), writing the output gradient when `grad`. */
  private lossOn(plan: Plan, M: number, useW: boolean, grad: boolean): { sum: number; fused: boolean } {
    const last = this.layers.length - 1;
    const lastLayer = this.layers[last]!, buf = plan.bufs[last]!;
    const xLast = last === 0 ? plan.x0 : plan.bufs[last - 1]!.y;
    const N = this.outFeatures;
    const loss = this.loss!;
    if (isCustomLoss(loss)) return { sum: this.customLoss(loss, plan, M, N, grad), fused: false };
    return loss.run(this.be, plan.T, buf.y, lastLayer.logitsPtr(buf, xLast), grad ? buf.dy : 0, useW ? plan.W : 0, M, N, 1 / M, lastLayer.outputActivation());
  }

  private customLoss(loss: CustomLoss, plan: Plan, M: number, N: number, grad: boolean): number {
    const heap = this.be.heap;
    const buf = plan.bufs[this.layers.length - 1]!;
    const yPred = new Tensor(heap.read(buf.y, M * N), [M, N]);
    const yTrue = new Tensor(heap.read(plan.T, M * N), [M, N]);
    const v = loss.value(yTrue, yPred);
    if (typeof v !== 'number') throw new ValueError(`The custom loss's value() must return a number. Received: ${describe(v)}`);
    if (grad) {
      const g = loss.gradient(yTrue, yPred);
      if (!(g instanceof Tensor) || g.size !== M * N) throw new ValueError(`The custom loss's gradient() must return a Tensor shaped like yPred [${M}, ${N}]. Received: ${describe(g)}`);
      heap.write(buf.dy, g.values);
    }
    return v * M;
  }

  private backward(plan: Plan, M: number, fused: boolean): void {
    const ctx = this.ctx;
    for (let i = this.layers.length - 1; i >= 0; i--) {
      ctx.fusedOutput = fused && i === this.layers.length - 1;
      const x = i === 0 ? plan.x0 : plan.bufs[i - 1]!.y;
      const dx = i === 0 ? 0 : plan.bufs[i - 1]!.dy;
      this.layers[i]!.backward(ctx, plan.bufs[i]!, x, dx, M);
    }
    ctx.fusedOutput = false;
  }

  /** Σ regularization penalties; adds their gradients when `grad`. */
  private penalty(grad: boolean): number {
    let p = 0;
    for (const w of this.allWeights) {
      if (w.regularizer) p += this.be.l1l2(w.ptr, grad && w.grad ? w.grad : 0, w.size, w.regularizer.l1, w.regularizer.l2);
    }
    return p;
  }

  private trainableSlots: { ptr: number; grad: number; size: number; slots: number[] }[] = [];

  /** One optimizer step on the M rows already copied into the plan. Returns the batch loss. */
  private trainStep(plan: Plan, M: number, useW: boolean, stepSeed: number, guardNaN: boolean): number {
    this.forward(plan, M, true, stepSeed);
    const { sum, fused } = this.lossOn(plan, M, useW, true);
    this.backward(plan, M, fused);
    const loss = sum / M + this.penalty(true);
    if (guardNaN) {
      if (!Number.isFinite(loss)) return loss;
      this.saveBackup();
    }
    this.optimizer!.apply(this.be, this.trainableSlots);
    if (guardNaN && !this.weightsFinite()) { this.restoreBackup(); return NaN; }
    return loss;
  }

  private saveBackup(): void {
    const f = this.be.heap.f32;
    let off = this.backup >> 2;
    for (const w of this.allWeights) { f.copyWithin(off, w.ptr >> 2, (w.ptr >> 2) + w.size); off += w.size; }
  }
  private restoreBackup(): void {
    const f = this.be.heap.f32;
    let off = this.backup >> 2;
    for (const w of this.allWeights) { f.copyWithin(w.ptr >> 2, off, off + w.size); off += w.size; }
  }
  private weightsFinite(): boolean {
    for (const w of this.allWeights) if (!Number.isFinite(this.be.sumSquares(w.ptr, w.size))) return false;
    return true;
  }

  /** Copy rows `order[start..end)` of x (and y, weights) into the plan. */
  private gather(plan: Plan, x: Matrix, y: Matrix | null, w: Float32Array | null, order: Int32Array | null, start: number, end: number): void {
    const heap = this.be.heap;
    heap.refresh();
    const f = heap.f32;
    const cx = x.cols, xv = x.values;
    let dx = plan.x0 >> 2;
    if (order === null) {
      f.set(xv.subarray(start * cx, end * cx), dx);
      if (y) f.set(y.values.subarray(start * y.cols, end * y.cols), plan.T >> 2);
      if (w) f.set(w.subarray(start, end), plan.W >> 2);
      return;
    }
    for (let r = start; r < end; r++) {
      const s = order[r]! * cx;
      for (let k = 0; k < cx; k++) f[dx++] = xv[s + k]!;
    }
    if (y) {
      const cy = y.cols, yv = y.values;
      let dy = plan.T >> 2;
      for (let r = start; r < end; r++) { const s = order[r]! * cy; for (let k = 0; k < cy; k++) f[dy++] = yv[s + k]!; }
    }
    if (w) { let dw = plan.W >> 2; for (let r = start; r < end; r++) f[dw++] = w[order[r]!]!; }
  }

  /**
   * An output of rank > 1 per sample (a Dense on a sequence, say) is trained
   * with the elementwise losses and metrics, whose mean over every position is
   * Keras's; the categorical ones reduce over the last axis per position, which
   * comes with the recurrent layers (issue 16).
   */
  private checkOutputRank(): void {
    const shape = this.outputShape;
    if (shape.length <= 1) return;
    const what = `the model's output has shape [${shape.join(', ')}] per sample (rank ${shape.length})`;
    if (this.loss instanceof Loss && (this.loss.kind === 'cce' || this.loss.kind === 'sparse_cce')) {
      throw new NotSupportedError(`Loss '${this.loss.name}': ${what}; categorical losses need an output of rank 1. Add a flatten() layer before the output layer, or use an elementwise loss (mean_squared_error, binary_crossentropy, ...).`);
    }
    for (const m of this.metrics) {
      if (m.kind === 'auto_accuracy' && this.loss instanceof Loss && this.loss.kind === 'bce') m.kind = 'binary_accuracy';
      if (m.kind === 'auto_accuracy' || m.kind === 'categorical_accuracy' || m.kind === 'sparse_categorical_accuracy') {
        throw new NotSupportedError(`Metric '${m.name}': ${what}; categorical accuracy needs an output of rank 1 (with binary_crossentropy, 'accuracy' is binary accuracy over every position).`);
      }
    }
  }

  private requireCompiled(what: string): void {
    if (!this.optimizer || !this.loss) {
      throw new SimdnetError(`You must call compile() before ${what}. For example: model.compile({ optimizer: 'adam', loss: 'mean_squared_error' })`);
    }
  }

  private prepareXY(x: DataLike, y: DataLike, allowNonFinite: boolean, nameX = 'x', nameY = 'y'): { X: Matrix; Y: Matrix } {
    this.build();
    this.checkOutputRank();
    const X = featureMatrix(x, nameX, this.inFeatures, this.inputShape);
    const sparse = this.loss instanceof Loss && this.loss.sparse;
    const Y = targetMatrix(y, nameY, this.outFeatures, sparse, X.rows);
    if (!allowNonFinite) { checkFinite(X, nameX); checkFinite(Y, nameY); }
    return { X, Y };
  }

  private classWeights(Y: Matrix, cw: Record<number, number>, base: Float32Array | null): Float32Array {
    const out = new Float32Array(Y.rows);
    for (let i = 0; i < Y.rows; i++) {
      let c: number;
      if (Y.cols === 1) c = this.outFeatures === 1 ? (Y.values[i]! > 0.5 ? 1 : 0) : Y.values[i]!;
      else { c = 0; for (let j = 1; j < Y.cols; j++) if (Y.values[i * Y.cols + j]! > Y.values[i * Y.cols + c]!) c = j; }
      const wv = cw[c] ?? 1;
      out[i] = (base ? base[i]! : 1) * wv;
    }
    return out;
  }

  /**
   * Train the model.
   * @example const history = await model.fit(X, y, { epochs: 10, batchSize: 32, validationSplit: 0.2 });
   */
  async fit(x: DataLike, y: DataLike, args: FitArgs = {}): Promise<History> {
    if (this.fitting) throw new SimdnetError('Cannot start a second fit() on this model while one is running. Await the first.');
    if (typeof args !== 'object' || args === null) invalid('args', 'an object of fit options', args);
    this.requireCompiled('fit()');
    const epochs = args.epochs ?? 1;
    if (!Number.isInteger(epochs) || epochs < 0) invalid('epochs', 'a non-negative integer', args.epochs);
    const batchSizeGiven = args.batchSize !== undefined;
    let batchSize = checkPositiveInt('batchSize', args.batchSize ?? 32);
    const initialEpoch = args.initialEpoch ?? 0;
    if (!Number.isInteger(initialEpoch) || initialEpoch < 0) invalid('initialEpoch', 'a non-negative integer', args.initialEpoch);
    const verbose = args.verbose ?? (hasConsoleStdout() ? 1 : 0);
    if (![0, 1, 2].includes(verbose)) invalid('verbose', '0, 1 or 2', args.verbose);
    const split = args.validationSplit ?? 0;
    if (typeof split !== 'number' || !(split >= 0 && split < 1)) invalid('validationSplit', 'a number in [0, 1)', args.validationSplit);
    const yieldEvery = args.yieldEvery ?? 50;
    const allow = !!args.allowNonFinite;
    const callbacksIn = args.callbacks ?? [];
    if (!Array.isArray(callbacksIn)) invalid('callbacks', 'an array of callbacks', args.callbacks);
    for (const c of callbacksIn) if (typeof c !== 'object' || c === null) invalid('callbacks', 'an array of callback objects', c);

    let { X, Y } = this.prepareXY(x, y, allow);
    let SW = args.sampleWeight !== undefined ? sampleWeights(args.sampleWeight, X.rows) : null;
    if (args.classWeight !== undefined) {
      if (typeof args.classWeight !== 'object' || args.classWeight === null) invalid('classWeight', 'an object mapping class index to weight', args.classWeight);
      SW = this.classWeights(Y, args.classWeight, SW);
    }
    let val: { X: Matrix; Y: Matrix; W: Float32Array | null } | null = null;
    if (args.validationData !== undefined) {
      const vd = args.validationData;
      if (!Array.isArray(vd) || vd.length < 2) invalid('validationData', 'an array [xVal, yVal] or [xVal, yVal, sampleWeightVal]', vd);
      const v = this.prepareXY(vd[0], vd[1], allow, 'validationData[0]', 'validationData[1]');
      val = { ...v, W: vd[2] !== undefined ? sampleWeights(vd[2], v.X.rows, 'validationData[2]') : null };
    } else if (split > 0) {
      const nVal = Math.floor(X.rows * split);
      const nTrain = X.rows - nVal;
      if (nVal === 0 || nTrain === 0) {
        throw new ValueError(`\`validationSplit\`=${split} of ${X.rows} samples leaves ${nTrain} for training and ${nVal} for validation; both must be at least 1.`);
      }
      val = { X: sliceRows(X, nTrain, X.rows), Y: sliceRows(Y, nTrain, Y.rows), W: SW ? SW.slice(nTrain) : null };
      X = sliceRows(X, 0, nTrain); Y = sliceRows(Y, 0, nTrain); SW = SW ? SW.slice(0, nTrain) : null;
    }
    const n = X.rows;
    if (n === 0) throw new ValueError('`x` has no samples to train on.');
    if (!batchSizeGiven) batchSize = Math.min(batchSize, n);
    if (batchSize > n) {
      throw new ValueError(`\`batchSize\`=${batchSize} is larger than the ${n} training samples. Use a batchSize of at most ${n}.`);
    }

    // A callback that monitors a validation quantity without validation data fails now, before any
    // training. (Other names are checked by the callback at the first epoch end: custom callbacks may add logs.)
    const keys = ['loss', ...this.metrics.map((m) => m.name)];
    for (const c of callbacksIn) {
      const mon = (c as { monitor?: unknown }).monitor;
      if (!val && typeof mon === 'string' && mon.startsWith('val_')) {
        throw new ValueError(`A callback monitors '${mon}', but fit has no validation data: pass validationSplit or validationData, or monitor one of ${keys.join(', ')}.`);
      }
    }

    this.ensurePlaced();
    const be = this.be;
    const plan = this.planFor(batchSize, true);
    plan.pinned++;
    const history = new History();
    const print = args.print ?? defaultPrinter();
    // Keras's order: History first, the user's callbacks, the progress bar last.
    const cbs: (Callback | CustomCallback)[] = [history, ...callbacksIn];
    if (verbose > 0) cbs.push(new ProgbarLogger(print, verbose, ['loss', ...this.metrics.map((m) => m.name)]));
    const guardNaN = callbacksIn.some((c) => c instanceof TerminateOnNaN);
    if (guardNaN && !this.backup) this.backup = this.alloc(this.allWeights.reduce((a, w) => a + w.size, 0), []);
    this.trainableSlots = this.trainableWeights;
    const steps = Math.ceil(n / batchSize);
    const params: TrainParams = { epochs, steps, samples: n, batchSize, verbose };
    for (const c of cbs) if (c instanceof Callback) { c.setModel(this); c.setParams(params); }
    const batchBegin = cbs.filter((c) => typeof c.onBatchBegin === 'function');
    const batchEnd = cbs.filter((c) => typeof c.onBatchEnd === 'function');
    const rng = new Rng(args.seed ?? nextSeed());
    const dropoutSeed = rng.nextU32();
    const order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    const shuffle = args.shuffle ?? true;
    const metrics = this.metrics;
    const N = this.outFeatures, tw = Y.cols;
    for (const m of metrics) m.resolve(N, tw);
    const batchLogs: Logs = { batch: 0, size: 0, loss: 0 };
    for (const m of metrics) batchLogs[m.name] = 0;

    this.fitting = true;
    this.stopTraining = false;
    try {
      for (const c of cbs) await c.onTrainBegin?.({});
      let lastYield = now();
      for (let epoch = initialEpoch; epoch < epochs && !this.stopTraining; epoch++) {
        for (const c of cbs) await c.onEpochBegin?.(epoch, {});
        if (shuffle) rng.shuffle(order);
        for (const m of metrics) m.reset();
        let lossSum = 0, seen = 0;
        for (let s = 0; s < steps; s++) {
          const start = s * batchSize, end = Math.min(n, start + batchSize), M = end - start;
          batchLogs.batch = s; batchLogs.size = M;
          for (const c of batchBegin) await c.onBatchBegin!(s, batchLogs);
          this.gather(plan, X, Y, SW, shuffle ? order : null, start, end);
          const stepSeed = hash32(dropoutSeed, this.optimizer!.iterations);
          const loss = this.trainStep(plan, M, SW !== null, stepSeed, guardNaN);
          lossSum += loss * M; seen += M;
          const f = be.heap.f32;
          const last = plan.bufs[this.layers.length - 1]!;
          for (const m of metrics) m.update(f, last.y >> 2, plan.T >> 2, SW ? plan.W >> 2 : -1, M, N);
          batchLogs.loss = lossSum / seen;
          for (const m of metrics) batchLogs[m.name] = m.result();
          for (const c of batchEnd) await c.onBatchEnd!(s, batchLogs);
          if (!Number.isFinite(loss) && guardNaN) this.stopTraining = true;
          if (this.stopTraining) break;
          if (yieldEvery >= 0 && now() - lastYield >= yieldEvery) { await yieldToEventLoop(); lastYield = now(); }
        }
        const logs: Logs = { loss: seen > 0 ? lossSum / seen : NaN };
        for (const m of metrics) logs[m.name] = m.result();
        if (val) {
          const v = this.evaluateMatrices(val.X, val.Y, val.W, batchSize);
          for (const [k, value] of Object.entries(v)) logs[`val_${k}`] = value;
        }
        for (const c of cbs) await c.onEpochEnd?.(epoch, logs);
      }
      for (const c of cbs) await c.onTrainEnd?.({});
    } finally {
      this.fitting = false;
      plan.pinned--;
    }
    return history;
  }

  private evaluateMatrices(X: Matrix, Y: Matrix, W: Float32Array | null, batchSize: number): Logs {
    const be = this.be;
    const B = Math.min(batchSize, Math.max(1, X.rows));
    const plan = this.planFor(B, false);
    const N = this.outFeatures;
    const metrics = this.metrics.map((m) => new Metric(m.name, m.kind, m.threshold));
    for (const m of metrics) m.resolve(N, Y.cols);
    let sum = 0;
    for (let start = 0; start < X.rows; start += B) {
      const end = Math.min(X.rows, start + B), M = end - start;
      this.gather(plan, X, Y, W, null, start, end);
      this.forward(plan, M, false, 0);
      sum += this.lossOn(plan, M, W !== null, false).sum;
      const last = plan.bufs[this.layers.length - 1]!;
      for (const m of metrics) m.update(be.heap.f32, last.y >> 2, plan.T >> 2, W ? plan.W >> 2 : -1, M, N);
    }
    const logs: Logs = { loss: (X.rows > 0 ? sum / X.rows : NaN) + this.penalty(false) };
    for (const m of metrics) logs[m.name] = m.result();
    return logs;
  }

  /**
   * Loss and metrics on data, as named numbers: `{ loss: 0.18, accuracy: 0.93 }`.
   */
  evaluate(x: DataLike, y: DataLike, args: EvaluateArgs = {}): Logs {
    this.requireCompiled('evaluate()');
    const batchSize = checkPositiveInt('batchSize', args.batchSize ?? 32);
    const { X, Y } = this.prepareXY(x, y, !!args.allowNonFinite);
    if (X.rows === 0) throw new ValueError('`x` has no samples to evaluate.');
    const W = args.sampleWeight !== undefined ? sampleWeights(args.sampleWeight, X.rows) : null;
    this.ensurePlaced();
    const logs = this.evaluateMatrices(X, Y, W, batchSize);
    if ((args.verbose ?? 0) > 0) defaultPrinter()(formatLogs(logs), false);
    return logs;
  }

  /**
   * Predictions for `x`, in batches of `batchSize` (default 32), as one Tensor of shape [n, ...outputShape].
   */
  predict(x: DataLike, args: PredictArgs = {}): Tensor {
    if (typeof args !== 'object' || args === null) invalid('args', 'an object like { batchSize: 32 }', args);
    const batchSize = checkPositiveInt('batchSize', args.batchSize ?? 32);
    if (this.layers.length === 0) throw new ValueError('The model has no layers. Add layers before predicting.');
    this.build();
    const X = featureMatrix(x, 'x', this.inFeatures, this.inputShape);
    this.ensurePlaced();
    const N = this.outFeatures;
    const out = new Float32Array(X.rows * N);
    const B = Math.min(batchSize, Math.max(1, X.rows));
    const plan = this.planFor(B, false);
    const heap = this.be.heap;
    for (let start = 0; start < X.rows; start += B) {
      const end = Math.min(X.rows, start + B), M = end - start;
      this.gather(plan, X, null, null, null, start, end);
      this.forward(plan, M, false, 0);
      const y = plan.bufs[this.layers.length - 1]!.y;
      out.set(heap.f32.subarray(y >> 2, (y >> 2) + M * N), start * N);
    }
    return new Tensor(out, [X.rows, ...this.outputShape]);
  }

  /** Predict one batch (all rows at once). */
  predictOnBatch(x: DataLike): Tensor {
    const rows = asMatrix(toTensor(x, 'x'), 'x').rows;
    return this.predict(x, { batchSize: Math.max(1, rows) });
  }

  /** One optimizer step on the given batch; returns the loss and metrics for it. */
  trainOnBatch(x: DataLike, y: DataLike, args: { sampleWeight?: DataLike } = {}): Logs {
    if (this.fitting) throw new SimdnetError('Cannot call trainOnBatch() while fit() is running.');
    this.requireCompiled('trainOnBatch()');
    const { X, Y } = this.prepareXY(x, y, false);
    if (X.rows === 0) throw new ValueError('`x` has no samples.');
    const W = args.sampleWeight !== undefined ? sampleWeights(args.sampleWeight, X.rows) : null;
    this.ensurePlaced();
    this.trainableSlots = this.trainableWeights;
    const plan = this.planFor(X.rows, true);
    this.gather(plan, X, Y, W, null, 0, X.rows);
    const loss = this.trainStep(plan, X.rows, W !== null, hash32(nextSeed(), this.optimizer!.iterations), false);
    const logs: Logs = { loss };
    const N = this.outFeatures;
    for (const m0 of this.metrics) {
      const m = new Metric(m0.name, m0.kind, m0.threshold);
      m.resolve(N, Y.cols);
      m.update(this.be.heap.f32, plan.bufs[this.layers.length - 1]!.y >> 2, plan.T >> 2, W ? plan.W >> 2 : -1, X.rows, N);
      logs[m.name] = m.result();
    }
    return logs;
  }

  /**
   * The loss (with regularization penalties) on one batch and its gradient with
   * respect to every trainable weight, without updating anything (TF.js's
   * `optimizer.computeGradients`). `training` (default true) runs dropout with
   * the mask of `seed` and batch normalization on batch statistics.
   */
  computeGradients(x: DataLike, y: DataLike, args: { training?: boolean; seed?: number } = {}): { loss: number; grads: Tensor[] } {
    const r = this.lossAndGrad(x, y, args.training ?? true, args.seed ?? 0, true);
    return { loss: r.loss, grads: r.grads! };
  }

  /** The loss on one batch as computed by a training step (same mode options as computeGradients), with no update. */
  computeLoss(x: DataLike, y: DataLike, args: { training?: boolean; seed?: number } = {}): number {
    return this.lossAndGrad(x, y, args.training ?? true, args.seed ?? 0, false).loss;
  }

  private lossAndGrad(x: DataLike, y: DataLike, training: boolean, seed: number, withGrad: boolean): { loss: number; grads: Tensor[] | null } {
    this.requireCompiled('computing gradients');
    const { X, Y } = this.prepareXY(x, y, false);
    this.ensurePlaced();
    const plan = this.planFor(X.rows, training || withGrad);
    // Batch normalization updates its moving statistics in training mode: keep them as they were.
    const frozen = this.allWeights.filter((w) => !w.trainable);
    const saved = frozen.map((w) => this.be.heap.read(w.ptr, w.size));
    this.gather(plan, X, Y, null, null, 0, X.rows);
    this.forward(plan, X.rows, training, seed);
    const { sum, fused } = this.lossOn(plan, X.rows, false, withGrad);
    if (withGrad) this.backward(plan, X.rows, fused);
    const loss = sum / X.rows + this.penalty(withGrad);
    const grads = withGrad ? this.trainableWeights.map((w) => new Tensor(this.be.heap.read(w.grad, w.size), w.shape)) : null;
    frozen.forEach((w, i) => this.be.heap.write(w.ptr, saved[i]!));
    return { loss, grads };
  }

  // ------------------------------------------------------------------ weights

  /** Every weight (trainable and not), in layer order, as tensors (copies). */
  getWeights(): Tensor[] {
    this.build();
    const heap = this.placement?.be.heap;
    return this.allWeights.map((w) => new Tensor(w.pending ? w.pending.slice() : heap!.read(w.ptr, w.size), w.shape));
  }

  /** Set every weight, in the order of getWeights(). Shapes must match. */
  setWeights(weights: Tensor[]): void {
    this.build();
    const ws = this.allWeights;
    if (!Array.isArray(weights) || weights.length !== ws.length) {
      throw new ValueError(`setWeights: expected an array of ${ws.length} tensors (${ws.map((w) => `${w.name} [${w.shape}]`).join(', ')}). Received: ${describe(weights)}`);
    }
    weights.forEach((t, i) => {
      const w = ws[i]!;
      if (!(t instanceof Tensor) || t.shape.join() !== w.shape.join()) {
        throw new ValueError(`setWeights: weight ${i} (${w.name}) must have shape [${w.shape}]. Received: ${t instanceof Tensor ? `shape [${t.shape}]` : describe(t)}`);
      }
    });
    weights.forEach((t, i) => {
      const w = ws[i]!;
      if (w.pending || !this.placement) w.pending = t.values.slice();
      else this.placement.be.heap.write(w.ptr, t.values);
    });
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
      w.slots.forEach((p, k) => out.push({ name: `${w.name}/${names[k]}`, tensor: new Tensor(heap.read(p, w.size), w.shape) }));
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
      w.slots.forEach((p, k) => {
        const name = `${w.name}/${names[k]}`;
        const t = byName.get(name);
        if (!t) throw new ValueError(`setOptimizerWeights: missing slot '${name}'. Received: ${[...byName.keys()].join(', ') || 'none'}`);
        if (t.size !== w.size) throw new ValueError(`setOptimizerWeights: slot '${name}' must have ${w.size} values. Received: ${t.size}`);
        todo.push([p, t]);
      });
    }
    for (const [p, t] of todo) this.be.heap.write(p, t.values);
  }

  /** The number of scalar weights. */
  countParams(): number { this.build(); return this.layers.reduce((a, l) => a + l.countParams(), 0); }

  /**
   * A layer by name, or by index (Keras's `get_layer(name=None, index=None)`,
   * TF.js's `getLayer(name?, index?)`): exactly one of the two.
   * @example model.getLayer('dense_1').getWeights?.()
   */
  getLayer(name?: string | number, index?: number): Layer {
    // TF.js also accepts getLayer(undefined, index); a bare number is taken as the index, as Keras's positional use.
    if (typeof name === 'number' && index === undefined) { index = name; name = undefined; }
    if ((name === undefined) === (index === undefined)) {
      invalid('name', 'a layer name or an index (exactly one of the two)', name === undefined ? { name, index } : name);
    }
    if (index !== undefined) {
      if (!Number.isInteger(index) || index < 0 || index >= this.layers.length) {
        invalid('index', `an integer in [0, ${this.layers.length - 1}] (the model has ${this.layers.length} layers)`, index);
      }
      return this.layers[index]!;
    }
    if (typeof name !== 'string') invalid('name', 'a layer name (a string)', name);
    const l = this.layers.find((x) => x.name === name);
    if (!l) throw new ValueError(`No such layer: '${name}'. Existing layers are: ${this.layers.map((x) => `'${x.name}'`).join(', ') || 'none'}.`);
    return l;
  }

  /** Keras's summary table: layer, output shape, parameter count, totals. Printed (unless print is false) and returned. */
  summary(args: SummaryArgs = {}): string {
    this.build();
    return summarize(this.name, this.layers, args);
  }

  /** @internal kernel-memory statistics for tests: blocks and bytes this model holds. */
  memoryStats(): { blocks: number; heapBytes: number; heapLive: number; plans: { B: number; training: boolean; activationBuffers: number }[] } {
    const heap = this.placement?.be.heap;
    const plans = this.plans.map((p) => ({ B: p.B, training: p.training, activationBuffers: activationBuffers(p) }));
    return { blocks: this.owned.blocks.length, heapBytes: heap?.byteLength ?? 0, heapLive: heap?.liveCount ?? 0, plans };
  }

  /** Metric names as compiled (for io). */
  get metricNames(): string[] { return this.compiledMetricNames.slice(); }

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
 * A linear stack of layers.
 * @example
 * const model = sn.sequential([
 *   sn.layers.dense({ units: 10, inputDim: 8, activation: 'relu' }),
 *   sn.layers.dense({ units: 1, activation: 'sigmoid' }),
 * ]);
 */
export function sequential(layers?: Layer[] | { layers?: Layer[]; name?: string }): Sequential {
  if (layers === undefined) return new Sequential();
  if (Array.isArray(layers)) return new Sequential({ layers });
  if (typeof layers === 'object' && layers !== null) return new Sequential(layers);
  return invalid('layers', 'an array of layers', layers);
}
