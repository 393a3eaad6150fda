/**
 * Against the real TensorFlow.js (tfjs-core + tfjs-layers + tfjs-backend-cpu 4.22.0):
 * simdnet's files load in TF.js, TF.js's files load in simdnet, and the two
 * predict the same within 1e-5 relative.
 */
import { createServer, type Server } from 'node:http';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import * as sn from '../../src/index.js';
import { closeTo, inputs, io, saveToMemory, tempDir } from './helpers.js';

/** Within 1e-5 relative (see closeTo). */
function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  const r = closeTo(actual, expected);
  expect(r.ok, `${what}: ${r.message}`).toBe(true);
}

const tfPredict = (m: tfl.LayersModel, x: number[][] | number[][][]) =>
  Array.from((m.predict(tf.tensor(x)) as tf.Tensor).dataSync());

/** A TF.js IOHandler reading a model directory the way TF.js parses model.json. */
function tfFileHandler(dir: string): tf.io.IOHandler {
  return {
    load: async () => {
      const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as tf.io.ModelJSON;
      return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
        const specs = manifest.flatMap((g) => g.weights);
        const parts = manifest.flatMap((g) => g.paths.map((p) => readFileSync(join(dir, p))));
        const all = new Uint8Array(parts.reduce((a, b) => a + b.byteLength, 0));
        let off = 0;
        for (const p of parts) {
          all.set(p, off);
          off += p.byteLength;
        }
        return [specs, all.buffer];
      });
    },
  };
}

/** Capture TF.js's save artifacts. */
async function tfArtifacts(m: tfl.LayersModel, includeOptimizer = false): Promise<tf.io.ModelArtifacts> {
  let out: tf.io.ModelArtifacts | undefined;
  await m.save(
    tf.io.withSaveHandler(async (a) => {
      out = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
    { includeOptimizer },
  );
  return out!;
}

/**
 * A local server that stores what TF.js's own http handler POSTs (multipart model.json + weights), and serves files.
 */
let server: Server;
let base = '';
const serveDir = tempDir('http');
beforeAll(async () => {
  await tf.setBackend('cpu');
  server = createServer((req, res) => {
    if (req.method === 'POST') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const form = await new Request('http://x', {
          method: 'POST',
          headers: { 'content-type': req.headers['content-type']! },
          body: Buffer.concat(chunks),
        }).formData();
        const dir = join(serveDir, req.url!.slice(1));
        mkdirSync(dir, { recursive: true });
        for (const [name, value] of form.entries())
          writeFileSync(join(dir, name), Buffer.from(await (value as Blob).arrayBuffer()));
        res.writeHead(200).end('{}');
      });
      return;
    }
    try {
      res.writeHead(200).end(readFileSync(join(serveDir, decodeURIComponent(req.url!.slice(1)))));
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => {
  server?.close();
});

// TF.js's hard_sigmoid is the Keras 2 form, simdnet's 'hard_sigmoid_legacy' (simdnet's 'hard_sigmoid' is Keras 3's).
const TFJS_ACTIVATIONS = sn.activationNames
  .filter((a) => !['leaky_relu', 'exponential'].includes(a))
  .map((a) => (a === 'hard_sigmoid' ? 'hard_sigmoid_legacy' : a));

describe('simdnet → TensorFlow.js', () => {
  it('a trained Dense stack over every activation TF.js has, with Dropout and BatchNormalization, predicts the same in TF.js', async () => {
    expect(TFJS_ACTIVATIONS).toEqual([
      'linear',
      'relu',
      'elu',
      'selu',
      'sigmoid',
      'tanh',
      'softplus',
      'softsign',
      'gelu',
      'swish',
      'silu',
      'hard_sigmoid_legacy',
      'relu6',
      'softmax',
    ]);
    sn.setSeed(17);
    const layers: sn.layers.Layer[] = [sn.layers.input({ shape: [3, 4] }), sn.layers.flatten()];
    for (const act of TFJS_ACTIVATIONS) {
      layers.push(sn.layers.dense({ units: 6, activation: act, kernelRegularizer: sn.regularizers.l2(0.001) }));
      if (act === 'relu')
        layers.push(sn.layers.batchNormalization({ momentum: 0.8 }), sn.layers.dropout({ rate: 0.3 }));
      if (act === 'selu')
        layers.push(
          sn.layers.leakyReLU({ alpha: 0.2 }),
          sn.layers.elu(),
          sn.layers.activation({ activation: 'sigmoid' }),
        );
    }
    layers.push(sn.layers.batchNormalization({ center: false }), sn.layers.dense({ units: 3, activation: 'softmax' }));
    const model = sn.sequential(layers);
    model.compile({
      optimizer: sn.optimizers.adam({ learningRate: 0.01 }),
      loss: 'categorical_crossentropy',
      metrics: ['accuracy'],
    });
    const flat = inputs(48, 12, 5);
    const x = flat.map((r) => [r.slice(0, 4), r.slice(4, 8), r.slice(8)]);
    const y = flat.map((r) => {
      const c = r[0]! > 0.3 ? 0 : r[1]! > 0 ? 1 : 2;
      return [0, 1, 2].map((k) => (k === c ? 1 : 0));
    });
    await model.fit(x, y, { epochs: 3, batchSize: 12, verbose: 0, seed: 2 });
    const expected = Array.from(model.predict(x).values);

    // In memory, through TF.js's own fromMemory handler.
    const fromMem = await tfl.loadLayersModel(tf.io.fromMemory(await saveToMemory(model)));
    expectClose(tfPredict(fromMem, x), expected, 'fromMemory');
    // From the files model.save wrote, parsed by TF.js's model.json reader.
    const dir = tempDir('to-tf');
    await model.save(dir);
    const fromFiles = await tfl.loadLayersModel(tfFileHandler(dir));
    expectClose(tfPredict(fromFiles, x), expected, 'files');
    expect(fromFiles.layers.map((l) => l.name)).toEqual(model.layers.map((l) => l.name));
    // simdnet's directory handler is itself a TF.js IOHandler (TF.js in Node has none without tfjs-node).
    expectClose(tfPredict(await tfl.loadLayersModel(io.fileSystem(dir)), x), expected, 'io.fileSystem in TF.js');
    // Every weight by name and value.
    const tfw = new Map(fromFiles.weights.map((w) => [w.originalName, w.read().dataSync()]));
    for (const w of model.namedWeights()) expect(Array.from(tfw.get(w.name)!)).toEqual(Array.from(w.tensor.values));
  });

  it("a Keras 3 hard_sigmoid (relu6(x + 3)/6), which TF.js cannot compute, is refused by TF.js rather than loaded different; the legacy form is TF.js's hard_sigmoid", async () => {
    sn.setSeed(4);
    const x = inputs(5, 3, 1);
    const k3 = sn.sequential([sn.layers.dense({ units: 4, inputDim: 3, activation: 'hard_sigmoid' })]);
    await expect(tfl.loadLayersModel(tf.io.fromMemory(await saveToMemory(k3)))).rejects.toThrow(
      /Unknown activation: hardSigmoidKeras3/,
    );
    const legacy = sn.sequential([
      sn.layers.dense({ units: 4, inputDim: 3, activation: 'hard_sigmoid_legacy', biasInitializer: 'ones' }),
    ]);
    const t = await tfl.loadLayersModel(tf.io.fromMemory(await saveToMemory(legacy)));
    expectClose(tfPredict(t, x), Array.from(legacy.predict(x).values), 'legacy hard_sigmoid in TF.js');
  });

  it('every initializer, regularizer and supported optimizer config deserializes in TF.js', async () => {
    const I = sn.initializers;
    const inits = [
      I.zeros(),
      I.ones(),
      I.constant({ value: 0.2 }),
      I.randomUniform({ seed: 1 }),
      I.randomNormal(),
      I.truncatedNormal({ stddev: 0.1 }),
      new I.VarianceScaling(2, 'fan_out', 'truncated_normal'),
      new I.VarianceScaling(1, 'fan_avg', 'uniform', 3),
      I.glorotUniform(),
      I.glorotNormal(),
      I.heNormal(),
      I.heUniform(),
      I.lecunNormal(),
      I.lecunUniform(),
      I.orthogonal({ gain: 2 }),
    ];
    const regs = [sn.regularizers.l1(0.1), sn.regularizers.l2(0.2), sn.regularizers.l1l2({ l1: 0.1, l2: 0.3 })];
    const O = sn.optimizers;
    const opts: [sn.optimizers.Optimizer, string, Record<string, unknown>][] = [
      [O.sgd({ learningRate: 0.2 }), 'SGDOptimizer', { learningRate: 0.2 }],
      [
        O.sgd({ learningRate: 0.2, momentum: 0.7, nesterov: true }),
        'MomentumOptimizer',
        { learningRate: 0.2, momentum: 0.7, useNesterov: true },
      ],
      [
        O.adam({ learningRate: 0.02, beta1: 0.8, beta2: 0.9, epsilon: 1e-6 }),
        'AdamOptimizer',
        { learningRate: 0.02, beta1: 0.8, beta2: 0.9, epsilon: 1e-6 },
      ],
      [
        O.rmsprop({ learningRate: 0.03, rho: 0.8, momentum: 0.1, centered: true }),
        'RMSPropOptimizer',
        { learningRate: 0.03, decay: 0.8, momentum: 0.1, centered: true },
      ],
      [
        O.adagrad({ learningRate: 0.04, initialAccumulatorValue: 0.3 }),
        'AdagradOptimizer',
        { learningRate: 0.04, initialAccumulatorValue: 0.3 },
      ],
      [O.adadelta({ learningRate: 0.5, rho: 0.9 }), 'AdadeltaOptimizer', { learningRate: 0.5, rho: 0.9 }],
      // Not here: Adamax (TF.js has no Adamax.setWeights), Nadam and AdamW (TF.js has neither).
    ];
    for (const [i, init] of inits.entries()) {
      const [opt, cls, cfg] = opts[i % opts.length]!;
      const m = sn.sequential([
        sn.layers.dense({
          units: 3,
          inputDim: 4,
          kernelInitializer: init,
          biasInitializer: init,
          kernelRegularizer: regs[i % 3],
          biasRegularizer: regs[(i + 1) % 3],
        }),
        sn.layers.batchNormalization({ gammaInitializer: init, betaInitializer: init }),
      ]);
      m.compile({
        optimizer: opt,
        loss: ['mse', 'mae', 'binary_crossentropy', 'categorical_crossentropy', 'hinge', 'log_cosh'][i % 6]!,
        metrics: ['accuracy', 'mse'],
      });
      const t = await tfl.loadLayersModel(tf.io.fromMemory(await saveToMemory(m, { includeOptimizer: true })));
      expect(t.optimizer.constructor.name, init.className).toBe(cls);
      expect(t.optimizer.getConfig()).toMatchObject(cfg);
      const x = inputs(3, 4, i);
      expectClose(tfPredict(t, x), Array.from(m.predict(x).values), init.className);
    }
  });
});

/** float32 → IEEE 754 half bits, rounding to nearest even (as numpy's astype(float16), which the converter uses). */
function toHalf(f: number): number {
  const b = new Uint32Array(new Float32Array([f]).buffer)[0]!;
  const sign = (b >>> 16) & 0x8000,
    e = (b >>> 23) & 0xff,
    m = b & 0x7fffff;
  if (e === 0xff) return sign | 0x7c00 | (m ? 0x200 : 0);
  const he = e - 127 + 15;
  if (he >= 0x1f) return sign | 0x7c00;
  if (he <= 0) {
    if (he < -10) return sign;
    const mm = m | 0x800000,
      shift = 14 - he;
    const half = 1 << (shift - 1),
      rest = mm & ((1 << shift) - 1);
    let r = mm >>> shift;
    if (rest > half || (rest === half && r & 1)) r++;
    return sign | r;
  }
  let r = (he << 10) | (m >>> 13);
  const rest = m & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && r & 1)) r++;
  return sign | r;
}

describe('TensorFlow.js → simdnet', () => {
  async function trainedTfModel(): Promise<{ model: tfl.Sequential; x: number[][] }> {
    const m = tfl.sequential();
    m.add(
      tfl.layers.dense({
        units: 8,
        inputShape: [5],
        activation: 'relu',
        kernelRegularizer: tfl.regularizers.l1l2({ l1: 0.001, l2: 0.001 }),
      }),
    );
    m.add(tfl.layers.batchNormalization());
    m.add(tfl.layers.dropout({ rate: 0.2 }));
    for (const activation of [
      'elu',
      'selu',
      'tanh',
      'softplus',
      'softsign',
      'hardSigmoid',
      'swish',
      'gelu',
      'sigmoid',
      'linear',
    ] as const) {
      m.add(
        tfl.layers.dense({
          units: 6,
          activation,
          kernelInitializer:
            activation === 'tanh' ? 'leCunNormal' : activation === 'elu' ? 'heUniform' : 'glorotUniform',
        }),
      );
    }
    m.add(tfl.layers.leakyReLU({ alpha: 0.15 }));
    m.add(tfl.layers.elu()); // TF.js's ELU layer supports only alpha = 1
    m.add(tfl.layers.activation({ activation: 'relu' }));
    // (TF.js 4.22 cannot train with center or scale false)
    m.add(tfl.layers.batchNormalization({ momentum: 0.9, epsilon: 0.01 }));
    m.add(tfl.layers.dense({ units: 3, activation: 'softmax' }));
    m.compile({ optimizer: tf.train.adam(0.02), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const x = inputs(64, 5, 13);
    const y = x.map((r) => {
      const c = r[0]! + r[1]! > 0.4 ? 0 : r[2]! > 0 ? 1 : 2;
      return [0, 1, 2].map((k) => (k === c ? 1 : 0));
    });
    await m.fit(tf.tensor(x), tf.tensor(y), { epochs: 4, batchSize: 16, verbose: 0 });
    return { model: m, x };
  }

  it('loads a trained TF.js model with its default names, in memory and from the files TF.js writes, and predicts the same', async () => {
    const { model: tm, x } = await trainedTfModel();
    const expected = tfPredict(tm, x);
    const a = await tfArtifacts(tm);
    expect(a.weightSpecs![0]!.name).toMatch(/^dense_Dense\d+\/kernel$/);
    const fromMem = await sn.loadModel(io.fromMemory(a));
    expectClose(Array.from(fromMem.predict(x).values), expected, 'fromMemory');
    expect(fromMem.layers.map((l) => l.name)).toEqual(tm.layers.map((l) => l.name));
    expect(fromMem.layers[0]!.name).toMatch(/^dense_Dense\d+$/);
    expect((fromMem.layers[3] as sn.layers.Dense).kernelInitializer.className).toBe('HeUniform');
    expect((fromMem.layers[5] as sn.layers.Dense).kernelInitializer.className).toBe('LecunNormal');

    // TF.js's own http handler posts model.json + model.weights.bin; load those files from disk and over http.
    await tm.save(tf.io.http(`${base}/tfjs-model`));
    const json = JSON.parse(readFileSync(join(serveDir, 'tfjs-model', 'model.json'), 'utf8'));
    expect(json.weightsManifest[0].paths).toEqual(['./model.weights.bin']);
    const fromDisk = await sn.loadModel(join(serveDir, 'tfjs-model', 'model.json'));
    expectClose(Array.from(fromDisk.predict(x).values), expected, 'files');
    const fromHttp = await sn.loadModel(`${base}/tfjs-model/model.json`);
    expectClose(Array.from(fromHttp.predict(x).values), expected, 'http');
    // TF.js saving through simdnet's atomic directory handler.
    const dir = tempDir('tf-save');
    await tm.save(io.fileSystem(dir));
    expectClose(Array.from((await sn.loadModel(dir)).predict(x).values), expected, 'TF.js → io.fileSystem');
  });

  it('reads a multi-shard, multi-group weights manifest (as tensorflowjs_converter writes), which TF.js reads too', async () => {
    const { model: tm, x } = await trainedTfModel();
    const a = await tfArtifacts(tm);
    const bytes = new Uint8Array(a.weightData as ArrayBuffer);
    // Two groups, split at a weight boundary; each split into shards of 100 bytes (cutting through weights).
    const specs = a.weightSpecs!;
    const cut = specs.slice(0, 5).reduce((s, w) => s + 4 * w.shape.reduce((p, d) => p * d, 1), 0);
    const dir = join(serveDir, 'shards');
    mkdirSync(dir);
    const groups = [
      [specs.slice(0, 5), bytes.subarray(0, cut)],
      [specs.slice(5), bytes.subarray(cut)],
    ] as const;
    const manifest = groups.map(([weights, data], g) => {
      const n = Math.ceil(data.byteLength / 100);
      const paths = Array.from({ length: n }, (_, i) => `group${g + 1}-shard${i + 1}of${n}.bin`);
      paths.forEach((p, i) => writeFileSync(join(dir, p), data.subarray(i * 100, (i + 1) * 100)));
      return { paths, weights };
    });
    expect(manifest[1]!.paths.length).toBeGreaterThan(3);
    writeFileSync(
      join(dir, 'model.json'),
      JSON.stringify({
        modelTopology: a.modelTopology,
        format: a.format,
        generatedBy: a.generatedBy,
        convertedBy: 'test shards',
        weightsManifest: manifest,
      }),
    );
    const expected = tfPredict(tm, x);
    expectClose(Array.from((await sn.loadModel(dir)).predict(x).values), expected, 'simdnet');
    expectClose(tfPredict(await tfl.loadLayersModel(tfFileHandler(dir)), x), expected, 'TF.js');
    expectClose(
      Array.from((await sn.loadModel(`${base}/shards/model.json`)).predict(x).values),
      expected,
      'simdnet over http',
    );
  });

  it('reads quantized weights (uint8, uint16, float16, as tensorflowjs_converter --quantize_* writes them) exactly as TF.js decodes them, and predicts as TF.js does', async () => {
    const { model: tm, x } = await trainedTfModel();
    const a = await tfArtifacts(tm);
    const original = tf.io.decodeWeights(a.weightData as ArrayBuffer, a.weightSpecs!);
    // Quantize each weight the converter's way (affine min/scale for the integer types, IEEE half
    // for float16), cycling through the three kinds so each layer kind meets each of them.
    const kinds = ['uint8', 'uint16', 'float16'] as const;
    const parts: Uint8Array[] = [];
    const specs: tf.io.WeightsManifestEntry[] = a.weightSpecs!.map((spec, i) => {
      const v = original[spec.name]!.dataSync() as Float32Array;
      const dtype = kinds[i % kinds.length]!;
      if (dtype === 'float16') {
        const out = new Uint16Array(v.length);
        for (let k = 0; k < v.length; k++) out[k] = toHalf(v[k]!);
        parts.push(new Uint8Array(out.buffer));
        return { ...spec, quantization: { dtype } };
      }
      let lo = Infinity,
        hi = -Infinity;
      for (const e of v) {
        lo = Math.min(lo, e);
        hi = Math.max(hi, e);
      }
      const levels = dtype === 'uint8' ? 255 : 65535;
      const scale = hi > lo ? (hi - lo) / levels : 1;
      const q = dtype === 'uint8' ? new Uint8Array(v.length) : new Uint16Array(v.length);
      for (let k = 0; k < v.length; k++) q[k] = Math.round((v[k]! - lo) / scale);
      parts.push(new Uint8Array(q.buffer));
      return { ...spec, quantization: { dtype, min: lo, scale } };
    });
    const data = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
    let off = 0;
    for (const p of parts) {
      data.set(p, off);
      off += p.byteLength;
    }
    const quantized: tf.io.ModelArtifacts = { ...a, weightSpecs: specs, weightData: data.buffer };

    // The oracle: TF.js's own decoding of the same bytes.
    const decoded = tf.io.decodeWeights(data.buffer, specs);
    const m = await sn.loadModel(io.fromMemory(quantized));
    const mine = m.namedWeights();
    // (TF.js lists non-trainable weights last)
    expect(mine.map((w) => w.name).sort()).toEqual(specs.map((s) => s.name).sort());
    let changed = 0;
    for (const w of mine) {
      const want = decoded[w.name]!.dataSync();
      expect(Array.from(w.tensor.values), w.name).toEqual(Array.from(want));
      const before = original[w.name]!.dataSync();
      for (let k = 0; k < want.length; k++) if (want[k] !== before[k]) changed++;
    }
    expect(changed, 'quantization changed some values').toBeGreaterThan(100);
    const tfq = await tfl.loadLayersModel(tf.io.fromMemory(quantized));
    expectClose(Array.from(m.predict(x).values), tfPredict(tfq, x), 'quantized model, simdnet vs TF.js');
  });

  it('Dense and BatchNormalization on the last axis of a rank-3 input (Keras semantics): a trained TF.js model loads and predicts the same, and the reverse', async () => {
    const x3 = Array.from({ length: 16 }, (_, i) =>
      Array.from({ length: 3 }, (_, t) => Array.from({ length: 4 }, (_, j) => Math.sin(i * 12 + t * 4 + j))),
    );
    const y3 = x3.map((r) => r.map((v) => [v[0]! > 0 ? 1 : 0, v[1]! + v[2]! > 0 ? 1 : 0]));
    const m = tfl.sequential();
    m.add(tfl.layers.dense({ units: 5, inputShape: [3, 4], activation: 'relu' }));
    m.add(tfl.layers.batchNormalization());
    m.add(tfl.layers.dense({ units: 2, activation: 'sigmoid' }));
    m.compile({ optimizer: tf.train.adam(0.05), loss: 'binaryCrossentropy' });
    await m.fit(tf.tensor(x3), tf.tensor(y3), { epochs: 3, batchSize: 8, verbose: 0 });
    const expected = Array.from((m.predict(tf.tensor(x3)) as tf.Tensor).dataSync());
    const mine = await sn.loadModel(io.fromMemory(await tfArtifacts(m)));
    expect(mine.outputShape).toEqual([3, 2]);
    const p = mine.predict(x3 as unknown as number[][]);
    expect(p.shape).toEqual([16, 3, 2]);
    expectClose(Array.from(p.values), expected, 'rank-3 TF.js model in simdnet');
    // Trained here (binary accuracy over every position), saved, loaded by TF.js.
    mine.compile({ optimizer: 'adam', loss: 'binary_crossentropy', metrics: ['accuracy'] });
    const h = await mine.fit(x3 as unknown as number[][], y3 as unknown as number[][], {
      epochs: 2,
      batchSize: 8,
      verbose: 0,
    });
    expect(h.history.accuracy!.length).toBe(2);
    const back = await tfl.loadLayersModel(tf.io.fromMemory((await saveToMemory(mine)) as tf.io.ModelArtifacts));
    expectClose(
      tfPredict(back, x3),
      Array.from(mine.predict(x3 as unknown as number[][]).values),
      'rank-3 simdnet model in TF.js',
    );
    // A categorical loss on a rank-2 output is refused with the way out.
    mine.compile({ optimizer: 'adam', loss: 'categorical_crossentropy' });
    await expect(
      mine.fit(x3 as unknown as number[][], y3 as unknown as number[][], { epochs: 1, verbose: 0 }),
    ).rejects.toThrow(/output has shape \[3, 2\] per sample.*Add a flatten\(\) layer/);
  });

  it('Reshape, Permute and RepeatVector load from TF.js and predict the same, and the reverse', async () => {
    const x = Array.from({ length: 6 }, (_, i) => Array.from({ length: 12 }, (_, j) => Math.cos(i * 12 + j)));
    const m = tfl.sequential();
    m.add(tfl.layers.reshape({ targetShape: [3, 4], inputShape: [12] }));
    m.add(tfl.layers.permute({ dims: [2, 1] }));
    m.add(tfl.layers.dense({ units: 2, activation: 'tanh' }));
    m.add(tfl.layers.reshape({ targetShape: [8] })); // (TF.js cannot infer a -1 here for the Dense after it)
    m.add(tfl.layers.dense({ units: 5, activation: 'relu' }));
    m.add(tfl.layers.repeatVector({ n: 3 }));
    m.add(tfl.layers.dense({ units: 2, activation: 'sigmoid' }));
    const expected = tfPredict(m, x);
    const mine = await sn.loadModel(io.fromMemory(await tfArtifacts(m)));
    expect(mine.layers.map((l) => l.className)).toEqual([
      'Reshape',
      'Permute',
      'Dense',
      'Reshape',
      'Dense',
      'RepeatVector',
      'Dense',
    ]);
    expect(mine.outputShape).toEqual([3, 2]);
    expectClose(Array.from(mine.predict(x).values), expected, 'shape layers, TF.js → simdnet');
    const back = await tfl.loadLayersModel(tf.io.fromMemory((await saveToMemory(mine)) as tf.io.ModelArtifacts));
    expectClose(tfPredict(back, x), expected, 'shape layers, simdnet → TF.js');
  });

  it("restores TF.js's compile config and Adam state (m, v, iterations) with includeOptimizer", async () => {
    const { model: tm } = await trainedTfModel();
    const a = await tfArtifacts(tm, true);
    const m = await sn.loadModel(io.fromMemory(a));
    expect(m.optimizer!.className).toBe('Adam');
    expect(m.optimizer!.currentLearningRate).toBeCloseTo(0.02, 10);
    expect((m.loss as sn.losses.Loss).name).toBe('categorical_crossentropy');
    expect(m.metricNames).toEqual(['accuracy']);
    const tfOpt = await tm.optimizer.getWeights();
    expect(m.optimizer!.iterations).toBe(tfOpt[0]!.tensor.dataSync()[0]);
    const mine = new Map(m.getOptimizerWeights().map((w) => [w.name, w.tensor.values]));
    for (const { name, tensor } of tfOpt.slice(1)) {
      const ours = name.replace(/\/m$/, '/momentum').replace(/\/v$/, '/velocity');
      expect(Array.from(mine.get(ours)!), name).toEqual(Array.from(tensor.dataSync()));
    }
  });

  it('loads a single-chain functional TF.js model, and refuses unsupported layers or activations with the supported list (branched models: test/io/functional.test.ts)', async () => {
    const inp = tfl.input({ shape: [4] });
    const h = tfl.layers.dense({ units: 5, activation: 'relu' }).apply(inp) as tfl.SymbolicTensor;
    const out = tfl.layers
      .dense({ units: 2, activation: 'softmax' })
      .apply(tfl.layers.dropout({ rate: 0.1 }).apply(h) as tfl.SymbolicTensor) as tfl.SymbolicTensor;
    const fm = tfl.model({ inputs: inp, outputs: out });
    const x = inputs(7, 4, 3);
    const loaded = await sn.loadModel(io.fromMemory(await tfArtifacts(fm)));
    expectClose(Array.from(loaded.predict(x).values), tfPredict(fm, x), 'functional');

    const conv = tfl.sequential({
      layers: [
        tfl.layers.conv3d({ filters: 1, kernelSize: 2, inputShape: [3, 3, 3, 1] }),
        tfl.layers.flatten(),
        tfl.layers.dense({ units: 1 }),
      ],
    });
    const err = await sn.loadModel(io.fromMemory(await tfArtifacts(conv))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(sn.NotSupportedError);
    expect(String(err)).toMatch(
      /layer class 'Conv3D' is not supported.*Supported: InputLayer, Dense, Dropout, BatchNormalization/,
    );

    for (const activation of ['mish'] as const) {
      const m = tfl.sequential({ layers: [tfl.layers.dense({ units: 2, inputShape: [3], activation })] });
      const e = await sn.loadModel(io.fromMemory(await tfArtifacts(m))).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(sn.NotSupportedError);
      expect(String(e)).toMatch(
        new RegExp(`activation '${activation}' is not supported by simdnet. Supported: linear, relu, leaky_relu`),
      );
    }
  });
});
