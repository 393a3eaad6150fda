/**
 * Shared pieces of the property-based kernel tests (issue 9, "Numbers"):
 * fast-check settings (a fixed seed, bounded runs), float32 value generators
 * that favour the awkward values (±0, subnormals, the largest finite floats),
 * shape generators (0 and 1 where legal, primes, non-multiples of 4) and a
 * comparison that tolerates the float32 overflow boundary.
 *
 * Reproducing or widening a run: SIMDNET_FC_SEED=<n> picks another seed and
 * SIMDNET_FC_RUNS=<k> multiplies every property's numRuns (e.g. 20 for a long
 * local soak). A failure prints fast-check's counterexample (shrunk) and the
 * seed/path to replay it.
 */
import fc from 'fast-check';
import { expectClose, type Tol } from '../kernels/helpers.js';

export { fc };

export const SEED: number = Number(process.env.SIMDNET_FC_SEED ?? 20260909);
const RUN_SCALE = Math.max(1, Number(process.env.SIMDNET_FC_RUNS ?? 1) || 1);

/** fast-check options: the fixed seed and a bounded number of runs (the whole folder stays well under a minute). */
export function params<T = unknown>(numRuns: number): fc.Parameters<T> {
  return { seed: SEED, numRuns: Math.round(numRuns * RUN_SCALE) };
}

// ------------------------------------------------------------------ float32 landmarks

export const f32 = Math.fround;
/** The largest finite float32, 2^128 − 2^104. */
export const FLT_MAX = 3.4028234663852886e38;
/** The smallest positive normal float32, 2^−126. */
export const MIN_NORMAL = 2 ** -126;
/** The smallest positive subnormal float32, 2^−149. */
export const MIN_SUB = 2 ** -149;
/** Unit roundoff of float32. */
export const U = 2 ** -24;

/** Values every kernel should get right: signed zeros, subnormals, the normal boundary, ±1, near the overflow limit. */
export const SPECIALS: readonly number[] = [
  0,
  -0,
  MIN_SUB,
  -MIN_SUB,
  f32(1e-40),
  f32(-1e-40),
  f32(3e-39),
  MIN_NORMAL,
  -MIN_NORMAL,
  1,
  -1,
  f32(3e38),
  f32(-3e38),
  FLT_MAX,
  -FLT_MAX,
];

/**
 * Any finite float32: the specials, fast-check's float (biased to extremes, subnormals included) and ordinary values.
 */
export const anyF32: fc.Arbitrary<number> = fc.oneof(
  { arbitrary: fc.constantFrom(...SPECIALS), weight: 2 },
  { arbitrary: fc.float({ noNaN: true, noDefaultInfinity: true }), weight: 3 },
  { arbitrary: fc.float({ min: -20, max: 20, noNaN: true }), weight: 3 },
);

/** Finite float32 values in [lo, hi] (float32 bounds), with the specials that fall inside. */
export function f32In(lo: number, hi: number): fc.Arbitrary<number> {
  const inside = [...SPECIALS, f32(lo), f32(hi)].filter((v) => v >= lo && v <= hi);
  return fc.oneof(
    { arbitrary: fc.constantFrom(...inside), weight: 2 },
    { arbitrary: fc.float({ min: f32(lo), max: f32(hi), noNaN: true }), weight: 3 },
    { arbitrary: fc.float({ min: f32(Math.max(lo, -20)), max: f32(Math.min(hi, 20)), noNaN: true }), weight: 3 },
  );
}

/** Small values near 0: signed zeros and subnormals first, then the rest of [−1e-30, 1e-30]. */
export const tinyF32: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(
    0,
    -0,
    MIN_SUB,
    -MIN_SUB,
    2 * MIN_SUB,
    f32(1e-40),
    f32(-1e-40),
    f32(3e-39),
    f32(-3e-39),
    MIN_NORMAL,
    -MIN_NORMAL,
  ),
  fc.float({ min: f32(-1e-30), max: f32(1e-30), noNaN: true }),
);

// ------------------------------------------------------------------ shapes

/** Awkward sizes: 1, primes, around the 4-lane and 8/16-wide blocks. */
export const AWKWARD: readonly number[] = [1, 2, 3, 4, 5, 7, 8, 9, 11, 13, 15, 16, 17, 31, 33];

/** A dimension in [1, max]: mostly awkward sizes, sometimes any. */
export function dim(max: number): fc.Arbitrary<number> {
  return fc.oneof(fc.constantFrom(...AWKWARD.filter((d) => d <= max)), fc.integer({ min: 1, max }));
}

/** As dim, with 0 allowed (where the kernel's contract allows an empty dimension). */
export function dim0(max: number): fc.Arbitrary<number> {
  return fc.oneof({ arbitrary: fc.constant(0), weight: 1 }, { arbitrary: dim(max), weight: 6 });
}

/** An M×N matrix of values from `value`. */
export function matrix(
  M: fc.Arbitrary<number>,
  N: fc.Arbitrary<number>,
  value: fc.Arbitrary<number>,
): fc.Arbitrary<{ M: number; N: number; X: Float32Array }> {
  return fc
    .tuple(M, N)
    .chain(([m, n]) =>
      fc.array(value, { minLength: m * n, maxLength: m * n }).map((xs) => ({ M: m, N: n, X: Float32Array.from(xs) })),
    );
}

// ------------------------------------------------------------------ checks

/** Throw (with the first offenders) unless every element satisfies `ok`. */
export function expectAll(
  label: string,
  xs: ArrayLike<number>,
  ok: (x: number, i: number) => boolean,
  what: string,
): void {
  const bad: string[] = [];
  let n = 0;
  for (let i = 0; i < xs.length; i++) {
    if (!ok(xs[i]!, i)) {
      n++;
      if (bad.length < 6) bad.push(`  [${i}] = ${Object.is(xs[i], -0) ? '-0' : xs[i]}`);
    }
  }
  if (n > 0) throw new Error(`${label}: ${n} of ${xs.length} elements are not ${what}\n${bad.join('\n')}`);
}

export const notNaN = (x: number): boolean => !Number.isNaN(x);

/**
 * expectClose, except that a result on one side of the float32 overflow
 * boundary and the other within a few ulps of it (one backend rounds to
 * FLT_MAX, the other to Infinity) counts as agreement.
 */
export function expectAgree(
  label: string,
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: Tol,
  shape?: readonly number[],
): void {
  const near = (x: number): boolean => Number.isFinite(x) && Math.abs(x) >= FLT_MAX * (1 - 1e-5);
  const a = Float64Array.from(actual as ArrayLike<number>),
    e = Float64Array.from(expected as ArrayLike<number>);
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i]!) && !Number.isNaN(a[i]!) && near(e[i]!) && Math.sign(a[i]!) === Math.sign(e[i]!))
      a[i] = e[i]!;
    if (!Number.isFinite(e[i]!) && !Number.isNaN(e[i]!) && near(a[i]!) && Math.sign(a[i]!) === Math.sign(e[i]!))
      e[i] = a[i]!;
  }
  expectClose(label, a, e, tol, shape);
}

/** One line describing a float32 array for a failure message (first values, with −0 shown). */
export function show(xs: ArrayLike<number>, max = 12): string {
  const out: string[] = [];
  for (let i = 0; i < Math.min(xs.length, max); i++) out.push(Object.is(xs[i], -0) ? '-0' : String(xs[i]));
  return `[${out.join(', ')}${xs.length > max ? `, … (${xs.length})` : ''}]`;
}
