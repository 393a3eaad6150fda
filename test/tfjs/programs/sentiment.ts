import * as tf from '@tensorflow/tfjs';

// A TF.js text classifier in the manner of tfjs-examples/sentiment: padded sequences of word indices, an
// Embedding, a Conv1D and global max pooling, a sigmoid output, binary crossentropy.
export async function run(data: {
  xTrain: number[][];
  yTrain: number[];
  xTest: number[][];
  yTest: number[];
  vocab: number;
}) {
  const maxLen = data.xTrain[0]!.length;
  const xTrain = tf.tensor2d(data.xTrain, undefined, 'int32');
  const yTrain = tf.tensor2d(data.yTrain, [data.yTrain.length, 1]);
  const xTest = tf.tensor2d(data.xTest, undefined, 'int32');
  const yTest = tf.tensor2d(data.yTest, [data.yTest.length, 1]);
  const model = tf.sequential();
  model.add(tf.layers.embedding({ inputDim: data.vocab, outputDim: 16, inputLength: maxLen }));
  model.add(tf.layers.conv1d({ filters: 32, kernelSize: 3, activation: 'relu' }));
  model.add(tf.layers.globalMaxPool1d({}));
  model.add(tf.layers.dense({ units: 1, activation: 'sigmoid' }));
  model.compile({ optimizer: 'adam', loss: 'binaryCrossentropy', metrics: ['acc'] });
  const history = await model.fit(xTrain, yTrain, { epochs: 6, batchSize: 32, verbose: 0 });
  const acc = (model.evaluate(xTest, yTest) as tf.Scalar[])[1]!.dataSync()[0]!;
  return { acc, keys: Object.keys(history.history) };
}
