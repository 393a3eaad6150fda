// Simple elementwise kernels over n contiguous floats: f32x4 main loop, then
// the same vector formula on a partial tail.
import { loadPartial, storePartial } from '../common';

/** X[i] *= s. */
export function scale(X: usize, n: i32, s: f32): void {
  const vs = f32x4.splat(s);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const p = X + (<usize>i << 2);
    v128.store(p, f32x4.mul(v128.load(p), vs));
  }
  const r = n - i;
  if (r > 0) {
    const p = X + (<usize>i << 2);
    storePartial(p, f32x4.mul(loadPartial(p, r, 0), vs), r);
  }
}

/** X[i] = clamp(X[i], −c, c) (NaN stays NaN). */
export function clipValue(X: usize, n: i32, c: f32): void {
  const hi = f32x4.splat(c);
  const lo = f32x4.splat(-c);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const p = X + (<usize>i << 2);
    v128.store(p, f32x4.min(f32x4.max(v128.load(p), lo), hi));
  }
  const r = n - i;
  if (r > 0) {
    const p = X + (<usize>i << 2);
    storePartial(p, f32x4.min(f32x4.max(loadPartial(p, r, 0), lo), hi), r);
  }
}

/** Z[i] = X[i]·Y[i]; Z may alias X or Y. */
export function mul(X: usize, Y: usize, Z: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const off = <usize>i << 2;
    v128.store(Z + off, f32x4.mul(v128.load(X + off), v128.load(Y + off)));
  }
  const r = n - i;
  if (r > 0) {
    const off = <usize>i << 2;
    storePartial(Z + off, f32x4.mul(loadPartial(X + off, r, 0), loadPartial(Y + off, r, 0)), r);
  }
}

/** Y[i] = alpha·X[i] + Y[i] (multiply then add, not fused). */
export function axpy(n: i32, alpha: f32, X: usize, Y: usize): void {
  const va = f32x4.splat(alpha);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const off = <usize>i << 2;
    v128.store(Y + off, f32x4.add(f32x4.mul(v128.load(X + off), va), v128.load(Y + off)));
  }
  const r = n - i;
  if (r > 0) {
    const off = <usize>i << 2;
    storePartial(Y + off, f32x4.add(f32x4.mul(loadPartial(X + off, r, 0), va), loadPartial(Y + off, r, 0)), r);
  }
}
