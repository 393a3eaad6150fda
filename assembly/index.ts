// The one WebAssembly entry: every kernel of the Backend interface
// (src/backend/types.ts), as functions of byte pointers and counts.
// Nothing here allocates or keeps state: the memory is imported (shared where
// possible) and two instances on one memory must not interfere.
export { gemm, gemmWorkspaceBytes } from './gemm/gemm';
export { biasAct, actBackward } from './elementwise/activations';
export { scale, clipValue, mul, axpy } from './elementwise/basic';
export { dropout } from './elementwise/dropout';
export { softmaxRows, logSoftmaxRows, softmaxBackward } from './reduce/softmax';
export { colSum, sumSquares, l1l2, probeStep, probeUpdate } from './reduce/sums';
export {
  mse, mae, huber, logCosh, hinge, bce, cce, sparseCce, sigmoidBce, softmaxCce, sparseSoftmaxCce,
} from './reduce/losses';
export { bnForwardTrain, bnForwardInfer, bnBackward } from './norm/batchnorm';
export { im2col, col2im } from './conv/im2col';
export { depthwiseConv, depthwiseConvBackInput, depthwiseConvBackFilter } from './conv/depthwise';
export { maxPool, maxPoolBackward, avgPool, avgPoolBackward } from './conv/pool';
export { embeddingGather, embeddingScatter } from './seq/embedding';
export { lstmCell, lstmCellBackward } from './seq/lstm';
export { gruCell, gruCellBackward, gruGates, gruOut, gruOutBackward, gruGatesBackward } from './seq/gru';
export { sgd, sgdMomentum, adagrad, rmsprop, adam, adadelta, adamax, nadam, lion, ftrl } from './optim/optimizers';
