/**
 * Metrics, accumulated over an epoch from the kernel memory without
 * allocating: accuracy (binary, categorical or sparse, chosen as Keras does
 * from the shapes), mse, mae, precision, recall.
 */
import { ValueError, describe } from './errors.js';
import { normalizeName } from './activations.js';

export type MetricKind =
  | 'binary_accuracy'
  | 'categorical_accuracy'
  | 'sparse_categorical_accuracy'
  | 'mse'
  | 'mae'
  | 'precision'
  | 'recall'
  | 'auto_accuracy';

export class Metric {
  private total = 0;
  private count = 0;
  private tp = 0;
  private fp = 0;
  private fn = 0;
  /** The resolved kind after `resolve` ('accuracy' becomes one of the three accuracies). */
  kind: MetricKind;
  constructor(
    /** The key used in logs and history ('accuracy', 'mse', 'precision', ...). */
    readonly name: string,
    kind: MetricKind,
    readonly threshold = 0.5,
  ) {
    this.kind = kind;
  }

  /** Fix 'accuracy' to binary / sparse / categorical from the output and target widths, as Keras does. */
  resolve(outWidth: number, targetWidth: number): void {
    if (this.kind !== 'auto_accuracy') return;
    this.kind =
      outWidth === 1 ? 'binary_accuracy' : targetWidth === 1 ? 'sparse_categorical_accuracy' : 'categorical_accuracy';
  }

  reset(): void {
    this.total = 0;
    this.count = 0;
    this.tp = 0;
    this.fp = 0;
    this.fn = 0;
  }

  /**
   * Add an M-row batch: predictions P (width N) and targets T (width N, or 1
   * for sparse labels) are float offsets (not bytes) into `f32`; W is a float
   * offset of sample weights or -1.
   */
  update(f32: Float32Array, P: number, T: number, W: number, M: number, N: number): void {
    const tw = this.kind === 'sparse_categorical_accuracy' ? 1 : N;
    for (let i = 0; i < M; i++) {
      const w = W >= 0 ? f32[W + i]! : 1;
      const p = P + i * N,
        t = T + i * tw;
      switch (this.kind) {
        case 'binary_accuracy': {
          let s = 0;
          for (let j = 0; j < N; j++)
            s += (f32[p + j]! > this.threshold ? 1 : 0) === (f32[t + j]! > 0.5 ? 1 : 0) ? 1 : 0;
          this.total += (w * s) / N;
          this.count += w;
          break;
        }
        case 'categorical_accuracy':
        case 'sparse_categorical_accuracy': {
          let best = 0;
          for (let j = 1; j < N; j++) if (f32[p + j]! > f32[p + best]!) best = j;
          let label: number;
          if (this.kind === 'sparse_categorical_accuracy') label = f32[t]!;
          else {
            label = 0;
            for (let j = 1; j < N; j++) if (f32[t + j]! > f32[t + label]!) label = j;
          }
          this.total += w * (best === label ? 1 : 0);
          this.count += w;
          break;
        }
        case 'mse':
        case 'mae': {
          let s = 0;
          for (let j = 0; j < N; j++) {
            const d = f32[p + j]! - f32[t + j]!;
            s += this.kind === 'mse' ? d * d : Math.abs(d);
          }
          this.total += (w * s) / N;
          this.count += w;
          break;
        }
        case 'precision':
        case 'recall': {
          for (let j = 0; j < N; j++) {
            const pred = f32[p + j]! > this.threshold,
              truth = f32[t + j]! > 0.5;
            if (pred && truth) this.tp += w;
            else if (pred && !truth) this.fp += w;
            else if (!pred && truth) this.fn += w;
          }
          break;
        }
        default:
          throw new ValueError(`Metric ${this.name} was not resolved before use`);
      }
    }
  }

  result(): number {
    if (this.kind === 'precision') return this.tp + this.fp > 0 ? this.tp / (this.tp + this.fp) : 0;
    if (this.kind === 'recall') return this.tp + this.fn > 0 ? this.tp / (this.tp + this.fn) : 0;
    return this.count > 0 ? this.total / this.count : 0;
  }
}

const TABLE: Record<string, MetricKind> = {
  accuracy: 'auto_accuracy',
  acc: 'auto_accuracy',
  binaryaccuracy: 'binary_accuracy',
  categoricalaccuracy: 'categorical_accuracy',
  sparsecategoricalaccuracy: 'sparse_categorical_accuracy',
  mse: 'mse',
  meansquarederror: 'mse',
  mae: 'mae',
  meanabsoluteerror: 'mae',
  precision: 'precision',
  recall: 'recall',
};
export const metricNames = [
  'accuracy',
  'binary_accuracy',
  'categorical_accuracy',
  'sparse_categorical_accuracy',
  'mse',
  'mae',
  'precision',
  'recall',
];

/** Resolve a metric name (the key in logs is the name as given). */
export function getMetric(id: unknown, argName = 'metrics'): Metric {
  if (id instanceof Metric) return new Metric(id.name, id.kind, id.threshold);
  if (typeof id === 'string' && Object.prototype.hasOwnProperty.call(TABLE, normalizeName(id)))
    return new Metric(id, TABLE[normalizeName(id)]!);
  throw new ValueError(
    `Unknown value in \`${argName}\`: expected one of ${metricNames.map((n) => `'${n}'`).join(', ')}. Received: ${describe(id)}`,
  );
}

export const binaryAccuracy = (a: { threshold?: number } = {}) =>
  new Metric('binary_accuracy', 'binary_accuracy', a.threshold ?? 0.5);
export const categoricalAccuracy = () => new Metric('categorical_accuracy', 'categorical_accuracy');
export const sparseCategoricalAccuracy = () => new Metric('sparse_categorical_accuracy', 'sparse_categorical_accuracy');
export const precision = (a: { threshold?: number } = {}) => new Metric('precision', 'precision', a.threshold ?? 0.5);
export const recall = (a: { threshold?: number } = {}) => new Metric('recall', 'recall', a.threshold ?? 0.5);
