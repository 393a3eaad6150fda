/**
 * Real models (issue 15): MobileNetV2 (α = 1.0, 224×224×3, built in TF.js
 * exactly as keras.applications builds it, seeded random weights) saved
 * through an IOHandler loads here and predicts what TF.js predicts, within
 * 1e-4 of max |y|; ours loads back in tf.loadLayersModel. A MobileNet-v1-style
 * model (ZeroPadding2D, DepthwiseConv2D, ReLU6, BatchNormalization,
 * AveragePooling2D, Dropout, Dense) with weights quantized the way the TF.js
 * converter quantizes them (uint8 with scale and min, float16) predicts what
 * TF.js predicts from the same quantized files.
 */
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import * as sn from '../../src/index.js';
import { io, saveToMemory } from '../io/helpers.js';
import { tfArtifacts } from './helpers.js';
import { mobileNetInput, mobileNetV2 } from '../../bench/mobilenet-v2.mjs';

/** max |a − b| against max |b|. */
function relErr(a: ArrayLike<number>, b: ArrayLike<number>): { err: number; scale: number } {
  let err = 0,
    scale = 0;
  for (let i = 0; i < b.length; i++) {
    err = Math.max(err, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return { err, scale };
}

/** float32 → IEEE half bits, round to nearest even (normal range; the test's weights are small). */
function toHalf(v: number): number {
  const f = new Float32Array([v]),
    u = new Uint32Array(f.buffer)[0]!;
  const sign = (u >>> 16) & 0x8000,
    exp = ((u >>> 23) & 0xff) - 127 + 15,
    mant = u & 0x7fffff;
  if (exp <= 0) return sign; // flushes the tiny ones to zero
  let h = sign | (exp << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && h & 1)) h++;
  return h;
}

/** The converter's quantization: kernels to uint8 (q = round((v − min)/scale)), the rest to float16. */
function quantize(a: tf.io.ModelArtifacts): tf.io.ModelArtifacts {
  const specs = a.weightSpecs!,
    data = new Float32Array(a.weightData as ArrayBuffer);
  const parts: Uint8Array[] = [];
  const outSpecs: tf.io.WeightsManifestEntry[] = [];
  let off = 0;
  for (const s of specs) {
    const n = s.shape.reduce((p, q) => p * q, 1),
      v = data.subarray(off, off + n);
    off += n;
    if (/kernel/.test(s.name)) {
      let lo = Infinity,
        hi = -Infinity;
      for (const x of v) {
        lo = Math.min(lo, x);
        hi = Math.max(hi, x);
      }
      const scale = (hi - lo) / 255 || 1;
      parts.push(Uint8Array.from(v, (x) => Math.round((x - lo) / scale)));
      outSpecs.push({ ...s, quantization: { dtype: 'uint8', scale, min: lo } });
    } else {
      parts.push(new Uint8Array(Uint16Array.from(v, toHalf).buffer));
      outSpecs.push({ ...s, quantization: { dtype: 'float16' } });
    }
  }
  const bytes = new Uint8Array(parts.reduce((t, p) => t + p.length, 0));
  let at = 0;
  for (const p of parts) {
    bytes.set(p, at);
    at += p.length;
  }
  return { ...a, weightSpecs: outSpecs, weightData: bytes.buffer };
}

describe('published model architectures from TensorFlow.js', () => {
  it('MobileNetV2 (α 1.0, 224×224×3) built in TF.js predicts the same here within 1e-4 of max |y|, and ours loads back in TF.js', async () => {
    const tm = mobileNetV2(tfl, tf, { alpha: 1.0, size: 224, seed: 3 });
    const n = 2,
      xs = mobileNetInput(n, 224, 5);
    const want = (tm.predict(tf.tensor(xs, [n, 224, 224, 3])) as tf.Tensor).dataSync();
    const ours = await sn.loadModel(io.fromMemory(await tfArtifacts(tm)));
    expect(ours.countParams()).toBe(tm.countParams());
    const classes = new Set(ours.layers.map((l) => l.className));
    for (const c of ['Conv2D', 'DepthwiseConv2D', 'BatchNormalization', 'ReLU', 'ZeroPadding2D', 'Add'])
      expect(classes.has(c), c).toBe(true);
    const x = new sn.Tensor(xs, [n, 224, 224, 3]);
    const got = (ours.predict(x) as sn.Tensor).values;
    const { err, scale } = relErr(got, want);
    expect(scale).toBeGreaterThan(0);
    expect(err, `max |Δ| ${err} against max |y| ${scale}`).toBeLessThanOrEqual(1e-4 * scale);
    // The predictions are not all alike (the weights make a difference to the classes).
    expect(Math.max(...got) / Math.min(...got)).toBeGreaterThan(2);
    const back = await tfl.loadLayersModel(tf.io.fromMemory(await saveToMemory(ours)));
    const again = (back.predict(tf.tensor(xs, [n, 224, 224, 3])) as tf.Tensor).dataSync();
    const r = relErr(again, got);
    expect(r.err).toBeLessThanOrEqual(1e-4 * r.scale);
  }, 180_000);

  it('a MobileNet-v1-style model with uint8 and float16 quantized weights predicts what TF.js predicts from the same files', async () => {
    const L = tfl.layers;
    const inp = tfl.input({ shape: [33, 33, 3] });
    const bn = () =>
      L.batchNormalization({
        movingMeanInitializer: tfl.initializers.randomUniform({ minval: -0.1, maxval: 0.1, seed: 1 }),
        movingVarianceInitializer: tfl.initializers.randomUniform({ minval: 0.5, maxval: 1.5, seed: 2 }),
        gammaInitializer: tfl.initializers.randomUniform({ minval: 0.5, maxval: 1.5, seed: 3 }),
        betaInitializer: tfl.initializers.randomUniform({ minval: -0.1, maxval: 0.1, seed: 4 }),
      });
    let x = L.zeroPadding2d({
      padding: [
        [0, 1],
        [0, 1],
      ],
    }).apply(inp) as tfl.SymbolicTensor;
    x = L.conv2d({ filters: 8, kernelSize: 3, strides: 2, useBias: false }).apply(x) as tfl.SymbolicTensor;
    x = L.reLU({ maxValue: 6 }).apply(bn().apply(x)) as tfl.SymbolicTensor;
    for (const [f, s] of [
      [16, 1],
      [24, 2],
      [24, 1],
    ] as const) {
      x = L.depthwiseConv2d({ kernelSize: 3, strides: s, padding: 'same', useBias: false }).apply(
        x,
      ) as tfl.SymbolicTensor;
      x = L.reLU({ maxValue: 6 }).apply(bn().apply(x)) as tfl.SymbolicTensor;
      x = L.conv2d({ filters: f, kernelSize: 1, useBias: false }).apply(x) as tfl.SymbolicTensor;
      x = L.reLU({ maxValue: 6 }).apply(bn().apply(x)) as tfl.SymbolicTensor;
    }
    x = L.averagePooling2d({ poolSize: 3, strides: 2 }).apply(x) as tfl.SymbolicTensor;
    x = L.flatten().apply(x) as tfl.SymbolicTensor;
    x = L.dropout({ rate: 0.001 }).apply(x) as tfl.SymbolicTensor;
    const out = L.dense({ units: 10, activation: 'softmax', biasInitializer: 'randomNormal' }).apply(
      x,
    ) as tfl.SymbolicTensor;
    const tm = tfl.model({ inputs: inp, outputs: out });
    const q = quantize(await tfArtifacts(tm));
    const n = 3,
      xs = mobileNetInput(n, 33, 9);
    const tq = await tfl.loadLayersModel(tf.io.fromMemory(q));
    const want = (tq.predict(tf.tensor(xs, [n, 33, 33, 3])) as tf.Tensor).dataSync();
    // The quantization changed the predictions (it is not a no-op), and we read it as TF.js does.
    const full = (tm.predict(tf.tensor(xs, [n, 33, 33, 3])) as tf.Tensor).dataSync();
    expect(relErr(want, full).err).toBeGreaterThan(1e-5);
    const ours = await sn.loadModel(io.fromMemory(q));
    expect(ours.layers.map((l) => l.className)).toContain('AveragePooling2D');
    expect(ours.layers.map((l) => l.className)).toContain('Dropout');
    const got = (ours.predict(new sn.Tensor(xs, [n, 33, 33, 3])) as sn.Tensor).values;
    const { err, scale } = relErr(got, want);
    expect(err, `max |Δ| ${err} against max |y| ${scale}`).toBeLessThanOrEqual(1e-4 * scale);
  }, 60_000);
});
