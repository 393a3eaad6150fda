/**
 * The public API, without the kernel initialization: both entries re-export
 * it, after initializing the backends their way (index.ts awaits the
 * asynchronous compile, the CommonJS entry index.cts compiles synchronously).
 * Import the package, not this file: nothing here works before the kernels
 * are loaded.
 *
 * @module
 */
import { initBackends } from './backend/index.js';

export { setBackend, getBackend, backendInfo, setThreads, shutdown } from './backend/index.js';
export type { BackendName, BackendInfo } from './backend/index.js';

/**
 * Resolves once the kernels are compiled. Already true after `import 'simdnet'`
 * or `require('simdnet')`; kept for TF.js users' `await tf.ready()`.
 *
 * @example
 * await sn.ready();
 * console.log(sn.backendInfo().backend); // 'wasm' (or 'js' without WebAssembly SIMD)
 */
export function ready(): Promise<void> {
  return initBackends();
}
export type { Backend } from './backend/types.js';
export { Tensor, tensor, zeros, ones } from './tensor.js';
export type { TensorLike, NestedArray } from './tensor.js';
export {
  matMul,
  add,
  sub,
  mul,
  div,
  sum,
  mean,
  max,
  min,
  argMax,
  transpose,
  reshape,
  slice,
  concat,
  oneHot,
  activation,
  relu,
  sigmoid,
  tanh,
  softmax,
  elu,
  selu,
  leakyRelu,
  gelu,
  swish,
  softplus,
  softsign,
  exponential,
  hardSigmoid,
  exp,
  log,
  sqrt,
  abs,
  square,
  neg,
  broadcastShapes,
} from './ops.js';
export { activationNames } from './activations.js';
export { LayersModel, Sequential, sequential, model, input } from './model.js';
export type { CompileArgs, FitArgs, FitDatasetArgs, EvaluateArgs, PredictArgs, ModelData } from './model.js';
export { Dataset } from './dataset.js';
export { SymbolicTensor } from './engine/graph.js';
export type { DataLike } from './data.js';
export { setSeed } from './random.js';
export { SimdnetError, ValueError, DataError, NotSupportedError } from './errors.js';
export { historyToSVG } from './callbacks.js';

/** Layers for {@link sequential}: `dense`, `activation`, `dropout`, `batchNormalization`, `flatten`, `input`, … */
export * as layers from './layers-api.js';
/** Datasets read lazily (sn.data.array, generator, csv, zip), for model.fitDataset. */
export * as data from './data-api.js';
/** Optimizers (`sgd`, `adam`, `rmsprop`, …), for `model.compile({ optimizer })` by object instead of by name. */
export * as optimizers from './optimizers.js';
/**
 * Loss objects (`huber({ delta })`, `binaryCrossentropy({ fromLogits })`, …) for `model.compile({ loss })`, instead of
 * a loss name.
 */
export * as losses from './losses.js';
/**
 * Metric objects (`binaryAccuracy({ threshold })`, `precision`, `recall`, …) for `model.compile({ metrics })`, instead
 * of a metric name.
 */
export * as metrics from './metrics.js';
/**
 * Training callbacks for `model.fit({ callbacks })`: `earlyStopping`, `reduceLROnPlateau`, `learningRateScheduler`,
 * `terminateOnNaN`, `modelCheckpoint`.
 */
export * as callbacks from './io/callbacks.js';
/**
 * Weight initializers (`glorotUniform`, `heNormal`, `zeros`, …) for layers' `kernelInitializer` / `biasInitializer`.
 */
export * as initializers from './initializers.js';
/** Weight regularizers (`l1`, `l2`, `l1l2`) for layers' `kernelRegularizer` / `biasRegularizer`. */
export * as regularizers from './regularizers.js';
/** Learning-rate schedules: the rate as a function of the optimizer's step. */
export * as schedules from './schedules.js';

/** Load a model saved by `model.save` (or by TF.js / the Keras converter): a path, URL or IO handler. */
export { loadModel } from './io/api.js';
/**
 * Save and load handlers (file system, memory, IndexedDB, localStorage, downloads, files, http) in the TF.js layers
 * format.
 */
export * as io from './io/index.js';
