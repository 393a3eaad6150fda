/**
 * A table of bad calls across the public API. Each must throw the right error
 * class with a message naming the argument (what was expected, what was
 * received), and afterwards the same model must still train and predict
 * exactly as a model that never saw the bad call.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.js';

type Case = [name: string, cls: new (...a: never[]) => Error, fragment: RegExp, call: (m: sn.Sequential) => unknown];

const X = Array.from({ length: 24 }, (_, i) => [Math.sin(i), Math.cos(i), (i % 5) / 5]);
const Y = X.map((r) => [r[0]! + r[1]! > 0 ? 1 : 0]);

function freshModel(): sn.Sequential {
  sn.setSeed(123);
  const m = sn.sequential([
    sn.layers.dense({ units: 6, inputDim: 3, activation: 'relu' }),
    sn.layers.dense({ units: 1, activation: 'sigmoid' }),
  ]);
  m.compile({ loss: 'binary_crossentropy', optimizer: 'adam', metrics: ['accuracy'] });
  return m;
}

const { ValueError, DataError, SimdnetError } = sn;

const cases: Case[] = [
  // tensors
  ['ragged nested array', DataError, /ragged/, () => sn.tensor([[1, 2], [3]])],
  [
    'string inside numeric array',
    DataError,
    /expected a number.*"a"/,
    () => sn.tensor([[1, 'a' as unknown as number]]),
  ],
  [
    'undefined inside numeric array',
    DataError,
    /at \[0\]\[1\].*undefined/,
    () => sn.tensor([[1, undefined as unknown as number]]),
  ],
  ['data length vs shape', ValueError, /holds 6 values but the data has 4/, () => sn.tensor([1, 2, 3, 4], [2, 3])],
  ['non-finite shape entry', ValueError, /non-negative integers/, () => sn.tensor([1, 2], [NaN])],
  ['negative shape entry', ValueError, /non-negative integers/, () => sn.zeros([2, -3])],
  ['matMul inner dims', ValueError, /inner dimensions must match/, () => sn.matMul([[1, 2]], [[1, 2]])],
  ['matMul rank', ValueError, /rank-2/, () => sn.matMul([1, 2], [[1], [2]])],
  ['broadcast mismatch', ValueError, /cannot be broadcast/, () => sn.add([[1, 2, 3]], [[1, 2]])],
  ['unknown activation op', ValueError, /Unknown value for `activation`.*'relu'/, () => sn.activation('relux', [1])],
  ['transpose perm', ValueError, /`perm`/, () => sn.transpose([[1, 2]], [0, 0])],
  ['oneHot out of range', ValueError, /indices.*\[0, 3\)/, () => sn.oneHot([0, 5], 3)],
  ['sum axis out of range', ValueError, /`axis`/, () => sn.sum([[1, 2]], 2)],
  ['slice begin', ValueError, /`begin`/, () => sn.slice([[1, 2]], [0, 5], [1, 1])],
  ['concat shapes', ValueError, /does not match/, () => sn.concat([[[1, 2]], [[1, 2, 3]]], 0)],
  // layers
  [
    'reshape: two -1',
    ValueError,
    /`targetShape`.*at most one -1.*\[-1,-1\]/,
    () => sn.layers.reshape({ targetShape: [-1, -1] }),
  ],
  [
    'reshape: sizes disagree',
    ValueError,
    /Reshape layer .*cannot reshape an input of shape \[12\] \(12 values per sample\) to \[5,-1\]/,
    () => sn.sequential([sn.layers.reshape({ inputShape: [12], targetShape: [5, -1] })]).build(),
  ],
  [
    'permute: not a permutation',
    ValueError,
    /`dims`.*permutation of 1\.\.rank.*\[0,1\]/,
    () => sn.layers.permute({ dims: [0, 1] }),
  ],
  ['repeatVector: n 0', ValueError, /`n`.*positive integer.*Received: 0/, () => sn.layers.repeatVector({ n: 0 })],
  [
    'batchNormalization: axis 0',
    ValueError,
    /`axis`.*-1 \(the last axis\).*Received: 0/,
    () => sn.layers.batchNormalization({ axis: 0 }),
  ],
  [
    'batchNormalization: not the last axis',
    ValueError,
    /axis 1 is not the last axis of its input \[batch, 3, 4\] \(that is -1 or 2\)/,
    () => sn.sequential([sn.layers.batchNormalization({ inputShape: [3, 4], axis: 1 })]).build(),
  ],
  ['units: 0', ValueError, /`units`.*positive integer.*units=0/, () => sn.layers.dense({ units: 0 })],
  ['units: 2.5', ValueError, /`units`.*units=2.5/, () => sn.layers.dense({ units: 2.5 })],
  ['units missing', ValueError, /`units`.*undefined/, () => sn.layers.dense({} as sn.layers.DenseArgs)],
  [
    'unknown activation',
    ValueError,
    /Unknown value for `activation`.*'leaky_relu'.*"sigmoyd"/,
    () => sn.layers.dense({ units: 2, activation: 'sigmoyd' }),
  ],
  [
    'unknown initializer',
    ValueError,
    /`kernelInitializer`.*'glorot_uniform'/,
    () => sn.layers.dense({ units: 2, kernelInitializer: 'glorot' }),
  ],
  [
    'unknown regularizer',
    ValueError,
    /`kernelRegularizer`.*'l1'/,
    () => sn.layers.dense({ units: 2, kernelRegularizer: 'l3' }),
  ],
  ['bad inputDim', ValueError, /`inputDim`.*positive integer/, () => sn.layers.dense({ units: 2, inputDim: -1 })],
  ['bad inputShape', ValueError, /`inputShape`/, () => sn.layers.dense({ units: 2, inputShape: [0] })],
  ['dropout rate 1', ValueError, /`rate`.*\[0, 1\)/, () => sn.layers.dropout({ rate: 1 })],
  ['dropout rate -0.1', ValueError, /`rate`/, () => sn.layers.dropout({ rate: -0.1 })],
  ['batchnorm momentum', ValueError, /`momentum`/, () => sn.layers.batchNormalization({ momentum: 2 })],
  ['batchnorm epsilon', ValueError, /`epsilon`/, () => sn.layers.batchNormalization({ epsilon: 0 })],
  ['layer name', ValueError, /`name`/, () => sn.layers.dense({ units: 1, name: '' })],
  ['add non-layer', ValueError, /`layer`/, (m) => m.add({} as sn.layers.Layer)],
  [
    'first layer without input shape',
    ValueError,
    /needs an input shape.*inputDim/,
    () => sn.sequential([sn.layers.dense({ units: 2 })]).predict([[1]]),
  ],
  // compile
  [
    'unknown loss',
    ValueError,
    /Unknown value for `loss`.*'mean_squared_error'.*"mean_squared_eror"/,
    (m) => m.compile({ loss: 'mean_squared_eror', optimizer: 'adam' }),
  ],
  [
    'unknown optimizer',
    ValueError,
    /Unknown value for `optimizer`.*'adam'.*"adamm"/,
    (m) => m.compile({ loss: 'mse', optimizer: 'adamm' }),
  ],
  [
    'unknown metric',
    ValueError,
    /Unknown value in `metrics`.*'accuracy'/,
    (m) => m.compile({ loss: 'mse', optimizer: 'adam', metrics: ['acuracy'] }),
  ],
  ['negative learning rate', ValueError, /`learningRate`/, () => sn.optimizers.adam({ learningRate: -1 })],
  ['beta1 ≥ 1', ValueError, /`beta1`/, () => sn.optimizers.adam({ beta1: 1 })],
  ['clipnorm 0', ValueError, /`clipnorm`.*positive/, () => sn.optimizers.sgd({ clipnorm: 0 })],
  [
    'both clipnorms',
    ValueError,
    /clipnorm.*globalClipnorm/,
    () => sn.optimizers.sgd({ clipnorm: 1, globalClipnorm: 1 }),
  ],
  ['momentum > 1', ValueError, /`momentum`/, () => sn.optimizers.sgd({ momentum: 1.5 })],
  ['huber delta', ValueError, /`delta`/, () => sn.losses.huber({ delta: 0 })],
  // fit / evaluate / predict
  [
    'fit before compile',
    SimdnetError,
    /compile\(\) before fit/,
    () => {
      const m = sn.sequential([sn.layers.dense({ units: 1, inputDim: 3 })]);
      return m.fit(X, Y, { verbose: 0 });
    },
  ],
  [
    'x and y row counts',
    ValueError,
    /different numbers of samples: 24 and 23/,
    (m) => m.fit(X, Y.slice(1), { verbose: 0 }),
  ],
  [
    'feature count',
    ValueError,
    /4 features per sample.*expects 3/,
    (m) =>
      m.fit(
        X.map((r) => [...r, 0]),
        Y,
        { verbose: 0 },
      ),
  ],
  ['predict feature count', ValueError, /2 features per sample.*expects 3/, (m) => m.predict([[1, 2]])],
  ['batchSize: 0', ValueError, /`batchSize`.*positive integer/, (m) => m.fit(X, Y, { batchSize: 0, verbose: 0 })],
  [
    'batchSize > data',
    ValueError,
    /batchSize`=100 is larger than the 24/,
    (m) => m.fit(X, Y, { batchSize: 100, verbose: 0 }),
  ],
  ['epochs: -1', ValueError, /`epochs`/, (m) => m.fit(X, Y, { epochs: -1, verbose: 0 })],
  ['epochs: 1.5', ValueError, /`epochs`/, (m) => m.fit(X, Y, { epochs: 1.5, verbose: 0 })],
  [
    'validationSplit: 1.5',
    ValueError,
    /`validationSplit`.*\[0, 1\)/,
    (m) => m.fit(X, Y, { validationSplit: 1.5, verbose: 0 }),
  ],
  [
    'validationSplit too small',
    ValueError,
    /validationSplit`=0.01/,
    (m) => m.fit(X, Y, { validationSplit: 0.01, verbose: 0 }),
  ],
  ['verbose: 5', ValueError, /`verbose`/, (m) => m.fit(X, Y, { verbose: 5 })],
  [
    'NaN in x',
    DataError,
    /`x` contains NaN at row 2, column 1/,
    (m) =>
      m.fit(
        X.map((r, i) => (i === 2 ? [r[0]!, NaN, r[2]!] : r)),
        Y,
        { verbose: 0 },
      ),
  ],
  [
    'Infinity in y',
    DataError,
    /`y` contains Infinity at row 5/,
    (m) =>
      m.evaluate(
        X,
        Y.map((r, i) => (i === 5 ? [Infinity] : r)),
      ),
  ],
  [
    'string in x',
    DataError,
    /`x` at \[3\]\[0\]: expected a number/,
    (m) => m.predict(X.map((r, i) => (i === 3 ? ['x' as unknown as number, 1, 1] : r))),
  ],
  [
    'one-hot width',
    ValueError,
    /2 values per sample.*output has 1/,
    (m) =>
      m.fit(
        X,
        Y.map((r) => [r[0]!, 1 - r[0]!]),
        { verbose: 0 },
      ),
  ],
  [
    'sampleWeight length',
    ValueError,
    /`sampleWeight`.*one weight per sample/,
    (m) => m.fit(X, Y, { sampleWeight: [1, 2], verbose: 0 }),
  ],
  [
    'validationData shape',
    ValueError,
    /`validationData`/,
    (m) => m.fit(X, Y, { validationData: [X] as unknown as [number[][], number[][]], verbose: 0 }),
  ],
  [
    'callbacks not array',
    ValueError,
    /`callbacks`/,
    (m) => m.fit(X, Y, { callbacks: {} as unknown as [], verbose: 0 }),
  ],
  ['predict batchSize', ValueError, /`batchSize`/, (m) => m.predict(X, { batchSize: -2 })],
  [
    'evaluate no samples',
    ValueError,
    /no samples/,
    (m) => m.evaluate({ data: new Float32Array(0), shape: [0, 3] }, { data: new Float32Array(0), shape: [0, 1] }),
  ],
  ['setWeights count', ValueError, /expected an array of 4 tensors/, (m) => m.setWeights([sn.zeros([3, 6])])],
  [
    'setWeights shape',
    ValueError,
    /must have shape \[3,6\]/,
    (m) => m.setWeights([sn.zeros([6, 3]), sn.zeros([6]), sn.zeros([6, 1]), sn.zeros([1])]),
  ],
  ['earlyStopping patience', ValueError, /`patience`/, () => sn.callbacks.earlyStopping({ patience: -1 })],
  [
    'earlyStopping on val_loss without validation',
    ValueError,
    /monitors 'val_loss', but fit has no validation data: pass validationSplit/,
    (m) => m.fit(X, Y, { epochs: 1, verbose: 0, callbacks: [sn.callbacks.earlyStopping({ monitor: 'val_loss' })] }),
  ],
  ['reduceLROnPlateau factor', ValueError, /`factor`/, () => sn.callbacks.reduceLROnPlateau({ factor: 1 })],
  ['setBackend unknown', ValueError, /"wasm" or "js".*"gpu"/, () => sn.setBackend('gpu' as 'js')],
];

function sparseCases(): Case[] {
  return [
    [
      'sparse label out of range',
      DataError,
      /\[0, 2\]/,
      () => {
        const m = sn.sequential([sn.layers.dense({ units: 3, inputDim: 3, activation: 'softmax' })]);
        m.compile({ loss: 'sparse_categorical_crossentropy', optimizer: 'adam' });
        return m.fit(
          X,
          X.map((_, i) => [i % 4]),
          { verbose: 0 },
        );
      },
    ],
    [
      'sparse label not integer',
      DataError,
      /1.5 is not a class index/,
      () => {
        const m = sn.sequential([sn.layers.dense({ units: 3, inputDim: 3, activation: 'softmax' })]);
        m.compile({ loss: 'sparse_categorical_crossentropy', optimizer: 'adam' });
        return m.evaluate(X.slice(0, 2), [[0], [1.5]]);
      },
    ],
  ];
}

describe('bad calls across the public API', () => {
  let reference: Float32Array;
  beforeAll(async () => {
    const m = freshModel();
    await m.fit(X, Y, { epochs: 3, batchSize: 8, verbose: 0, seed: 9 });
    reference = m.predict(X).values;
  });

  const all = [...cases, ...sparseCases()];
  it(`has at least 50 cases (${all.length})`, () => {
    expect(all.length).toBeGreaterThanOrEqual(50);
  });

  for (const [name, cls, fragment, call] of all) {
    it(`${name}: ${cls.name} matching ${fragment}, and the model still trains and predicts`, async () => {
      const m = freshModel();
      let caught: unknown = null;
      try {
        await call(m);
      } catch (e) {
        caught = e;
      }
      expect(caught, `no error thrown for ${name}`).toBeInstanceOf(cls);
      expect((caught as Error).message).toMatch(fragment);
      await m.fit(X, Y, { epochs: 3, batchSize: 8, verbose: 0, seed: 9 });
      expect(Array.from(m.predict(X).values)).toEqual(Array.from(reference));
    });
  }
});
