/**
 * Masking (issue 16), as Keras's: the steps of a sequence whose features all equal `maskValue` are padding.
 * Its output is its input with those steps zeroed, and it carries a mask over the steps that the layers after
 * it read (recurrent layers hold their states through masked steps; GlobalAveragePooling1D averages the
 * others) or pass on.
 */
import { ValueError, invalid } from './errors.js';
import { type LayerReadContext, registerLayer } from './io/cfg.js';
import { Layer, type LayerArgs, type LayerBuffers, type StepContext } from './layers.js';

export interface MaskingArgs extends LayerArgs {
  /** The value that marks a padding step (in every feature). Defaults to 0. */
  maskValue?: number;
}

/** Marks the steps whose features all equal maskValue as padding: [steps, ...features] → the same. */
export class Masking extends Layer {
  readonly className = 'Masking';
  readonly maskValue: number;
  constructor(args: MaskingArgs = {}) {
    if (typeof args !== 'object' || args === null) invalid('args', 'an object like { maskValue: 0 }', args);
    super(args, 'Masking');
    if (args.maskValue !== undefined && !(typeof args.maskValue === 'number' && !Number.isNaN(args.maskValue)))
      invalid('maskValue', 'a number', args.maskValue);
    this.maskValue = args.maskValue ?? 0;
  }
  computeOutputShape(s: number[]): number[] {
    if (s.length < 2)
      throw new ValueError(
        `Masking layer '${this.name}' expects an input of shape [steps, ...features] per sample. Received input shape [${s}].`,
      );
    return s.slice();
  }
  override maskMode(): 'produce' {
    return 'produce';
  }
  forward(ctx: StepContext, buf: LayerBuffers, x: number, M: number): void {
    const f = ctx.be.heap.f32,
      T = this.inputShape![0]!,
      F = this.inFeatures / T,
      v = this.maskValue,
      mk = ctx.maskOut!;
    for (let r = 0; r < M * T; r++) {
      const a = (x >> 2) + r * F,
        y = (buf.y >> 2) + r * F;
      let keep = 0;
      for (let k = 0; k < F; k++)
        if (f[a + k] !== v) {
          keep = 1;
          break;
        }
      mk[r] = keep;
      if (keep) f.copyWithin(y, a, a + F);
      else f.fill(0, y, y + F);
    }
  }
  backward(ctx: StepContext, buf: LayerBuffers, _x: number, dx: number, M: number): void {
    if (dx === 0) return;
    const f = ctx.be.heap.f32,
      T = this.inputShape![0]!,
      F = this.inFeatures / T,
      mk = ctx.maskOut!;
    for (let r = 0; r < M * T; r++) {
      const d = (dx >> 2) + r * F,
        g = (buf.dy >> 2) + r * F;
      if (mk[r]) f.copyWithin(d, g, g + F);
      else f.fill(0, d, d + F);
    }
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), mask_value: this.maskValue };
  }
}

registerLayer(
  'Masking',
  ({ c, base }: LayerReadContext) => new Masking({ ...base, maskValue: c.num('mask_value', 0) }),
);

/**
 * Mark the steps whose features all equal maskValue as padding, for the layers after.
 * @example sn.layers.masking({ maskValue: 0 })
 */
export const masking = (args: MaskingArgs = {}) => new Masking(args);
