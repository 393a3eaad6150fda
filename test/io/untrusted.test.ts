/**
 * Untrusted files: every corruption gives a clear simdnet error naming the
 * weight or field — never a crash, a hang, a huge allocation or garbage weights.
 */
import { closeSync, openSync, readFileSync, truncateSync, writeFileSync, ftruncateSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import * as sn from '../../src/index.js';
import { inputs, io, tempDir } from './helpers.js';

async function savedModel(opts: { includeOptimizer?: boolean } = {}) {
  sn.setSeed(31);
  const m = sn.sequential({
    name: 'victim',
    layers: [
      sn.layers.dense({ units: 4, inputDim: 3, activation: 'relu', name: 'dense' }),
      sn.layers.batchNormalization({ name: 'bn' }),
      sn.layers.dense({ units: 2, activation: 'softmax', name: 'out' }),
    ],
  });
  m.compile({ optimizer: 'adam', loss: 'categorical_crossentropy', metrics: ['accuracy'] });
  await m.fit(
    inputs(8, 3),
    inputs(8, 2).map((r) => [r[0]! > 0 ? 1 : 0, r[0]! > 0 ? 0 : 1]),
    { epochs: 1, batchSize: 4, verbose: 0, seed: 1 },
  );
  const dir = tempDir('bad');
  await m.save(dir, opts);
  const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
  const weights = readFileSync(join(dir, 'weights.bin'));
  return { m, dir, json, weights };
}

/** Write model.json (object or raw text) and weight files into a fresh directory. */
function writeModel(json: unknown, files: Record<string, Uint8Array> = {}): string {
  const dir = tempDir('bad');
  writeFileSync(
    join(dir, 'model.json'),
    typeof json === 'string' || json instanceof Uint8Array ? json : JSON.stringify(json),
  );
  for (const [name, bytes] of Object.entries(files)) writeFileSync(join(dir, name), bytes);
  return dir;
}

async function loadError(
  source: Parameters<typeof sn.loadModel>[0],
  options?: Parameters<typeof sn.loadModel>[1],
): Promise<Error> {
  const r = await sn.loadModel(source, options).then(
    () => null,
    (e: unknown) => e as Error,
  );
  if (r === null) throw new Error('expected the load to fail');
  return r;
}

describe('untrusted model files', () => {
  it('a truncated or over-long weights file names the weight it stops in', async () => {
    const { dir, json, weights } = await savedModel();
    truncateSync(join(dir, 'weights.bin'), weights.byteLength - 6);
    const e = await loadError(dir);
    expect(e).toBeInstanceOf(sn.DataError);
    expect(e.message).toMatch(
      /'weights.bin' is truncated: weight 'out\/bias' \(shape \[2\], float32\) needs bytes \d+–\d+, but the data ends at byte \d+/,
    );
    const longer = writeModel(json, { 'weights.bin': new Uint8Array([...weights, 1, 2, 3, 4]) });
    expect((await loadError(longer)).message).toMatch(
      /holds \d+ bytes but its manifest describes \d+ \(4 bytes too many\)/,
    );
    // In memory too.
    const e2 = await loadError(
      io.fromMemory({
        modelTopology: json.modelTopology,
        weightSpecs: json.weightsManifest[0].weights,
        weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + 20),
      }),
    );
    expect(e2).toBeInstanceOf(sn.DataError);
    expect(e2.message).toMatch(
      /truncated: weight 'dense\/kernel' \(shape \[3, 4\], float32\) needs bytes 0–48, but the data ends at byte 20/,
    );
  });

  it('a shape that does not match the topology, or the bytes, is named', async () => {
    const { json, weights } = await savedModel();
    const j1 = structuredClone(json);
    j1.weightsManifest[0].weights[0].shape = [3, 5];
    const e = await loadError(writeModel(j1, { 'weights.bin': weights }));
    expect(e).toBeInstanceOf(sn.DataError);
    expect(e.message).toMatch(
      /weight 'dense\/kernel' must have shape \[3, 4\] for this topology, but the manifest gives \[3, 5\]/,
    );
    // Topology and manifest agree with each other but not with the bytes.
    const j2 = structuredClone(json);
    j2.modelTopology.config.layers[2].config.units = 3;
    j2.weightsManifest[0].weights.find((w: { name: string }) => w.name === 'out/kernel').shape = [4, 3];
    j2.weightsManifest[0].weights.find((w: { name: string }) => w.name === 'out/bias').shape = [3];
    expect((await loadError(writeModel(j2, { 'weights.bin': weights }))).message).toMatch(
      /truncated: weight 'out\/(kernel|bias)'/,
    );
    // A weight the topology does not have, a duplicate, a missing one.
    const j3 = structuredClone(json);
    j3.weightsManifest[0].weights.push({ name: 'extra/kernel', shape: [0], dtype: 'float32' });
    expect((await loadError(writeModel(j3, { 'weights.bin': weights }))).message).toMatch(
      /holds weights no layer of the model uses: 'extra\/kernel'/,
    );
    const j4 = structuredClone(json);
    j4.weightsManifest[0].weights[1].name = 'dense/kernel';
    expect((await loadError(writeModel(j4, { 'weights.bin': weights }))).message).toMatch(
      /'dense\/kernel'.*the name appears twice/,
    );
    const j5 = structuredClone(json);
    j5.weightsManifest[0].weights[1].name = 'dense/bias_renamed';
    expect((await loadError(writeModel(j5, { 'weights.bin': weights }))).message).toMatch(
      /weight 'dense\/bias' \(shape \[4\]\) is missing from the weights manifest/,
    );
  });

  it('a manifest naming a missing shard, or a path outside the directory, is refused', async () => {
    const { json, weights } = await savedModel();
    const j = structuredClone(json);
    j.weightsManifest[0].paths = ['weights.bin', 'group1-shard2of2.bin'];
    const e = await loadError(writeModel(j, { 'weights.bin': weights }));
    expect(e).toBeInstanceOf(sn.DataError);
    expect(e.message).toMatch(
      /Weight file 'group1-shard2of2.bin' listed in model.json \(weightsManifest\[0\].paths\[1\]\) cannot be read: it is missing/,
    );
    for (const p of [
      '../weights.bin',
      '/etc/passwd',
      'sub/../../x.bin',
      'file:///etc/passwd',
      'https://example.com/w.bin',
      'C:\\w.bin',
      '',
    ]) {
      const jj = structuredClone(json);
      jj.weightsManifest[0].paths = [p];
      const err = await loadError(writeModel(jj, { 'weights.bin': weights }));
      expect(err, p).toBeInstanceOf(sn.DataError);
      expect(err.message, p).toMatch(/weightsManifest\[0\]\.paths\[0\]/);
    }
  });

  it('__proto__, constructor and prototype keys never take effect', async () => {
    const { json, weights } = await savedModel();
    const text = JSON.stringify(json);
    const cases = [
      text.replace('"units":4', '"units":4,"__proto__":{"polluted":1}'),
      text.replace('"class_name":"Sequential"', '"class_name":"Sequential","constructor":{"prototype":{"polluted":1}}'),
      text.replace('"dtype":"float32"}', '"dtype":"float32","__proto__":{"dtype":"int32"}}'),
      text.replace(
        '"format":"layers-model"',
        '"format":"layers-model","trainingConfig":{"__proto__":{"loss":"mse"},"loss":"mse","optimizer_config":{"class_name":"SGD","config":{}}}',
      ),
    ];
    for (const c of cases) {
      expect(c).not.toBe(text);
      const e = await loadError(writeModel(c, { 'weights.bin': weights }));
      expect(e).toBeInstanceOf(sn.DataError);
      expect(e.message).toMatch(/the key '(__proto__|constructor)' is not allowed/);
    }
    // Artifacts built in memory (a custom transport) are checked the same way.
    const topo = JSON.parse(
      JSON.stringify(json.modelTopology).replace('"units":4', '"units":4,"__proto__":{"polluted":1}'),
    );
    expect((await loadError(io.fromMemory({ modelTopology: topo }))).message).toMatch(
      /modelTopology\.config\.layers\[0\]\.config\.__proto__/,
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('absurd shapes and sizes are refused before anything is allocated', async () => {
    const { json, weights } = await savedModel();
    const big = structuredClone(json);
    big.weightsManifest[0].weights[0].shape = [2 ** 20, 2 ** 20];
    expect((await loadError(writeModel(big, { 'weights.bin': weights }))).message).toMatch(
      /weight 'dense\/kernel'.*shape \[1048576, 1048576\] has more than 268435456 elements/,
    );
    for (const shape of [[-1, 4], [3.5, 4], [1e999, 4], 'x', [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]]) {
      const t = JSON.stringify(json).replace(
        '"shape":[3,4]',
        `"shape":${shape === 'x' ? '"x"' : JSON.stringify(shape).replace('null', '1e999')}`,
      );
      const e = await loadError(writeModel(t, { 'weights.bin': weights }));
      expect(e, JSON.stringify(shape)).toBeInstanceOf(sn.DataError);
      expect(e.message).toMatch(/weight 'dense\/kernel'|expected a finite number/);
    }
    // A topology of 2^26 parameters whose weights file holds a few bytes: refused on the byte count, nothing large
    // allocated.
    const huge = structuredClone(json);
    huge.modelTopology.config.layers = [
      { class_name: 'Dense', config: { name: 'd', units: 8192, batch_input_shape: [null, 8192] } },
    ];
    huge.weightsManifest[0].weights = [
      { name: 'd/kernel', shape: [8192, 8192], dtype: 'float32' },
      { name: 'd/bias', shape: [8192], dtype: 'float32' },
    ];
    const before = process.memoryUsage().arrayBuffers;
    const e = await loadError(writeModel(huge, { 'weights.bin': weights }));
    expect(e.message).toMatch(/truncated: weight 'd\/kernel'/);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 2 ** 20);
    // A topology over the parameter budget, even without weights.
    const over = {
      class_name: 'Sequential',
      config: { layers: [{ class_name: 'Dense', config: { units: 2 ** 15, batch_input_shape: [null, 2 ** 14] } }] },
    };
    expect((await loadError(io.fromMemory({ modelTopology: over }))).message).toMatch(/more than 268435456 parameters/);
    expect((await loadError(io.fromMemory({ modelTopology: over }), { maxParams: 1000 })).message).toMatch(
      /≤ 1000|more than 1000/,
    );
    // A model.json over 64 MiB is not read at all.
    const dir = writeModel('{}');
    const fd = openSync(join(dir, 'model.json'), 'r+');
    ftruncateSync(fd, 65 * 2 ** 20);
    closeSync(fd);
    expect((await loadError(dir)).message).toMatch(/model files over 67108864 bytes are refused/);
  });

  it('flipping any byte of model.json gives a model or a simdnet error, never a crash or a hang', async () => {
    const { json, weights } = await savedModel({ includeOptimizer: true });
    const text = new TextEncoder().encode(JSON.stringify(json));
    const w = new File([weights], 'weights.bin');
    // A flipped optimizer-slot name restores fresh optimizer state, with a warning.
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const outcomes = { loaded: 0, DataError: 0, ValueError: 0, NotSupportedError: 0 } as Record<string, number>;
    for (let i = 0; i < text.length; i++) {
      for (const flip of [0x01, 0x20]) {
        const bad = text.slice();
        bad[i] = bad[i]! ^ flip;
        const r = await sn.loadModel(io.browserFiles([new File([bad], 'model.json'), w])).then(
          () => 'loaded',
          (e: unknown) => e,
        );
        if (r === 'loaded') {
          outcomes.loaded!++;
          continue;
        }
        if (!(r instanceof sn.SimdnetError))
          throw new Error(`byte ${i} ^ ${flip}: ${String((r as Error)?.stack ?? r)}`);
        outcomes[(r as Error).name] = (outcomes[(r as Error).name] ?? 0) + 1;
      }
    }
    warn.mockRestore();
    expect(outcomes.DataError).toBeGreaterThan(text.length / 2);
    // e.g. a digit of a float hyperparameter: valid, and undetectable without a checksum
    expect(outcomes.loaded).toBeGreaterThan(0);
    const broken = text.slice();
    broken[0] = 0x5b; // '['
    expect((await loadError(io.browserFiles([new File([broken], 'model.json'), w]))).message).toMatch(
      /model.json is not valid JSON/,
    );
  });

  it('deeply nested, non-UTF-8, or wrongly typed model.json is refused clearly', async () => {
    const deep = `{"modelTopology":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    expect(await loadError(writeModel(deep))).toBeInstanceOf(sn.DataError);
    expect((await loadError(writeModel(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])))).message).toMatch(
      /not valid UTF-8|not valid JSON/,
    );
    const { json } = await savedModel();
    const typed: [string, (j: typeof json) => void, RegExp][] = [
      [
        'units as a string',
        (j) => {
          j.modelTopology.config.layers[0].config.units = '4';
        },
        /layers\[0\]\.config\.units: expected an integer/,
      ],
      [
        'layers not an array',
        (j) => {
          j.modelTopology.config.layers = {};
        },
        /config\.layers: expected an array of layers/,
      ],
      [
        'a dropout rate of 1',
        (j) => {
          j.modelTopology.config.layers.splice(1, 0, { class_name: 'Dropout', config: { rate: 1 } });
        },
        /config\.rate: expected a number in \[0, 1\)/,
      ],
      [
        'no input shape',
        (j) => {
          delete j.modelTopology.config.layers[0].config.batch_input_shape;
        },
        /declares no input shape/,
      ],
      [
        'graph model',
        (j) => {
          j.format = 'graph-model';
        },
        /graph model/,
      ],
      [
        'dtype',
        (j) => {
          j.weightsManifest[0].weights[0].dtype = 'float64';
        },
        /weight 'dense\/kernel'.*expected dtype 'float32', 'int32' or 'bool'/,
      ],
      [
        'two layers named alike',
        (j) => {
          j.modelTopology.config.layers[2].config.name = 'dense';
        },
        /two layers are named 'dense'/,
      ],
    ];
    for (const [what, edit, re] of typed) {
      const j = structuredClone(json);
      edit(j);
      const e = await loadError(
        io.fromMemory({
          modelTopology: j.modelTopology,
          weightSpecs: j.weightsManifest[0].weights,
          weightData: new ArrayBuffer(0),
          format: j.format,
        }),
      );
      expect(e, what).toBeInstanceOf(sn.SimdnetError);
      expect(e.message, what).toMatch(re);
    }
  });

  it('non-finite or impossible weight values are refused unless allowed', async () => {
    const { json, weights } = await savedModel();
    const nan = new Uint8Array(weights);
    new DataView(nan.buffer).setFloat32(4 * 5, NaN, true);
    const e = await loadError(writeModel(json, { 'weights.bin': nan }));
    expect(e.message).toMatch(/Weight 'dense\/kernel' holds a non-finite value \(NaN\) at flat index 5/);
    const m = await sn.loadModel(writeModel(json, { 'weights.bin': nan }), { allowNonFinite: true });
    expect(Number.isNaN(m.getWeights()[0]!.values[5])).toBe(true);
    // A negative moving variance.
    const specs = json.weightsManifest[0].weights as { name: string; shape: number[] }[];
    let off = 0;
    for (const s of specs) {
      if (s.name === 'bn/moving_variance') break;
      off += 4 * s.shape.reduce((a, b) => a * b, 1);
    }
    const neg = new Uint8Array(weights);
    new DataView(neg.buffer).setFloat32(off, -1, true);
    expect((await loadError(writeModel(json, { 'weights.bin': neg }))).message).toMatch(
      /'bn\/moving_variance' holds a negative variance/,
    );
  });

  it('unknown layer classes, activations, initializers, regularizers, optimizers and losses are refused with the supported names', async () => {
    const { json, weights } = await savedModel({ includeOptimizer: true });
    const cases: [(j: typeof json) => void, RegExp][] = [
      [
        (j) => {
          j.modelTopology.config.layers[1].class_name = 'LayerNormalization';
        },
        /layer class 'LayerNormalization' is not supported by simdnet\. Supported: InputLayer, Dense, Dropout, BatchNormalization, Flatten, Activation, LeakyReLU, ELU/,
      ],
      [
        (j) => {
          j.modelTopology.config.layers[0].config.activation = 'mish';
        },
        /layers\[0\]\.config\.activation: activation 'mish' is not supported by simdnet\. Supported: linear, relu, leaky_relu, elu, selu, sigmoid, tanh, exponential, softplus, softsign, gelu, swish, silu, hard_sigmoid, relu6, softmax/,
      ],
      [
        (j) => {
          j.modelTopology.config.layers[0].config.kernel_initializer = { class_name: 'Identity', config: {} };
        },
        /initializer 'Identity' is not supported by simdnet\. Supported: Zeros, Ones, Constant/,
      ],
      [
        (j) => {
          j.modelTopology.config.layers[0].config.kernel_regularizer = {
            class_name: 'OrthogonalRegularizer',
            config: {},
          };
        },
        /regularizer 'OrthogonalRegularizer' is not supported by simdnet\. Supported: L1, L2, L1L2/,
      ],
      [
        (j) => {
          j.modelTopology.config.layers[0].config.kernel_constraint = { class_name: 'MaxNorm', config: {} };
        },
        /kernel_constraint: a weight constraint is not supported/,
      ],
      [
        (j) => {
          j.trainingConfig.optimizer_config.class_name = 'Adafactor';
        },
        /optimizer 'Adafactor' is not supported by simdnet\. Supported: SGD, Momentum.*Lion, Ftrl/,
      ],
      [
        (j) => {
          j.trainingConfig.loss = 'kullback_leibler_divergence';
        },
        /loss 'kullback_leibler_divergence' is not supported by simdnet.*Load with \{ compile: false \}/,
      ],
      [
        (j) => {
          j.trainingConfig.metrics = ['auc'];
        },
        /metric 'auc' is not supported by simdnet/,
      ],
    ];
    for (const [edit, re] of cases) {
      const j = structuredClone(json);
      edit(j);
      const e = await loadError(writeModel(j, { 'weights.bin': weights }));
      expect(e, String(re)).toBeInstanceOf(sn.NotSupportedError);
      expect(e.message).toMatch(re);
    }
    // With compile: false, a model whose compile config is unknown still loads.
    const j = structuredClone(json);
    j.trainingConfig.loss = 'my_custom_loss';
    const m = await sn.loadModel(writeModel(j, { 'weights.bin': weights }), { compile: false });
    expect(m.optimizer).toBeNull();
  });

  it("reads the converter's quantized weights (uint8, uint16 affine; float16)", async () => {
    const topo = {
      class_name: 'Sequential',
      config: { layers: [{ class_name: 'Dense', config: { name: 'q', units: 2, batch_input_shape: [null, 2] } }] },
    };
    const kernel = new Uint8Array([0, 255, 128, 10]); // uint8, scale 0.01, min -1
    const bias = new Uint16Array([0x3c00, 0xc000]); // float16: 1, -2
    const data = new Uint8Array(8);
    data.set(kernel, 0);
    data.set(new Uint8Array(bias.buffer), 4);
    const m = await sn.loadModel(
      io.fromMemory({
        modelTopology: topo,
        weightData: data.buffer,
        weightSpecs: [
          { name: 'q/kernel', shape: [2, 2], dtype: 'float32', quantization: { dtype: 'uint8', scale: 0.01, min: -1 } },
          { name: 'q/bias', shape: [2], dtype: 'float32', quantization: { dtype: 'float16' } },
        ],
      }),
    );
    const [k, b] = m.getWeights();
    expect(Array.from(k!.values)).toEqual([-1, 1.55, 0.28, -0.9].map(Math.fround));
    expect(Array.from(b!.values)).toEqual([1, -2]);
    const bad = io.fromMemory({
      modelTopology: topo,
      weightData: data.buffer,
      weightSpecs: [
        { name: 'q/kernel', shape: [2, 2], dtype: 'float32', quantization: { dtype: 'uint8' } } as never,
        { name: 'q/bias', shape: [2], dtype: 'float32' },
      ],
    });
    expect((await loadError(bad)).message).toMatch(
      /weight 'q\/kernel'.*uint8 quantization needs numeric scale and min/,
    );
  });
});
