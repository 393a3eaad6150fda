/**
 * Recurrent layers (issue 16): `simpleRNN` (at the end of this file) and `lstm`, as Keras defines it — kernel [F, 4U],
 * recurrent_kernel [U, 4U], bias [4U], gates in Keras's order i, f, c, o —
 * so that files load both ways.
 *
 * A batch runs time-major: the input is transposed to [T, B, F] once, every
 * step's input projection is ONE GEMM (x·W + b for all T·B rows), and each
 * step adds h·U with one GEMM into its rows and runs one fused SIMD cell
 * kernel (gate nonlinearities and state update, assembly/seq/lstm.ts).
 * Backpropagation through time runs the cell's gradient kernel and one GEMM
 * (dG·Uᵀ) per step, then the weight gradients of all steps as one GEMM each
 * (xᵀ·dG, hᵀ·dG) and the bias gradient as one column sum. Training plans
 * keep the transposed input, the gates and the h and c sequences as scratch;
 * the rest lives in the transient workspace.
 */
import { Act } from './backend/types.js';
import { NotSupportedError, ValueError, describe, invalid } from './errors.js';
import { registerLayer } from './io/cfg.js';
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

export interface LSTMArgs extends LayerArgs {
  units: number;
  /** The candidate's and the output's activation: 'tanh' (default), 'relu', 'linear' or 'sigmoid'. */
  activation?: string;
  /** The gates' activation: 'sigmoid' (default, as Keras), 'hard_sigmoid' or 'hard_sigmoid_legacy'. */
  recurrentActivation?: string;
  useBias?: boolean;
  kernelInitializer?: InitializerIdentifier;
  recurrentInitializer?: InitializerIdentifier;
  biasInitializer?: InitializerIdentifier;
  /** Add 1 to the forget gate's bias at initialization (Jozefowicz et al.). Defaults to true. */
  unitForgetBias?: boolean;
  kernelRegularizer?: RegularizerIdentifier;
  recurrentRegularizer?: RegularizerIdentifier;
  biasRegularizer?: RegularizerIdentifier;
  /** Output the whole sequence [T, units] rather than the last step [units]. */
  returnSequences?: boolean;
  /** Read the sequence last step first (the outputs come in that order too, as Keras's). */
  goBackwards?: boolean;
  dropout?: number;
  recurrentDropout?: number;
  returnState?: boolean;
  stateful?: boolean;
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

/** Long short-term memory over [steps, features] inputs: [T, F] → [units] (or [T, units]). */
export class LSTM extends Layer {
  readonly className = 'LSTM';
  readonly units: number;
  readonly activation: ResolvedActivation;
  readonly recurrentActivation: ResolvedActivation;
  readonly useBias: boolean;
  readonly kernelInitializer: Initializer;
  readonly recurrentInitializer: Initializer;
  readonly biasInitializer: Initializer;
  readonly unitForgetBias: boolean;
  readonly kernelRegularizer: Regularizer | null;
  readonly recurrentRegularizer: Regularizer | null;
  readonly biasRegularizer: Regularizer | null;
  readonly returnSequences: boolean;
  readonly goBackwards: boolean;
  kernel: Weight | null = null;
  recurrentKernel: Weight | null = null;
  bias: Weight | null = null;

  constructor(args: LSTMArgs) {
    if (typeof args !== 'object' || args === null) invalid('args', 'an object like { units: 32 }', args);
    super(args, 'LSTM');
    if (!Number.isInteger(args.units) || args.units <= 0) invalid('units', 'a positive integer', args.units);
    this.units = args.units;
    this.activation = resolveActivation(args.activation ?? 'tanh', 'activation');
    this.recurrentActivation = resolveActivation(args.recurrentActivation ?? 'sigmoid', 'recurrentActivation');
    if (!CELL_ACTS.has(this.activation.code) || this.activation.kind !== 'elementwise')
      invalid(
        'activation',
        "'tanh', 'relu', 'linear' or 'sigmoid' (the LSTM cell's supported activations)",
        args.activation,
      );
    if (!GATE_ACTS.has(this.recurrentActivation.code))
      invalid(
        'recurrentActivation',
        "'sigmoid', 'hard_sigmoid' or 'hard_sigmoid_legacy' (the LSTM cell's supported gate activations)",
        args.recurrentActivation,
      );
    this.useBias = args.useBias ?? true;
    this.kernelInitializer = getInitializer(args.kernelInitializer ?? 'glorot_uniform', 'kernelInitializer');
    this.recurrentInitializer = getInitializer(args.recurrentInitializer ?? 'orthogonal', 'recurrentInitializer');
    this.biasInitializer = getInitializer(args.biasInitializer ?? 'zeros', 'biasInitializer');
    this.unitForgetBias = args.unitForgetBias ?? true;
    this.kernelRegularizer = getRegularizer(args.kernelRegularizer, 'kernelRegularizer');
    this.recurrentRegularizer = getRegularizer(args.recurrentRegularizer, 'recurrentRegularizer');
    this.biasRegularizer = getRegularizer(args.biasRegularizer, 'biasRegularizer');
    this.returnSequences = args.returnSequences ?? false;
    this.goBackwards = args.goBackwards ?? false;
    const later = (name: string, v: unknown, neutral: unknown) => {
      if (v !== undefined && v !== neutral)
        throw new NotSupportedError(
          `LSTM layer '${this.name}': ${name} is not supported yet. Received: ${describe(v)}`,
        );
    };
    later('dropout', args.dropout, 0);
    later('recurrentDropout', args.recurrentDropout, 0);
    later('returnState', args.returnState, false);
    later('stateful', args.stateful, false);
  }

  computeOutputShape(s: number[]): number[] {
    if (s.length !== 2)
      throw new ValueError(
        `LSTM layer '${this.name}' expects an input of shape [steps, features] per sample. Received input shape [${s}].`,
      );
    return this.returnSequences ? [s[0]!, this.units] : [this.units];
  }
  override expectedWeights(s: number[]): { name: string; shape: number[] }[] {
    const U = this.units,
      out = [
        { name: `${this.name}/kernel`, shape: [s[s.length - 1]!, 4 * U] },
        { name: `${this.name}/recurrent_kernel`, shape: [U, 4 * U] },
      ];
    if (this.useBias) out.push({ name: `${this.name}/bias`, shape: [4 * U] });
    return out;
  }
  override build(s: number[]): void {
    super.build(s);
    const U = this.units;
    this.kernel = this.addWeight(
      'kernel',
      [s[1]!, 4 * U],
      this.kernelInitializer,
      this.trainable,
      this.kernelRegularizer,
    );
    this.recurrentKernel = this.addWeight(
      'recurrent_kernel',
      [U, 4 * U],
      this.recurrentInitializer,
      this.trainable,
      this.recurrentRegularizer,
    );
    if (this.useBias) {
      const init = this.unitForgetBias ? new UnitForgetBias(this.biasInitializer, U) : this.biasInitializer;
      this.bias = this.addWeight('bias', [4 * U], init, this.trainable, this.biasRegularizer);
    }
  }

  private get steps(): number {
    return this.inputShape![0]!;
  }
  private get features(): number {
    return this.inputShape![1]!;
  }
  /** Floats of the time-major input, the gates, and the h and c sequences (T + 1 states each). */
  private stateFloats(B: number): number[] {
    const T = this.steps,
      U = this.units;
    return [T * B * this.features, T * B * 4 * U, (T + 1) * B * U, (T + 1) * B * U];
  }
  override scratchFloats(B: number): number[] {
    return this.stateFloats(B);
  }
  override transientFloats(B: number, training: boolean): number {
    const T = this.steps,
      U = this.units;
    if (!training) return this.stateFloats(B).reduce((a, b) => a + b, 0);
    // dY time-major, dh, dh from the next step, dc, and dX time-major.
    return T * B * U + 3 * B * U + T * B * this.features;
  }
  /** Where the time-major input, gates, h and c sequences are: scratch in training, else the transient block. */
  private states(ctx: StepContext, buf: LayerBuffers, B: number): [number, number, number, number] {
    if (buf.scratch.length === 4) return [buf.scratch[0]!, buf.scratch[1]!, buf.scratch[2]!, buf.scratch[3]!];
    const [a, b, c] = this.stateFloats(B);
    const x = ctx.transient;
    return [x, x + a! * 4, x + (a! + b!) * 4, x + (a! + b! + c!) * 4];
  }

  forward(ctx: StepContext, buf: LayerBuffers, x: number, B: number): void {
    const be = ctx.be,
      f = be.heap.f32,
      T = this.steps,
      F = this.features,
      U = this.units,
      G = 4 * U;
    const [xt, z, hs, cs] = this.states(ctx, buf, B);
    swapBT(f, x, xt, B, T, F, true, this.goBackwards);
    be.gemm(false, false, T * B, G, F, 1, xt, F, this.kernel!.ptr, G, 0, z, G, ctx.ws);
    if (this.bias) be.biasAct(Act.Linear, 0, z, this.bias.ptr, z, T * B, G);
    f.fill(0, hs >> 2, (hs >> 2) + B * U);
    f.fill(0, cs >> 2, (cs >> 2) + B * U);
    const act = this.activation.code,
      rec = this.recurrentActivation.code;
    for (let t = 0; t < T; t++) {
      const zt = z + t * B * G * 4,
        hPrev = hs + t * B * U * 4,
        cPrev = cs + t * B * U * 4;
      be.gemm(false, false, B, G, U, 1, hPrev, U, this.recurrentKernel!.ptr, G, 1, zt, G, ctx.ws);
      be.lstmCell(zt, cPrev, cPrev + B * U * 4, hPrev + B * U * 4, B, U, act, rec);
    }
    if (this.returnSequences) swapBT(f, hs + B * U * 4, buf.y, B, T, U, false, false);
    else f.copyWithin(buf.y >> 2, (hs >> 2) + T * B * U, (hs >> 2) + (T + 1) * B * U);
  }

  backward(ctx: StepContext, buf: LayerBuffers, _x: number, dx: number, B: number): void {
    const be = ctx.be,
      f = be.heap.f32,
      T = this.steps,
      F = this.features,
      U = this.units,
      G = 4 * U;
    const [xt, z, hs, cs] = this.states(ctx, buf, B);
    const dyt = ctx.transient,
      dh = dyt + T * B * U * 4,
      dhNext = dh + B * U * 4,
      dc = dhNext + B * U * 4,
      dxt = dc + B * U * 4;
    if (this.returnSequences) swapBT(f, buf.dy, dyt, B, T, U, true, false);
    f.fill(0, dhNext >> 2, (dhNext >> 2) + B * U);
    f.fill(0, dc >> 2, (dc >> 2) + B * U);
    const act = this.activation.code,
      rec = this.recurrentActivation.code;
    for (let t = T - 1; t >= 0; t--) {
      const zt = z + t * B * G * 4;
      // dh = the output's gradient at this step (if it has one) + the gradient from step t + 1.
      if (this.returnSequences) f.copyWithin(dh >> 2, (dyt >> 2) + t * B * U, (dyt >> 2) + (t + 1) * B * U);
      else if (t === T - 1) f.copyWithin(dh >> 2, buf.dy >> 2, (buf.dy >> 2) + B * U);
      else f.fill(0, dh >> 2, (dh >> 2) + B * U);
      be.axpy(B * U, 1, dhNext, dh);
      be.lstmCellBackward(zt, cs + t * B * U * 4, cs + (t + 1) * B * U * 4, dh, dc, B, U, act, rec);
      if (t > 0) be.gemm(false, true, B, U, G, 1, zt, G, this.recurrentKernel!.ptr, G, 0, dhNext, U, ctx.ws);
    }
    if (this.trainable) {
      be.gemm(true, false, F, G, T * B, 1, xt, F, z, G, 0, this.kernel!.grad, G, ctx.ws);
      be.gemm(true, false, U, G, T * B, 1, hs, U, z, G, 0, this.recurrentKernel!.grad, G, ctx.ws);
      if (this.bias) be.colSum(z, T * B, G, this.bias.grad, 0);
    }
    if (dx === 0) return;
    be.gemm(false, true, T * B, F, G, 1, z, G, this.kernel!.ptr, G, 0, dxt, F, ctx.ws);
    swapBT(f, dxt, dx, B, T, F, false, this.goBackwards);
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      units: this.units,
      activation: this.activation.name,
      recurrent_activation: this.recurrentActivation.name,
      use_bias: this.useBias,
      kernel_initializer: serializeInit(this.kernelInitializer),
      recurrent_initializer: serializeInit(this.recurrentInitializer),
      bias_initializer: serializeInit(this.biasInitializer),
      unit_forget_bias: this.unitForgetBias,
      kernel_regularizer: serializeReg(this.kernelRegularizer),
      recurrent_regularizer: serializeReg(this.recurrentRegularizer),
      bias_regularizer: serializeReg(this.biasRegularizer),
      activity_regularizer: null,
      kernel_constraint: null,
      recurrent_constraint: null,
      bias_constraint: null,
      dropout: 0,
      recurrent_dropout: 0,
      implementation: 2,
      return_sequences: this.returnSequences,
      return_state: false,
      go_backwards: this.goBackwards,
      stateful: false,
      unroll: false,
    };
  }
}

registerLayer('LSTM', ({ c, base, activation, init, regularizer, noConstraint, maxParams }) => {
  for (const k of ['kernel_constraint', 'recurrent_constraint', 'bias_constraint']) noConstraint(k);
  c.unsupported('dropout', 'LSTM dropout', (x) => x === 0);
  c.unsupported('recurrent_dropout', 'LSTM recurrent dropout', (x) => x === 0);
  c.unsupported('return_state', 'return_state', (x) => x === false);
  c.unsupported('stateful', 'stateful recurrent layers', (x) => x === false);
  return new LSTM({
    ...base,
    units: c.int('units', undefined, 1, maxParams),
    activation: c.get('activation') === undefined ? 'tanh' : activation('activation'),
    // TF.js's default gate activation is its hard sigmoid; Keras's, the sigmoid: a file says which.
    recurrentActivation: c.get('recurrent_activation') === undefined ? 'sigmoid' : activation('recurrent_activation'),
    useBias: c.bool('use_bias', true),
    kernelInitializer: init('kernel_initializer', 'glorot_uniform'),
    recurrentInitializer: init('recurrent_initializer', 'orthogonal'),
    biasInitializer: init('bias_initializer', 'zeros'),
    unitForgetBias: c.bool('unit_forget_bias', true),
    kernelRegularizer: regularizer('kernel_regularizer'),
    recurrentRegularizer: regularizer('recurrent_regularizer'),
    biasRegularizer: regularizer('bias_regularizer'),
    returnSequences: c.bool('return_sequences', false),
    goBackwards: c.bool('go_backwards', false),
  });
});

/**
 * A long short-term memory layer over [steps, features] inputs.
 * @example sn.layers.lstm({ units: 64, returnSequences: true })
 */
export const lstm = (args: LSTMArgs) => new LSTM(args);

export interface SimpleRNNArgs extends LayerArgs {
  units: number;
  /** Defaults to 'tanh'; any elementwise activation. */
  activation?: string;
  useBias?: boolean;
  kernelInitializer?: InitializerIdentifier;
  recurrentInitializer?: InitializerIdentifier;
  biasInitializer?: InitializerIdentifier;
  kernelRegularizer?: RegularizerIdentifier;
  recurrentRegularizer?: RegularizerIdentifier;
  biasRegularizer?: RegularizerIdentifier;
  returnSequences?: boolean;
  goBackwards?: boolean;
  dropout?: number;
  recurrentDropout?: number;
  returnState?: boolean;
  stateful?: boolean;
}

/**
 * The fully connected recurrent layer: h_t = act(x_t·W + h_{t−1}·U + b), over [steps, features] inputs.
 * Time-major like the LSTM: one GEMM for every step's input projection, per step one GEMM into the step's
 * rows and the activation kernel; backward, the activation's gradient kernel and one GEMM per step, then the
 * weight gradients of all steps as one GEMM each.
 */
export class SimpleRNN extends Layer {
  readonly className = 'SimpleRNN';
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
  kernel: Weight | null = null;
  recurrentKernel: Weight | null = null;
  bias: Weight | null = null;

  constructor(args: SimpleRNNArgs) {
    if (typeof args !== 'object' || args === null) invalid('args', 'an object like { units: 32 }', args);
    super(args, 'SimpleRNN');
    if (!Number.isInteger(args.units) || args.units <= 0) invalid('units', 'a positive integer', args.units);
    this.units = args.units;
    this.activation = resolveActivation(args.activation ?? 'tanh', 'activation');
    if (this.activation.kind !== 'elementwise')
      invalid('activation', 'an elementwise activation (softmax is not a recurrent activation)', args.activation);
    this.useBias = args.useBias ?? true;
    this.kernelInitializer = getInitializer(args.kernelInitializer ?? 'glorot_uniform', 'kernelInitializer');
    this.recurrentInitializer = getInitializer(args.recurrentInitializer ?? 'orthogonal', 'recurrentInitializer');
    this.biasInitializer = getInitializer(args.biasInitializer ?? 'zeros', 'biasInitializer');
    this.kernelRegularizer = getRegularizer(args.kernelRegularizer, 'kernelRegularizer');
    this.recurrentRegularizer = getRegularizer(args.recurrentRegularizer, 'recurrentRegularizer');
    this.biasRegularizer = getRegularizer(args.biasRegularizer, 'biasRegularizer');
    this.returnSequences = args.returnSequences ?? false;
    this.goBackwards = args.goBackwards ?? false;
    for (const [name, v, neutral] of [
      ['dropout', args.dropout, 0],
      ['recurrentDropout', args.recurrentDropout, 0],
      ['returnState', args.returnState, false],
      ['stateful', args.stateful, false],
    ] as const) {
      if (v !== undefined && v !== neutral)
        throw new NotSupportedError(
          `SimpleRNN layer '${this.name}': ${name} is not supported yet. Received: ${describe(v)}`,
        );
    }
  }

  computeOutputShape(s: number[]): number[] {
    if (s.length !== 2)
      throw new ValueError(
        `SimpleRNN layer '${this.name}' expects an input of shape [steps, features] per sample. Received input shape [${s}].`,
      );
    return this.returnSequences ? [s[0]!, this.units] : [this.units];
  }
  override expectedWeights(s: number[]): { name: string; shape: number[] }[] {
    const U = this.units,
      out = [
        { name: `${this.name}/kernel`, shape: [s[s.length - 1]!, U] },
        { name: `${this.name}/recurrent_kernel`, shape: [U, U] },
      ];
    if (this.useBias) out.push({ name: `${this.name}/bias`, shape: [U] });
    return out;
  }
  override build(s: number[]): void {
    super.build(s);
    const U = this.units;
    this.kernel = this.addWeight('kernel', [s[1]!, U], this.kernelInitializer, this.trainable, this.kernelRegularizer);
    this.recurrentKernel = this.addWeight(
      'recurrent_kernel',
      [U, U],
      this.recurrentInitializer,
      this.trainable,
      this.recurrentRegularizer,
    );
    if (this.useBias)
      this.bias = this.addWeight('bias', [U], this.biasInitializer, this.trainable, this.biasRegularizer);
  }
  /** Floats of the time-major input, the pre-activations and the h sequence (T + 1 states). */
  private stateFloats(B: number): number[] {
    const [T, F] = this.inputShape as [number, number],
      U = this.units;
    return [T * B * F, T * B * U, (T + 1) * B * U];
  }
  override scratchFloats(B: number): number[] {
    return this.stateFloats(B);
  }
  override transientFloats(B: number, training: boolean): number {
    const [T, F] = this.inputShape as [number, number],
      U = this.units;
    if (!training) return this.stateFloats(B).reduce((a, b) => a + b, 0);
    return T * B * U + 2 * B * U + T * B * F;
  }
  private states(ctx: StepContext, buf: LayerBuffers, B: number): [number, number, number] {
    if (buf.scratch.length === 3) return [buf.scratch[0]!, buf.scratch[1]!, buf.scratch[2]!];
    const [a, b] = this.stateFloats(B);
    const x = ctx.transient;
    return [x, x + a! * 4, x + (a! + b!) * 4];
  }
  forward(ctx: StepContext, buf: LayerBuffers, x: number, B: number): void {
    const be = ctx.be,
      f = be.heap.f32,
      [T, F] = this.inputShape as [number, number],
      U = this.units;
    const [xt, z, hs] = this.states(ctx, buf, B);
    swapBT(f, x, xt, B, T, F, true, this.goBackwards);
    be.gemm(false, false, T * B, U, F, 1, xt, F, this.kernel!.ptr, U, 0, z, U, ctx.ws);
    if (this.bias) be.biasAct(Act.Linear, 0, z, this.bias.ptr, z, T * B, U);
    f.fill(0, hs >> 2, (hs >> 2) + B * U);
    for (let t = 0; t < T; t++) {
      const zt = z + t * B * U * 4,
        hPrev = hs + t * B * U * 4;
      be.gemm(false, false, B, U, U, 1, hPrev, U, this.recurrentKernel!.ptr, U, 1, zt, U, ctx.ws);
      be.biasAct(this.activation.code, this.activation.param, zt, 0, hPrev + B * U * 4, B, U);
    }
    if (this.returnSequences) swapBT(f, hs + B * U * 4, buf.y, B, T, U, false, false);
    else f.copyWithin(buf.y >> 2, (hs >> 2) + T * B * U, (hs >> 2) + (T + 1) * B * U);
  }
  backward(ctx: StepContext, buf: LayerBuffers, _x: number, dx: number, B: number): void {
    const be = ctx.be,
      f = be.heap.f32,
      [T, F] = this.inputShape as [number, number],
      U = this.units;
    const [xt, z, hs] = this.states(ctx, buf, B);
    const dyt = ctx.transient,
      dh = dyt + T * B * U * 4,
      dhNext = dh + B * U * 4,
      dxt = dhNext + B * U * 4;
    if (this.returnSequences) swapBT(f, buf.dy, dyt, B, T, U, true, false);
    f.fill(0, dhNext >> 2, (dhNext >> 2) + B * U);
    for (let t = T - 1; t >= 0; t--) {
      const zt = z + t * B * U * 4;
      if (this.returnSequences) f.copyWithin(dh >> 2, (dyt >> 2) + t * B * U, (dyt >> 2) + (t + 1) * B * U);
      else if (t === T - 1) f.copyWithin(dh >> 2, buf.dy >> 2, (buf.dy >> 2) + B * U);
      else f.fill(0, dh >> 2, (dh >> 2) + B * U);
      be.axpy(B * U, 1, dhNext, dh);
      // The step's pre-activation gradient, over its pre-activations (no longer needed).
      be.actBackward(this.activation.code, this.activation.param, zt, hs + (t + 1) * B * U * 4, dh, zt, B * U);
      if (t > 0) be.gemm(false, true, B, U, U, 1, zt, U, this.recurrentKernel!.ptr, U, 0, dhNext, U, ctx.ws);
    }
    if (this.trainable) {
      be.gemm(true, false, F, U, T * B, 1, xt, F, z, U, 0, this.kernel!.grad, U, ctx.ws);
      be.gemm(true, false, U, U, T * B, 1, hs, U, z, U, 0, this.recurrentKernel!.grad, U, ctx.ws);
      if (this.bias) be.colSum(z, T * B, U, this.bias.grad, 0);
    }
    if (dx === 0) return;
    be.gemm(false, true, T * B, F, U, 1, z, U, this.kernel!.ptr, U, 0, dxt, F, ctx.ws);
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
      dropout: 0,
      recurrent_dropout: 0,
      return_sequences: this.returnSequences,
      return_state: false,
      go_backwards: this.goBackwards,
      stateful: false,
      unroll: false,
    };
  }
}

registerLayer('SimpleRNN', ({ c, base, activation, init, regularizer, noConstraint, maxParams }) => {
  for (const k of ['kernel_constraint', 'recurrent_constraint', 'bias_constraint']) noConstraint(k);
  c.unsupported('dropout', 'SimpleRNN dropout', (x) => x === 0);
  c.unsupported('recurrent_dropout', 'SimpleRNN recurrent dropout', (x) => x === 0);
  c.unsupported('return_state', 'return_state', (x) => x === false);
  c.unsupported('stateful', 'stateful recurrent layers', (x) => x === false);
  return new SimpleRNN({
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
  });
});

/**
 * A fully connected recurrent layer over [steps, features] inputs.
 * @example sn.layers.simpleRNN({ units: 32, returnSequences: true })
 */
export const simpleRNN = (args: SimpleRNNArgs) => new SimpleRNN(args);
