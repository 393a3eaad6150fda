/**
 * `embedding` (issue 16's first step): integer ids → rows of a trained
 * [inputDim, outputDim] table. The ids arrive as the model's (float) input
 * values; a gather kernel copies the rows and a deterministic scatter-add
 * kernel forms the table's gradient (assembly/seq/embedding.ts). An id that is
 * not an integer in [0, inputDim) is refused with its position, and the model
 * stays usable.
 */
import { DataError, ValueError, invalid } from './errors.js';
import { registerLayer } from './io/cfg.js';
import { Initializer, InitializerIdentifier, RandomUniform, getInitializer } from './initializers.js';
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

export interface EmbeddingArgs extends LayerArgs {
  /** The number of ids: the table's rows (ids run from 0 to inputDim − 1). */
  inputDim: number;
  /** The length of each row. */
  outputDim: number;
  /** Defaults to 'uniform' (uniform in [−0.05, 0.05], as Keras's). */
  embeddingsInitializer?: InitializerIdentifier;
  embeddingsRegularizer?: RegularizerIdentifier;
  /** Id 0 as padding, masked downstream: not supported yet (masks come with the recurrent layers). */
  maskZero?: boolean;
  /** TF.js's way to give the sequence length: the input shape [inputLength]. */
  inputLength?: number;
}

/** Integer ids → rows of a trained table: [..., ] → [..., outputDim]. */
export class Embedding extends Layer {
  readonly className = 'Embedding';
  readonly inputDim: number;
  readonly outputDim: number;
  readonly embeddingsInitializer: Initializer;
  readonly embeddingsRegularizer: Regularizer | null;
  /** Id 0 is padding: the output carries a mask over the steps (0 where the id is 0) for the layers after. */
  readonly maskZero: boolean;
  embeddings: Weight | null = null;

  constructor(args: EmbeddingArgs) {
    if (typeof args !== 'object' || args === null)
      invalid('args', 'an object like { inputDim: 1000, outputDim: 32 }', args);
    const len = args.inputLength;
    if (len !== undefined && len !== null && (!Number.isInteger(len) || len <= 0))
      invalid('inputLength', 'a positive integer', len);
    // inputDim is the table's size here, not Layer's shorthand for the input shape.
    const { inputDim: _size, ...rest } = args;
    super(
      rest.inputShape === undefined && rest.batchInputShape === undefined && len !== undefined && len !== null
        ? { ...rest, inputShape: [len] }
        : rest,
      'Embedding',
    );
    if (!Number.isInteger(args.inputDim) || args.inputDim <= 0)
      invalid('inputDim', 'a positive integer', args.inputDim);
    if (!Number.isInteger(args.outputDim) || args.outputDim <= 0)
      invalid('outputDim', 'a positive integer', args.outputDim);
    if (args.maskZero !== undefined && typeof args.maskZero !== 'boolean')
      invalid('maskZero', 'true or false', args.maskZero);
    this.maskZero = args.maskZero ?? false;
    this.inputDim = args.inputDim;
    this.outputDim = args.outputDim;
    this.embeddingsInitializer =
      args.embeddingsInitializer === undefined || args.embeddingsInitializer === 'uniform'
        ? new RandomUniform(-0.05, 0.05)
        : getInitializer(args.embeddingsInitializer, 'embeddingsInitializer');
    this.embeddingsRegularizer = getRegularizer(args.embeddingsRegularizer, 'embeddingsRegularizer');
  }
  computeOutputShape(s: number[]): number[] {
    if (this.maskZero && s.length !== 1)
      throw new ValueError(
        `Embedding layer '${this.name}': maskZero needs one id per step, an input of shape [steps] per sample. Received input shape [${s}].`,
      );
    return [...s, this.outputDim];
  }
  override maskMode(): 'produce' | 'drop' {
    return this.maskZero ? 'produce' : 'drop';
  }
  override expectedWeights(_s: number[]): { name: string; shape: number[] }[] {
    return [{ name: `${this.name}/embeddings`, shape: [this.inputDim, this.outputDim] }];
  }
  override build(s: number[]): void {
    super.build(s);
    this.embeddings = this.addWeight(
      'embeddings',
      [this.inputDim, this.outputDim],
      this.embeddingsInitializer,
      this.trainable,
      this.embeddingsRegularizer,
    );
  }
  forward(ctx: StepContext, buf: LayerBuffers, x: number, samples: number): void {
    const count = samples * this.inFeatures;
    const bad = ctx.be.embeddingGather(this.embeddings!.ptr, x, buf.y, count, this.outputDim, this.inputDim);
    if (bad !== 0) {
      const i = bad - 1,
        v = ctx.be.heap.f32[(x >> 2) + i]!;
      throw new DataError(
        `Embedding layer '${this.name}': input ${Math.floor(i / this.inFeatures)} (in this batch), position ${i % this.inFeatures}, is ${v}: expected an integer id in [0, ${this.inputDim - 1}] (inputDim ${this.inputDim}).`,
      );
    }
    const m = ctx.maskOut;
    if (m !== null) {
      const f = ctx.be.heap.f32,
        x0 = x >> 2;
      for (let i = 0; i < count; i++) m[i] = f[x0 + i] === 0 ? 0 : 1;
    }
  }
  backward(ctx: StepContext, buf: LayerBuffers, x: number, dx: number, samples: number): void {
    const count = samples * this.inFeatures;
    if (this.trainable) ctx.be.embeddingScatter(buf.dy, x, this.embeddings!.grad, count, this.outputDim, this.inputDim);
    // Ids have no gradient.
    if (dx !== 0) ctx.be.heap.f32.fill(0, dx >> 2, (dx >> 2) + count);
  }
  override getConfig(): Record<string, unknown> {
    const c: Record<string, unknown> = {
      ...super.getConfig(),
      input_dim: this.inputDim,
      output_dim: this.outputDim,
      embeddings_initializer: serializeInit(this.embeddingsInitializer),
      embeddings_regularizer: serializeReg(this.embeddingsRegularizer),
      activity_regularizer: null,
      embeddings_constraint: null,
      mask_zero: this.maskZero,
    };
    if (this.declaredInputShape && this.declaredInputShape.length === 1) c.input_length = this.declaredInputShape[0];
    return c;
  }
}

registerLayer('Embedding', ({ c, base, init, regularizer, noConstraint, maxParams }) => {
  noConstraint('embeddings_constraint');
  const len = c.get('input_length');
  return new Embedding({
    ...base,
    inputDim: c.int('input_dim', undefined, 1, maxParams),
    outputDim: c.int('output_dim', undefined, 1, maxParams),
    embeddingsInitializer: init('embeddings_initializer', 'random_uniform'),
    embeddingsRegularizer: regularizer('embeddings_regularizer'),
    maskZero: c.bool('mask_zero', false),
    ...(base.batchInputShape === undefined && typeof len === 'number' ? { inputLength: len } : {}),
  });
});

/**
 * Integer ids → rows of a trained [inputDim, outputDim] table.
 * @example sn.layers.embedding({ inputDim: 1000, outputDim: 32, inputLength: 50 })
 */
export const embedding = (args: EmbeddingArgs) => new Embedding(args);
