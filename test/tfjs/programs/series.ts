import * as tf from '@tensorflow/tfjs';

// A TF.js time-series program: windows of 12 months of the airline passengers series (scaled with tensor
// ops), an LSTM and a dense output, Adam on mean squared error; the last 24 months held out.
export async function run(series: number[]) {
  const window = 12;
  const raw = tf.tensor1d(series);
  const min = raw.min(),
    max = raw.max();
  const scaled = raw.sub(min).div(max.sub(min)).arraySync() as number[];
  const xs: number[][][] = [],
    ys: number[] = [];
  for (let i = 0; i + window < scaled.length; i++) {
    xs.push(scaled.slice(i, i + window).map((v) => [v]));
    ys.push(scaled[i + window]!);
  }
  const nTest = 24;
  const xTrain = tf.tensor3d(xs.slice(0, -nTest)),
    yTrain = tf.tensor2d(ys.slice(0, -nTest), [ys.length - nTest, 1]);
  const xTest = tf.tensor3d(xs.slice(-nTest)),
    yTest = tf.tensor2d(ys.slice(-nTest), [nTest, 1]);

  const model = tf.sequential();
  model.add(tf.layers.lstm({ units: 16, inputShape: [window, 1] }));
  model.add(tf.layers.dense({ units: 1 }));
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' });
  await model.fit(xTrain, yTrain, { epochs: 60, batchSize: 16, shuffle: true, verbose: 0 });
  const testMse = (model.evaluate(xTest, yTest) as tf.Scalar).dataSync()[0]!;
  const naive = tf.tidy(
    () =>
      xTest
        .slice([0, window - 1, 0], [nTest, 1, 1])
        .reshape([nTest, 1])
        .sub(yTest)
        .square()
        .mean()
        .dataSync()[0]!,
  );
  const prediction = model.predict(xTest) as tf.Tensor;
  return { testMse, naive, predictionShape: prediction.shape };
}
