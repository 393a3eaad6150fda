/**
 * Reading and writing the parts of a Keras/TF.js config that layers and the
 * model both use: a typed config reader with JSON paths in its errors
 * (`Cfg`), activations, initializers, regularizers, and what a layer's
 * `fromConfig` reader receives (`LayerReadContext`). Nothing here knows a
 * layer class: layers register their own readers here (registerLayer, called
 * from src/layers.ts), and loading looks them up by class name.
 */
import { DataError, NotSupportedError, SimdnetError, describe } from '../errors.js';
import { activationNames, normalizeName, resolveActivation } from '../activations.js';
import {
  Initializer,
  Constant,
  GlorotNormal,
  GlorotUniform,
  HeNormal,
  HeUniform,
  LecunNormal,
  LecunUniform,
  Ones,
  Orthogonal,
  RandomNormal,
  RandomUniform,
  TruncatedNormal,
  VarianceScaling,
  Zeros,
} from '../initializers.js';
import { Regularizer } from '../regularizers.js';
import { at, isPlainObject } from './validate.js';
import type { Layer } from '../layers.js';

// ------------------------------------------------------------------ reading helpers

export const camel = (k: string) => k.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** A config object with its JSON path, for typed reads with clear errors. */
export class Cfg {
  constructor(
    readonly o: Record<string, unknown>,
    readonly path: string,
  ) {}
  static of(v: unknown, path: string, what: string): Cfg {
    if (v === undefined || v === null) return new Cfg({}, path);
    if (!isPlainObject(v)) throw new DataError(`${path}: expected ${what}. Received: ${describe(v)}`);
    return new Cfg(v, path);
  }
  /** Whether the key (or its camelCase form) is present, even as null (where null means something: merge_mode). */
  isNull(k: string): boolean {
    return [k, camel(k)].some((key) => Object.prototype.hasOwnProperty.call(this.o, key) && this.o[key] === null);
  }
  /** The value under the snake_case key or its camelCase form; undefined for absent or null. */
  get(k: string): unknown {
    const own = (key: string) => (Object.prototype.hasOwnProperty.call(this.o, key) ? this.o[key] : undefined);
    const v = own(k) ?? own(camel(k));
    return v === null ? undefined : v;
  }
  p(k: string): string {
    return at(this.path, k);
  }
  fail(k: string, expected: string, v: unknown): never {
    throw new DataError(`${this.p(k)}: expected ${expected}. Received: ${describe(v)}`);
  }
  int(k: string, def: number | undefined, min: number, max: number): number {
    const v = this.get(k);
    if (v === undefined) {
      if (def === undefined) this.fail(k, `an integer in [${min}, ${max}] (the field is required)`, v);
      return def;
    }
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
      this.fail(k, `an integer in [${min}, ${max}]`, v);
    return v;
  }
  num(
    k: string,
    def: number | undefined,
    ok: (x: number) => boolean = () => true,
    expected = 'a finite number',
  ): number {
    const v = this.get(k);
    if (v === undefined) {
      if (def === undefined) this.fail(k, `${expected} (the field is required)`, v);
      return def;
    }
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
      throw new NotSupportedError(
        `${this.p(k)}: ${what} is not supported by simdnet. Received: ${describe(isPlainObject(v) ? (v.class_name ?? v) : v)}. Remove it from the source model, or re-create the model in simdnet without it.`,
      );
    }
  }
}

export const isKeras3 = (kerasVersion: string | undefined) =>
  typeof kerasVersion === 'string' && /^3\./.test(kerasVersion);

/** Read `{ class_name, config }` (or TF.js's `{ className, config }`). */
export function classAndConfig(v: unknown, path: string, what: string): { name: string; cfg: Cfg } {
  if (!isPlainObject(v))
    throw new DataError(`${path}: expected ${what} as { class_name, config }. Received: ${describe(v)}`);
  const raw = v.class_name ?? v.className;
  if (typeof raw !== 'string' || raw.length === 0)
    throw new DataError(`${at(path, 'class_name')}: expected a class name string. Received: ${describe(raw)}`);
  // Keras 2.11+ writes registered names such as 'Custom>Adam'.
  const name = raw.slice(raw.lastIndexOf('>') + 1);
  return { name, cfg: Cfg.of(v.config, at(path, 'config'), 'a config object') };
}

/** Rethrow a constructor's ValueError as a DataError that names the config. */
export function wrap<T>(path: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
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
  try {
    canonical = resolveActivation(name).name;
  } catch {
    throw new NotSupportedError(
      `${path}: activation '${name}' is not supported by simdnet. Supported: ${activationNames.join(', ')}.`,
    );
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
  [GlorotUniform, 1, 'fan_avg', 'uniform'],
  [GlorotNormal, 1, 'fan_avg', 'truncated_normal'],
  [HeNormal, 2, 'fan_in', 'truncated_normal'],
  [HeUniform, 2, 'fan_in', 'uniform'],
  [LecunNormal, 1, 'fan_in', 'truncated_normal'],
  [LecunUniform, 1, 'fan_in', 'uniform'],
];
const INITIALIZER_CLASSES = [
  'Zeros',
  'Ones',
  'Constant',
  'RandomUniform',
  'RandomNormal',
  'TruncatedNormal',
  'VarianceScaling',
  'GlorotUniform',
  'GlorotNormal',
  'HeNormal',
  'HeUniform',
  'LecunNormal',
  'LecunUniform',
  'Orthogonal',
];

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
  if (typeof v === 'string') {
    name = v;
    c = new Cfg({}, path);
  } else ({ name, cfg: c } = classAndConfig(v, path, 'an initializer'));
  const key = normalizeName(name);
  const seed = readSeed(c);
  switch (key) {
    case 'zeros':
    case 'zero':
      return new Zeros();
    case 'ones':
    case 'one':
      return new Ones();
    case 'constant':
      return new Constant(c.num('value', typeof v === 'string' ? 0 : undefined));
    case 'randomuniform':
    case 'uniform': {
      const lo = c.num('minval', -0.05),
        hi = c.num('maxval', 0.05);
      if (!(hi >= lo)) c.fail('maxval', `a number ≥ minval (${lo})`, hi);
      return new RandomUniform(lo, hi, seed);
    }
    case 'randomnormal':
    case 'normal':
      return new RandomNormal(
        c.num('mean', 0),
        c.num('stddev', 0.05, (x) => x >= 0, 'a non-negative number'),
        seed,
      );
    case 'truncatednormal':
      return new TruncatedNormal(
        c.num('mean', 0),
        c.num('stddev', 0.05, (x) => x >= 0, 'a non-negative number'),
        seed,
      );
    case 'orthogonal':
      return new Orthogonal(c.num('gain', 1), seed);
    case 'variancescaling': {
      const scale = c.num('scale', 1, (x) => x > 0, 'a positive number');
      const modeRaw = c.str('mode') ?? 'fan_in';
      const mode = ({ fanin: 'fan_in', fanout: 'fan_out', fanavg: 'fan_avg' } as Record<string, Mode>)[
        normalizeName(modeRaw)
      ];
      if (!mode) c.fail('mode', "'fan_in', 'fan_out' or 'fan_avg'", modeRaw);
      const distRaw = c.str('distribution') ?? 'truncated_normal';
      // 'normal' is the truncated normal in Keras 2, Keras 3 and TF.js alike.
      const dist = (
        {
          normal: 'truncated_normal',
          truncatednormal: 'truncated_normal',
          untruncatednormal: 'untruncated_normal',
          uniform: 'uniform',
        } as Record<string, Dist>
      )[normalizeName(distRaw)];
      if (!dist) c.fail('distribution', "'truncated_normal' (or 'normal'), 'untruncated_normal' or 'uniform'", distRaw);
      const named = NAMED_VS.find(([, s, m, d]) => s === scale && m === mode && d === dist);
      return named ? new named[0](seed) : new VarianceScaling(scale, mode, dist, seed);
    }
    default: {
      const named = NAMED_VS.find(([ctor]) => normalizeName(new ctor().className) === key);
      if (named) return new named[0](seed);
      throw new NotSupportedError(
        `${path}: initializer '${name}' is not supported by simdnet. Supported: ${INITIALIZER_CLASSES.join(', ')}.`,
      );
    }
  }
}

/** `{ class_name, config }` in the form Keras 2, Keras 3 and TF.js all read. */
export function writeInitializer(i: Initializer): { class_name: string; config: Record<string, unknown> } {
  if (i instanceof VarianceScaling) {
    // TF.js spells these 'LeCunNormal'/'LeCunUniform', Keras 'LecunNormal': VarianceScaling reads everywhere.
    if (i.className === 'LecunNormal' || i.className === 'LecunUniform') {
      return {
        class_name: 'VarianceScaling',
        config: { scale: i.scale, mode: i.mode, distribution: i.distribution, seed: i.seed ?? null },
      };
    }
    if (i.className === 'VarianceScaling')
      return { class_name: 'VarianceScaling', config: { ...i.getConfig(), seed: i.seed ?? null } };
    return { class_name: i.className, config: { seed: i.seed ?? null } };
  }
  const c = i.getConfig();
  if (
    'seed' in c ||
    i instanceof RandomUniform ||
    i instanceof RandomNormal ||
    i instanceof TruncatedNormal ||
    i instanceof Orthogonal
  )
    c.seed ??= null;
  return { class_name: i.className, config: c };
}

// ------------------------------------------------------------------ regularizers

export function readRegularizer(v: unknown, path: string): Regularizer | null {
  if (v === undefined || v === null) return null;
  let name: string, c: Cfg;
  if (typeof v === 'string') {
    name = v;
    c = new Cfg({}, path);
  } else ({ name, cfg: c } = classAndConfig(v, path, 'a regularizer'));
  const nonneg = (x: number) => x >= 0;
  const isStr = typeof v === 'string';
  switch (normalizeName(name)) {
    case 'l1':
      return new Regularizer(c.num('l1', 0.01, nonneg, 'a non-negative number'), 0);
    case 'l2':
      return new Regularizer(0, c.num('l2', 0.01, nonneg, 'a non-negative number'));
    case 'l1l2':
      return new Regularizer(
        c.num('l1', isStr ? 0.01 : 0, nonneg, 'a non-negative number'),
        c.num('l2', isStr ? 0.01 : 0, nonneg, 'a non-negative number'),
      );
    default:
      throw new NotSupportedError(
        `${path}: regularizer '${name}' is not supported by simdnet. Supported: L1, L2, L1L2.`,
      );
  }
}

/** Always `L1L2`: TF.js knows no `L1` or `L2` class. */
export function writeRegularizer(r: Regularizer | null): { class_name: string; config: Record<string, number> } | null {
  return r ? { class_name: 'L1L2', config: { l1: r.l1, l2: r.l2 } } : null;
}

// ------------------------------------------------------------------ what a layer reader receives

/** Wrap an initializer so its `fill` can be skipped while the weights are about to be overwritten by loaded values. */
export interface InitGate {
  skip: boolean;
}
export function gated(init: Initializer, gate: InitGate): Initializer {
  return new Proxy(init, {
    get(target, prop) {
      if (prop === 'fill' && gate.skip)
        return () => {
          /* values come from the file */
        };
      return Reflect.get(target, prop, target);
    },
  });
}

/**
 * What a layer class's registered reader gets: the config (`c`, with its JSON
 * path), the arguments every layer shares (`base`: name, trainable, batch
 * input shape), and readers for the typed fields layers have in common.
 */
export interface LayerReadContext {
  c: Cfg;
  path: string;
  base: { name?: string; trainable: boolean; batchInputShape?: (number | null)[] };
  /** The largest size a dimension may have (the load's parameter cap). */
  maxParams: number;
  /** An activation field (default 'linear'), read as the file's writer computed it (see HARD_SIGMOID_KERAS3). */
  activation(key?: string): string;
  /** An initializer field, `def` when absent; its fill is skipped when the file's weights will replace it. */
  init(key: string, def: string): Initializer;
  /** A regularizer field; undefined when absent. */
  regularizer(key: string): Regularizer | undefined;
  /** Refuse a weight constraint (simdnet has none). */
  noConstraint(key: string): void;
  /** True for an axis field that means the last axis of flat features (-1 or 1, alone or in a list). */
  lastAxis(v: unknown): boolean;
  /** The topology's keras_version: '3.1.0' or '2.15.0' from Keras, 'tfjs-layers 4.22.0', 'simdnet 0.1.0', or none. */
  kerasVersion?: string;
  /** A layer nested in this one's config as { class_name, config } (a wrapper's), read as the file's others. */
  layer(key: string): Layer;
}

/** A layer context for `c` (see LayerReadContext). */
export function layerReadContext(
  c: Cfg,
  path: string,
  base: LayerReadContext['base'],
  gate: InitGate,
  maxParams: number,
  kerasVersion?: string,
): Omit<LayerReadContext, 'layer'> {
  return {
    c,
    path,
    base,
    maxParams,
    activation: (key = 'activation') => readActivation(c.get(key), c.p(key), kerasVersion),
    init: (k, def) => gated(readInitializer(c.get(k), c.p(k)) ?? readInitializer(def, c.p(k))!, gate),
    regularizer: (k) => readRegularizer(c.get(k), c.p(k)) ?? undefined,
    noConstraint: (k) => c.unsupported(k, 'a weight constraint'),
    lastAxis: (x) => x === -1 || x === 1 || (Array.isArray(x) && x.length === 1 && (x[0] === -1 || x[0] === 1)),
    ...(kerasVersion !== undefined ? { kerasVersion } : {}),
  };
}

// ------------------------------------------------------------------ the layer registry

/** How a layer config is read and written (set by io/config.ts, which knows every layer). */
export interface NestedLayerIO {
  read(v: unknown, path: string): Layer;
  write(l: Layer): { class_name: string; config: Record<string, unknown> };
}
let nestedIO: NestedLayerIO | null = null;
export function setNestedLayerIO(io: NestedLayerIO): void {
  nestedIO = io;
}
function nested(): NestedLayerIO {
  if (!nestedIO) throw new Error('simdnet: internal error: the layer registry (io/config.ts) is not loaded');
  return nestedIO;
}
/**
 * A new layer from `l`'s config with some fields replaced (a wrapper's copies of the layer it wraps, as Keras
 * makes them); its input shape, if `l` was given one, is left out.
 */
export function cloneLayer(l: Layer, patch: Record<string, unknown>): Layer {
  const { class_name, config } = nested().write(l);
  delete config.batch_input_shape;
  return nested().read({ class_name, config: { ...config, ...patch } }, `layer '${l.name}'`);
}
/** A layer's config as a file holds it (a wrapper's nested layer). */
export function writeNestedLayer(l: Layer): { class_name: string; config: Record<string, unknown> } {
  return nested().write(l);
}

/** Reads a layer class's Keras/TF.js config (the fields every layer shares are read for it: ctx.base). */
export type LayerReader = (ctx: LayerReadContext) => Layer;
const READERS = new Map<string, { read: LayerReader; label: string }>();

/**
 * Register the reader for a Keras/TF.js layer class name, as Keras's
 * serialization registry and TF.js's registerClass do. `label` is how the
 * class appears in the list of supported layers (with any limits). Loading a
 * file finds its layers here; each layer class registers itself (at the end of src/layers.ts).
 */
export function registerLayer(className: string, read: LayerReader, label = className): void {
  READERS.set(className, { read, label });
}
/** The reader registered for a class name, if any. */
export function layerReader(className: string): LayerReader | undefined {
  return READERS.get(className)?.read;
}
/** The supported layer classes, in registration order, as error messages list them. */
export function layerClassLabels(): string[] {
  return [...READERS.values()].map((r) => r.label);
}
