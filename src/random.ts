/**
 * Seeded randomness for initializers, shuffling and dropout seeds.
 * `setSeed(n)` makes everything after it reproducible (Keras's
 * `keras.utils.set_random_seed`); without it the global stream starts from a
 * random seed.
 */
import { hash32, uniform } from './backend/prng.js';

/** A small seeded stream: counter-based, so a (seed, index) pair always gives the same number. */
export class Rng {
  private counter = 0;
  constructor(readonly seed: number) {}
  /** Uniform in [0, 1) with 24 random bits. */
  next(): number {
    return uniform(this.seed, this.counter++);
  }
  /** A uint32. */
  nextU32(): number {
    return hash32(this.seed, this.counter++);
  }
  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }
  /** Standard normal (Box–Muller on two 24-bit uniforms; never log(0)). */
  normal(mean = 0, std = 1): number {
    const u1 = (this.next() * 16777216 + 1) / 16777217;
    const u2 = this.next();
    return mean + std * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }
  /** Standard normal truncated to ±2 (redrawn outside), as Keras's truncated initializers. */
  truncatedNormal(): number {
    let v: number;
    do {
      v = this.normal();
    } while (Math.abs(v) > 2);
    return v;
  }
  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  /** Fisher–Yates shuffle of `a` in place. */
  shuffle(a: Int32Array | number[]): void {
    for (let i = a.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const t = a[i]!;
      a[i] = a[j]!;
      a[j] = t;
    }
  }
}

let global = new Rng((Math.random() * 2 ** 32) >>> 0);

/** Seed every random choice simdnet makes after this call (initializers, shuffles, dropout). */
export function setSeed(seed: number): void {
  global = new Rng(seed >>> 0);
}

/** A fresh seed drawn from the global stream. */
export function nextSeed(): number {
  return global.nextU32();
}
