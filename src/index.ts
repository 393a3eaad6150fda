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
// The ES module entry (browsers, bundlers): the kernels are compiled once,
// asynchronously, when the module is first imported. In Node, `import` and
// `require` both load the CommonJS build instead (index.cts: the same API,
// compiled synchronously), so a project mixing them gets one instance.
import { initBackends } from './backend/index.js';

await initBackends();

export * from './api.js';
