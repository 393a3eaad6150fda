/**
 * Functional models against the real TensorFlow.js (tfjs-layers 4.22.0):
 * models built in TF.js with every merge kind, shared layers, several inputs
 * and outputs, load here and predict within 1e-5 relative; simdnet's
 * functional models load in tf.loadLayersModel and predict the same; Keras 3's
 * node format with merges loads; a multi-output model's compile config and
 * optimizer state round-trip.
 */
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import * as sn from '../../src/index.js';
import { closeTo, inputs, io, saveToMemory } from './helpers.js';

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  const r = closeTo(actual, expected);
  expect(r.ok, `${what}: ${r.message}`).toBe(true);
}

async function tfArtifacts(m: tfl.LayersModel): Promise<tf.io.ModelArtifacts> {
  let out: tf.io.ModelArtifacts | undefined;
  await m.save(
    tf.io.withSaveHandler(async (a) => {
      out = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return out!;
}

/** TF.js's predictions, one flat array per output. */
function tfPredict(m: tfl.LayersModel, xs: number[][][]): number[][] {
  const y = m.predict(xs.length === 1 ? tf.tensor(xs[0]!) : xs.map((x) => tf.tensor(x)));
  return (Array.isArray(y) ? y : [y]).map((t) => Array.from(t.dataSync()));
}
function snPredict(m: sn.LayersModel, xs: number[][][]): number[][] {
  const y = m.predict(xs.length === 1 ? xs[0]! : xs);
  return (Array.isArray(y) ? y : [y]).map((t) => Array.from(t.values));
}

// TF.js has no Subtract layer (Keras has): it is checked against Keras's formula in test/model/functional.test.ts.
const TF_MERGES = {
  add: () => tfl.layers.add(),
  multiply: () => tfl.layers.multiply(),
  average: () => tfl.layers.average(),
  maximum: () => tfl.layers.maximum(),
  minimum: () => tfl.layers.minimum(),
  concatenate: () => tfl.layers.concatenate({ axis: -1 }),
};

describe('TensorFlow.js functional models → simdnet', () => {
  it('every merge kind, a shared layer, two inputs and two outputs: same predictions', async () => {
    const xa = inputs(9, 4, 1),
      xb = inputs(9, 4, 2);
    for (const [kind, merge] of Object.entries(TF_MERGES)) {
      const a = tfl.input({ shape: [4], name: 'left' }),
        b = tfl.input({ shape: [4], name: 'right' });
      const shared = tfl.layers.dense({
        units: 5,
        activation: 'tanh',
        name: 'shared',
        biasInitializer: 'randomNormal',
      });
      const ha = shared.apply(a) as tfl.SymbolicTensor,
        hb = shared.apply(b) as tfl.SymbolicTensor;
      const m = merge().apply([ha, hb]) as tfl.SymbolicTensor;
      const h = tfl.layers.dense({ units: 6, activation: 'relu', name: 'hidden' }).apply(m) as tfl.SymbolicTensor;
      const o1 = tfl.layers.dense({ units: 3, activation: 'softmax', name: 'probs' }).apply(h) as tfl.SymbolicTensor;
      const o2 = tfl.layers
        .dense({ units: 2, name: 'value' })
        .apply(tfl.layers.concatenate().apply([h, ha]) as tfl.SymbolicTensor) as tfl.SymbolicTensor;
      const tm = tfl.model({ inputs: [a, b], outputs: [o1, o2] });
      const loaded = await sn.loadModel(io.fromMemory(await tfArtifacts(tm)));
      expect(loaded.inputNames).toEqual(['left', 'right']);
      expect(loaded.outputNames).toEqual(['probs', 'value']);
      expect(loaded.getLayer('shared').weights).toHaveLength(2);
      const want = tfPredict(tm, [xa, xb]),
        got = snPredict(loaded, [xa, xb]);
      expectClose(got[0]!, want[0]!, `${kind}: probs`);
      expectClose(got[1]!, want[1]!, `${kind}: value`);
    }
  });

  it('concatenate on an inner axis, a layer shared three times, a branch that skips layers, an output read by another layer', async () => {
    const a = tfl.input({ shape: [3, 2] }),
      b = tfl.input({ shape: [1, 2] });
    const c = tfl.layers.concatenate({ axis: 1 }).apply([a, b]) as tfl.SymbolicTensor; // [4, 2]
    const d = tfl.layers.dense({ units: 2, activation: 'elu' });
    let t = c;
    for (let i = 0; i < 3; i++) t = d.apply(t) as tfl.SymbolicTensor;
    const f = tfl.layers.flatten().apply(tfl.layers.add().apply([t, c]) as tfl.SymbolicTensor) as tfl.SymbolicTensor;
    const first = tfl.layers.dense({ units: 4, activation: 'sigmoid', name: 'first' }).apply(f) as tfl.SymbolicTensor;
    const second = tfl.layers.dense({ units: 1, name: 'second' }).apply(first) as tfl.SymbolicTensor;
    const tm = tfl.model({ inputs: [a, b], outputs: [first, second] });
    const xa = Array.from({ length: 5 }, (_, i) => inputs(3, 2, 10 + i)),
      xb = Array.from({ length: 5 }, (_, i) => inputs(1, 2, 20 + i));
    const loaded = await sn.loadModel(io.fromMemory(await tfArtifacts(tm)));
    const ya = tm.predict([tf.tensor(xa), tf.tensor(xb)]) as tf.Tensor[];
    const yb = loaded.predict([xa, xb]) as sn.Tensor[];
    yb.forEach((y, k) => expectClose(y.values, ya[k]!.dataSync(), `output ${k}`));
  });
});

describe('simdnet functional models → TensorFlow.js', () => {
  it('a trained model with every merge kind, shared layers, two inputs and two outputs loads in tf.loadLayersModel and predicts the same', async () => {
    sn.setSeed(3);
    const a = sn.input({ shape: [4], name: 'left' }),
      b = sn.input({ shape: [4], name: 'right' });
    const shared = sn.layers.dense({ units: 5, activation: 'tanh', name: 'shared' });
    const ha = shared.apply(a),
      hb = shared.apply(b);
    // (TF.js mis-counts a tensor fed twice to one layer — it disposes it after the first use — so every input here is
    // distinct.)
    const sum = sn.layers.add([ha, hb]);
    const merged = [
      sum,
      sn.layers.multiply([ha, hb]),
      sn.layers.average([ha, hb, sum]),
      sn.layers.maximum([ha, hb]),
      sn.layers.minimum([ha, hb]),
    ];
    const cat = sn.layers.concatenate({ axis: -1 }).apply(merged);
    const h = sn.layers.dense({ units: 8, activation: 'relu', name: 'hidden' }).apply(cat);
    const probs = sn.layers.dense({ units: 3, activation: 'softmax', name: 'probs' }).apply(h);
    const value = sn.layers.dense({ units: 1, name: 'value' }).apply(sn.layers.concatenate([h, hb]));
    const m = sn.model({ inputs: [a, b], outputs: [probs, value], name: 'two_heads' });
    m.compile({ optimizer: 'adam', loss: ['sparse_categorical_crossentropy', 'mse'], lossWeights: [1, 0.3] });
    const xa = inputs(40, 4, 5),
      xb = inputs(40, 4, 6);
    const yc = xa.map((r) => [r[0]! > 0 ? 1 : r[1]! > 0 ? 2 : 0]),
      yv = xa.map((r, i) => [r[2]! - xb[i]![3]!]);
    await m.fit([xa, xb], [yc, yv], { epochs: 3, verbose: 0, seed: 1 });
    const art = await saveToMemory(m);
    expect((art.modelTopology as { class_name: string }).class_name).toBe('Model');
    const tm = await tfl.loadLayersModel(tf.io.fromMemory(art));
    expect(tm.inputNames).toEqual(['left', 'right']);
    expect(tm.outputNames).toEqual(['probs', 'value']);
    const want = snPredict(m, [xa, xb]),
      got = tfPredict(tm, [xa, xb]);
    expectClose(got[0]!, want[0]!, 'probs');
    expectClose(got[1]!, want[1]!, 'value');
    // And back: TF.js's save of what it loaded loads here with the same predictions.
    const again = await sn.loadModel(io.fromMemory(await tfArtifacts(tm)));
    snPredict(again, [xa, xb]).forEach((p, k) => expectClose(p, want[k]!, `round trip ${k}`));
    // Subtract is a Keras layer TF.js lacks: TF.js refuses the file by its class name (simdnet reads it back).
    const sa = sn.input({ shape: [4] }),
      sb = sn.input({ shape: [4] });
    const sub = sn.model({
      inputs: [sa, sb],
      outputs: sn.layers.subtract([sn.layers.dense({ units: 2 }).apply(sa), sn.layers.dense({ units: 2 }).apply(sb)]),
    });
    const subArt = await saveToMemory(sub);
    await expect(tfl.loadLayersModel(tf.io.fromMemory(subArt))).rejects.toThrow(/Unknown layer: Subtract/);
    const back = await sn.loadModel(io.fromMemory(subArt));
    expectClose(snPredict(back, [xa, xb])[0]!, snPredict(sub, [xa, xb])[0]!, 'subtract');
  });

  it('a multi-output compile config (losses, loss weights, metrics per output) and Adam state round-trip with includeOptimizer', async () => {
    sn.setSeed(4);
    const x = sn.input({ shape: [3], name: 'x' });
    const h = sn.layers.dense({ units: 4, activation: 'relu' }).apply(x);
    const m = sn.model({
      inputs: x,
      outputs: [
        sn.layers.dense({ units: 1, activation: 'sigmoid', name: 'flag' }).apply(h),
        sn.layers.dense({ units: 2, name: 'pos' }).apply(h),
      ],
    });
    m.compile({
      optimizer: 'adam',
      loss: { flag: 'binary_crossentropy', pos: 'mae' },
      lossWeights: { flag: 2, pos: 1 },
      metrics: { flag: ['accuracy'], pos: ['mse'] },
    });
    const xs = inputs(16, 3, 9),
      yf = xs.map((r) => [r[0]! > 0 ? 1 : 0]),
      yp = xs.map((r) => [r[1]!, r[2]!]);
    await m.fit(xs, { flag: yf, pos: yp }, { epochs: 2, verbose: 0, seed: 2 });
    const loaded = await sn.loadModel(io.fromMemory(await saveToMemory(m, { includeOptimizer: true })));
    expect(loaded.lossWeights).toEqual([2, 1]);
    expect(loaded.losses.map((l) => (l as sn.losses.Loss).name)).toEqual([
      'binary_crossentropy',
      'mean_absolute_error',
    ]);
    expect(loaded.outputMetricNames).toEqual([['accuracy'], ['mse']]);
    expect(loaded.optimizer!.iterations).toBe(m.optimizer!.iterations);
    expect(loaded.evaluate(xs, [yf, yp])).toEqual(m.evaluate(xs, [yf, yp]));
    // One more step from the restored state matches one more step of the original.
    const l1 = m.trainOnBatch(xs, [yf, yp]),
      l2 = loaded.trainOnBatch(xs, [yf, yp]);
    expect(l2).toEqual(l1);
  });

  it("Keras 3's node format with merges (args: [[t1, t2]]) and a shared layer loads", async () => {
    const kt = (from: string, node = 0) => ({
      class_name: '__keras_tensor__',
      config: { shape: [null, 2], dtype: 'float32', keras_history: [from, node, 0] },
    });
    const dense = (name: string, units: number) => ({
      units,
      activation: 'linear',
      use_bias: true,
      name,
      trainable: true,
      dtype: 'float32',
      kernel_initializer: { class_name: 'Zeros', config: {} },
      bias_initializer: { class_name: 'Zeros', config: {} },
      kernel_regularizer: null,
      bias_regularizer: null,
      kernel_constraint: null,
      bias_constraint: null,
    });
    const topology = {
      class_name: 'Functional',
      keras_version: '3.3.3',
      config: {
        name: 'k3',
        layers: [
          {
            class_name: 'InputLayer',
            name: 'in_a',
            config: { batch_shape: [null, 2], name: 'in_a' },
            inbound_nodes: [],
          },
          {
            class_name: 'InputLayer',
            name: 'in_b',
            config: { batch_shape: [null, 2], name: 'in_b' },
            inbound_nodes: [],
          },
          {
            class_name: 'Dense',
            name: 'sh',
            config: dense('sh', 2),
            inbound_nodes: [
              { args: [kt('in_a')], kwargs: {} },
              { args: [kt('in_b')], kwargs: {} },
            ],
          },
          {
            class_name: 'Add',
            name: 'add',
            config: { name: 'add', trainable: true, dtype: 'float32' },
            inbound_nodes: [{ args: [[kt('sh', 0), kt('sh', 1)]], kwargs: {} }],
          },
          {
            class_name: 'Dense',
            name: 'out',
            config: dense('out', 1),
            inbound_nodes: [{ args: [kt('add')], kwargs: {} }],
          },
        ],
        input_layers: [
          ['in_a', 0, 0],
          ['in_b', 0, 0],
        ],
        output_layers: [['out', 0, 0]],
      },
    };
    const W = { sh_k: [1, 2, 3, 4], sh_b: [0.5, -0.5], out_k: [1, -1], out_b: [0.25] };
    const specs = [
      ['sh/kernel', [2, 2]],
      ['sh/bias', [2]],
      ['out/kernel', [2, 1]],
      ['out/bias', [1]],
    ].map(([name, shape]) => ({ name: name as string, shape: shape as number[], dtype: 'float32' as const }));
    const data = new Float32Array([...W.sh_k, ...W.sh_b, ...W.out_k, ...W.out_b]);
    const m = await sn.loadModel(
      io.fromMemory({ modelTopology: topology, weightSpecs: specs, weightData: data.buffer }),
    );
    // out = (xa·K + b + xb·K + b)·[1, -1] + 0.25
    const xa = [[1, 0]],
      xb = [[0, 1]];
    const h = [1 + 0 + 0.5 + 3 + 0.5, 2 + 0 - 0.5 + 4 - 0.5];
    expect(Array.from((m.predict([xa, xb]) as sn.Tensor).values)).toEqual([h[0]! - h[1]! + 0.25]);
  });

  it('refuses graphs that cannot be built, with the path of the problem', async () => {
    const inp = tfl.input({ shape: [2] });
    const tm = tfl.model({ inputs: inp, outputs: tfl.layers.dense({ units: 1 }).apply(inp) as tfl.SymbolicTensor });
    const art = await tfArtifacts(tm);
    const bad = JSON.parse(JSON.stringify(art.modelTopology)) as {
      config: { layers: { inbound_nodes: unknown[][][] }[]; output_layers: unknown[] };
    };
    bad.config.layers[1]!.inbound_nodes[0]![0]![0] = 'nowhere';
    await expect(sn.loadModel(io.fromMemory({ ...art, modelTopology: bad }))).rejects.toThrow(
      /inbound_nodes\[0\]\[0\]: layer 'nowhere' is not a layer of the model/,
    );
    const bad2 = JSON.parse(JSON.stringify(art.modelTopology)) as typeof bad;
    bad2.config.output_layers = [[(bad2.config.layers[1] as unknown as { name: string }).name, 3, 0]];
    await expect(sn.loadModel(io.fromMemory({ ...art, modelTopology: bad2 }))).rejects.toThrow(
      /has 1 node\(s\); node 3 does not exist/,
    );
  });
});
