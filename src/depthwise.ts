/**
 * Depthwise and separable 2-D convolutions over NHWC images (issue 15):
 * `depthwiseConv2d` (each input channel convolved with its own `depthMultiplier`
 * filters; kernel [kh, kw, C, Dm], output channel c·Dm + m) and
 * `separableConv2d` (a depthwise convolution, then a 1×1 convolution as one GEMM).
 *
 * The depthwise convolution runs as direct SIMD kernels (assembly/conv/depthwise.ts,
 * four channels per vector): it has too little arithmetic per input to gain from
 * im2col. Geometry, padding ('same' as TF.js) and the config readers are conv.ts's.
 */
import { Act } from './backend/types.js';
import type { Backend } from './backend/types.js';
import { ValueError, invalid } from './errors.js';
import { type LayerReadContext, layerReader, registerLayer } from './io/cfg.js';
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
import { type Geometry, type Padding, dataFormat, geometry, pair, padding, readFormat } from './conv.js';

export interface DepthwiseConv2DArgs extends LayerArgs {
  kernelSize: number | number[];
  /** Filters per input channel. Defaults to 1. */
  depthMultiplier?: number;
  strides?: number | number[];
  padding?: Padding;
  dataFormat?: string;
  dilationRate?: number | number[];
  activation?: string;
  useBias?: boolean;
  depthwiseInitializer?: InitializerIdentifier;
  biasInitializer?: InitializerIdentifier;
  depthwiseRegularizer?: RegularizerIdentifier;
  biasRegularizer?: RegularizerIdentifier;
}

export interface SeparableConv2DArgs extends DepthwiseConv2DArgs {
  filters: number;
  pointwiseInitializer?: InitializerIdentifier;
  pointwiseRegularizer?: RegularizerIdentifier;
}

/** The depthwise kernels' geometry arguments, after the three pointers. */
type DwArgs = Parameters<Backend['depthwiseConv']> extends [number, number, number, ...infer R] ? R : never;

/** What the depthwise and separable convolutions share: window options, the depthwise kernel, bias and activation. */
abstract class DepthwiseBase extends Layer {
  readonly kernelSize: [number, number];
  readonly depthMultiplier: number;
  readonly strides: [number, number];
  readonly padding: Padding;
  readonly dilationRate: [number, number];
  readonly activation: ResolvedActivation;
  readonly useBias: boolean;
  readonly depthwiseInitializer: Initializer;
  readonly biasInitializer: Initializer;
  readonly depthwiseRegularizer: Regularizer | null;
  readonly biasRegularizer: Regularizer | null;
  depthwiseKernel: Weight | null = null;
  bias: Weight | null = null;
  protected g: Geometry | null = null;

  constructor(args: DepthwiseConv2DArgs, name: string) {
    if (typeof args !== 'object' || args === null) invalid('args', 'an object like { kernelSize: 3 }', args);
    super(args, name);
    if (args.kernelSize === undefined) invalid('kernelSize', 'a positive integer or a pair of them', args.kernelSize);
    this.kernelSize = pair(args.kernelSize, 'kernelSize', [1, 1]);
    const dm = args.depthMultiplier ?? 1;
    if (!Number.isInteger(dm) || dm <= 0) invalid('depthMultiplier', 'a positive integer', args.depthMultiplier);
    this.depthMultiplier = dm;
    this.strides = pair(args.strides, 'strides', [1, 1]);
    this.dilationRate = pair(args.dilationRate, 'dilationRate', [1, 1]);
    if ((this.strides[0] > 1 || this.strides[1] > 1) && (this.dilationRate[0] > 1 || this.dilationRate[1] > 1)) {
      throw new ValueError(
        `${name} layer '${this.name}': strides > 1 together with dilationRate > 1 is not supported (nor in TF.js). Received: strides [${this.strides}], dilationRate [${this.dilationRate}].`,
      );
    }
    this.padding = padding(args.padding);
    this.channelsFirst = dataFormat(args.dataFormat);
    this.activation = resolveActivation(args.activation, 'activation');
    this.useBias = args.useBias ?? true;
    this.depthwiseInitializer = getInitializer(args.depthwiseInitializer ?? 'glorot_uniform', 'depthwiseInitializer');
    this.biasInitializer = getInitializer(args.biasInitializer ?? 'zeros', 'biasInitializer');
    this.depthwiseRegularizer = getRegularizer(args.depthwiseRegularizer, 'depthwiseRegularizer');
    this.biasRegularizer = getRegularizer(args.biasRegularizer, 'biasRegularizer');
  }

  protected geometry(s: number[]): Geometry {
    return geometry(
      s,
      this.kernelSize,
      this.strides,
      this.dilationRate,
      this.padding,
      `${this.className} layer '${this.name}'`,
    );
  }
  /** Channels out of the depthwise step: C·depthMultiplier. */
  protected get midChannels(): number {
    return this.g!.C * this.depthMultiplier;
  }
  /** The depthwise kernels' geometry arguments, one array per layer with the sample count updated per call. */
  private dw: DwArgs | null = null;
  protected dwArgs(samples: number): DwArgs {
    const g = this.g!;
    const a = (this.dw ??= [
      0,
      g.H,
      g.W,
      g.C,
      this.depthMultiplier,
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
    ]);
    a[0] = samples;
    return a;
  }
  protected addDepthwiseKernel(s: number[]): void {
    this.g = this.geometry(s);
    this.depthwiseKernel = this.addWeight(
      'depthwise_kernel',
      [...this.kernelSize, s[2]!, this.depthMultiplier],
      this.depthwiseInitializer,
      this.trainable,
      this.depthwiseRegularizer,
    );
  }
  override needsZ(): boolean {
    return this.activation.name !== 'linear';
  }
  override outputActivation(): string {
    return this.activation.name;
  }
  /** y = act(z + bias) over M rows of N channels (z already holds the convolution). */
  protected activate(ctx: StepContext, buf: LayerBuffers, M: number, N: number): void {
    const b = this.bias ? this.bias.ptr : 0;
    if (this.activation.kind === 'softmax') {
      ctx.be.biasAct(Act.Linear, 0, buf.z, b, buf.z, M, N);
      ctx.be.softmaxRows(buf.z, buf.y, M, N);
    } else ctx.be.biasAct(this.activation.code, this.activation.param, buf.z, b, buf.y, M, N);
  }
  /** dz in place of dy (through the activation, unless the loss fused it), and the bias gradient. */
  protected deactivate(ctx: StepContext, buf: LayerBuffers, M: number, N: number): void {
    const be = ctx.be,
      dz = buf.dy;
    if (!ctx.fusedOutput) {
      if (this.activation.kind === 'softmax') be.softmaxBackward(buf.y, dz, dz, M, N);
      else if (this.activation.code !== Act.Linear)
        be.actBackward(this.activation.code, this.activation.param, buf.z, buf.y, dz, dz, M * N);
    }
    if (this.trainable && this.bias) be.colSum(dz, M, N, this.bias.grad, 0);
  }
  protected windowConfig(): Record<string, unknown> {
    return {
      kernel_size: this.kernelSize.slice(),
      strides: this.strides.slice(),
      padding: this.padding,
      data_format: this.channelsFirst ? 'channels_first' : 'channels_last',
      dilation_rate: this.dilationRate.slice(),
      depth_multiplier: this.depthMultiplier,
      activation: this.activation.name,
      use_bias: this.useBias,
      depthwise_initializer: serializeInit(this.depthwiseInitializer),
      bias_initializer: serializeInit(this.biasInitializer),
      depthwise_regularizer: serializeReg(this.depthwiseRegularizer),
      bias_regularizer: serializeReg(this.biasRegularizer),
      activity_regularizer: null,
      depthwise_constraint: null,
      bias_constraint: null,
    };
  }
}

/** A depthwise 2-D convolution: each input channel convolved with its own `depthMultiplier` filters. */
export class DepthwiseConv2D extends DepthwiseBase {
  readonly className = 'DepthwiseConv2D';
  constructor(args: DepthwiseConv2DArgs) {
    super(args, 'DepthwiseConv2D');
  }
  computeOutputShape(s: number[]): number[] {
    const g = this.geometry(s);
    return [g.OH, g.OW, g.C * this.depthMultiplier];
  }
  override expectedWeights(s: number[]): { name: string; shape: number[] }[] {
    s = this.toLast(s);
    const CO = s[2]! * this.depthMultiplier;
    const out = [{ name: `${this.name}/depthwise_kernel`, shape: [...this.kernelSize, s[2]!, this.depthMultiplier] }];
    if (this.useBias) out.push({ name: `${this.name}/bias`, shape: [CO] });
    return out;
  }
  override build(s: number[]): void {
    super.build(s);
    this.addDepthwiseKernel(this.lastIn!);
    if (this.useBias)
      this.bias = this.addWeight(
        'bias',
        [this.midChannels],
        this.biasInitializer,
        this.trainable,
        this.biasRegularizer,
      );
  }
  forward(ctx: StepContext, buf: LayerBuffers, x: number, samples: number): void {
    const g = this.g!;
    ctx.be.depthwiseConv(x, this.depthwiseKernel!.ptr, buf.z, ...this.dwArgs(samples));
    this.activate(ctx, buf, samples * g.OH * g.OW, this.midChannels);
  }
  backward(ctx: StepContext, buf: LayerBuffers, x: number, dx: number, samples: number): void {
    const g = this.g!,
      be = ctx.be;
    this.deactivate(ctx, buf, samples * g.OH * g.OW, this.midChannels);
    const a = this.dwArgs(samples);
    if (this.trainable) be.depthwiseConvBackFilter(x, buf.dy, this.depthwiseKernel!.grad, ...a);
    if (dx !== 0) be.depthwiseConvBackInput(buf.dy, this.depthwiseKernel!.ptr, dx, ...a);
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), ...this.windowConfig() };
  }
}

/** A depthwise convolution followed by a 1×1 convolution to `filters` channels (one GEMM). */
export class SeparableConv2D extends DepthwiseBase {
  readonly className = 'SeparableConv2D';
  readonly filters: number;
  readonly pointwiseInitializer: Initializer;
  readonly pointwiseRegularizer: Regularizer | null;
  pointwiseKernel: Weight | null = null;
  constructor(args: SeparableConv2DArgs) {
    super(args, 'SeparableConv2D');
    if (!Number.isInteger(args.filters) || args.filters <= 0) invalid('filters', 'a positive integer', args.filters);
    this.filters = args.filters;
    this.pointwiseInitializer = getInitializer(args.pointwiseInitializer ?? 'glorot_uniform', 'pointwiseInitializer');
    this.pointwiseRegularizer = getRegularizer(args.pointwiseRegularizer, 'pointwiseRegularizer');
  }
  computeOutputShape(s: number[]): number[] {
    const g = this.geometry(s);
    return [g.OH, g.OW, this.filters];
  }
  override expectedWeights(s: number[]): { name: string; shape: number[] }[] {
    s = this.toLast(s);
    const out = [
      { name: `${this.name}/depthwise_kernel`, shape: [...this.kernelSize, s[2]!, this.depthMultiplier] },
      { name: `${this.name}/pointwise_kernel`, shape: [1, 1, s[2]! * this.depthMultiplier, this.filters] },
    ];
    if (this.useBias) out.push({ name: `${this.name}/bias`, shape: [this.filters] });
    return out;
  }
  override build(s: number[]): void {
    super.build(s);
    this.addDepthwiseKernel(this.lastIn!);
    this.pointwiseKernel = this.addWeight(
      'pointwise_kernel',
      [1, 1, this.midChannels, this.filters],
      this.pointwiseInitializer,
      this.trainable,
      this.pointwiseRegularizer,
    );
    if (this.useBias)
      this.bias = this.addWeight('bias', [this.filters], this.biasInitializer, this.trainable, this.biasRegularizer);
  }
  private midFloats(B: number): number {
    const g = this.g!;
    return B * g.OH * g.OW * this.midChannels;
  }
  /** The depthwise output, kept for the pointwise kernel's gradient (training plans only). */
  override scratchFloats(B: number): number[] {
    return [this.midFloats(B)];
  }
  /** The depthwise output in inference, its gradient in training. */
  override transientFloats(B: number, _training: boolean): number {
    return this.midFloats(B);
  }
  forward(ctx: StepContext, buf: LayerBuffers, x: number, samples: number): void {
    const g = this.g!,
      M = samples * g.OH * g.OW,
      K = this.midChannels,
      N = this.filters;
    const mid = buf.scratch.length > 0 ? buf.scratch[0]! : ctx.transient;
    ctx.be.depthwiseConv(x, this.depthwiseKernel!.ptr, mid, ...this.dwArgs(samples));
    ctx.be.gemm(false, false, M, N, K, 1, mid, K, this.pointwiseKernel!.ptr, N, 0, buf.z, N, ctx.ws);
    this.activate(ctx, buf, M, N);
  }
  backward(ctx: StepContext, buf: LayerBuffers, x: number, dx: number, samples: number): void {
    const g = this.g!,
      be = ctx.be,
      M = samples * g.OH * g.OW,
      K = this.midChannels,
      N = this.filters,
      mid = buf.scratch[0]!,
      dmid = ctx.transient;
    this.deactivate(ctx, buf, M, N);
    if (this.trainable) be.gemm(true, false, K, N, M, 1, mid, K, buf.dy, N, 0, this.pointwiseKernel!.grad, N, ctx.ws);
    if (!this.trainable && dx === 0) return;
    be.gemm(false, true, M, K, N, 1, buf.dy, N, this.pointwiseKernel!.ptr, N, 0, dmid, K, ctx.ws);
    const a = this.dwArgs(samples);
    if (this.trainable) be.depthwiseConvBackFilter(x, dmid, this.depthwiseKernel!.grad, ...a);
    if (dx !== 0) be.depthwiseConvBackInput(dmid, this.depthwiseKernel!.ptr, dx, ...a);
  }
  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      filters: this.filters,
      ...this.windowConfig(),
      pointwise_initializer: serializeInit(this.pointwiseInitializer),
      pointwise_regularizer: serializeReg(this.pointwiseRegularizer),
      pointwise_constraint: null,
    };
  }
}

// ------------------------------------------------------------------ readers of Keras/TF.js configs

const readDepthwise = (c: LayerReadContext): DepthwiseConv2DArgs => {
  const { c: cfg, base, activation, init, regularizer, noConstraint } = c;
  noConstraint('depthwise_constraint');
  noConstraint('bias_constraint');
  return {
    ...base,
    dataFormat: readFormat(cfg),
    kernelSize: cfg.get('kernel_size') as number[],
    depthMultiplier: cfg.int('depth_multiplier', 1, 1, 1 << 16),
    strides: (cfg.get('strides') as number[] | undefined) ?? [1, 1],
    padding: cfg.get('padding') as Padding | undefined,
    dilationRate: (cfg.get('dilation_rate') as number[] | undefined) ?? [1, 1],
    activation: activation(),
    useBias: cfg.bool('use_bias', true),
    depthwiseInitializer: init('depthwise_initializer', 'glorot_uniform'),
    biasInitializer: init('bias_initializer', 'zeros'),
    depthwiseRegularizer: regularizer('depthwise_regularizer'),
    biasRegularizer: regularizer('bias_regularizer'),
  };
};
registerLayer('DepthwiseConv2D', (c) => new DepthwiseConv2D(readDepthwise(c)));
registerLayer('SeparableConv2D', (c) => {
  c.noConstraint('pointwise_constraint');
  return new SeparableConv2D({
    ...readDepthwise(c),
    filters: c.c.int('filters', undefined, 1, c.maxParams),
    pointwiseInitializer: c.init('pointwise_initializer', 'glorot_uniform'),
    pointwiseRegularizer: c.regularizer('pointwise_regularizer'),
  });
});
// ------------------------------------------------------------------ factories

/**
 * A depthwise 2-D convolution: each input channel convolved with its own filters.
 * @example sn.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', useBias: false })
 */
export const depthwiseConv2d = (args: DepthwiseConv2DArgs) => new DepthwiseConv2D(args);
/**
 * A depthwise convolution followed by a 1×1 convolution to `filters` channels.
 * @example sn.layers.separableConv2d({ filters: 32, kernelSize: 3, activation: 'relu' })
 */
export const separableConv2d = (args: SeparableConv2DArgs) => new SeparableConv2D(args);
// Keras's class alias.
registerLayer('SeparableConvolution2D', layerReader('SeparableConv2D')!);
