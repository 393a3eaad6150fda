/**
 * simdnet — Keras-style neural networks on WebAssembly SIMD kernels.
 *
 * @example
 * import * as sn from 'simdnet';
 * const model = sn.sequential([
 *   sn.layers.dense({ units: 10, inputDim: 8, activation: 'relu' }),
 *   sn.layers.dense({ units: 8, activation: 'relu' }),
 *   sn.layers.dense({ units: 1, activation: 'sigmoid' }),
 * ]);
 * model.compile({ loss: 'mean_squared_error', optimizer: 'adam', metrics: ['accuracy'] });
 * const history = await model.fit(X, y, { epochs: 10, batchSize: 32 });
 * const yPred = model.predict(XTest);
 *
 * @packageDocumentation
 */
import { initBackends } from './backend/index.js';

// The kernels are compiled once, when the module is first imported.
await initBackends();

export { setBackend, getBackend, backendInfo } from './backend/index.js';

/** Resolves once the kernels are compiled (already true after `import 'simdnet'`; kept for TF.js users' `await tf.ready()`). */
export function ready(): Promise<void> { return initBackends(); }
export type { Backend } from './backend/types.js';
export { Tensor, tensor, zeros, ones } from './tensor.js';
export type { TensorLike, NestedArray } from './tensor.js';
export {
  matMul, add, sub, mul, div, sum, mean, max, min, argMax, transpose, reshape, slice, concat, oneHot,
  activation, relu, sigmoid, tanh, softmax, elu, selu, leakyRelu, gelu, swish, softplus, softsign, exponential, hardSigmoid,
  exp, log, sqrt, abs, square, neg, broadcastShapes,
} from './ops.js';
export { activationNames } from './activations.js';
export { Sequential, sequential } from './model.js';
export type { CompileArgs, FitArgs, EvaluateArgs, PredictArgs } from './model.js';
export type { DataLike } from './data.js';
export { setSeed } from './random.js';
export { SimdnetError, ValueError, DataError, NotSupportedError } from './errors.js';
export { historyToSVG } from './callbacks.js';

export * as layers from './layers.js';
export * as optimizers from './optimizers.js';
export * as losses from './losses.js';
export * as metrics from './metrics.js';
// The callbacks namespace, with modelCheckpoint from io (issue 6).
export * as callbacks from './io/callbacks.js';
export * as initializers from './initializers.js';
export * as regularizers from './regularizers.js';
export * as schedules from './schedules.js';

// Saving and loading (issue 6): model.save(target) / sn.loadModel(source), and the handlers.
export { loadModel } from './io/api.js';
export * as io from './io/index.js';
