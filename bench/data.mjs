// Deterministic benchmark data, generated identically in every contender's process
// (same seed, same generator), so every contender works on the same numbers.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

/** mulberry32: a small, fast, seeded 32-bit generator; returns floats in [0, 1). */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** n floats uniform in [lo, hi). */
export function uniform(n, seed, lo = -1, hi = 1) {
  const r = rng(seed),
    out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * r();
  return out;
}

/** The founding example's data: 1,000 × 8 features in [0, 1), 0/1 labels. */
export function seedData(n = 1000, seed = 42) {
  const x = uniform(n * 8, seed, 0, 1);
  const r = rng(seed + 1),
    y = new Float32Array(n);
  for (let i = 0; i < n; i++) y[i] = r() < 0.5 ? 0 : 1;
  return { x, y, n, features: 8 };
}

const MNIST_DIR = fileURLToPath(new URL('../examples/data/mnist/', import.meta.url));
let mnistCache = null;

/**
 * The first `n` images of the MNIST 10,000-image set (examples/data/mnist, see its
 * PROVENANCE.md), pixels scaled to [0, 1], labels one-hot over 10 classes.
 * Falls back to seeded random pixels and labels if the files are missing.
 */
export function mnist(n) {
  if (!mnistCache) {
    try {
      const img = gunzipSync(readFileSync(MNIST_DIR + 't10k-images-idx3-ubyte.gz'));
      const lab = gunzipSync(readFileSync(MNIST_DIR + 't10k-labels-idx1-ubyte.gz'));
      const count = img.readUInt32BE(4),
        rows = img.readUInt32BE(8),
        cols = img.readUInt32BE(12);
      if (rows * cols !== 784 || lab.readUInt32BE(4) !== count) throw new Error('unexpected MNIST header');
      const x = new Float32Array(count * 784);
      for (let i = 0; i < x.length; i++) x[i] = img[16 + i] / 255;
      const labels = new Uint8Array(lab.subarray(8, 8 + count));
      mnistCache = { x, labels, count, source: 'MNIST t10k (examples/data/mnist)' };
    } catch {
      const count = 10000;
      const x = uniform(count * 784, 7, 0, 1);
      const r = rng(8),
        labels = new Uint8Array(count);
      for (let i = 0; i < count; i++) labels[i] = Math.floor(r() * 10);
      mnistCache = { x, labels, count, source: 'seeded random (MNIST files not found)' };
    }
  }
  const m = mnistCache;
  if (n > m.count) throw new Error(`mnist(${n}): only ${m.count} images`);
  const x = m.x.slice(0, n * 784);
  const y = new Float32Array(n * 10);
  for (let i = 0; i < n; i++) y[i * 10 + m.labels[i]] = 1;
  return { x, y, n, features: 784, classes: 10, source: m.source };
}

/** Token sequences for train-lstm-text: n sequences of `len` ids in [0, vocab), a 0/1 label each. */
export function textData(n, len = 50, vocab = 1000, seed = 11) {
  const r = rng(seed),
    x = new Float32Array(n * len),
    y = new Float32Array(n);
  for (let i = 0; i < n * len; i++) x[i] = Math.floor(r() * vocab);
  for (let i = 0; i < n; i++) y[i] = r() < 0.5 ? 0 : 1;
  return { x, y, n, len, vocab };
}

/**
 * One series for train-lstm-series — two sines and a little noise — cut into n windows of `steps` values,
 * each followed by the value to forecast. Also returned as brain.js's LSTMTimeStep wants it: arrays of
 * steps + 1 numbers.
 */
export function seriesData(n, steps = 12, seed = 13) {
  const r = rng(seed),
    len = n + steps + 1,
    s = new Float32Array(len);
  for (let t = 0; t < len; t++) s[t] = 0.5 + 0.3 * Math.sin(t / 6) + 0.15 * Math.sin(t / 17) + 0.02 * (r() - 0.5);
  const x = new Float32Array(n * steps),
    y = new Float32Array(n),
    seqs = [];
  for (let i = 0; i < n; i++) {
    x.set(s.subarray(i, i + steps), i * steps);
    y[i] = s[i + steps];
    seqs.push(Array.from(s.subarray(i, i + steps + 1)));
  }
  return { x, y, n, steps, seqs };
}

/**
 * A CSV for train-csv-stream, written once per process to the temporary directory: n rows of `features`
 * uniform values in [-1, 1] (6 decimals) and a 0/1 label (the sign of a fixed mix of the first few).
 */
const csvFiles = new Map();
export function csvFile(n, features, seed = 21) {
  const key = `${n}x${features}`;
  if (csvFiles.has(key)) return csvFiles.get(key);
  // Synchronous Node APIs: the bench runs in Node only.
  const proc = globalThis.process;
  const fs = proc.getBuiltinModule('node:fs'),
    os = proc.getBuiltinModule('node:os'),
    path = proc.getBuiltinModule('node:path');
  const r = rng(seed);
  const head = [...Array.from({ length: features }, (_, j) => `f${j}`), 'label'].join(',');
  const lines = [head];
  for (let i = 0; i < n; i++) {
    const v = Array.from({ length: features }, () => r() * 2 - 1);
    const label = v[0] - 0.5 * v[1] + 0.25 * v[2] > 0 ? 1 : 0;
    lines.push([...v.map((x) => x.toFixed(6)), label].join(','));
  }
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'simdnet-bench-')), `stream-${key}.csv`);
  fs.writeFileSync(file, lines.join('\n') + '\n');
  csvFiles.set(key, file);
  return file;
}
