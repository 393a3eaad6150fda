// simdnet/tfjs from an installed package: import and require give one instance, shared with 'simdnet'.
import { createRequire } from 'node:module';
import * as tf from 'simdnet/tfjs';
import * as sn from 'simdnet';

const require = createRequire(import.meta.url);
const tfc = require('simdnet/tfjs');
const model = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3], activation: 'softmax' })] });
model.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
const x = tf.randomNormal([16, 3], 0, 1, 'float32', 7);
const y = tf.oneHot(tf.tensor1d([0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1], 'int32'), 2);
const h = await model.fit(x, y, { epochs: 2, verbose: 0, callbacks: { onEpochEnd: () => {} } });
const ev = model.evaluate(x, y);
const snModel = sn.sequential([sn.layers.dense({ units: 1, inputShape: [3] })]);
console.log(
  JSON.stringify({
    sameInstance: tfc.Tensor === tf.Tensor && tfc.sequential === tf.sequential,
    subclass: tf.Tensor.prototype instanceof sn.Tensor,
    keys: Object.keys(h.history),
    evalLength: Array.isArray(ev) ? ev.length : 1,
    evalIsTensor: ev[0] instanceof tf.Tensor,
    mainPredictIsTfTensor: snModel.predict(sn.ones([1, 3])) instanceof tf.Tensor,
    backend: tf.getBackend(),
    unsupported: (() => {
      try {
        tf.conv3d();
      } catch (e) {
        return e.name;
      }
    })(),
  }),
);
