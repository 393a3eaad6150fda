// Row-wise softmax, log-softmax and the softmax backward pass.
// Each row: max (so logits of ±1e4 stay finite), then Σ e^{x−max} in f32 lanes,
// then a division (not a multiply by the reciprocal, which would add an ulp).
import { loadPartial, storePartial, hsum, hmax } from '../common';
import { vexp, vlog } from '../math/vmath';

/** max over a row of n floats (NaN-propagating). */
// @ts-ignore: decorator
@inline export function rowMax(p: usize, n: i32): f32 {
  let m = f32x4.splat(-Infinity);
  let j = 0;
  for (; j + 4 <= n; j += 4) m = f32x4.max(m, v128.load(p + (<usize>j << 2)));
  const r = n - j;
  if (r > 0) m = f32x4.max(m, loadPartial(p + (<usize>j << 2), r, -Infinity));
  return hmax(m);
}

/** Σ_j e^{x_j − mx} over a row; if `out` ≠ 0 also stores each e^{x_j − mx} there. */
// @ts-ignore: decorator
@inline export function rowExpSum(p: usize, out: usize, n: i32, mx: f32): f32 {
  const vm = f32x4.splat(mx);
  let s = f32x4.splat(0.0);
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const off = <usize>j << 2;
    const e = vexp(f32x4.sub(v128.load(p + off), vm));
    if (out != 0) v128.store(out + off, e);
    s = f32x4.add(s, e);
  }
  const r = n - j;
  if (r > 0) {
    const off = <usize>j << 2;
    // Padding lanes are −Inf: e^{−Inf} = 0 adds nothing.
    const e = vexp(f32x4.sub(loadPartial(p + off, r, -Infinity), vm));
    if (out != 0) storePartial(out + off, e, r);
    s = f32x4.add(s, e);
  }
  return hsum(s);
}

export function softmaxRows(X: usize, Y: usize, M: i32, N: i32): void {
  const rowBytes = <usize>N << 2;
  for (let i = 0; i < M; i++) {
    const x = X + <usize>i * rowBytes;
    const y = Y + <usize>i * rowBytes;
    const mx = rowMax(x, N);
    const vs = f32x4.splat(rowExpSum(x, y, N, mx));
    let j = 0;
    for (; j + 4 <= N; j += 4) {
      const off = <usize>j << 2;
      v128.store(y + off, f32x4.div(v128.load(y + off), vs));
    }
    const r = N - j;
    if (r > 0) {
      const off = <usize>j << 2;
      storePartial(y + off, f32x4.div(loadPartial(y + off, r, 0), vs), r);
    }
  }
}

/** y = x − max − ln Σ e^{x−max}. */
export function logSoftmaxRows(X: usize, Y: usize, M: i32, N: i32): void {
  const rowBytes = <usize>N << 2;
  for (let i = 0; i < M; i++) {
    const x = X + <usize>i * rowBytes;
    const y = Y + <usize>i * rowBytes;
    const mx = rowMax(x, N);
    const ls = f32x4.extract_lane(vlog(f32x4.splat(rowExpSum(x, 0, N, mx))), 0);
    const vm = f32x4.splat(mx);
    const vl = f32x4.splat(ls);
    let j = 0;
    for (; j + 4 <= N; j += 4) {
      const off = <usize>j << 2;
      v128.store(y + off, f32x4.sub(f32x4.sub(v128.load(x + off), vm), vl));
    }
    const r = N - j;
    if (r > 0) {
      const off = <usize>j << 2;
      storePartial(y + off, f32x4.sub(f32x4.sub(loadPartial(x + off, r, 0), vm), vl), r);
    }
  }
}

/** dX = Y·(dY − Σ_k dY_k·Y_k) per row; dX may alias dY. */
export function softmaxBackward(Y: usize, dY: usize, dX: usize, M: i32, N: i32): void {
  const rowBytes = <usize>N << 2;
  for (let i = 0; i < M; i++) {
    const y = Y + <usize>i * rowBytes;
    const dy = dY + <usize>i * rowBytes;
    const dx = dX + <usize>i * rowBytes;
    let acc = f32x4.splat(0.0);
    let j = 0;
    for (; j + 4 <= N; j += 4) {
      const off = <usize>j << 2;
      acc = f32x4.add(acc, f32x4.mul(v128.load(y + off), v128.load(dy + off)));
    }
    let r = N - j;
    if (r > 0) {
      const off = <usize>j << 2;
      acc = f32x4.add(acc, f32x4.mul(loadPartial(y + off, r, 0), loadPartial(dy + off, r, 0)));
    }
    const dot = f32x4.splat(hsum(acc));
    j = 0;
    for (; j + 4 <= N; j += 4) {
      const off = <usize>j << 2;
      v128.store(dx + off, f32x4.mul(v128.load(y + off), f32x4.sub(v128.load(dy + off), dot)));
    }
    if (r > 0) {
      const off = <usize>j << 2;
      storePartial(dx + off, f32x4.mul(loadPartial(y + off, r, 0), f32x4.sub(loadPartial(dy + off, r, 0), dot)), r);
    }
  }
}
