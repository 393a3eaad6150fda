/**
 * Layers: Dense, Activation (and LeakyReLU / ELU as layers), Dropout,
 * BatchNormalization, Flatten and Input.
 *
 * A layer validates its arguments in the constructor, creates its weights in
 * `build(inputShape)` (values in JS until the model places them in kernel
 * memory), and runs `forward`/`backward` as a few kernel calls on buffers the
 * model's memory plan laid out for it. Every layer works on 2-D blocks:
 * rows are samples, columns the (flattened) features.
 */
import type { Backend } from './backend/types.js';
import { Act } from './backend/types.js';
import { hash32 } from './backend/prng.js';
import { DataError, NotSupportedError, ValueError, checkNumberInRange, describe, invalid } from './errors.js';
import { camel, registerLayer } from './io/cfg.js';
import { ResolvedActivation, normalizeName, resolveActivation } from './activations.js';
import { Initializer, InitializerIdentifier, getInitializer } from './initializers.js';
import { Regularizer, RegularizerIdentifier, getRegularizer } from './regularizers.js';
import { Tensor, resultTensor, shapeSize } from './tensor.js';
import { type GraphNode, SymbolicTensor } from './engine/graph.js';

/**
 * A weight of a layer. Its value and gradient live in one backend's kernel
 * memory once a model using it runs there (src/engine/memory.ts places them);
 * every model using the layer shares them, and they are freed when the weight
 * is garbage-collected or a model using it is released.
 */
export class Weight {
  /** Byte offsets of the value and its gradient in `be`'s memory (0 until placed; no gradient if not trainable). */
  ptr = 0;
  grad = 0;
  /** The backend whose memory holds the value (null: the value is `pending`, in JS memory). */
  be: Backend | null = null;
  /** The values while not placed (the initializer's output, or what release() brought back). */
  pending: Float32Array | null = null;
  readonly size: number;
  constructor(
    readonly name: string,
    readonly shape: readonly number[],
    readonly trainable: boolean,
    readonly regularizer: Regularizer | null,
  ) {
    this.size = shapeSize(shape);
  }
  /** The value as a tensor (a copy). */
  read(): Tensor {
    return resultTensor(this.be ? this.be.heap.read(this.ptr, this.size) : this.pending!.slice(), this.shape);
  }
  /** Set the value (a tensor of this weight's shape; the caller has checked it). */
  write(t: Tensor): void {
    if (this.be) this.be.heap.write(this.ptr, t.values);
    else this.pending = t.values.slice();
  }
}

/** setWeights' check: an array of tensors with the weights' shapes, named in the error if not. */
export function checkWeights(ws: readonly Weight[], weights: unknown, what: string): Tensor[] {
  if (!Array.isArray(weights) || weights.length !== ws.length) {
    throw new ValueError(
      `${what}: expected an array of ${ws.length} tensors (${ws.map((w) => `${w.name} [${w.shape}]`).join(', ')}). Received: ${describe(weights)}`,
    );
  }
  weights.forEach((t, i) => {
    const w = ws[i]!;
    if (!(t instanceof Tensor) || t.shape.join() !== w.shape.join()) {
      throw new ValueError(
        `${what}: weight ${i} (${w.name}) must have shape [${w.shape}]. Received: ${t instanceof Tensor ? `shape [${t.shape}]` : describe(t)}`,
      );
    }
  });
  return weights as Tensor[];
}

/** Per-layer buffers of a memory plan (byte offsets), for one batch size. */
export interface LayerBuffers {
  /** Output, B×outSize. */
  y: number;
  /** Pre-activation, where the layer keeps one apart from y (else equal to y). */
  z: number;
  /** Gradient with respect to the output, B×outSize. */
  dy: number;
  /** Layer-specific scratch, as asked by `scratchFloats`. */
  scratch: number[];
}

/** What a layer's forward/backward pass needs to know about the step. */
export interface StepContext {
  be: Backend;
  /** GEMM workspace. */
  ws: number;
  /** The plan's transient workspace: room for the largest `transientFloats` of its layers, valid within one call. */
  transient: number;
  training: boolean;
  /** Seed of this step's dropout masks (mixed with the node's index). */
  stepSeed: number;
  /** The index of the node being run in the model's program (a shared layer runs as several nodes). */
  node: number;
  /** The loss kernel already wrote ∂loss/∂z into this (last) layer's dy. */
  fusedOutput: boolean;
  /**
   * The mask over the time steps of this call's input, [M, T] row-major (1: a real step, 0: padding), or null:
   * made by an embedding with maskZero or a masking layer upstream, passed on by layers whose maskMode is
   * 'keep' (Keras's mask propagation).
   */
  mask: Uint8Array | null;
  /** Where a layer whose maskMode is 'produce' writes its output's mask ([M, T]); read back in its backward. */
  maskOut: Uint8Array | null;
}

export interface LayerArgs {
  name?: string;
  /** Input feature shape (without the batch dimension), for the first layer. */
  inputShape?: number[];
  /** Shorthand for inputShape: [inputDim]. */
  inputDim?: number;
  /** Keras form, with the batch dimension first (null or a number). */
  batchInputShape?: (number | null)[];
  /** The batch size, with inputShape (TF.js's form; what a stateful recurrent layer needs). */
  batchSize?: number;
  trainable?: boolean;
}

/** The kernel memory is at most 2 GiB: no single weight can be larger than that. */
const MAX_WEIGHT_FLOATS = 2 ** 29;

const layerCounters = new Map<string, number>();
function uniqueName(base: string): string {
  const n = (layerCounters.get(base) ?? 0) + 1;
  layerCounters.set(base, n);
  return n === 1 ? base : `${base}_${n - 1}`;
}
/** Keras's to_snake_case: MaxPooling2D → max_pooling2d, LeakyReLU → leaky_re_lu, Conv2DTranspose → conv2d_transpose. */
const snake = (s: string) =>
  s
    .replace(/(.)([A-Z][a-z]+)/g, '$1_$2')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase();

export abstract class Layer {
  abstract readonly className: string;
  readonly name: string;
  /** Feature shape given by the user for the first layer. */
  readonly declaredInputShape: number[] | null;
  /** The batch size a batchInputShape / batchSize fixed (stateful recurrent layers hold it), else null. */
  readonly declaredBatchSize: number | null;
  inputShape: number[] | null = null;
  outputShape: number[] | null = null;
  weights: Weight[] = [];
  /** The layer's weights as tensors (copies), in the order of `weights` (Keras's get_weights; empty until built). */
  getWeights(): Tensor[] {
    return this.weights.map((w) => w.read());
  }
  /** Set the layer's weights, in the order of getWeights(). Shapes must match. */
  setWeights(weights: Tensor[]): void {
    checkWeights(this.weights, weights, `${this.name}.setWeights`).forEach((t, i) => this.weights[i]!.write(t));
  }
  built = false;
  trainable: boolean;

  constructor(args: LayerArgs, defaultName: string) {
    if (args.name !== undefined && (typeof args.name !== 'string' || args.name === ''))
      invalid('name', 'a non-empty string', args.name);
    this.name = args.name ?? uniqueName(snake(defaultName));
    let shape: number[] | null = null;
    if (args.inputShape !== undefined) {
      if (
        !Array.isArray(args.inputShape) ||
        args.inputShape.length === 0 ||
        args.inputShape.some((d) => !Number.isInteger(d) || d <= 0)
      ) {
        invalid(
          'inputShape',
          'a non-empty array of positive integers (the feature shape, without the batch dimension)',
          args.inputShape,
        );
      }
      shape = args.inputShape.slice();
    }
    if (args.inputDim !== undefined) {
      if (!Number.isInteger(args.inputDim) || args.inputDim <= 0)
        invalid('inputDim', 'a positive integer', args.inputDim);
      shape = [args.inputDim];
    }
    if (args.batchInputShape !== undefined) {
      const b = args.batchInputShape;
      if (!Array.isArray(b) || b.length < 2 || b.slice(1).some((d) => !Number.isInteger(d) || (d as number) <= 0)) {
        invalid('batchInputShape', 'an array [batch, ...features] with positive integer features', b);
      }
      shape = b.slice(1) as number[];
    }
    if (args.batchSize !== undefined && !(Number.isInteger(args.batchSize) && args.batchSize > 0))
      invalid('batchSize', 'a positive integer', args.batchSize);
    const b0 = args.batchInputShape?.[0];
    this.declaredBatchSize = args.batchSize ?? (typeof b0 === 'number' && b0 > 0 ? b0 : null);
    this.declaredInputShape = shape;
    this.trainable = args.trainable ?? true;
  }

  /** The output feature shape for an input feature shape (channels last for a `channelsFirst` layer). */
  abstract computeOutputShape(inputShape: number[]): number[];
  /** Create the weights (called once, with the input feature shape). */
  build(inputShape: number[]): void {
    this.inputShape = inputShape.slice();
    this.lastIn = this.toLast(inputShape);
    this.lastOut = this.computeOutputShape(this.lastIn);
    this.outputShape = this.toFirst(this.lastOut);
    this.rowsPerSample = shapeSize(inputShape.slice(0, -1));
    this.built = true;
  }

  // ---------------------------------------------------------------- channels first, by transposition

  /**
   * Keras's 'channels_first' (TF.js's 'channelsFirst') for the image layers: the layer's own code computes
   * channels last, on `lastIn` → `lastOut` shapes, and the engine-facing methods below (`runForward`,
   * `runBackward`, `planScratch`, `planTransient`, `planNeedsZ`) transpose its input and output around it,
   * as TF.js does. Set once, by the layer's constructor.
   */
  protected channelsFirst = false;
  /** The input and output shapes the layer's own code sees (channels last), set by build. */
  protected lastIn: number[] | null = null;
  protected lastOut: number[] | null = null;
  /** [C, ...spatial] → [...spatial, C] for a channels-first layer (else the shape itself). */
  protected toLast(s: number[]): number[] {
    return this.channelsFirst && s.length > 1 ? [...s.slice(1), s[0]!] : s.slice();
  }
  /** [...spatial, C] → [C, ...spatial] for a channels-first layer (else the shape itself). */
  protected toFirst(s: number[]): number[] {
    return this.channelsFirst && s.length > 1 ? [s[s.length - 1]!, ...s.slice(0, -1)] : s.slice();
  }
  /** What the plan keeps for the layer from forward to backward (a channels-first layer: its transposed x, y, z). */
  planScratch(B: number): number[] {
    const own = this.scratchFloats(B);
    if (!this.channelsFirst) return own;
    return [...own, B * this.inFeatures, B * this.outFeatures, ...(this.needsZ() ? [B * this.outFeatures] : [])];
  }
  /** The layer's transient floats, and a channels-first layer's transposed buffers after them. */
  planTransient(B: number, training: boolean): number {
    const own = this.transientFloats(B, training);
    if (!this.channelsFirst) return own;
    // Training: dy and dx transposed (x, y, z are scratch). Inference: x, y and z transposed.
    return own + B * (training ? this.inFeatures + this.outFeatures : this.inFeatures + 2 * this.outFeatures);
  }
  /** Whether the plan gives the layer a pre-activation buffer (a channels-first layer keeps its own). */
  planNeedsZ(): boolean {
    return !this.channelsFirst && this.needsZ();
  }
  /** The output activation a loss may fuse with (none for a channels-first layer: its last axis is not C). */
  planOutputActivation(): string {
    return this.channelsFirst ? 'linear' : this.outputActivation();
  }
  /** Per sample, a [rows, cols] block → [cols, rows]. */
  private transpose(f: Float32Array, src: number, dst: number, M: number, rows: number, cols: number): void {
    const s0 = src >> 2,
      d0 = dst >> 2,
      n = rows * cols;
    for (let m = 0; m < M; m++) {
      const s = s0 + m * n,
        d = d0 + m * n;
      for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) f[d + c * rows + r] = f[s + r * cols + c]!;
    }
  }
  /** The channels-last buffers of a channels-first layer's call: where its transposed x, y, z, dy and dx live. */
  /** lastBuffers' answers per plan buffer record, worked out once per batch size and workspace (none per step). */
  private lastCache = new WeakMap<
    LayerBuffers,
    { M: number; transient: number; training: boolean; r: { x: number; inner: LayerBuffers; dx: number } }
  >();
  private lastBuffers(ctx: StepContext, buf: LayerBuffers, M: number): { x: number; inner: LayerBuffers; dx: number } {
    const hit = this.lastCache.get(buf);
    if (hit !== undefined && hit.M === M && hit.transient === ctx.transient && hit.training === ctx.training)
      return hit.r;
    const r = this.lastBuffersOf(ctx, buf, M);
    this.lastCache.set(buf, { M, transient: ctx.transient, training: ctx.training, r });
    return r;
  }
  private lastBuffersOf(
    ctx: StepContext,
    buf: LayerBuffers,
    M: number,
  ): { x: number; inner: LayerBuffers; dx: number } {
    const own = this.scratchFloats(M).length,
      z = this.needsZ();
    let x: number, y: number, zz: number, at: number;
    const t0 = ctx.transient + this.transientFloats(M, ctx.training) * 4;
    if (buf.scratch.length > own) {
      [x, y] = [buf.scratch[own]!, buf.scratch[own + 1]!];
      zz = z ? buf.scratch[own + 2]! : y;
      at = t0;
    } else {
      x = t0;
      y = x + M * this.inFeatures * 4;
      zz = z ? y + M * this.outFeatures * 4 : y;
      at = y + M * this.outFeatures * (z ? 8 : 4);
    }
    const dy = at,
      dx = dy + M * this.outFeatures * 4;
    return { x, inner: { y, z: zz, dy, scratch: buf.scratch.slice(0, own) }, dx };
  }
  /** The forward pass as the engine calls it. */
  runForward(ctx: StepContext, buf: LayerBuffers, x: number, M: number): void {
    if (!this.channelsFirst) return this.forward(ctx, buf, x, M);
    const f = ctx.be.heap.f32,
      C = this.inputShape![0]!,
      Co = this.outputShape![0]!;
    const t = this.lastBuffers(ctx, buf, M);
    this.transpose(f, x, t.x, M, C, this.inFeatures / C);
    this.forward(ctx, t.inner, t.x, M);
    this.transpose(f, t.inner.y, buf.y, M, this.outFeatures / Co, Co);
  }
  /** The backward pass as the engine calls it. */
  runBackward(ctx: StepContext, buf: LayerBuffers, _x: number, dx: number, M: number): void {
    if (!this.channelsFirst) return this.backward(ctx, buf, _x, dx, M);
    const f = ctx.be.heap.f32,
      C = this.inputShape![0]!,
      Co = this.outputShape![0]!;
    const t = this.lastBuffers(ctx, buf, M);
    this.transpose(f, buf.dy, t.inner.dy, M, Co, this.outFeatures / Co);
    this.backward(ctx, t.inner, t.x, dx === 0 ? 0 : t.dx, M);
    if (dx !== 0) this.transpose(f, t.dx, dx, M, this.inFeatures / C, C);
  }
  /**
   * Rows of the last axis per sample (set when built): 1 for a flat input, the
   * product of the leading dimensions otherwise. Layers that act on the last
   * axis (Dense, BatchNormalization) run over samples × rowsPerSample rows.
   */
  protected rowsPerSample = 1;
  /**
   * What the layer does with a mask over its input's time steps (Keras's supports_masking / compute_mask):
   * 'drop' (the default: its output carries none), 'keep' (its output's steps are its input's, masked alike) or
   * 'produce' (it makes one: an embedding with maskZero, a masking layer).
   */
  maskMode(): 'drop' | 'keep' | 'produce' {
    return 'drop';
  }
  /** Whether the layer keeps a pre-activation buffer apart from its output. */
  needsZ(): boolean {
    return false;
  }
  /** True if the output is the input itself (Flatten): no buffers, no work. */
  aliasesInput(): boolean {
    return false;
  }
  /**
   * Buffers this layer keeps for a batch of B samples from its forward pass to
   * its backward pass (a dropout mask, batch statistics): training plans only.
   */
  scratchFloats(_B: number): number[] {
    return [];
  }
  /**
   * Floats of scratch this layer needs only within one forward or backward
   * call (an im2col matrix, a gradient it discards) for B samples. Every layer
   * of a plan shares one such block, `ctx.transient`: the plan's transient workspace.
   */
  transientFloats(_B: number, _training: boolean): number {
    return 0;
  }
  /** The canonical name of the output activation, for the fused losses. */
  outputActivation(): string {
    return 'linear';
  }
  /** Pointer holding the logits when `outputActivation` is sigmoid/softmax. */
  logitsPtr(buf: LayerBuffers, _x: number): number {
    return buf.z;
  }

  abstract forward(ctx: StepContext, buf: LayerBuffers, x: number, M: number): void;
  /** Backward pass: consumes buf.dy; writes dx (the previous layer's dy) unless dx = 0. */
  abstract backward(ctx: StepContext, buf: LayerBuffers, x: number, dx: number, M: number): void;

  get inFeatures(): number {
    return shapeSize(this.inputShape ?? []);
  }
  get outFeatures(): number {
    return shapeSize(this.outputShape ?? []);
  }

  /** Number of scalar weights. */
  countParams(): number {
    return this.weights.reduce((a, w) => a + w.size, 0);
  }

  // ---------------------------------------------------------------- functional API

  /** True for layers that take several inputs (the merge layers): the engine calls forwardMulti/backwardMulti. */
  get multiInput(): boolean {
    return false;
  }
  /** Build for several input shapes (merge layers override; others take exactly one). */
  buildMulti(shapes: number[][]): void {
    this.build(shapes[0]!);
  }
  /** Forward pass over several inputs (merge layers override). */
  forwardMulti(ctx: StepContext, buf: LayerBuffers, xs: readonly number[], M: number): void {
    this.forward(ctx, buf, xs[0]!, M);
  }
  /** Backward pass over several inputs: writes each dxs[i] that is not 0 (merge layers override). */
  backwardMulti(ctx: StepContext, buf: LayerBuffers, xs: readonly number[], dxs: readonly number[], M: number): void {
    this.backward(ctx, buf, xs[0]!, dxs[0]!, M);
  }
  /**
   * How many tensors a call of the layer returns: 1, or more for a recurrent layer with returnState or a
   * Bidirectional with mergeMode 'none'. Such a layer's node computes one flat value holding them all, batch
   * block after batch block ([M·n₀ | M·n₁ | …] floats for a batch of M); `apply` returns one OutputSlice of it
   * per tensor, so the graph, plans and memory planner only ever see one-output steps.
   */
  outputCount(): number {
    return 1;
  }
  /** The shapes of the tensors a call returns, for its input shapes (built or not). */
  outputShapesFor(shapes: number[][]): number[][] {
    return [this.outputShapeFor(shapes)];
  }
  /** How many times the layer has been applied (names its output tensors). */
  private calls = 0;

  /**
   * Call the layer on symbolic tensors (from `sn.input()` or another layer's
   * `apply`) and get its output tensor: the functional API. A layer applied
   * twice shares its weights. Merge layers take an array. A layer that returns
   * several tensors (a recurrent layer with returnState: [output, h] or
   * [output, h, c]; a Bidirectional with mergeMode 'none') returns an array.
   * @example const h = sn.layers.dense({ units: 8 }).apply(sn.input({ shape: [4] }));
   */
  apply(inputs: SymbolicTensor | SymbolicTensor[]): SymbolicTensor & SymbolicTensor[] {
    const out = this.applyOne(inputs);
    if (this.outputCount() === 1) return out as SymbolicTensor & SymbolicTensor[];
    const shapes = this.outputShapesFor(this.inputShapes());
    return shapes.map((_, k) => new OutputSlice(this, k, shapes, out.name).applyOne(out)) as unknown as SymbolicTensor &
      SymbolicTensor[];
  }
  /** apply's graph node: the layer's one (flat, for several tensors) output. */
  applyOne(inputs: SymbolicTensor | SymbolicTensor[]): SymbolicTensor {
    const xs = Array.isArray(inputs) ? inputs : [inputs];
    if (xs.length === 0 || xs.some((x) => !(x instanceof SymbolicTensor))) {
      if (inputs instanceof Tensor || (Array.isArray(inputs) && inputs.some((x) => x instanceof Tensor))) {
        invalid(
          'inputs',
          `symbolic tensors from sn.input() or another layer's apply() (layer '${this.name}' is applied to a graph, not to values; use model.predict for values)`,
          inputs,
        );
      }
      invalid(
        'inputs',
        `a symbolic tensor from sn.input() or another layer's apply()${this.multiInput ? ', or an array of them' : ''}`,
        inputs,
      );
    }
    if (this instanceof InputLayer)
      throw new ValueError(
        `Layer '${this.name}' is an input layer: use sn.input({ shape }) to start a functional model.`,
      );
    if (!this.multiInput && xs.length !== 1) {
      throw new ValueError(
        `Layer '${this.name}' (${this.className}) takes one input. Received: ${xs.length} inputs. To combine tensors, use a merge layer (sn.layers.concatenate, add, ...).`,
      );
    }
    const shapes = xs.map((x) => x.shape);
    if (!this.built) {
      if (this.multiInput) this.buildMulti(shapes);
      else this.build(shapes[0]!);
    } else {
      const want = this.inputShapes();
      const same = want.length === shapes.length && want.every((w, i) => w.join() === shapes[i]!.join());
      if (!same) {
        const f = (ss: number[][]) => ss.map((q) => `[null, ${q.join(', ')}]`).join(', ');
        throw new ValueError(
          `Layer '${this.name}' was built for input shape ${f(want)} and cannot be applied to ${f(shapes)}: a shared layer needs the same input shape every time.`,
        );
      }
    }
    const node: GraphNode = { layer: this, inputs: xs, output: null as unknown as SymbolicTensor };
    node.output = new SymbolicTensor(
      node,
      this.outputShape!,
      this.calls === 0 ? this.name : `${this.name}_${this.calls}`,
    );
    this.calls++;
    return node.output;
  }
  /** The output shape for these input shapes, without building (loading walks shapes before allocating). */
  outputShapeFor(shapes: number[][]): number[] {
    if (shapes.length !== 1)
      throw new ValueError(
        `Layer '${this.name}' (${this.className}) takes one input. Received: ${shapes.length} inputs.`,
      );
    return this.toFirst(this.computeOutputShape(this.toLast(shapes[0]!)));
  }
  /** The input shapes the layer was built for (one unless it merges). */
  inputShapes(): number[][] {
    return [this.inputShape!];
  }

  /**
   * The weights this layer will have for an input feature shape: names and shapes, from its config alone (loading
   * checks files against it).
   */
  expectedWeights(_inShape: number[]): { name: string; shape: number[] }[] {
    return [];
  }

  /**
   * The initializer behind a `*_initializer` key of getConfig() (default: the camelCase property), for writing files.
   */
  configInitializer(key: string): unknown {
    return (this as unknown as Record<string, unknown>)[camel(key)];
  }

  /** Keras-form configuration (snake_case keys), as in TF.js's model.json. */
  getConfig(): Record<string, unknown> {
    const c: Record<string, unknown> = { name: this.name, trainable: this.trainable, dtype: 'float32' };
    if (this.declaredInputShape) c.batch_input_shape = [this.declaredBatchSize, ...this.declaredInputShape];
    return c;
  }

  protected addWeight(
    name: string,
    shape: number[],
    init: Initializer,
    trainable: boolean,
    reg: Regularizer | null,
  ): Weight {
    const w = new Weight(`${this.name}/${name}`, shape, trainable, reg);
    if (w.size > MAX_WEIGHT_FLOATS) {
      throw new ValueError(
        `Layer '${this.name}': weight '${name}' of shape [${shape}] would hold ${w.size.toLocaleString('en-US')} values (${((w.size * 4) / 2 ** 30).toFixed(1)} GiB), more than the kernel memory can ever hold (2 GiB). Use fewer units or inputs.`,
      );
    }
    w.pending = new Float32Array(w.size);
    init.fill(w.pending, shape);
    this.weights.push(w);
    return w;
  }
}

export const serializeInit = (i: Initializer) => ({ class_name: i.className, config: i.getConfig() });
export const serializeReg = (r: Regularizer | null) => (r ? { class_name: r.className, config: r.getConfig() } : null);

export interface DenseArgs extends LayerArgs {
  units: number;
  activation?: string;
  useBias?: boolean;
  kernelInitializer?: InitializerIdentifier;
  biasInitializer?: InitializerIdentifier;
  kernelRegularizer?: RegularizerIdentifier;
  biasRegularizer?: RegularizerIdentifier;
}

/** A fully connected layer: y = activation(x·W + b). */
export class Dense extends Layer {
  readonly className = 'Dense';
  /** On a sequence, each step's features map alone: a mask over the steps passes on. */
  override maskMode(): 'keep' {
    return 'keep';
  }
  readonly units: number;
  readonly activation: ResolvedActivation;
  readonly useBias: boolean;
  readonly kernelInitializer: Initializer;
  readonly biasInitializer: Initializer;
  readonly kernelRegularizer: Regularizer | null;
  readonly biasRegularizer: Regularizer | null;
  kernel: Weight | null = null;
  bias: Weight | null = null;

  constructor(args: DenseArgs) {
    if (typeof args !== 'object' || args === null) invalid('args', 'an object like { units: 10 }', args);
    super(args, 'Dense');
    if (typeof args.units !== 'number' || !Number.isInteger(args.units) || args.units <= 0) {
      throw new ValueError(
        `Received an invalid value for \`units\`, expected a positive integer. Received: units=${describe(args.units)}`,
      );
    }
    this.units = args.units;
    this.activation = resolveActivation(args.activation, 'activation');
    this.useBias = args.useBias ?? true;
    this.kernelInitializer = getInitializer(args.kernelInitializer ?? 'glorot_uniform', 'kernelInitializer');
    this.biasInitializer = getInitializer(args.biasInitializer ?? 'zeros', 'biasInitializer');
    this.kernelRegularizer = getRegularizer(args.kernelRegularizer, 'kernelRegularizer');
    this.biasRegularizer = getRegularizer(args.biasRegularizer, 'biasRegularizer');
  }

  /** On an input of rank > 1 per sample, the layer applies to the last axis (Keras): [..., k] → [..., units]. */
  computeOutputShape(inputShape: number[]): number[] {
    if (inputShape.length === 0)
      throw new ValueError(
        `Dense layer '${this.name}' needs an input of rank 1 or more per sample. Received input shape [].`,
      );
    return [...inputShape.slice(0, -1), this.units];
  }

  override expectedWeights(inShape: number[]): { name: string; shape: number[] }[] {
    const out = [{ name: `${this.name}/kernel`, shape: [inShape[inShape.length - 1]!, this.units] }];
    if (this.useBias) out.push({ name: `${this.name}/bias`, shape: [this.units] });
    return out;
  }
  override build(inputShape: number[]): void {
    super.build(inputShape);
    this.kernel = this.addWeight(
      'kernel',
      [inputShape[inputShape.length - 1]!, this.units],
      this.kernelInitializer,
      this.trainable,
      this.kernelRegularizer,
    );
    if (this.useBias)
      this.bias = this.addWeight('bias', [this.units], this.biasInitializer, this.trainable, this.biasRegularizer);
  }

  override needsZ(): boolean {
    return this.activation.name !== 'linear';
  }
  override outputActivation(): string {
    return this.activation.name;
  }

  forward(ctx: StepContext, buf: LayerBuffers, x: number, samples: number): void {
    const be = ctx.be,
      N = this.units,
      M = samples * this.rowsPerSample,
      K = this.inFeatures / this.rowsPerSample;
    be.gemm(false, false, M, N, K, 1, x, K, this.kernel!.ptr, N, 0, buf.z, N, ctx.ws);
    const b = this.bias ? this.bias.ptr : 0;
    if (this.activation.kind === 'softmax') {
      be.biasAct(Act.Linear, 0, buf.z, b, buf.z, M, N);
      be.softmaxRows(buf.z, buf.y, M, N);
    } else {
      be.biasAct(this.activation.code, this.activation.param, buf.z, b, buf.y, M, N);
    }
  }

  backward(ctx: StepContext, buf: LayerBuffers, x: number, dx: number, samples: number): void {
    const be = ctx.be,
      N = this.units,
      M = samples * this.rowsPerSample,
      K = this.inFeatures / this.rowsPerSample;
    const dz = buf.dy;
    if (!ctx.fusedOutput) {
      if (this.activation.kind === 'softmax') be.softmaxBackward(buf.y, dz, dz, M, N);
      else if (this.activation.code !== Act.Linear)
        be.actBackward(this.activation.code, this.activation.param, buf.z, buf.y, dz, dz, M * N);
    }
    if (this.trainable) {
      be.gemm(true, false, K, N, M, 1, x, K, dz, N, 0, this.kernel!.grad, N, ctx.ws);
      if (this.bias) be.colSum(dz, M, N, this.bias.grad, 0);
    }
    if (dx !== 0) be.gemm(false, true, M, K, N, 1, dz, N, this.kernel!.ptr, N, 0, dx, K, ctx.ws);
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      units: this.units,
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

export interface ActivationArgs extends LayerArgs {
  activation: string;
}

/** Applies an activation elementwise (softmax: along the features). */
export class Activation extends Layer {
  override maskMode(): 'keep' {
    return 'keep';
  }
  readonly className: string = 'Activation';
  readonly activation: ResolvedActivation;
  protected param: number;
  constructor(args: ActivationArgs, defaultName = 'Activation', resolved?: ResolvedActivation, param?: number) {
    super(args, defaultName);
    this.activation = resolved ?? resolveActivation(args?.activation, 'activation');
    this.param = param ?? this.activation.param;
  }
  computeOutputShape(s: number[]): number[] {
    return s.slice();
  }
  override outputActivation(): string {
    return this.activation.name;
  }
  override logitsPtr(_buf: LayerBuffers, x: number): number {
    return x;
  }
  forward(ctx: StepContext, buf: LayerBuffers, x: number, M: number): void {
    const n = this.outFeatures;
    if (this.activation.kind === 'softmax') ctx.be.softmaxRows(x, buf.y, M, n);
    else ctx.be.biasAct(this.activation.code, this.param, x, 0, buf.y, 1, M * n);
  }
  backward(ctx: StepContext, buf: LayerBuffers, x: number, dx: number, M: number): void {
    if (dx === 0) return;
    const n = this.outFeatures,
      be = ctx.be;
    if (ctx.fusedOutput) {
      copy(be, buf.dy, dx, M * n);
      return;
    }
    if (this.activation.kind === 'softmax') be.softmaxBackward(buf.y, buf.dy, dx, M, n);
    else be.actBackward(this.activation.code, this.param, x, buf.y, buf.dy, dx, M * n);
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), activation: this.activation.name };
  }
}

function copy(be: Backend, src: number, dst: number, n: number): void {
  const f = be.heap.f32;
  f.copyWithin(dst >> 2, src >> 2, (src >> 2) + n);
}

/** Leaky ReLU as a layer (Keras 3's `negative_slope`, TF.js's `alpha`; default 0.3). */
export class LeakyReLU extends Activation {
  override readonly className = 'LeakyReLU';
  constructor(args: LayerArgs & { alpha?: number; negativeSlope?: number } = {}) {
    const a = args.alpha ?? args.negativeSlope ?? 0.3;
    checkNumberInRange('alpha', a, 0, Infinity);
    super({ ...args, activation: 'leaky_relu' }, 'LeakyReLU', undefined, a);
  }
  get alpha(): number {
    return this.param;
  }
  override getConfig(): Record<string, unknown> {
    const c = super.getConfig();
    delete c.activation;
    return { ...c, alpha: this.param };
  }
}

/** ELU as a layer (alpha default 1). */
export class ELU extends Activation {
  override readonly className = 'ELU';
  constructor(args: LayerArgs & { alpha?: number } = {}) {
    const a = args.alpha ?? 1;
    checkNumberInRange('alpha', a, 0, Infinity);
    super({ ...args, activation: 'elu' }, 'ELU', undefined, a);
  }
  get alpha(): number {
    return this.param;
  }
  override getConfig(): Record<string, unknown> {
    const c = super.getConfig();
    delete c.activation;
    return { ...c, alpha: this.param };
  }
}

export interface ReLUArgs extends LayerArgs {
  /** The cap: 6 gives ReLU6 (MobileNet's). Defaults to none. */
  maxValue?: number | null;
  /** Keras 3's slope below the threshold (TF.js has none). Defaults to 0. */
  negativeSlope?: number;
  /** Keras 3's threshold; only 0 is supported. */
  threshold?: number;
}

/**
 * ReLU as a layer: max(x, 0), capped at `maxValue` when given (ReLU6 with 6), a leaky ReLU with `negativeSlope`
 * (Keras 3); `threshold` must be 0, and a slope cannot be combined with a cap.
 */
export class ReLU extends Activation {
  override readonly className = 'ReLU';
  readonly maxValue: number | null;
  readonly negativeSlope: number;
  constructor(args: ReLUArgs = {}) {
    if (typeof args !== 'object' || args === null) invalid('args', 'an object like { maxValue: 6 }', args);
    const max = args.maxValue ?? null;
    if (max !== null) checkNumberInRange('maxValue', max, 0, Infinity);
    const slope = args.negativeSlope ?? 0;
    checkNumberInRange('negativeSlope', slope, 0, Infinity);
    if (args.threshold !== undefined && args.threshold !== 0)
      invalid('threshold', '0 (a non-zero threshold is not supported yet)', args.threshold);
    if (max !== null && slope > 0)
      invalid('negativeSlope', '0 when maxValue is set (a capped leaky ReLU is not supported yet)', slope);
    const resolved: ResolvedActivation =
      max !== null
        ? { name: 'relu', kind: 'elementwise', code: Act.ReluMax, param: max }
        : slope > 0
          ? { name: 'leaky_relu', kind: 'elementwise', code: Act.LeakyRelu, param: slope }
          : resolveActivation('relu');
    super({ ...args, activation: 'relu' }, 'ReLU', resolved);
    this.maxValue = max;
    this.negativeSlope = slope;
  }
  override getConfig(): Record<string, unknown> {
    const c = super.getConfig();
    delete c.activation;
    return { ...c, max_value: this.maxValue, negative_slope: this.negativeSlope, threshold: 0 };
  }
}

export interface DropoutArgs extends LayerArgs {
  rate: number;
  seed?: number;
}

/** Zeroes a fraction `rate` of the inputs while training and scales the rest by 1/(1−rate). */
export class Dropout extends Layer {
  override maskMode(): 'keep' {
    return 'keep';
  }
  readonly className = 'Dropout';
  readonly rate: number;
  readonly seed: number | undefined;
  constructor(args: DropoutArgs) {
    if (typeof args !== 'object' || args === null) invalid('args', 'an object like { rate: 0.5 }', args);
    super(args, 'Dropout');
    this.rate = checkNumberInRange('rate', args.rate, 0, 1, false, true);
    if (args.seed !== undefined && !Number.isInteger(args.seed)) invalid('seed', 'an integer', args.seed);
    this.seed = args.seed;
  }
  computeOutputShape(s: number[]): number[] {
    return s.slice();
  }
  override scratchFloats(B: number): number[] {
    return [B * this.outFeatures];
  }
  forward(ctx: StepContext, buf: LayerBuffers, x: number, M: number): void {
    const n = M * this.outFeatures;
    if (ctx.training && this.rate > 0) {
      const seed = hash32(this.seed ?? ctx.stepSeed, ctx.node);
      ctx.be.dropout(x, buf.y, buf.scratch[0]!, n, this.rate, seed, 0);
    } else copy(ctx.be, x, buf.y, n);
  }
  backward(ctx: StepContext, buf: LayerBuffers, _x: number, dx: number, M: number): void {
    if (dx === 0) return;
    const n = M * this.outFeatures;
    if (this.rate > 0) ctx.be.mul(buf.dy, buf.scratch[0]!, dx, n);
    else copy(ctx.be, buf.dy, dx, n);
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), rate: this.rate, noise_shape: null, seed: this.seed ?? null };
  }
}

export interface BatchNormalizationArgs extends LayerArgs {
  /** The features axis: -1 (the last, the default), or its index counting the batch axis as 0. */
  axis?: number;
  momentum?: number;
  epsilon?: number;
  center?: boolean;
  scale?: boolean;
  betaInitializer?: InitializerIdentifier;
  gammaInitializer?: InitializerIdentifier;
  movingMeanInitializer?: InitializerIdentifier;
  movingVarianceInitializer?: InitializerIdentifier;
}

/** Batch normalization over the features: batch statistics while training, moving averages in inference. */
export class BatchNormalization extends Layer {
  readonly className = 'BatchNormalization';
  readonly momentum: number;
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  /** As given: -1, or the last axis's index (checked against the input's rank when built). */
  readonly axis: number;
  private readonly inits: Initializer[];
  gamma: Weight | null = null;
  beta: Weight | null = null;
  movingMean: Weight | null = null;
  movingVariance: Weight | null = null;
  constructor(args: BatchNormalizationArgs = {}) {
    super(args, 'BatchNormalization');
    if (args.axis !== undefined && !(Number.isInteger(args.axis) && (args.axis === -1 || args.axis >= 1))) {
      invalid('axis', '-1 (the last axis) or the index of the last axis (the batch axis is 0)', args.axis);
    }
    this.axis = args.axis ?? -1;
    this.momentum = checkNumberInRange('momentum', args.momentum ?? 0.99, 0, 1);
    this.epsilon = checkNumberInRange('epsilon', args.epsilon ?? 1e-3, 0, Infinity, true);
    this.center = args.center ?? true;
    this.scale = args.scale ?? true;
    this.inits = [
      getInitializer(args.gammaInitializer ?? 'ones', 'gammaInitializer'),
      getInitializer(args.betaInitializer ?? 'zeros', 'betaInitializer'),
      getInitializer(args.movingMeanInitializer ?? 'zeros', 'movingMeanInitializer'),
      getInitializer(args.movingVarianceInitializer ?? 'ones', 'movingVarianceInitializer'),
    ];
  }
  /**
   * Over the last axis, for an input of any rank per sample (Keras's axis = -1): statistics over every other position.
   */
  computeOutputShape(s: number[]): number[] {
    if (s.length === 0)
      throw new ValueError(
        `BatchNormalization layer '${this.name}' needs an input of rank 1 or more per sample. Received input shape [].`,
      );
    if (this.axis !== -1 && this.axis !== s.length) {
      throw new ValueError(
        `BatchNormalization layer '${this.name}': axis ${this.axis} is not the last axis of its input [batch, ${s.join(', ')}] (that is -1 or ${s.length}); simdnet normalizes over the last axis.`,
      );
    }
    return s.slice();
  }
  override build(s: number[]): void {
    super.build(s);
    const n = s[s.length - 1]!;
    if (this.scale) this.gamma = this.addWeight('gamma', [n], this.inits[0]!, this.trainable, null);
    if (this.center) this.beta = this.addWeight('beta', [n], this.inits[1]!, this.trainable, null);
    this.movingMean = this.addWeight('moving_mean', [n], this.inits[2]!, false, null);
    this.movingVariance = this.addWeight('moving_variance', [n], this.inits[3]!, false, null);
  }
  override expectedWeights(inShape: number[]): { name: string; shape: number[] }[] {
    const f = inShape[inShape.length - 1]!,
      n = (w: string) => `${this.name}/${w}`;
    const out: { name: string; shape: number[] }[] = [];
    if (this.scale) out.push({ name: n('gamma'), shape: [f] });
    if (this.center) out.push({ name: n('beta'), shape: [f] });
    out.push({ name: n('moving_mean'), shape: [f] }, { name: n('moving_variance'), shape: [f] });
    return out;
  }
  /** The initializers are kept in the order gamma, beta, moving_mean, moving_variance. */
  override configInitializer(key: string): unknown {
    const i = [
      'gamma_initializer',
      'beta_initializer',
      'moving_mean_initializer',
      'moving_variance_initializer',
    ].indexOf(key);
    return i >= 0 ? this.inits[i] : undefined;
  }
  /** mean and invStd (N each), kept from the forward pass for the backward pass. */
  override scratchFloats(_B: number): number[] {
    const N = this.outFeatures / this.rowsPerSample;
    return [N, N];
  }
  /** The input gradient the kernel writes when no earlier layer wants it (B×N), discarded: training only. */
  override transientFloats(B: number, training: boolean): number {
    return training ? B * this.outFeatures : 0;
  }
  forward(ctx: StepContext, buf: LayerBuffers, x: number, samples: number): void {
    const M = samples * this.rowsPerSample,
      N = this.outFeatures / this.rowsPerSample;
    const g = this.gamma ? this.gamma.ptr : 0,
      b = this.beta ? this.beta.ptr : 0;
    if (ctx.training) {
      ctx.be.bnForwardTrain(
        x,
        buf.y,
        M,
        N,
        g,
        b,
        buf.scratch[0]!,
        buf.scratch[1]!,
        this.epsilon,
        this.movingMean!.ptr,
        this.movingVariance!.ptr,
        this.momentum,
      );
    } else {
      ctx.be.bnForwardInfer(x, buf.y, M, N, g, b, this.movingMean!.ptr, this.movingVariance!.ptr, this.epsilon);
    }
  }
  backward(ctx: StepContext, buf: LayerBuffers, x: number, dx: number, samples: number): void {
    const M = samples * this.rowsPerSample,
      N = this.outFeatures / this.rowsPerSample;
    const tr = this.trainable;
    ctx.be.bnBackward(
      x,
      buf.dy,
      dx !== 0 ? dx : ctx.transient,
      M,
      N,
      this.gamma ? this.gamma.ptr : 0,
      buf.scratch[0]!,
      buf.scratch[1]!,
      tr && this.gamma ? this.gamma.grad : 0,
      tr && this.beta ? this.beta.grad : 0,
    );
  }
  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      axis: -1,
      momentum: this.momentum,
      epsilon: this.epsilon,
      center: this.center,
      scale: this.scale,
      gamma_initializer: serializeInit(this.inits[0]!),
      beta_initializer: serializeInit(this.inits[1]!),
      moving_mean_initializer: serializeInit(this.inits[2]!),
      moving_variance_initializer: serializeInit(this.inits[3]!),
      beta_regularizer: null,
      gamma_regularizer: null,
      beta_constraint: null,
      gamma_constraint: null,
    };
  }
}

/**
 * Reshapes each sample (no copy: the values are already laid out row-major). `targetShape` may hold one -1, inferred.
 */
export class Reshape extends Layer {
  readonly className = 'Reshape';
  readonly targetShape: number[];
  constructor(args: LayerArgs & { targetShape: number[] }) {
    if (typeof args !== 'object' || args === null) invalid('args', 'an object like { targetShape: [3, 4] }', args);
    super(args, 'Reshape');
    const t = args.targetShape;
    if (
      !Array.isArray(t) ||
      t.length === 0 ||
      t.some((d) => !Number.isInteger(d) || (d <= 0 && d !== -1)) ||
      t.filter((d) => d === -1).length > 1
    ) {
      invalid('targetShape', 'a non-empty array of positive integers, with at most one -1 (inferred)', t);
    }
    this.targetShape = t.slice();
  }
  computeOutputShape(s: number[]): number[] {
    const n = shapeSize(s),
      known = shapeSize(this.targetShape.filter((d) => d !== -1));
    const out = this.targetShape.map((d) => (d === -1 ? n / known : d));
    if (!out.every((d) => Number.isInteger(d) && d > 0) || shapeSize(out) !== n) {
      throw new ValueError(
        `Reshape layer '${this.name}': cannot reshape an input of shape [${s}] (${n} values per sample) to [${this.targetShape}].`,
      );
    }
    return out;
  }
  override aliasesInput(): boolean {
    return true;
  }
  forward(): void {
    /* the output is the input */
  }
  backward(): void {
    /* the gradient passes through */
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), target_shape: this.targetShape.slice() };
  }
}

/** Repeats each sample's vector n times: [k] → [n, k]. */
export class RepeatVector extends Layer {
  readonly className = 'RepeatVector';
  readonly n: number;
  constructor(args: LayerArgs & { n: number }) {
    if (typeof args !== 'object' || args === null) invalid('args', 'an object like { n: 3 }', args);
    super(args, 'RepeatVector');
    if (!Number.isInteger(args.n) || args.n <= 0) invalid('n', 'a positive integer', args.n);
    this.n = args.n;
  }
  computeOutputShape(s: number[]): number[] {
    if (s.length !== 1)
      throw new ValueError(
        `RepeatVector layer '${this.name}' expects an input of rank 1 per sample. Received input shape [${s}].`,
      );
    return [this.n, s[0]!];
  }
  forward(ctx: StepContext, buf: LayerBuffers, x: number, M: number): void {
    const k = this.inFeatures,
      n = this.n;
    for (let i = 0; i < M; i++) for (let r = 0; r < n; r++) copy(ctx.be, x + i * k * 4, buf.y + (i * n + r) * k * 4, k);
  }
  backward(ctx: StepContext, buf: LayerBuffers, _x: number, dx: number, M: number): void {
    if (dx === 0) return;
    const k = this.inFeatures,
      n = this.n;
    // Each sample's gradient is the sum of its n copies' gradients: a column sum of an n×k block.
    for (let i = 0; i < M; i++) ctx.be.colSum(buf.dy + i * n * k * 4, n, k, dx + i * k * 4, 0);
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), n: this.n };
  }
}

/** Permutes the axes of each sample: `dims` is a permutation of 1..rank (axis 0, the batch, stays). */
export class Permute extends Layer {
  readonly className = 'Permute';
  readonly dims: number[];
  /** Output position → input position, per sample (built once). */
  private map: Int32Array = new Int32Array(0);
  constructor(args: LayerArgs & { dims: number[] }) {
    if (typeof args !== 'object' || args === null) invalid('args', 'an object like { dims: [2, 1] }', args);
    super(args, 'Permute');
    const d = args.dims;
    if (!Array.isArray(d) || d.length === 0 || [...d].sort((a, b) => a - b).some((v, i) => v !== i + 1)) {
      invalid('dims', 'a permutation of 1..rank, such as [2, 1] (axis 0, the batch, is not included)', d);
    }
    this.dims = d.slice();
  }
  computeOutputShape(s: number[]): number[] {
    if (s.length !== this.dims.length)
      throw new ValueError(
        `Permute layer '${this.name}': dims [${this.dims}] need an input of rank ${this.dims.length} per sample. Received input shape [${s}].`,
      );
    return this.dims.map((d) => s[d - 1]!);
  }
  override build(s: number[]): void {
    super.build(s);
    const out = this.outputShape!,
      rank = s.length;
    const inStride = new Array<number>(rank).fill(1);
    for (let a = rank - 2; a >= 0; a--) inStride[a] = inStride[a + 1]! * s[a + 1]!;
    this.map = new Int32Array(shapeSize(out));
    const idx = new Array<number>(rank).fill(0);
    for (let o = 0; o < this.map.length; o++) {
      let src = 0;
      for (let a = 0; a < rank; a++) src += idx[a]! * inStride[this.dims[a]! - 1]!;
      this.map[o] = src;
      for (let a = rank - 1; a >= 0; a--) {
        if (++idx[a]! < out[a]!) break;
        idx[a] = 0;
      }
    }
  }
  forward(ctx: StepContext, buf: LayerBuffers, x: number, M: number): void {
    const f = ctx.be.heap.f32,
      k = this.map.length,
      map = this.map;
    for (let i = 0; i < M; i++) {
      const xi = (x >> 2) + i * k,
        yi = (buf.y >> 2) + i * k;
      for (let o = 0; o < k; o++) f[yi + o] = f[xi + map[o]!]!;
    }
  }
  backward(ctx: StepContext, buf: LayerBuffers, _x: number, dx: number, M: number): void {
    if (dx === 0) return;
    const f = ctx.be.heap.f32,
      k = this.map.length,
      map = this.map;
    for (let i = 0; i < M; i++) {
      const di = (dx >> 2) + i * k,
        gi = (buf.dy >> 2) + i * k;
      for (let o = 0; o < k; o++) f[di + map[o]!] = f[gi + o]!;
    }
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), dims: this.dims.slice() };
  }
}

/** Flattens each sample to one dimension (no copy). */
export class Flatten extends Layer {
  readonly className = 'Flatten';
  constructor(args: LayerArgs = {}) {
    super(args, 'Flatten');
  }
  computeOutputShape(s: number[]): number[] {
    return [shapeSize(s)];
  }
  override aliasesInput(): boolean {
    return true;
  }
  forward(): void {
    /* the output is the input */
  }
  backward(): void {
    /* the gradient passes through */
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), data_format: 'channels_last' };
  }
}

/**
 * Tensor k of a layer that returns several (see Layer.outputCount): a copy of its block of the layer's flat
 * value. Internal: it is not in model.layers, summaries or files (which name the tensor [layer, node, k]).
 */
export class OutputSlice extends Layer {
  readonly className = 'OutputSlice';
  /** Floats per sample before this tensor's block, of it, and of the whole flat value. */
  private readonly before: number;
  private readonly size: number;
  private readonly total: number;
  constructor(
    readonly source: Layer,
    readonly index: number,
    private readonly shapes: number[][],
    flatName: string,
  ) {
    super({ name: `${flatName}/output_${index}` }, 'OutputSlice');
    const sizes = shapes.map(shapeSize);
    this.before = sizes.slice(0, index).reduce((a, b) => a + b, 0);
    this.size = sizes[index]!;
    this.total = sizes.reduce((a, b) => a + b, 0);
  }
  computeOutputShape(): number[] {
    return this.shapes[this.index]!.slice();
  }
  /** A sequence among the tensors (the output of returnSequences, not a state) keeps its source's mask. */
  override maskMode(): 'keep' | 'drop' {
    return this.source.maskMode() === 'keep' && this.shapes[this.index]!.length === 2 ? 'keep' : 'drop';
  }
  override outputShapeFor(): number[] {
    return this.computeOutputShape();
  }
  forward(ctx: StepContext, buf: LayerBuffers, x: number, M: number): void {
    const f = ctx.be.heap.f32,
      a = (x >> 2) + M * this.before;
    f.copyWithin(buf.y >> 2, a, a + M * this.size);
  }
  backward(ctx: StepContext, buf: LayerBuffers, _x: number, dx: number, M: number): void {
    if (dx === 0) return;
    const f = ctx.be.heap.f32,
      d = dx >> 2;
    f.fill(0, d, d + M * this.total);
    f.copyWithin(d + M * this.before, buf.dy >> 2, (buf.dy >> 2) + M * this.size);
  }
}

/** Declares the input feature shape of a sequential model: `sn.layers.input({ shape: [784] })`. */
export class InputLayer extends Layer {
  readonly className = 'InputLayer';
  constructor(args: { shape?: number[]; batchShape?: (number | null)[]; name?: string }) {
    if (typeof args !== 'object' || args === null || (args.shape === undefined && args.batchShape === undefined)) {
      invalid('shape', 'an array of positive integers (the feature shape)', args?.shape);
    }
    const sh = args.shape;
    if (sh !== undefined && (!Array.isArray(sh) || sh.length === 0 || sh.some((d) => !Number.isInteger(d) || d <= 0))) {
      invalid(
        'shape',
        'a non-empty array of positive integers (the shape of one sample, without the batch dimension)',
        sh,
      );
    }
    super({ name: args.name, inputShape: args.shape, batchInputShape: args.batchShape }, 'Input');
  }
  private tensor: SymbolicTensor | null = null;
  /** The symbolic tensor this input layer stands for (a functional model's input). */
  get output(): SymbolicTensor {
    if (!this.tensor) {
      this.build(this.declaredInputShape!);
      const node: GraphNode = { layer: this, inputs: [], output: null as unknown as SymbolicTensor };
      this.tensor = node.output = new SymbolicTensor(node, this.declaredInputShape!, this.name);
    }
    return this.tensor;
  }
  computeOutputShape(s: number[]): number[] {
    return s.slice();
  }
  override aliasesInput(): boolean {
    return true;
  }
  forward(): void {
    /* nothing */
  }
  backward(): void {
    /* nothing */
  }
  override getConfig(): Record<string, unknown> {
    return {
      batch_input_shape: [this.declaredBatchSize, ...(this.declaredInputShape ?? [])],
      dtype: 'float32',
      sparse: false,
      name: this.name,
    };
  }
}

// ------------------------------------------------------------------ readers of Keras/TF.js configs
// (in the order error messages list the supported classes)

registerLayer('InputLayer', ({ c, path, base }) => {
  c.unsupported('sparse', 'a sparse input', (x) => x === false);
  c.unsupported('ragged', 'a ragged input', (x) => x === false);
  if (!base.batchInputShape)
    throw new DataError(`${path}.config: an InputLayer needs batch_input_shape (or batch_shape).`);
  return new InputLayer({ batchShape: base.batchInputShape, ...(base.name !== undefined ? { name: base.name } : {}) });
});
registerLayer('Dense', ({ c, base, maxParams, activation, init, regularizer, noConstraint }) => {
  noConstraint('kernel_constraint');
  noConstraint('bias_constraint');
  c.unsupported('lora_rank', 'LoRA');
  c.unsupported('quantization_config', 'a quantized layer');
  return new Dense({
    ...base,
    units: c.int('units', undefined, 1, maxParams),
    activation: activation(),
    useBias: c.bool('use_bias', true),
    kernelInitializer: init('kernel_initializer', 'glorot_uniform'),
    biasInitializer: init('bias_initializer', 'zeros'),
    kernelRegularizer: regularizer('kernel_regularizer'),
    biasRegularizer: regularizer('bias_regularizer'),
  });
});
registerLayer('Dropout', ({ c, base }) => {
  c.unsupported('noise_shape', 'a dropout noise_shape');
  const seed = c.get('seed');
  if (seed !== undefined && !(typeof seed === 'number' && Number.isSafeInteger(seed)))
    c.fail('seed', 'an integer or null', seed);
  return new Dropout({
    ...base,
    rate: c.num('rate', undefined, (x) => x >= 0 && x < 1, 'a number in [0, 1)'),
    ...(seed !== undefined ? { seed: seed as number } : {}),
  });
});
registerLayer('BatchNormalization', ({ c, base, init, noConstraint }) => {
  let axis = c.get('axis') ?? -1;
  if (Array.isArray(axis) && axis.length === 1) axis = axis[0];
  // -1, or a positive index (checked against the input's rank when the layer is built: the last axis only).
  if (!(axis === -1 || (Number.isInteger(axis) && (axis as number) >= 1))) {
    throw new NotSupportedError(
      `${c.p('axis')}: simdnet normalizes over the last axis (axis -1). Received: ${describe(c.get('axis'))}`,
    );
  }
  c.unsupported('beta_regularizer', 'a BatchNormalization regularizer');
  c.unsupported('gamma_regularizer', 'a BatchNormalization regularizer');
  noConstraint('beta_constraint');
  noConstraint('gamma_constraint');
  c.unsupported('renorm', 'batch renormalization', (x) => x === false);
  c.unsupported('virtual_batch_size', 'virtual batches');
  c.unsupported('adjustment', 'an adjustment function');
  return new BatchNormalization({
    ...base,
    axis: axis as number,
    momentum: c.num('momentum', 0.99, (x) => x >= 0 && x <= 1, 'a number in [0, 1]'),
    epsilon: c.num('epsilon', 1e-3, (x) => x > 0, 'a positive number'),
    center: c.bool('center', true),
    scale: c.bool('scale', true),
    gammaInitializer: init('gamma_initializer', 'ones'),
    betaInitializer: init('beta_initializer', 'zeros'),
    movingMeanInitializer: init('moving_mean_initializer', 'zeros'),
    movingVarianceInitializer: init('moving_variance_initializer', 'ones'),
  });
});
registerLayer('Flatten', ({ c, base }) => {
  const df = c.str('data_format');
  if (df !== undefined && normalizeName(df) !== 'channelslast')
    throw new NotSupportedError(`${c.p('data_format')}: only 'channels_last' is supported. Received: ${describe(df)}`);
  return new Flatten(base);
});
registerLayer('Activation', ({ base, activation }) => new Activation({ ...base, activation: activation() }));
registerLayer('LeakyReLU', ({ c, base }) => {
  const a =
    c.get('alpha') !== undefined
      ? c.num('alpha', 0.3, (x) => x >= 0, 'a non-negative number')
      : c.num('negative_slope', 0.3, (x) => x >= 0, 'a non-negative number');
  return new LeakyReLU({ ...base, alpha: a });
});
registerLayer(
  'ELU',
  ({ c, base }) => new ELU({ ...base, alpha: c.num('alpha', 1, (x) => x >= 0, 'a non-negative number') }),
);
// Keras classes simdnet represents with the ones above.
registerLayer(
  'ReLU',
  ({ c, base }) => {
    c.unsupported('threshold', 'ReLU with a threshold', (x) => x === 0);
    const max = c.get('max_value');
    const slope = c.num('negative_slope', 0, (x) => x >= 0, 'a non-negative number');
    if (max !== undefined && max !== null) c.unsupported('negative_slope', 'a capped leaky ReLU', (x) => x === 0);
    return new ReLU({
      ...base,
      maxValue:
        max === undefined || max === null ? null : c.num('max_value', 0, (x) => x >= 0, 'a non-negative number'),
      negativeSlope: slope,
    });
  },
  'ReLU (threshold 0)',
);
registerLayer(
  'Softmax',
  ({ c, base, lastAxis }) => {
    const axis = c.get('axis') ?? -1;
    if (!lastAxis(axis))
      throw new NotSupportedError(
        `${c.p('axis')}: simdnet's softmax runs over the last axis. Received: ${describe(axis)}`,
      );
    return new Activation({ ...base, activation: 'softmax' });
  },
  'Softmax (last axis)',
);
registerLayer('Reshape', ({ c, base }) => new Reshape({ ...base, targetShape: c.get('target_shape') as number[] }));
registerLayer('Permute', ({ c, base }) => new Permute({ ...base, dims: c.get('dims') as number[] }));
registerLayer(
  'RepeatVector',
  ({ c, base, maxParams }) => new RepeatVector({ ...base, n: c.int('n', undefined, 1, maxParams) }),
);

// Factories in TF.js style: sn.layers.dense({ units: 10, activation: 'relu' }).

/**
 * A fully connected layer, y = activation(x·W + b).
 * @param args.units output size (required, a positive integer).
 * @param args.activation activation name. Defaults to 'linear'.
 * @param args.useBias add a bias. Defaults to true.
 * @param args.kernelInitializer Defaults to 'glorot_uniform'. @param args.biasInitializer Defaults to 'zeros'.
 * @param args.kernelRegularizer / args.biasRegularizer 'l1', 'l2', 'l1l2' or a Regularizer. Defaults to none.
 * @param args.inputDim / args.inputShape the input feature shape, for the first layer.
 * @example sn.layers.dense({ units: 10, inputDim: 8, activation: 'relu' })
 */
export const dense = (args: DenseArgs) => new Dense(args);
/**
 * Applies an activation to its input (softmax along the features).
 * @example sn.layers.activation({ activation: 'softmax' })
 */
export const activation = (args: ActivationArgs) => new Activation(args);
/**
 * Dropout: while training, zeroes a fraction `rate` of the inputs (a new mask each step,
 * from a seeded counter-based generator) and scales the rest by 1/(1 − rate); does nothing in inference.
 * @param args.rate fraction to drop, in [0, 1). @param args.seed fixed mask seed. Defaults to the fit's seed.
 * @example sn.layers.dropout({ rate: 0.2 })
 */
export const dropout = (args: DropoutArgs) => new Dropout(args);
/**
 * Batch normalization over the features: batch statistics while training, moving averages in inference.
 * @param args.momentum of the moving averages. Defaults to 0.99. @param args.epsilon Defaults to 1e-3.
 * @param args.center learn a shift (beta). Defaults to true. @param args.scale learn a scale (gamma). Defaults to true.
 * @example sn.layers.batchNormalization()
 */
export const batchNormalization = (args: BatchNormalizationArgs = {}) => new BatchNormalization(args);
/** Flattens each sample to one dimension (no copy). @example sn.layers.flatten({ inputShape: [28, 28] }) */
export const flatten = (args: LayerArgs = {}) => new Flatten(args);
/**
 * Reshapes each sample without copying; one dimension may be -1 (inferred).
 * @example sn.layers.reshape({ targetShape: [4, 3] })
 */
export const reshape = (args: LayerArgs & { targetShape: number[] }) => new Reshape(args);
/**
 * Permutes the axes of each sample (1-based, the batch axis excluded).
 * @example sn.layers.permute({ dims: [2, 1] })
 */
export const permute = (args: LayerArgs & { dims: number[] }) => new Permute(args);
/**
 * Repeats each sample's vector n times: [k] → [n, k].
 * @example sn.layers.repeatVector({ n: 3 })
 */
export const repeatVector = (args: LayerArgs & { n: number }) => new RepeatVector(args);
/** Declares the input feature shape of a sequential model. @example sn.layers.input({ shape: [784] }) */
export const input = (args: { shape?: number[]; batchShape?: (number | null)[]; name?: string }) =>
  new InputLayer(args);
/**
 * Leaky ReLU as a layer: x for x > 0, alpha·x otherwise — a cure for dead ReLUs.
 * @param args.alpha the negative slope (Keras 3 calls it negativeSlope). Defaults to 0.3.
 * @example sn.layers.leakyReLU({ alpha: 0.1 })
 */
export const leakyReLU = (args: LayerArgs & { alpha?: number; negativeSlope?: number } = {}) => new LeakyReLU(args);
/**
 * ELU as a layer: x for x > 0, alpha·(eˣ − 1) otherwise.
 * @param args.alpha Defaults to 1. @example sn.layers.elu()
 */
export const elu = (args: LayerArgs & { alpha?: number } = {}) => new ELU(args);
/**
 * ReLU as a layer, capped at `maxValue` if given (ReLU6: `{ maxValue: 6 }`).
 * @example sn.layers.reLU({ maxValue: 6 })
 */
export const reLU = (args: ReLUArgs = {}) => new ReLU(args);
