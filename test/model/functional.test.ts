/**
 * The functional API: sn.input / layer.apply / sn.model, merges, shared
 * layers, several inputs and outputs — built, checked by finite differences
 * on both backends, trained on real data, and compared with Sequential (one
 * engine runs both).
 */
import { describe, expect, it } from 'vitest';
import * as sn from '../../src/index.js';
import { digits } from '../helpers/data.js';
import { gradError, rng } from '../helpers/gradcheck.js';

const rand = (r: () => number, n: number, k: number) =>
  Array.from({ length: n }, () => Array.from({ length: k }, () => r() * 2 - 1));

const MERGES = ['add', 'subtract', 'multiply', 'average', 'maximum', 'minimum', 'concatenate'] as const;

/** Two inputs, a shared Dense applied to both, a merge, two outputs (one reading the merge, one a branch). */
function graphModel(merge: (typeof MERGES)[number], seed: number) {
  sn.setSeed(seed);
  const a = sn.input({ shape: [3], name: 'a' }),
    b = sn.input({ shape: [3], name: 'b' });
  const shared = sn.layers.dense({ units: 4, activation: 'tanh', name: 'shared' });
  const ha = shared.apply(a),
    hb = shared.apply(b);
  const m =
    merge === 'concatenate' ? sn.layers.concatenate({ axis: -1 }).apply([ha, hb]) : sn.layers[merge]().apply([ha, hb]);
  const hidden = sn.layers.dense({ units: 5, activation: 'swish', name: 'hidden' }).apply(m);
  const cls = sn.layers.dense({ units: 3, activation: 'softmax', name: 'cls' }).apply(hidden);
  const reg = sn.layers
    .dense({ units: 2, name: 'reg' })
    .apply(sn.layers.add().apply([ha, sn.layers.dense({ units: 4, name: 'proj' }).apply(hidden)]));
  return sn.model({ inputs: [a, b], outputs: [cls, reg], name: `g_${merge}` });
}

describe('building functional models', () => {
  it('inputs, outputs, names, shapes; a layer applied twice shares one set of weights', () => {
    const m = graphModel('concatenate', 1);
    expect(m.inputNames).toEqual(['a', 'b']);
    expect(m.outputNames).toEqual(['cls', 'reg']);
    expect(m.inputs.map((t) => t.shape)).toEqual([[3], [3]]);
    expect(m.outputShapes).toEqual([[3], [2]]);
    expect(m.layers.map((l) => l.className)).toEqual([
      'InputLayer',
      'InputLayer',
      'Dense',
      'Concatenate',
      'Dense',
      'Dense',
      'Dense',
      'Add',
      'Dense',
    ]);
    // shared: 3·4 + 4 once; hidden 8·5 + 5; cls 5·3 + 3; proj 5·4 + 4; reg 4·2 + 2
    expect(m.countParams()).toBe(16 + 45 + 18 + 24 + 10);
    expect(m.getLayer('shared').weights).toHaveLength(2);
    expect(m.getWeights()).toHaveLength(10);
  });

  it('refuses bad graphs and calls, naming what is wrong', () => {
    const a = sn.input({ shape: [3], name: 'ia' }),
      b = sn.input({ shape: [2], name: 'ib' });
    const d = sn.layers.dense({ units: 2 });
    const h = d.apply(a);
    expect(() => d.apply(b)).toThrow(/was built for input shape \[null, 3\] and cannot be applied to \[null, 2\]/);
    expect(() => sn.layers.add().apply([a, b])).toThrow(
      /needs inputs of one shape\. Received: \[null, 3\], \[null, 2\]/,
    );
    expect(() => sn.layers.subtract().apply([a, a, a])).toThrow(/exactly 2 inputs/);
    expect(() => sn.layers.concatenate({ axis: 0 })).toThrow(/axis/);
    expect(() => sn.layers.dense({ units: 1 }).apply([a, b])).toThrow(/takes one input\. Received: 2 inputs/);
    expect(() => sn.layers.dense({ units: 1 }).apply(sn.tensor([[1, 2, 3]]) as never)).toThrow(/symbolic tensors/);
    expect(() =>
      sn.model({ inputs: a, outputs: sn.layers.add().apply([h, sn.layers.dense({ units: 2 }).apply(b)]) }),
    ).toThrow(/Graph disconnected: .*'ib'/);
    expect(() => sn.model({ inputs: h, outputs: h })).toThrow(/inputs\[0\]/);
    expect(() => sn.model({ inputs: a, outputs: a })).toThrow(/outputs\[0\]/);
    expect(() => sn.model({ inputs: a, outputs: [h, h] })).toThrow(/lists .* twice/);
    const same1 = sn.layers.dense({ units: 2, name: 'twin' }).apply(a),
      same2 = sn.layers.dense({ units: 2, name: 'twin' }).apply(a);
    expect(() => sn.model({ inputs: a, outputs: sn.layers.add([same1, same2]) })).toThrow(
      /Two layers of the model are named 'twin'/,
    );
  });

  it('compiles before it is built (a Sequential model without an input shape), and a deep graph builds without recursion', () => {
    const m = sn.sequential([sn.layers.dense({ units: 4 }), sn.layers.dense({ units: 1, name: 'last_one' })]);
    m.compile({ optimizer: 'sgd', loss: { last_one: 'mse' }, metrics: ['mae'] });
    m.build([3]);
    expect(Object.keys(m.evaluate([[1, 2, 3]], [[1]]))).toEqual(['loss', 'mae']);
    const x = sn.input({ shape: [1] });
    let t = x;
    for (let i = 0; i < 12000; i++) t = sn.layers.activation({ activation: 'linear' }).apply(t);
    expect((sn.model({ inputs: x, outputs: t }).predict([[2]]) as sn.Tensor).values[0]).toBe(2);
    expect(() => sn.input({ shape: [0] })).toThrow(/`shape`/);
  });

  it('recompiling with a loss that wants wider targets lays the plans out anew (no overrun of the old target buffer)', async () => {
    sn.setSeed(5);
    const x = sn.input({ shape: [4] });
    const m = sn.model({ inputs: x, outputs: sn.layers.dense({ units: 10, activation: 'softmax' }).apply(x) });
    const r = rng(3);
    const xs = rand(r, 32, 4),
      labels = xs.map((_, i) => [i % 10]),
      onehot = labels.map(([c]) => Array.from({ length: 10 }, (_, j) => (j === c ? 1 : 0)));
    m.compile({ optimizer: 'sgd', loss: 'sparse_categorical_crossentropy' });
    const sparse = m.evaluate(xs, labels, { batchSize: 32, sampleWeight: xs.map(() => 1) });
    m.compile({ optimizer: 'sgd', loss: 'categorical_crossentropy' });
    const dense = m.evaluate(xs, onehot, { batchSize: 32, sampleWeight: xs.map(() => 1) });
    expect(dense.loss).toBeCloseTo(sparse.loss!, 5);
  });

  it('partial per-output objects: a missing output gets no metrics and loss weight 1, as in Keras', () => {
    const m = graphModel('add', 4);
    m.compile({ optimizer: 'sgd', loss: 'mse', metrics: { cls: ['mae'] }, lossWeights: { reg: 3 } });
    expect(m.lossWeights).toEqual([1, 3]);
    expect(m.outputMetricNames).toEqual([['mae'], []]);
    const e = m.evaluate(
      { a: [[1, 2, 3]], b: [[0, 1, 0]] },
      { cls: [[1, 0, 0]], reg: [[NaN, 0]] },
      { allowNonFinite: true },
    );
    expect(Object.keys(e)).toEqual(['loss', 'cls_loss', 'reg_loss', 'cls_mae']);
    expect(() => m.evaluate({ a: [[1, 2, 3]], b: [[0, 1, 0]] }, { cls: [[1, 0, 0]], reg: [[NaN, 0]] })).toThrow(
      /y\['reg'\]/,
    );
  });

  it('a sequential model may start with sn.input(...)', () => {
    const m = sn.sequential([sn.input({ shape: [3] }), sn.layers.dense({ units: 2 })]);
    expect(m.inputs[0]!.shape).toEqual([3]);
    expect(m.predict([[1, 2, 3]]).shape).toEqual([1, 2]);
  });

  it('models share layers: an encoder inside an autoencoder sees its training, each with its own optimizer state; release() of one leaves the other working', async () => {
    sn.setSeed(6);
    const x = sn.input({ shape: [6], name: 'x' });
    const enc = sn.layers.dense({ units: 2, activation: 'tanh', name: 'enc' });
    const code = enc.apply(x);
    const auto = sn.model({ inputs: x, outputs: sn.layers.dense({ units: 6, name: 'dec' }).apply(code) });
    const encoder = sn.model({ inputs: x, outputs: code });
    const r = rng(12);
    const xs = rand(r, 64, 6);
    const p0 = Array.from((encoder.predict(xs) as sn.Tensor).values);
    auto.compile({ optimizer: 'adam', loss: 'mse' });
    await auto.fit(xs, xs, { epochs: 3, verbose: 0, seed: 1 });
    const p1 = Array.from((encoder.predict(xs) as sn.Tensor).values);
    expect(p1).not.toEqual(p0);
    expect(encoder.getWeights().map((t) => Array.from(t.values))).toEqual(
      auto
        .getWeights()
        .slice(0, 2)
        .map((t) => Array.from(t.values)),
    );
    // The encoder trains too, with its own Adam slots; the autoencoder's are untouched by it.
    const autoSlots = auto.getOptimizerWeights().map((w) => Array.from(w.tensor.values));
    encoder.compile({ optimizer: 'adam', loss: 'mse' });
    await encoder.fit(
      xs,
      xs.map((row) => [row[0]!, row[1]!]),
      { epochs: 1, verbose: 0, seed: 2 },
    );
    expect(auto.getOptimizerWeights().map((w) => Array.from(w.tensor.values))).toEqual(autoSlots);
    expect(encoder.getOptimizerWeights().map((w) => w.name)).toEqual([
      'enc/kernel/momentum',
      'enc/kernel/velocity',
      'enc/bias/momentum',
      'enc/bias/velocity',
    ]);
    const p2 = Array.from((encoder.predict(xs) as sn.Tensor).values);
    auto.release();
    expect(Array.from((encoder.predict(xs) as sn.Tensor).values)).toEqual(p2);
    const code2 = Array.from((auto.predict(xs) as sn.Tensor).values);
    expect(code2.every(Number.isFinite)).toBe(true);
  });

  it('a sequential model is the same engine: same weights, same data → bit-identical training and predictions', async () => {
    const data = digits(0.2, 3);
    const layers = () => [
      sn.layers.dense({ units: 24, activation: 'relu' }),
      sn.layers.dropout({ rate: 0.2 }),
      sn.layers.dense({ units: 10, activation: 'softmax' }),
    ];
    sn.setSeed(11);
    const sl = layers();
    const seq = sn.sequential([sn.layers.input({ shape: [64] }), ...sl]);
    sn.setSeed(11);
    const fl = layers();
    const x = sn.input({ shape: [64] });
    let t = x;
    for (const l of fl) t = l.apply(t);
    const fun = sn.model({ inputs: x, outputs: t });
    fun.setWeights(seq.getWeights());
    for (const m of [seq, fun])
      m.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy', metrics: ['accuracy'] });
    const h1 = await seq.fit(data.xTrain, data.yTrain, { epochs: 2, batchSize: 64, seed: 5, verbose: 0 });
    const h2 = await fun.fit(data.xTrain, data.yTrain, { epochs: 2, batchSize: 64, seed: 5, verbose: 0 });
    expect(h2.history).toEqual(h1.history);
    expect(Array.from((fun.predict(data.xTest) as sn.Tensor).values)).toEqual(
      Array.from(seq.predict(data.xTest).values),
    );
  });
});

for (const backend of ['js', 'wasm'] as const) {
  describe(`functional gradients (${backend} backend)`, () => {
    it('through every merge kind, a shared layer, a branch read twice and two weighted output losses', () => {
      sn.setBackend(backend);
      const r = rng(9);
      const xa = rand(r, 6, 3),
        xb = rand(r, 6, 3);
      const yc = Array.from({ length: 6 }, () => {
        const row = [0, 0, 0];
        row[Math.floor(r() * 3)] = 1;
        return row;
      });
      const yr = rand(r, 6, 2);
      const failures: string[] = [];
      for (const merge of MERGES) {
        const m = graphModel(merge, 20);
        m.compile({ optimizer: 'sgd', loss: ['categorical_crossentropy', 'mse'], lossWeights: [0.7, 1.9] });
        const { err, norm } = gradError(m, [xa, xb], { cls: yc, reg: yr }, 3);
        if (!(err <= 2e-2 * Math.max(norm, 1e-3)))
          failures.push(`${merge}: err ${err.toExponential(2)} vs norm ${norm.toExponential(2)}`);
      }
      expect(failures).toEqual([]);
      sn.setBackend('wasm');
    });

    it('the total loss is Σ lossWeight·loss of each output, and the gradient follows the weights', () => {
      sn.setBackend(backend);
      const r = rng(4);
      const xa = rand(r, 8, 3),
        xb = rand(r, 8, 3);
      const yc = Array.from({ length: 8 }, () => [Math.floor(r() * 3)]);
      const yr = rand(r, 8, 2);
      const m = graphModel('add', 3);
      m.compile({
        optimizer: 'sgd',
        loss: { cls: 'sparse_categorical_crossentropy', reg: 'mse' },
        lossWeights: { cls: 2, reg: 0.5 },
        metrics: { cls: ['accuracy'], reg: ['mae'] },
      });
      const e = m.evaluate({ a: xa, b: xb }, [yc, yr]);
      expect(Object.keys(e)).toEqual(['loss', 'cls_loss', 'reg_loss', 'cls_accuracy', 'reg_mae']);
      expect(e.loss).toBeCloseTo(2 * e.cls_loss! + 0.5 * e.reg_loss!, 5);
      // Only the classifier's loss: its weights get the same gradient with either second weight, the regression head
      // none.
      m.compile({ optimizer: 'sgd', loss: ['sparse_categorical_crossentropy', 'mse'], lossWeights: [1, 0] });
      const g0 = m.computeGradients([xa, xb], [yc, yr]).grads;
      const names = m
        .namedWeights()
        .filter((w) => w.trainable)
        .map((w) => w.name);
      expect(Math.max(...g0[names.indexOf('reg/kernel')]!.values.map(Math.abs))).toBe(0);
      const { err, norm } = gradError(m, [xa, xb], [yc, yr], 3);
      expect(err).toBeLessThanOrEqual(2e-2 * Math.max(norm, 1e-3));
      sn.setBackend('wasm');
    });

    it('batch normalization on a model input writes its unused input gradient into the shared transient workspace', () => {
      sn.setBackend(backend);
      const r = rng(8);
      const x = sn.input({ shape: [5] });
      const bn = sn.layers.batchNormalization({ betaInitializer: 'randomNormal', gammaInitializer: 'randomUniform' });
      const out = sn.layers.dense({ units: 2, activation: 'tanh' }).apply(bn.apply(x));
      const m = sn.model({
        inputs: x,
        outputs: sn.layers.add([out, sn.layers.dense({ units: 2 }).apply(bn.apply(x))]),
      });
      m.compile({ optimizer: 'sgd', loss: 'mse' });
      const { err, norm } = gradError(m, rand(r, 7, 5), rand(r, 7, 2), 3);
      expect(err).toBeLessThanOrEqual(2e-2 * Math.max(norm, 1e-3));
      sn.setBackend('wasm');
    });

    it('concatenate on a middle axis, reshape/permute/flatten on rank 3, and maximum with ties', () => {
      sn.setBackend(backend);
      const r = rng(5);
      const a = sn.input({ shape: [2, 3] }),
        b = sn.input({ shape: [4, 3] });
      const c = sn.layers.concatenate({ axis: 1 }).apply([a, b]); // [6, 3]
      const p = sn.layers.permute({ dims: [2, 1] }).apply(sn.layers.dense({ units: 3, activation: 'elu' }).apply(c)); // [3, 6]
      const f = sn.layers.flatten().apply(p);
      const mx = sn.layers.maximum().apply([f, sn.layers.reshape({ targetShape: [18] }).apply(c)]);
      const out = sn.layers.dense({ units: 2, activation: 'sigmoid' }).apply(mx);
      const m = sn.model({ inputs: [a, b], outputs: out });
      m.compile({ optimizer: 'sgd', loss: 'binary_crossentropy' });
      const xa = Array.from({ length: 5 }, () => rand(r, 2, 3)),
        xb = Array.from({ length: 5 }, () => rand(r, 4, 3));
      const y = Array.from({ length: 5 }, () => [r() < 0.5 ? 0 : 1, r() < 0.5 ? 0 : 1]);
      const { err, norm } = gradError(m, [xa, xb], y, 3);
      expect(err).toBeLessThanOrEqual(2e-2 * Math.max(norm, 1e-3));
      sn.setBackend('wasm');
    });
  });
}

describe('training and predicting with several inputs and outputs', () => {
  it('UCI digits split into top and bottom halves, two heads (digit, even/odd): both reach a stated test accuracy', async () => {
    const d = digits(0.2, 7);
    const top = (x: number[][]) => x.map((r) => r.slice(0, 32)),
      bottom = (x: number[][]) => x.map((r) => r.slice(32));
    const even = (y: number[][]) => y.map((r) => [r[0]! % 2 === 0 ? 1 : 0]);
    sn.setSeed(1);
    const t = sn.input({ shape: [32], name: 'top' }),
      b = sn.input({ shape: [32], name: 'bottom' });
    const half = sn.layers.dense({ units: 32, activation: 'relu', name: 'half' }); // shared by both halves
    const h = sn.layers.concatenate().apply([half.apply(t), half.apply(b)]);
    const body = sn.layers.dense({ units: 48, activation: 'relu', name: 'body' }).apply(h);
    const digit = sn.layers.dense({ units: 10, activation: 'softmax', name: 'digit' }).apply(body);
    const parity = sn.layers.dense({ units: 1, activation: 'sigmoid', name: 'parity' }).apply(body);
    const m = sn.model({ inputs: [t, b], outputs: [digit, parity] });
    m.compile({
      optimizer: sn.optimizers.adam({ learningRate: 0.005 }),
      loss: ['sparse_categorical_crossentropy', 'binary_crossentropy'],
      lossWeights: [1, 0.5],
      metrics: ['accuracy'],
    });
    const hist = await m.fit(
      { top: top(d.xTrain), bottom: bottom(d.xTrain) },
      { digit: d.yTrain, parity: even(d.yTrain) },
      { epochs: 30, batchSize: 32, seed: 2, verbose: 0, validationSplit: 0.1 },
    );
    expect(Object.keys(hist.history).sort()).toEqual(
      [
        'digit_accuracy',
        'digit_loss',
        'loss',
        'parity_accuracy',
        'parity_loss',
        'val_digit_accuracy',
        'val_digit_loss',
        'val_loss',
        'val_parity_accuracy',
        'val_parity_loss',
      ].sort(),
    );
    const e = m.evaluate([top(d.xTest), bottom(d.xTest)], [d.yTest, even(d.yTest)]);
    expect(e.digit_accuracy).toBeGreaterThanOrEqual(0.93);
    expect(e.parity_accuracy).toBeGreaterThanOrEqual(0.93);
    const [pd, pp] = m.predict([top(d.xTest), bottom(d.xTest)]) as sn.Tensor[];
    expect(pd!.shape).toEqual([d.xTest.length, 10]);
    expect(pp!.shape).toEqual([d.xTest.length, 1]);
    // trainOnBatch reports the same keys; predictOnBatch gives one tensor per output.
    const logs = m.trainOnBatch(
      [top(d.xTest.slice(0, 8)), bottom(d.xTest.slice(0, 8))],
      [d.yTest.slice(0, 8), even(d.yTest.slice(0, 8))],
    );
    expect(Object.keys(logs)).toEqual(['loss', 'digit_loss', 'parity_loss', 'digit_accuracy', 'parity_accuracy']);
    expect(
      (m.predictOnBatch([top(d.xTest.slice(0, 3)), bottom(d.xTest.slice(0, 3))]) as sn.Tensor[]).map((x) => x.shape),
    ).toEqual([
      [3, 10],
      [3, 1],
    ]);
  });

  it('refuses data of the wrong structure, naming inputs and outputs', () => {
    const m = graphModel('add', 2);
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    const x = [[[1, 2, 3]], [[1, 2, 3]]];
    expect(() => m.predict([[1, 2, 3]])).toThrow(
      /2 inputs: an array in input order or an object keyed by input name \(a, b\)/,
    );
    expect(() => m.predict({ a: [[1, 2, 3]] })).toThrow(/no data for input 'b'/);
    expect(() => m.predict({ a: [[1, 2, 3]], b: [[1, 2, 3]], c: [[1]] })).toThrow(/does not have: c/);
    expect(() =>
      m.predict([
        [[1, 2, 3]],
        [
          [1, 2, 3],
          [4, 5, 6],
        ],
      ]),
    ).toThrow(/different numbers of samples/);
    expect(() => m.evaluate(x, { cls: [[1, 0, 0]] })).toThrow(/no data for output 'reg'/);
    expect(() => m.compile({ optimizer: 'sgd', loss: ['mse'] })).toThrow(/one entry per output \(2: cls, reg\)/);
    expect(() => m.compile({ optimizer: 'sgd', loss: { cls: 'mse', other: 'mse' } })).toThrow(/does not have: other/);
    expect(() => m.compile({ optimizer: 'sgd', loss: 'mse', lossWeights: [1, -1] })).toThrow(/lossWeights/);
    // The model is still usable after every refusal.
    expect((m.predict(x) as sn.Tensor[]).map((t) => t.shape)).toEqual([
      [1, 3],
      [1, 2],
    ]);
    return expect(m.fit(x, [[[1, 0, 0]], [[0, 0]]], { classWeight: { 0: 1 }, verbose: 0 })).rejects.toThrow(
      /classWeight.*one output/,
    );
  });

  it('summary shows Keras\'s "Connected to" column', () => {
    const lines: string[] = [];
    graphModel('concatenate', 1).summary({ print: (l) => lines.push(l) });
    const text = lines.join('\n');
    expect(text).toMatch(/Layer \(type\)\s+Output Shape\s+Param #\s+Connected to/);
    expect(text).toMatch(/shared \(Dense\)\s+\(None, 4\)\s+16 a\[0\]\[0\]\n\s+b\[0\]\[0\]/);
    expect(text).toMatch(/concatenate\S* \(Concatenate\)\s+\(None, 8\)\s+0 shared\[0\]\[0\]\n\s+shared\[1\]\[0\]/);
    expect(text).toMatch(/a \(InputLayer\)\s+\(None, 3\)\s+0 -/);
  });
});

describe('inference plans of graphs', () => {
  it('a 10-layer, 1024-wide MLP built functionally predicts at batch 1024 with at most 3 activation buffers; a skip connection keeps one more alive', () => {
    const x = sn.input({ shape: [64] });
    let t = x;
    for (let i = 0; i < 10; i++) t = sn.layers.dense({ units: 1024, activation: 'relu' }).apply(t);
    const m = sn.model({ inputs: x, outputs: t });
    m.predict(new sn.Tensor(new Float32Array(1024 * 64), [1024, 64]), { batchSize: 1024 });
    expect(m.memoryStats().plans).toEqual([{ B: 1024, training: false, activationBuffers: 3 }]);
    m.release();
    // Skip: the first layer's output is read again by the last merge, so it stays alive across the chain.
    const xs = sn.input({ shape: [8] });
    const first = sn.layers.dense({ units: 16 }).apply(xs);
    let u = first;
    for (let i = 0; i < 4; i++) u = sn.layers.dense({ units: 16, activation: 'relu' }).apply(u);
    const skip = sn.model({
      inputs: xs,
      outputs: sn.layers.dense({ units: 2 }).apply(sn.layers.add().apply([first, u])),
    });
    skip.predict(new sn.Tensor(new Float32Array(4 * 8), [4, 8]));
    expect(skip.memoryStats().plans[0]!.activationBuffers).toBe(4);
  });
});
