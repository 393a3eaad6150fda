// Batch normalization over the rows of an M×N block, statistics per column.
// Column statistics are accumulated in float64 (f64x2), four columns at a time,
// walking down the rows; the mean is subtracted before squaring (two passes,
// no E[x²] − E[x]² cancellation). The elementwise passes run along rows in f32
// with the per-column factors loaded as vectors.
import { loadPartial, storePartial } from '../common';

// Lanes 0–1 / 2–3 of an f32x4 widened to f64x2, and back (one rounding per lane).
// @ts-ignore: decorator
@inline function widen(v: v128): v128 { return f64x2.promote_low_f32x4(v); }
// @ts-ignore: decorator
@inline function widenHi(v: v128): v128 { return f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1)); }
// @ts-ignore: decorator
@inline function narrow(lo: v128, hi: v128): v128 {
  return v128.shuffle<f32>(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5);
}
// Up to four columns at p (r < 4: a partial block, padded with 0).
// @ts-ignore: decorator
@inline function loadCols(p: usize, r: i32): v128 { return r >= 4 ? v128.load(p) : loadPartial(p, r, 0); }
// @ts-ignore: decorator
@inline function storeCols(p: usize, v: v128, r: i32): void { if (r >= 4) v128.store(p, v); else storePartial(p, v, r); }

export function bnForwardTrain(X: usize, Y: usize, M: i32, N: i32, gamma: usize, beta: usize,
  mean: usize, invStd: usize, eps: f64, movMean: usize, movVar: usize, momentum: f64): void {
  if (M <= 0 || N <= 0) return;
  const rowBytes = <usize>N << 2;
  const invM = f64x2.splat(1.0 / <f64>M);
  const epsv = f64x2.splat(<f64>eps);
  const mom = f64x2.splat(<f64>momentum);
  const mom1 = f64x2.splat(1.0 - <f64>momentum);
  const one = f64x2.splat(1.0);
  for (let j = 0; j < N; j += 4) {
    const r = min(4, N - j);
    const colOff = <usize>j << 2;
    // Pass 1: mean (float64, then stored as float32).
    let s0 = f64x2.splat(0), s1 = f64x2.splat(0);
    let p = X + colOff;
    for (let i = 0; i < M; i++) {
      const v = loadCols(p, r);
      s0 = f64x2.add(s0, widen(v));
      s1 = f64x2.add(s1, widenHi(v));
      p += rowBytes;
    }
    const mu0 = f64x2.mul(s0, invM), mu1 = f64x2.mul(s1, invM);
    const mu32 = narrow(mu0, mu1);
    storeCols(mean + colOff, mu32, r);
    // Pass 2: biased variance around the float64 mean.
    let q0 = f64x2.splat(0), q1 = f64x2.splat(0);
    p = X + colOff;
    for (let i = 0; i < M; i++) {
      const v = loadCols(p, r);
      const d0 = f64x2.sub(widen(v), mu0), d1 = f64x2.sub(widenHi(v), mu1);
      q0 = f64x2.add(q0, f64x2.mul(d0, d0));
      q1 = f64x2.add(q1, f64x2.mul(d1, d1));
      p += rowBytes;
    }
    const v0 = f64x2.mul(q0, invM), v1 = f64x2.mul(q1, invM);
    storeCols(invStd + colOff, narrow(
      f64x2.div(one, f64x2.sqrt(f64x2.add(v0, epsv))),
      f64x2.div(one, f64x2.sqrt(f64x2.add(v1, epsv)))), r);
    if (movMean != 0) {
      const mm = loadCols(movMean + colOff, r);
      storeCols(movMean + colOff, narrow(
        f64x2.add(f64x2.mul(mom, widen(mm)), f64x2.mul(mom1, mu0)),
        f64x2.add(f64x2.mul(mom, widenHi(mm)), f64x2.mul(mom1, mu1))), r);
      const mv = loadCols(movVar + colOff, r);
      storeCols(movVar + colOff, narrow(
        f64x2.add(f64x2.mul(mom, widen(mv)), f64x2.mul(mom1, v0)),
        f64x2.add(f64x2.mul(mom, widenHi(mv)), f64x2.mul(mom1, v1))), r);
    }
  }
  // Normalize with the stored float32 mean and invStd (what bnBackward reads).
  normalize(X, Y, M, N, mean, invStd, gamma, beta);
}

/** Y = ((X − mu)·is)·gamma + beta, row by row (gamma/beta = 0: 1/0). Y may alias X. */
// @ts-ignore: decorator
@inline function normalize(X: usize, Y: usize, M: i32, N: i32, mu: usize, is: usize, gamma: usize, beta: usize): void {
  const rowBytes = <usize>N << 2;
  for (let i = 0; i < M; i++) {
    const x0 = X + <usize>i * rowBytes;
    const y0 = Y + <usize>i * rowBytes;
    for (let j = 0; j < N; j += 4) {
      const r = min(4, N - j);
      const off = <usize>j << 2;
      let v = f32x4.mul(f32x4.sub(loadCols(x0 + off, r), loadCols(mu + off, r)), loadCols(is + off, r));
      if (gamma != 0) v = f32x4.mul(v, loadCols(gamma + off, r));
      if (beta != 0) v = f32x4.add(v, loadCols(beta + off, r));
      storeCols(y0 + off, v, r);
    }
  }
}

/**
 * Inference: Y = gamma·(X − movMean)/sqrt(movVar + eps) + beta. 1/sqrt is
 * computed per column in float64 (rounded once), a column block at a time,
 * without scratch memory.
 */
export function bnForwardInfer(X: usize, Y: usize, M: i32, N: i32, gamma: usize, beta: usize,
  movMean: usize, movVar: usize, eps: f64): void {
  if (M <= 0 || N <= 0) return;
  const rowBytes = <usize>N << 2;
  const epsv = f64x2.splat(<f64>eps);
  const one = f64x2.splat(1.0);
  for (let j = 0; j < N; j += 4) {
    const r = min(4, N - j);
    const off = <usize>j << 2;
    const mv = loadCols(movVar + off, r);
    const is = narrow(f64x2.div(one, f64x2.sqrt(f64x2.add(widen(mv), epsv))),
      f64x2.div(one, f64x2.sqrt(f64x2.add(widenHi(mv), epsv))));
    const mu = loadCols(movMean + off, r);
    const g = gamma != 0 ? loadCols(gamma + off, r) : f32x4.splat(1.0);
    const b = beta != 0 ? loadCols(beta + off, r) : f32x4.splat(0.0);
    let x = X + off, y = Y + off;
    for (let i = 0; i < M; i++) {
      let v = f32x4.mul(f32x4.sub(loadCols(x, r), mu), is);
      if (gamma != 0) v = f32x4.mul(v, g);
      if (beta != 0) v = f32x4.add(v, b);
      storeCols(y, v, r);
      x += rowBytes; y += rowBytes;
    }
  }
}

/**
 * Backward: sb = Σ_i dY, sg = Σ_i dY·x̂ (float64), dBeta = sb, dGamma = sg,
 * dX = (gamma·invStd/M)·(M·dY − sb − x̂·sg), x̂ = (X − mean)·invStd.
 */
export function bnBackward(X: usize, dY: usize, dX: usize, M: i32, N: i32, gamma: usize,
  mean: usize, invStd: usize, dGamma: usize, dBeta: usize): void {
  if (M <= 0 || N <= 0) return;
  const rowBytes = <usize>N << 2;
  const fM = <f32>M;
  for (let j = 0; j < N; j += 4) {
    const r = min(4, N - j);
    const off = <usize>j << 2;
    const mu = loadCols(mean + off, r);
    const is = loadCols(invStd + off, r);
    let b0 = f64x2.splat(0), b1 = f64x2.splat(0), g0 = f64x2.splat(0), g1 = f64x2.splat(0);
    let x = X + off, dy = dY + off;
    for (let i = 0; i < M; i++) {
      const d = loadCols(dy, r);
      const xh = f32x4.mul(f32x4.sub(loadCols(x, r), mu), is);
      const dlo = widen(d), dhi = widenHi(d);
      b0 = f64x2.add(b0, dlo);
      b1 = f64x2.add(b1, dhi);
      g0 = f64x2.add(g0, f64x2.mul(dlo, widen(xh)));
      g1 = f64x2.add(g1, f64x2.mul(dhi, widenHi(xh)));
      x += rowBytes; dy += rowBytes;
    }
    const sb = narrow(b0, b1);
    const sg = narrow(g0, g1);
    if (dBeta != 0) storeCols(dBeta + off, sb, r);
    if (dGamma != 0) storeCols(dGamma + off, sg, r);
    const g = gamma != 0 ? loadCols(gamma + off, r) : f32x4.splat(1.0);
    const k = f32x4.div(f32x4.mul(g, is), f32x4.splat(fM));
    const vM = f32x4.splat(fM);
    x = X + off; dy = dY + off;
    let dx = dX + off;
    for (let i = 0; i < M; i++) {
      const xh = f32x4.mul(f32x4.sub(loadCols(x, r), mu), is);
      const v = f32x4.sub(f32x4.sub(f32x4.mul(vM, loadCols(dy, r)), sb), f32x4.mul(xh, sg));
      storeCols(dx, f32x4.mul(k, v), r);
      x += rowBytes; dy += rowBytes; dx += rowBytes;
    }
  }
}
