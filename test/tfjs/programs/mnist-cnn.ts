import * as tf from '@tensorflow/tfjs';

// A convolutional network in the manner of tfjs-examples/mnist-node (conv and max-pooling blocks, dense;
// narrower, so that TF.js's CPU backend trains it in a minute), Adam, on a slice of MNIST.
export async function run(data: { images: Float32Array; labels: number[]; nTrain: number; nTest: number }) {
  const n = data.nTrain + data.nTest;
  const images = tf.tensor4d(data.images.subarray(0, n * 784), [n, 28, 28, 1]);
  const labels = tf.oneHot(tf.tensor1d(data.labels.slice(0, n), 'int32'), 10);
  const [xTrain, xTest] = tf.split(images, [data.nTrain, data.nTest]);
  const [yTrain, yTest] = tf.split(labels, [data.nTrain, data.nTest]);

  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 8, kernelSize: 3, activation: 'relu' }));
  model.add(tf.layers.maxPooling2d({ poolSize: [2, 2] }));
  model.add(tf.layers.conv2d({ filters: 16, kernelSize: 3, activation: 'relu' }));
  model.add(tf.layers.maxPooling2d({ poolSize: [2, 2] }));
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: 32, activation: 'relu' }));
  model.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
  model.compile({ optimizer: tf.train.adam(0.005), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  await model.fit(xTrain!, yTrain!, { epochs: 3, batchSize: 16, validationSplit: 0.1, verbose: 0 });
  const [loss, acc] = (model.evaluate(xTest!, yTest!) as tf.Scalar[]).map((s) => s.dataSync()[0]!);
  return { loss, acc, params: model.countParams(), dtype: labels.dtype };
}
