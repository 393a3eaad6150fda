/**
 * Weight regularizers: L1, L2 and both. Their penalty is added to the loss the
 * model reports, and their gradient to the weight's gradient (one fused kernel).
 */
import { ValueError, describe, invalid } from './errors.js';
import { normalizeName } from './activations.js';

export class Regularizer {
  readonly className: string;
  constructor(
    readonly l1: number,
    readonly l2: number,
  ) {
    if (!Number.isFinite(l1) || l1 < 0) invalid('l1', 'a non-negative number', l1);
    if (!Number.isFinite(l2) || l2 < 0) invalid('l2', 'a non-negative number', l2);
    this.className = l1 > 0 && l2 > 0 ? 'L1L2' : l1 > 0 ? 'L1' : l2 > 0 ? 'L2' : 'L1L2';
  }
  getConfig(): Record<string, number> {
    return this.className === 'L1'
      ? { l1: this.l1 }
      : this.className === 'L2'
        ? { l2: this.l2 }
        : { l1: this.l1, l2: this.l2 };
  }
}

/** L1 penalty l1·Σ|w|. Keras default 0.01. */
export const l1 = (a: number | { l1?: number } = {}): Regularizer =>
  new Regularizer(typeof a === 'number' ? a : (a.l1 ?? 0.01), 0);
/** L2 penalty l2·Σw². Keras default 0.01. */
export const l2 = (a: number | { l2?: number } = {}): Regularizer =>
  new Regularizer(0, typeof a === 'number' ? a : (a.l2 ?? 0.01));
/** Both penalties. Keras defaults 0.01 each (TF.js's l1l2 also 0.01). */
export const l1l2 = (a: { l1?: number; l2?: number } = {}): Regularizer => new Regularizer(a.l1 ?? 0.01, a.l2 ?? 0.01);

export type RegularizerIdentifier = string | Regularizer | { className: string; config?: Record<string, unknown> };

export function getRegularizer(
  id: RegularizerIdentifier | null | undefined,
  argName = 'regularizer',
): Regularizer | null {
  if (id === undefined || id === null) return null;
  if (id instanceof Regularizer) return id;
  const name =
    typeof id === 'string' ? id : typeof id === 'object' && typeof id.className === 'string' ? id.className : undefined;
  const cfg = (typeof id === 'object' ? (id.config ?? {}) : {}) as Record<string, unknown>;
  const num = (k: string, d: number) => (typeof cfg[k] === 'number' ? (cfg[k] as number) : d);
  switch (name === undefined ? '' : normalizeName(name)) {
    case 'l1':
      return new Regularizer(num('l1', 0.01), 0);
    case 'l2':
      return new Regularizer(0, num('l2', 0.01));
    case 'l1l2':
      return new Regularizer(
        num('l1', typeof id === 'string' ? 0.01 : 0),
        num('l2', typeof id === 'string' ? 0.01 : 0),
      );
    default:
      throw new ValueError(
        `Unknown value for \`${argName}\`: expected 'l1', 'l2', 'l1l2' or a Regularizer. Received: ${describe(name ?? id)}`,
      );
  }
}
