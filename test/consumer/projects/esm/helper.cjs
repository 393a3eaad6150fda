// A CommonJS module of the same project, requiring the package on its own.
const sn = require('simdnet');
exports.Tensor = sn.Tensor;
exports.makeTensor = () => sn.tensor([5, 6]);
exports.backend = () => sn.getBackend();
