// Reductions. Sums that feed a returned float64 (sumSquares, l1l2) or a bias
// gradient (colSum) are accumulated in float64 lanes (f64x2), so the result
// matches a float64 reference to ~1 ulp of float32 regardless of M and of
// cancellation; the order is fixed (no dependence on alignment or threads).
import { loadPartial, storePartial, hsum64 } from '../common';

/**
 * out[j] = beta·out[j] + Σ_i X[i,j] over an M×N block (row stride N).
 * beta = 0 overwrites out (it is not read). Rows are summed in order i = 0..M−1,
 * in float64, per column; columns go 8 at a time so each row is read in 32-byte
 * runs.
 */
export function colSum(X: usize, M: i32, N: i32, out: usize, beta: f64): void {
  const rowBytes = <usize>N << 2;
  let j = 0;
  for (; j + 8 <= N; j += 8) {
    let a0 = f64x2.splat(0), a1 = f64x2.splat(0), a2 = f64x2.splat(0), a3 = f64x2.splat(0);
    let p = X + (<usize>j << 2);
    for (let i = 0; i < M; i++) {
      const v0 = v128.load(p);
      const v1 = v128.load(p, 16);
      a0 = f64x2.add(a0, f64x2.promote_low_f32x4(v0));
      a1 = f64x2.add(a1, f64x2.promote_low_f32x4(v128.shuffle<f32>(v0, v0, 2, 3, 0, 1)));
      a2 = f64x2.add(a2, f64x2.promote_low_f32x4(v1));
      a3 = f64x2.add(a3, f64x2.promote_low_f32x4(v128.shuffle<f32>(v1, v1, 2, 3, 0, 1)));
      p += rowBytes;
    }
    storeColumns(out + (<usize>j << 2), a0, a1, beta);
    storeColumns(out + (<usize>j << 2) + 16, a2, a3, beta);
  }
  for (; j < N; j++) {
    let s: f64 = 0;
    let p = X + (<usize>j << 2);
    for (let i = 0; i < M; i++) { s += <f64>load<f32>(p); p += rowBytes; }
    const o = out + (<usize>j << 2);
    store<f32>(o, <f32>(beta == 0 ? s : beta * <f64>load<f32>(o) + s));
  }
}

// @ts-ignore: decorator
@inline function storeColumns(o: usize, lo: v128, hi: v128, beta: f64): void {
  // Demote the two f64 pairs to four f32 lanes (one rounding each).
  let v: v128;
  if (beta == 0) {
    v = v128.shuffle<f32>(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5);
  } else {
    const prev = v128.load(o);
    const b = f64x2.splat(beta);
    const plo = f64x2.add(f64x2.mul(b, f64x2.promote_low_f32x4(prev)), lo);
    const phi = f64x2.add(f64x2.mul(b, f64x2.promote_low_f32x4(v128.shuffle<f32>(prev, prev, 2, 3, 0, 1))), hi);
    v = v128.shuffle<f32>(f32x4.demote_f64x2_zero(plo), f32x4.demote_f64x2_zero(phi), 0, 1, 4, 5);
  }
  v128.store(o, v);
}

/** Σ x² over n elements, accumulated in float64 (squares formed in f64: exact). */
export function sumSquares(X: usize, n: i32): f64 {
  let a0 = f64x2.splat(0), a1 = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(X + (<usize>i << 2));
    const lo = f64x2.promote_low_f32x4(v);
    const hi = f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1));
    a0 = f64x2.add(a0, f64x2.mul(lo, lo));
    a1 = f64x2.add(a1, f64x2.mul(hi, hi));
  }
  let s = hsum64(f64x2.add(a0, a1));
  for (; i < n; i++) { const x = <f64>load<f32>(X + (<usize>i << 2)); s += x * x; }
  return s;
}

/**
 * Regularization: G[i] += l1·sign(W[i]) + 2·l2·W[i] (if G ≠ 0); returns
 * l1·Σ|W| + l2·ΣW² in float64. sign(0) = 0.
 */
export function l1l2(W: usize, G: usize, n: i32, l1: f64, l2: f64): f64 {
  let sa = f64x2.splat(0), sq = f64x2.splat(0);
  const vl1 = f32x4.splat(<f32>l1);
  const v2l2 = f32x4.splat(<f32>(2.0 * l2));
  const zero = f32x4.splat(0.0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const off = <usize>i << 2;
    const w = v128.load(W + off);
    const lo = f64x2.promote_low_f32x4(w);
    const hi = f64x2.promote_low_f32x4(v128.shuffle<f32>(w, w, 2, 3, 0, 1));
    sa = f64x2.add(sa, f64x2.add(f64x2.abs(lo), f64x2.abs(hi)));
    sq = f64x2.add(sq, f64x2.add(f64x2.mul(lo, lo), f64x2.mul(hi, hi)));
    if (G != 0) v128.store(G + off, f32x4.add(v128.load(G + off), gradTerm(w, vl1, v2l2, zero)));
  }
  const r = n - i;
  if (r > 0) {
    const off = <usize>i << 2;
    const w = loadPartial(W + off, r, 0);
    const lo = f64x2.promote_low_f32x4(w);
    const hi = f64x2.promote_low_f32x4(v128.shuffle<f32>(w, w, 2, 3, 0, 1));
    sa = f64x2.add(sa, f64x2.add(f64x2.abs(lo), f64x2.abs(hi)));
    sq = f64x2.add(sq, f64x2.add(f64x2.mul(lo, lo), f64x2.mul(hi, hi)));
    if (G != 0) storePartial(G + off, f32x4.add(loadPartial(G + off, r, 0), gradTerm(w, vl1, v2l2, zero)), r);
  }
  return l1 * hsum64(sa) + l2 * hsum64(sq);
}

// @ts-ignore: decorator
@inline function gradTerm(w: v128, vl1: v128, v2l2: v128, zero: v128): v128 {
  // sign(w)·l1: +l1 where w > 0, −l1 where w < 0, 0 at 0.
  const pos = v128.and(f32x4.gt(w, zero), vl1);
  const neg = v128.and(f32x4.lt(w, zero), vl1);
  return f32x4.add(f32x4.sub(pos, neg), f32x4.mul(v2l2, w));
}


/**
 * colSum (beta = 1 adds into out) and, returned, Σ X² over the block in float64: the diagnostics probe's
 * per-layer output statistics in one call.
 */
export function colSumSquares(X: usize, M: i32, N: i32, out: usize, beta: f64): f64 {
  colSum(X, M, N, out, beta);
  return sumSquares(X, M * N);
}

/** Σ (A[i] − B[i])² over n elements, accumulated in float64 (‖Δw‖² of an update, with no copy written). */
export function sumSquaresDiff(A: usize, B: usize, n: i32): f64 {
  let a0 = f64x2.splat(0), a1 = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const off = <usize>i << 2;
    const d = f32x4.sub(v128.load(A + off), v128.load(B + off));
    const lo = f64x2.promote_low_f32x4(d);
    const hi = f64x2.promote_low_f32x4(v128.shuffle<f32>(d, d, 2, 3, 0, 1));
    a0 = f64x2.add(a0, f64x2.mul(lo, lo));
    a1 = f64x2.add(a1, f64x2.mul(hi, hi));
  }
  let s = hsum64(f64x2.add(a0, a1));
  for (; i < n; i++) {
    const d = <f64>(load<f32>(A + (<usize>i << 2)) - load<f32>(B + (<usize>i << 2)));
    s += d * d;
  }
  return s;
}
