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
import { NotSupportedError, describe } from '../errors.js';
import { normalizeName } from '../activations.js';
import { Initializer } from '../initializers.js';
import type { Layer } from '../layers.js';
// For its side effect: src/layers.ts registers every layer class's reader when it loads.
import '../layers.js';
import '../merge.js';
import '../conv.js';
import '../depthwise.js';
import '../embedding.js';
import '../recurrent.js';
import '../wrappers.js';
import '../masking.js';
import { Optimizer, getOptimizer, optimizerNames } from '../optimizers.js';
import {
  Loss,
  CustomLoss,
  getLoss,
  isCustomLoss,
  lossNames,
  huber,
  binaryCrossentropy,
  categoricalCrossentropy,
  sparseCategoricalCrossentropy,
} from '../losses.js';
import { Metric, getMetric, metricNames } from '../metrics.js';
import { DEFAULT_MAX_PARAMS, isPlainObject } from './validate.js';
import {
  Cfg,
  type InitGate,
  classAndConfig,
  layerClassLabels,
  layerReadContext,
  layerReader,
  setNestedLayerIO,
  wrap,
  writeActivation,
  writeInitializer,
} from './cfg.js';

// The shared readers moved to ./cfg.js (layers use them too); re-exported for the modules that read configs.
export {
  Cfg,
  HARD_SIGMOID_KERAS3,
  readActivation,
  writeActivation,
  readInitializer,
  writeInitializer,
  readRegularizer,
  writeRegularizer,
  type InitGate,
} from './cfg.js';

// ------------------------------------------------------------------ layers

/** The shape part of a `batch_input_shape`/`batch_shape`: [null|n, ...positive integers]. */
function readBatchShape(c: Cfg, key: string, maxDim: number): (number | null)[] | undefined {
  const v = c.get(key);
  if (v === undefined) return undefined;
  if (
    !Array.isArray(v) ||
    v.length < 2 ||
    v.length > 9 ||
    !(v[0] === null || (Number.isInteger(v[0]) && (v[0] as number) >= 0)) ||
    v.slice(1).some((d) => typeof d !== 'number' || !Number.isInteger(d) || d <= 0 || d > maxDim)
  ) {
    if (Array.isArray(v) && v.slice(1).some((d) => d === null)) {
      throw new NotSupportedError(
        `${c.p(key)}: variable-sized feature dimensions (${JSON.stringify(v)}) are not supported; simdnet needs every feature dimension fixed.`,
      );
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
  if (name !== 'float32')
    throw new NotSupportedError(`${c.p('dtype')}: simdnet computes in float32 only. Received: ${describe(name)}`);
}

/**
 * A layer from its Keras config: the fields every layer shares are read here,
 * the rest by the reader its class registered (registerLayer in src/layers.ts).
 * Initializers are wrapped by `gate` so that a load can skip them (a costly
 * orthogonal init on weights about to be replaced).
 */
export function readLayer(v: unknown, path: string, gate: InitGate, maxParams: number, kerasVersion?: string): Layer {
  const { name: className, cfg: c } = classAndConfig(v, path, 'a layer');
  const reader = layerReader(className);
  if (!reader) {
    throw new NotSupportedError(
      `${path}: layer class '${className}' is not supported by simdnet. Supported: ${layerClassLabels().join(', ')}.`,
    );
  }
  const name = c.str('name');
  if (name !== undefined && (name.length === 0 || name.length > 256))
    c.fail('name', 'a non-empty string of at most 256 characters', name);
  const trainable = c.bool('trainable', true);
  checkDtype(c);
  c.unsupported('activity_regularizer', 'an activity regularizer');
  const batchInputShape =
    readBatchShape(c, 'batch_input_shape', maxParams) ?? readBatchShape(c, 'batch_shape', maxParams);
  const base = { name, trainable, ...(batchInputShape ? { batchInputShape } : {}) };
  return wrap(path, () =>
    reader({
      ...layerReadContext(c, path, base, gate, maxParams, kerasVersion),
      layer: (k) => readLayer(c.get(k), c.p(k), gate, maxParams, kerasVersion),
    }),
  );
}

/** A layer's Keras config, in the spelling TF.js, Keras 2 and Keras 3 all read. */
export function writeLayer(l: Layer): { class_name: string; config: Record<string, unknown> } {
  const c = l.getConfig();
  if (typeof c.activation === 'string') c.activation = writeActivation(c.activation);
  if (typeof c.recurrent_activation === 'string') c.recurrent_activation = writeActivation(c.recurrent_activation);
  for (const [k, v] of Object.entries(c)) {
    if (k.endsWith('_initializer') && isPlainObject(v)) {
      const init = l.configInitializer(k);
      if (init instanceof Initializer) c[k] = writeInitializer(init);
    } else if (k.endsWith('_regularizer') && isPlainObject(v)) {
      const cfg = v.config as { l1?: number; l2?: number };
      c[k] = { class_name: 'L1L2', config: { l1: cfg.l1 ?? 0, l2: cfg.l2 ?? 0 } };
    }
  }
  return { class_name: l.className, config: c };
}
setNestedLayerIO({ read: (v, path) => readLayer(v, path, { skip: false }, DEFAULT_MAX_PARAMS), write: writeLayer });

// ------------------------------------------------------------------ optimizers

const OPT_CLASSES = [
  'SGD',
  'Momentum (TF.js)',
  'Adam',
  'AdamW',
  'RMSprop / RMSProp (TF.js)',
  'Adagrad',
  'Adadelta',
  'Adamax',
  'Nadam',
  'Lion',
  'Ftrl',
];
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
    if (!Array.isArray(a) || a.length > 100_000 || a.some((x) => typeof x !== 'number' || !Number.isFinite(x)))
      cfg.fail(k, 'an array of finite numbers', a);
    return a as number[];
  };
  switch (name) {
    case 'ExponentialDecay':
      return {
        class_name: name,
        config: {
          initial_learning_rate: cfg.num('initial_learning_rate', undefined, pos, 'a positive number'),
          decay_steps: cfg.num('decay_steps', undefined, pos, 'a positive number'),
          decay_rate: cfg.num('decay_rate', undefined, pos, 'a positive number'),
          staircase: cfg.bool('staircase', false),
        },
      };
    case 'PiecewiseConstantDecay':
      return { class_name: name, config: { boundaries: nums('boundaries'), values: nums('values') } };
    case 'CosineDecay':
      cfg.unsupported('warmup_target', 'a warm-up');
      cfg.unsupported('warmup_steps', 'a warm-up', (x) => x === 0);
      return {
        class_name: name,
        config: {
          initial_learning_rate: cfg.num('initial_learning_rate', undefined, pos, 'a positive number'),
          decay_steps: cfg.num('decay_steps', undefined, pos, 'a positive number'),
          alpha: cfg.num('alpha', 0),
        },
      };
    default:
      throw new NotSupportedError(
        `${path}: learning-rate schedule '${name}' is not supported. Supported: ${SCHEDULES.join(', ')}.`,
      );
  }
}

/** An optimizer from `optimizer_config` (Keras 2/3 or TF.js form). */
export function readOptimizer(v: unknown, path: string): Optimizer {
  const { name, cfg: c } = classAndConfig(v, path, 'an optimizer');
  const key = normalizeName(name);
  const nonneg = (x: number) => x >= 0;
  const out: Record<string, unknown> = {};
  const lrRaw = c.get('learning_rate') ?? c.get('lr');
  if (lrRaw !== undefined)
    out.learning_rate = isPlainObject(lrRaw)
      ? readSchedule(lrRaw, c.p('learning_rate'))
      : c.num(
          c.get('learning_rate') !== undefined ? 'learning_rate' : 'lr',
          undefined,
          nonneg,
          'a non-negative number or a schedule',
        );
  for (const k of ['clipnorm', 'clipvalue', 'global_clipnorm'])
    if (c.get(k) !== undefined) out[k] = c.num(k, undefined, (x) => x > 0, 'a positive number');
  if (c.get('weight_decay') !== undefined)
    out.weight_decay = c.num('weight_decay', undefined, nonneg, 'a non-negative number');
  const exclude = c.get('exclude_from_weight_decay');
  if (exclude !== undefined) {
    if (
      !Array.isArray(exclude) ||
      exclude.length > 10_000 ||
      exclude.some((x) => typeof x !== 'string' || x.length === 0)
    ) {
      c.fail('exclude_from_weight_decay', 'an array of weight names or name fragments', exclude);
    }
    out.exclude_from_weight_decay = exclude;
  }
  c.unsupported('use_ema', 'an exponential moving average of the weights', (x) => x === false);
  c.unsupported('gradient_accumulation_steps', 'gradient accumulation');
  const eps = () => {
    if (c.get('epsilon') !== undefined) out.epsilon = c.num('epsilon', undefined, (x) => x > 0, 'a positive number');
  };
  const betas = () => {
    for (const k of ['beta_1', 'beta_2'])
      if (c.get(k) !== undefined) out[k] = c.num(k, undefined, (x) => x >= 0 && x < 1, 'a number in [0, 1)');
  };
  // Keras 2's legacy `decay` is a learning-rate decay (TF.js RMSProp's `decay` is rho, handled below).
  const noLegacyDecay = () =>
    c.unsupported(
      'decay',
      'the legacy learning-rate `decay` (use a schedule such as ExponentialDecay)',
      (x) => x === 0,
    );
  let cls: string;
  switch (key) {
    case 'sgd':
    case 'momentum':
      cls = 'sgd';
      noLegacyDecay();
      out.momentum = c.num(
        'momentum',
        key === 'momentum' ? undefined : 0,
        (x) => x >= 0 && x <= 1,
        'a number in [0, 1]',
      );
      out.nesterov = c.bool('nesterov', false) || c.bool('use_nesterov', false);
      break;
    case 'adam':
    case 'adamw':
    case 'adamax':
    case 'nadam':
      cls = key;
      betas();
      eps();
      if (key === 'adam' || key === 'adamw') out.amsgrad = c.bool('amsgrad', false);
      if (key !== 'adamax') noLegacyDecay();
      else c.unsupported('decay', 'a learning-rate decay', (x) => x === 0);
      break;
    case 'rmsprop':
      cls = 'rmsprop';
      eps();
      if (name === 'RMSProp')
        out.rho = c.num('decay', 0.9, (x) => x >= 0 && x < 1, 'a number in [0, 1) (TF.js RMSProp `decay` is rho)');
      else {
        noLegacyDecay();
        out.rho = c.num('rho', 0.9, (x) => x >= 0 && x < 1, 'a number in [0, 1)');
      }
      out.momentum = c.num('momentum', 0, (x) => x >= 0 && x < 1, 'a number in [0, 1)');
      out.centered = c.bool('centered', false);
      break;
    case 'adagrad':
      cls = 'adagrad';
      eps();
      noLegacyDecay();
      out.initial_accumulator_value = c.num('initial_accumulator_value', 0.1, nonneg, 'a non-negative number');
      break;
    case 'adadelta':
      cls = 'adadelta';
      eps();
      noLegacyDecay();
      out.rho = c.num('rho', 0.95, (x) => x >= 0 && x < 1, 'a number in [0, 1)');
      break;
    case 'lion':
      cls = 'lion';
      out.beta_1 = c.num('beta_1', 0.9, (x) => x > 0 && x <= 1, 'a number in (0, 1]');
      out.beta_2 = c.num('beta_2', 0.99, (x) => x >= 0 && x <= 1, 'a number in [0, 1]');
      break;
    case 'ftrl':
      cls = 'ftrl';
      noLegacyDecay();
      out.learning_rate_power = c.num('learning_rate_power', -0.5, (x) => x <= 0, 'a number ≤ 0');
      out.initial_accumulator_value = c.num('initial_accumulator_value', 0.1, nonneg, 'a non-negative number');
      for (const k of [
        'l1_regularization_strength',
        'l2_regularization_strength',
        'l2_shrinkage_regularization_strength',
        'beta',
      ]) {
        out[k] = c.num(k, 0, nonneg, 'a non-negative number');
      }
      break;
    default:
      throw new NotSupportedError(
        `${path}: optimizer '${name}' is not supported by simdnet. Supported: ${OPT_CLASSES.join(', ')} (${optimizerNames.join(', ')}).`,
      );
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
  mean_squared_error: 'MeanSquaredError',
  mean_absolute_error: 'MeanAbsoluteError',
  huber: 'Huber',
  log_cosh: 'LogCosh',
  hinge: 'Hinge',
  binary_crossentropy: 'BinaryCrossentropy',
  categorical_crossentropy: 'CategoricalCrossentropy',
  sparse_categorical_crossentropy: 'SparseCategoricalCrossentropy',
};

/**
 * The loss as TF.js reads it: a name ('logcosh' is TF.js's spelling), or `{ class_name, config }` when it has options.
 */
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
    try {
      return getLoss(v) as Loss;
    } catch {
      throw new NotSupportedError(
        `${path}: loss '${v}' is not supported by simdnet (a custom loss cannot be restored from a file). Supported: ${lossNames.join(', ')}. ${compileHint}`,
      );
    }
  }
  const { name, cfg } = classAndConfig(v, path, 'a loss');
  const logits = cfg.bool('from_logits', false);
  const key = normalizeName(name);
  const smoothing = () => cfg.num('label_smoothing', 0, (x) => x >= 0 && x <= 1, 'a number in [0, 1]');
  if (key !== 'binarycrossentropy' && key !== 'categoricalcrossentropy')
    cfg.unsupported('label_smoothing', 'label smoothing for this loss', (x) => x === 0);
  if (key !== 'sparsecategoricalcrossentropy') cfg.unsupported('ignore_class', 'ignore_class for this loss');
  switch (key) {
    case 'huber':
    case 'huberloss':
      return huber({ delta: cfg.num('delta', 1, (x) => x > 0, 'a positive number') });
    case 'binarycrossentropy':
      return binaryCrossentropy({ fromLogits: logits, labelSmoothing: smoothing() });
    case 'categoricalcrossentropy':
      return categoricalCrossentropy({ fromLogits: logits, labelSmoothing: smoothing() });
    case 'sparsecategoricalcrossentropy': {
      const ic = cfg.get('ignore_class');
      if (ic !== undefined && !(typeof ic === 'number' && Number.isInteger(ic)))
        cfg.fail('ignore_class', 'an integer or null', ic);
      return sparseCategoricalCrossentropy({ fromLogits: logits, ignoreClass: ic as number | undefined });
    }
    default:
      return readLoss(name, path);
  }
}

const METRIC_CLASSES: Record<string, string> = {
  precision: 'Precision',
  recall: 'Recall',
  binary_accuracy: 'BinaryAccuracy',
};

/** Metric names as compiled; a metric with a non-default threshold as `{ class_name, config }`. */
export function writeMetrics(names: string[], metrics: Metric[]): (string | Record<string, unknown>)[] {
  return names.map((n, i) => {
    const m = metrics[i];
    if (m && m.threshold !== 0.5 && METRIC_CLASSES[m.kind]) {
      return {
        class_name: METRIC_CLASSES[m.kind],
        config: { name: n, [m.kind === 'binary_accuracy' ? 'threshold' : 'thresholds']: m.threshold },
      };
    }
    return n;
  });
}

export function readMetric(v: unknown, path: string): Metric {
  if (typeof v === 'string') {
    try {
      return getMetric(v);
    } catch {
      throw new NotSupportedError(
        `${path}: metric '${v}' is not supported by simdnet. Supported: ${metricNames.join(', ')}. ${compileHint}`,
      );
    }
  }
  const { name, cfg } = classAndConfig(v, path, 'a metric');
  const key = cfg.str('name') ?? name;
  // Keras 2 wraps function metrics: { class_name: 'MeanMetricWrapper', config: { name, fn } }.
  const base = normalizeName(name) === 'meanmetricwrapper' ? (cfg.str('fn') ?? key) : name;
  const m = readMetric(base.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase(), path);
  let t = cfg.get('thresholds') ?? cfg.get('threshold');
  if (Array.isArray(t)) {
    if (t.length !== 1) cfg.fail('thresholds', 'one threshold', t);
    t = t[0];
  }
  const threshold =
    t === undefined ? 0.5 : typeof t === 'number' && Number.isFinite(t) ? t : cfg.fail('thresholds', 'a number', t);
  return new Metric(key, m.kind, threshold);
}
