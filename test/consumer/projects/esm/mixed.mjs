// A project that mixes module systems: an ES module imports the package and a
// CommonJS helper (or this file, through createRequire) requires it. Both must
// be the same instance: same classes, same backend, same kernel memory.
import * as sn from 'simdnet';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const req = require('simdnet');
const helper = require('./helper.cjs');

const fromRequire = req.tensor([[1, 2], [3, 4]]);
const fromHelper = helper.makeTensor();
const model = sn.sequential([sn.layers.dense({ units: 1, inputDim: 2, kernelInitializer: 'ones' })]);
const y = req.sequential === sn.sequential ? model.predict(fromRequire) : null;

console.log(JSON.stringify({
  importResolved: import.meta.resolve('simdnet'),
  requireResolved: require.resolve('simdnet'),
  defaultIsRequire: sn.default === req,
  sameTensorClass: sn.Tensor === req.Tensor && sn.Tensor === helper.Tensor,
  requireTensorIsImportTensor: fromRequire instanceof sn.Tensor && fromHelper instanceof sn.Tensor,
  importTensorIsRequireTensor: sn.tensor([1]) instanceof req.Tensor,
  sameBackendInfo: sn.backendInfo === req.backendInfo,
  sameBackend: sn.getBackend() === req.getBackend() && helper.backend() === sn.getBackend(),
  sameHeap: sn.getBackend().heap === req.getBackend().heap,
  sameMemory: sn.getBackend().heap.memory === helper.backend().heap.memory,
  crossPredict: y === null ? null : Array.from(y.dataSync()),
  loadedCopies: Object.keys(require.cache).filter((k) => /[\\/]simdnet[\\/]dist[\\/](cjs[\\/])?index\.c?js$/.test(k)),
}));
