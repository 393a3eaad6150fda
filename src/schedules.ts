/**
 * Learning-rate schedules: the rate as a function of the optimizer's step
 * count (Keras's `LearningRateSchedule`).
 */
import { invalid } from './errors.js';

export abstract class LearningRateSchedule {
  abstract readonly className: string;
  /** The rate at optimizer step `step` (0 for the first update). */
  abstract at(step: number): number;
  abstract getConfig(): Record<string, unknown>;
}

/** lr = initial · rate^(step / decaySteps) (floored with `staircase`). */
export class ExponentialDecay extends LearningRateSchedule {
  readonly className = 'ExponentialDecay';
  constructor(
    readonly initialLearningRate: number,
    readonly decaySteps: number,
    readonly decayRate: number,
    readonly staircase = false,
  ) {
    super();
    if (!(initialLearningRate > 0)) invalid('initialLearningRate', 'a positive number', initialLearningRate);
    if (!(decaySteps > 0)) invalid('decaySteps', 'a positive number', decaySteps);
    if (!(decayRate > 0)) invalid('decayRate', 'a positive number', decayRate);
  }
  at(step: number): number {
    const p = step / this.decaySteps;
    return this.initialLearningRate * Math.pow(this.decayRate, this.staircase ? Math.floor(p) : p);
  }
  getConfig() {
    return {
      initial_learning_rate: this.initialLearningRate,
      decay_steps: this.decaySteps,
      decay_rate: this.decayRate,
      staircase: this.staircase,
    };
  }
}

/** values[i] while step ≤ boundaries[i]; values[last] after the last boundary. */
export class PiecewiseConstantDecay extends LearningRateSchedule {
  readonly className = 'PiecewiseConstantDecay';
  constructor(
    readonly boundaries: number[],
    readonly values: number[],
  ) {
    super();
    if (!Array.isArray(boundaries) || !Array.isArray(values) || values.length !== boundaries.length + 1) {
      invalid(
        'values',
        `an array one longer than \`boundaries\` (${Array.isArray(boundaries) ? boundaries.length + 1 : '?'} entries)`,
        values,
      );
    }
    for (let i = 1; i < boundaries.length; i++)
      if (!(boundaries[i]! > boundaries[i - 1]!)) invalid('boundaries', 'increasing numbers', boundaries);
  }
  at(step: number): number {
    for (let i = 0; i < this.boundaries.length; i++) if (step <= this.boundaries[i]!) return this.values[i]!;
    return this.values[this.values.length - 1]!;
  }
  getConfig() {
    return { boundaries: this.boundaries, values: this.values };
  }
}

/** Cosine decay from initial to initial·alpha over decaySteps, then flat. */
export class CosineDecay extends LearningRateSchedule {
  readonly className = 'CosineDecay';
  constructor(
    readonly initialLearningRate: number,
    readonly decaySteps: number,
    readonly alpha = 0,
  ) {
    super();
    if (!(initialLearningRate > 0)) invalid('initialLearningRate', 'a positive number', initialLearningRate);
    if (!(decaySteps > 0)) invalid('decaySteps', 'a positive number', decaySteps);
  }
  at(step: number): number {
    const p = Math.min(step, this.decaySteps) / this.decaySteps;
    const cos = 0.5 * (1 + Math.cos(Math.PI * p));
    return this.initialLearningRate * ((1 - this.alpha) * cos + this.alpha);
  }
  getConfig() {
    return { initial_learning_rate: this.initialLearningRate, decay_steps: this.decaySteps, alpha: this.alpha };
  }
}

export const exponentialDecay = (a: {
  initialLearningRate: number;
  decaySteps: number;
  decayRate: number;
  staircase?: boolean;
}) => new ExponentialDecay(a.initialLearningRate, a.decaySteps, a.decayRate, a.staircase);
export const piecewiseConstantDecay = (a: { boundaries: number[]; values: number[] }) =>
  new PiecewiseConstantDecay(a.boundaries, a.values);
export const cosineDecay = (a: { initialLearningRate: number; decaySteps: number; alpha?: number }) =>
  new CosineDecay(a.initialLearningRate, a.decaySteps, a.alpha);
