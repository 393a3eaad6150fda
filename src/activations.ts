/**
 * Activation names. Keras snake_case and TF.js camelCase spellings are both
 * accepted ('leaky_relu', 'leakyRelu', 'hard_sigmoid', 'hardSigmoid', 'silu').
 *
 * 'hard_sigmoid' is Keras 3's, relu6(x + 3)/6 = clip(x/6 + 0.5, 0, 1).
 * 'hard_sigmoid_legacy' is the TF.js / Keras 2 form, clip(0.2·x + 0.5, 0, 1):
 * what a model file written by TF.js or Keras 2 means by 'hard_sigmoid'
 * (io/config.ts maps it on load and save).
 */
import { Act } from './backend/types.js';
import { ValueError, describe } from './errors.js';

export interface ResolvedActivation {
  /** Canonical Keras name ('relu', 'leaky_relu', 'hard_sigmoid', ...). */
  readonly name: string;
  readonly kind: 'elementwise' | 'softmax';
  /** Kernel code (unused for softmax). */
  readonly code: Act;
  /** The kernel parameter (alpha for leaky_relu and elu). */
  readonly param: number;
}

const TABLE: Record<string, Omit<ResolvedActivation, 'name'> & { name: string }> = {
  linear: { name: 'linear', kind: 'elementwise', code: Act.Linear, param: 0 },
  relu: { name: 'relu', kind: 'elementwise', code: Act.Relu, param: 0 },
  // Keras's leaky_relu function defaults to negative_slope 0.2 (the LeakyReLU layer to 0.3).
  leakyrelu: { name: 'leaky_relu', kind: 'elementwise', code: Act.LeakyRelu, param: 0.2 },
  elu: { name: 'elu', kind: 'elementwise', code: Act.Elu, param: 1 },
  selu: { name: 'selu', kind: 'elementwise', code: Act.Selu, param: 0 },
  sigmoid: { name: 'sigmoid', kind: 'elementwise', code: Act.Sigmoid, param: 0 },
  tanh: { name: 'tanh', kind: 'elementwise', code: Act.Tanh, param: 0 },
  exponential: { name: 'exponential', kind: 'elementwise', code: Act.Exponential, param: 0 },
  softplus: { name: 'softplus', kind: 'elementwise', code: Act.Softplus, param: 0 },
  softsign: { name: 'softsign', kind: 'elementwise', code: Act.Softsign, param: 0 },
  gelu: { name: 'gelu', kind: 'elementwise', code: Act.Gelu, param: 0 },
  swish: { name: 'swish', kind: 'elementwise', code: Act.Swish, param: 0 },
  silu: { name: 'swish', kind: 'elementwise', code: Act.Swish, param: 0 },
  hardsigmoid: { name: 'hard_sigmoid', kind: 'elementwise', code: Act.HardSigmoid, param: 0 },
  hardsigmoidlegacy: { name: 'hard_sigmoid_legacy', kind: 'elementwise', code: Act.HardSigmoidLegacy, param: 0 },
  relu6: { name: 'relu6', kind: 'elementwise', code: Act.ReluMax, param: 6 },
  softmax: { name: 'softmax', kind: 'softmax', code: Act.Linear, param: 0 },
};

/** The accepted activation names (canonical Keras spellings; 'hard_sigmoid_legacy', simdnet's own, is accepted too). */
export const activationNames: readonly string[] = [
  'linear',
  'relu',
  'leaky_relu',
  'elu',
  'selu',
  'sigmoid',
  'tanh',
  'exponential',
  'softplus',
  'softsign',
  'gelu',
  'swish',
  'silu',
  'hard_sigmoid',
  'relu6',
  'softmax',
];

/** Normalize a Keras or TF.js spelling: lower case, no underscores. */
export function normalizeName(name: string): string {
  return name.replace(/_/g, '').toLowerCase();
}

/** Resolve an activation name (or undefined/null → linear), or throw a ValueError listing the known names. */
export function resolveActivation(name: unknown, argName = 'activation'): ResolvedActivation {
  if (name === undefined || name === null) return TABLE.linear!;
  if (typeof name !== 'string' || !Object.prototype.hasOwnProperty.call(TABLE, normalizeName(name))) {
    throw new ValueError(
      `Unknown value for \`${argName}\`: expected one of ${activationNames.map((n) => `'${n}'`).join(', ')}. Received: ${describe(name)}`,
    );
  }
  return TABLE[normalizeName(name)]!;
}
