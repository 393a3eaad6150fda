// Loss kernels on an M×N block of predictions. Each returns Σ_i w_i·loss_i in
// float64: element terms are computed in f32 lanes and summed per row in
// float64 (f64x2), loss_i = rowSum/N for the mean losses (rowSum for the
// categorical ones), total += w_i·loss_i in float64. Gradients are written in
// f32 as c_i·∂term/∂p with c_i = gradScale·w_i/N (or gradScale·w_i).
//
// The elementwise losses share one loop, generic over a class per loss (see
// activations.ts for the pattern). Tail lanes are masked out of the sum:
// a zero-padded lane is not a zero term for every loss (hinge, BCE).
import { loadPartial, storePartial, hsum, hsum64, accumulate64, select } from '../common';
import { vexp, vlog, vlog1p, vtanh, vexpm1, vsigmoid } from '../math/vmath';
import { rowMax } from './softmax';


/** Keras's epsilon and its complement, both as float32 (the JS backend clips with the same values). */
// @ts-ignore: decorator
@inline const EPS: f32 = 1e-7;
// @ts-ignore: decorator
@inline const ONE_MINUS_EPS: f32 = 0.99999988079071044921875; // fround(1 − 1e-7)
// @ts-ignore: decorator
@inline const LN2: f32 = 0.693147180559945309;

/** Lanes 0..r−1 set. */
// @ts-ignore: decorator
@inline function laneMask(r: i32): v128 {
  return i32x4.lt_s(i32x4(0, 1, 2, 3), i32x4.splat(r));
}

/** ln cosh d, without overflow and without cancellation near 0. */
// @ts-ignore: decorator
@inline function vlogCosh(d: v128): v128 {
  const a = f32x4.abs(d);
  // Small/moderate |d|: with u = e^{|d|} − 1, cosh d − 1 = u²/(2(1+u)), so
  // ln cosh d = ln(1 + u²/(2(1+u))) — accurate down to d → 0 (≈ d²/2).
  const u = vexpm1(a);
  const q = f32x4.div(f32x4.mul(u, u), f32x4.mul(f32x4.add(u, f32x4.splat(1.0)), f32x4.splat(2.0)));
  const small = vlog1p(q);
  // Large |d| (u² would overflow): |d| − ln 2 + ln(1 + e^{−2|d|}).
  const big = f32x4.add(f32x4.sub(a, f32x4.splat(LN2)), vlog1p(vexp(f32x4.mul(a, f32x4.splat(-2.0)))));
  return select(small, big, f32x4.lt(a, f32x4.splat(10.0)));
}

// Each elementwise loss is a class: term(t, p, delta) the element term for
// targets t and predictions p; grad(t, p, delta) = ∂term/∂p (before the row
// factor c). Clipped losses have zero gradient outside the clip, as in TF.
// Never instantiated: lossLoop<T> calls the methods on changetype<T>(0), which
// the compiler resolves and inlines statically (see activations.ts).

// @ts-ignore: decorator
@final @unmanaged class Mse {
  // @ts-ignore: decorator
  @inline term(t: v128, p: v128, delta: v128): v128 { const d = f32x4.sub(p, t); return f32x4.mul(d, d); }
  // @ts-ignore: decorator
  @inline grad(t: v128, p: v128, delta: v128): v128 { const d = f32x4.sub(p, t); return f32x4.add(d, d); }
}

// @ts-ignore: decorator
@final @unmanaged class Mae {
  // @ts-ignore: decorator
  @inline term(t: v128, p: v128, delta: v128): v128 { return f32x4.abs(f32x4.sub(p, t)); }
  // @ts-ignore: decorator
  @inline grad(t: v128, p: v128, delta: v128): v128 {
    const zero = f32x4.splat(0.0), one = f32x4.splat(1.0);
    const d = f32x4.sub(p, t);
    return f32x4.sub(v128.and(f32x4.gt(d, zero), one), v128.and(f32x4.lt(d, zero), one));
  }
}

// @ts-ignore: decorator
@final @unmanaged class Huber {
  // @ts-ignore: decorator
  @inline term(t: v128, p: v128, delta: v128): v128 {
    const d = f32x4.sub(p, t);
    const a = f32x4.abs(d);
    const quad = f32x4.mul(f32x4.mul(d, d), f32x4.splat(0.5));
    const lin = f32x4.mul(delta, f32x4.sub(a, f32x4.mul(delta, f32x4.splat(0.5))));
    return select(quad, lin, f32x4.le(a, delta));
  }
  // @ts-ignore: decorator
  @inline grad(t: v128, p: v128, delta: v128): v128 {
    const zero = f32x4.splat(0.0);
    const d = f32x4.sub(p, t);
    const sgn = f32x4.sub(v128.and(f32x4.gt(d, zero), delta), v128.and(f32x4.lt(d, zero), delta));
    return select(d, sgn, f32x4.le(f32x4.abs(d), delta));
  }
}

// @ts-ignore: decorator
@final @unmanaged class LogCosh {
  // @ts-ignore: decorator
  @inline term(t: v128, p: v128, delta: v128): v128 { return vlogCosh(f32x4.sub(p, t)); }
  // @ts-ignore: decorator
  @inline grad(t: v128, p: v128, delta: v128): v128 { return vtanh(f32x4.sub(p, t)); }
}

// @ts-ignore: decorator
@final @unmanaged class Hinge {
  // @ts-ignore: decorator
  @inline term(t: v128, p: v128, delta: v128): v128 {
    const zero = f32x4.splat(0.0), one = f32x4.splat(1.0);
    const tt = select(f32x4.splat(-1.0), t, f32x4.eq(t, zero));
    return f32x4.max(f32x4.sub(one, f32x4.mul(tt, p)), zero);
  }
  // @ts-ignore: decorator
  @inline grad(t: v128, p: v128, delta: v128): v128 {
    const zero = f32x4.splat(0.0), one = f32x4.splat(1.0);
    const tt = select(f32x4.splat(-1.0), t, f32x4.eq(t, zero));
    return select(f32x4.neg(tt), zero, f32x4.gt(f32x4.sub(one, f32x4.mul(tt, p)), zero));
  }
}

// @ts-ignore: decorator
@final @unmanaged class Bce {
  // @ts-ignore: decorator
  @inline term(t: v128, p: v128, delta: v128): v128 {
    const one = f32x4.splat(1.0);
    const pc = f32x4.min(f32x4.max(p, f32x4.splat(EPS)), f32x4.splat(ONE_MINUS_EPS));
    // ln(1 − p) as log1p(−p): exact-ish for tiny p, where 1 − p would round.
    const lp = vlog(pc);
    const lq = vlog1p(f32x4.neg(pc));
    return f32x4.neg(f32x4.add(f32x4.mul(t, lp), f32x4.mul(f32x4.sub(one, t), lq)));
  }
  // @ts-ignore: decorator
  @inline grad(t: v128, p: v128, delta: v128): v128 {
    const one = f32x4.splat(1.0);
    const inside = v128.and(f32x4.ge(p, f32x4.splat(EPS)), f32x4.le(p, f32x4.splat(ONE_MINUS_EPS)));
    const g = f32x4.sub(f32x4.div(f32x4.sub(one, t), f32x4.sub(one, p)), f32x4.div(t, p));
    return v128.and(g, inside);
  }
}

// @ts-ignore: decorator
@inline function lossLoop<L>(T: usize, P: usize, G: usize, W: usize, M: i32, N: i32,
  gradScale: f64, delta: f64, smooth: f64 = 0): f64 {
  const f = changetype<L>(0);
  const vd = f32x4.splat(<f32>delta);
  // Label smoothing (BCE): t' = t·(1 − s) + s/2.
  const ks = f32x4.splat(<f32>(1.0 - smooth)), hs = f32x4.splat(<f32>(0.5 * smooth));
  const rowBytes = <usize>N << 2;
  let total: f64 = 0;
  for (let i = 0; i < M; i++) {
    const w: f64 = W != 0 ? <f64>load<f32>(W + (<usize>i << 2)) : 1.0;
    const c = f32x4.splat(<f32>(gradScale * w / <f64>N));
    const t0 = T + <usize>i * rowBytes;
    const p0 = P + <usize>i * rowBytes;
    const g0 = G + <usize>i * rowBytes;
    if (w == 0) {
      // A row of weight 0 contributes nothing: a zero gradient, no loss (even
      // where its float32 term overflows, which 0·∞ would turn into NaN).
      if (G != 0) memory.fill(g0, 0, rowBytes);
      continue;
    }
    let acc = f64x2.splat(0);
    let j = 0;
    for (; j + 4 <= N; j += 4) {
      const off = <usize>j << 2;
      let t = v128.load(t0 + off);
      if (smooth != 0) t = f32x4.add(f32x4.mul(t, ks), hs);
      const p = v128.load(p0 + off);
      acc = accumulate64(acc, f.term(t, p, vd));
      if (G != 0) v128.store(g0 + off, f32x4.mul(f.grad(t, p, vd), c));
    }
    const r = N - j;
    if (r > 0) {
      const off = <usize>j << 2;
      // Pad p with 0.5 (inside every clip range) and mask the padded lanes out.
      let t = loadPartial(t0 + off, r, 0);
      if (smooth != 0) t = f32x4.add(f32x4.mul(t, ks), hs);
      const p = loadPartial(p0 + off, r, 0.5);
      acc = accumulate64(acc, v128.and(f.term(t, p, vd), laneMask(r)));
      if (G != 0) storePartial(g0 + off, f32x4.mul(f.grad(t, p, vd), c), r);
    }
    const s = hsum64(acc);
    // A row of weight 0 adds nothing, even if its loss overflowed (0·∞ would be NaN).
    if (w != 0) total += w * (s / <f64>N);
  }
  return total;
}

export function mse(T: usize, P: usize, G: usize, W: usize, M: i32, N: i32, gradScale: f64): f64 {
  return lossLoop<Mse>(T, P, G, W, M, N, gradScale, 0);
}
export function mae(T: usize, P: usize, G: usize, W: usize, M: i32, N: i32, gradScale: f64): f64 {
  return lossLoop<Mae>(T, P, G, W, M, N, gradScale, 0);
}
export function huber(T: usize, P: usize, G: usize, W: usize, M: i32, N: i32, gradScale: f64, delta: f64): f64 {
  return lossLoop<Huber>(T, P, G, W, M, N, gradScale, delta);
}
export function logCosh(T: usize, P: usize, G: usize, W: usize, M: i32, N: i32, gradScale: f64): f64 {
  return lossLoop<LogCosh>(T, P, G, W, M, N, gradScale, 0);
}
export function hinge(T: usize, P: usize, G: usize, W: usize, M: i32, N: i32, gradScale: f64): f64 {
  return lossLoop<Hinge>(T, P, G, W, M, N, gradScale, 0);
}
/** BCE on probabilities; `smooth` is the label smoothing (0: none; NaN, an absent argument, counts as 0). */
export function bce(T: usize, P: usize, G: usize, W: usize, M: i32, N: i32, gradScale: f64, smooth: f64): f64 {
  return smooth > 0 ? lossLoop<Bce>(T, P, G, W, M, N, gradScale, 0, smooth) : lossLoop<Bce>(T, P, G, W, M, N, gradScale, 0, 0);
}

/** Row sum of n floats at p, in float64. */
// @ts-ignore: decorator
@inline function rowSum64(p: usize, n: i32): f64 {
  let acc = f64x2.splat(0);
  let j = 0;
  for (; j + 4 <= n; j += 4) acc = accumulate64(acc, v128.load(p + (<usize>j << 2)));
  if (j < n) acc = accumulate64(acc, loadPartial(p + (<usize>j << 2), n - j, 0));
  return hsum64(acc);
}

/**
 * CCE on probabilities, as Keras 3 computes it: each row of P is first
 * rescaled to sum to 1 (p = q/S, S = Σ q), then clipped to [eps, 1 − eps];
 * loss_i = −Σ_j t'_j·ln p_j with t' = t·(1 − s) + s/N (label smoothing s).
 * A row summing to 0 (or less) is left unscaled (S = 1) rather than divided 0/0.
 * Gradient with respect to q (the chain rule through the rescale):
 * G_k = c·(g_k − Σ_j g_j·p_j)/S with g_j = −t'_j/p_j inside the clip and 0
 * outside, i.e. G_k = c·(g_k + Σ_{j inside} t'_j)/S.
 */
export function cce(T: usize, P: usize, G: usize, W: usize, M: i32, N: i32, gradScale: f64, smooth: f64): f64 {
  if (!(smooth > 0)) smooth = 0;
  const rowBytes = <usize>N << 2;
  const ks = f32x4.splat(<f32>(1.0 - smooth)), hs = f32x4.splat(<f32>(smooth / <f64>N));
  const zero = f32x4.splat(0.0);
  const lo = f32x4.splat(EPS), hi = f32x4.splat(ONE_MINUS_EPS);
  let total: f64 = 0;
  for (let i = 0; i < M; i++) {
    const w: f64 = W != 0 ? <f64>load<f32>(W + (<usize>i << 2)) : 1.0;
    const t0 = T + <usize>i * rowBytes;
    const p0 = P + <usize>i * rowBytes;
    const g0 = G + <usize>i * rowBytes;
    if (w == 0) {
      if (G != 0) memory.fill(g0, 0, rowBytes);
      continue;
    }
    // A row summing to 0 (or less) is left unscaled: Keras would divide 0 by 0.
    let S = rowSum64(p0, N);
    if (!(S > 0)) S = 1;
    // p = q·(1/S): a multiplication per element instead of a division (within an ulp of q/S).
    const vinv = f32x4.splat(<f32>(1.0 / S));
    // Pass 1: the loss, Σ t' over the elements inside the clip, and g = −t'/p (inside, else 0) stored in G.
    let acc = f64x2.splat(0);
    let tin = f64x2.splat(0);
    let j = 0;
    for (; j < N; j += 4) {
      const r = min(4, N - j);
      const off = <usize>j << 2;
      const mask = laneMask(r);
      const t = f32x4.add(f32x4.mul(r == 4 ? v128.load(t0 + off) : loadPartial(t0 + off, r, 0), ks), hs);
      const p = f32x4.mul(r == 4 ? v128.load(p0 + off) : loadPartial(p0 + off, r, 0.5), vinv);
      const pc = f32x4.min(f32x4.max(p, lo), hi);
      // t' = 0 contributes nothing (not 0·(−Inf) = NaN).
      const term = select(zero, f32x4.neg(f32x4.mul(t, vlog(pc))), f32x4.eq(t, zero));
      acc = accumulate64(acc, v128.and(term, mask));
      if (G != 0) {
        const inside = v128.and(f32x4.ge(p, lo), f32x4.le(p, hi));
        tin = accumulate64(tin, v128.and(v128.and(t, inside), mask));
        const g = v128.and(f32x4.neg(f32x4.div(t, p)), inside);
        if (r == 4) v128.store(g0 + off, g); else storePartial(g0 + off, g, r);
      }
    }
    total += w * hsum64(acc);
    if (G == 0) continue;
    // Pass 2: G = c·(g + Σ t'), c = gradScale·w/S.
    const c = f32x4.splat(<f32>(gradScale * w / S));
    const vt = f32x4.splat(<f32>hsum64(tin));
    j = 0;
    for (; j + 4 <= N; j += 4) {
      const off = <usize>j << 2;
      v128.store(g0 + off, f32x4.mul(f32x4.add(v128.load(g0 + off), vt), c));
    }
    if (j < N) {
      const off = <usize>j << 2;
      storePartial(g0 + off, f32x4.mul(f32x4.add(loadPartial(g0 + off, N - j, 0), vt), c), N - j);
    }
  }
  return total;
}

/**
 * The class index stored as a float in L[i], or −1 if it is not an integer in
 * [0, N). Kernels cannot throw: a bad label makes the returned loss NaN (and
 * its gradient row 0), and the JS binding then finds the row and throws.
 */
// @ts-ignore: decorator
@inline function label(L: usize, i: i32, N: i32): i32 {
  const v = load<f32>(L + (<usize>i << 2));
  // `v >= 0 && v < N` is false for NaN too.
  if (!(v >= 0 && v < <f32>N)) return -1;
  const k = <i32>v;
  return <f32>k == v ? k : -1;
}

/** Write zeros to n floats. */
// @ts-ignore: decorator
@inline function zeroRow(p: usize, n: i32): void {
  memory.fill(p, 0, <usize>n << 2);
}

/**
 * Sparse CCE on probabilities: as cce with a one-hot target (no smoothing).
 * p = q_k/S (S the row sum, as Keras rescales), loss_i = −ln clip(p); the
 * gradient, inside the clip, is c/S for every column and c·(1 − 1/p)/S for
 * the label's; 0 outside. A row whose label equals `ignore` (NaN: none) gets
 * no loss and a zero gradient, whatever its label (Keras's ignore_class).
 */
export function sparseCce(L: usize, P: usize, G: usize, W: usize, M: i32, N: i32, gradScale: f64, ignore: f64): f64 {
  const rowBytes = <usize>N << 2;
  let total: f64 = 0;
  for (let i = 0; i < M; i++) {
    const w: f64 = W != 0 ? <f64>load<f32>(W + (<usize>i << 2)) : 1.0;
    const g0 = G + <usize>i * rowBytes;
    if (G != 0) zeroRow(g0, N);
    if (<f64>load<f32>(L + (<usize>i << 2)) == ignore) continue;
    const k = label(L, i, N);
    if (k < 0) { total = NaN; continue; }
    if (w == 0) continue;
    const p0 = P + <usize>i * rowBytes;
    let S = rowSum64(p0, N);
    if (!(S > 0)) S = 1; // a row summing to 0 is left unscaled (Keras would divide 0 by 0)
    const p = load<f32>(p0 + (<usize>k << 2)) / <f32>S;
    const pc = min<f32>(max<f32>(p, EPS), ONE_MINUS_EPS);
    const lp = f32x4.extract_lane(vlog(f32x4.splat(pc)), 0);
    total -= w * <f64>lp;
    if (G != 0 && p >= EPS && p <= ONE_MINUS_EPS) {
      const c = gradScale * w / S;
      const vc = f32x4.splat(<f32>c);
      let j = 0;
      for (; j + 4 <= N; j += 4) v128.store(g0 + (<usize>j << 2), vc);
      if (j < N) storePartial(g0 + (<usize>j << 2), vc, N - j);
      store<f32>(g0 + (<usize>k << 2), <f32>(c * (1.0 - 1.0 / <f64>p)));
    }
  }
  return total;
}

/**
 * Fused sigmoid + BCE on logits: term = max(z,0) − z·t + ln(1 + e^{−|z|}),
 * P = sigmoid(z) (if P ≠ 0), G = c·(sigmoid(z) − t).
 */
export function sigmoidBce(T: usize, Z: usize, P: usize, G: usize, W: usize, M: i32, N: i32, gradScale: f64, smooth: f64): f64 {
  // Label smoothing: t' = t·(1 − s) + s/2 (s = 0: none; NaN, an absent argument, counts as 0).
  if (!(smooth > 0)) smooth = 0;
  const ks = f32x4.splat(<f32>(1.0 - smooth)), hs = f32x4.splat(<f32>(0.5 * smooth));
  const rowBytes = <usize>N << 2;
  let total: f64 = 0;
  for (let i = 0; i < M; i++) {
    const w: f64 = W != 0 ? <f64>load<f32>(W + (<usize>i << 2)) : 1.0;
    const c = f32x4.splat(<f32>(gradScale * w / <f64>N));
    const base = <usize>i * rowBytes;
    let acc = f64x2.splat(0);
    let j = 0;
    for (; j + 4 <= N; j += 4) {
      const off = base + (<usize>j << 2);
      let t = v128.load(T + off);
      if (smooth != 0) t = f32x4.add(f32x4.mul(t, ks), hs);
      const z = v128.load(Z + off);
      acc = accumulate64(acc, sigmoidBceTerm(t, z));
      const s = vsigmoid(z);
      if (P != 0) v128.store(P + off, s);
      if (G != 0) v128.store(G + off, f32x4.mul(f32x4.sub(s, t), c));
    }
    const r = N - j;
    if (r > 0) {
      const off = base + (<usize>j << 2);
      let t = loadPartial(T + off, r, 0);
      if (smooth != 0) t = f32x4.add(f32x4.mul(t, ks), hs);
      const z = loadPartial(Z + off, r, 0);
      acc = accumulate64(acc, v128.and(sigmoidBceTerm(t, z), laneMask(r)));
      const s = vsigmoid(z);
      if (P != 0) storePartial(P + off, s, r);
      if (G != 0) storePartial(G + off, f32x4.mul(f32x4.sub(s, t), c), r);
    }
    if (w != 0) total += w * (hsum64(acc) / <f64>N);
  }
  return total;
}

// @ts-ignore: decorator
@inline function sigmoidBceTerm(t: v128, z: v128): v128 {
  const sp = vlog1p(vexp(f32x4.neg(f32x4.abs(z))));
  return f32x4.add(f32x4.sub(f32x4.max(z, f32x4.splat(0.0)), f32x4.mul(z, t)), sp);
}

/**
 * Fused softmax + CCE on logits. Per row: m = max z, s = Σ e^{z−m};
 * loss_i = Σ_j t_j·(ln s − (z_j − m)) (terms with t = 0 skipped, so a −Inf
 * logit does not give 0·∞); P = e^{z−m}/s; G = c·(P − T), c = gradScale·w_i.
 */
export function softmaxCce(T: usize, Z: usize, P: usize, G: usize, W: usize, M: i32, N: i32, gradScale: f64, smooth: f64): f64 {
  // Label smoothing: t' = t·(1 − s) + s/N (s = 0: none; NaN, an absent argument, counts as 0).
  return softmaxLoss(false, T, Z, P, G, W, M, N, gradScale, smooth > 0 ? smooth : 0, NaN);
}

/**
 * As softmaxCce with the targets given as class indices (float32) in L. A row
 * whose label equals `ignore` (NaN: none) gets no loss and a zero gradient
 * (P is still written).
 */
export function sparseSoftmaxCce(L: usize, Z: usize, P: usize, G: usize, W: usize, M: i32, N: i32, gradScale: f64, ignore: f64): f64 {
  return softmaxLoss(true, L, Z, P, G, W, M, N, gradScale, 0, ignore);
}

// @ts-ignore: decorator
@inline function softmaxLoss(sparse: bool, T: usize, Z: usize, P: usize, G: usize, W: usize, M: i32, N: i32,
  gradScale: f64, smooth: f64, ignore: f64): f64 {
  const rowBytes = <usize>N << 2;
  const ks = f32x4.splat(<f32>(1.0 - smooth)), hs = f32x4.splat(<f32>(smooth / <f64>N));
  let total: f64 = 0;
  for (let i = 0; i < M; i++) {
    let w: f64 = W != 0 ? <f64>load<f32>(W + (<usize>i << 2)) : 1.0;
    const base = <usize>i * rowBytes;
    const z0 = Z + base;
    const t0 = T + base;
    let k = -1;
    // An ignored row: weight 0 (no loss, zero gradient) with a stand-in label; P is still written.
    if (sparse && <f64>load<f32>(T + (<usize>i << 2)) == ignore) { w = 0; k = 0; }
    else if (sparse) {
      k = label(T, i, N);
      if (k < 0) {
        total = NaN;
        if (G != 0) zeroRow(G + base, N);
        if (P != 0) zeroRow(P + base, N);
        continue;
      }
    }
    const c = f32x4.splat(<f32>(gradScale * w));
    const m = rowMax(z0, N);
    const vm = f32x4.splat(m);
    // Pass 1: s = Σ e^{z−m}.
    let sv = f32x4.splat(0.0);
    let j = 0;
    for (; j + 4 <= N; j += 4) sv = f32x4.add(sv, vexp(f32x4.sub(v128.load(z0 + (<usize>j << 2)), vm)));
    const r = N - j;
    if (r > 0) sv = f32x4.add(sv, vexp(f32x4.sub(loadPartial(z0 + (<usize>j << 2), r, -Infinity), vm)));
    const s = hsum(sv);
    const ls = f32x4.splat(f32x4.extract_lane(vlog(f32x4.splat(s)), 0));
    const vs = f32x4.splat(s);
    // Pass 2: loss terms, P and G.
    let loss: f64 = 0;
    if (sparse) {
      loss = <f64>f32x4.extract_lane(ls, 0) - (<f64>load<f32>(z0 + (<usize>k << 2)) - <f64>m);
    }
    let acc = f64x2.splat(0);
    const lanes = i32x4(0, 1, 2, 3);
    j = 0;
    for (; j + 4 <= N; j += 4) {
      const off = <usize>j << 2;
      const z = f32x4.sub(v128.load(z0 + off), vm);
      let t = sparse ? oneHot(lanes, j, k) : v128.load(t0 + off);
      if (!sparse && smooth != 0) t = f32x4.add(f32x4.mul(t, ks), hs);
      if (!sparse) acc = accumulate64(acc, ceTerm(t, z, ls));
      if (P != 0 || G != 0) {
        const p = f32x4.div(vexp(z), vs);
        if (P != 0) v128.store(P + base + off, p);
        if (G != 0) v128.store(G + base + off, f32x4.mul(f32x4.sub(p, t), c));
      }
    }
    if (r > 0) {
      const off = <usize>j << 2;
      const z = f32x4.sub(loadPartial(z0 + off, r, 0), vm);
      let t = sparse ? oneHot(lanes, j, k) : loadPartial(t0 + off, r, 0);
      if (!sparse && smooth != 0) t = f32x4.add(f32x4.mul(t, ks), hs);
      // Padded lanes (t = 0, or s/N when smoothing) are masked out.
      if (!sparse) acc = accumulate64(acc, v128.and(ceTerm(t, z, ls), laneMask(r)));
      if (P != 0 || G != 0) {
        const p = f32x4.div(vexp(z), vs);
        if (P != 0) storePartial(P + base + off, p, r);
        if (G != 0) storePartial(G + base + off, f32x4.mul(f32x4.sub(p, t), c), r);
      }
    }
    if (!sparse) loss = hsum64(acc);
    if (w != 0) total += w * loss;
  }
  return total;
}

/** t·(ln s − (z − m)) with z already shifted by m; 0 where t = 0. */
// @ts-ignore: decorator
@inline function ceTerm(t: v128, zShift: v128, ls: v128): v128 {
  return select(f32x4.splat(0.0), f32x4.mul(t, f32x4.sub(ls, zShift)), f32x4.eq(t, f32x4.splat(0.0)));
}

/** 1.0 in the lane whose column index (j + lane) equals k, else 0. */
// @ts-ignore: decorator
@inline function oneHot(lanes: v128, j: i32, k: i32): v128 {
  return v128.and(i32x4.eq(i32x4.add(lanes, i32x4.splat(j)), i32x4.splat(k)), f32x4.splat(1.0));
}
