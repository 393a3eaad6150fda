/**
 * Convolution and pooling over 2-D images, channels last (NHWC): `conv2d`,
 * `maxPooling2d`, `averagePooling2d` (issue 15's first step).
 *
 * A convolution is a GEMM: im2col lays each output position's receptive
 * field out as a row (kh·kw·C values, in the kernel's [kh, kw, C, F] order)
 * in the plan's transient workspace, and the packed GEMM multiplies by the
 * kernel seen as a (kh·kw·C)×F matrix, writing the NHWC output directly. The
 * backward pass rebuilds the rows (cheaper than keeping them), takes the
 * kernel gradient as rowsᵀ·dZ, and scatters dZ·Wᵀ back with col2im. A 1×1
 * convolution with stride 1 skips im2col: the input already is its rows.
 * Padding follows TF.js: 'same' gives ⌈in/stride⌉ outputs, padding split with
 * the smaller half before. Pooling averages over in-bounds cells only, as TF.js.
 *
 * im2col and col2im are kernels (assembly/conv/im2col.ts), and so are max and
 * average pooling with the recorded arg-max (assembly/conv/pool.ts); their JS
 * references are in src/backend/js.ts.
 */
import { Act } from './backend/types.js';
import type { Backend } from './backend/types.js';
import { NotSupportedError, ValueError, checkNumberInRange, describe, invalid } from './errors.js';
import { hash32 } from './backend/prng.js';
import { type LayerReadContext, layerReader, registerLayer } from './io/cfg.js';
import { ResolvedActivation, normalizeName, resolveActivation } from './activations.js';
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

export type Padding = 'valid' | 'same';

/** How simdnet writes Keras's half-pixel bilinear upsampling (a name TF.js refuses: it would compute another). */
const BILINEAR_HALF_PIXEL = 'bilinear_half_pixel';

/** A pair from a number or a 1- or 2-element array, checked positive integers. */
export function pair(v: unknown, name: string, def: [number, number]): [number, number] {
  if (v === undefined || v === null) return def;
  const a = typeof v === 'number' ? [v, v] : Array.isArray(v) && v.length === 1 ? [v[0], v[0]] : v;
  if (!Array.isArray(a) || a.length !== 2 || a.some((d) => !Number.isInteger(d) || (d as number) <= 0)) {
    return invalid(name, 'a positive integer or a pair of them, such as 3 or [3, 3]', v);
  }
  return [a[0] as number, a[1] as number];
}

export function padding(v: unknown): Padding {
  if (v === undefined) return 'valid';
  if (v !== 'valid' && v !== 'same') return invalid('padding', "'valid' or 'same'", v);
  return v;
}

/** True for channels first ('channelsFirst', Keras's 'channels_first'); channels last is the default. */
export function dataFormat(v: unknown): boolean {
  if (v === undefined || v === null || v === 'channelsLast' || v === 'channels_last') return false;
  if (v === 'channelsFirst' || v === 'channels_first') return true;
  return invalid('dataFormat', "'channelsLast' or 'channelsFirst'", v);
}

/** Output size and padding before, along one axis (TF.js's arithmetic). */
function axis(inSize: number, k: number, s: number, d: number, pad: Padding): { out: number; before: number } {
  const dk = (k - 1) * d + 1;
  if (pad === 'valid') return { out: Math.max(0, Math.floor((inSize - dk) / s) + 1), before: 0 };
  const out = Math.ceil(inSize / s);
  const total = Math.max((out - 1) * s + dk - inSize, 0);
  return { out, before: Math.floor(total / 2) };
}

/** The geometry of a window operation on an [H, W, C] input. */
export interface Geometry {
  H: number;
  W: number;
  C: number;
  OH: number;
  OW: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  dh: number;
  dw: number;
  top: number;
  left: number;
}

export function geometry(
  shape: number[],
  k: [number, number],
  s: [number, number],
  d: [number, number],
  pad: Padding,
  who: string,
): Geometry {
  if (shape.length !== 3) {
    throw new ValueError(
      `${who} expects an input of shape [height, width, channels] per sample. Received input shape [${shape}].`,
    );
  }
  const [H, W, C] = shape as [number, number, number];
  const y = axis(H, k[0], s[0], d[0], pad),
    x = axis(W, k[1], s[1], d[1], pad);
  if (y.out <= 0 || x.out <= 0) {
    throw new ValueError(
      `${who}: a window of ${k[0]}×${k[1]} (dilation ${d[0]}×${d[1]}) does not fit an input of ${H}×${W} with padding 'valid'. Use padding 'same' or a larger input.`,
    );
  }
  return {
    H,
    W,
    C,
    OH: y.out,
    OW: x.out,
    kh: k[0],
    kw: k[1],
    sh: s[0],
    sw: s[1],
    dh: d[0],
    dw: d[1],
    top: y.before,
    left: x.before,
  };
}

export interface Conv2DArgs extends LayerArgs {
  filters: number;
  kernelSize: number | number[];
  strides?: number | number[];
  padding?: Padding;
  dataFormat?: string;
  dilationRate?: number | number[];
  activation?: string;
  useBias?: boolean;
  kernelInitializer?: InitializerIdentifier;
  biasInitializer?: InitializerIdentifier;
  kernelRegularizer?: RegularizerIdentifier;
  biasRegularizer?: RegularizerIdentifier;
}

/** A 2-D convolution over [height, width, channels] inputs: y = activation(conv(x, W) + b). */
export class Conv2D extends Layer {
  readonly className: string = 'Conv2D';
  /** Conv1D: inputs [steps, channels], seen as images of height 1. */
  protected readonly oneD: boolean = false;
  readonly filters: number;
  readonly kernelSize: [number, number];
  readonly strides: [number, number];
  readonly padding: Padding;
  readonly dilationRate: [number, number];
  readonly activation: ResolvedActivation;
  readonly useBias: boolean;
  readonly kernelInitializer: Initializer;
  readonly biasInitializer: Initializer;
  readonly kernelRegularizer: Regularizer | null;
  readonly biasRegularizer: Regularizer | null;
  kernel: Weight | null = null;
  bias: Weight | null = null;
  protected g: Geometry | null = null;

  constructor(args: Conv2DArgs, defaultName = 'Conv2D') {
    if (typeof args !== 'object' || args === null)
      invalid('args', 'an object like { filters: 8, kernelSize: 3 }', args);
    super(args, defaultName);
    if (!Number.isInteger(args.filters) || args.filters <= 0) invalid('filters', 'a positive integer', args.filters);
    this.filters = args.filters;
    if (args.kernelSize === undefined) invalid('kernelSize', 'a positive integer or a pair of them', args.kernelSize);
    this.kernelSize = pair(args.kernelSize, 'kernelSize', [1, 1]);
    this.strides = pair(args.strides, 'strides', [1, 1]);
    this.dilationRate = pair(args.dilationRate, 'dilationRate', [1, 1]);
    if ((this.strides[0] > 1 || this.strides[1] > 1) && (this.dilationRate[0] > 1 || this.dilationRate[1] > 1)) {
      throw new ValueError(
        `Conv2D layer '${this.name}': strides > 1 together with dilationRate > 1 is not supported (nor in TF.js). Received: strides [${this.strides}], dilationRate [${this.dilationRate}].`,
      );
    }
    this.padding = padding(args.padding);
    this.channelsFirst = dataFormat(args.dataFormat);
    this.activation = resolveActivation(args.activation, 'activation');
    this.useBias = args.useBias ?? true;
    this.kernelInitializer = getInitializer(args.kernelInitializer ?? 'glorot_uniform', 'kernelInitializer');
    this.biasInitializer = getInitializer(args.biasInitializer ?? 'zeros', 'biasInitializer');
    this.kernelRegularizer = getRegularizer(args.kernelRegularizer, 'kernelRegularizer');
    this.biasRegularizer = getRegularizer(args.biasRegularizer, 'biasRegularizer');
  }

  protected geometry(s: number[]): Geometry {
    const who = `${this.className} layer '${this.name}'`;
    if (this.oneD && s.length !== 2) {
      throw new ValueError(
        `${who} expects an input of shape [steps, channels] per sample. Received input shape [${s}].`,
      );
    }
    return geometry(this.oneD ? [1, ...s] : s, this.kernelSize, this.strides, this.dilationRate, this.padding, who);
  }
  computeOutputShape(s: number[]): number[] {
    const g = this.geometry(s);
    return this.oneD ? [g.OW, this.filters] : [g.OH, g.OW, this.filters];
  }
  /** The kernel's shape: [kh, kw, C, F] ([k, C, F] for Conv1D, as Keras stores it). */
  protected kernelShape(s: number[]): number[] {
    const C = s[s.length - 1]!;
    return this.oneD ? [this.kernelSize[1], C, this.filters] : [...this.kernelSize, C, this.filters];
  }
  override expectedWeights(s: number[]): { name: string; shape: number[] }[] {
    const out = [{ name: `${this.name}/kernel`, shape: this.kernelShape(this.toLast(s)) }];
    if (this.useBias) out.push({ name: `${this.name}/bias`, shape: [this.filters] });
    return out;
  }
  override build(s: number[]): void {
    super.build(s);
    this.g = this.geometry(this.lastIn!);
    this.kernel = this.addWeight(
      'kernel',
      this.kernelShape(this.lastIn!),
      this.kernelInitializer,
      this.trainable,
      this.kernelRegularizer,
    );
    if (this.useBias)
      this.bias = this.addWeight('bias', [this.filters], this.biasInitializer, this.trainable, this.biasRegularizer);
  }
  /** A 1×1 convolution with stride 1 reads its input as its rows: no im2col. */
  private get direct(): boolean {
    const [kh, kw] = this.kernelSize;
    return kh === 1 && kw === 1 && this.strides[0] === 1 && this.strides[1] === 1;
  }
  /** Floats of one sample's rows. */
  private get rowFloats(): number {
    const g = this.g!;
    return g.OH * g.OW * g.kh * g.kw * g.C;
  }
  /** The rows of a batch, in forward (inference too) and backward passes. */
  override transientFloats(B: number, _training: boolean): number {
    return this.direct ? 0 : B * this.rowFloats;
  }
  override needsZ(): boolean {
    return this.activation.name !== 'linear';
  }
  override outputActivation(): string {
    return this.activation.name;
  }

  /** The rows of the batch (the input itself for a direct 1×1 convolution). */
  private rows(ctx: StepContext, x: number, samples: number): number {
    if (this.direct) return x;
    const g = this.g!;
    ctx.be.im2col(
      x,
      ctx.transient,
      samples,
      g.H,
      g.W,
      g.C,
      g.OH,
      g.OW,
      g.kh,
      g.kw,
      g.sh,
      g.sw,
      g.dh,
      g.dw,
      g.top,
      g.left,
    );
    return ctx.transient;
  }

  forward(ctx: StepContext, buf: LayerBuffers, x: number, samples: number): void {
    const be = ctx.be,
      g = this.g!,
      N = this.filters,
      M = samples * g.OH * g.OW,
      K = g.kh * g.kw * g.C;
    const rows = this.rows(ctx, x, samples);
    be.gemm(false, false, M, N, K, 1, rows, K, this.kernel!.ptr, N, 0, buf.z, N, ctx.ws);
    const b = this.bias ? this.bias.ptr : 0;
    if (this.activation.kind === 'softmax') {
      be.biasAct(Act.Linear, 0, buf.z, b, buf.z, M, N);
      be.softmaxRows(buf.z, buf.y, M, N);
    } else be.biasAct(this.activation.code, this.activation.param, buf.z, b, buf.y, M, N);
  }

  backward(ctx: StepContext, buf: LayerBuffers, x: number, dx: number, samples: number): void {
    const be = ctx.be,
      g = this.g!,
      N = this.filters,
      M = samples * g.OH * g.OW,
      K = g.kh * g.kw * g.C;
    const dz = buf.dy;
    if (!ctx.fusedOutput) {
      if (this.activation.kind === 'softmax') be.softmaxBackward(buf.y, dz, dz, M, N);
      else if (this.activation.code !== Act.Linear)
        be.actBackward(this.activation.code, this.activation.param, buf.z, buf.y, dz, dz, M * N);
    }
    if (this.trainable) {
      const rows = this.rows(ctx, x, samples);
      be.gemm(true, false, K, N, M, 1, rows, K, dz, N, 0, this.kernel!.grad, N, ctx.ws);
      if (this.bias) be.colSum(dz, M, N, this.bias.grad, 0);
    }
    if (dx === 0) return;
    if (this.direct) {
      be.gemm(false, true, M, K, N, 1, dz, N, this.kernel!.ptr, N, 0, dx, K, ctx.ws);
      return;
    }
    be.gemm(false, true, M, K, N, 1, dz, N, this.kernel!.ptr, N, 0, ctx.transient, K, ctx.ws);
    be.col2im(ctx.transient, dx, samples, g.H, g.W, g.C, g.OH, g.OW, g.kh, g.kw, g.sh, g.sw, g.dh, g.dw, g.top, g.left);
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      filters: this.filters,
      kernel_size: this.oneD ? [this.kernelSize[1]] : this.kernelSize.slice(),
      strides: this.oneD ? [this.strides[1]] : this.strides.slice(),
      padding: this.padding,
      data_format: this.channelsFirst ? 'channels_first' : 'channels_last',
      dilation_rate: this.oneD ? [this.dilationRate[1]] : this.dilationRate.slice(),
      activation: this.activation.name,
      use_bias: this.useBias,
      kernel_initializer: serializeInit(this.kernelInitializer),
      bias_initializer: serializeInit(this.biasInitializer),
      kernel_regularizer: serializeReg(this.kernelRegularizer),
      bias_regularizer: serializeReg(this.biasRegularizer),
      activity_regularizer: null,
      kernel_constraint: null,
      bias_constraint: null,
    };
  }
}

export interface Pooling2DArgs extends LayerArgs {
  /** Window size. Defaults to [2, 2]. */
  poolSize?: number | number[];
  /** Defaults to the pool size. */
  strides?: number | number[];
  padding?: Padding;
  dataFormat?: string;
}

/** What max and average pooling share: the window geometry, shapes and config. */
abstract class Pooling2D extends Layer {
  /** The 1-D poolings: inputs [steps, channels], seen as images of height 1. */
  protected readonly oneD: boolean = false;
  readonly poolSize: [number, number];
  readonly strides: [number, number];
  readonly padding: Padding;
  protected g: Geometry | null = null;
  constructor(args: Pooling2DArgs, name: string) {
    if (typeof args !== 'object' || args === null) invalid('args', 'an object like { poolSize: 2 }', args);
    super(args, name);
    this.poolSize = pair(args.poolSize, 'poolSize', [2, 2]);
    this.strides = pair(args.strides, 'strides', this.poolSize);
    this.padding = padding(args.padding);
    this.channelsFirst = dataFormat(args.dataFormat);
  }
  protected geometry(s: number[]): Geometry {
    const who = `${this.className} layer '${this.name}'`;
    if (this.oneD && s.length !== 2) {
      throw new ValueError(
        `${who} expects an input of shape [steps, channels] per sample. Received input shape [${s}].`,
      );
    }
    return geometry(this.oneD ? [1, ...s] : s, this.poolSize, this.strides, [1, 1], this.padding, who);
  }
  computeOutputShape(s: number[]): number[] {
    const g = this.geometry(s);
    return this.oneD ? [g.OW, g.C] : [g.OH, g.OW, g.C];
  }
  override build(s: number[]): void {
    super.build(s);
    this.g = this.geometry(this.lastIn!);
  }
  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      pool_size: this.oneD ? [this.poolSize[1]] : this.poolSize.slice(),
      strides: this.oneD ? [this.strides[1]] : this.strides.slice(),
      padding: this.padding,
      data_format: this.channelsFirst ? 'channels_first' : 'channels_last',
    };
  }
}

/** The maximum over each window; the gradient goes to the first cell that holds it. */
export class MaxPooling2D extends Pooling2D {
  readonly className: string = 'MaxPooling2D';
  constructor(args: Pooling2DArgs = {}, name = 'MaxPooling2D') {
    super(args, name);
  }
  /** The index of each output's maximum within its sample, kept for the backward pass. */
  override scratchFloats(B: number): number[] {
    return [B * this.outFeatures];
  }
  forward(ctx: StepContext, buf: LayerBuffers, x: number, samples: number): void {
    const g = this.g!;
    // Training plans keep the arg-max for the backward pass (inference plans have no scratch).
    const arg = buf.scratch.length > 0 ? buf.scratch[0]! : 0;
    ctx.be.maxPool(x, buf.y, arg, samples, g.H, g.W, g.C, g.OH, g.OW, g.kh, g.kw, g.sh, g.sw, g.top, g.left);
  }
  backward(ctx: StepContext, buf: LayerBuffers, _x: number, dx: number, samples: number): void {
    if (dx !== 0) ctx.be.maxPoolBackward(buf.dy, buf.scratch[0]!, dx, samples, this.inFeatures, this.outFeatures);
  }
}

/** The mean over each window's in-bounds cells (as TF.js: padding cells are not counted). */
export class AveragePooling2D extends Pooling2D {
  readonly className: string = 'AveragePooling2D';
  constructor(args: Pooling2DArgs = {}, name = 'AveragePooling2D') {
    super(args, name);
  }
  forward(ctx: StepContext, buf: LayerBuffers, x: number, samples: number): void {
    const g = this.g!;
    ctx.be.avgPool(x, buf.y, samples, g.H, g.W, g.C, g.OH, g.OW, g.kh, g.kw, g.sh, g.sw, g.top, g.left);
  }
  backward(ctx: StepContext, buf: LayerBuffers, _x: number, dx: number, samples: number): void {
    if (dx === 0) return;
    const g = this.g!;
    ctx.be.avgPoolBackward(buf.dy, dx, samples, g.H, g.W, g.C, g.OH, g.OW, g.kh, g.kw, g.sh, g.sw, g.top, g.left);
  }
}

/** The mean (or the maximum) over height and width: [H, W, C] → [C]. */
abstract class GlobalPooling2D extends Layer {
  /** The rank of the input per sample: 3 ([H, W, C]); 2 ([steps, C]) for the 1-D ones. */
  protected readonly rank: number = 3;
  constructor(args: LayerArgs & { dataFormat?: string; keepDims?: boolean }, name: string) {
    if (typeof args !== 'object' || args === null) invalid('args', 'an object of layer options', args);
    super(args, name);
    this.channelsFirst = dataFormat(args.dataFormat);
    if (args.keepDims) invalid('keepDims', 'false (keepDims is not supported yet)', args.keepDims);
  }
  computeOutputShape(s: number[]): number[] {
    if (s.length !== this.rank) {
      const want = this.rank === 3 ? '[height, width, channels]' : '[steps, channels]';
      throw new ValueError(
        `${this.className} layer '${this.name}' expects an input of shape ${want} per sample. Received input shape [${s}].`,
      );
    }
    return [s[s.length - 1]!];
  }
  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      data_format: this.channelsFirst ? 'channels_first' : 'channels_last',
      keepdims: false,
    };
  }
}

/** The mean over height and width of each channel. */
export class GlobalAveragePooling2D extends GlobalPooling2D {
  readonly className: string = 'GlobalAveragePooling2D';
  constructor(args: LayerArgs & { dataFormat?: string; keepDims?: boolean } = {}, name = 'GlobalAveragePooling2D') {
    super(args, name);
  }
  forward(ctx: StepContext, buf: LayerBuffers, x: number, samples: number): void {
    const C = this.outFeatures,
      P = this.inFeatures / C;
    for (let n = 0; n < samples; n++) ctx.be.colSum(x + n * P * C * 4, P, C, buf.y + n * C * 4, 0);
    ctx.be.scale(buf.y, samples * C, 1 / P);
  }
  backward(ctx: StepContext, buf: LayerBuffers, _x: number, dx: number, samples: number): void {
    if (dx === 0) return;
    const C = this.outFeatures,
      P = this.inFeatures / C;
    // One window over all P positions (seen as a 1×P image).
    ctx.be.avgPoolBackward(buf.dy, dx, samples, 1, P, C, 1, 1, 1, P, 1, 1, 0, 0);
  }
}

/** The maximum over height and width of each channel; the gradient goes to the first cell that holds it. */
export class GlobalMaxPooling2D extends GlobalPooling2D {
  readonly className: string = 'GlobalMaxPooling2D';
  constructor(args: LayerArgs & { dataFormat?: string; keepDims?: boolean } = {}, name = 'GlobalMaxPooling2D') {
    super(args, name);
  }
  override scratchFloats(B: number): number[] {
    return [B * this.outFeatures];
  }
  forward(ctx: StepContext, buf: LayerBuffers, x: number, samples: number): void {
    const C = this.outFeatures,
      P = this.inFeatures / C;
    const arg = buf.scratch.length > 0 ? buf.scratch[0]! : 0;
    ctx.be.maxPool(x, buf.y, arg, samples, 1, P, C, 1, 1, 1, P, 1, 1, 0, 0);
  }
  backward(ctx: StepContext, buf: LayerBuffers, _x: number, dx: number, samples: number): void {
    if (dx !== 0) ctx.be.maxPoolBackward(buf.dy, buf.scratch[0]!, dx, samples, this.inFeatures, this.outFeatures);
  }
}

/** [[top, bottom], [left, right]] from a number, a pair, or the pair of pairs (Keras's forms). */
function margins(v: unknown, name: string, def: number): [[number, number], [number, number]] {
  const ok = (d: unknown) => Number.isInteger(d) && (d as number) >= 0;
  if (v === undefined || v === null)
    return [
      [def, def],
      [def, def],
    ];
  if (ok(v))
    return [
      [v as number, v as number],
      [v as number, v as number],
    ];
  if (Array.isArray(v) && v.length === 2 && v.every(ok))
    return [
      [v[0], v[0]],
      [v[1], v[1]],
    ];
  if (Array.isArray(v) && v.length === 2 && v.every((p) => Array.isArray(p) && p.length === 2 && p.every(ok))) {
    return [
      [v[0][0], v[0][1]],
      [v[1][0], v[1][1]],
    ];
  }
  return invalid(name, 'a non-negative integer, [rows, cols], or [[top, bottom], [left, right]]', v);
}

/** Copy sample blocks between a [H, W, C] image and a window of a [H2, W2, C] one at (top, left). */
function blit(
  f: Float32Array,
  small: number,
  big: number,
  M: number,
  H: number,
  W: number,
  C: number,
  H2: number,
  W2: number,
  top: number,
  left: number,
  intoBig: boolean,
): void {
  const s0 = small >> 2,
    b0 = big >> 2;
  for (let n = 0; n < M; n++) {
    for (let y = 0; y < H; y++) {
      const sr = s0 + (n * H + y) * W * C,
        br = b0 + ((n * H2 + y + top) * W2 + left) * C;
      if (intoBig) f.copyWithin(br, sr, sr + W * C);
      else f.copyWithin(sr, br, br + W * C);
    }
  }
}

/** Zeros around each image: [H, W, C] → [H + top + bottom, W + left + right, C]. */
export class ZeroPadding2D extends Layer {
  readonly className = 'ZeroPadding2D';
  readonly padding: [[number, number], [number, number]];
  constructor(args: LayerArgs & { padding?: number | number[] | number[][]; dataFormat?: string } = {}) {
    if (typeof args !== 'object' || args === null) invalid('args', 'an object like { padding: 1 }', args);
    super(args, 'ZeroPadding2D');
    this.padding = margins(args.padding, 'padding', 1);
    this.channelsFirst = dataFormat(args.dataFormat);
  }
  computeOutputShape(s: number[]): number[] {
    if (s.length !== 3)
      throw new ValueError(
        `ZeroPadding2D layer '${this.name}' expects an input of shape [height, width, channels] per sample. Received input shape [${s}].`,
      );
    const [[t, b], [l, r]] = this.padding;
    return [s[0]! + t + b, s[1]! + l + r, s[2]!];
  }
  forward(ctx: StepContext, buf: LayerBuffers, x: number, samples: number): void {
    const [H, W, C] = this.lastIn as [number, number, number],
      [H2, W2] = this.lastOut as [number, number, number];
    const f = ctx.be.heap.f32;
    f.fill(0, buf.y >> 2, (buf.y >> 2) + samples * this.outFeatures);
    blit(f, x, buf.y, samples, H, W, C, H2, W2, this.padding[0][0], this.padding[1][0], true);
  }
  backward(ctx: StepContext, buf: LayerBuffers, _x: number, dx: number, samples: number): void {
    if (dx === 0) return;
    const [H, W, C] = this.lastIn as [number, number, number],
      [H2, W2] = this.lastOut as [number, number, number];
    blit(ctx.be.heap.f32, dx, buf.dy, samples, H, W, C, H2, W2, this.padding[0][0], this.padding[1][0], false);
  }
  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      padding: this.padding.map((p) => p.slice()),
      data_format: this.channelsFirst ? 'channels_first' : 'channels_last',
    };
  }
}

/** Cuts margins off each image: [H, W, C] → [H − top − bottom, W − left − right, C]. */
export class Cropping2D extends Layer {
  readonly className = 'Cropping2D';
  readonly cropping: [[number, number], [number, number]];
  constructor(args: LayerArgs & { cropping?: number | number[] | number[][]; dataFormat?: string } = {}) {
    if (typeof args !== 'object' || args === null) invalid('args', 'an object like { cropping: 1 }', args);
    super(args, 'Cropping2D');
    this.cropping = margins(args.cropping, 'cropping', 0);
    this.channelsFirst = dataFormat(args.dataFormat);
  }
  computeOutputShape(s: number[]): number[] {
    if (s.length !== 3)
      throw new ValueError(
        `Cropping2D layer '${this.name}' expects an input of shape [height, width, channels] per sample. Received input shape [${s}].`,
      );
    const [[t, b], [l, r]] = this.cropping;
    const out = [s[0]! - t - b, s[1]! - l - r, s[2]!];
    if (out[0]! <= 0 || out[1]! <= 0)
      throw new ValueError(
        `Cropping2D layer '${this.name}': cropping [[${t}, ${b}], [${l}, ${r}]] leaves nothing of an input of ${s[0]}×${s[1]}.`,
      );
    return out;
  }
  forward(ctx: StepContext, buf: LayerBuffers, x: number, samples: number): void {
    const [H2, W2, C] = this.lastIn as [number, number, number],
      [H, W] = this.lastOut as [number, number, number];
    blit(ctx.be.heap.f32, buf.y, x, samples, H, W, C, H2, W2, this.cropping[0][0], this.cropping[1][0], false);
  }
  backward(ctx: StepContext, buf: LayerBuffers, _x: number, dx: number, samples: number): void {
    if (dx === 0) return;
    const [H2, W2, C] = this.lastIn as [number, number, number],
      [H, W] = this.lastOut as [number, number, number];
    const f = ctx.be.heap.f32;
    f.fill(0, dx >> 2, (dx >> 2) + samples * this.inFeatures);
    blit(f, buf.dy, dx, samples, H, W, C, H2, W2, this.cropping[0][0], this.cropping[1][0], true);
  }
  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      cropping: this.cropping.map((p) => p.slice()),
      data_format: this.channelsFirst ? 'channels_first' : 'channels_last',
    };
  }
}

export interface UpSampling2DArgs extends LayerArgs {
  size?: number | number[];
  /** 'nearest' (default) or 'bilinear'. */
  interpolation?: string;
  /**
   * Bilinear sample positions: false (default) puts output cell o at input o/s, as TF.js's resizeBilinear;
   * true at (o + ½)/s − ½, as Keras's (TensorFlow 2's tf.image.resize). Files from Keras load with true.
   */
  halfPixelCenters?: boolean;
  dataFormat?: string;
}

/** One axis of bilinear sampling for output cell o: the two input cells and the weight of the second. */
function lerpAxis(o: number, s: number, n: number, half: boolean): [number, number, number] {
  const src = half ? Math.max((o + 0.5) / s - 0.5, 0) : o / s;
  const a = Math.min(Math.floor(src), n - 1);
  return [a, Math.min(a + 1, n - 1), src - a];
}

/**
 * Upsamples each image by size[0]×size[1]: [H, W, C] → [H·sh, W·sw, C], repeating each pixel (nearest) or
 * interpolating between the two nearest rows and columns (bilinear).
 */
export class UpSampling2D extends Layer {
  readonly className = 'UpSampling2D';
  readonly size: [number, number];
  readonly interpolation: 'nearest' | 'bilinear';
  readonly halfPixelCenters: boolean;
  constructor(args: UpSampling2DArgs = {}) {
    if (typeof args !== 'object' || args === null) invalid('args', 'an object like { size: 2 }', args);
    super(args, 'UpSampling2D');
    this.size = pair(args.size, 'size', [2, 2]);
    const interp = args.interpolation ?? 'nearest';
    if (interp !== 'nearest' && interp !== 'bilinear') invalid('interpolation', "'nearest' or 'bilinear'", interp);
    this.interpolation = interp;
    this.halfPixelCenters = args.halfPixelCenters ?? false;
    this.channelsFirst = dataFormat(args.dataFormat);
  }
  /** Bilinear forward (grad false: Y from X) or backward (grad true: dX, written, from dY). */
  private bilinear(f: Float32Array, src: number, dst: number, samples: number, grad: boolean): void {
    const [H, W, C] = this.lastIn as [number, number, number],
      [sh, sw] = this.size,
      H2 = H * sh,
      W2 = W * sw,
      half = this.halfPixelCenters;
    const xs = src >> 2,
      ys = dst >> 2;
    if (grad) f.fill(0, ys, ys + samples * H * W * C);
    const cols = Array.from({ length: W2 }, (_, o) => lerpAxis(o, sw, W, half));
    for (let n = 0; n < samples; n++) {
      const inBase = (grad ? ys : xs) + n * H * W * C,
        outBase = (grad ? xs : ys) + n * H2 * W2 * C;
      for (let oy = 0; oy < H2; oy++) {
        const [y0, y1, fy] = lerpAxis(oy, sh, H, half);
        for (let ox = 0; ox < W2; ox++) {
          const [x0, x1, fx] = cols[ox]!;
          const a = inBase + (y0 * W + x0) * C,
            b = inBase + (y0 * W + x1) * C,
            c = inBase + (y1 * W + x0) * C,
            d = inBase + (y1 * W + x1) * C,
            o = outBase + (oy * W2 + ox) * C;
          for (let k = 0; k < C; k++) {
            if (grad) {
              const g = f[o + k]!,
                top = g * (1 - fy),
                bot = g * fy;
              f[a + k]! += top * (1 - fx);
              f[b + k]! += top * fx;
              f[c + k]! += bot * (1 - fx);
              f[d + k]! += bot * fx;
            } else {
              const top = f[a + k]! + (f[b + k]! - f[a + k]!) * fx,
                bot = f[c + k]! + (f[d + k]! - f[c + k]!) * fx;
              f[o + k] = top + (bot - top) * fy;
            }
          }
        }
      }
    }
  }
  computeOutputShape(s: number[]): number[] {
    if (s.length !== 3)
      throw new ValueError(
        `UpSampling2D layer '${this.name}' expects an input of shape [height, width, channels] per sample. Received input shape [${s}].`,
      );
    return [s[0]! * this.size[0], s[1]! * this.size[1], s[2]!];
  }
  forward(ctx: StepContext, buf: LayerBuffers, x: number, samples: number): void {
    if (this.interpolation === 'bilinear') return this.bilinear(ctx.be.heap.f32, x, buf.y, samples, false);
    const [H, W, C] = this.lastIn as [number, number, number],
      [sh, sw] = this.size,
      f = ctx.be.heap.f32;
    const W2 = W * sw;
    let o = buf.y >> 2;
    for (let n = 0; n < samples; n++)
      for (let y = 0; y < H; y++) {
        const row = o;
        for (let xx = 0; xx < W; xx++) {
          const src = (x >> 2) + ((n * H + y) * W + xx) * C;
          for (let k = 0; k < sw; k++) {
            f.copyWithin(o, src, src + C);
            o += C;
          }
        }
        for (let k = 1; k < sh; k++) {
          f.copyWithin(o, row, row + W2 * C);
          o += W2 * C;
        }
      }
  }
  backward(ctx: StepContext, buf: LayerBuffers, _x: number, dx: number, samples: number): void {
    if (dx === 0) return;
    if (this.interpolation === 'bilinear') return this.bilinear(ctx.be.heap.f32, buf.dy, dx, samples, true);
    const [H, W, C] = this.lastIn as [number, number, number],
      [sh, sw] = this.size,
      f = ctx.be.heap.f32;
    const W2 = W * sw,
      d0 = dx >> 2,
      g0 = buf.dy >> 2;
    for (let n = 0; n < samples; n++)
      for (let y = 0; y < H; y++)
        for (let xx = 0; xx < W; xx++)
          for (let c = 0; c < C; c++) {
            let sum = 0;
            for (let a = 0; a < sh; a++)
              for (let b = 0; b < sw; b++) sum += f[g0 + ((n * H * sh + y * sh + a) * W2 + xx * sw + b) * C + c]!;
            f[d0 + ((n * H + y) * W + xx) * C + c] = sum;
          }
  }
  override getConfig(): Record<string, unknown> {
    // Half-pixel bilinear is written under a name TF.js refuses, rather than letting it compute something else.
    const interpolation =
      this.interpolation === 'bilinear' && this.halfPixelCenters ? BILINEAR_HALF_PIXEL : this.interpolation;
    return {
      ...super.getConfig(),
      size: this.size.slice(),
      data_format: this.channelsFirst ? 'channels_first' : 'channels_last',
      interpolation,
    };
  }
}

/** im2col's and col2im's arguments after the two pointers. */
type Im2colArgs = Parameters<Backend['im2col']> extends [number, number, ...infer R] ? R : never;

/**
 * The transposed convolution (the gradient of a convolution with respect to its input, run forward):
 * [H, W, C] → [H·s + max(k − s, 0), …, filters] with padding 'valid', [H·s, W·s, filters] with 'same', as TF.js.
 * Its kernel is [kh, kw, filters, C]. Forward: each input cell times the kernel spreads a kh×kw window of
 * outputs (one GEMM into rows, then col2im sums them); backward: im2col of the output gradient, then two GEMMs.
 */

export class Conv2DTranspose extends Conv2D {
  override readonly className: string = 'Conv2DTranspose';
  constructor(args: Conv2DArgs & { outputPadding?: number | number[] | null }) {
    super(args, 'Conv2DTranspose');
    if (this.dilationRate[0] !== 1 || this.dilationRate[1] !== 1)
      invalid('dilationRate', '1 (a dilated transposed convolution is not supported, nor in TF.js)', args.dilationRate);
    if (args.outputPadding !== undefined && args.outputPadding !== null)
      invalid('outputPadding', 'null (output padding is not supported yet)', args.outputPadding);
  }
  /** The geometry of the convolution this layer transposes: from the [OH, OW, filters] output to the input. */
  protected override geometry(s: number[]): Geometry {
    const who = `${this.className} layer '${this.name}'`;
    if (s.length !== 3) {
      throw new ValueError(
        `${who} expects an input of shape [height, width, channels] per sample. Received input shape [${s}].`,
      );
    }
    const len = (n: number, k: number, st: number) => (this.padding === 'same' ? n * st : n * st + Math.max(k - st, 0));
    const out = [len(s[0]!, this.kernelSize[0], this.strides[0]), len(s[1]!, this.kernelSize[1], this.strides[1])];
    const g = geometry([out[0]!, out[1]!, this.filters], this.kernelSize, this.strides, [1, 1], this.padding, who);
    return { ...g, OH: s[0]!, OW: s[1]! };
  }
  override computeOutputShape(s: number[]): number[] {
    const g = this.geometry(s);
    return [g.H, g.W, this.filters];
  }
  protected override kernelShape(s: number[]): number[] {
    return [...this.kernelSize, this.filters, s[2]!];
  }
  /** The rows: B·H·W windows of kh·kw·filters floats. */
  override transientFloats(B: number, _training: boolean): number {
    const g = this.g!;
    return B * g.OH * g.OW * g.kh * g.kw * g.C;
  }
  /** im2col's geometry arguments, one array per layer with the sample count updated per call. */
  private im: Im2colArgs | null = null;
  private geo(samples: number): Im2colArgs {
    const g = this.g!;
    const a = (this.im ??= [0, g.H, g.W, g.C, g.OH, g.OW, g.kh, g.kw, g.sh, g.sw, g.dh, g.dw, g.top, g.left]);
    a[0] = samples;
    return a;
  }
  override forward(ctx: StepContext, buf: LayerBuffers, x: number, samples: number): void {
    const be = ctx.be,
      g = this.g!,
      Cin = this.lastIn![2]!,
      M = samples * g.OH * g.OW,
      R = g.kh * g.kw * g.C;
    be.gemm(false, true, M, R, Cin, 1, x, Cin, this.kernel!.ptr, Cin, 0, ctx.transient, R, ctx.ws);
    be.col2im(ctx.transient, buf.z, ...this.geo(samples));
    const b = this.bias ? this.bias.ptr : 0,
      P = samples * g.H * g.W;
    if (this.activation.kind === 'softmax') {
      be.biasAct(Act.Linear, 0, buf.z, b, buf.z, P, g.C);
      be.softmaxRows(buf.z, buf.y, P, g.C);
    } else be.biasAct(this.activation.code, this.activation.param, buf.z, b, buf.y, P, g.C);
  }
  override backward(ctx: StepContext, buf: LayerBuffers, x: number, dx: number, samples: number): void {
    const be = ctx.be,
      g = this.g!,
      Cin = this.lastIn![2]!,
      M = samples * g.OH * g.OW,
      R = g.kh * g.kw * g.C,
      P = samples * g.H * g.W,
      dz = buf.dy;
    if (!ctx.fusedOutput) {
      if (this.activation.kind === 'softmax') be.softmaxBackward(buf.y, dz, dz, P, g.C);
      else if (this.activation.code !== Act.Linear)
        be.actBackward(this.activation.code, this.activation.param, buf.z, buf.y, dz, dz, P * g.C);
    }
    if (this.trainable && this.bias) be.colSum(dz, P, g.C, this.bias.grad, 0);
    if (!this.trainable && dx === 0) return;
    be.im2col(dz, ctx.transient, ...this.geo(samples));
    if (this.trainable) be.gemm(true, false, R, Cin, M, 1, ctx.transient, R, x, Cin, 0, this.kernel!.grad, Cin, ctx.ws);
    if (dx !== 0) be.gemm(false, false, M, Cin, R, 1, ctx.transient, R, this.kernel!.ptr, Cin, 0, dx, Cin, ctx.ws);
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), output_padding: null };
  }
}

export interface SpatialDropoutArgs extends LayerArgs {
  rate: number;
  seed?: number;
  dataFormat?: string;
}

/**
 * Dropout of whole channels: while training, each (sample, channel) is zeroed with probability `rate` over all
 * its positions and the rest scaled by 1/(1 − rate) — for convolutional features, whose neighbours are
 * correlated. The mask ([samples, C], the dropout kernel's seeded PRNG) multiplies each sample's [H·W, C]
 * block as a 1×1 depthwise convolution, forward and backward.
 */
export class SpatialDropout2D extends Layer {
  readonly className: string = 'SpatialDropout2D';
  /** The input's rank per sample: 3 ([H, W, C]); 2 ([steps, C]) for SpatialDropout1D. */
  protected readonly rank: number = 3;
  readonly rate: number;
  readonly seed: number | undefined;
  constructor(args: SpatialDropoutArgs, name = 'SpatialDropout2D') {
    if (typeof args !== 'object' || args === null) invalid('args', 'an object like { rate: 0.2 }', args);
    super(args, name);
    this.rate = checkNumberInRange('rate', args.rate, 0, 1, false, true);
    if (args.seed !== undefined && !Number.isInteger(args.seed)) invalid('seed', 'an integer', args.seed);
    this.seed = args.seed;
    this.channelsFirst = dataFormat(args.dataFormat);
  }
  computeOutputShape(s: number[]): number[] {
    if (s.length !== this.rank) {
      const want = this.rank === 3 ? '[height, width, channels]' : '[steps, channels]';
      throw new ValueError(
        `${this.className} layer '${this.name}' expects an input of shape ${want} per sample. Received input shape [${s}].`,
      );
    }
    return s.slice();
  }
  private get channels(): number {
    return this.lastOut![this.rank - 1]!;
  }
  override scratchFloats(B: number): number[] {
    return [B * this.channels];
  }
  /** Each sample's [P, C] block times its channel mask (a 1×1 depthwise convolution). */
  private masked(be: Backend, src: number, mask: number, dst: number, samples: number): void {
    const C = this.channels,
      P = this.outFeatures / C;
    for (let n = 0; n < samples; n++)
      be.depthwiseConv(
        src + n * P * C * 4,
        mask + n * C * 4,
        dst + n * P * C * 4,
        1,
        1,
        P,
        C,
        1,
        1,
        P,
        1,
        1,
        1,
        1,
        1,
        1,
        0,
        0,
      );
  }
  forward(ctx: StepContext, buf: LayerBuffers, x: number, samples: number): void {
    const be = ctx.be;
    if (!ctx.training || this.rate === 0) {
      be.heap.f32.copyWithin(buf.y >> 2, x >> 2, (x >> 2) + samples * this.outFeatures);
      return;
    }
    const mask = buf.scratch[0]!,
      n = samples * this.channels;
    be.heap.f32.fill(1, mask >> 2, (mask >> 2) + n);
    be.dropout(mask, mask, mask, n, this.rate, hash32(this.seed ?? ctx.stepSeed, ctx.node), 0);
    this.masked(be, x, mask, buf.y, samples);
  }
  backward(ctx: StepContext, buf: LayerBuffers, _x: number, dx: number, samples: number): void {
    if (dx === 0) return;
    if (this.rate === 0) {
      ctx.be.heap.f32.copyWithin(dx >> 2, buf.dy >> 2, (buf.dy >> 2) + samples * this.outFeatures);
      return;
    }
    this.masked(ctx.be, buf.dy, buf.scratch[0]!, dx, samples);
  }
  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      rate: this.rate,
      seed: this.seed ?? null,
      data_format: this.channelsFirst ? 'channels_first' : 'channels_last',
    };
  }
}

/** Dropout of whole channels of [steps, channels] inputs. */
export class SpatialDropout1D extends SpatialDropout2D {
  override maskMode(): 'keep' {
    return 'keep';
  }
  override readonly className: string = 'SpatialDropout1D';
  protected override readonly rank: number = 2;
  constructor(args: SpatialDropoutArgs) {
    super(args, 'SpatialDropout1D');
  }
  override getConfig(): Record<string, unknown> {
    const c = super.getConfig();
    delete c.data_format;
    return c;
  }
}

/** A number or a one-element array (Keras writes [3]) for a 1-D window. */
function single(v: unknown, name: string, def: number): number {
  if (v === undefined || v === null) return def;
  const n = Array.isArray(v) && v.length === 1 ? v[0] : v;
  if (!Number.isInteger(n) || (n as number) <= 0) return invalid(name, 'a positive integer (or [n])', v);
  return n as number;
}

export interface Conv1DArgs extends Omit<Conv2DArgs, 'kernelSize' | 'strides' | 'dilationRate'> {
  kernelSize: number | number[];
  strides?: number | number[];
  dilationRate?: number | number[];
}

/** A 1-D convolution over [steps, channels] inputs (a 2-D one of height 1; its kernel is [k, C, F], as Keras's). */
export class Conv1D extends Conv2D {
  override readonly className: string = 'Conv1D';
  protected override readonly oneD: boolean = true;
  constructor(args: Conv1DArgs) {
    if (typeof args !== 'object' || args === null)
      invalid('args', 'an object like { filters: 8, kernelSize: 3 }', args);
    if ((args.padding as string) === 'causal')
      invalid('padding', "'valid' or 'same' (causal padding is not supported yet)", args.padding);
    super(
      {
        ...args,
        kernelSize: [1, single(args.kernelSize, 'kernelSize', 1)],
        strides: [1, single(args.strides, 'strides', 1)],
        dilationRate: [1, single(args.dilationRate, 'dilationRate', 1)],
      },
      'Conv1D',
    );
  }
}

export interface Pooling1DArgs extends LayerArgs {
  poolSize?: number | number[];
  strides?: number | number[];
  padding?: Padding;
  dataFormat?: string;
}
const pool1 = (a: Pooling1DArgs): Pooling2DArgs => {
  if (typeof a !== 'object' || a === null) return invalid('args', 'an object like { poolSize: 2 }', a);
  const p = single(a.poolSize, 'poolSize', 2);
  return { ...a, poolSize: [1, p], strides: [1, single(a.strides, 'strides', p)] };
};

/** The maximum over each window of steps. */
export class MaxPooling1D extends MaxPooling2D {
  override readonly className: string = 'MaxPooling1D';
  protected override readonly oneD: boolean = true;
  constructor(args: Pooling1DArgs = {}) {
    super(pool1(args), 'MaxPooling1D');
  }
}
/** The mean over each window of steps (in-bounds steps only). */
export class AveragePooling1D extends AveragePooling2D {
  override readonly className: string = 'AveragePooling1D';
  protected override readonly oneD: boolean = true;
  constructor(args: Pooling1DArgs = {}) {
    super(pool1(args), 'AveragePooling1D');
  }
}
/**
 * The mean over the steps of each channel: [steps, C] → [C]. Under a mask (an embedding with maskZero, a
 * masking layer upstream) the mean of the unmasked steps only, as Keras's (0 when every step is masked).
 */
export class GlobalAveragePooling1D extends GlobalAveragePooling2D {
  override readonly className: string = 'GlobalAveragePooling1D';
  protected override readonly rank: number = 2;
  constructor(args: LayerArgs & { dataFormat?: string } = {}) {
    super(args, 'GlobalAveragePooling1D');
  }
  override forward(ctx: StepContext, buf: LayerBuffers, x: number, samples: number): void {
    const mk = ctx.mask;
    if (mk === null || this.channelsFirst) return super.forward(ctx, buf, x, samples);
    const f = ctx.be.heap.f32,
      C = this.outFeatures,
      T = this.inFeatures / C;
    for (let n = 0; n < samples; n++) {
      const y = (buf.y >> 2) + n * C;
      let count = 0;
      f.fill(0, y, y + C);
      for (let t = 0; t < T; t++) {
        if (mk[n * T + t] === 0) continue;
        count++;
        const r = (x >> 2) + (n * T + t) * C;
        for (let c = 0; c < C; c++) f[y + c] = f[y + c]! + f[r + c]!;
      }
      if (count > 0) for (let c = 0; c < C; c++) f[y + c] = f[y + c]! / count;
    }
  }
  override backward(ctx: StepContext, buf: LayerBuffers, x: number, dx: number, samples: number): void {
    const mk = ctx.mask;
    if (mk === null || this.channelsFirst) return super.backward(ctx, buf, x, dx, samples);
    if (dx === 0) return;
    const f = ctx.be.heap.f32,
      C = this.outFeatures,
      T = this.inFeatures / C;
    for (let n = 0; n < samples; n++) {
      let count = 0;
      for (let t = 0; t < T; t++) count += mk[n * T + t] === 0 ? 0 : 1;
      const dy = (buf.dy >> 2) + n * C;
      for (let t = 0; t < T; t++) {
        const r = (dx >> 2) + (n * T + t) * C,
          on = mk[n * T + t] !== 0;
        for (let c = 0; c < C; c++) f[r + c] = on ? f[dy + c]! / count : 0;
      }
    }
  }
}
/** The maximum over the steps of each channel: [steps, C] → [C]. */
export class GlobalMaxPooling1D extends GlobalMaxPooling2D {
  override readonly className: string = 'GlobalMaxPooling1D';
  protected override readonly rank: number = 2;
  constructor(args: LayerArgs & { dataFormat?: string } = {}) {
    super(args, 'GlobalMaxPooling1D');
  }
}

// ------------------------------------------------------------------ readers of Keras/TF.js configs

/** A config's data_format, as a layer's dataFormat argument. */
export function readFormat(c: { get(k: string): unknown; p(k: string): string }): 'channelsFirst' | 'channelsLast' {
  const df = c.get('data_format');
  if (df === undefined || df === null) return 'channelsLast';
  const n = normalizeName(String(df));
  if (n !== 'channelslast' && n !== 'channelsfirst') {
    throw new ValueError(
      `${c.p('data_format')}: expected 'channels_last' or 'channels_first'. Received: ${describe(df)}`,
    );
  }
  return n === 'channelsfirst' ? 'channelsFirst' : 'channelsLast';
}

/** Conv2D's and Conv1D's configs: the same keys, one-element windows for 1-D (and no causal padding). */
const readConv =
  (make: (a: Conv2DArgs) => Layer, oneD = false) =>
  ({ c, base, maxParams, activation, init, regularizer, noConstraint }: LayerReadContext): Layer => {
    noConstraint('kernel_constraint');
    noConstraint('bias_constraint');
    const df = readFormat(c);
    c.unsupported('groups', 'grouped convolutions', (x) => x === 1);
    const pad = c.get('padding');
    if (oneD && pad === 'causal')
      throw new ValueError(`${c.p('padding')}: causal padding is not supported yet. Received: 'causal'`);
    const ones = oneD ? [1] : [1, 1];
    const args = {
      ...base,
      dataFormat: df,
      filters: c.int('filters', undefined, 1, maxParams),
      kernelSize: c.get('kernel_size') as number[],
      strides: (c.get('strides') as number[] | undefined) ?? ones,
      padding: pad as Padding | undefined,
      dilationRate: (c.get('dilation_rate') as number[] | undefined) ?? ones,
      activation: activation(),
      useBias: c.bool('use_bias', true),
      kernelInitializer: init('kernel_initializer', 'glorot_uniform'),
      biasInitializer: init('bias_initializer', 'zeros'),
      kernelRegularizer: regularizer('kernel_regularizer'),
      biasRegularizer: regularizer('bias_regularizer'),
    };
    return make(args);
  };
registerLayer(
  'Conv2D',
  readConv((a) => new Conv2D(a)),
);
/** A pooling layer's config; `window` is the default pool size ([2, 2], or [2] for the 1-D ones). */
const readPool =
  (make: (a: Pooling2DArgs & Pooling1DArgs) => Layer, window = [2, 2]) =>
  ({ c, base }: LayerReadContext): Layer => {
    return make({
      ...base,
      dataFormat: readFormat(c),
      poolSize: (c.get('pool_size') as number[] | undefined) ?? window,
      ...(c.get('strides') !== undefined ? { strides: c.get('strides') as number[] } : {}),
      padding: c.get('padding') as Padding | undefined,
    });
  };
registerLayer(
  'MaxPooling2D',
  readPool((a) => new MaxPooling2D(a)),
);
registerLayer(
  'AveragePooling2D',
  readPool((a) => new AveragePooling2D(a)),
);
// Keras's aliases.
registerLayer(
  'MaxPool2D',
  readPool((a) => new MaxPooling2D(a)),
  'MaxPool2D',
);
registerLayer(
  'AvgPool2D',
  readPool((a) => new AveragePooling2D(a)),
  'AvgPool2D',
);

/** A global pooling's config: channels last, no keepdims. */
const readGlobal =
  (make: (a: LayerArgs & { dataFormat?: string }) => Layer) =>
  ({ c, base }: LayerReadContext): Layer => {
    const dataFormat = readFormat(c);
    c.unsupported('keepdims', 'keepdims', (x) => x === false);
    return make({ ...base, dataFormat });
  };
registerLayer(
  'GlobalAveragePooling2D',
  readGlobal((a) => new GlobalAveragePooling2D(a)),
);
registerLayer(
  'GlobalMaxPooling2D',
  readGlobal((a) => new GlobalMaxPooling2D(a)),
);
registerLayer('ZeroPadding2D', ({ c, base }) => {
  return new ZeroPadding2D({ ...base, dataFormat: readFormat(c), padding: c.get('padding') as number[][] });
});
registerLayer('Cropping2D', ({ c, base }) => {
  return new Cropping2D({ ...base, dataFormat: readFormat(c), cropping: c.get('cropping') as number[][] });
});
registerLayer('UpSampling2D', ({ c, base, kerasVersion }) => {
  const df = readFormat(c);
  const interp = c.get('interpolation') ?? 'nearest';
  if (interp !== 'nearest' && interp !== 'bilinear' && interp !== BILINEAR_HALF_PIXEL) {
    throw new NotSupportedError(
      `${c.p('interpolation')}: 'nearest' and 'bilinear' are supported. Received: ${describe(interp)}`,
    );
  }
  // 'bilinear' means what the writer computed: TF.js's resizeBilinear (and simdnet's default), or, from Keras
  // (a plain version number: TensorFlow 2's tf.image.resize, Keras 3's ops.image.resize), half-pixel centers.
  const keras = typeof kerasVersion === 'string' && /^\d/.test(kerasVersion);
  return new UpSampling2D({
    ...base,
    dataFormat: df,
    size: (c.get('size') as number[] | undefined) ?? [2, 2],
    interpolation: interp === 'nearest' ? 'nearest' : 'bilinear',
    halfPixelCenters: interp === BILINEAR_HALF_PIXEL || (interp === 'bilinear' && keras),
  });
});

registerLayer(
  'Conv1D',
  readConv((a) => new Conv1D(a), true),
);
registerLayer(
  'MaxPooling1D',
  readPool((a) => new MaxPooling1D(a), [2]),
);
registerLayer(
  'AveragePooling1D',
  readPool((a) => new AveragePooling1D(a), [2]),
);
registerLayer(
  'GlobalAveragePooling1D',
  readGlobal((a) => new GlobalAveragePooling1D(a)),
);
registerLayer(
  'GlobalMaxPooling1D',
  readGlobal((a) => new GlobalMaxPooling1D(a)),
);
const readSpatialDropout =
  (make: (a: SpatialDropoutArgs) => Layer) =>
  ({ c, base }: LayerReadContext): Layer => {
    const df = readFormat(c);
    c.unsupported('noise_shape', 'a noise shape', (x) => x === null);
    const seed = c.get('seed');
    return make({
      ...base,
      dataFormat: df,
      rate: c.num('rate', 0, (x) => x >= 0 && x < 1, 'a number in [0, 1)'),
      ...(seed !== undefined && seed !== null ? { seed: seed as number } : {}),
    });
  };
registerLayer(
  'SpatialDropout2D',
  readSpatialDropout((a) => new SpatialDropout2D(a)),
);
registerLayer(
  'SpatialDropout1D',
  readSpatialDropout((a) => new SpatialDropout1D(a)),
);
registerLayer('Conv2DTranspose', (ctx) => {
  ctx.c.unsupported('output_padding', 'output padding', (x) => x === null);
  return readConv((a) => new Conv2DTranspose(a))(ctx);
});

// ------------------------------------------------------------------ factories

/**
 * A 2-D convolution over [height, width, channels] inputs.
 * @param args.filters output channels. @param args.kernelSize e.g. 3 or [5, 5].
 * @param args.strides Defaults to 1. @param args.padding 'valid' (default) or 'same'.
 * @param args.dilationRate Defaults to 1. @param args.activation Defaults to 'linear'.
 * @example sn.layers.conv2d({ filters: 8, kernelSize: 5, activation: 'relu', inputShape: [28, 28, 1] })
 */
export const conv2d = (args: Conv2DArgs) => new Conv2D(args);
/** The maximum over each window. @example sn.layers.maxPooling2d({ poolSize: 2 }) */
export const maxPooling2d = (args: Pooling2DArgs = {}) => new MaxPooling2D(args);
/** The mean over each window (in-bounds cells only). @example sn.layers.averagePooling2d({ poolSize: 2 }) */
export const averagePooling2d = (args: Pooling2DArgs = {}) => new AveragePooling2D(args);
/** The mean over height and width of each channel: [H, W, C] → [C]. @example sn.layers.globalAveragePooling2d() */
export const globalAveragePooling2d = (args: LayerArgs & { dataFormat?: string } = {}) =>
  new GlobalAveragePooling2D(args);
/** The maximum over height and width of each channel: [H, W, C] → [C]. @example sn.layers.globalMaxPooling2d() */
export const globalMaxPooling2d = (args: LayerArgs & { dataFormat?: string } = {}) => new GlobalMaxPooling2D(args);
/** Zeros around each image. @example sn.layers.zeroPadding2d({ padding: [[1, 2], [0, 1]] }) */
export const zeroPadding2d = (args: LayerArgs & { padding?: number | number[] | number[][] } = {}) =>
  new ZeroPadding2D(args);
/** Cuts margins off each image. @example sn.layers.cropping2d({ cropping: [[1, 1], [2, 0]] }) */
export const cropping2d = (args: LayerArgs & { cropping?: number | number[] | number[][] } = {}) =>
  new Cropping2D(args);
/**
 * Upsamples each image (nearest neighbour, or bilinear).
 * @example sn.layers.upSampling2d({ size: 2, interpolation: 'bilinear' })
 */
export const upSampling2d = (args: UpSampling2DArgs = {}) => new UpSampling2D(args);
/**
 * A 1-D convolution over [steps, channels].
 * @example sn.layers.conv1d({ filters: 16, kernelSize: 3, inputShape: [100, 4] })
 */
export const conv1d = (args: Conv1DArgs) => new Conv1D(args);
/**
 * A transposed 2-D convolution (sometimes called deconvolution): upsamples by its strides.
 * @example sn.layers.conv2dTranspose({ filters: 8, kernelSize: 3, strides: 2, padding: 'same' })
 */
export const conv2dTranspose = (args: Conv2DArgs & { outputPadding?: number | number[] | null }) =>
  new Conv2DTranspose(args);
/**
 * Dropout of whole channels while training. @example sn.layers.spatialDropout2d({ rate: 0.2 })
 */
export const spatialDropout2d = (args: SpatialDropoutArgs) => new SpatialDropout2D(args);
/** Dropout of whole channels of [steps, channels] inputs. @example sn.layers.spatialDropout1d({ rate: 0.2 }) */
export const spatialDropout1d = (args: SpatialDropoutArgs) => new SpatialDropout1D(args);
/** The maximum over each window of steps. @example sn.layers.maxPooling1d({ poolSize: 2 }) */
export const maxPooling1d = (args: Pooling1DArgs = {}) => new MaxPooling1D(args);
/** The mean over each window of steps. @example sn.layers.averagePooling1d({ poolSize: 2 }) */
export const averagePooling1d = (args: Pooling1DArgs = {}) => new AveragePooling1D(args);
/** The mean over the steps of each channel. @example sn.layers.globalAveragePooling1d() */
export const globalAveragePooling1d = (args: LayerArgs & { dataFormat?: string } = {}) =>
  new GlobalAveragePooling1D(args);
/** The maximum over the steps of each channel. @example sn.layers.globalMaxPooling1d() */
export const globalMaxPooling1d = (args: LayerArgs & { dataFormat?: string } = {}) => new GlobalMaxPooling1D(args);

// ------------------------------------------------------------------ other spellings

// TF.js's aliases of the factories.
/** TF.js's spelling of cropping2d. */
export const cropping2D = cropping2d;
/** Alias of maxPooling2d (TF.js, Keras MaxPool2D). */
export const maxPool2d = maxPooling2d;
/** Alias of averagePooling2d (TF.js, Keras AvgPool2D). */
export const avgPool2d = averagePooling2d;
/** Alias of averagePooling2d (TF.js). */
export const avgPooling2d = averagePooling2d;
/** Alias of maxPooling1d (TF.js, Keras MaxPool1D). */
export const maxPool1d = maxPooling1d;
/** Alias of averagePooling1d (TF.js, Keras AvgPool1D). */
export const avgPool1d = averagePooling1d;
/** Alias of averagePooling1d (TF.js). */
export const avgPooling1d = averagePooling1d;
/** Alias of globalMaxPooling2d (TF.js, Keras GlobalMaxPool2D). */
export const globalMaxPool2d = globalMaxPooling2d;
/** Alias of globalMaxPooling1d (TF.js, Keras GlobalMaxPool1D). */
export const globalMaxPool1d = globalMaxPooling1d;

// Keras's class aliases, loaded as the classes they name.
for (const [alias, name] of [
  ['Convolution2D', 'Conv2D'],
  ['Convolution1D', 'Conv1D'],
  ['Convolution2DTranspose', 'Conv2DTranspose'],
  ['MaxPool1D', 'MaxPooling1D'],
  ['AvgPool1D', 'AveragePooling1D'],
  ['GlobalAvgPool2D', 'GlobalAveragePooling2D'],
  ['GlobalMaxPool2D', 'GlobalMaxPooling2D'],
  ['GlobalAvgPool1D', 'GlobalAveragePooling1D'],
  ['GlobalMaxPool1D', 'GlobalMaxPooling1D'],
] as const) {
  registerLayer(alias, layerReader(name)!);
}
