import * as tf from '@tensorflow/tfjs';

// A TF.js regression program in the manner of tfjs-examples/boston-housing: unscaled numeric features
// normalized with tensor ops (mean and standard deviation of the training set), a linear model and a
// two-layer network trained with tf.train.sgd on mean squared error, evaluated on held-out rows.
export async function run(data: { xTrain: number[][]; yTrain: number[]; xTest: number[][]; yTest: number[] }) {
  const rawTrain = tf.tensor2d(data.xTrain);
  const rawTest = tf.tensor2d(data.xTest);
  const { mean, variance } = tf.moments(rawTrain, 0);
  const std = variance.sqrt();
  const xTrain = rawTrain.sub(mean).div(std);
  const xTest = rawTest.sub(mean).div(std);
  const yTrain = tf.tensor2d(data.yTrain, [data.yTrain.length, 1]);
  const yTest = tf.tensor2d(data.yTest, [data.yTest.length, 1]);
  const nFeatures = xTrain.shape[1]!;

  const linear = tf.sequential({ layers: [tf.layers.dense({ inputShape: [nFeatures], units: 1 })] });
  const mlp = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [nFeatures], units: 50, activation: 'sigmoid', kernelInitializer: 'leCunNormal' }),
      tf.layers.dense({ units: 50, activation: 'sigmoid', kernelInitializer: 'leCunNormal' }),
      tf.layers.dense({ units: 1 }),
    ],
  });
  const results: Record<string, { testLoss: number; valLoss: number[] }> = {};
  for (const [name, model] of [
    ['linear', linear],
    ['mlp', mlp],
  ] as const) {
    model.compile({ optimizer: tf.train.sgd(0.01), loss: 'meanSquaredError' });
    const valLoss: number[] = [];
    await model.fit(xTrain, yTrain, {
      batchSize: 40,
      epochs: 60,
      validationSplit: 0.2,
      verbose: 0,
      callbacks: [{ onEpochEnd: async (_epoch: number, logs?: tf.Logs) => void valLoss.push(logs!.val_loss!) }],
    });
    const testLoss = (model.evaluate(xTest, yTest, { batchSize: 40 }) as tf.Scalar).dataSync()[0]!;
    results[name] = { testLoss, valLoss };
  }
  const baseline = yTest.sub(yTrain.mean()).square().mean().dataSync()[0]!;
  return { results, baseline, meanShape: mean.shape };
}
