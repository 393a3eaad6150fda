// A strict TypeScript user (ES module): build, train, evaluate, predict, save
// and load a model, with the types of the results pinned down. Type-checked
// under moduleResolution node16 (then compiled and run) and bundler.
import * as sn from 'simdnet';
import { Tensor, type BackendInfo } from 'simdnet';

/** Compile-time assertions: `check<Equal<A, B>>()` fails to compile unless A is exactly B. */
type IsAny<T> = 0 extends 1 & T ? true : false;
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Not<T extends boolean> = T extends true ? false : true;
function check<T extends true>(): void {
  /* types only */
}

sn.setSeed(7);
const xs: number[][] = [];
const ys: number[][] = [];
for (let i = 0; i < 8; i++)
  for (let j = 0; j < 8; j++) {
    xs.push([i / 7, j / 7]);
    ys.push([i + j > 7 ? 1 : 0]);
  }

const model = sn.sequential([
  sn.layers.dense({ units: 8, inputDim: 2, activation: 'relu', kernelInitializer: 'heNormal' }),
  sn.layers.dropout({ rate: 0.1 }),
  sn.layers.dense({ units: 1, activation: 'sigmoid' }),
]);
check<Equal<typeof model, sn.Sequential>>();
model.compile({
  optimizer: sn.optimizers.adam({ learningRate: 0.05 }),
  loss: 'binary_crossentropy',
  metrics: ['accuracy'],
});

const history = await model.fit(xs, ys, {
  epochs: 120,
  batchSize: 16,
  verbose: 0,
  shuffle: true,
  callbacks: [sn.callbacks.earlyStopping({ monitor: 'loss', patience: 50 })],
});
check<Equal<typeof history, sn.callbacks.History>>();
check<Equal<typeof history.history, Record<string, number[]>>>();

const logs = model.evaluate(xs, ys);
check<Not<IsAny<typeof logs>>>();
check<Equal<typeof logs, Record<string, number>>>();
const accuracy = logs['accuracy'];

const x: sn.Tensor = sn.tensor([
  [0.95, 0.9],
  [0.05, 0.1],
]);
const pred = model.predict(x);
check<Equal<typeof pred, Tensor>>();
const t: sn.Tensor = model.predict(x, { batchSize: 1 });
const values = pred.dataSync();
check<Equal<typeof values, Float32Array>>();
check<Equal<typeof pred.shape, readonly number[]>>();
const asArray = await pred.array();
check<Equal<typeof asArray, sn.NestedArray>>();

const info: BackendInfo = sn.backendInfo();
check<Equal<typeof info.backend, 'wasm' | 'js'>>();

// Saving and loading: a directory in Node.
const dir = process.argv[2] ?? 'model-out';
const saved = await model.save(dir);
check<Not<IsAny<typeof saved>>>();
const loaded = await sn.loadModel(dir);
// A loaded file may hold a functional model (TF.js's LayersModel): predict gives a Tensor, or one per output.
check<Equal<typeof loaded, sn.LayersModel>>();
const out = loaded.predict(x);
check<Equal<typeof out, sn.Tensor | sn.Tensor[]>>();
if (Array.isArray(out)) throw new Error('one output expected');
const again = out;
check<Equal<typeof again, sn.Tensor>>();

// The errors are classes users can test against.
try {
  sn.tensor([1, 2, 3]).reshape([2, 2]);
} catch (e) {
  if (!(e instanceof sn.ValueError)) throw e;
}

// Probes, type-checked but never run: each marked line must NOT compile. A
// leaked `any` would let it (and tsc then reports the unused @ts-expect-error).
async function probes(): Promise<void> {
  // @ts-expect-error predict returns a Tensor, which has no such method
  pred.notAMethod();
  // @ts-expect-error units is a number
  sn.layers.dense({ units: 'eight' });
  // @ts-expect-error compile needs a loss
  model.compile({ optimizer: 'adam' });
  // @ts-expect-error evaluate's logs are numbers
  const notString: string = logs['loss'];
  // @ts-expect-error loadModel resolves to a model, not a tensor
  const notTensor: sn.Tensor = await sn.loadModel(dir);
  // @ts-expect-error fit resolves to a History, whose series are numbers
  const notStrings: string[] = (await model.fit(xs, ys)).history['loss'] ?? [];
  void notString;
  void notTensor;
  void notStrings;
}
void probes;

console.log(
  JSON.stringify({
    backend: info.backend,
    lossLast: history.history['loss']?.at(-1),
    accuracy,
    pred: Array.from(values),
    predShape: pred.shape,
    batchOne: Array.from(t.dataSync()),
    loadedSame: Array.from(again.dataSync()).every((v, i) => v === values[i]),
    isTensor: pred instanceof Tensor,
  }),
);
