/**
 * The `simdnet/tfjs` API (issue 18): TensorFlow.js's names and semantics over simdnet's engine, so a
 * TF.js layers program runs by changing its import line. What TF.js has and simdnet does not throws a
 * NotSupportedError naming it (unsupported.ts), never `undefined is not a function`.
 */
import { backendInfo, getBackend as currentBackend, setBackend as chooseBackend } from '../backend/index.js';
import { NotSupportedError, invalid } from '../errors.js';
import { loadModel } from '../io/api.js';
import * as snIo from '../io/index.js';
import type { IOHandler, LoadOptions } from '../io/types.js';
import * as snLayers from '../layers-api.js';
import { input as snInput, model as snModel, type LayersModel as SnModel } from '../model.js';
import * as opt from '../optimizers.js';
import * as snCallbacks from '../callbacks.js';
import * as snData from '../data-api.js';
import * as snInitializers from '../initializers.js';
import * as snRegularizers from '../regularizers.js';
import { SIMDNET_VERSION } from '../io/save.js';
import { setResultTensor, type Tensor as BaseTensor } from '../tensor.js';
import { LayersModel, Sequential, functionNames, wrapModel } from './model.js';
import * as T from './tensor.js';
import { Tensor } from './tensor.js';
import { TFJS_NAMESPACES, unsupported } from './unsupported.js';

export * from './tensor.js';
export { LayersModel, Sequential };
export type { ModelCompileArgs, ModelFitArgs } from './model.js';
export { SymbolicTensor } from '../engine/graph.js';
export { Callback, Callback as CustomCallback, EarlyStopping, History } from '../callbacks.js';
export { Optimizer } from '../optimizers.js';
export type { Logs } from '../callbacks.js';
export { NotSupportedError, ValueError, SimdnetError } from '../errors.js';
export type Scalar = Tensor;
export type Tensor1D = Tensor;
export type Tensor2D = Tensor;
export type Tensor3D = Tensor;
export type Tensor4D = Tensor;
export type Rank = number;

// Models, predictions, weights and dataset batches of every simdnet model come out as TF.js tensors.
setResultTensor((values, shape, dtype) => new Tensor(values, shape, dtype));

/** Fill a namespace's TF.js members that simdnet lacks with functions that throw NotSupportedError. */
function namespace<N extends object>(name: string, impl: N): N {
  for (const m of TFJS_NAMESPACES[name] ?? [])
    if (!(m in impl)) (impl as Record<string, unknown>)[m] = unsupported(`${name}.${m}`);
  return impl;
}

// ---- Models ----

/** tf.sequential({ layers, name }) */
export function sequential(config: { layers?: snLayers.Layer[]; name?: string } = {}): Sequential {
  if (typeof config !== 'object' || config === null || Array.isArray(config))
    invalid('config', 'an object like { layers: [...] }', config);
  return new Sequential(config);
}
/** tf.model({ inputs, outputs, name }) */
export function model(args: Parameters<typeof snModel>[0]): LayersModel {
  return new LayersModel(snModel(args));
}
export const input = snInput;
/** tf.loadLayersModel(url | handler): a model.json (and its weights) from a URL, a file:// path, browser storage or a handler. */
export async function loadLayersModel(
  pathOrIOHandler: string | IOHandler,
  options: LoadOptions & { strict?: boolean; onProgress?: unknown; fromTFHub?: boolean } = {},
): Promise<LayersModel> {
  if (options.fromTFHub)
    throw new NotSupportedError(
      'tf.loadLayersModel: fromTFHub is not supported by simdnet/tfjs (no downloads at run time).',
    );
  const { strict: _s, onProgress: _p, fromTFHub: _f, ...rest } = options;
  return wrapModel((await loadModel(pathOrIOHandler, rest)) as SnModel);
}
export const layers = namespace('layers', { ...snLayers });
export const models = namespace('models', {});

// ---- Training ----

const lr = (v: number | undefined, d: number) => v ?? d;
/** TF.js's optimizers (positional arguments), as simdnet optimizers. */
export const train = namespace('train', {
  sgd: (learningRate: number) => opt.sgd({ learningRate }),
  momentum: (learningRate: number, momentum: number, useNesterov = false) =>
    opt.sgd({ learningRate, momentum, nesterov: useNesterov }),
  adagrad: (learningRate: number, initialAccumulatorValue = 0.1) =>
    opt.adagrad({ learningRate, initialAccumulatorValue }),
  adadelta: (learningRate?: number, rho = 0.95, epsilon?: number) =>
    opt.adadelta({ learningRate: lr(learningRate, 0.001), rho, ...(epsilon !== undefined ? { epsilon } : {}) }),
  adam: (learningRate?: number, beta1 = 0.9, beta2 = 0.999, epsilon?: number) =>
    opt.adam({ learningRate: lr(learningRate, 0.001), beta1, beta2, ...(epsilon !== undefined ? { epsilon } : {}) }),
  adamax: (learningRate?: number, beta1 = 0.9, beta2 = 0.999, epsilon?: number, decay = 0) => {
    if (decay !== 0)
      throw new NotSupportedError(
        'tf.train.adamax: a learning-rate decay is not supported by simdnet/tfjs (use decay 0).',
      );
    return opt.adamax({
      learningRate: lr(learningRate, 0.002),
      beta1,
      beta2,
      ...(epsilon !== undefined ? { epsilon } : {}),
    });
  },
  rmsprop: (learningRate: number, decay = 0.9, momentum = 0, epsilon?: number, centered = false) =>
    opt.rmsprop({ learningRate, rho: decay, momentum, centered, ...(epsilon !== undefined ? { epsilon } : {}) }),
  Optimizer: opt.Optimizer,
});

export const callbacks = namespace('callbacks', {
  earlyStopping: (args: snCallbacks.EarlyStoppingArgs = {}) => snCallbacks.earlyStopping(args),
});

/** tf.Reduction */
export const Reduction = { NONE: 0, MEAN: 1, SUM: 2, SUM_BY_NONZERO_WEIGHTS: 3 } as const;
type ReductionT = (typeof Reduction)[keyof typeof Reduction];
/** TF.js's computeWeightedLoss: weights, then the reduction (default: the mean over non-zero weights). */
function weighted(
  losses: T.TensorLike,
  weights?: T.TensorLike,
  reduction: ReductionT = Reduction.SUM_BY_NONZERO_WEIGHTS,
): Tensor {
  const l = T.convert(losses, 'losses');
  const w = weights === undefined ? null : T.convert(weights, 'weights');
  const wl = w ? T.mul(l, w) : l;
  if (reduction === Reduction.NONE) return wl;
  if (reduction === Reduction.SUM) return T.sum(wl);
  if (reduction === Reduction.MEAN) return w ? T.div(T.sum(wl), T.sum(T.mul(T.onesLike(l), w))) : T.mean(wl);
  const nonzero = w ? T.sum(T.cast(T.notEqual(T.mul(T.onesLike(l), w), 0), 'float32')) : T.scalar(l.size);
  return T.divNoNan(T.sum(wl), nonzero);
}
const eps = 1e-7;
/** TF.js's op-style losses: functions of (labels, predictions, weights?, reduction?) answering tensors. */
export const losses = namespace('losses', {
  computeWeightedLoss: weighted,
  meanSquaredError: (labels: T.TensorLike, predictions: T.TensorLike, weights?: T.TensorLike, reduction?: ReductionT) =>
    weighted(T.squaredDifference(labels, predictions), weights, reduction),
  absoluteDifference: (
    labels: T.TensorLike,
    predictions: T.TensorLike,
    weights?: T.TensorLike,
    reduction?: ReductionT,
  ) => weighted(T.abs(T.sub(labels, predictions)), weights, reduction),
  huberLoss: (
    labels: T.TensorLike,
    predictions: T.TensorLike,
    weights?: T.TensorLike,
    delta = 1,
    reduction?: ReductionT,
  ) => {
    const e = T.abs(T.sub(labels, predictions));
    const q = T.minimum(e, delta);
    return weighted(T.add(T.mul(0.5, T.square(q)), T.mul(delta, T.sub(e, q))), weights, reduction);
  },
  logLoss: (
    labels: T.TensorLike,
    predictions: T.TensorLike,
    weights?: T.TensorLike,
    epsilon = eps,
    reduction?: ReductionT,
  ) => {
    const y = T.convert(labels, 'labels'),
      p = T.convert(predictions, 'predictions');
    const l = T.neg(T.add(T.mul(y, T.log(T.add(p, epsilon))), T.mul(T.sub(1, y), T.log(T.add(T.sub(1, p), epsilon)))));
    return weighted(l, weights, reduction);
  },
  hingeLoss: (labels: T.TensorLike, predictions: T.TensorLike, weights?: T.TensorLike, reduction?: ReductionT) => {
    const y = T.sub(T.mul(2, labels), 1);
    return weighted(T.relu(T.sub(1, T.mul(y, predictions))), weights, reduction);
  },
  cosineDistance: (
    labels: T.TensorLike,
    predictions: T.TensorLike,
    axis: number,
    weights?: T.TensorLike,
    reduction?: ReductionT,
  ) => weighted(T.sub(1, T.sum(T.mul(labels, predictions), axis, true)), weights, reduction),
  sigmoidCrossEntropy: (
    labels: T.TensorLike,
    logits: T.TensorLike,
    weights?: T.TensorLike,
    labelSmoothing = 0,
    reduction?: ReductionT,
  ) => {
    let y = T.convert(labels, 'multiClassLabels');
    if (labelSmoothing > 0) y = T.add(T.mul(y, 1 - labelSmoothing), 0.5 * labelSmoothing);
    const x = T.convert(logits, 'logits');
    // max(x, 0) − x·y + log(1 + e^−|x|)
    const l = T.add(T.sub(T.relu(x), T.mul(x, y)), T.log1p(T.exp(T.neg(T.abs(x)))));
    return weighted(l, weights, reduction);
  },
  softmaxCrossEntropy: (
    labels: T.TensorLike,
    logits: T.TensorLike,
    weights?: T.TensorLike,
    labelSmoothing = 0,
    reduction?: ReductionT,
  ) => {
    let y = T.convert(labels, 'onehotLabels');
    const n = y.shape[y.rank - 1]!;
    if (labelSmoothing > 0) y = T.add(T.mul(y, 1 - labelSmoothing), labelSmoothing / n);
    const l = T.neg(T.sum(T.mul(y, T.logSoftmax(logits)), -1));
    return weighted(l, weights, reduction);
  },
});
for (const [k, f] of Object.entries(losses))
  if (typeof f === 'function' && k !== 'computeWeightedLoss') functionNames.set(f, k);

const lastMean = (t: Tensor) => T.mean(t, -1);
const clipP = (p: T.TensorLike) => T.clipByValue(p, eps, 1 - eps);
/** TF.js's metric functions of (yTrue, yPred): per-sample values (precision, recall, r2Score: one value). */
export const metrics = namespace('metrics', {
  binaryAccuracy: (yTrue: T.TensorLike, yPred: T.TensorLike) =>
    lastMean(T.cast(T.equal(yTrue, T.cast(T.greater(yPred, 0.5), 'float32')), 'float32')),
  categoricalAccuracy: (yTrue: T.TensorLike, yPred: T.TensorLike) =>
    T.cast(T.equal(T.argMax(yTrue, -1), T.argMax(yPred, -1)), 'float32'),
  sparseCategoricalAccuracy: (yTrue: T.TensorLike, yPred: T.TensorLike) => {
    const y = T.convert(yTrue, 'yTrue');
    const flat = y.rank > 1 && y.shape[y.rank - 1] === 1 ? T.squeeze(y, [-1]) : y;
    return T.cast(T.equal(flat, T.cast(T.argMax(yPred, -1), 'float32')), 'float32');
  },
  binaryCrossentropy: (yTrue: T.TensorLike, yPred: T.TensorLike) => {
    const p = clipP(yPred);
    return lastMean(T.neg(T.add(T.mul(yTrue, T.log(p)), T.mul(T.sub(1, yTrue), T.log(T.sub(1, p))))));
  },
  categoricalCrossentropy: (yTrue: T.TensorLike, yPred: T.TensorLike) => {
    const p = T.div(yPred, T.sum(yPred, -1, true));
    return T.neg(T.sum(T.mul(yTrue, T.log(clipP(p))), -1));
  },
  meanSquaredError: (yTrue: T.TensorLike, yPred: T.TensorLike) => lastMean(T.squaredDifference(yTrue, yPred)),
  meanAbsoluteError: (yTrue: T.TensorLike, yPred: T.TensorLike) => lastMean(T.abs(T.sub(yTrue, yPred))),
  meanAbsolutePercentageError: (yTrue: T.TensorLike, yPred: T.TensorLike) =>
    T.mul(100, lastMean(T.abs(T.div(T.sub(yTrue, yPred), T.maximum(T.abs(yTrue), eps))))),
  cosineProximity: (yTrue: T.TensorLike, yPred: T.TensorLike) => {
    const n = (t: T.TensorLike) => T.div(t, T.maximum(T.norm(t, 'euclidean', -1, true), eps));
    return T.neg(T.sum(T.mul(n(yTrue), n(yPred)), -1));
  },
  precision: (yTrue: T.TensorLike, yPred: T.TensorLike) => {
    const tp = T.sum(T.mul(yTrue, yPred)),
      fp = T.sum(T.mul(T.sub(1, yTrue), yPred));
    return T.divNoNan(tp, T.add(tp, fp));
  },
  recall: (yTrue: T.TensorLike, yPred: T.TensorLike) => {
    const tp = T.sum(T.mul(yTrue, yPred)),
      fn = T.sum(T.mul(yTrue, T.sub(1, yPred)));
    return T.divNoNan(tp, T.add(tp, fn));
  },
  r2Score: (yTrue: T.TensorLike, yPred: T.TensorLike) => {
    const ss = T.sum(T.squaredDifference(yTrue, yPred)),
      st = T.sum(T.squaredDifference(yTrue, T.mean(yTrue)));
    return T.sub(1, T.divNoNan(ss, st));
  },
});
Object.assign(metrics, {
  MSE: metrics.meanSquaredError,
  mse: metrics.meanSquaredError,
  MAPE: metrics.meanAbsolutePercentageError,
  mape: metrics.meanAbsolutePercentageError,
});
for (const [k, f] of Object.entries(metrics))
  if (typeof f === 'function' && !functionNames.has(f)) functionNames.set(f, k);

/** tf.math.confusionMatrix(labels, predictions, numClasses): an int32 [numClasses, numClasses] count, rows by label. */
export const math = namespace('math', {
  confusionMatrix: (labels: T.TensorLike, predictions: T.TensorLike, numClasses: number): Tensor => {
    const l = T.convert(labels, 'labels'),
      p = T.convert(predictions, 'predictions');
    if (!Number.isInteger(numClasses) || numClasses <= 0) invalid('numClasses', 'a positive integer', numClasses);
    if (l.rank !== 1 || p.rank !== 1 || l.size !== p.size)
      invalid('predictions', `a 1-D tensor as long as labels (${l.size})`, `shape [${p.shape.join(', ')}]`);
    const out = new Float32Array(numClasses * numClasses);
    for (let i = 0; i < l.size; i++) {
      const a = l.values[i]!,
        b = p.values[i]!;
      for (const [v, what] of [
        [a, 'labels'],
        [b, 'predictions'],
      ] as const)
        if (!Number.isInteger(v) || v < 0 || v >= numClasses)
          invalid(what, `class indices in [0, ${numClasses})`, `${v} at position ${i}`);
      out[a * numClasses + b]! += 1;
    }
    return new Tensor(out, [numClasses, numClasses], 'int32');
  },
});

export const initializers = namespace('initializers', { ...snInitializers });
export const regularizers = namespace('regularizers', { ...snRegularizers });
export const constraints = namespace('constraints', {});

// ---- Data, io ----

export const data = { ...snData };
export const io = namespace('io', { ...snIo });

// ---- Backends and environment ----

const told = new Set<string>();
/**
 * tf.setBackend: any TF.js backend name is accepted and mapped to simdnet's ('cpu' → simdnet's pure-JS
 * backend, anything else → its WebAssembly SIMD backend), saying so once per name.
 */
export async function setBackend(name: string): Promise<boolean> {
  if (typeof name !== 'string') invalid('backendName', 'a backend name', name);
  const ours = name === 'cpu' ? 'js' : 'wasm';
  chooseBackend(ours);
  if (!told.has(name)) {
    told.add(name);
    console.info(
      `simdnet/tfjs: setBackend('${name}') runs on simdnet's ${ours === 'js' ? 'pure-JavaScript' : 'WebAssembly SIMD'} backend.`,
    );
  }
  return true;
}
/** The backend in use: 'wasm' (simdnet's WebAssembly SIMD kernels) or 'cpu' (its pure-JS backend). */
export function getBackend(): string {
  return currentBackend().name === 'js' ? 'cpu' : 'wasm';
}
export async function ready(): Promise<void> {}
export const nextFrame = (): Promise<void> =>
  new Promise((r) =>
    typeof requestAnimationFrame === 'function' ? requestAnimationFrame(() => r()) : setTimeout(r, 0),
  );
const flags = new Map<string, unknown>();
/** tf.env(): flags are stored and read back; simdnet's behaviour does not depend on them. */
export const env = () => ({
  get: (k: string) => flags.get(k),
  getBool: (k: string) => !!flags.get(k),
  getNumber: (k: string) => Number(flags.get(k) ?? 0),
  set: (k: string, v: unknown) => void flags.set(k, v),
  features: Object.fromEntries(flags),
  platformName: typeof process !== 'undefined' && process.versions?.node ? 'node' : 'browser',
});
export const enableProdMode = (): void => {};
export const enableDebugMode = (): void => {};
export const disableDeprecationWarnings = (): void => {};
export const engine = () => ({ startScope: () => {}, endScope: () => {}, backendName: getBackend() });
export const version = { 'tfjs-core': '4.22.0', 'tfjs-layers': '4.22.0', simdnet: SIMDNET_VERSION };
export const version_core = '4.22.0';
export const version_layers = '4.22.0';
/** What kernel memory the backend holds (tf.memory()'s kernelBytes). */
T.setKernelBytes(() => currentBackend().heap.liveBytes);
export { backendInfo };

// ---- util, browser ----

export const util = namespace('util', {
  /** Shuffle an array in place (Fisher–Yates). */
  shuffle: <A>(array: A[] | Float32Array | Int32Array): void => {
    for (let i = array.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      const t = array[i]!;
      array[i] = array[j]!;
      array[j] = t;
    }
  },
  /** Shuffle two arrays in the same order. */
  shuffleCombo: <A, B>(a: A[], b: B[]): void => {
    if (a.length !== b.length) invalid('array2', `an array as long as array (${a.length})`, b.length);
    for (let i = a.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [a[i], a[j]] = [a[j]!, a[i]!];
      [b[i], b[j]] = [b[j]!, b[i]!];
    }
  },
  createShuffledIndices: (n: number): Uint32Array => {
    const out = new Uint32Array(n).map((_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  },
  assert: (expr: boolean, msg: () => string): void => {
    if (!expr) throw new Error(typeof msg === 'function' ? msg() : String(msg));
  },
  sizeFromShape: (shape: number[]): number => shape.reduce((a, b) => a * b, 1),
  now: (): number => performance.now(),
  flatten: (arr: unknown[]): unknown[] => (arr as unknown[]).flat(Infinity),
  arraysEqual: (a: ArrayLike<unknown>, b: ArrayLike<unknown>): boolean =>
    a.length === b.length && Array.from(a).every((v, i) => v === b[i]),
  isTypedArray: (a: unknown): boolean => ArrayBuffer.isView(a) && !(a instanceof DataView),
});

/** tf.browser.fromPixels: an ImageData-like { data, width, height } (RGBA bytes) as an int32 [h, w, c] tensor. */
export const browser = namespace('browser', {
  fromPixels: (pixels: { data: ArrayLike<number>; width: number; height: number }, numChannels = 3): Tensor => {
    if (typeof pixels !== 'object' || pixels === null || !('data' in pixels))
      throw new NotSupportedError(
        'tf.browser.fromPixels: simdnet/tfjs takes ImageData (or { data, width, height }); draw an image or video to a canvas and pass its getImageData().',
      );
    const { data: d, width: w, height: h } = pixels;
    const out = new Float32Array(w * h * numChannels);
    for (let i = 0; i < w * h; i++) for (let c = 0; c < numChannels; c++) out[i * numChannels + c] = d[i * 4 + c]!;
    return new Tensor(out, [h, w, numChannels], 'int32');
  },
});

/** tf.print(x, verbose) */
export const print = (x: T.TensorLike, verbose = false): void => T.convert(x).print(verbose);
/** TF.js's variables and gradients need automatic differentiation of tensor ops, which simdnet does not have. */
export const variable = unsupported(
  'variable',
  'tf.variable (custom training loops over tensor ops need automatic differentiation; train with model.fit)',
);
export const grad = unsupported('grad', 'tf.grad (automatic differentiation of tensor ops; train with model.fit)');
export const grads = unsupported('grads', 'tf.grads (automatic differentiation of tensor ops; train with model.fit)');
export const valueAndGrad = unsupported(
  'valueAndGrad',
  'tf.valueAndGrad (automatic differentiation; train with model.fit)',
);
export const valueAndGrads = unsupported(
  'valueAndGrads',
  'tf.valueAndGrads (automatic differentiation; train with model.fit)',
);
export const variableGrads = unsupported(
  'variableGrads',
  'tf.variableGrads (automatic differentiation; train with model.fit)',
);
export const customGrad = unsupported('customGrad', 'tf.customGrad (automatic differentiation; train with model.fit)');

/** @internal For tests: a value is one of this entry's tensors. */
export const isTensor = (x: unknown): x is Tensor => x instanceof Tensor;
export type { BaseTensor };

export * from './unsupported-top.js';
