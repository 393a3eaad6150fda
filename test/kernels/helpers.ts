/**
 * Shared test helpers for the kernel suites: a seeded RNG (so every failure
 * reproduces), an arena that allocates test buffers in a backend's memory and
 * frees them all at the end, comparison with readable failure messages, and the
 * loader that finds the wasm backend.
 */
import { fileURLToPath } from 'node:url';
import { describe } from 'vitest';
import type { Backend } from '../../src/backend/types.js';
import { createJsBackend } from '../../src/backend/js.js';

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

/** n float32 values uniform in [lo, hi). */
export function randArray(rng: Rng, n: number, lo = -1, hi = 1): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = lo + (hi - lo) * rng();
  return a;
}

/** n float32 values, each row of `cols` a probability vector (positive, summing to ~1). */
export function randProbRows(rng: Rng, rows: number, cols: number): Float32Array {
  const a = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    let s = 0;
    for (let j = 0; j < cols; j++) {
      const v = 0.05 + rng();
      a[i * cols + j] = v;
      s += v;
    }
    for (let j = 0; j < cols; j++) a[i * cols + j] = a[i * cols + j]! / s;
  }
  return a;
}

/** Allocates test buffers in one backend's memory; `free()` returns them all. */
export class Arena {
  private ptrs: number[] = [];
  /** `fill` is what `empty()` fills with by default (see conform: each backend gets its own). */
  constructor(
    readonly b: Backend,
    readonly fill = NaN,
  ) {}
  /** Allocate and fill with `data` (a copy). */
  put(data: ArrayLike<number>): number {
    const p = this.b.heap.allocF32(Math.max(1, data.length));
    this.ptrs.push(p);
    this.b.heap.write(p, data);
    return p;
  }
  /** Allocate n floats filled with `fill` (the arena's sentinel by default: garbage an output must overwrite). */
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

/** Run `fn` with a fresh arena on `b`, freeing it afterwards even on failure. */
export function withArena<R>(b: Backend, fn: (a: Arena) => R, fill = NaN): R {
  const a = new Arena(b, fill);
  try {
    return fn(a);
  } finally {
    a.free();
  }
}

function fmtPos(i: number, shape?: readonly number[]): string {
  if (shape === undefined || shape.length < 2) return `[${i}]`;
  const cols = shape[shape.length - 1]!;
  return `[${Math.floor(i / cols)}, ${i % cols}]`;
}

export interface Tol {
  /** Relative tolerance against |expected|. */
  rel?: number;
  /** Absolute tolerance. */
  abs?: number;
  /** Optional per-element scale: the bound becomes rel·|e| + abs + scaleTol·scale[i]. */
  scale?: ArrayLike<number>;
  scaleTol?: number;
}

/**
 * Compare element by element; on failure throw an Error naming the first few
 * bad positions with expected and actual values and the shape. NaN must match
 * NaN and ±Infinity must match exactly.
 */
export function expectClose(
  label: string,
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: Tol,
  shape?: readonly number[],
): void {
  if (actual.length !== expected.length) {
    throw new Error(`${label}: length ${actual.length} ≠ expected ${expected.length}`);
  }
  const rel = tol.rel ?? 0,
    abs = tol.abs ?? 0,
    st = tol.scaleTol ?? 0;
  const bad: string[] = [];
  let nBad = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!,
      e = expected[i]!;
    let ok: boolean;
    if (Number.isNaN(e) || Number.isNaN(a)) ok = Number.isNaN(e) && Number.isNaN(a);
    else if (!Number.isFinite(e) || !Number.isFinite(a)) ok = a === e;
    else {
      const bound = rel * Math.abs(e) + abs + (tol.scale !== undefined ? st * Math.abs(tol.scale[i]!) : 0);
      ok = Math.abs(a - e) <= bound;
    }
    if (!ok) {
      nBad++;
      if (bad.length < 6) {
        const bound = rel * Math.abs(e) + abs + (tol.scale !== undefined ? st * Math.abs(tol.scale[i]!) : 0);
        bad.push(
          `  at ${fmtPos(i, shape)}: expected ${e}, actual ${a}, |diff| ${Math.abs(a - e).toExponential(3)} > bound ${bound.toExponential(3)}`,
        );
      }
    }
  }
  if (nBad > 0) {
    throw new Error(
      `${label}${shape ? ` (shape ${shape.join('×')})` : ''}: ${nBad} of ${actual.length} elements differ\n${bad.join('\n')}`,
    );
  }
}

/** A scalar version of expectClose. */
export function expectNear(label: string, actual: number, expected: number, rel: number, abs = 0): void {
  expectClose(label, [actual], [expected], { rel, abs });
}

/** Bit-for-bit equality of two float32 arrays (distinguishes −0 from 0 and NaN payloads). */
export function expectBitEqual(
  label: string,
  actual: Float32Array,
  expected: Float32Array,
  shape?: readonly number[],
): void {
  if (actual.length !== expected.length)
    throw new Error(`${label}: length ${actual.length} ≠ expected ${expected.length}`);
  const ua = new Uint32Array(actual.buffer, actual.byteOffset, actual.length);
  const ue = new Uint32Array(expected.buffer, expected.byteOffset, expected.length);
  const bad: string[] = [];
  let nBad = 0;
  for (let i = 0; i < ua.length; i++) {
    if (ua[i] !== ue[i]) {
      nBad++;
      if (bad.length < 6)
        bad.push(
          `  at ${fmtPos(i, shape)}: expected ${expected[i]} (0x${ue[i]!.toString(16)}), actual ${actual[i]} (0x${ua[i]!.toString(16)})`,
        );
    }
  }
  if (nBad > 0) throw new Error(`${label}: ${nBad} of ${ua.length} elements differ bit-wise\n${bad.join('\n')}`);
}

export const js: Backend = createJsBackend();

const INDEX_TS = fileURLToPath(new URL('../../src/backend/index.ts', import.meta.url));

let wasmPromise: Promise<Backend> | undefined;

/**
 * The wasm backend, created once per test file. Fails loudly (never skips) if
 * the index exists but the backend cannot be created, e.g. because
 * `npm run build:wasm` has not generated src/generated/wasm.js yet.
 */
export function getWasm(): Promise<Backend> {
  wasmPromise ??= (async () => {
    let mod: { initBackends: () => Promise<unknown>; getBackendByName: (n: string) => Backend | undefined };
    try {
      mod = (await import(/* @vite-ignore */ INDEX_TS)) as typeof mod;
      await mod.initBackends();
    } catch (e) {
      throw new Error(
        `The wasm backend could not be loaded (run \`npm run build:wasm\` first?): ${String((e as Error)?.stack ?? e)}`,
        { cause: e },
      );
    }
    const b = mod.getBackendByName('wasm');
    if (b === undefined || b === null || b.name !== 'wasm')
      throw new Error(`getBackendByName('wasm') returned ${String(b)}`);
    return b;
  })();
  return wasmPromise;
}

const LOADER_TS = fileURLToPath(new URL('../../src/runtime/loader.ts', import.meta.url));
const WASM_TS = fileURLToPath(new URL('../../src/backend/wasm.ts', import.meta.url));
const VARIANTS = ['simd', 'simd-unshared', 'relaxed-simd'] as const;

/**
 * The wasm builds to run the conformance suites on: the registry's default
 * (what users get) and every other embedded variant this platform can run
 * (e.g. the unshared-memory build browsers fall back to; the relaxed-SIMD
 * build only where the engine enables relaxed SIMD). If loading fails, only
 * the default is listed, and its suites fail in beforeAll with the reason.
 */
async function listWasmTargets(): Promise<string[]> {
  try {
    const b = (await getWasm()) as Backend & { variant?: string };
    const loader = (await import(/* @vite-ignore */ LOADER_TS)) as {
      detectFeatures: () => { simd: boolean; relaxedSimd: boolean; sharedMemory: boolean };
    };
    const f = loader.detectFeatures();
    const targets = ['default'];
    for (const v of VARIANTS) {
      if (v === b.variant || !f.simd) continue;
      if (v !== 'simd-unshared' && !f.sharedMemory) continue;
      if (v === 'relaxed-simd' && !f.relaxedSimd) continue;
      targets.push(v);
    }
    return targets;
  } catch {
    return ['default'];
  }
}

export const wasmTargets: string[] = await listWasmTargets();

const variantBackends = new Map<string, Promise<Backend>>();

/** The backend of one wasm target: 'default' is the registry's; others are instantiated here, once per file. */
export function getWasmTarget(target: string): Promise<Backend> {
  if (target === 'default') return getWasm();
  let p = variantBackends.get(target);
  if (p === undefined) {
    p = (async () => {
      const loader = (await import(/* @vite-ignore */ LOADER_TS)) as {
        compileVariant: (v: string) => Promise<WebAssembly.Module>;
      };
      const wasm = (await import(/* @vite-ignore */ WASM_TS)) as {
        createWasmBackend: (m: WebAssembly.Module, v: string) => Backend;
      };
      return wasm.createWasmBackend(await loader.compileVariant(target), target);
    })();
    variantBackends.set(target, p);
  }
  return p;
}

/**
 * A conformance suite against the wasm backend, once per wasm target. A
 * backend that fails to load fails the suites (never a silent skip).
 */
export function describeWasm(title: string, body: (load: () => Promise<Backend>) => void): void {
  for (const target of wasmTargets) {
    describe(`${title} [wasm ${target}]`, () => {
      body(() => getWasmTarget(target));
    });
  }
}

/** float64 reference GEMM: returns C (M×N dense) and the per-element Σ|a||b| bound scale. */
export function refGemm(
  transA: boolean,
  transB: boolean,
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
        const a = transA ? A[k * lda + i]! : A[i * lda + k]!;
        const b = transB ? B[j * ldb + k]! : B[k * ldb + j]!;
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
 * What `empty()` fills outputs with in conform(): a different sentinel on each
 * side, so an element that neither backend writes differs (NaN on one side, a
 * huge finite value on the other) instead of matching NaN with NaN.
 */
export const REF_SENTINEL = NaN,
  OTHER_SENTINEL = -3.0e38;

/**
 * Run the same case on the js backend (the reference) and on `other`, each in
 * its own arena, and compare every output. `run` must build its inputs from
 * data captured outside it, so both backends see identical inputs. Outputs
 * allocated with `a.empty(n)` start as different sentinels on the two sides,
 * so every element of every output must be written by both backends.
 */
export function conform(
  label: string,
  other: Backend,
  run: (a: Arena) => Outputs,
  tol: Tol | ((key: string) => Tol),
  shape?: readonly number[],
): void {
  const ref = withArena(js, run, REF_SENTINEL);
  const got = withArena(other, run, OTHER_SENTINEL);
  for (const key of Object.keys(ref)) {
    const r = ref[key]!,
      g = got[key];
    if (g === undefined) throw new Error(`${label}: output ${key} missing`);
    const t = typeof tol === 'function' ? tol(key) : tol;
    expectClose(
      `${label}: ${key}`,
      typeof g === 'number' ? [g] : g,
      typeof r === 'number' ? [r] : r,
      t,
      typeof r === 'number' ? undefined : shape,
    );
  }
}

/**
 * Keras 3 Nadam's schedule at step t (1-based), folded into the kernel's c1, c2, c3:
 * u_t = β1·(1 − ½·0.96^t) (keras/src/optimizers/nadam.py), Π_t = Π u_1..u_t;
 * m̂ = u_{t+1}·m/(1 − Π_{t+1}) + (1 − u_t)·g/(1 − Π_t), v̂ = v/(1 − β2^t).
 */
export function nadamCoefficients(t: number, beta1: number, beta2: number): { c1: number; c2: number; c3: number } {
  const u = (s: number): number => beta1 * (1 - 0.5 * 0.96 ** s);
  let prod = 1;
  for (let s = 1; s <= t; s++) prod *= u(s);
  const prodNext = prod * u(t + 1);
  return { c1: u(t + 1) / (1 - prodNext), c2: (1 - u(t)) / (1 - prod), c3: 1 / (1 - beta2 ** t) };
}
