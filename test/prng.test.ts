/**
 * The dropout PRNG (src/backend/prng.ts): determinism, seed sensitivity, the
 * range of uniform(), the keep rate, and independence from how a call is
 * chunked, both on the bare function and through the js backend's dropout.
 */
import { describe, expect, test } from 'vitest';
import { hash32, uniform } from '../src/backend/prng.js';
import { expectBitEqual, js, mulberry32, randArray, withArena } from './kernels/helpers.js';

function mask(seed: number, n: number, rate: number, offset = 0): Float32Array {
  return withArena(js, (a) => {
    const pX = a.put(new Float32Array(n).fill(1)),
      pM = a.empty(n);
    js.dropout(pX, pX, pM, n, rate, seed, offset);
    return a.read(pM, n);
  });
}

describe('dropout PRNG', () => {
  test('same seed, same mask; different seeds, different masks', () => {
    const a = mask(42, 5000, 0.5),
      b = mask(42, 5000, 0.5),
      c = mask(43, 5000, 0.5);
    expectBitEqual('same seed', b, a);
    let diff = 0;
    for (let i = 0; i < a.length; i++) if (a[i] !== c[i]) diff++;
    // Independent fair masks differ in about half the places.
    expect(diff).toBeGreaterThan(2000);
    expect(diff).toBeLessThan(3000);
  });

  test('uniform is in [0, 1), has 24-bit resolution and is exact in float32', () => {
    let min = 1,
      max = 0;
    for (let s = 0; s < 4; s++) {
      for (let c = 0; c < 50000; c++) {
        const u = uniform(s * 2654435761, c);
        if (u < min) min = u;
        if (u > max) max = u;
        if (Math.fround(u) !== u || u * 16777216 !== Math.floor(u * 16777216))
          throw new Error(`uniform(${s}, ${c}) = ${u} is not k/2^24`);
      }
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    expect(min).toBeLessThan(1e-3);
    expect(max).toBeGreaterThan(1 - 1e-3);
    // The hash handles counters and seeds past 2^31 as unsigned.
    expect(uniform(1, 2 ** 32 - 1)).toBe(uniform(1, -1));
    expect(hash32(0xffffffff, 7)).toBe(hash32(-1, 7));
  });

  test('keep rate is statistically right (n = 100000, within 5 standard deviations)', () => {
    const n = 100000;
    for (const rate of [0.3, 0.5, 0.05]) {
      for (const seed of [1, 777]) {
        const m = mask(seed, n, rate);
        let kept = 0;
        for (const v of m) if (v !== 0) kept++;
        const p = 1 - rate,
          sd = Math.sqrt(n * p * (1 - p));
        expect(Math.abs(kept - n * p), `rate ${rate}, seed ${seed}: kept ${kept}`).toBeLessThan(5 * sd);
        // The kept entries carry 1/(1 − rate), as float32.
        const s = Math.fround(1 / Math.fround(1 - Math.fround(rate)));
        for (const v of m) if (v !== 0 && v !== s) throw new Error(`mask value ${v}, expected ${s}`);
      }
    }
  });

  test('uniform values are evenly spread (chi-square over 16 bins) and neighbours uncorrelated', () => {
    const n = 64000,
      bins = new Array<number>(16).fill(0);
    let sxy = 0,
      sx = 0,
      sxx = 0,
      prev = uniform(9, 0);
    for (let c = 1; c <= n; c++) {
      const u = uniform(9, c);
      bins[Math.floor(u * 16)]!++;
      sx += u;
      sxx += u * u;
      sxy += u * prev;
      prev = u;
    }
    const e = n / 16;
    const chi2 = bins.reduce((s, b) => s + (b - e) ** 2 / e, 0);
    // 15 degrees of freedom: P(χ² > 44) < 1e-4.
    expect(chi2).toBeLessThan(44);
    const mean = sx / n,
      cov = sxy / n - mean * mean,
      v = sxx / n - mean * mean;
    expect(Math.abs(cov / v)).toBeLessThan(5 / Math.sqrt(n));
  });

  test('the mask does not depend on chunking: (n, offset 0) equals pieces at their offsets', () => {
    const rng = mulberry32(5);
    for (const n of [1, 2, 7, 1000, 1001]) {
      const whole = mask(99, n, 0.4);
      const h = n >> 1;
      const parts = new Float32Array(n);
      parts.set(mask(99, h, 0.4, 0));
      parts.set(mask(99, n - h, 0.4, h), h);
      expectBitEqual(`halves n=${n}`, parts, whole);
      // Uneven random pieces too.
      const pieces = new Float32Array(n);
      let at = 0;
      while (at < n) {
        const len = Math.min(n - at, 1 + Math.floor(rng() * 37));
        pieces.set(mask(99, len, 0.4, at), at);
        at += len;
      }
      expectBitEqual(`random pieces n=${n}`, pieces, whole);
    }
    // And the output follows the mask: Y = X·mask.
    const X = randArray(rng, 33, -2, 2);
    withArena(js, (a) => {
      const pX = a.put(X),
        pY = a.empty(33),
        pM = a.empty(33);
      js.dropout(pX, pY, pM, 33, 0.25, 3, 10);
      const m = a.read(pM, 33);
      expectBitEqual(
        'Y',
        a.read(pY, 33),
        Float32Array.from(X, (x, i) => x * m[i]!),
      );
    });
  });
});
