/**
 * simdnet/tfjs's tensor functions and chained methods against TF.js's own (issue 18): the same inputs on
 * both, the same shape, dtype and values (float32 tolerance), for every op the README's table lists.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type * as Ours from '../../src/tfjs/api.js';

type TF = typeof Ours;
let ours: TF, theirs: TF;
beforeAll(async () => {
  ours = (await import('../../src/tfjs/index.js')) as unknown as TF;
  theirs = (await import('@tensorflow/tfjs')) as unknown as TF;
  await (theirs as unknown as { setBackend: (b: string) => Promise<boolean> }).setBackend('cpu');
});

const A = [
  [1.5, -2, 3],
  [0.25, 4, -0.5],
];
const B = [
  [2, 1, -1],
  [3, -2, 0.5],
];
const COL = [[2], [-1]];
const POS = [
  [1, 2, 3],
  [4, 5, 0.5],
];

/** Each case builds its result from a tf namespace; both sides run the same function. */
const CASES: Record<string, (tf: TF) => Ours.Tensor | Ours.Tensor[]> = {
  add: (tf) => tf.add(tf.tensor2d(A), tf.tensor2d(B)),
  'add broadcast column': (tf) => tf.tensor2d(A).add(tf.tensor2d(COL)),
  'sub scalar': (tf) => tf.tensor2d(A).sub(1),
  mul: (tf) => tf.tensor2d(A).mul(tf.tensor1d([1, 2, 3])),
  div: (tf) => tf.tensor2d(A).div(tf.tensor2d(POS)),
  'div int32 (floor)': (tf) => tf.div(tf.tensor1d([7, -7, 9], 'int32'), tf.tensor1d([2, 2, 4], 'int32')),
  pow: (tf) => tf.pow(tf.tensor2d(POS), 2),
  maximum: (tf) => tf.maximum(tf.tensor2d(A), tf.tensor2d(B)),
  minimum: (tf) => tf.tensor2d(A).minimum(0),
  squaredDifference: (tf) => tf.squaredDifference(tf.tensor2d(A), tf.tensor2d(B)),
  matMul: (tf) => tf.matMul(tf.tensor2d(A), tf.tensor2d(B), false, true),
  'matMul chained transposeA': (tf) => tf.tensor2d(A).matMul(tf.tensor2d(B), true, false),
  dot: (tf) => tf.dot(tf.tensor1d([1, 2, 3]), tf.tensor1d([4, 5, 6])),
  'sum all': (tf) => tf.tensor2d(A).sum(),
  'sum axis 1 keepDims': (tf) => tf.tensor2d(A).sum(1, true),
  'sum int32': (tf) => tf.tensor1d([1, 2, 3], 'int32').sum(),
  'mean axis 0': (tf) => tf.mean(tf.tensor2d(A), 0),
  'mean axes [0, 1]': (tf) => tf.tensor3d([A, B]).mean([1, 2]),
  'max axis -1': (tf) => tf.tensor2d(A).max(-1),
  'min all': (tf) => tf.min(tf.tensor2d(A)),
  prod: (tf) => tf.tensor2d(A).prod(1),
  'argMax default axis 0': (tf) => tf.tensor2d(A).argMax(),
  'argMax -1': (tf) => tf.argMax(tf.tensor2d(A), -1),
  argMin: (tf) => tf.tensor2d(A).argMin(1),
  reshape: (tf) => tf.tensor2d(A).reshape([3, 2]),
  'reshape -1': (tf) => tf.reshape(tf.tensor2d(A), [-1]),
  transpose: (tf) => tf.tensor2d(A).transpose(),
  'transpose perm': (tf) => tf.transpose(tf.tensor3d([A, B]), [1, 0, 2]),
  expandDims: (tf) => tf.tensor2d(A).expandDims(1),
  squeeze: (tf) => tf.tensor2d(COL).squeeze(),
  slice: (tf) => tf.tensor2d(A).slice([0, 1], [2, 2]),
  'slice number begin': (tf) => tf.slice(tf.tensor2d(A), 1),
  gather: (tf) => tf.tensor2d(A).gather(tf.tensor1d([1, 0, 1], 'int32')),
  'gather axis 1': (tf) => tf.gather(tf.tensor2d(A), [2, 0], 1),
  concat: (tf) => tf.concat([tf.tensor2d(A), tf.tensor2d(B)], 1),
  stack: (tf) => tf.stack([tf.tensor1d([1, 2]), tf.tensor1d([3, 4])], 1),
  split: (tf) => tf.split(tf.tensor2d(A), [1, 2], 1),
  'split even': (tf) => tf.tensor2d(A).split(2),
  unstack: (tf) => tf.unstack(tf.tensor2d(A)),
  tile: (tf) => tf.tile(tf.tensor2d(COL), [1, 3]),
  reverse: (tf) => tf.reverse(tf.tensor2d(A), 1),
  pad: (tf) =>
    tf.pad(
      tf.tensor2d(A),
      [
        [1, 0],
        [0, 2],
      ],
      9,
    ),
  oneHot: (tf) => tf.oneHot(tf.tensor1d([0, 2, 1], 'int32'), 3),
  square: (tf) => tf.tensor2d(A).square(),
  sqrt: (tf) => tf.sqrt(tf.tensor2d(POS)),
  rsqrt: (tf) => tf.tensor2d(POS).rsqrt(),
  exp: (tf) => tf.tensor2d(A).exp(),
  log: (tf) => tf.log(tf.tensor2d(POS)),
  log1p: (tf) => tf.tensor2d(POS).log1p(),
  abs: (tf) => tf.abs(tf.tensor2d(A)),
  neg: (tf) => tf.tensor2d(A).neg(),
  sign: (tf) => tf.sign(tf.tensor2d(A)),
  round: (tf) => tf.round(tf.tensor1d([0.5, 1.5, 2.5, -0.5, 1.2])),
  floor: (tf) => tf.floor(tf.tensor2d(A)),
  ceil: (tf) => tf.tensor2d(A).ceil(),
  relu: (tf) => tf.tensor2d(A).relu(),
  relu6: (tf) => tf.relu6(tf.tensor1d([-1, 3, 7])),
  sigmoid: (tf) => tf.sigmoid(tf.tensor2d(A)),
  tanh: (tf) => tf.tensor2d(A).tanh(),
  elu: (tf) => tf.elu(tf.tensor2d(A)),
  selu: (tf) => tf.selu(tf.tensor2d(A)),
  leakyRelu: (tf) => tf.leakyRelu(tf.tensor2d(A), 0.1),
  softplus: (tf) => tf.softplus(tf.tensor2d(A)),
  softmax: (tf) => tf.tensor2d(A).softmax(),
  logSoftmax: (tf) => tf.logSoftmax(tf.tensor2d(A)),
  clipByValue: (tf) => tf.tensor2d(A).clipByValue(-1, 2),
  equal: (tf) => tf.equal(tf.tensor1d([1, 2, 3]), tf.tensor1d([1, 0, 3])),
  notEqual: (tf) => tf.tensor1d([1, 2, 3]).notEqual(2),
  greater: (tf) => tf.tensor2d(A).greater(tf.tensor2d(B)),
  greaterEqual: (tf) => tf.greaterEqual(tf.tensor2d(A), 0.25),
  less: (tf) => tf.tensor2d(A).less(0),
  lessEqual: (tf) => tf.lessEqual(tf.tensor2d(A), tf.tensor2d(B)),
  logicalAnd: (tf) => tf.logicalAnd(tf.tensor1d([1, 0, 1], 'bool'), tf.tensor1d([1, 1, 0], 'bool')),
  where: (tf) => tf.where(tf.tensor2d(A).greater(0), tf.tensor2d(A), tf.tensor2d(B)),
  cast: (tf) => tf.cast(tf.tensor1d([1.7, -1.7, 2.2]), 'int32'),
  'cast bool': (tf) => tf.tensor1d([0, 2, -1]).cast('bool'),
  cumsum: (tf) => tf.cumsum(tf.tensor2d(A), 1),
  norm: (tf) => tf.norm(tf.tensor2d(A)),
  'norm axis': (tf) => tf.tensor2d(A).norm('euclidean', 1),
  zeros: (tf) => tf.zeros([2, 3]),
  'ones int32': (tf) => tf.ones([2], 'int32'),
  fill: (tf) => tf.fill([2, 2], 7),
  zerosLike: (tf) => tf.zerosLike(tf.tensor2d(A)),
  onesLike: (tf) => tf.onesLike(tf.tensor1d([1, 2], 'int32')),
  eye: (tf) => tf.eye(3),
  range: (tf) => tf.range(0, 10, 3),
  linspace: (tf) => tf.linspace(0, 1, 5),
  scalar: (tf) => tf.scalar(3.5),
  'tensor with shape': (tf) => tf.tensor([1, 2, 3, 4], [2, 2]),
  'tensor int32 dtype': (tf) => tf.tensor([1.9, 2.1], undefined, 'int32'),
  tensor3d: (tf) => tf.tensor3d([A, B]),
  'moments mean': (tf) => tf.moments(tf.tensor2d(A), 0).mean,
  'moments variance': (tf) => tf.moments(tf.tensor2d(A), 0).variance,
  logSumExp: (tf) => tf.logSumExp(tf.tensor2d(A), 1),
  'math.confusionMatrix': (tf) =>
    tf.math.confusionMatrix(tf.tensor1d([0, 1, 2, 2], 'int32'), tf.tensor1d([0, 2, 2, 1], 'int32'), 3),
  'losses.meanSquaredError': (tf) => tf.losses.meanSquaredError(tf.tensor2d(A), tf.tensor2d(B)),
  'losses.absoluteDifference weighted': (tf) =>
    tf.losses.absoluteDifference(tf.tensor2d(A), tf.tensor2d(B), tf.tensor2d(COL)),
  'losses.huberLoss': (tf) => tf.losses.huberLoss(tf.tensor2d(A), tf.tensor2d(B)),
  'losses.logLoss': (tf) => tf.losses.logLoss(tf.tensor1d([0, 1, 1]), tf.tensor1d([0.2, 0.7, 0.9])),
  'losses.sigmoidCrossEntropy': (tf) =>
    tf.losses.sigmoidCrossEntropy(tf.tensor2d([[0, 1, 1]]), tf.tensor2d([[-1, 2, 0.5]])),
  'losses.softmaxCrossEntropy': (tf) =>
    tf.losses.softmaxCrossEntropy(tf.tensor2d([[0, 1, 0]]), tf.tensor2d([[1, 2, 0.5]])),
  'losses.hingeLoss': (tf) => tf.losses.hingeLoss(tf.tensor1d([0, 1, 1]), tf.tensor1d([0.3, -0.2, 2])),
  'losses.cosineDistance': (tf) => tf.losses.cosineDistance(tf.tensor2d([[0, 1]]), tf.tensor2d([[0.6, 0.8]]), 1),
  'metrics.binaryAccuracy': (tf) =>
    tf.metrics.binaryAccuracy(tf.tensor2d([[1], [0], [1]]), tf.tensor2d([[0.7], [0.6], [0.2]])),
  'metrics.categoricalAccuracy': (tf) => tf.metrics.categoricalAccuracy(tf.tensor2d(B), tf.tensor2d(A)),
  'metrics.meanSquaredError': (tf) => tf.metrics.meanSquaredError(tf.tensor2d(A), tf.tensor2d(B)),
  'metrics.meanAbsoluteError': (tf) => tf.metrics.meanAbsoluteError(tf.tensor2d(A), tf.tensor2d(B)),
  'metrics.binaryCrossentropy': (tf) => tf.metrics.binaryCrossentropy(tf.tensor2d([[1, 0]]), tf.tensor2d([[0.8, 0.3]])),
  'metrics.categoricalCrossentropy': (tf) =>
    tf.metrics.categoricalCrossentropy(tf.tensor2d([[0, 1, 0]]), tf.tensor2d([[0.2, 0.7, 0.1]])),
  'metrics.precision': (tf) => tf.metrics.precision(tf.tensor2d([[1, 0, 1, 1]]), tf.tensor2d([[1, 1, 0, 1]])),
  'metrics.recall': (tf) => tf.metrics.recall(tf.tensor2d([[1, 0, 1, 1]]), tf.tensor2d([[1, 1, 0, 1]])),
  'metrics.r2Score': (tf) => tf.metrics.r2Score(tf.tensor1d([1, 2, 3, 4]), tf.tensor1d([1.1, 1.9, 3.2, 3.7])),
};

describe('tensor ops: simdnet/tfjs against TF.js', () => {
  for (const [name, f] of Object.entries(CASES)) {
    it(name, () => {
      const norm = (r: Ours.Tensor | Ours.Tensor[]) => (Array.isArray(r) ? r : [r]);
      const want = norm(f(theirs)),
        got = norm(f(ours));
      expect(got.length).toBe(want.length);
      want.forEach((w, i) => {
        const g = got[i]!;
        expect(g.shape, 'shape').toEqual(w.shape);
        expect(g.dtype, 'dtype').toBe(w.dtype);
        const wv = Array.from(w.dataSync() as ArrayLike<number>),
          gv = Array.from(g.dataSync() as ArrayLike<number>);
        expect(gv.length).toBe(wv.length);
        gv.forEach((v, k) => expect(v, `value ${k}`).toBeCloseTo(wv[k]!, 4));
        // dataSync's array follows the dtype (TF.js's own categoricalAccuracy answers bytes for a float32 tensor).
        const kind = { float32: Float32Array, int32: Int32Array, bool: Uint8Array }[g.dtype as 'float32'];
        expect(g.dataSync()).toBeInstanceOf(kind);
      });
    });
  }
});
