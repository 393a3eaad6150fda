/**
 * The counter-based PRNG behind dropout masks. uniform(seed, c) depends only on
 * the seed and the element counter c, never on how a call is chunked or split
 * across threads. The AssemblyScript kernels implement exactly the same
 * function (assembly/elementwise/dropout.ts); tests check they agree bit for bit.
 */

/** A 32-bit integer mixer ("lowbias32", Chris Wellons' hash-prospector). */
export function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** A 32-bit hash of (seed, counter): mix32(mix32(seed) ^ counter). */
export function hash32(seed: number, counter: number): number {
  return mix32((mix32(seed >>> 0) ^ (counter >>> 0)) >>> 0);
}

/** A float in [0, 1) with 24 random bits: (hash32 >>> 8) / 2^24. Exact in float32. */
export function uniform(seed: number, counter: number): number {
  return (hash32(seed, counter) >>> 8) / 16777216;
}
