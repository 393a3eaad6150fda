/// <reference types="vite/client" />
/**
 * Helpers for the browser suites. Self-contained (the Node kernel helpers in
 * test/kernels/helpers.ts read files through node:fs, which a page has not):
 * a seeded RNG, an arena of test buffers in a backend's memory, comparisons
 * with readable failures, the float64 GEMM reference, the wasm builds this
 * page can run, and the UCI digits (bundled into the test by Vite's `?raw`).
 */
import type { Backend } from '../../src/backend/types.js';
import { getBackendByName, initBackends } from '../../src/backend/index.js';
import { createWasmBackend } from '../../src/backend/wasm.js';
import { compileVariant, detectFeatures, type WasmVariant } from '../../src/runtime/loader.js';
import digitsCsv from '../../examples/data/digits.csv?raw';

/** mulberry32: a tiny seeded PRNG returning floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
export type Rng = () => number;

export function randArray(rng: Rng, n: number, lo = -1, hi = 1): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = lo + (hi - lo) * rng();
  return a;
}

/** Test buffers in one backend's memory; `free()` returns them all. */
export class Arena {
  private ptrs: number[] = [];
  /** `fill` is what `empty()` fills with by default (see conform: each backend gets its own). */
  constructor(
    readonly b: Backend,
    readonly fill = NaN,
  ) {}
  put(data: ArrayLike<number>): number {
    const p = this.b.heap.allocF32(Math.max(1, data.length));
    this.ptrs.push(p);
    this.b.heap.write(p, data);
    return p;
  }
  /** n floats of garbage (the arena's sentinel) an output must overwrite. */
  empty(n: number, fill = this.fill): number {
    const p = this.b.heap.allocF32(Math.max(1, n));
    this.ptrs.push(p);
    this.b.heap.view(p, Math.max(1, n)).fill(fill);
    return p;
  }
  bytes(n: number): number {
    const p = this.b.heap.alloc(Math.max(64, n));
    this.ptrs.push(p);
    return p;
  }
  read(p: number, n: number): Float32Array {
    return this.b.heap.read(p, n);
  }
  free(): void {
    for (const p of this.ptrs) this.b.heap.release(p);
    this.ptrs = [];
  }
}

export function withArena<R>(b: Backend, fn: (a: Arena) => R, fill = NaN): R {
  const a = new Arena(b, fill);
  try {
    return fn(a);
  } finally {
    a.free();
  }
}

export interface Tol {
  rel?: number;
  abs?: number;
}

/** Element-wise closeness; NaN must match NaN, ±Infinity exactly. Throws naming the first bad positions. */
export function expectClose(label: string, actual: ArrayLike<number>, expected: ArrayLike<number>, tol: Tol): void {
  if (actual.length !== expected.length)
    throw new Error(`${label}: length ${actual.length} ≠ expected ${expected.length}`);
  const rel = tol.rel ?? 0,
    abs = tol.abs ?? 0;
  const bad: string[] = [];
  let nBad = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!,
      e = expected[i]!;
    const ok =
      Number.isNaN(e) || Number.isNaN(a)
        ? Number.isNaN(e) && Number.isNaN(a)
        : !Number.isFinite(e) || !Number.isFinite(a)
          ? a === e
          : Math.abs(a - e) <= rel * Math.abs(e) + abs;
    if (!ok && nBad++ < 6) bad.push(`  at [${i}]: expected ${e}, actual ${a}`);
  }
  if (nBad > 0) throw new Error(`${label}: ${nBad} of ${actual.length} elements differ\n${bad.join('\n')}`);
}

/** Bit-for-bit equality of two float32 arrays. */
export function expectBitEqual(label: string, actual: Float32Array, expected: Float32Array): void {
  if (actual.length !== expected.length)
    throw new Error(`${label}: length ${actual.length} ≠ expected ${expected.length}`);
  const ua = new Uint32Array(actual.buffer, actual.byteOffset, actual.length);
  const ue = new Uint32Array(expected.buffer, expected.byteOffset, expected.length);
  const bad: string[] = [];
  let nBad = 0;
  for (let i = 0; i < ua.length; i++) {
    if (ua[i] !== ue[i] && nBad++ < 6) bad.push(`  at [${i}]: expected ${expected[i]}, actual ${actual[i]}`);
  }
  if (nBad > 0) throw new Error(`${label}: ${nBad} of ${ua.length} elements differ bit-wise\n${bad.join('\n')}`);
}

/** C = alpha·op(A)·op(B) + beta·C in float64, and Σ|terms| per element (for the rounding bound). */
export function refGemm(
  tA: boolean,
  tB: boolean,
  M: number,
  N: number,
  K: number,
  alpha: number,
  A: Float32Array,
  lda: number,
  B: Float32Array,
  ldb: number,
  beta: number,
  C: Float32Array,
  ldc: number,
): { c: Float64Array; mag: Float64Array } {
  const c = new Float64Array(M * N),
    mag = new Float64Array(M * N);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0,
        m = 0;
      for (let k = 0; k < K; k++) {
        const a = tA ? A[k * lda + i]! : A[i * lda + k]!;
        const b = tB ? B[j * ldb + k]! : B[k * ldb + j]!;
        s += a * b;
        m += Math.abs(a * b);
      }
      const c0 = C[i * ldc + j]!;
      c[i * N + j] = alpha * s + (beta === 0 ? 0 : beta * c0);
      mag[i * N + j] = Math.abs(alpha) * m + (beta === 0 ? 0 : Math.abs(beta * c0));
    }
  }
  return { c, mag };
}

export type Outputs = Record<string, Float32Array | number>;

/**
 * Run `run` on the js backend and on `other` (identical inputs) and compare
 * every output. `empty()` outputs start as a different sentinel on each side
 * (NaN for js, a huge finite value for `other`), so an element neither
 * backend writes fails instead of matching NaN with NaN.
 */
export function conform(
  label: string,
  other: Backend,
  run: (a: Arena) => Outputs,
  tol: Tol | ((key: string) => Tol),
): void {
  const js = getBackendByName('js');
  const ref = withArena(js, run, NaN);
  const got = withArena(other, run, -3.0e38);
  for (const key of Object.keys(ref)) {
    const r = ref[key]!,
      g = got[key]!;
    const t = typeof tol === 'function' ? tol(key) : tol;
    expectClose(`${label} [${other.name}] ${key}`, typeof g === 'number' ? [g] : g, typeof r === 'number' ? [r] : r, t);
  }
}

/**
 * The wasm builds this page can run: the registry's default (what the library
 * picked here) and every other embedded variant the page supports (the
 * shared-memory builds only on a cross-origin-isolated page).
 */
export async function wasmTargets(): Promise<{ name: string; backend: Backend }[]> {
  await initBackends();
  const def = getBackendByName('wasm') as Backend & { variant: WasmVariant };
  const out: { name: string; backend: Backend }[] = [{ name: `default (${def.variant})`, backend: def }];
  const f = detectFeatures();
  for (const v of ['relaxed-simd', 'simd', 'simd-unshared'] as const) {
    if (v === def.variant) continue;
    if (v !== 'simd-unshared' && !f.sharedMemory) continue;
    if (v === 'relaxed-simd' && !f.relaxedSimd) continue;
    out.push({ name: v, backend: createWasmBackend(await compileVariant(v), v) });
  }
  return out;
}

/** A seeded permutation (mulberry32 + Fisher–Yates). */
export function permutation(n: number, seed: number): number[] {
  const rnd = mulberry32(seed);
  const p = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [p[i], p[j]] = [p[j]!, p[i]!];
  }
  return p;
}

export interface Digits {
  xTrain: number[][];
  yTrain: number[];
  xTest: number[][];
  yTest: number[];
}

/** UCI digits (examples/data/digits.csv): 64 pixels 0..16 scaled to 0..1, label 0..9; fixed 80/20 split. */
export function digits(seed = 7): Digits {
  const rows = digitsCsv
    .trim()
    .split(/\r?\n/)
    .map((l) => l.split(',').map(Number));
  const p = permutation(rows.length, seed);
  const nTest = Math.round(rows.length * 0.2);
  const pick = (ids: number[]) => ({
    x: ids.map((i) => rows[i]!.slice(0, 64).map((v) => v / 16)),
    y: ids.map((i) => rows[i]![64]!),
  });
  const te = pick(p.slice(0, nTest)),
    tr = pick(p.slice(nTest));
  return { xTrain: tr.x, yTrain: tr.y, xTest: te.x, yTest: te.y };
}

/** The largest gap between timer ticks while `work` runs: how long the page was frozen. */
export async function maxEventLoopGap<R>(
  work: () => Promise<R>,
): Promise<{ result: R; maxGapMs: number; ticks: number }> {
  let last = performance.now(),
    maxGap = 0,
    ticks = 0;
  const id = setInterval(() => {
    const t = performance.now();
    maxGap = Math.max(maxGap, t - last);
    last = t;
    ticks++;
  }, 5);
  try {
    const result = await work();
    maxGap = Math.max(maxGap, performance.now() - last);
    return { result, maxGapMs: maxGap, ticks };
  } finally {
    clearInterval(id);
  }
}
