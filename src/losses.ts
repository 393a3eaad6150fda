/**
 * Losses. Keras names ('mean_squared_error', 'mse', 'binary_crossentropy', ...)
 * and TF.js names ('meanSquaredError', ...) are accepted, as are loss objects
 * (`sn.losses.huber({ delta: 2 })`) and custom losses
 * (`{ value(yTrue, yPred), gradient(yTrue, yPred) }`).
 *
 * Every built-in loss is one kernel call that returns the weighted sum of
 * per-sample losses and writes the gradient. A cross-entropy after a sigmoid
 * or softmax output runs in the stable fused form on the logits.
 */
import type { Backend } from './backend/types.js';
import { ValueError, describe } from './errors.js';
import { normalizeName } from './activations.js';
import { Tensor } from './tensor.js';

export type LossKind = 'mse' | 'mae' | 'huber' | 'logcosh' | 'hinge' | 'bce' | 'cce' | 'sparse_cce';

/** A custom loss. `value` returns the batch's mean loss; `gradient` returns ∂(mean loss)/∂yPred, shaped like yPred. */
export interface CustomLoss {
  name?: string;
  value(yTrue: Tensor, yPred: Tensor): number;
  gradient(yTrue: Tensor, yPred: Tensor): Tensor;
}

export class Loss {
  constructor(
    /** Canonical Keras name. */
    readonly name: string,
    readonly kind: LossKind,
    readonly options: LossOptions = {},
  ) {}
  getConfig(): Record<string, unknown> {
    const c: Record<string, unknown> = {};
    if (this.kind === 'huber') c.delta = this.options.delta ?? 1;
    if (this.options.fromLogits) c.from_logits = true;
    if (this.options.labelSmoothing) c.label_smoothing = this.options.labelSmoothing;
    if (this.options.ignoreClass !== undefined && this.options.ignoreClass !== null)
      c.ignore_class = this.options.ignoreClass;
    return c;
  }
  /** Whether targets are class indices (one per row) rather than a row of the output's width. */
  get sparse(): boolean {
    return this.kind === 'sparse_cce';
  }

  /**
   * Run the loss kernel on an M×N block. `Z` holds the pre-activation of the
   * output layer and `outAct` names its activation: with a matching
   * cross-entropy the fused kernel reads Z, writes the probabilities to P and
   * the gradient with respect to Z to G; `fused` tells the caller so.
   */
  run(
    be: Backend,
    T: number,
    P: number,
    Z: number,
    G: number,
    W: number,
    M: number,
    N: number,
    gradScale: number,
    outAct: string,
  ): { sum: number; fused: boolean } {
    const logits = this.options.fromLogits === true;
    const ls = this.options.labelSmoothing ?? 0;
    switch (this.kind) {
      case 'mse':
        return { sum: be.mse(T, P, G, W, M, N, gradScale), fused: false };
      case 'mae':
        return { sum: be.mae(T, P, G, W, M, N, gradScale), fused: false };
      case 'huber':
        return { sum: be.huber(T, P, G, W, M, N, gradScale, this.options.delta ?? 1), fused: false };
      case 'logcosh':
        return { sum: be.logCosh(T, P, G, W, M, N, gradScale), fused: false };
      case 'hinge':
        return { sum: be.hinge(T, P, G, W, M, N, gradScale), fused: false };
      case 'bce':
        if (logits) return { sum: be.sigmoidBce(T, P, 0, G, W, M, N, gradScale, ls), fused: false };
        if (outAct === 'sigmoid') return { sum: be.sigmoidBce(T, Z, P, G, W, M, N, gradScale, ls), fused: true };
        return { sum: be.bce(T, P, G, W, M, N, gradScale, ls), fused: false };
      case 'cce':
        if (logits) return { sum: be.softmaxCce(T, P, 0, G, W, M, N, gradScale, ls), fused: false };
        if (outAct === 'softmax') return { sum: be.softmaxCce(T, Z, P, G, W, M, N, gradScale, ls), fused: true };
        return { sum: be.cce(T, P, G, W, M, N, gradScale, ls), fused: false };
      case 'sparse_cce': {
        const ic = this.options.ignoreClass;
        if (ic === undefined || ic === null) {
          if (logits) return { sum: be.sparseSoftmaxCce(T, P, 0, G, W, M, N, gradScale), fused: false };
          if (outAct === 'softmax') return { sum: be.sparseSoftmaxCce(T, Z, P, G, W, M, N, gradScale), fused: true };
          return { sum: be.sparseCce(T, P, G, W, M, N, gradScale), fused: false };
        }
        // Keras's ignore_class: the ignored rows add nothing and the batch's
        // loss is the mean over the others (M/valid rescales the caller's 1/M),
        // 0 when every row is ignored.
        const f = be.heap.view(T, M);
        let valid = 0;
        for (let i = 0; i < M; i++) if (f[i] !== ic) valid++;
        const k = valid === 0 ? 0 : M / valid;
        const gs = gradScale * k;
        const r = logits
          ? { sum: be.sparseSoftmaxCce(T, P, 0, G, W, M, N, gs, ic), fused: false }
          : outAct === 'softmax'
            ? { sum: be.sparseSoftmaxCce(T, Z, P, G, W, M, N, gs, ic), fused: true }
            : { sum: be.sparseCce(T, P, G, W, M, N, gs, ic), fused: false };
        return { sum: r.sum * k, fused: r.fused };
      }
    }
  }
}

/** Options of the built-in losses (see the factories). */
export interface LossOptions {
  delta?: number;
  fromLogits?: boolean;
  /** BCE and CCE: mix the targets with a uniform distribution, t·(1 − s) + s/2 (binary) or s/N (categorical). */
  labelSmoothing?: number;
  /** Sparse CCE: a label value whose rows add no loss and no gradient (the mean runs over the other rows). */
  ignoreClass?: number | null;
}

function checkSmoothing(v: unknown): number {
  if (v === undefined || v === null) return 0;
  if (!(typeof v === 'number' && v >= 0 && v <= 1))
    throw new ValueError(`Invalid value for \`labelSmoothing\`: expected a number in [0, 1]. Received: ${describe(v)}`);
  return v;
}
function checkIgnoreClass(v: unknown): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (!(typeof v === 'number' && Number.isInteger(v)))
    throw new ValueError(
      `Invalid value for \`ignoreClass\`: expected an integer (a class label, e.g. -1 or 255) or null. Received: ${describe(v)}`,
    );
  return v;
}
/** Accept both name styles: labelSmoothing / label_smoothing, fromLogits / from_logits, ignoreClass / ignore_class. */
function pick<T>(a: Record<string, unknown>, camel: string, snake: string): T | undefined {
  return (a[camel] ?? a[snake]) as T | undefined;
}

const TABLE: Record<string, [string, LossKind]> = {
  meansquarederror: ['mean_squared_error', 'mse'],
  mse: ['mean_squared_error', 'mse'],
  meanabsoluteerror: ['mean_absolute_error', 'mae'],
  mae: ['mean_absolute_error', 'mae'],
  huber: ['huber', 'huber'],
  huberloss: ['huber', 'huber'],
  logcosh: ['log_cosh', 'logcosh'],
  hinge: ['hinge', 'hinge'],
  binarycrossentropy: ['binary_crossentropy', 'bce'],
  categoricalcrossentropy: ['categorical_crossentropy', 'cce'],
  sparsecategoricalcrossentropy: ['sparse_categorical_crossentropy', 'sparse_cce'],
};

export const lossNames = [
  'mean_squared_error',
  'mse',
  'mean_absolute_error',
  'mae',
  'huber',
  'log_cosh',
  'hinge',
  'binary_crossentropy',
  'categorical_crossentropy',
  'sparse_categorical_crossentropy',
];

export type LossIdentifier = string | Loss | CustomLoss;

export function isCustomLoss(l: unknown): l is CustomLoss {
  return (
    typeof l === 'object' &&
    l !== null &&
    !(l instanceof Loss) &&
    typeof (l as CustomLoss).value === 'function' &&
    typeof (l as CustomLoss).gradient === 'function'
  );
}

export function getLoss(id: unknown, argName = 'loss'): Loss | CustomLoss {
  if (id instanceof Loss) return id;
  if (isCustomLoss(id)) return id;
  if (typeof id === 'string') {
    const key = normalizeName(id);
    if (Object.prototype.hasOwnProperty.call(TABLE, key)) {
      const [name, kind] = TABLE[key]!;
      return new Loss(name, kind);
    }
  }
  throw new ValueError(
    `Unknown value for \`${argName}\`: expected one of ${lossNames.map((n) => `'${n}'`).join(', ')} (snake_case or camelCase), a Loss, or an object with value(yTrue, yPred) and gradient(yTrue, yPred). Received: ${describe(id)}`,
  );
}

// Factories, TF.js/Keras style. Names work too: compile({ loss: 'huber' }).

/** Mean squared error, mean((p − t)²) per sample. @example sn.losses.meanSquaredError() */
export const meanSquaredError = () => new Loss('mean_squared_error', 'mse');
/** Mean absolute error, mean(|p − t|) per sample. @example sn.losses.meanAbsoluteError() */
export const meanAbsoluteError = () => new Loss('mean_absolute_error', 'mae');
/** Huber loss: quadratic within `delta` (default 1), linear outside. @example sn.losses.huber({ delta: 2 }) */
export const huber = (a: { delta?: number } = {}) => {
  if (a.delta !== undefined && !(a.delta > 0))
    throw new ValueError(`Invalid value for \`delta\`: expected a positive number. Received: ${describe(a.delta)}`);
  return new Loss('huber', 'huber', { delta: a.delta ?? 1 });
};
/** log(cosh(p − t)), computed stably. @example sn.losses.logCosh() */
export const logCosh = () => new Loss('log_cosh', 'logcosh');
/** Keras hinge: mean(max(1 − t·p, 0)), with 0/1 labels mapped to −1/1. @example sn.losses.hinge() */
export const hinge = () => new Loss('hinge', 'hinge');
type Snake<T> = T & Record<string, unknown>;
/**
 * Binary cross-entropy; after a sigmoid output it runs fused on the logits. `fromLogits` (default false) takes raw
 * scores; `labelSmoothing` (default 0) uses targets t·(1 − s) + s/2 (Keras). Snake_case keys work too.
 * @example sn.losses.binaryCrossentropy({ fromLogits: true, labelSmoothing: 0.1 })
 */
export const binaryCrossentropy = (a: Snake<{ fromLogits?: boolean; labelSmoothing?: number }> = {}) =>
  new Loss('binary_crossentropy', 'bce', {
    fromLogits: !!pick(a, 'fromLogits', 'from_logits'),
    labelSmoothing: checkSmoothing(pick(a, 'labelSmoothing', 'label_smoothing')),
  });
/**
 * Categorical cross-entropy on one-hot targets; fused with a softmax output. On probabilities each row is rescaled
 * to sum to 1 first (Keras 3). `labelSmoothing` (default 0) uses targets t·(1 − s) + s/N.
 * @example sn.losses.categoricalCrossentropy({ labelSmoothing: 0.1 })
 */
export const categoricalCrossentropy = (a: Snake<{ fromLogits?: boolean; labelSmoothing?: number }> = {}) =>
  new Loss('categorical_crossentropy', 'cce', {
    fromLogits: !!pick(a, 'fromLogits', 'from_logits'),
    labelSmoothing: checkSmoothing(pick(a, 'labelSmoothing', 'label_smoothing')),
  });
/**
 * Categorical cross-entropy on integer class labels (one per sample); fused with a softmax output. `ignoreClass`
 * (default none) names a label whose rows are left out: no loss, no gradient, and the batch mean runs over the rest.
 * @example sn.losses.sparseCategoricalCrossentropy({ ignoreClass: -1 })
 */
export const sparseCategoricalCrossentropy = (a: Snake<{ fromLogits?: boolean; ignoreClass?: number | null }> = {}) => {
  const ic = checkIgnoreClass(pick(a, 'ignoreClass', 'ignore_class'));
  return new Loss('sparse_categorical_crossentropy', 'sparse_cce', {
    fromLogits: !!pick(a, 'fromLogits', 'from_logits'),
    ...(ic !== undefined ? { ignoreClass: ic } : {}),
  });
};
