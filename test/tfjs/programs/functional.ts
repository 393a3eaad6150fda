import * as tf from '@tensorflow/tfjs';

// A TF.js functional model: two inputs (the top and bottom halves of an 8×8 digit), a shared-width dense
// branch each, concatenated, two outputs (the digit, and whether it is even), per-output losses and metrics.
export async function run(data: { xTrain: number[][]; yTrain: number[]; xTest: number[][]; yTest: number[] }) {
  const split = (rows: number[][]) => [
    tf.tensor2d(rows.map((r) => r.slice(0, 32))),
    tf.tensor2d(rows.map((r) => r.slice(32))),
  ];
  const [topTrain, bottomTrain] = split(data.xTrain);
  const [topTest, bottomTest] = split(data.xTest);
  const digit = (ys: number[]) => tf.oneHot(tf.tensor1d(ys, 'int32'), 10);
  const even = (ys: number[]) => tf.tensor2d(ys.map((y) => [y % 2 === 0 ? 1 : 0]));

  const top = tf.input({ shape: [32], name: 'top' });
  const bottom = tf.input({ shape: [32], name: 'bottom' });
  const a = tf.layers.dense({ units: 32, activation: 'relu' }).apply(top) as tf.SymbolicTensor;
  const b = tf.layers.dense({ units: 32, activation: 'relu' }).apply(bottom) as tf.SymbolicTensor;
  const merged = tf.layers.concatenate().apply([a, b]) as tf.SymbolicTensor;
  const hidden = tf.layers.dense({ units: 32, activation: 'relu' }).apply(merged) as tf.SymbolicTensor;
  const digitOut = tf.layers
    .dense({ units: 10, activation: 'softmax', name: 'digit' })
    .apply(hidden) as tf.SymbolicTensor;
  const evenOut = tf.layers.dense({ units: 1, activation: 'sigmoid', name: 'even' }).apply(hidden) as tf.SymbolicTensor;
  const model = tf.model({ inputs: [top, bottom], outputs: [digitOut, evenOut] });
  model.compile({
    optimizer: 'adam',
    loss: ['categoricalCrossentropy', 'binaryCrossentropy'],
    metrics: ['accuracy'],
  });
  const history = await model.fit([topTrain, bottomTrain], [digit(data.yTrain), even(data.yTrain)], {
    epochs: 20,
    batchSize: 32,
    verbose: 0,
  });
  const scores = (model.evaluate([topTest, bottomTest], [digit(data.yTest), even(data.yTest)]) as tf.Scalar[]).map(
    (s) => s.dataSync()[0]!,
  );
  const [pDigit, pEven] = model.predict([topTest, bottomTest]) as tf.Tensor[];
  return {
    historyKeys: Object.keys(history.history).sort(),
    nScores: scores.length,
    digitAcc: scores[4]!,
    evenAcc: scores[5]!,
    shapes: [pDigit!.shape, pEven!.shape],
    outputNames: model.outputNames,
  };
}
