/** Loaders for the real data sets shipped in examples/data (see examples/data/PROVENANCE.md). */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('../../examples/data/', import.meta.url));

function csvRows(file: string): number[][] {
  return readFileSync(dir + file, 'utf8')
    .trim()
    .split(/\r?\n/)
    .map((l) => l.split(',').map(Number));
}

/** A seeded uniform stream in [0, 1) (mulberry32). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A seeded permutation (mulberry32 + Fisher–Yates), so splits are fixed. */
export function permutation(n: number, seed: number): number[] {
  const rnd = rng(seed);
  const p = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [p[i], p[j]] = [p[j]!, p[i]!];
  }
  return p;
}

export interface Split {
  xTrain: number[][];
  yTrain: number[][];
  xTest: number[][];
  yTest: number[][];
}

function split(x: number[][], y: number[][], testFraction: number, seed: number): Split {
  const p = permutation(x.length, seed);
  const nTest = Math.round(x.length * testFraction);
  const te = p.slice(0, nTest),
    tr = p.slice(nTest);
  return {
    xTrain: tr.map((i) => x[i]!),
    yTrain: tr.map((i) => y[i]!),
    xTest: te.map((i) => x[i]!),
    yTest: te.map((i) => y[i]!),
  };
}

/** Standardize columns with the training set's mean and deviation. */
export function standardize(s: Split): Split {
  const d = s.xTrain[0]!.length;
  const mean = new Array(d).fill(0),
    std = new Array(d).fill(0);
  for (const r of s.xTrain) r.forEach((v, j) => (mean[j] += v / s.xTrain.length));
  for (const r of s.xTrain) r.forEach((v, j) => (std[j] += (v - mean[j]) ** 2 / s.xTrain.length));
  const f = (r: number[]) => r.map((v, j) => (v - mean[j]) / (Math.sqrt(std[j]) || 1));
  return { ...s, xTrain: s.xTrain.map(f), xTest: s.xTest.map(f) };
}

/** Pima Indians diabetes: 8 features, 0/1 label. */
export function pima(testFraction = 0.2, seed = 7): Split {
  const rows = csvRows('pima-indians-diabetes.csv');
  return standardize(
    split(
      rows.map((r) => r.slice(0, 8)),
      rows.map((r) => [r[8]!]),
      testFraction,
      seed,
    ),
  );
}

/** UCI digits: 64 features in 0..16 (scaled to 0..1), class 0..9 as a sparse label. */
export function digits(testFraction = 0.2, seed = 7): Split {
  const rows = csvRows('digits.csv');
  return split(
    rows.map((r) => r.slice(0, 64).map((v) => v / 16)),
    rows.map((r) => [r[64]!]),
    testFraction,
    seed,
  );
}

/** MNIST 10k test set as flat Float32Arrays: images scaled to 0..1, labels 0..9. */
export function mnist(): { images: Float32Array; labels: Float32Array; n: number } {
  const img = gunzipSync(readFileSync(dir + 'mnist/t10k-images-idx3-ubyte.gz'));
  const lab = gunzipSync(readFileSync(dir + 'mnist/t10k-labels-idx1-ubyte.gz'));
  if (img.readInt32BE(0) !== 2051 || lab.readInt32BE(0) !== 2049) throw new Error('bad MNIST magic');
  const n = img.readInt32BE(4);
  const images = new Float32Array(n * 784);
  for (let i = 0; i < n * 784; i++) images[i] = img[16 + i]! / 255;
  const labels = new Float32Array(n);
  for (let i = 0; i < n; i++) labels[i] = lab[8 + i]!;
  return { images, labels, n };
}
