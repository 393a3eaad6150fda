// Dropout with the counter-based PRNG of src/backend/prng.ts, vectorized over
// four counters at a time. The mask depends only on (seed, offset + i), so the
// result is the same however a caller chunks the call (and bit-identical to the
// JS reference: integer hashing, an exact float conversion, float32 compares).
import { loadPartial, storePartial } from '../common';

/** lowbias32 on one u32 (the scalar half: the seed is mixed once per call). */
// @ts-ignore: decorator
@inline function mix32(x: u32): u32 {
  x ^= x >>> 16;
  x *= 0x7feb352d;
  x ^= x >>> 15;
  x *= 0x846ca68b;
  x ^= x >>> 16;
  return x;
}

/** lowbias32 on four u32 lanes (i32x4.mul keeps the low 32 bits, like Math.imul). */
// @ts-ignore: decorator
@inline function vmix32(x: v128): v128 {
  x = v128.xor(x, i32x4.shr_u(x, 16));
  x = i32x4.mul(x, i32x4.splat(0x7feb352d));
  x = v128.xor(x, i32x4.shr_u(x, 15));
  x = i32x4.mul(x, i32x4.splat(0x846ca68b));
  x = v128.xor(x, i32x4.shr_u(x, 16));
  return x;
}

/**
 * mask[i] = uniform(seed, offset+i) ≥ fround(rate) ? fround(1/fround(1−rate)) : 0;
 * Y[i] = X[i]·mask[i]. Y may alias X.
 */
export function dropout(X: usize, Y: usize, mask: usize, n: i32, rate: f32, seed: u32, offset: u32): void {
  const keepScale: f32 = <f32>1.0 / (<f32>1.0 - rate);
  const vScale = f32x4.splat(keepScale);
  const vRate = f32x4.splat(rate);
  const vSeed = i32x4.splat(mix32(seed));
  const inv24 = f32x4.splat(5.9604644775390625e-8); // 2^-24
  let ctr = i32x4.add(i32x4.splat(offset), i32x4(0, 1, 2, 3));
  const four = i32x4.splat(4);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const off = <usize>i << 2;
    const h = vmix32(v128.xor(vSeed, ctr));
    const u = f32x4.mul(f32x4.convert_i32x4_u(i32x4.shr_u(h, 8)), inv24);
    const m = v128.and(f32x4.ge(u, vRate), vScale);
    v128.store(mask + off, m);
    v128.store(Y + off, f32x4.mul(v128.load(X + off), m));
    ctr = i32x4.add(ctr, four);
  }
  const r = n - i;
  if (r > 0) {
    const off = <usize>i << 2;
    const h = vmix32(v128.xor(vSeed, ctr));
    const u = f32x4.mul(f32x4.convert_i32x4_u(i32x4.shr_u(h, 8)), inv24);
    const m = v128.and(f32x4.ge(u, vRate), vScale);
    storePartial(mask + off, m, r);
    storePartial(Y + off, f32x4.mul(loadPartial(X + off, r, 0), m), r);
  }
}
