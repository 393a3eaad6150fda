// Reductions. Sums that feed a returned float64 (sumSquares, l1l2) or a bias
// gradient (colSum) are accumulated in float64 lanes (f64x2), so the result
// matches a float64 reference to ~1 ulp of float32 regardless of M and of
// cancellation; the order is fixed (no dependence on alignment or threads).
import { loadPartial, storePartial, hsum64, accumulate64 } from '../common';

/**
 * out[j] = beta·out[j] + Σ_i X[i,j] over an M×N block (row stride N).
 * beta = 0 overwrites out (it is not read). Sums are in float64 per column, in
 * a fixed order; columns go 8 at a time (rows in order i = 0..M−1) so each row
 * is read in 32-byte runs, then 4 and 1 at a time with even and odd rows summed
 * apart and added (two chains of adds instead of one).
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
  if (j + 4 <= N) {
    // Four columns left: two accumulator pairs, alternate rows, so the adds do not wait on each other.
    let a0 = f64x2.splat(0), a1 = f64x2.splat(0), b0 = f64x2.splat(0), b1 = f64x2.splat(0);
    let p = X + (<usize>j << 2);
    let i = 0;
    for (; i + 2 <= M; i += 2) {
      const v = v128.load(p), u = v128.load(p + rowBytes);
      a0 = f64x2.add(a0, f64x2.promote_low_f32x4(v));
      a1 = f64x2.add(a1, f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1)));
      b0 = f64x2.add(b0, f64x2.promote_low_f32x4(u));
      b1 = f64x2.add(b1, f64x2.promote_low_f32x4(v128.shuffle<f32>(u, u, 2, 3, 0, 1)));
      p += rowBytes << 1;
    }
    if (i < M) {
      const v = v128.load(p);
      a0 = f64x2.add(a0, f64x2.promote_low_f32x4(v));
      a1 = f64x2.add(a1, f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1)));
    }
    storeColumns(out + (<usize>j << 2), f64x2.add(a0, b0), f64x2.add(a1, b1), beta);
    j += 4;
  }
  for (; j < N; j++) {
    let s: f64 = 0, t: f64 = 0;
    let p = X + (<usize>j << 2);
    let i = 0;
    for (; i + 2 <= M; i += 2) {
      s += <f64>load<f32>(p);
      t += <f64>load<f32>(p + rowBytes);
      p += rowBytes << 1;
    }
    if (i < M) s += <f64>load<f32>(p);
    s += t;
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

/**
 * Σ x² over n elements, accumulated in float64 (squares formed in f64: exact). Four accumulators, eight
 * floats a round, so the sum runs at the adds' throughput rather than their latency.
 */
export function sumSquares(X: usize, n: i32): f64 {
  let a0 = f64x2.splat(0), a1 = f64x2.splat(0), a2 = f64x2.splat(0), a3 = f64x2.splat(0);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const p = X + (<usize>i << 2);
    const v = v128.load(p), u = v128.load(p, 16);
    const vl = f64x2.promote_low_f32x4(v), vh = f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1));
    const ul = f64x2.promote_low_f32x4(u), uh = f64x2.promote_low_f32x4(v128.shuffle<f32>(u, u, 2, 3, 0, 1));
    a0 = f64x2.add(a0, f64x2.mul(vl, vl));
    a1 = f64x2.add(a1, f64x2.mul(vh, vh));
    a2 = f64x2.add(a2, f64x2.mul(ul, ul));
    a3 = f64x2.add(a3, f64x2.mul(uh, uh));
  }
  if (i + 4 <= n) {
    const v = v128.load(X + (<usize>i << 2));
    const lo = f64x2.promote_low_f32x4(v);
    const hi = f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1));
    a0 = f64x2.add(a0, f64x2.mul(lo, lo));
    a1 = f64x2.add(a1, f64x2.mul(hi, hi));
    i += 4;
  }
  let s = hsum64(f64x2.add(f64x2.add(a0, a1), f64x2.add(a2, a3)));
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
 * The diagnostics probe's per-step figures, every probed layer in one call, added into float64
 * accumulators (issue 19). `tab` holds L records of 16 i32 (64 bytes): grad, w, size (the kernel's
 * gradient, weights and their length), out, U (the layer's M×U outputs), cols (U column sums), backup
 * (size floats), sat (1: count saturated outputs), then lo, hi as f32. `acc` holds 4 f64 per layer:
 * Σ ‖grad‖, Σ out², Σ ‖w − backup‖/‖w‖, the count of outputs outside [lo, hi].
 * With `update` ≠ 0 the update made since the last call (w against its backup) is measured first; then
 * the outputs' column sums are added into cols, and w is copied to backup for the next update.
 */
export function probeStep(tab: usize, L: i32, M: i32, acc: usize, update: i32): void {
  for (let i = 0; i < L; i++) {
    const r = tab + (<usize>i << 6), a = acc + (<usize>i << 5);
    const w = <usize>load<i32>(r, 4), n = load<i32>(r, 8), out = <usize>load<i32>(r, 12), U = load<i32>(r, 16);
    updateRatio(w, <usize>load<i32>(r, 24), n, a, update, true);
    store<f64>(a, load<f64>(a) + Math.sqrt(sumSquaresRuns(<usize>load<i32>(r), n)));
    store<f64>(a, load<f64>(a, 8) + colSumAddSquares(out, M, U, <usize>load<i32>(r, 20)), 8);
    if (load<i32>(r, 28) != 0) {
      store<f64>(a, load<f64>(a, 24) + <f64>countOutside(out, M * U, load<f32>(r, 32), load<f32>(r, 36)), 24);
    }
  }
}

/** The update part of probeStep alone (the last update of a report, whose next step has not come). */
export function probeUpdate(tab: usize, L: i32, acc: usize): void {
  for (let i = 0; i < L; i++) {
    const r = tab + (<usize>i << 6);
    updateRatio(<usize>load<i32>(r, 4), <usize>load<i32>(r, 24), load<i32>(r, 8), acc + (<usize>i << 5), 1, false);
  }
}

/**
 * With `measure`, acc[2] += ‖w − backup‖ / ‖w‖ (nothing where w = 0); with `copy`, backup = w. One pass
 * over w and backup for both; squares summed in float32 over runs of 256 floats, the runs in float64.
 */
// @ts-ignore: decorator
@inline function updateRatio(w: usize, backup: usize, n: i32, a: usize, measure: i32, copy: bool): void {
  if (measure == 0) {
    if (copy) copyFloats(backup, w, n);
    return;
  }
  let dw: f64 = 0, w2: f64 = 0;
  let i = 0;
  while (i + 4 <= n) {
    const end = min(n, i + 256);
    let d0 = f32x4.splat(0), w0 = f32x4.splat(0);
    for (; i + 4 <= end; i += 4) {
      const off = <usize>i << 2;
      const v = v128.load(w + off);
      const d = f32x4.sub(v, v128.load(backup + off));
      if (copy) v128.store(backup + off, v);
      d0 = f32x4.add(d0, f32x4.mul(d, d));
      w0 = f32x4.add(w0, f32x4.mul(v, v));
    }
    dw += hsum64(accumulate64(f64x2.splat(0), d0));
    w2 += hsum64(accumulate64(f64x2.splat(0), w0));
  }
  for (; i < n; i++) {
    const p = w + (<usize>i << 2), q = backup + (<usize>i << 2);
    const v = load<f32>(p);
    const d = <f64>(v - load<f32>(q));
    if (copy) store<f32>(q, v);
    dw += d * d;
    w2 += <f64>v * <f64>v;
  }
  if (w2 > 0) store<f64>(a, load<f64>(a, 16) + Math.sqrt(dw / w2), 16);
}

/** Σ x² over n floats: float32 over runs of 256, the runs added in float64 (the probe's gradient norms). */
function sumSquaresRuns(X: usize, n: i32): f64 {
  let s: f64 = 0;
  let i = 0;
  while (i + 8 <= n) {
    const end = min(n, i + 256);
    let s0 = f32x4.splat(0), s1 = f32x4.splat(0);
    for (; i + 8 <= end; i += 8) {
      const v = v128.load(X + (<usize>i << 2)), u = v128.load(X + (<usize>i << 2), 16);
      s0 = f32x4.add(s0, f32x4.mul(v, v));
      s1 = f32x4.add(s1, f32x4.mul(u, u));
    }
    s += hsum64(accumulate64(f64x2.splat(0), f32x4.add(s0, s1)));
  }
  for (; i < n; i++) {
    const x = <f64>load<f32>(X + (<usize>i << 2));
    s += x * x;
  }
  return s;
}

/** dst[0..n) = src[0..n), with vector loads and stores (memory.copy is a call out of wasm: slow when small). */
// @ts-ignore: decorator
@inline function copyFloats(dst: usize, src: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(dst + (<usize>i << 2), v128.load(src + (<usize>i << 2)));
  for (; i < n; i++) store<f32>(dst + (<usize>i << 2), load<f32>(src + (<usize>i << 2)));
}

/**
 * out[j] += Σ_i X[i,j] over an M×N block, and Σ X² returned: colSum with beta = 1 and sumSquares in one
 * pass, for the diagnostics' activation statistics. Runs of up to 64 rows are summed in float32 and each
 * run's sums added in float64 (a relative error below 64 float32 ulps, ~4e-6, at a third of the cost of
 * widening every float).
 */
function colSumAddSquares(X: usize, M: i32, N: i32, out: usize): f64 {
  const rowBytes = <usize>N << 2;
  let sq: f64 = 0;
  let j = 0;
  for (; j + 8 <= N; j += 8) {
    let a0 = f64x2.splat(0), a1 = f64x2.splat(0), a2 = f64x2.splat(0), a3 = f64x2.splat(0);
    let q = f64x2.splat(0);
    let p = X + (<usize>j << 2);
    for (let i0 = 0; i0 < M; i0 += 64) {
      const end = min(M, i0 + 64);
      let s0 = f32x4.splat(0), s1 = f32x4.splat(0), q0 = f32x4.splat(0), q1 = f32x4.splat(0);
      for (let i = i0; i < end; i++) {
        const v = v128.load(p), u = v128.load(p, 16);
        s0 = f32x4.add(s0, v);
        s1 = f32x4.add(s1, u);
        q0 = f32x4.add(q0, f32x4.mul(v, v));
        q1 = f32x4.add(q1, f32x4.mul(u, u));
        p += rowBytes;
      }
      a0 = f64x2.add(a0, f64x2.promote_low_f32x4(s0));
      a1 = f64x2.add(a1, f64x2.promote_low_f32x4(v128.shuffle<f32>(s0, s0, 2, 3, 0, 1)));
      a2 = f64x2.add(a2, f64x2.promote_low_f32x4(s1));
      a3 = f64x2.add(a3, f64x2.promote_low_f32x4(v128.shuffle<f32>(s1, s1, 2, 3, 0, 1)));
      q = accumulate64(q, f32x4.add(q0, q1));
    }
    storeColumns(out + (<usize>j << 2), a0, a1, 1);
    storeColumns(out + (<usize>j << 2) + 16, a2, a3, 1);
    sq += hsum64(q);
  }
  if (j + 4 <= N) {
    let a0 = f64x2.splat(0), a1 = f64x2.splat(0);
    let q = f64x2.splat(0);
    let p = X + (<usize>j << 2);
    for (let i0 = 0; i0 < M; i0 += 64) {
      const end = min(M, i0 + 64);
      // Even and odd rows apart: two chains of adds.
      let s0 = f32x4.splat(0), s1 = f32x4.splat(0), q0 = f32x4.splat(0), q1 = f32x4.splat(0);
      let i = i0;
      for (; i + 2 <= end; i += 2) {
        const v = v128.load(p), u = v128.load(p + rowBytes);
        s0 = f32x4.add(s0, v);
        s1 = f32x4.add(s1, u);
        q0 = f32x4.add(q0, f32x4.mul(v, v));
        q1 = f32x4.add(q1, f32x4.mul(u, u));
        p += rowBytes << 1;
      }
      if (i < end) {
        const v = v128.load(p);
        s0 = f32x4.add(s0, v);
        q0 = f32x4.add(q0, f32x4.mul(v, v));
        p += rowBytes;
      }
      const t = f32x4.add(s0, s1);
      a0 = f64x2.add(a0, f64x2.promote_low_f32x4(t));
      a1 = f64x2.add(a1, f64x2.promote_low_f32x4(v128.shuffle<f32>(t, t, 2, 3, 0, 1)));
      q = accumulate64(q, f32x4.add(q0, q1));
    }
    storeColumns(out + (<usize>j << 2), a0, a1, 1);
    sq += hsum64(q);
    j += 4;
  }
  for (; j < N; j++) {
    let s: f64 = 0;
    let p = X + (<usize>j << 2);
    for (let i0 = 0; i0 < M; i0 += 64) {
      const end = min(M, i0 + 64);
      let s0: f32 = 0, s1: f32 = 0, q0: f32 = 0, q1: f32 = 0;
      let i = i0;
      for (; i + 2 <= end; i += 2) {
        const x = load<f32>(p), y = load<f32>(p + rowBytes);
        s0 += x;
        s1 += y;
        q0 += x * x;
        q1 += y * y;
        p += rowBytes << 1;
      }
      if (i < end) {
        const x = load<f32>(p);
        s0 += x;
        q0 += x * x;
        p += rowBytes;
      }
      s += <f64>s0 + <f64>s1;
      sq += <f64>q0 + <f64>q1;
    }
    const o = out + (<usize>j << 2);
    store<f32>(o, <f32>(<f64>load<f32>(o) + s));
  }
  return sq;
}

/** How many of the n floats at X are below lo or above hi. */
function countOutside(X: usize, n: i32, lo: f32, hi: f32): i32 {
  const vlo = f32x4.splat(lo), vhi = f32x4.splat(hi);
  let c = i32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(X + (<usize>i << 2));
    // A lane's mask is −1 where the value is outside.
    c = i32x4.sub(c, v128.or(f32x4.lt(v, vlo), f32x4.gt(v, vhi)));
  }
  let s = i32x4.extract_lane(c, 0) + i32x4.extract_lane(c, 1) + i32x4.extract_lane(c, 2) + i32x4.extract_lane(c, 3);
  for (; i < n; i++) {
    const v = load<f32>(X + (<usize>i << 2));
    if (v < lo || v > hi) s++;
  }
  return s;
}
