/**
 * Weight initializers, all seeded. Names in Keras (snake_case) and TF.js
 * (camelCase) spellings: 'glorot_uniform' / 'glorotUniform', 'he_normal', ...
 */
import { ValueError, describe } from './errors.js';
import { normalizeName } from './activations.js';
import { Rng, nextSeed } from './random.js';

export interface InitializerConfig {
  className: string;
  config: Record<string, unknown>;
}

export abstract class Initializer {
  abstract readonly className: string;
  /** Fill `out` for a weight of the given shape (fanIn = shape[0], fanOut = last for a 2-D kernel). */
  abstract fill(out: Float32Array, shape: readonly number[]): void;
  getConfig(): Record<string, unknown> {
    return {};
  }
}

function fans(shape: readonly number[]): [number, number] {
  if (shape.length === 0) return [1, 1];
  if (shape.length === 1) return [shape[0]!, shape[0]!];
  const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  return [shape[shape.length - 2]! * receptive, shape[shape.length - 1]! * receptive];
}

abstract class Seeded extends Initializer {
  readonly seed: number | undefined;
  constructor(seed?: number) {
    super();
    this.seed = seed;
  }
  protected rng(): Rng {
    return new Rng(this.seed ?? nextSeed());
  }
  override getConfig(): Record<string, unknown> {
    return this.seed === undefined ? {} : { seed: this.seed };
  }
}

export class Zeros extends Initializer {
  readonly className = 'Zeros';
  fill(out: Float32Array): void {
    out.fill(0);
  }
}
export class Ones extends Initializer {
  readonly className = 'Ones';
  fill(out: Float32Array): void {
    out.fill(1);
  }
}
export class Constant extends Initializer {
  readonly className = 'Constant';
  constructor(readonly value = 0) {
    super();
  }
  fill(out: Float32Array): void {
    out.fill(this.value);
  }
  override getConfig(): Record<string, unknown> {
    return { value: this.value };
  }
}

export class RandomUniform extends Seeded {
  readonly className = 'RandomUniform';
  constructor(
    readonly minval = -0.05,
    readonly maxval = 0.05,
    seed?: number,
  ) {
    super(seed);
  }
  fill(out: Float32Array): void {
    const r = this.rng();
    for (let i = 0; i < out.length; i++) out[i] = r.uniform(this.minval, this.maxval);
  }
  override getConfig(): Record<string, unknown> {
    return { minval: this.minval, maxval: this.maxval, ...super.getConfig() };
  }
}

export class RandomNormal extends Seeded {
  readonly className = 'RandomNormal';
  constructor(
    readonly mean = 0,
    readonly stddev = 0.05,
    seed?: number,
  ) {
    super(seed);
  }
  fill(out: Float32Array): void {
    const r = this.rng();
    for (let i = 0; i < out.length; i++) out[i] = r.normal(this.mean, this.stddev);
  }
  override getConfig(): Record<string, unknown> {
    return { mean: this.mean, stddev: this.stddev, ...super.getConfig() };
  }
}

export class TruncatedNormal extends Seeded {
  readonly className = 'TruncatedNormal';
  constructor(
    readonly mean = 0,
    readonly stddev = 0.05,
    seed?: number,
  ) {
    super(seed);
  }
  fill(out: Float32Array): void {
    const r = this.rng();
    for (let i = 0; i < out.length; i++) out[i] = this.mean + this.stddev * r.truncatedNormal();
  }
  override getConfig(): Record<string, unknown> {
    return { mean: this.mean, stddev: this.stddev, ...super.getConfig() };
  }
}

/** Keras VarianceScaling: the family behind Glorot, He and LeCun. */
export class VarianceScaling extends Seeded {
  readonly className: string = 'VarianceScaling';
  constructor(
    readonly scale = 1,
    readonly mode: 'fan_in' | 'fan_out' | 'fan_avg' = 'fan_in',
    readonly distribution: 'truncated_normal' | 'untruncated_normal' | 'uniform' = 'truncated_normal',
    seed?: number,
  ) {
    super(seed);
  }
  fill(out: Float32Array, shape: readonly number[]): void {
    const [fanIn, fanOut] = fans(shape);
    const n = this.mode === 'fan_in' ? fanIn : this.mode === 'fan_out' ? fanOut : (fanIn + fanOut) / 2;
    const variance = this.scale / Math.max(1, n);
    const r = this.rng();
    if (this.distribution === 'uniform') {
      const limit = Math.sqrt(3 * variance);
      for (let i = 0; i < out.length; i++) out[i] = r.uniform(-limit, limit);
    } else if (this.distribution === 'untruncated_normal') {
      const std = Math.sqrt(variance);
      for (let i = 0; i < out.length; i++) out[i] = r.normal(0, std);
    } else {
      // Keras: the stddev of a normal truncated at ±2σ is 0.8796… of σ; correct for it.
      const std = Math.sqrt(variance) / 0.87962566103423978;
      for (let i = 0; i < out.length; i++) out[i] = std * r.truncatedNormal();
    }
  }
  override getConfig(): Record<string, unknown> {
    return { scale: this.scale, mode: this.mode, distribution: this.distribution, ...super.getConfig() };
  }
}

/** A named member of the VarianceScaling family, serialized under its own class name. */
abstract class NamedVarianceScaling extends VarianceScaling {
  override getConfig(): Record<string, unknown> {
    return this.seed === undefined ? {} : { seed: this.seed };
  }
}
/** Glorot (Xavier) uniform: U(±sqrt(6/(fanIn+fanOut))). Dense's default kernel initializer. */
export class GlorotUniform extends NamedVarianceScaling {
  override readonly className = 'GlorotUniform';
  constructor(seed?: number) {
    super(1, 'fan_avg', 'uniform', seed);
  }
}
/** Glorot (Xavier) normal: truncated N(0, 2/(fanIn+fanOut)). */
export class GlorotNormal extends NamedVarianceScaling {
  override readonly className = 'GlorotNormal';
  constructor(seed?: number) {
    super(1, 'fan_avg', 'truncated_normal', seed);
  }
}
/** He normal: truncated N(0, 2/fanIn), for ReLU layers. */
export class HeNormal extends NamedVarianceScaling {
  override readonly className = 'HeNormal';
  constructor(seed?: number) {
    super(2, 'fan_in', 'truncated_normal', seed);
  }
}
/** He uniform: U(±sqrt(6/fanIn)). */
export class HeUniform extends NamedVarianceScaling {
  override readonly className = 'HeUniform';
  constructor(seed?: number) {
    super(2, 'fan_in', 'uniform', seed);
  }
}
/** LeCun normal: truncated N(0, 1/fanIn), for SELU. */
export class LecunNormal extends NamedVarianceScaling {
  override readonly className = 'LecunNormal';
  constructor(seed?: number) {
    super(1, 'fan_in', 'truncated_normal', seed);
  }
}
/** LeCun uniform: U(±sqrt(3/fanIn)). */
export class LecunUniform extends NamedVarianceScaling {
  override readonly className = 'LecunUniform';
  constructor(seed?: number) {
    super(1, 'fan_in', 'uniform', seed);
  }
}

/** Orthogonal matrix (QR by modified Gram–Schmidt of a normal matrix), times `gain`. */
export class Orthogonal extends Seeded {
  readonly className = 'Orthogonal';
  constructor(
    readonly gain = 1,
    seed?: number,
  ) {
    super(seed);
  }
  fill(out: Float32Array, shape: readonly number[]): void {
    const cols = shape.length ? shape[shape.length - 1]! : 1;
    const rows = cols === 0 ? 0 : out.length / cols;
    // Orthonormalize the longer side's vectors of the smaller dimension.
    const transposed = rows < cols;
    const nVec = transposed ? rows : cols,
      len = transposed ? cols : rows;
    const r = this.rng();
    const v = new Float64Array(nVec * len);
    for (let i = 0; i < v.length; i++) v[i] = r.normal();
    for (let a = 0; a < nVec; a++) {
      for (let b = 0; b < a; b++) {
        let dot = 0;
        for (let k = 0; k < len; k++) dot += v[a * len + k]! * v[b * len + k]!;
        for (let k = 0; k < len; k++) v[a * len + k]! -= dot * v[b * len + k]!;
      }
      let norm = 0;
      for (let k = 0; k < len; k++) norm += v[a * len + k]! ** 2;
      norm = Math.sqrt(norm) || 1;
      for (let k = 0; k < len; k++) v[a * len + k]! /= norm;
    }
    for (let i = 0; i < rows; i++)
      for (let j = 0; j < cols; j++) {
        out[i * cols + j] = this.gain * (transposed ? v[i * len + j]! : v[j * len + i]!);
      }
  }
  override getConfig(): Record<string, unknown> {
    return { gain: this.gain, ...super.getConfig() };
  }
}

type Ctor = new (...args: never[]) => Initializer;
const BY_NAME: Record<string, Ctor> = {
  zeros: Zeros,
  ones: Ones,
  constant: Constant,
  randomuniform: RandomUniform,
  randomnormal: RandomNormal,
  truncatednormal: TruncatedNormal,
  variancescaling: VarianceScaling,
  glorotuniform: GlorotUniform,
  glorotnormal: GlorotNormal,
  henormal: HeNormal,
  heuniform: HeUniform,
  lecunnormal: LecunNormal,
  lecununiform: LecunUniform,
  orthogonal: Orthogonal,
};
export const initializerNames = [
  'zeros',
  'ones',
  'constant',
  'random_uniform',
  'random_normal',
  'truncated_normal',
  'variance_scaling',
  'glorot_uniform',
  'glorot_normal',
  'he_normal',
  'he_uniform',
  'lecun_normal',
  'lecun_uniform',
  'orthogonal',
];

export type InitializerIdentifier = string | Initializer | InitializerConfig;

/** Resolve a name, an initializer, or a `{className, config}` object. */
export function getInitializer(id: InitializerIdentifier, argName = 'initializer'): Initializer {
  if (id instanceof Initializer) return id;
  const name =
    typeof id === 'string'
      ? id
      : id && typeof id === 'object' && typeof (id as InitializerConfig).className === 'string'
        ? (id as InitializerConfig).className
        : undefined;
  const ctor =
    name === undefined
      ? undefined
      : Object.prototype.hasOwnProperty.call(BY_NAME, normalizeName(name))
        ? BY_NAME[normalizeName(name)]
        : undefined;
  if (!ctor) {
    throw new ValueError(
      `Unknown value for \`${argName}\`: expected one of ${initializerNames.map((n) => `'${n}'`).join(', ')} or an Initializer. Received: ${describe(typeof id === 'object' ? (name ?? id) : id)}`,
    );
  }
  if (typeof id === 'string') return new (ctor as new () => Initializer)();
  return fromConfig(ctor, (id as InitializerConfig).config ?? {});
}

function fromConfig(ctor: Ctor, c: Record<string, unknown>): Initializer {
  const num = (k: string) => (typeof c[k] === 'number' ? (c[k] as number) : undefined);
  const seed = num('seed');
  switch (ctor) {
    case Constant:
      return new Constant(num('value') ?? 0);
    case RandomUniform:
      return new RandomUniform(num('minval') ?? num('minVal') ?? -0.05, num('maxval') ?? num('maxVal') ?? 0.05, seed);
    case RandomNormal:
      return new RandomNormal(num('mean') ?? 0, num('stddev') ?? 0.05, seed);
    case TruncatedNormal:
      return new TruncatedNormal(num('mean') ?? 0, num('stddev') ?? 0.05, seed);
    case Orthogonal:
      return new Orthogonal(num('gain') ?? 1, seed);
    case VarianceScaling:
      return new VarianceScaling(
        num('scale') ?? 1,
        String(c.mode ?? 'fan_in')
          .replace(/([A-Z])/g, '_$1')
          .toLowerCase() as 'fan_in',
        String(c.distribution ?? 'truncated_normal')
          .replace(/([A-Z])/g, '_$1')
          .toLowerCase()
          .replace(/^normal$/, 'truncated_normal') as 'uniform',
        seed,
      );
    default:
      return new (ctor as new (seed?: number) => Initializer)(seed);
  }
}

// Factory functions in TF.js style: sn.initializers.heNormal({ seed: 1 }).
export const zeros = () => new Zeros();
export const ones = () => new Ones();
export const constant = (a: { value?: number } = {}) => new Constant(a.value);
export const randomUniform = (a: { minval?: number; maxval?: number; seed?: number } = {}) =>
  new RandomUniform(a.minval, a.maxval, a.seed);
export const randomNormal = (a: { mean?: number; stddev?: number; seed?: number } = {}) =>
  new RandomNormal(a.mean, a.stddev, a.seed);
export const truncatedNormal = (a: { mean?: number; stddev?: number; seed?: number } = {}) =>
  new TruncatedNormal(a.mean, a.stddev, a.seed);
export const glorotUniform = (a: { seed?: number } = {}) => new GlorotUniform(a.seed);
export const glorotNormal = (a: { seed?: number } = {}) => new GlorotNormal(a.seed);
export const heNormal = (a: { seed?: number } = {}) => new HeNormal(a.seed);
export const heUniform = (a: { seed?: number } = {}) => new HeUniform(a.seed);
export const lecunNormal = (a: { seed?: number } = {}) => new LecunNormal(a.seed);
export const lecunUniform = (a: { seed?: number } = {}) => new LecunUniform(a.seed);
export const orthogonal = (a: { gain?: number; seed?: number } = {}) => new Orthogonal(a.gain, a.seed);
