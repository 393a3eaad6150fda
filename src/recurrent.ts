/**
 * Recurrent layers (issue 16): `simpleRNN`, `lstm` and `gru`, as Keras defines them — kernel [F, G·U],
 * recurrent_kernel [U, G·U], bias [G·U] with G gate blocks (1 for SimpleRNN; 4 for LSTM, in Keras's order
 * i, f, c, o; 3 for GRU, z, r, h, with a second bias row when the reset comes after the product) — so that
 * files load both ways.
 *
 * All run on one engine (`Recurrent`): a batch runs time-major — the input is transposed to [T, B, F] once,
 * every step's input projection is ONE GEMM (x·W + b for all T·B rows), and each step adds h·U with one GEMM
 * into its rows, then runs the layer's cell (the activation kernel; the fused SIMD cells of assembly/seq/lstm.ts
 * and gru.ts — GRU's reset-before form splits its GEMM around the reset gate). Backpropagation through time runs
 * the cell's gradient and one GEMM (dG·Uᵀ) per step, then the weight gradients of all steps as one GEMM each
 * (xᵀ·dG, hᵀ·dG) and the bias gradient as one column sum. Training plans keep the transposed input, the
 * pre-activations (gates), the state sequences and a layer's auxiliary sequences as scratch; the rest lives in
 * the transient workspace.
 */
import { Act } from './backend/types.js';
import { hash32 } from './backend/prng.js';
import { ValueError, invalid } from './errors.js';
import { type LayerReadContext, registerLayer } from './io/cfg.js';
import { ResolvedActivation, resolveActivation } from './activations.js';
import { Initializer, InitializerIdentifier, getInitializer } from './initializers.js';
import { Regularizer, RegularizerIdentifier, getRegularizer } from './regularizers.js';
import {
  Layer,
  type LayerArgs,
  type LayerBuffers,
  type StepContext,
  type Weight,
  serializeInit,
  serializeReg,
} from './layers.js';

/** What every recurrent layer takes. */
export interface RecurrentArgs extends LayerArgs {
  units: number;
  /** Defaults to 'tanh'. */
  activation?: string;
  useBias?: boolean;
  kernelInitializer?: InitializerIdentifier;
  recurrentInitializer?: InitializerIdentifier;
  biasInitializer?: InitializerIdentifier;
  kernelRegularizer?: RegularizerIdentifier;
  recurrentRegularizer?: RegularizerIdentifier;
  biasRegularizer?: RegularizerIdentifier;
  /** Output the whole sequence [T, units] rather than the last step [units]. */
  returnSequences?: boolean;
  /** Read the sequence last step first (the outputs come in that order too, as Keras's). */
  goBackwards?: boolean;
  /**
   * Fraction of the inputs to drop while training: one mask per sequence (the same at every step), shared by
   * the gates, as Keras 3.
   */
  dropout?: number;
  /** Fraction of the recurrent state to drop from the recurrent products while training (one mask per sequence). */
  recurrentDropout?: number;
  /** Seed of the dropout masks (else the step's seed, as the dropout layer). */
  seed?: number;
  returnState?: boolean;
  stateful?: boolean;
}

export interface LSTMArgs extends RecurrentArgs {
  /** The candidate's and the output's activation: 'tanh' (default), 'relu', 'linear' or 'sigmoid'. */
  activation?: string;
  /** The gates' activation: 'sigmoid' (default, as Keras), 'hard_sigmoid' or 'hard_sigmoid_legacy'. */
  recurrentActivation?: string;
  /** Add 1 to the forget gate's bias at initialization (Jozefowicz et al.). Defaults to true. */
  unitForgetBias?: boolean;
}

export interface GRUArgs extends RecurrentArgs {
  /** The candidate's activation: 'tanh' (default), 'relu', 'linear' or 'sigmoid'. */
  activation?: string;
  /** The gates' activation: 'sigmoid' (default, as Keras), 'hard_sigmoid' or 'hard_sigmoid_legacy'. */
  recurrentActivation?: string;
  /**
   * Apply the reset gate after the recurrent product, with a second (recurrent) bias — Keras 3's default and
   * cuDNN's form, bias [2, 3·units] — or before it (false: TF.js's only form, Keras 1's, bias [3·units]).
   * Defaults to true, as Keras.
   */
  resetAfter?: boolean;
}

/** SimpleRNN's arguments: any elementwise activation. */
export type SimpleRNNArgs = RecurrentArgs;

/** Batch-major [B, T, D] ↔ time-major [T, B, D] (optionally reversing time), by rows of D floats. */
function swapBT(
  f: Float32Array,
  src: number,
  dst: number,
  B: number,
  T: number,
  D: number,
  toTime: boolean,
  rev: boolean,
) {
  const s0 = src >> 2,
    d0 = dst >> 2;
  for (let b = 0; b < B; b++)
    for (let t = 0; t < T; t++) {
      const tt = rev ? T - 1 - t : t;
      const bm = (b * T + tt) * D,
        tm = (t * B + b) * D;
      if (toTime) f.copyWithin(d0 + tm, s0 + bm, s0 + bm + D);
      else f.copyWithin(d0 + bm, s0 + tm, s0 + tm + D);
    }
}

/**
 * The recurrent engine shared by SimpleRNN, LSTM and GRU: options, weights, config, buffers, the time-major
 * forward and backward passes. A layer says how many gate blocks it has (`gates`), how many state sequences
 * besides h it keeps (`extraStates`: LSTM's c), and runs one step of its cell forward and backward.
 */
export abstract class Recurrent extends Layer {
  readonly units: number;
  readonly activation: ResolvedActivation;
  readonly useBias: boolean;
  readonly kernelInitializer: Initializer;
  readonly recurrentInitializer: Initializer;
  readonly biasInitializer: Initializer;
  readonly kernelRegularizer: Regularizer | null;
  readonly recurrentRegularizer: Regularizer | null;
  readonly biasRegularizer: Regularizer | null;
  readonly returnSequences: boolean;
  readonly goBackwards: boolean;
  readonly dropout: number;
  readonly recurrentDropout: number;
  readonly seed: number | undefined;
  /** Carry each sample's last states over to the same sample of the next batch (until resetStates). */
  readonly stateful: boolean;
  /** Return the last states too: apply gives [output, h] (LSTM: [output, h, c]), in functional models. */
  readonly returnState: boolean;
  /** A stateful layer's carried states (h, then the extra states), B·U floats each; null: start from zeros. */
  private carried: Float32Array[] | null = null;
  kernel: Weight | null = null;
  recurrentKernel: Weight | null = null;
  bias: Weight | null = null;
  /** Gate blocks per unit: G. */
  protected abstract readonly gates: number;
  /** State sequences kept besides h (each T + 1 states of B·U), with a B·U gradient block each. */
  protected abstract readonly extraStates: number;

  constructor(args: RecurrentArgs, kind: string) {
    if (typeof args !== 'object' || args === null) invalid('args', 'an object like { units: 32 }', args);
    super(args, kind);
    if (!Number.isInteger(args.units) || args.units <= 0) invalid('units', 'a positive integer', args.units);
    this.units = args.units;
    this.activation = resolveActivation(args.activation ?? 'tanh', 'activation');
    this.useBias = args.useBias ?? true;
    this.kernelInitializer = getInitializer(args.kernelInitializer ?? 'glorot_uniform', 'kernelInitializer');
    this.recurrentInitializer = getInitializer(args.recurrentInitializer ?? 'orthogonal', 'recurrentInitializer');
    this.biasInitializer = getInitializer(args.biasInitializer ?? 'zeros', 'biasInitializer');
    this.kernelRegularizer = getRegularizer(args.kernelRegularizer, 'kernelRegularizer');
    this.recurrentRegularizer = getRegularizer(args.recurrentRegularizer, 'recurrentRegularizer');
    this.biasRegularizer = getRegularizer(args.biasRegularizer, 'biasRegularizer');
    this.returnSequences = args.returnSequences ?? false;
    this.goBackwards = args.goBackwards ?? false;
    for (const [key, v] of [
      ['dropout', args.dropout],
      ['recurrentDropout', args.recurrentDropout],
    ] as const)
      if (v !== undefined && !(typeof v === 'number' && v >= 0 && v < 1)) invalid(key, 'a number in [0, 1)', v);
    this.dropout = args.dropout ?? 0;
    this.recurrentDropout = args.recurrentDropout ?? 0;
    if (args.seed !== undefined && !Number.isInteger(args.seed)) invalid('seed', 'an integer', args.seed);
    this.seed = args.seed;
    if (args.stateful !== undefined && typeof args.stateful !== 'boolean')
      invalid('stateful', 'true or false', args.stateful);
    this.stateful = args.stateful ?? false;
    if (args.returnState !== undefined && typeof args.returnState !== 'boolean')
      invalid('returnState', 'true or false', args.returnState);
    this.returnState = args.returnState ?? false;
  }

  /** The output's shape, and with returnState each state's ([units]). */
  private shapesOf(s: number[]): number[][] {
    if (s.length !== 2)
      throw new ValueError(
        `${this.className} layer '${this.name}' expects an input of shape [steps, features] per sample. Received input shape [${s}].`,
      );
    const out = this.returnSequences ? [s[0]!, this.units] : [this.units];
    return this.returnState ? [out, ...Array.from({ length: 1 + this.extraStates }, () => [this.units])] : [out];
  }
  /** The output's shape; with returnState the flat value holding the output and the states (Layer.outputCount). */
  computeOutputShape(s: number[]): number[] {
    const shapes = this.shapesOf(s);
    return shapes.length === 1 ? shapes[0]! : [shapes.reduce((a, q) => a + q.reduce((x, y) => x * y, 1), 0)];
  }
  override outputCount(): number {
    return this.returnState ? 2 + this.extraStates : 1;
  }
  override outputShapesFor(shapes: number[][]): number[][] {
    return this.shapesOf(shapes[0]!);
  }
  /** Floats per sample of the output alone (the flat value's first block). */
  private get mainFeatures(): number {
    const [T] = this.inputShape as [number, number];
    return (this.returnSequences ? T : 1) * this.units;
  }
  override expectedWeights(s: number[]): { name: string; shape: number[] }[] {
    const U = this.units,
      G = this.gates * U,
      out = [
        { name: `${this.name}/kernel`, shape: [s[s.length - 1]!, G] },
        { name: `${this.name}/recurrent_kernel`, shape: [U, G] },
      ];
    if (this.useBias) out.push({ name: `${this.name}/bias`, shape: this.biasShape() });
    return out;
  }
  /** The bias's initializer as the layer fills it (LSTM's unitForgetBias adds to it). */
  protected biasFill(): Initializer {
    return this.biasInitializer;
  }
  override build(s: number[]): void {
    super.build(s);
    const U = this.units,
      G = this.gates * U;
    this.kernel = this.addWeight('kernel', [s[1]!, G], this.kernelInitializer, this.trainable, this.kernelRegularizer);
    this.recurrentKernel = this.addWeight(
      'recurrent_kernel',
      [U, G],
      this.recurrentInitializer,
      this.trainable,
      this.recurrentRegularizer,
    );
    if (this.useBias)
      this.bias = this.addWeight('bias', this.biasShape(), this.biasFill(), this.trainable, this.biasRegularizer);
  }

  /** Floats of the time-major input, the pre-activations, h and the other state sequences (T + 1 states each),
   * then the layer's auxiliary sequences. */
  private stateFloats(B: number): number[] {
    const [T, F] = this.inputShape as [number, number],
      U = this.units;
    return [
      T * B * F,
      T * B * this.gates * U,
      ...Array<number>(1 + this.extraStates).fill((T + 1) * B * U),
      ...this.auxFloats(T, B),
    ];
  }
  /** Sequences a layer keeps from the forward to the backward pass besides the states (GRU's). */
  protected auxFloats(_T: number, _B: number): number[] {
    return [];
  }
  /** Floats of per-step scratch the backward pass needs besides the state gradients. */
  protected backwardTempFloats(_B: number): number {
    return 0;
  }
  /** The bias's shape: one G·U row (GRU with reset_after: two, the input's and the recurrent one). */
  protected biasShape(): number[] {
    return [this.gates * this.units];
  }
  /** Training's dropout buffers: the input mask [B, F]; the recurrent mask [B, U] and the masked states [T, B, U]. */
  private dropFloats(B: number): number[] {
    const [T, F] = this.inputShape as [number, number],
      U = this.units;
    return [...(this.dropout > 0 ? [B * F] : []), ...(this.recurrentDropout > 0 ? [B * U, T * B * U] : [])];
  }
  override scratchFloats(B: number): number[] {
    return [...this.stateFloats(B), ...this.dropFloats(B)];
  }
  /** This call's recurrent mask and masked states (0 when the recurrent state is not dropped). */
  protected rmask = 0;
  private hmasked = 0;
  /** Point rmask / hmasked at this call's buffers (after the states in `st`), or at 0 outside training. */
  private dropBuffers(st: readonly number[], training: boolean): number {
    const n = 3 + this.extraStates + this.auxFloats(1, 1).length;
    const on = training && st.length > n;
    const mask = on && this.dropout > 0 ? st[n]! : 0;
    const r = n + (this.dropout > 0 ? 1 : 0);
    this.rmask = on && this.recurrentDropout > 0 ? st[r]! : 0;
    this.hmasked = on && this.recurrentDropout > 0 ? st[r + 1]! : 0;
    return mask;
  }
  /** h_{t−1} as the recurrent products see it: the state, or (recurrent dropout) its masked copy, made here. */
  protected hIn(ctx: StepContext, seqs: readonly number[], t: number, B: number): number {
    const n = B * this.units,
      h = seqs[0]! + t * n * 4;
    if (this.hmasked === 0) return h;
    const hm = this.hmasked + t * n * 4;
    ctx.be.mul(h, this.rmask, hm, n);
    return hm;
  }
  /** Where hIn put step t's (in backward). */
  protected hInAt(seqs: readonly number[], t: number, B: number): number {
    const n = B * this.units * 4;
    return (this.hmasked === 0 ? seqs[0]! : this.hmasked) + t * n;
  }
  override transientFloats(B: number, training: boolean): number {
    const [T, F] = this.inputShape as [number, number],
      U = this.units;
    if (!training) return this.stateFloats(B).reduce((a, b) => a + b, 0);
    // dY time-major, dh, dh from the next step, one gradient block per extra state, the layer's temporary, and
    // dX time-major.
    return T * B * U + (2 + this.extraStates) * B * U + this.backwardTempFloats(B) + T * B * F;
  }
  /** Where the time-major input, pre-activations and state sequences are: scratch in training, else transient. */
  private states(ctx: StepContext, buf: LayerBuffers, B: number): number[] {
    if (buf.scratch.length > 0) return buf.scratch;
    const sizes = this.stateFloats(B);
    let at = ctx.transient;
    return sizes.map((n) => {
      const p = at;
      at += n * 4;
      return p;
    });
  }

  /**
   * Step t forward: from zt (its input projections x_t·W + b, B rows of G·U) and the states at t (seqs[k] +
   * t·B·U floats), the states at t + 1. `seqs` holds h, the extra states, then the auxiliary sequences.
   */
  protected abstract step(ctx: StepContext, zt: number, seqs: readonly number[], t: number, B: number): void;
  /**
   * Step t backward: dh (the gradient reaching h_t) and `grads` (one block per extra state, the gradient
   * reaching it from step t + 1, left as the gradient reaching step t's) make zt the gradient of the input
   * projections and dhPrev the gradient reaching h_{t−1} (not needed at t = 0); `tmp` is backwardTempFloats.
   */
  protected abstract stepBackward(
    ctx: StepContext,
    zt: number,
    seqs: readonly number[],
    t: number,
    B: number,
    dh: number,
    grads: number,
    dhPrev: number,
    tmp: number,
  ): void;
  /** The recurrent weights' gradients (and any besides the input bias's), once every step has run backward. */
  protected recurrentGrads(ctx: StepContext, z: number, seqs: readonly number[], T: number, B: number): void {
    const U = this.units,
      G = this.gates * U;
    ctx.be.gemm(true, false, U, G, T * B, 1, this.hInAt(seqs, 0, B), U, z, G, 0, this.recurrentKernel!.grad, G, ctx.ws);
  }
  /** zt += hIn(t)·U: the recurrent product of a layer whose cell takes it whole (SimpleRNN, LSTM). */
  protected recur(ctx: StepContext, zt: number, seqs: readonly number[], t: number, B: number): void {
    const U = this.units,
      G = this.gates * U,
      h = this.hIn(ctx, seqs, t, B);
    ctx.be.gemm(false, false, B, G, U, 1, h, U, this.recurrentKernel!.ptr, G, 1, zt, G, ctx.ws);
  }
  /** dhPrev = (dZt·Uᵀ)·mask: the gradient that reaches h_{t−1} through recur. */
  protected recurBackward(ctx: StepContext, zt: number, dhPrev: number, B: number): void {
    const U = this.units,
      G = this.gates * U;
    ctx.be.gemm(false, true, B, U, G, 1, zt, G, this.recurrentKernel!.ptr, G, 0, dhPrev, U, ctx.ws);
    if (this.rmask !== 0) ctx.be.mul(dhPrev, this.rmask, dhPrev, B * U);
  }
  /** The seed of this call's dropout masks (the backward copy of a Bidirectional draws its own). */
  private dropSeed(ctx: StepContext): number {
    return hash32(hash32(this.seed ?? ctx.stepSeed, ctx.node), this.goBackwards ? 1 : 0);
  }

  /** Zero a stateful layer's carried states (and forget its batch size, unless a batch size was declared). */
  resetStates(): void {
    this.carried = null;
  }
  /** The batch size a stateful layer's next call must have (null: any, it carries nothing yet). */
  get statefulBatchSize(): number | null {
    return this.carried ? this.carried[0]!.length / this.units : this.declaredBatchSize;
  }
  /** Keep the states after the last step for the next call (arrays made once per batch size). */
  private carry(f: Float32Array, seqs: readonly number[], T: number, B: number): void {
    const n = B * this.units;
    this.carried ??= Array.from({ length: 1 + this.extraStates }, () => new Float32Array(n));
    for (let k = 0; k <= this.extraStates; k++) {
      const c = this.carried[k]!,
        s0 = (seqs[k]! >> 2) + T * n;
      for (let i = 0; i < n; i++) c[i] = f[s0 + i]!;
    }
  }

  /** With returnSequences the output's steps are the input's: a mask passes on (Keras). */
  override maskMode(): 'keep' | 'drop' {
    return this.returnSequences ? 'keep' : 'drop';
  }
  /** The input step step t reads (time-major t, in the order the layer runs). */
  private maskStep(t: number, T: number): number {
    return this.goBackwards ? T - 1 - t : t;
  }
  /** At a masked step a sample's states stay what they were (and its output repeats the last), as Keras. */
  private holdMasked(f: Float32Array, mk: Uint8Array, seqs: readonly number[], t: number, B: number, T: number) {
    const U = this.units,
      tt = this.maskStep(t, T);
    for (let b = 0; b < B; b++) {
      if (mk[b * T + tt] !== 0) continue;
      for (let k = 0; k <= this.extraStates; k++) {
        const from = (seqs[k]! >> 2) + (t * B + b) * U;
        f.copyWithin(from + B * U, from, from + U);
      }
    }
  }
  /** Gradient rows of masked samples, kept across a backward step (h's, then each extra state's). */
  private maskSave: Float32Array | null = null;
  /** Before step t's backward: keep the incoming gradients of the samples masked at t. */
  private saveMasked(f: Float32Array, mk: Uint8Array, dh: number, grads: number, t: number, B: number, T: number) {
    const U = this.units,
      tt = this.maskStep(t, T),
      n = (1 + this.extraStates) * B * U;
    if (this.maskSave === null || this.maskSave.length < n) this.maskSave = new Float32Array(n);
    const sv = this.maskSave;
    for (let b = 0; b < B; b++) {
      if (mk[b * T + tt] !== 0) continue;
      for (let k = 0; k <= this.extraStates; k++) {
        const src = ((k === 0 ? dh : grads + (k - 1) * B * U * 4) >> 2) + b * U;
        const dst = (k * B + b) * U;
        for (let u = 0; u < U; u++) sv[dst + u] = f[src + u]!;
      }
    }
  }
  /**
   * After step t's backward: a masked sample's step did nothing, so its gradients pass through to step t − 1
   * unchanged and its rows of the step's pre-activation gradients are zero.
   */
  private passMasked(
    f: Float32Array,
    mk: Uint8Array,
    zt: number,
    seqs: readonly number[],
    dhPrev: number,
    grads: number,
    t: number,
    B: number,
    T: number,
  ) {
    const U = this.units,
      tt = this.maskStep(t, T),
      sv = this.maskSave!;
    for (let b = 0; b < B; b++) {
      if (mk[b * T + tt] !== 0) continue;
      for (let k = 0; k <= this.extraStates; k++) {
        const dst = ((k === 0 ? dhPrev : grads + (k - 1) * B * U * 4) >> 2) + b * U,
          src = (k * B + b) * U;
        for (let u = 0; u < U; u++) f[dst + u] = sv[src + u]!;
      }
      this.clearStepRow(f, zt, seqs, t, B, b);
    }
  }
  /** Zero sample b's gradient rows of step t (its pre-activations'; GRU's recurrent products' too). */
  protected clearStepRow(f: Float32Array, zt: number, _seqs: readonly number[], _t: number, _B: number, b: number) {
    const G = this.gates * this.units,
      r = (zt >> 2) + b * G;
    f.fill(0, r, r + G);
  }

  forward(ctx: StepContext, buf: LayerBuffers, x: number, B: number): void {
    const want = this.stateful ? this.statefulBatchSize : null;
    if (want !== null && want !== B)
      throw new ValueError(
        `${this.className} layer '${this.name}' is stateful: every batch must have the ${want} samples its states are for (sample i of a batch continues sample i of the last). Received a batch of ${B}. Use a batchSize of ${want} and a sample count divisible by it, or call resetStates() first.`,
      );
    const be = ctx.be,
      f = be.heap.f32,
      [T, F] = this.inputShape as [number, number],
      U = this.units,
      G = this.gates * U;
    const st = this.states(ctx, buf, B),
      [xt, z, ...seqs] = st as [number, number, ...number[]];
    const hs = seqs[0]!,
      mask = this.dropBuffers(st, ctx.training);
    swapBT(f, x, xt, B, T, F, true, this.goBackwards);
    if (mask !== 0 || this.rmask !== 0) {
      const seed = this.dropSeed(ctx);
      // One input mask per sequence: drawn on step 0's inputs, multiplied into the others'.
      if (mask !== 0) {
        be.dropout(xt, xt, mask, B * F, this.dropout, seed, 0);
        for (let t = 1; t < T; t++) be.mul(xt + t * B * F * 4, mask, xt + t * B * F * 4, B * F);
      }
      if (this.rmask !== 0) {
        // The recurrent mask: dropout of ones (the transient block is free until backward).
        f.fill(1, ctx.transient >> 2, (ctx.transient >> 2) + B * U);
        be.dropout(ctx.transient, ctx.transient, this.rmask, B * U, this.recurrentDropout, seed, B * F);
      }
    }
    be.gemm(false, false, T * B, G, F, 1, xt, F, this.kernel!.ptr, G, 0, z, G, ctx.ws);
    if (this.bias) be.biasAct(Act.Linear, 0, z, this.bias.ptr, z, T * B, G);
    const carried = this.carried;
    for (let k = 0; k <= this.extraStates; k++) {
      const s0 = seqs[k]! >> 2;
      if (carried) f.set(carried[k]!, s0);
      else f.fill(0, s0, s0 + B * U);
    }
    const mk = ctx.mask;
    for (let t = 0; t < T; t++) {
      this.step(ctx, z + t * B * G * 4, seqs, t, B);
      if (mk !== null) this.holdMasked(f, mk, seqs, t, B, T);
    }
    if (this.stateful) this.carry(f, seqs, T, B);
    if (this.returnSequences) swapBT(f, hs + B * U * 4, buf.y, B, T, U, false, false);
    else f.copyWithin(buf.y >> 2, (hs >> 2) + T * B * U, (hs >> 2) + (T + 1) * B * U);
    // returnState: the last states after the output, batch block by batch block.
    if (this.returnState)
      for (let k = 0; k <= this.extraStates; k++) {
        const s0 = (seqs[k]! >> 2) + T * B * U;
        f.copyWithin((buf.y >> 2) + B * (this.mainFeatures + k * U), s0, s0 + B * U);
      }
  }

  backward(ctx: StepContext, buf: LayerBuffers, _x: number, dx: number, B: number): void {
    const be = ctx.be,
      f = be.heap.f32,
      [T, F] = this.inputShape as [number, number],
      U = this.units,
      G = this.gates * U;
    const st = this.states(ctx, buf, B),
      [xt, z, ...seqs] = st as [number, number, ...number[]];
    const mask = this.dropBuffers(st, ctx.training),
      mk = ctx.mask;
    const dyt = ctx.transient,
      dh = dyt + T * B * U * 4,
      dhNext = dh + B * U * 4,
      grads = dhNext + B * U * 4,
      tmp = grads + this.extraStates * B * U * 4,
      dxt = tmp + this.backwardTempFloats(B) * 4;
    if (this.returnSequences) swapBT(f, buf.dy, dyt, B, T, U, true, false);
    // The gradient from after the last step: zero, or (returnState) the states' own gradients.
    if (this.returnState) {
      const d0 = (buf.dy >> 2) + B * this.mainFeatures;
      f.copyWithin(dhNext >> 2, d0, d0 + B * U);
      f.copyWithin(grads >> 2, d0 + B * U, d0 + (1 + this.extraStates) * B * U);
    } else f.fill(0, dhNext >> 2, (dhNext >> 2) + (1 + this.extraStates) * B * U);
    for (let t = T - 1; t >= 0; t--) {
      const zt = z + t * B * G * 4;
      // dh = the output's gradient at this step (if it has one) + the gradient from step t + 1.
      if (this.returnSequences) f.copyWithin(dh >> 2, (dyt >> 2) + t * B * U, (dyt >> 2) + (t + 1) * B * U);
      else if (t === T - 1) f.copyWithin(dh >> 2, buf.dy >> 2, (buf.dy >> 2) + B * U);
      else f.fill(0, dh >> 2, (dh >> 2) + B * U);
      be.axpy(B * U, 1, dhNext, dh);
      if (mk !== null) this.saveMasked(f, mk, dh, grads, t, B, T);
      this.stepBackward(ctx, zt, seqs, t, B, dh, grads, dhNext, tmp);
      if (mk !== null) this.passMasked(f, mk, zt, seqs, dhNext, grads, t, B, T);
    }
    if (this.trainable) {
      be.gemm(true, false, F, G, T * B, 1, xt, F, z, G, 0, this.kernel!.grad, G, ctx.ws);
      if (this.bias) be.colSum(z, T * B, G, this.bias.grad, 0);
      this.recurrentGrads(ctx, z, seqs, T, B);
    }
    if (dx === 0) return;
    be.gemm(false, true, T * B, F, G, 1, z, G, this.kernel!.ptr, G, 0, dxt, F, ctx.ws);
    if (mask !== 0) for (let t = 0; t < T; t++) be.mul(dxt + t * B * F * 4, mask, dxt + t * B * F * 4, B * F);
    swapBT(f, dxt, dx, B, T, F, false, this.goBackwards);
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      units: this.units,
      activation: this.activation.name,
      use_bias: this.useBias,
      kernel_initializer: serializeInit(this.kernelInitializer),
      recurrent_initializer: serializeInit(this.recurrentInitializer),
      bias_initializer: serializeInit(this.biasInitializer),
      kernel_regularizer: serializeReg(this.kernelRegularizer),
      recurrent_regularizer: serializeReg(this.recurrentRegularizer),
      bias_regularizer: serializeReg(this.biasRegularizer),
      activity_regularizer: null,
      kernel_constraint: null,
      recurrent_constraint: null,
      bias_constraint: null,
      dropout: this.dropout,
      recurrent_dropout: this.recurrentDropout,
      ...(this.seed !== undefined ? { seed: this.seed } : {}),
      return_sequences: this.returnSequences,
      return_state: this.returnState,
      go_backwards: this.goBackwards,
      stateful: this.stateful,
      unroll: false,
    };
  }
}

/**
 * The fully connected recurrent layer: h_t = act(x_t·W + h_{t−1}·U + b), over [steps, features] inputs; its
 * cell is the activation kernel, its gradient the activation's gradient kernel.
 */
export class SimpleRNN extends Recurrent {
  readonly className = 'SimpleRNN';
  protected readonly gates = 1;
  protected readonly extraStates = 0;
  constructor(args: SimpleRNNArgs) {
    super(args, 'SimpleRNN');
    if (this.activation.kind !== 'elementwise')
      invalid('activation', 'an elementwise activation (softmax is not a recurrent activation)', args.activation);
  }
  protected step(ctx: StepContext, zt: number, seqs: readonly number[], t: number, B: number): void {
    const s = B * this.units * 4;
    this.recur(ctx, zt, seqs, t, B);
    ctx.be.biasAct(this.activation.code, this.activation.param, zt, 0, seqs[0]! + (t + 1) * s, B, this.units);
  }
  protected stepBackward(
    ctx: StepContext,
    zt: number,
    seqs: readonly number[],
    t: number,
    B: number,
    dh: number,
    _grads: number,
    dhPrev: number,
  ): void {
    const h = seqs[0]! + (t + 1) * B * this.units * 4;
    // The step's pre-activation gradient, over its pre-activations (no longer needed).
    ctx.be.actBackward(this.activation.code, this.activation.param, zt, h, dh, zt, B * this.units);
    if (t > 0) this.recurBackward(ctx, zt, dhPrev, B);
  }
}

/** The candidate activations the cell kernels support, and the gates'. */
const CELL_ACTS = new Set([Act.Tanh, Act.Relu, Act.Linear, Act.Sigmoid]);
const GATE_ACTS = new Set([Act.Sigmoid, Act.HardSigmoid, Act.HardSigmoidLegacy]);

/** Another initializer, with the forget gate's block [U, 2U) of the bias set to 1 on top. */
class UnitForgetBias extends Initializer {
  readonly className: string;
  constructor(
    private readonly base: Initializer,
    private readonly units: number,
  ) {
    super();
    this.className = base.className;
  }
  fill(out: Float32Array, shape: readonly number[]): void {
    this.base.fill(out, shape);
    out.fill(1, this.units, 2 * this.units);
  }
}

/** A gated cell's gate activation, after checking both of its activations are ones its kernels compute. */
function gateActivation(
  kind: string,
  activation: ResolvedActivation,
  args: { activation?: string; recurrentActivation?: string },
): ResolvedActivation {
  const rec = resolveActivation(args.recurrentActivation ?? 'sigmoid', 'recurrentActivation');
  if (!CELL_ACTS.has(activation.code) || activation.kind !== 'elementwise')
    invalid(
      'activation',
      `'tanh', 'relu', 'linear' or 'sigmoid' (the ${kind} cell's supported activations)`,
      args.activation,
    );
  if (!GATE_ACTS.has(rec.code))
    invalid(
      'recurrentActivation',
      `'sigmoid', 'hard_sigmoid' or 'hard_sigmoid_legacy' (the ${kind} cell's supported gate activations)`,
      args.recurrentActivation,
    );
  return rec;
}

/** Long short-term memory over [steps, features] inputs: [T, F] → [units] (or [T, units]); state h and c. */
export class LSTM extends Recurrent {
  readonly className = 'LSTM';
  protected readonly gates = 4;
  protected readonly extraStates = 1;
  readonly recurrentActivation: ResolvedActivation;
  readonly unitForgetBias: boolean;
  constructor(args: LSTMArgs) {
    super(args, 'LSTM');
    this.recurrentActivation = gateActivation('LSTM', this.activation, args);
    this.unitForgetBias = args.unitForgetBias ?? true;
  }
  protected override biasFill(): Initializer {
    return this.unitForgetBias ? new UnitForgetBias(this.biasInitializer, this.units) : this.biasInitializer;
  }
  protected step(ctx: StepContext, zt: number, seqs: readonly number[], t: number, B: number): void {
    const s = B * this.units * 4,
      hPrev = seqs[0]! + t * s,
      cPrev = seqs[1]! + t * s;
    this.recur(ctx, zt, seqs, t, B);
    ctx.be.lstmCell(
      zt,
      cPrev,
      cPrev + s,
      hPrev + s,
      B,
      this.units,
      this.activation.code,
      this.recurrentActivation.code,
    );
  }
  protected stepBackward(
    ctx: StepContext,
    zt: number,
    seqs: readonly number[],
    t: number,
    B: number,
    dh: number,
    dc: number,
    dhPrev: number,
  ): void {
    const s = B * this.units * 4,
      cs = seqs[1]!;
    ctx.be.lstmCellBackward(
      zt,
      cs + t * s,
      cs + (t + 1) * s,
      dh,
      dc,
      B,
      this.units,
      this.activation.code,
      this.recurrentActivation.code,
    );
    if (t > 0) this.recurBackward(ctx, zt, dhPrev, B);
  }
  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      recurrent_activation: this.recurrentActivation.name,
      unit_forget_bias: this.unitForgetBias,
      implementation: 2,
    };
  }
}

/**
 * Gated recurrent unit over [steps, features] inputs: [T, F] → [units] (or [T, units]), Keras's gate order
 * z, r, h and h = z·h_{t−1} + (1 − z)·ĥ, with the reset gate applied after the recurrent product (resetAfter,
 * Keras 3's default; bias [2, 3·units]) or before it (TF.js's form; bias [3·units]).
 */
export class GRU extends Recurrent {
  readonly className = 'GRU';
  protected readonly gates = 3;
  protected readonly extraStates = 0;
  readonly recurrentActivation: ResolvedActivation;
  readonly resetAfter: boolean;
  constructor(args: GRUArgs) {
    super(args, 'GRU');
    this.recurrentActivation = gateActivation('GRU', this.activation, args);
    this.resetAfter = args.resetAfter ?? true;
    if (typeof this.resetAfter !== 'boolean') invalid('resetAfter', 'true or false', args.resetAfter);
  }
  protected override biasShape(): number[] {
    return this.resetAfter ? [2, 3 * this.units] : [3 * this.units];
  }
  /** Reset after: R, every step's recurrent product [T, B, 3U]; before: RH, every step's r·h_{t−1} [T, B, U]. */
  protected override auxFloats(T: number, B: number): number[] {
    return [T * B * (this.resetAfter ? 3 : 1) * this.units];
  }
  /**
   * Reset before: the gradient reaching r·h_{t−1}; with recurrent dropout, the gradient reaching the masked
   * h_{t−1} (reset before), or the recurrent product's share of h_{t−1}'s (reset after).
   */
  protected override backwardTempFloats(B: number): number {
    return ((this.resetAfter ? 0 : 1) + (this.recurrentDropout > 0 ? 1 : 0)) * B * this.units;
  }
  protected step(ctx: StepContext, zt: number, seqs: readonly number[], t: number, B: number): void {
    const be = ctx.be,
      U = this.units,
      s = B * U * 4,
      hp = seqs[0]! + t * s,
      rk = this.recurrentKernel!.ptr,
      act = this.activation.code,
      rec = this.recurrentActivation.code;
    // hm: h_{t−1} as the recurrent products see it (masked under recurrent dropout); the update mixes hp itself.
    const hm = this.hIn(ctx, seqs, t, B);
    if (this.resetAfter) {
      const rt = seqs[1]! + t * 3 * s;
      be.gemm(false, false, B, 3 * U, U, 1, hm, U, rk, 3 * U, 0, rt, 3 * U, ctx.ws);
      be.gruCell(zt, rt, this.bias ? this.bias.ptr + 3 * U * 4 : 0, hp, hp + s, B, U, act, rec);
    } else {
      const rh = seqs[1]! + t * s;
      be.gemm(false, false, B, 2 * U, U, 1, hm, U, rk, 3 * U, 1, zt, 3 * U, ctx.ws);
      be.gruGates(zt, hm, rh, B, U, rec);
      be.gemm(false, false, B, U, U, 1, rh, U, rk + 2 * U * 4, 3 * U, 1, zt + 2 * U * 4, 3 * U, ctx.ws);
      be.gruOut(zt, hp, hp + s, B, U, act);
    }
  }
  protected stepBackward(
    ctx: StepContext,
    zt: number,
    seqs: readonly number[],
    t: number,
    B: number,
    dh: number,
    _grads: number,
    dhPrev: number,
    tmp: number,
  ): void {
    const be = ctx.be,
      U = this.units,
      s = B * U * 4,
      hp = seqs[0]! + t * s,
      rk = this.recurrentKernel!.ptr,
      act = this.activation.code,
      rec = this.recurrentActivation.code;
    // Without recurrent dropout the recurrent products' gradient adds straight into dhPrev; with it, it
    // gathers in dm (a temporary) and reaches dhPrev through the mask.
    const m = this.rmask,
      dm = m === 0 ? dhPrev : tmp + (this.resetAfter ? 0 : B * U * 4);
    if (this.resetAfter) {
      const rt = seqs[1]! + t * 3 * s;
      be.gruCellBackward(zt, rt, hp, dh, dhPrev, B, U, act, rec);
      if (t > 0) be.gemm(false, true, B, U, 3 * U, 1, rt, 3 * U, rk, 3 * U, m === 0 ? 1 : 0, dm, U, ctx.ws);
    } else {
      be.gruOutBackward(zt, hp, dh, dhPrev, B, U, act, rec);
      be.gemm(false, true, B, U, U, 1, zt + 2 * U * 4, 3 * U, rk + 2 * U * 4, 3 * U, 0, tmp, U, ctx.ws);
      if (m !== 0) ctx.be.heap.f32.fill(0, dm >> 2, (dm >> 2) + B * U);
      be.gruGatesBackward(zt, this.hInAt(seqs, t, B), tmp, dm, B, U, rec);
      if (t > 0) be.gemm(false, true, B, U, 2 * U, 1, zt, 3 * U, rk, 3 * U, 1, dm, U, ctx.ws);
    }
    if (m !== 0 && t > 0) {
      be.mul(dm, m, dm, B * U);
      be.axpy(B * U, 1, dm, dhPrev);
    }
  }
  protected override clearStepRow(
    f: Float32Array,
    zt: number,
    seqs: readonly number[],
    t: number,
    B: number,
    b: number,
  ) {
    super.clearStepRow(f, zt, seqs, t, B, b);
    if (this.resetAfter) {
      const r = (seqs[1]! >> 2) + (t * B + b) * 3 * this.units;
      f.fill(0, r, r + 3 * this.units);
    }
  }
  protected override recurrentGrads(ctx: StepContext, z: number, seqs: readonly number[], T: number, B: number) {
    const be = ctx.be,
      U = this.units,
      g = this.recurrentKernel!.grad,
      aux = seqs[1]!;
    const hm = this.hInAt(seqs, 0, B);
    if (this.resetAfter) {
      be.gemm(true, false, U, 3 * U, T * B, 1, hm, U, aux, 3 * U, 0, g, 3 * U, ctx.ws);
      if (this.bias) be.colSum(aux, T * B, 3 * U, this.bias.grad + 3 * U * 4, 0);
    } else {
      be.gemm(true, false, U, 2 * U, T * B, 1, hm, U, z, 3 * U, 0, g, 3 * U, ctx.ws);
      be.gemm(true, false, U, U, T * B, 1, aux, U, z + 2 * U * 4, 3 * U, 0, g + 2 * U * 4, 3 * U, ctx.ws);
    }
  }
  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      recurrent_activation: this.recurrentActivation.name,
      reset_after: this.resetAfter,
      implementation: 2,
    };
  }
}

// ------------------------------------------------------------------ readers of Keras/TF.js configs

/** What every recurrent layer's config holds; the features not supported yet are refused by name. */
function readRecurrent(kind: string, ctx: LayerReadContext): RecurrentArgs {
  const { c, base, activation, init, regularizer, noConstraint, maxParams } = ctx;
  for (const k of ['kernel_constraint', 'recurrent_constraint', 'bias_constraint']) noConstraint(k);
  return {
    ...base,
    units: c.int('units', undefined, 1, maxParams),
    activation: c.get('activation') === undefined ? 'tanh' : activation('activation'),
    useBias: c.bool('use_bias', true),
    kernelInitializer: init('kernel_initializer', 'glorot_uniform'),
    recurrentInitializer: init('recurrent_initializer', 'orthogonal'),
    biasInitializer: init('bias_initializer', 'zeros'),
    kernelRegularizer: regularizer('kernel_regularizer'),
    recurrentRegularizer: regularizer('recurrent_regularizer'),
    biasRegularizer: regularizer('bias_regularizer'),
    returnSequences: c.bool('return_sequences', false),
    goBackwards: c.bool('go_backwards', false),
    stateful: c.bool('stateful', false),
    returnState: c.bool('return_state', false),
    dropout: c.num('dropout', 0, (x) => x >= 0 && x < 1, 'a number in [0, 1)'),
    recurrentDropout: c.num('recurrent_dropout', 0, (x) => x >= 0 && x < 1, 'a number in [0, 1)'),
    ...(typeof c.get('seed') === 'number' ? { seed: c.int('seed', undefined, -(2 ** 31), 2 ** 32) } : {}),
  };
}
registerLayer(
  'LSTM',
  (ctx) =>
    new LSTM({
      ...readRecurrent('LSTM', ctx),
      // TF.js's default gate activation is its hard sigmoid; Keras's, the sigmoid: a file says which.
      recurrentActivation:
        ctx.c.get('recurrent_activation') === undefined ? 'sigmoid' : ctx.activation('recurrent_activation'),
      unitForgetBias: ctx.c.bool('unit_forget_bias', true),
    }),
);
registerLayer(
  'GRU',
  (ctx) =>
    new GRU({
      ...readRecurrent('GRU', ctx),
      recurrentActivation:
        ctx.c.get('recurrent_activation') === undefined ? 'sigmoid' : ctx.activation('recurrent_activation'),
      // Files from before Keras 2.1 (and TF.js's) apply the reset before the product; a file says which.
      resetAfter: ctx.c.bool('reset_after', false),
    }),
);
registerLayer('SimpleRNN', (ctx) => new SimpleRNN(readRecurrent('SimpleRNN', ctx)));

// ------------------------------------------------------------------ factories

/**
 * A long short-term memory layer over [steps, features] inputs.
 * @example sn.layers.lstm({ units: 64, returnSequences: true })
 */
export const lstm = (args: LSTMArgs) => new LSTM(args);
/**
 * A gated recurrent unit over [steps, features] inputs (resetAfter: true as Keras 3, false as TF.js).
 * @example sn.layers.gru({ units: 64, resetAfter: false })
 */
export const gru = (args: GRUArgs) => new GRU(args);
/**
 * A fully connected recurrent layer over [steps, features] inputs.
 * @example sn.layers.simpleRNN({ units: 32, returnSequences: true })
 */
export const simpleRNN = (args: SimpleRNNArgs) => new SimpleRNN(args);
