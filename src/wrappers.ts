/**
 * Layer wrappers (issue 16), as Keras defines them: `bidirectional` runs a recurrent layer over a sequence
 * both ways and merges the two outputs; `timeDistributed` applies a layer to every step of a sequence.
 *
 * Both hold copies of the layer they are given, made from its config (Keras does the same), named so that
 * their weights carry the names TF.js gives them — `bidirectional/forward_lstm/kernel`,
 * `time_distributed/kernel` — and files load both ways. A wrapper's weights are its copies' weights; the
 * engine sees one layer.
 */
import { NotSupportedError, ValueError, invalid } from './errors.js';
import { type LayerReadContext, cloneLayer, registerLayer, writeNestedLayer } from './io/cfg.js';
import { Layer, type LayerArgs, type LayerBuffers, type StepContext } from './layers.js';
import { Recurrent } from './recurrent.js';

const MERGE_MODES = ['concat', 'sum', 'mul', 'ave'] as const;
export type BidirectionalMergeMode = (typeof MERGE_MODES)[number] | 'none' | null;

export interface BidirectionalArgs extends LayerArgs {
  /** The recurrent layer (simpleRNN, lstm, gru) to run forwards and, as a copy with goBackwards flipped, backwards. */
  layer: Layer;
  /**
   * How the two outputs combine: 'concat' (default, on the last axis), 'sum', 'mul' or 'ave'; 'none' (or null)
   * returns both, [forward, backward] (the backward one in time order), in a functional model.
   */
  mergeMode?: BidirectionalMergeMode;
}

/** A sub-layer's buffers within a wrapper's call (worked out once per plan buffer, batch size and workspace). */
interface Sub {
  fwd: LayerBuffers;
  bwd: LayerBuffers;
  /** The backward copy's input gradient, added into the wrapper's. */
  dxB: number;
}

/**
 * A recurrent layer run over the sequence forwards and backwards, the two outputs merged; with
 * returnSequences the backward copy's outputs are put back in time order first, as Keras does.
 */
export class Bidirectional extends Layer {
  readonly className = 'Bidirectional';
  /** The layer as given (its config is what a file holds). */
  readonly layer: Recurrent;
  readonly forwardLayer: Recurrent;
  readonly backwardLayer: Recurrent;
  readonly mergeMode: (typeof MERGE_MODES)[number] | 'none';

  constructor(args: BidirectionalArgs) {
    if (typeof args !== 'object' || args === null) invalid('args', 'an object like { layer: sn.layers.lstm(…) }', args);
    super(args, 'Bidirectional');
    if (!(args.layer instanceof Recurrent))
      invalid('layer', 'a recurrent layer (sn.layers.simpleRNN, lstm or gru)', args.layer);
    const mode = args.mergeMode === undefined ? 'concat' : args.mergeMode === null ? 'none' : args.mergeMode;
    if (mode !== 'none' && !(MERGE_MODES as readonly unknown[]).includes(mode))
      invalid('mergeMode', "'concat', 'sum', 'mul', 'ave' or 'none'", args.mergeMode);
    if (args.layer.returnState)
      throw new NotSupportedError(
        `Bidirectional layer '${this.name}': a wrapped layer with returnState is not supported yet. Received layer '${args.layer.name}' with returnState: true; use mergeMode 'none' to get both directions' outputs.`,
      );
    this.mergeMode = mode;
    this.layer = args.layer;
    const name = args.layer.name,
      copy = (prefix: string, goBackwards: boolean) =>
        cloneLayer(args.layer, {
          name: `${this.name}/${prefix}_${name}`,
          go_backwards: goBackwards,
          trainable: this.trainable,
        }) as Recurrent;
    this.forwardLayer = copy('forward', args.layer.goBackwards);
    this.backwardLayer = copy('backward', !args.layer.goBackwards);
  }

  /** With returnSequences the output's steps are the input's: a mask passes on; both copies read it. */
  override maskMode(): 'keep' | 'drop' {
    return this.forwardLayer.returnSequences ? 'keep' : 'drop';
  }
  /** Zero both copies' carried states (stateful layers). */
  resetStates(): void {
    this.forwardLayer.resetStates();
    this.backwardLayer.resetStates();
  }
  /** The sub-layers' output features per sample. */
  private get subFeatures(): number {
    return this.forwardLayer.outFeatures;
  }
  computeOutputShape(s: number[]): number[] {
    const o = this.forwardLayer.computeOutputShape(s);
    if (this.mergeMode === 'none') return [2 * o.reduce((a, b) => a * b, 1)];
    return this.mergeMode === 'concat' ? [...o.slice(0, -1), 2 * o[o.length - 1]!] : o;
  }
  /** mergeMode 'none' returns two tensors (Layer.outputCount): the flat value holds the forward block first. */
  override outputCount(): number {
    return this.mergeMode === 'none' ? 2 : 1;
  }
  override outputShapesFor(shapes: number[][]): number[][] {
    const o = this.forwardLayer.computeOutputShape(shapes[0]!);
    return this.mergeMode === 'none' ? [o, o.slice()] : [this.computeOutputShape(shapes[0]!)];
  }
  override expectedWeights(s: number[]): { name: string; shape: number[] }[] {
    return [...this.forwardLayer.expectedWeights(s), ...this.backwardLayer.expectedWeights(s)];
  }
  override build(s: number[]): void {
    super.build(s);
    this.forwardLayer.build(s);
    this.backwardLayer.build(s);
    this.weights = [...this.forwardLayer.weights, ...this.backwardLayer.weights];
  }

  override scratchFloats(B: number): number[] {
    // The copies' scratch, then both outputs (the merge's gradient reads them for 'mul').
    return [...this.forwardLayer.scratchFloats(B), ...this.backwardLayer.scratchFloats(B), ...this.outs(B)];
  }
  private outs(B: number): number[] {
    return [B * this.subFeatures, B * this.subFeatures];
  }
  /** Where the copies' transients end and the wrapper's own begin. */
  private subTransient(B: number, training: boolean): number {
    return Math.max(this.forwardLayer.transientFloats(B, training), this.backwardLayer.transientFloats(B, training));
  }
  override transientFloats(B: number, training: boolean): number {
    // Training: both outputs' gradients and the backward copy's input gradient. Inference: both outputs.
    return this.subTransient(B, training) + 2 * B * this.subFeatures + (training ? B * this.inFeatures : 0);
  }

  private subCache = new WeakMap<LayerBuffers, { M: number; transient: number; training: boolean; s: Sub }>();
  private subs(ctx: StepContext, buf: LayerBuffers, M: number): Sub {
    const hit = this.subCache.get(buf);
    if (hit !== undefined && hit.M === M && hit.transient === ctx.transient && hit.training === ctx.training)
      return hit.s;
    const nf = this.forwardLayer.scratchFloats(M).length,
      nb = this.backwardLayer.scratchFloats(M).length,
      own = ctx.transient + this.subTransient(M, ctx.training) * 4,
      n = M * this.subFeatures * 4;
    const training = buf.scratch.length > 0;
    const [yF, yB] = training ? buf.scratch.slice(nf + nb) : [own, own + n];
    const [dyF, dyB] = training ? [own, own + n] : [0, 0];
    const s: Sub = {
      fwd: { y: yF!, z: yF!, dy: dyF!, scratch: buf.scratch.slice(0, nf) },
      bwd: { y: yB!, z: yB!, dy: dyB!, scratch: buf.scratch.slice(nf, nf + nb) },
      dxB: own + 2 * n,
    };
    this.subCache.set(buf, { M, transient: ctx.transient, training: ctx.training, s });
    return s;
  }

  forward(ctx: StepContext, buf: LayerBuffers, x: number, M: number): void {
    const s = this.subs(ctx, buf, M);
    this.forwardLayer.forward(ctx, s.fwd, x, M);
    this.backwardLayer.forward(ctx, s.bwd, x, M);
    this.merge(ctx.be.heap.f32, s.fwd.y, s.bwd.y, buf.y, M, false);
  }

  backward(ctx: StepContext, buf: LayerBuffers, x: number, dx: number, M: number): void {
    const s = this.subs(ctx, buf, M);
    this.merge(ctx.be.heap.f32, s.fwd.y, s.bwd.y, buf.dy, M, true, s.fwd.dy, s.bwd.dy);
    this.forwardLayer.trainable = this.backwardLayer.trainable = this.trainable;
    this.forwardLayer.backward(ctx, s.fwd, x, dx, M);
    this.backwardLayer.backward(ctx, s.bwd, x, dx === 0 ? 0 : s.dxB, M);
    if (dx !== 0) ctx.be.axpy(M * this.inFeatures, 1, s.dxB, dx);
  }

  /**
   * Forward: y = merge(yF, yB), the backward copy's steps reversed first when it returns sequences. Backward
   * (`grad`): from y's gradient (at `y`), the gradients of yF and yB into dF and dB.
   */
  private merge(f: Float32Array, yF: number, yB: number, y: number, M: number, grad: boolean, dF = 0, dB = 0): void {
    const U = this.forwardLayer.units,
      T = this.forwardLayer.returnSequences ? this.inputShape![0]! : 1,
      mode = this.mergeMode,
      both = mode === 'concat' || mode === 'none',
      w = mode === 'concat' ? 2 * U : U,
      // Where the backward copy's block starts, from the forward's, for the modes that keep both.
      second = mode === 'concat' ? U : M * T * U;
    const a0 = yF >> 2,
      b0 = yB >> 2,
      y0 = y >> 2,
      da0 = dF >> 2,
      db0 = dB >> 2;
    for (let m = 0; m < M; m++)
      for (let t = 0; t < T; t++) {
        const a = a0 + (m * T + t) * U,
          b = b0 + (m * T + (T - 1 - t)) * U,
          o = y0 + (m * T + t) * w,
          da = da0 + (m * T + t) * U,
          db = db0 + (m * T + (T - 1 - t)) * U;
        if (!grad) {
          if (both) {
            f.copyWithin(o, a, a + U);
            f.copyWithin(o + second, b, b + U);
          } else
            for (let u = 0; u < U; u++) {
              const p = f[a + u]!,
                q = f[b + u]!;
              f[o + u] = mode === 'sum' ? p + q : mode === 'mul' ? p * q : (p + q) * 0.5;
            }
        } else if (both) {
          f.copyWithin(da, o, o + U);
          f.copyWithin(db, o + second, o + second + U);
        } else
          for (let u = 0; u < U; u++) {
            const g = f[o + u]!;
            f[da + u] = mode === 'sum' ? g : mode === 'mul' ? g * f[b + u]! : g * 0.5;
            f[db + u] = mode === 'sum' ? g : mode === 'mul' ? g * f[a + u]! : g * 0.5;
          }
      }
  }

  override getConfig(): Record<string, unknown> {
    const mergeMode = this.mergeMode === 'none' ? null : this.mergeMode;
    return { ...super.getConfig(), layer: writeNestedLayer(this.layer), merge_mode: mergeMode };
  }
}

export interface TimeDistributedArgs extends LayerArgs {
  /** The layer applied to every step: [steps, ...features] → [steps, ...its output]. */
  layer: Layer;
}

/**
 * A layer applied to every step of a sequence: its input [T, ...features] per sample runs as T samples of
 * [...features] (the layer's own kernels over B·T rows, no copy), its weights shared across steps.
 */
export class TimeDistributed extends Layer {
  readonly className = 'TimeDistributed';
  /** The layer as given (its config is what a file holds). */
  readonly layer: Layer;
  /** The copy that runs, named as the wrapper (TF.js names the weights `time_distributed/kernel`). */
  readonly inner: Layer;

  constructor(args: TimeDistributedArgs) {
    if (typeof args !== 'object' || args === null)
      invalid('args', 'an object like { layer: sn.layers.dense(…) }', args);
    super(args, 'TimeDistributed');
    if (!(args.layer instanceof Layer)) invalid('layer', 'a layer (sn.layers.dense(…), conv2d(…), …)', args.layer);
    if (args.layer.multiInput)
      invalid(
        'layer',
        'a layer of one input (not a merge layer)',
        `${args.layer.className} layer '${args.layer.name}'`,
      );
    this.layer = args.layer;
    this.inner = cloneLayer(args.layer, { name: this.name, trainable: this.trainable });
  }

  computeOutputShape(s: number[]): number[] {
    if (s.length < 2)
      throw new ValueError(
        `TimeDistributed layer '${this.name}' expects an input of shape [steps, ...features] per sample. Received input shape [${s}].`,
      );
    return [s[0]!, ...this.inner.outputShapeFor([s.slice(1)])];
  }
  override expectedWeights(s: number[]): { name: string; shape: number[] }[] {
    return this.inner.expectedWeights(s.slice(1));
  }
  override build(s: number[]): void {
    super.build(s);
    this.inner.build(s.slice(1));
    this.weights = this.inner.weights;
  }
  /** The steps stay the steps: a mask passes on (the wrapped layer runs on every step, masked or not). */
  override maskMode(): 'keep' {
    return 'keep';
  }
  /** Zero the wrapped layer's carried states, if it keeps any. */
  resetStates(): void {
    (this.inner as { resetStates?: () => void }).resetStates?.();
  }
  private get steps(): number {
    return this.inputShape![0]!;
  }
  override needsZ(): boolean {
    return this.inner.planNeedsZ();
  }
  override scratchFloats(B: number): number[] {
    return this.inner.planScratch(B * this.steps);
  }
  override transientFloats(B: number, training: boolean): number {
    return this.inner.planTransient(B * this.steps, training);
  }
  override outputActivation(): string {
    return this.inner.planOutputActivation();
  }
  override logitsPtr(buf: LayerBuffers, x: number): number {
    return this.inner.logitsPtr(buf, x);
  }
  forward(ctx: StepContext, buf: LayerBuffers, x: number, M: number): void {
    this.inner.runForward(ctx, buf, x, M * this.steps);
  }
  backward(ctx: StepContext, buf: LayerBuffers, x: number, dx: number, M: number): void {
    this.inner.trainable = this.trainable;
    this.inner.runBackward(ctx, buf, x, dx, M * this.steps);
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), layer: writeNestedLayer(this.layer) };
  }
}

// ------------------------------------------------------------------ readers of Keras/TF.js configs

registerLayer('Bidirectional', (ctx: LayerReadContext) => {
  ctx.c.unsupported('backward_layer', 'a Bidirectional backward_layer of its own');
  // merge_mode null (Keras's None) returns both directions' outputs.
  const mode = ctx.c.isNull('merge_mode') ? null : ctx.c.get('merge_mode');
  return new Bidirectional({
    ...ctx.base,
    layer: ctx.layer('layer'),
    mergeMode: mode === undefined ? 'concat' : (mode as BidirectionalMergeMode),
  });
});
registerLayer(
  'TimeDistributed',
  (ctx: LayerReadContext) => new TimeDistributed({ ...ctx.base, layer: ctx.layer('layer') }),
);

// ------------------------------------------------------------------ factories

/**
 * A recurrent layer run both ways over the sequence, the outputs merged.
 * @example sn.layers.bidirectional({ layer: sn.layers.lstm({ units: 32 }), mergeMode: 'concat' })
 */
export const bidirectional = (args: BidirectionalArgs) => new Bidirectional(args);
/**
 * A layer applied to every step of a sequence.
 * @example sn.layers.timeDistributed({ layer: sn.layers.dense({ units: 10, activation: 'softmax' }) })
 */
export const timeDistributed = (args: TimeDistributedArgs) => new TimeDistributed(args);
