import * as tf from '@tensorflow/tfjs';

// A TF.js classification program in the manner of tfjs-examples/iris: dense layers on 64 pixel features of
// the UCI digits, one-hot labels, Adam, accuracy, an object of callbacks, evaluate, a confusion matrix.
export async function run(data: { xTrain: number[][]; yTrain: number[]; xTest: number[][]; yTest: number[] }) {
  const xTrain = tf.tensor2d(data.xTrain);
  const yTrain = tf.oneHot(tf.tensor1d(data.yTrain, 'int32'), 10);
  const xTest = tf.tensor2d(data.xTest);
  const yTest = tf.oneHot(tf.tensor1d(data.yTest, 'int32'), 10);

  const model = tf.sequential();
  model.add(tf.layers.dense({ units: 32, activation: 'relu', inputShape: [64] }));
  model.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });

  const epochs: number[] = [];
  const history = await model.fit(xTrain, yTrain, {
    epochs: 15,
    batchSize: 32,
    validationData: [xTest, yTest],
    verbose: 0,
    callbacks: {
      onEpochEnd: async (epoch: number, logs?: tf.Logs) => {
        epochs.push(epoch);
        if (logs!.val_acc === undefined) throw new Error('no val_acc in the logs');
      },
    },
  });

  const [loss, acc] = (model.evaluate(xTest, yTest) as tf.Scalar[]).map((s) => s.dataSync()[0]!);
  const predictions = tf.tidy(() => (model.predict(xTest) as tf.Tensor).argMax(-1)) as tf.Tensor1D;
  const labels = yTest.argMax(-1) as tf.Tensor1D;
  const matrix = tf.math.confusionMatrix(labels, predictions, 10);
  const diagonal = tf.tidy(
    () =>
      matrix
        .mul(tf.eye(10, 10, undefined, 'int32'))
        .sum()
        .dataSync()[0]!,
  );
  const total = matrix.sum().arraySync() as number;
  return {
    historyKeys: Object.keys(history.history).sort(),
    epochs,
    loss,
    acc,
    predictionsDtype: predictions.dtype,
    matrixShape: matrix.shape,
    matrixAcc: diagonal / total,
    total,
    weightShapes: model.layers[0]!.getWeights().map((w) => w.shape),
  };
}
