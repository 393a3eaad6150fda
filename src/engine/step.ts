/**
 * Running a program on a plan: copying a batch in, the forward pass, each
 * output's loss (weighted), the backward pass with the additions the plan
 * decided (branches, shared layers), the optimizer step with the regularizers'
 * gradients, and the metrics. Nothing here allocates per step; the model
 * (src/model.ts) drives it from fit, evaluate, predict and trainOnBatch.
 */
import type { Backend } from '../backend/types.js';
import { ValueError, describe } from '../errors.js';
import type { StepContext, Weight } from '../layers.js';
import { type CustomLoss, type Loss, isCustomLoss } from '../losses.js';
import type { Metric } from '../metrics.js';
import type { Optimizer, ParamSlots } from '../optimizers.js';
import type { Matrix } from '../data.js';
import { Tensor } from '../tensor.js';
import type { Program } from './graph.js';
import type { Plan } from './plan.js';

/** One output of the program, as the loss and metrics see it. */
export interface OutputInfo {
  /** Its key in logs and per-output arguments (the output layer's name). */
  name: string;
  value: number;
  step: number;
  /** Floats per sample, and the shape per sample. */
  feat: number;
  shape: number[];
  /** Nothing else reads it, so a cross-entropy may fuse with its softmax/sigmoid. */
  canFuse: boolean;
}

/** Copy rows `order[start..end)` of one matrix into a plan buffer. */
function gatherRows(
  f: Float32Array,
  m: Matrix,
  dst: number,
  order: Int32Array | null,
  start: number,
  end: number,
): void {
  const c = m.cols,
    v = m.values;
  if (order === null) {
    f.set(v.subarray(start * c, end * c), dst >> 2);
    return;
  }
  let d = dst >> 2;
  for (let r = start; r < end; r++) {
    const s = order[r]! * c;
    for (let k = 0; k < c; k++) f[d++] = v[s + k]!;
  }
}

export class Executor {
  /** Per step: the loss kernel wrote ∂loss/∂z into this output step's dy (set by each loss pass). */
  private readonly fusedStep: Uint8Array;
  /** Per output: the last loss pass's (unweighted) sum over the batch. */
  readonly outSums: Float64Array;
  private readonly ctx: StepContext = {
    transient: 0,
    be: null as unknown as Backend,
    ws: 0,
    training: false,
    stepSeed: 0,
    node: 0,
    fusedOutput: false,
    mask: null,
    maskOut: null,
  };
  /** Per step that makes a mask: its [M, T] buffer, grown to the largest batch seen (made once per size). */
  private readonly masks: (Uint8Array | null)[];

  constructor(
    readonly program: Program,
    readonly outs: OutputInfo[],
  ) {
    this.fusedStep = new Uint8Array(program.steps.length);
    this.outSums = new Float64Array(outs.length);
    this.masks = program.steps.map(() => null);
  }

  /** Point ctx.mask / ctx.maskOut at step i's masks for a batch of M. */
  private setMasks(i: number, M: number): void {
    const ctx = this.ctx,
      p = this.program,
      from = p.maskFrom[i]!;
    ctx.mask = from >= 0 ? this.masks[from]! : null;
    if (p.maskSteps[i]! > 0) {
      const n = M * p.maskSteps[i]!;
      let m = this.masks[i] ?? null;
      if (m === null || m.length < n) m = this.masks[i] = new Uint8Array(n);
      ctx.maskOut = m;
    } else ctx.maskOut = null;
  }

  /** Copy samples `order[start..end)` of the inputs (and targets, weights) into the plan. */
  gather(
    be: Backend,
    plan: Plan,
    X: Matrix[],
    Y: Matrix[] | null,
    w: Float32Array | null,
    order: Int32Array | null,
    start: number,
    end: number,
  ): void {
    const heap = be.heap;
    heap.refresh();
    const f = heap.f32;
    for (let k = 0; k < X.length; k++) gatherRows(f, X[k]!, plan.xs[k]!, order, start, end);
    if (Y) for (let k = 0; k < Y.length; k++) gatherRows(f, Y[k]!, plan.T[k]!, order, start, end);
    if (w) {
      if (order === null) f.set(w.subarray(start, end), plan.W >> 2);
      else {
        let dw = plan.W >> 2;
        for (let r = start; r < end; r++) f[dw++] = w[order[r]!]!;
      }
    }
  }

  forward(be: Backend, ws: number, plan: Plan, M: number, training: boolean, stepSeed: number): void {
    const ctx = this.ctx;
    ctx.be = be;
    ctx.transient = plan.transient;
    ctx.ws = ws;
    ctx.training = training;
    ctx.stepSeed = stepSeed;
    ctx.fusedOutput = false;
    const steps = this.program.steps;
    for (let i = 0; i < steps.length; i++) {
      const s = steps[i]!;
      ctx.node = i;
      if (this.program.masked) this.setMasks(i, M);
      if (s.multi) s.layer.forwardMulti(ctx, plan.bufs[i]!, plan.stepXs[i]!, M);
      else s.layer.runForward(ctx, plan.bufs[i]!, plan.stepX[i]!, M);
    }
  }

  /**
   * The weighted sum over the batch of every output's loss (Σₖ wₖ·sumₖ),
   * writing each output's gradient (scaled by its loss weight) when `grad`.
   * Each output's unweighted sum is left in `outSums`.
   */
  lossOn(
    be: Backend,
    plan: Plan,
    M: number,
    useW: boolean,
    grad: boolean,
    losses: (Loss | CustomLoss)[],
    weights: number[],
  ): number {
    const steps = this.program.steps;
    let total = 0;
    for (let k = 0; k < this.outs.length; k++) {
      const o = this.outs[k]!,
        loss = losses[k]!,
        lw = weights[k]!;
      const layer = steps[o.step]!.layer,
        buf = plan.bufs[o.step]!;
      const G = grad ? plan.dy[o.value]! : 0,
        P = plan.y[o.value]!;
      let sum: number,
        fused = false;
      if (isCustomLoss(loss)) sum = customLoss(be, loss, P, plan.T[k]!, G, M, o.feat, lw);
      else {
        const act = o.canFuse ? layer.planOutputActivation() : 'linear';
        ({ sum, fused } = loss.run(
          be,
          plan.T[k]!,
          P,
          layer.logitsPtr(buf, plan.stepX[o.step]!),
          G,
          useW ? plan.W : 0,
          M,
          o.feat,
          lw / M,
          act,
        ));
      }
      this.fusedStep[o.step] = fused ? 1 : 0;
      this.outSums[k] = sum;
      total += lw * sum;
    }
    return total;
  }

  backward(be: Backend, plan: Plan, M: number): void {
    const ctx = this.ctx;
    const steps = this.program.steps;
    for (let i = steps.length - 1; i >= 0; i--) {
      const s = steps[i]!;
      ctx.node = i;
      ctx.fusedOutput = this.fusedStep[i] === 1;
      if (this.program.masked) this.setMasks(i, M);
      const gt = plan.gradTemps[i];
      // A shared layer's later applications add their weight gradients: they write into a temporary first.
      if (gt)
        for (const g of gt) {
          const real = g.w.grad;
          g.w.grad = g.temp;
          g.temp = real;
        }
      if (s.multi) s.layer.backwardMulti(ctx, plan.bufs[i]!, plan.stepXs[i]!, plan.stepDx[i]!, M);
      else s.layer.runBackward(ctx, plan.bufs[i]!, plan.stepX[i]!, plan.stepDx[i]![0]!, M);
      if (gt)
        for (const g of gt) {
          const temp = g.w.grad;
          g.w.grad = g.temp;
          g.temp = temp;
          be.axpy(g.w.size, 1, temp, g.w.grad);
        }
      const adds = plan.adds[i];
      if (adds) for (const a of adds) be.axpy(M * a.feat, 1, a.from, a.to);
    }
    ctx.fusedOutput = false;
  }

  /** Accumulate each output's metrics over the M samples in the plan. */
  updateMetrics(be: Backend, metrics: Metric[][], plan: Plan, M: number, useW: boolean): void {
    const f = be.heap.f32;
    for (let k = 0; k < metrics.length; k++) {
      const o = this.outs[k]!,
        ms = metrics[k]!;
      for (let j = 0; j < ms.length; j++)
        ms[j]!.update(f, plan.y[o.value]! >> 2, plan.T[k]! >> 2, useW ? plan.W >> 2 : -1, M, o.feat);
    }
  }
}

/** A custom loss on one output: its value on copies of the batch and, when G ≠ 0, its gradient written there. */
function customLoss(
  be: Backend,
  loss: CustomLoss,
  P: number,
  T: number,
  G: number,
  M: number,
  N: number,
  lw: number,
): number {
  const heap = be.heap;
  const yPred = new Tensor(heap.read(P, M * N), [M, N]);
  const yTrue = new Tensor(heap.read(T, M * N), [M, N]);
  const v = loss.value(yTrue, yPred);
  if (typeof v !== 'number')
    throw new ValueError(`The custom loss's value() must return a number. Received: ${describe(v)}`);
  if (G) {
    const g = loss.gradient(yTrue, yPred);
    if (!(g instanceof Tensor) || g.size !== M * N)
      throw new ValueError(
        `The custom loss's gradient() must return a Tensor shaped like yPred [${M}, ${N}]. Received: ${describe(g)}`,
      );
    heap.write(G, g.values);
    if (lw !== 1) be.scale(G, M * N, lw);
  }
  return v * M;
}

/** Σ regularization penalties of `weights`; adds their gradients when `grad`. */
export function penalty(be: Backend, weights: Weight[], grad: boolean): number {
  let p = 0;
  for (const w of weights) {
    if (w.regularizer) p += be.l1l2(w.ptr, grad && w.grad ? w.grad : 0, w.size, w.regularizer.l1, w.regularizer.l2);
  }
  return p;
}

/**
 * The optimizer's update after a backward pass, with TerminateOnNaN's guard
 * when `backup` ≠ 0: a non-finite loss skips the update, and weights that turn
 * non-finite are restored from the copy taken before it. Returns the loss (NaN when undone).
 */
export function applyUpdate(
  be: Backend,
  optimizer: Optimizer,
  trainable: readonly ParamSlots[],
  all: Weight[],
  loss: number,
  backup: number,
): number {
  if (backup) {
    if (!Number.isFinite(loss)) return loss;
    copyWeights(be, all, backup, true);
  }
  optimizer.apply(be, trainable);
  if (backup) {
    for (const w of all) {
      if (!Number.isFinite(be.sumSquares(w.ptr, w.size))) {
        copyWeights(be, all, backup, false);
        return NaN;
      }
    }
  }
  return loss;
}

function copyWeights(be: Backend, weights: Weight[], backup: number, save: boolean): void {
  const f = be.heap.f32;
  let off = backup >> 2;
  for (const w of weights) {
    if (save) f.copyWithin(off, w.ptr >> 2, (w.ptr >> 2) + w.size);
    else f.copyWithin(w.ptr >> 2, off, off + w.size);
    off += w.size;
  }
}
