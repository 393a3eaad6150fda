/**
 * Merge layers for functional models: `add`, `subtract`, `multiply`,
 * `average`, `maximum`, `minimum` (elementwise over inputs of one shape) and
 * `concatenate({ axis })`. Each takes a list of inputs, so the engine calls
 * their `forwardMulti` / `backwardMulti`; they own no weights.
 *
 * The factories take TF.js's form (`sn.layers.add()` returns a layer, to
 * `apply([a, b])`) and Keras's (`sn.layers.add([a, b])` applies at once and
 * returns the tensor).
 */
import type { Backend } from './backend/types.js';
import { ValueError, describe, invalid } from './errors.js';
import { registerLayer } from './io/cfg.js';
import { Layer, type LayerArgs, type LayerBuffers, type StepContext } from './layers.js';
import { SymbolicTensor } from './engine/graph.js';
import { shapeSize } from './tensor.js';

const copy = (be: Backend, src: number, dst: number, n: number) => {
  be.heap.f32.copyWithin(dst >> 2, src >> 2, (src >> 2) + n);
};
const fmt = (shapes: number[][]) => shapes.map((s) => `[null, ${s.join(', ')}]`).join(', ');

/** What every merge layer shares: several inputs, shapes checked when built. */
export abstract class Merge extends Layer {
  protected shapes: number[][] = [];
  override get multiInput(): boolean {
    return true;
  }
  override inputShapes(): number[][] {
    return this.shapes.map((s) => s.slice());
  }
  /** The output shape for these input shapes (throws, naming the layer, if they do not merge). */
  abstract mergeShape(shapes: number[][]): number[];
  override outputShapeFor(shapes: number[][]): number[] {
    return this.mergeShape(shapes);
  }
  computeOutputShape(s: number[]): number[] {
    return this.mergeShape([s, s]);
  }
  override buildMulti(shapes: number[][]): void {
    this.outputShape = this.mergeShape(shapes);
    this.shapes = shapes.map((s) => s.slice());
    this.inputShape = shapes[0]!.slice();
    this.built = true;
  }
  protected minInputs(shapes: number[][], n = 2): void {
    if (shapes.length < n)
      throw new ValueError(
        `A ${this.className} layer ('${this.name}') needs at least ${n} inputs. Received: ${shapes.length} (${fmt(shapes)}).`,
      );
  }
  forward(ctx: StepContext, buf: LayerBuffers, x: number, M: number): void {
    this.forwardMulti(ctx, buf, [x], M);
  }
  backward(ctx: StepContext, buf: LayerBuffers, x: number, dx: number, M: number): void {
    this.backwardMulti(ctx, buf, [x], [dx], M);
  }
}

/** Elementwise merges: every input has the same shape, and so has the output. */
abstract class Elementwise extends Merge {
  mergeShape(shapes: number[][]): number[] {
    this.minInputs(shapes);
    const first = shapes[0]!.join();
    if (shapes.some((s) => s.join() !== first)) {
      throw new ValueError(
        `A ${this.className} layer ('${this.name}') needs inputs of one shape. Received: ${fmt(shapes)}.`,
      );
    }
    return shapes[0]!.slice();
  }
}

/** Sum of the inputs. */
export class Add extends Elementwise {
  readonly className: string = 'Add';
  constructor(args: LayerArgs = {}, defaultName = 'Add') {
    super(args, defaultName);
  }
  override forwardMulti(ctx: StepContext, buf: LayerBuffers, xs: readonly number[], M: number): void {
    const n = M * this.outFeatures,
      be = ctx.be;
    copy(be, xs[0]!, buf.y, n);
    for (let i = 1; i < xs.length; i++) be.axpy(n, 1, xs[i]!, buf.y);
  }
  override backwardMulti(
    ctx: StepContext,
    buf: LayerBuffers,
    _xs: readonly number[],
    dxs: readonly number[],
    M: number,
  ): void {
    const n = M * this.outFeatures;
    for (const d of dxs) if (d !== 0) copy(ctx.be, buf.dy, d, n);
  }
}

/** Mean of the inputs. */
export class Average extends Add {
  override readonly className = 'Average';
  constructor(args: LayerArgs = {}) {
    super(args, 'Average');
  }
  override forwardMulti(ctx: StepContext, buf: LayerBuffers, xs: readonly number[], M: number): void {
    super.forwardMulti(ctx, buf, xs, M);
    ctx.be.scale(buf.y, M * this.outFeatures, 1 / xs.length);
  }
  override backwardMulti(
    ctx: StepContext,
    buf: LayerBuffers,
    xs: readonly number[],
    dxs: readonly number[],
    M: number,
  ): void {
    const n = M * this.outFeatures;
    for (const d of dxs)
      if (d !== 0) {
        copy(ctx.be, buf.dy, d, n);
        ctx.be.scale(d, n, 1 / xs.length);
      }
  }
}

/** The first input minus the second (exactly two inputs). */
export class Subtract extends Elementwise {
  readonly className = 'Subtract';
  constructor(args: LayerArgs = {}) {
    super(args, 'Subtract');
  }
  override mergeShape(shapes: number[][]): number[] {
    if (shapes.length !== 2)
      throw new ValueError(
        `A Subtract layer ('${this.name}') needs exactly 2 inputs. Received: ${shapes.length} (${fmt(shapes)}).`,
      );
    return super.mergeShape(shapes);
  }
  override forwardMulti(ctx: StepContext, buf: LayerBuffers, xs: readonly number[], M: number): void {
    const n = M * this.outFeatures;
    copy(ctx.be, xs[0]!, buf.y, n);
    ctx.be.axpy(n, -1, xs[1]!, buf.y);
  }
  override backwardMulti(
    ctx: StepContext,
    buf: LayerBuffers,
    _xs: readonly number[],
    dxs: readonly number[],
    M: number,
  ): void {
    const n = M * this.outFeatures;
    if (dxs[0]) copy(ctx.be, buf.dy, dxs[0], n);
    if (dxs[1]) {
      copy(ctx.be, buf.dy, dxs[1], n);
      ctx.be.scale(dxs[1], n, -1);
    }
  }
}

/** Product of the inputs. */
export class Multiply extends Elementwise {
  readonly className = 'Multiply';
  constructor(args: LayerArgs = {}) {
    super(args, 'Multiply');
  }
  override forwardMulti(ctx: StepContext, buf: LayerBuffers, xs: readonly number[], M: number): void {
    const n = M * this.outFeatures;
    ctx.be.mul(xs[0]!, xs[1]!, buf.y, n);
    for (let i = 2; i < xs.length; i++) ctx.be.mul(buf.y, xs[i]!, buf.y, n);
  }
  /** ∂/∂xᵢ = dy · Πⱼ≠ᵢ xⱼ. */
  override backwardMulti(
    ctx: StepContext,
    buf: LayerBuffers,
    xs: readonly number[],
    dxs: readonly number[],
    M: number,
  ): void {
    const n = M * this.outFeatures;
    for (let i = 0; i < xs.length; i++) {
      const d = dxs[i]!;
      if (d === 0) continue;
      let src = buf.dy;
      for (let j = 0; j < xs.length; j++)
        if (j !== i) {
          ctx.be.mul(src, xs[j]!, d, n);
          src = d;
        }
    }
  }
}

/** Elementwise maximum (or minimum) of the inputs; the gradient goes to the first input that holds it. */
abstract class Extremum extends Elementwise {
  protected abstract readonly sign: 1 | -1;
  override forwardMulti(ctx: StepContext, buf: LayerBuffers, xs: readonly number[], M: number): void {
    const n = M * this.outFeatures,
      f = ctx.be.heap.f32,
      y = buf.y >> 2,
      s = this.sign;
    copy(ctx.be, xs[0]!, buf.y, n);
    for (let i = 1; i < xs.length; i++) {
      const x = xs[i]! >> 2;
      for (let k = 0; k < n; k++) {
        const v = f[x + k]!;
        if (s * v > s * f[y + k]!) f[y + k] = v;
      }
    }
  }
  override backwardMulti(
    ctx: StepContext,
    buf: LayerBuffers,
    xs: readonly number[],
    dxs: readonly number[],
    M: number,
  ): void {
    const n = M * this.outFeatures,
      f = ctx.be.heap.f32,
      dy = buf.dy >> 2,
      s = this.sign;
    for (const d of dxs) if (d !== 0) f.fill(0, d >> 2, (d >> 2) + n);
    for (let k = 0; k < n; k++) {
      let best = 0,
        bv = f[(xs[0]! >> 2) + k]!;
      for (let i = 1; i < xs.length; i++) {
        const v = f[(xs[i]! >> 2) + k]!;
        if (s * v > s * bv) {
          bv = v;
          best = i;
        }
      }
      const d = dxs[best]!;
      if (d !== 0) f[(d >> 2) + k] = f[dy + k]!;
    }
  }
}

export class Maximum extends Extremum {
  readonly className = 'Maximum';
  protected readonly sign = 1;
  constructor(args: LayerArgs = {}) {
    super(args, 'Maximum');
  }
}

export class Minimum extends Extremum {
  readonly className = 'Minimum';
  protected readonly sign = -1;
  constructor(args: LayerArgs = {}) {
    super(args, 'Minimum');
  }
}

export interface ConcatenateArgs extends LayerArgs {
  /** The axis to join along: -1 (the last, the default) or an index counting the batch axis as 0. */
  axis?: number;
}

/** Joins the inputs along one axis; the other axes must agree. */
export class Concatenate extends Merge {
  readonly className = 'Concatenate';
  readonly axis: number;
  /** Per sample: blocks before the axis, and each input's floats per block. */
  private outer = 1;
  private inner: number[] = [];
  constructor(args: ConcatenateArgs = {}) {
    if (typeof args !== 'object' || args === null) invalid('args', 'an object like { axis: -1 }', args);
    super(args, 'Concatenate');
    const a = args.axis ?? -1;
    if (!Number.isInteger(a) || a === 0)
      invalid('axis', 'a non-zero integer (-1 for the last axis; axis 0 is the batch)', args.axis);
    this.axis = a;
  }
  mergeShape(shapes: number[][]): number[] {
    this.minInputs(shapes);
    const rank = shapes[0]!.length;
    const a = this.axis < 0 ? rank + this.axis : this.axis - 1;
    if (a < 0 || a >= rank || shapes.some((s) => s.length !== rank)) {
      throw new ValueError(
        `A Concatenate layer ('${this.name}') with axis ${this.axis} needs inputs of one rank with that axis. Received: ${fmt(shapes)}.`,
      );
    }
    const bad = shapes.find((s) => s.some((d, i) => i !== a && d !== shapes[0]![i]));
    if (bad)
      throw new ValueError(
        `A Concatenate layer ('${this.name}') needs inputs whose shapes agree except on the concatenation axis (${this.axis}). Received: ${fmt(shapes)}.`,
      );
    const out = shapes[0]!.slice();
    out[a] = shapes.reduce((t, s) => t + s[a]!, 0);
    return out;
  }
  override buildMulti(shapes: number[][]): void {
    super.buildMulti(shapes);
    const rank = shapes[0]!.length,
      a = this.axis < 0 ? rank + this.axis : this.axis - 1;
    this.outer = shapeSize(shapes[0]!.slice(0, a));
    this.inner = shapes.map((s) => shapeSize(s.slice(a)));
  }
  override forwardMulti(ctx: StepContext, buf: LayerBuffers, xs: readonly number[], M: number): void {
    const f = ctx.be.heap.f32,
      rows = M * this.outer,
      width = this.outFeatures / this.outer;
    let off = 0;
    for (let i = 0; i < xs.length; i++) {
      const w = this.inner[i]!,
        x = xs[i]! >> 2,
        y = (buf.y >> 2) + off;
      for (let r = 0; r < rows; r++) f.copyWithin(y + r * width, x + r * w, x + (r + 1) * w);
      off += w;
    }
  }
  override backwardMulti(
    ctx: StepContext,
    buf: LayerBuffers,
    _xs: readonly number[],
    dxs: readonly number[],
    M: number,
  ): void {
    const f = ctx.be.heap.f32,
      rows = M * this.outer,
      width = this.outFeatures / this.outer;
    let off = 0;
    for (let i = 0; i < dxs.length; i++) {
      const w = this.inner[i]!,
        d = dxs[i]! >> 2,
        g = (buf.dy >> 2) + off;
      if (d !== 0) for (let r = 0; r < rows; r++) f.copyWithin(d + r * w, g + r * width, g + r * width + w);
      off += w;
    }
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), axis: this.axis };
  }
}

// ------------------------------------------------------------------ readers of Keras/TF.js configs

registerLayer('Add', ({ base }) => new Add(base));
registerLayer('Subtract', ({ base }) => new Subtract(base));
registerLayer('Multiply', ({ base }) => new Multiply(base));
registerLayer('Average', ({ base }) => new Average(base));
registerLayer('Maximum', ({ base }) => new Maximum(base));
registerLayer('Minimum', ({ base }) => new Minimum(base));
registerLayer('Concatenate', ({ c, base }) => {
  const a = c.get('axis') ?? -1;
  if (!Number.isInteger(a) || a === 0) c.fail('axis', 'a non-zero integer', a);
  return new Concatenate({ ...base, axis: a as number });
});

// ------------------------------------------------------------------ factories

type MergeInputs = SymbolicTensor[];
function factory<L extends Merge, A extends LayerArgs>(make: (a: A) => L) {
  function f(inputs: MergeInputs, args?: A): SymbolicTensor;
  function f(args?: A): L;
  function f(a?: A | MergeInputs, b?: A): L | SymbolicTensor {
    if (Array.isArray(a)) {
      if (b !== undefined && (typeof b !== 'object' || b === null)) invalid('args', 'an object of layer options', b);
      return make((b ?? {}) as A).apply(a);
    }
    if (a !== undefined && (typeof a !== 'object' || a === null))
      invalid('args', 'an object of layer options, or an array of symbolic tensors to merge', a);
    if (a instanceof SymbolicTensor)
      throw new ValueError(`A merge layer takes an array of tensors. Received: one tensor (${describe(a)}).`);
    return make((a ?? {}) as A);
  }
  return f;
}

/**
 * Sum of its inputs (all of one shape).
 * @example const s = sn.layers.add().apply([a, b]);   // or sn.layers.add([a, b])
 */
export const add = factory((a: LayerArgs) => new Add(a));
/** The first input minus the second. @example sn.layers.subtract([a, b]) */
export const subtract = factory((a: LayerArgs) => new Subtract(a));
/** Elementwise product of its inputs. @example sn.layers.multiply([a, b]) */
export const multiply = factory((a: LayerArgs) => new Multiply(a));
/** Elementwise mean of its inputs. @example sn.layers.average([a, b, c]) */
export const average = factory((a: LayerArgs) => new Average(a));
/** Elementwise maximum of its inputs. @example sn.layers.maximum([a, b]) */
export const maximum = factory((a: LayerArgs) => new Maximum(a));
/** Elementwise minimum of its inputs. @example sn.layers.minimum([a, b]) */
export const minimum = factory((a: LayerArgs) => new Minimum(a));
/**
 * Joins its inputs along `axis` (default -1, the last).
 * @example sn.layers.concatenate({ axis: -1 }).apply([a, b])   // or sn.layers.concatenate([a, b])
 */
export const concatenate = factory((a: ConcatenateArgs) => new Concatenate(a));
