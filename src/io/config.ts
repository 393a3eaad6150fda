/**
 * Keras/TF.js configuration ⇄ simdnet objects: layers, activations,
 * initializers, regularizers, optimizers, losses, metrics.
 *
 * Reading accepts what Keras 2, Keras 3 and TF.js write (snake_case keys, or
 * camelCase from a TF.js in-memory config; `VarianceScaling` with mode
 * 'fan_avg'/'fanAvg' and distribution 'normal'/'truncated_normal'/'uniform';
 * TF.js names such as 'RMSProp', 'Momentum', 'LeCunNormal'). Every value is
 * type-checked with its JSON path in the message. Anything simdnet cannot
 * represent exactly is refused with a NotSupportedError listing what is
 * supported — a model is never loaded silently different.
 *
 * Writing emits the spelling all three readers accept: `L1L2` for every
 * regularizer, `VarianceScaling` for the LeCun initializers, `RMSProp` (with
 * `decay` = rho) and `Momentum` for TF.js's optimizer registry.
 */
import { DataError, NotSupportedError, SimdnetError, describe } from '../errors.js';
import { activationNames, normalizeName, resolveActivation } from '../activations.js';
import {
  Initializer, Constant, GlorotNormal, GlorotUniform, HeNormal, HeUniform, LecunNormal, LecunUniform, Ones, Orthogonal,
  RandomNormal, RandomUniform, TruncatedNormal, VarianceScaling, Zeros,
} from '../initializers.js';
import { Regularizer } from '../regularizers.js';
import { Activation, BatchNormalization, Dense, Dropout, ELU, Flatten, InputLayer, Layer, LeakyReLU } from '../layers.js';
import { Optimizer, getOptimizer, optimizerNames } from '../optimizers.js';
import { Loss, CustomLoss, getLoss, isCustomLoss, lossNames, huber, binaryCrossentropy, categoricalCrossentropy, sparseCategoricalCrossentropy } from '../losses.js';
import { Metric, getMetric, metricNames } from '../metrics.js';
import { at, isPlainObject } from './validate.js';

// ------------------------------------------------------------------ reading helpers

const camel = (k: string) => k.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** A config object with its JSON path, for typed reads with clear errors. */
export class Cfg {
  constructor(readonly o: Record<string, unknown>, readonly path: string) {}
  static of(v: unknown, path: string, what: string): Cfg {
    if (v === undefined || v === null) return new Cfg({}, path);
    if (!isPlainObject(v)) throw new DataError(`${path}: expected ${what}. Received: ${describe(v)}`);
    return new Cfg(v, path);
  }
  /** The value under the snake_case key or its camelCase form; undefined for absent or null. */
  get(k: string): unknown {
    const own = (key: string) => (Object.prototype.hasOwnProperty.call(this.o, key) ? this.o[key] : undefined);
    const v = own(k) ?? own(camel(k));
    return v === null ? undefined : v;
  }
  p(k: string): string { return at(this.path, k); }
  fail(k: string, expected: string, v: unknown): never {
    throw new DataError(`${this.p(k)}: expected ${expected}. Received: ${describe(v)}`);
  }
  int(k: string, def: number | undefined, min: number, max: number): number {
    const v = this.get(k);
    if (v === undefined) { if (def === undefined) this.fail(k, `an integer in [${min}, ${max}] (the field is required)`, v); return def; }
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) this.fail(k, `an integer in [${min}, ${max}]`, v);
    return v;
  }
  num(k: string, def: number | undefined, ok: (x: number) => boolean = () => true, expected = 'a finite number'): number {
    const v = this.get(k);
    if (v === undefined) { if (def === undefined) this.fail(k, `${expected} (the field is required)`, v); return def; }
    if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) this.fail(k, expected, v);
    return v;
  }
  bool(k: string, def: boolean): boolean {
    const v = this.get(k);
    if (v === undefined) return def;
    if (typeof v !== 'boolean') this.fail(k, 'true or false', v);
    return v;
  }
  str(k: string): string | undefined {
    const v = this.get(k);
    if (v === undefined) return undefined;
    if (typeof v !== 'string') this.fail(k, 'a string', v);
    return v;
  }
  /** Refuse a feature simdnet lacks when the config sets it to anything but its neutral value. */
  unsupported(k: string, what: string, neutral: (v: unknown) => boolean = () => false): void {
    const v = this.get(k);
    if (v !== undefined && !neutral(v)) {
      throw new NotSupportedError(`${this.p(k)}: ${what} is not supported by simdnet. Received: ${describe(isPlainObject(v) ? (v.class_name ?? v) : v)}. Remove it from the source model, or re-create the model in simdnet without it.`);
    }
  }
}

const isKeras3 = (kerasVersion: string | undefined) => typeof kerasVersion === 'string' && /^3\./.test(kerasVersion);

/** Read `{ class_name, config }` (or TF.js's `{ className, config }`). */
function classAndConfig(v: unknown, path: string, what: string): { name: string; cfg: Cfg } {
  if (!isPlainObject(v)) throw new DataError(`${path}: expected ${what} as { class_name, config }. Received: ${describe(v)}`);
  const raw = v.class_name ?? v.className;
  if (typeof raw !== 'string' || raw.length === 0) throw new DataError(`${at(path, 'class_name')}: expected a class name string. Received: ${describe(raw)}`);
  // Keras 2.11+ writes registered names such as 'Custom>Adam'.
  const name = raw.slice(raw.lastIndexOf('>') + 1);
  return { name, cfg: Cfg.of(v.config, at(path, 'config'), 'a config object') };
}

/** Rethrow a constructor's ValueError as a DataError that names the config. */
function wrap<T>(path: string, f: () => T): T {
  try { return f(); } catch (e) {
    if (e instanceof NotSupportedError || e instanceof DataError) throw e;
    if (e instanceof SimdnetError) throw new DataError(`${path}: ${e.message}`);
    throw e;
  }
}

// ------------------------------------------------------------------ activations

/**
 * hard_sigmoid has two meanings: Keras 3's relu6(x + 3)/6 and the
 * clip(0.2·x + 0.5, 0, 1) of TF.js and Keras 2. In a file, 'hard_sigmoid'
 * means what the writer computed: Keras 3's form when the topology's
 * keras_version is 3.x, the TF.js / Keras 2 form otherwise (TF.js, Keras 2,
 * files without a version, and simdnet's own files). simdnet writes its
 * 'hard_sigmoid_legacy' as 'hard_sigmoid' (so TF.js computes the same) and its
 * Keras 3 'hard_sigmoid' as HARD_SIGMOID_KERAS3, a name TF.js refuses rather
 * than loading the model silently different.
 */
export const HARD_SIGMOID_KERAS3 = 'hard_sigmoid_keras3';

/** An activation name from a config: checked against simdnet's set (NotSupportedError otherwise). */
export function readActivation(v: unknown, path: string, kerasVersion?: string): string {
  if (v === undefined || v === null) return 'linear';
  let name = v;
  // Keras 3 may serialize a built-in activation as { class_name: 'function', config: 'relu' }.
  if (isPlainObject(v) && typeof v.config === 'string') name = v.config;
  if (typeof name !== 'string') throw new DataError(`${path}: expected an activation name. Received: ${describe(v)}`);
  if (name === HARD_SIGMOID_KERAS3) return 'hard_sigmoid';
  let canonical: string;
  try { canonical = resolveActivation(name).name; } catch {
    throw new NotSupportedError(`${path}: activation '${name}' is not supported by simdnet. Supported: ${activationNames.join(', ')}.`);
  }
  if (canonical === 'hard_sigmoid' && !isKeras3(kerasVersion)) return 'hard_sigmoid_legacy';
  return canonical;
}

/** An activation name as written to a file (see HARD_SIGMOID_KERAS3). */
export function writeActivation(name: string): string {
  return name === 'hard_sigmoid' ? HARD_SIGMOID_KERAS3 : name === 'hard_sigmoid_legacy' ? 'hard_sigmoid' : name;
}

// ------------------------------------------------------------------ initializers

type Mode = 'fan_in' | 'fan_out' | 'fan_avg';
type Dist = 'truncated_normal' | 'untruncated_normal' | 'uniform';
const NAMED_VS: [new (seed?: number) => Initializer, number, Mode, Dist][] = [
  [GlorotUniform, 1, 'fan_avg', 'uniform'], [GlorotNormal, 1, 'fan_avg', 'truncated_normal'],
  [HeNormal, 2, 'fan_in', 'truncated_normal'], [HeUniform, 2, 'fan_in', 'uniform'],
  [LecunNormal, 1, 'fan_in', 'truncated_normal'], [LecunUniform, 1, 'fan_in', 'uniform'],
];
const INITIALIZER_CLASSES = ['Zeros', 'Ones', 'Constant', 'RandomUniform', 'RandomNormal', 'TruncatedNormal', 'VarianceScaling',
  'GlorotUniform', 'GlorotNormal', 'HeNormal', 'HeUniform', 'LecunNormal', 'LecunUniform', 'Orthogonal'];

function readSeed(c: Cfg): number | undefined {
  const s = c.get('seed');
  if (s === undefined) return undefined;
  if (typeof s !== 'number' || !Number.isSafeInteger(s)) c.fail('seed', 'an integer or null', s);
  return s;
}

/** An initializer from `{ class_name, config }` or a name; undefined when absent. */
export function readInitializer(v: unknown, path: string): Initializer | undefined {
  if (v === undefined || v === null) return undefined;
  let name: string, c: Cfg;
  if (typeof v === 'string') { name = v; c = new Cfg({}, path); } else ({ name, cfg: c } = classAndConfig(v, path, 'an initializer'));
  const key = normalizeName(name);
  const seed = readSeed(c);
  switch (key) {
    case 'zeros': case 'zero': return new Zeros();
    case 'ones': case 'one': return new Ones();
    case 'constant': return new Constant(c.num('value', typeof v === 'string' ? 0 : undefined));
    case 'randomuniform': case 'uniform': {
      const lo = c.num('minval', -0.05), hi = c.num('maxval', 0.05);
      if (!(hi >= lo)) c.fail('maxval', `a number ≥ minval (${lo})`, hi);
      return new RandomUniform(lo, hi, seed);
    }
    case 'randomnormal': case 'normal':
      return new RandomNormal(c.num('mean', 0), c.num('stddev', 0.05, (x) => x >= 0, 'a non-negative number'), seed);
    case 'truncatednormal':
      return new TruncatedNormal(c.num('mean', 0), c.num('stddev', 0.05, (x) => x >= 0, 'a non-negative number'), seed);
    case 'orthogonal': return new Orthogonal(c.num('gain', 1), seed);
    case 'variancescaling': {
      const scale = c.num('scale', 1, (x) => x > 0, 'a positive number');
      const modeRaw = c.str('mode') ?? 'fan_in';
      const mode = ({ fanin: 'fan_in', fanout: 'fan_out', fanavg: 'fan_avg' } as Record<string, Mode>)[normalizeName(modeRaw)];
      if (!mode) c.fail('mode', "'fan_in', 'fan_out' or 'fan_avg'", modeRaw);
      const distRaw = c.str('distribution') ?? 'truncated_normal';
      // 'normal' is the truncated normal in Keras 2, Keras 3 and TF.js alike.
      const dist = ({ normal: 'truncated_normal', truncatednormal: 'truncated_normal', untruncatednormal: 'untruncated_normal', uniform: 'uniform' } as Record<string, Dist>)[normalizeName(distRaw)];
      if (!dist) c.fail('distribution', "'truncated_normal' (or 'normal'), 'untruncated_normal' or 'uniform'", distRaw);
      const named = NAMED_VS.find(([, s, m, d]) => s === scale && m === mode && d === dist);
      return named ? new named[0](seed) : new VarianceScaling(scale, mode, dist, seed);
    }
    default: {
      const named = NAMED_VS.find(([ctor]) => normalizeName(new ctor().className) === key);
      if (named) return new named[0](seed);
      throw new NotSupportedError(`${path}: initializer '${name}' is not supported by simdnet. Supported: ${INITIALIZER_CLASSES.join(', ')}.`);
    }
  }
}

/** `{ class_name, config }` in the form Keras 2, Keras 3 and TF.js all read. */
export function writeInitializer(i: Initializer): { class_name: string; config: Record<string, unknown> } {
  if (i instanceof VarianceScaling) {
    // TF.js spells these 'LeCunNormal'/'LeCunUniform', Keras 'LecunNormal': VarianceScaling reads everywhere.
    if (i.className === 'LecunNormal' || i.className === 'LecunUniform') {
      return { class_name: 'VarianceScaling', config: { scale: i.scale, mode: i.mode, distribution: i.distribution, seed: i.seed ?? null } };
    }
    if (i.className === 'VarianceScaling') return { class_name: 'VarianceScaling', config: { ...i.getConfig(), seed: i.seed ?? null } };
    return { class_name: i.className, config: { seed: i.seed ?? null } };
  }
  const c = i.getConfig();
  if ('seed' in c || i instanceof RandomUniform || i instanceof RandomNormal || i instanceof TruncatedNormal || i instanceof Orthogonal) c.seed ??= null;
  return { class_name: i.className, config: c };
}

// ------------------------------------------------------------------ regularizers

export function readRegularizer(v: unknown, path: string): Regularizer | null {
  if (v === undefined || v === null) return null;
  let name: string, c: Cfg;
  if (typeof v === 'string') { name = v; c = new Cfg({}, path); } else ({ name, cfg: c } = classAndConfig(v, path, 'a regularizer'));
  const nonneg = (x: number) => x >= 0;
  const isStr = typeof v === 'string';
  switch (normalizeName(name)) {
    case 'l1': return new Regularizer(c.num('l1', 0.01, nonneg, 'a non-negative number'), 0);
    case 'l2': return new Regularizer(0, c.num('l2', 0.01, nonneg, 'a non-negative number'));
    case 'l1l2': return new Regularizer(c.num('l1', isStr ? 0.01 : 0, nonneg, 'a non-negative number'), c.num('l2', isStr ? 0.01 : 0, nonneg, 'a non-negative number'));
    default: throw new NotSupportedError(`${path}: regularizer '${name}' is not supported by simdnet. Supported: L1, L2, L1L2.`);
  }
}

/** Always `L1L2`: TF.js knows no `L1` or `L2` class. */
export function writeRegularizer(r: Regularizer | null): { class_name: string; config: Record<string, number> } | null {
  return r ? { class_name: 'L1L2', config: { l1: r.l1, l2: r.l2 } } : null;
}

// ------------------------------------------------------------------ layers

export const LAYER_CLASSES = ['InputLayer', 'Dense', 'Dropout', 'BatchNormalization', 'Flatten', 'Activation', 'LeakyReLU', 'ELU', 'ReLU (without max_value/threshold)', 'Softmax (last axis)'];

/** Wrap an initializer so its `fill` can be skipped while the weights are about to be overwritten by loaded values. */
export interface InitGate { skip: boolean }
function gated(init: Initializer, gate: InitGate): Initializer {
  return new Proxy(init, {
    get(target, prop) {
      if (prop === 'fill' && gate.skip) return () => { /* values come from the file */ };
      return Reflect.get(target, prop, target);
    },
  });
}

/** The shape part of a `batch_input_shape`/`batch_shape`: [null|n, ...positive integers]. */
function readBatchShape(c: Cfg, key: string, maxDim: number): (number | null)[] | undefined {
  const v = c.get(key);
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.length < 2 || v.length > 9 || !(v[0] === null || (Number.isInteger(v[0]) && (v[0] as number) >= 0))
    || v.slice(1).some((d) => typeof d !== 'number' || !Number.isInteger(d) || d <= 0 || d > maxDim)) {
    if (Array.isArray(v) && v.slice(1).some((d) => d === null)) {
      throw new NotSupportedError(`${c.p(key)}: variable-sized feature dimensions (${JSON.stringify(v)}) are not supported; simdnet needs every feature dimension fixed.`);
    }
    c.fail(key, `[batch, ...features] with batch null and features positive integers ≤ ${maxDim}`, v);
  }
  return v as (number | null)[];
}

function checkDtype(c: Cfg): void {
  const d = c.get('dtype');
  if (d === undefined) return;
  // Keras 3: a DTypePolicy object { class_name: 'DTypePolicy', config: { name: 'float32' } }.
  const name = isPlainObject(d) && isPlainObject(d.config) ? d.config.name : d;
  if (name !== 'float32') throw new NotSupportedError(`${c.p('dtype')}: simdnet computes in float32 only. Received: ${describe(name)}`);
}

/**
 * A layer from its Keras config. Initializers are wrapped by `gate` so that a
 * load can skip them (a costly orthogonal init on weights about to be replaced).
 */
export function readLayer(v: unknown, path: string, gate: InitGate, maxParams: number, kerasVersion?: string): Layer {
  const { name: className, cfg: c } = classAndConfig(v, path, 'a layer');
  const name = c.str('name');
  if (name !== undefined && (name.length === 0 || name.length > 256)) c.fail('name', 'a non-empty string of at most 256 characters', name);
  const trainable = c.bool('trainable', true);
  checkDtype(c);
  c.unsupported('activity_regularizer', 'an activity regularizer');
  const batchInputShape = readBatchShape(c, 'batch_input_shape', maxParams) ?? readBatchShape(c, 'batch_shape', maxParams);
  const base = { name, trainable, ...(batchInputShape ? { batchInputShape } : {}) };
  const init = (k: string, def: string) => gated(readInitializer(c.get(k), c.p(k)) ?? readInitializer(def, c.p(k))!, gate);
  const noConstraint = (k: string) => c.unsupported(k, 'a weight constraint');
  const lastAxis = (x: unknown) => x === -1 || x === 1 || (Array.isArray(x) && x.length === 1 && (x[0] === -1 || x[0] === 1));
  return wrap(path, () => {
    switch (className) {
      case 'InputLayer': {
        c.unsupported('sparse', 'a sparse input', (x) => x === false);
        c.unsupported('ragged', 'a ragged input', (x) => x === false);
        const bs = batchInputShape;
        if (!bs) throw new DataError(`${path}.config: an InputLayer needs batch_input_shape (or batch_shape).`);
        return new InputLayer({ batchShape: bs, ...(name !== undefined ? { name } : {}) });
      }
      case 'Dense': {
        noConstraint('kernel_constraint'); noConstraint('bias_constraint');
        c.unsupported('lora_rank', 'LoRA');
        c.unsupported('quantization_config', 'a quantized layer');
        return new Dense({
          ...base, units: c.int('units', undefined, 1, maxParams), activation: readActivation(c.get('activation'), c.p('activation'), kerasVersion),
          useBias: c.bool('use_bias', true), kernelInitializer: init('kernel_initializer', 'glorot_uniform'), biasInitializer: init('bias_initializer', 'zeros'),
          kernelRegularizer: readRegularizer(c.get('kernel_regularizer'), c.p('kernel_regularizer')) ?? undefined,
          biasRegularizer: readRegularizer(c.get('bias_regularizer'), c.p('bias_regularizer')) ?? undefined,
        });
      }
      case 'Dropout': {
        c.unsupported('noise_shape', 'a dropout noise_shape');
        const seed = c.get('seed');
        if (seed !== undefined && !(typeof seed === 'number' && Number.isSafeInteger(seed))) c.fail('seed', 'an integer or null', seed);
        return new Dropout({ ...base, rate: c.num('rate', undefined, (x) => x >= 0 && x < 1, 'a number in [0, 1)'), ...(seed !== undefined ? { seed: seed as number } : {}) });
      }
      case 'BatchNormalization': {
        const axis = c.get('axis') ?? -1;
        if (!lastAxis(axis)) throw new NotSupportedError(`${c.p('axis')}: simdnet normalizes over the last axis of flat features (axis -1). Received: ${describe(axis)}`);
        c.unsupported('beta_regularizer', 'a BatchNormalization regularizer'); c.unsupported('gamma_regularizer', 'a BatchNormalization regularizer');
        noConstraint('beta_constraint'); noConstraint('gamma_constraint');
        c.unsupported('renorm', 'batch renormalization', (x) => x === false);
        c.unsupported('virtual_batch_size', 'virtual batches');
        c.unsupported('adjustment', 'an adjustment function');
        return new BatchNormalization({
          ...base, momentum: c.num('momentum', 0.99, (x) => x >= 0 && x <= 1, 'a number in [0, 1]'),
          epsilon: c.num('epsilon', 1e-3, (x) => x > 0, 'a positive number'), center: c.bool('center', true), scale: c.bool('scale', true),
          gammaInitializer: init('gamma_initializer', 'ones'), betaInitializer: init('beta_initializer', 'zeros'),
          movingMeanInitializer: init('moving_mean_initializer', 'zeros'), movingVarianceInitializer: init('moving_variance_initializer', 'ones'),
        });
      }
      case 'Flatten': {
        const df = c.str('data_format');
        if (df !== undefined && normalizeName(df) !== 'channelslast') throw new NotSupportedError(`${c.p('data_format')}: only 'channels_last' is supported. Received: ${describe(df)}`);
        return new Flatten(base);
      }
      case 'Activation': return new Activation({ ...base, activation: readActivation(c.get('activation'), c.p('activation'), kerasVersion) });
      case 'LeakyReLU': {
        const a = c.get('alpha') !== undefined ? c.num('alpha', 0.3, (x) => x >= 0, 'a non-negative number') : c.num('negative_slope', 0.3, (x) => x >= 0, 'a non-negative number');
        return new LeakyReLU({ ...base, alpha: a });
      }
      case 'ELU': return new ELU({ ...base, alpha: c.num('alpha', 1, (x) => x >= 0, 'a non-negative number') });
      case 'ReLU': {
        c.unsupported('max_value', 'ReLU with max_value');
        c.unsupported('threshold', 'ReLU with a threshold', (x) => x === 0);
        const slope = c.num('negative_slope', 0, (x) => x >= 0, 'a non-negative number');
        return slope > 0 ? new LeakyReLU({ ...base, alpha: slope }) : new Activation({ ...base, activation: 'relu' });
      }
      case 'Softmax': {
        const axis = c.get('axis') ?? -1;
        if (!lastAxis(axis)) throw new NotSupportedError(`${c.p('axis')}: simdnet's softmax runs over the last axis. Received: ${describe(axis)}`);
        return new Activation({ ...base, activation: 'softmax' });
      }
      default:
        throw new NotSupportedError(`${path}: layer class '${className}' is not supported by simdnet. Supported: ${LAYER_CLASSES.join(', ')}.`);
    }
  });
}

/** A layer's Keras config, in the spelling TF.js, Keras 2 and Keras 3 all read. */
export function writeLayer(l: Layer): { class_name: string; config: Record<string, unknown> } {
  const c = l.getConfig();
  if (typeof c.activation === 'string') c.activation = writeActivation(c.activation);
  for (const [k, v] of Object.entries(c)) {
    if (k.endsWith('_initializer') && isPlainObject(v)) {
      const init = (l as unknown as Record<string, unknown>)[camel(k)] ?? findInit(l, k);
      if (init instanceof Initializer) c[k] = writeInitializer(init);
    } else if (k.endsWith('_regularizer') && isPlainObject(v)) {
      const cfg = v.config as { l1?: number; l2?: number };
      c[k] = { class_name: 'L1L2', config: { l1: cfg.l1 ?? 0, l2: cfg.l2 ?? 0 } };
    }
  }
  return { class_name: l.className, config: c };
}

/** BatchNormalization keeps its initializers in a private array, in the order gamma, beta, moving_mean, moving_variance. */
function findInit(l: Layer, key: string): unknown {
  const order = ['gamma_initializer', 'beta_initializer', 'moving_mean_initializer', 'moving_variance_initializer'];
  const inits = (l as unknown as { inits?: unknown[] }).inits;
  const i = order.indexOf(key);
  return Array.isArray(inits) && i >= 0 ? inits[i] : undefined;
}

/** The weights a built layer will have, from its config and input shape alone (no allocation). */
export function expectedWeights(l: Layer, inShape: number[]): { name: string; shape: number[] }[] {
  const n = (w: string) => `${l.name}/${w}`;
  if (l instanceof Dense) {
    const out = [{ name: n('kernel'), shape: [inShape[0]!, l.units] }];
    if (l.useBias) out.push({ name: n('bias'), shape: [l.units] });
    return out;
  }
  if (l instanceof BatchNormalization) {
    const f = inShape[0]!;
    const out: { name: string; shape: number[] }[] = [];
    if (l.scale) out.push({ name: n('gamma'), shape: [f] });
    if (l.center) out.push({ name: n('beta'), shape: [f] });
    out.push({ name: n('moving_mean'), shape: [f] }, { name: n('moving_variance'), shape: [f] });
    return out;
  }
  return [];
}

// ------------------------------------------------------------------ optimizers

const OPT_CLASSES = ['SGD', 'Momentum (TF.js)', 'Adam', 'AdamW', 'RMSprop / RMSProp (TF.js)', 'Adagrad', 'Adadelta', 'Adamax', 'Nadam', 'Lion', 'Ftrl'];
const SCHEDULES = ['ExponentialDecay', 'PiecewiseConstantDecay', 'CosineDecay'];

/** TF.js's names for an optimizer's slots, by simdnet slot name. */
export const TFJS_SLOT_NAMES: Record<string, Record<string, string>> = {
  Adam: { momentum: 'm', velocity: 'v' },
  Adamax: { m: 'm', u: 'v' },
  RMSprop: { velocity: 'rms', momentum: 'momentum', average_gradient: 'mg' },
  Adagrad: { accumulator: 'accumulator' },
  Adadelta: { accumulated_grad: 'accum_grad', accumulated_delta_var: 'accum_var' },
  SGD: { momentum: 'momentum' },
};

function readSchedule(v: unknown, path: string): Record<string, unknown> {
  const { name, cfg } = classAndConfig(v, path, 'a learning-rate schedule');
  const pos = (x: number) => x > 0;
  const nums = (k: string) => {
    const a = cfg.get(k);
    if (!Array.isArray(a) || a.length > 100_000 || a.some((x) => typeof x !== 'number' || !Number.isFinite(x))) cfg.fail(k, 'an array of finite numbers', a);
    return a as number[];
  };
  switch (name) {
    case 'ExponentialDecay': return { class_name: name, config: { initial_learning_rate: cfg.num('initial_learning_rate', undefined, pos, 'a positive number'), decay_steps: cfg.num('decay_steps', undefined, pos, 'a positive number'), decay_rate: cfg.num('decay_rate', undefined, pos, 'a positive number'), staircase: cfg.bool('staircase', false) } };
    case 'PiecewiseConstantDecay': return { class_name: name, config: { boundaries: nums('boundaries'), values: nums('values') } };
    case 'CosineDecay':
      cfg.unsupported('warmup_target', 'a warm-up'); cfg.unsupported('warmup_steps', 'a warm-up', (x) => x === 0);
      return { class_name: name, config: { initial_learning_rate: cfg.num('initial_learning_rate', undefined, pos, 'a positive number'), decay_steps: cfg.num('decay_steps', undefined, pos, 'a positive number'), alpha: cfg.num('alpha', 0) } };
    default: throw new NotSupportedError(`${path}: learning-rate schedule '${name}' is not supported. Supported: ${SCHEDULES.join(', ')}.`);
  }
}

/** An optimizer from `optimizer_config` (Keras 2/3 or TF.js form). */
export function readOptimizer(v: unknown, path: string): Optimizer {
  const { name, cfg: c } = classAndConfig(v, path, 'an optimizer');
  const key = normalizeName(name);
  const nonneg = (x: number) => x >= 0;
  const out: Record<string, unknown> = {};
  const lrRaw = c.get('learning_rate') ?? c.get('lr');
  if (lrRaw !== undefined) out.learning_rate = isPlainObject(lrRaw) ? readSchedule(lrRaw, c.p('learning_rate')) : c.num(c.get('learning_rate') !== undefined ? 'learning_rate' : 'lr', undefined, nonneg, 'a non-negative number or a schedule');
  for (const k of ['clipnorm', 'clipvalue', 'global_clipnorm']) if (c.get(k) !== undefined) out[k] = c.num(k, undefined, (x) => x > 0, 'a positive number');
  if (c.get('weight_decay') !== undefined) out.weight_decay = c.num('weight_decay', undefined, nonneg, 'a non-negative number');
  const exclude = c.get('exclude_from_weight_decay');
  if (exclude !== undefined) {
    if (!Array.isArray(exclude) || exclude.length > 10_000 || exclude.some((x) => typeof x !== 'string' || x.length === 0)) {
      c.fail('exclude_from_weight_decay', 'an array of weight names or name fragments', exclude);
    }
    out.exclude_from_weight_decay = exclude;
  }
  c.unsupported('use_ema', 'an exponential moving average of the weights', (x) => x === false);
  c.unsupported('gradient_accumulation_steps', 'gradient accumulation');
  const eps = () => { if (c.get('epsilon') !== undefined) out.epsilon = c.num('epsilon', undefined, (x) => x > 0, 'a positive number'); };
  const betas = () => { for (const k of ['beta_1', 'beta_2']) if (c.get(k) !== undefined) out[k] = c.num(k, undefined, (x) => x >= 0 && x < 1, 'a number in [0, 1)'); };
  // Keras 2's legacy `decay` is a learning-rate decay (TF.js RMSProp's `decay` is rho, handled below).
  const noLegacyDecay = () => c.unsupported('decay', "the legacy learning-rate `decay` (use a schedule such as ExponentialDecay)", (x) => x === 0);
  let cls: string;
  switch (key) {
    case 'sgd': case 'momentum':
      cls = 'sgd'; noLegacyDecay();
      out.momentum = c.num('momentum', key === 'momentum' ? undefined : 0, (x) => x >= 0 && x <= 1, 'a number in [0, 1]');
      out.nesterov = c.bool('nesterov', false) || c.bool('use_nesterov', false);
      break;
    case 'adam': case 'adamw': case 'adamax': case 'nadam':
      cls = key; betas(); eps();
      if (key === 'adam' || key === 'adamw') out.amsgrad = c.bool('amsgrad', false);
      if (key !== 'adamax') noLegacyDecay(); else c.unsupported('decay', 'a learning-rate decay', (x) => x === 0);
      break;
    case 'rmsprop':
      cls = 'rmsprop'; eps();
      if (name === 'RMSProp') out.rho = c.num('decay', 0.9, (x) => x >= 0 && x < 1, 'a number in [0, 1) (TF.js RMSProp `decay` is rho)');
      else { noLegacyDecay(); out.rho = c.num('rho', 0.9, (x) => x >= 0 && x < 1, 'a number in [0, 1)'); }
      out.momentum = c.num('momentum', 0, (x) => x >= 0 && x < 1, 'a number in [0, 1)');
      out.centered = c.bool('centered', false);
      break;
    case 'adagrad':
      cls = 'adagrad'; eps(); noLegacyDecay();
      out.initial_accumulator_value = c.num('initial_accumulator_value', 0.1, nonneg, 'a non-negative number');
      break;
    case 'adadelta':
      cls = 'adadelta'; eps(); noLegacyDecay();
      out.rho = c.num('rho', 0.95, (x) => x >= 0 && x < 1, 'a number in [0, 1)');
      break;
    case 'lion':
      cls = 'lion';
      out.beta_1 = c.num('beta_1', 0.9, (x) => x > 0 && x <= 1, 'a number in (0, 1]');
      out.beta_2 = c.num('beta_2', 0.99, (x) => x >= 0 && x <= 1, 'a number in [0, 1]');
      break;
    case 'ftrl':
      cls = 'ftrl'; noLegacyDecay();
      out.learning_rate_power = c.num('learning_rate_power', -0.5, (x) => x <= 0, 'a number ≤ 0');
      out.initial_accumulator_value = c.num('initial_accumulator_value', 0.1, nonneg, 'a non-negative number');
      for (const k of ['l1_regularization_strength', 'l2_regularization_strength', 'l2_shrinkage_regularization_strength', 'beta']) {
        out[k] = c.num(k, 0, nonneg, 'a non-negative number');
      }
      break;
    default:
      throw new NotSupportedError(`${path}: optimizer '${name}' is not supported by simdnet. Supported: ${OPT_CLASSES.join(', ')} (${optimizerNames.join(', ')}).`);
  }
  return wrap(path, () => getOptimizer({ className: cls, config: out }, 'optimizer_config'));
}

/** `optimizer_config` in the form TF.js deserializes (TF.js's class names) and Keras reads. */
export function writeOptimizer(o: Optimizer): { class_name: string; config: Record<string, unknown> } {
  const c = o.getConfig();
  const className = o.className;
  if (className === 'SGD' && (c.momentum as number) > 0) {
    const { nesterov, ...rest } = c;
    return { class_name: 'Momentum', config: { ...rest, use_nesterov: nesterov } };
  }
  if (className === 'RMSprop') {
    const { rho, ...rest } = c;
    return { class_name: 'RMSProp', config: { ...rest, decay: rho } };
  }
  return { class_name: className, config: c };
}

// ------------------------------------------------------------------ losses and metrics

const LOSS_CLASSES: Record<string, string> = {
  mean_squared_error: 'MeanSquaredError', mean_absolute_error: 'MeanAbsoluteError', huber: 'Huber', log_cosh: 'LogCosh', hinge: 'Hinge',
  binary_crossentropy: 'BinaryCrossentropy', categorical_crossentropy: 'CategoricalCrossentropy', sparse_categorical_crossentropy: 'SparseCategoricalCrossentropy',
};

/** The loss as TF.js reads it: a name ('logcosh' is TF.js's spelling), or `{ class_name, config }` when it has options. */
export function writeLoss(l: Loss | CustomLoss): string | Record<string, unknown> {
  if (isCustomLoss(l)) return l.name ?? 'custom_loss';
  const opts = l.getConfig();
  if (Object.keys(opts).length === 0 || (l.kind === 'huber' && opts.delta === 1 && Object.keys(opts).length === 1)) {
    return l.name === 'log_cosh' ? 'logcosh' : l.name;
  }
  return { class_name: LOSS_CLASSES[l.name] ?? l.name, config: { name: l.name, ...opts } };
}

const compileHint = 'Load with { compile: false } and compile the model yourself.';

export function readLoss(v: unknown, path: string): Loss {
  if (typeof v === 'string') {
    try { return getLoss(v) as Loss; } catch {
      throw new NotSupportedError(`${path}: loss '${v}' is not supported by simdnet (a custom loss cannot be restored from a file). Supported: ${lossNames.join(', ')}. ${compileHint}`);
    }
  }
  const { name, cfg } = classAndConfig(v, path, 'a loss');
  const logits = cfg.bool('from_logits', false);
  const key = normalizeName(name);
  const smoothing = () => cfg.num('label_smoothing', 0, (x) => x >= 0 && x <= 1, 'a number in [0, 1]');
  if (key !== 'binarycrossentropy' && key !== 'categoricalcrossentropy') cfg.unsupported('label_smoothing', 'label smoothing for this loss', (x) => x === 0);
  if (key !== 'sparsecategoricalcrossentropy') cfg.unsupported('ignore_class', 'ignore_class for this loss');
  switch (key) {
    case 'huber': case 'huberloss': return huber({ delta: cfg.num('delta', 1, (x) => x > 0, 'a positive number') });
    case 'binarycrossentropy': return binaryCrossentropy({ fromLogits: logits, labelSmoothing: smoothing() });
    case 'categoricalcrossentropy': return categoricalCrossentropy({ fromLogits: logits, labelSmoothing: smoothing() });
    case 'sparsecategoricalcrossentropy': {
      const ic = cfg.get('ignore_class');
      if (ic !== undefined && !(typeof ic === 'number' && Number.isInteger(ic))) cfg.fail('ignore_class', 'an integer or null', ic);
      return sparseCategoricalCrossentropy({ fromLogits: logits, ignoreClass: ic as number | undefined });
    }
    default: return readLoss(name, path);
  }
}

const METRIC_CLASSES: Record<string, string> = { precision: 'Precision', recall: 'Recall', binary_accuracy: 'BinaryAccuracy' };

/** Metric names as compiled; a metric with a non-default threshold as `{ class_name, config }`. */
export function writeMetrics(names: string[], metrics: Metric[]): (string | Record<string, unknown>)[] {
  return names.map((n, i) => {
    const m = metrics[i];
    if (m && m.threshold !== 0.5 && METRIC_CLASSES[m.kind]) {
      return { class_name: METRIC_CLASSES[m.kind], config: { name: n, [m.kind === 'binary_accuracy' ? 'threshold' : 'thresholds']: m.threshold } };
    }
    return n;
  });
}

export function readMetric(v: unknown, path: string): Metric {
  if (typeof v === 'string') {
    try { return getMetric(v); } catch {
      throw new NotSupportedError(`${path}: metric '${v}' is not supported by simdnet. Supported: ${metricNames.join(', ')}. ${compileHint}`);
    }
  }
  const { name, cfg } = classAndConfig(v, path, 'a metric');
  const key = cfg.str('name') ?? name;
  // Keras 2 wraps function metrics: { class_name: 'MeanMetricWrapper', config: { name, fn } }.
  const base = normalizeName(name) === 'meanmetricwrapper' ? (cfg.str('fn') ?? key) : name;
  const m = readMetric(base.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase(), path);
  let t = cfg.get('thresholds') ?? cfg.get('threshold');
  if (Array.isArray(t)) { if (t.length !== 1) cfg.fail('thresholds', 'one threshold', t); t = t[0]; }
  const threshold = t === undefined ? 0.5 : typeof t === 'number' && Number.isFinite(t) ? t : cfg.fail('thresholds', 'a number', t);
  return new Metric(key, m.kind, threshold);
}
