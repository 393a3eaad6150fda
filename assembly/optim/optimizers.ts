// Optimizer updates, in place on W and the slot arrays.
//
// Arithmetic is float64 (f64x2, two elements per step) in exactly the order of
// the formulas in src/backend/types.ts, each stored value rounded to float32
// once: the result is then the JS reference's, bit for bit (+, −, ×, ÷ and
// sqrt are correctly rounded in both). In float32 the slot updates
// M += (G − M)(1 − β1) cancel when M and G are close, and drifted up to 1e-5
// relative from the reference after a few steps. Optimizer steps are memory
// bound, so the wider arithmetic costs little. Hyperparameters arrive as f64
// (JS numbers, unrounded).

/** Two floats at p widened to f64 (r = 1: one float, lane 1 = 0). */
// @ts-ignore: decorator
@inline function ld(p: usize, r: i32): v128 {
  return f64x2.promote_low_f32x4(r == 2 ? v128.load64_zero(p) : v128.load32_zero(p));
}
/** Round two f64 lanes to f32 and store r (1 or 2) of them at p. */
// @ts-ignore: decorator
@inline function st(p: usize, v: v128, r: i32): void {
  const f = f32x4.demote_f64x2_zero(v);
  if (r == 2) v128.store64_lane(p, f, 0); else v128.store32_lane(p, f, 0);
}
// @ts-ignore: decorator
@inline function sp(x: f64): v128 { return f64x2.splat(x); }
// @ts-ignore: decorator
@inline function add(a: v128, b: v128): v128 { return f64x2.add(a, b); }
// @ts-ignore: decorator
@inline function sub(a: v128, b: v128): v128 { return f64x2.sub(a, b); }
// @ts-ignore: decorator
@inline function mul(a: v128, b: v128): v128 { return f64x2.mul(a, b); }
// @ts-ignore: decorator
@inline function div(a: v128, b: v128): v128 { return f64x2.div(a, b); }
// @ts-ignore: decorator
@inline function sqrt(a: v128): v128 { return f64x2.sqrt(a); }

/** W -= lr·G. */
export function sgd(W: usize, G: usize, n: i32, lr: f64): void {
  const vlr = sp(lr);
  for (let i = 0; i < n; i += 2) {
    const r = min(2, n - i);
    const off = <usize>i << 2;
    st(W + off, sub(ld(W + off, r), mul(vlr, ld(G + off, r))), r);
  }
}

/** V = m·V − lr·G; W += V (nesterov: W += m·V − lr·G, with the new V). */
export function sgdMomentum(W: usize, G: usize, V: usize, n: i32, lr: f64, momentum: f64, nesterov: i32): void {
  const vlr = sp(lr), vm = sp(momentum);
  for (let i = 0; i < n; i += 2) {
    const r = min(2, n - i);
    const off = <usize>i << 2;
    const g = ld(G + off, r);
    const v = sub(mul(vm, ld(V + off, r)), mul(vlr, g));
    st(V + off, v, r);
    const inc = nesterov ? sub(mul(vm, v), mul(vlr, g)) : v;
    st(W + off, add(ld(W + off, r), inc), r);
  }
}

/** A += G²; W -= lr·G/sqrt(A + eps) (Keras 3: eps inside the root). */
export function adagrad(W: usize, G: usize, A: usize, n: i32, lr: f64, eps: f64): void {
  const vlr = sp(lr), ve = sp(eps);
  for (let i = 0; i < n; i += 2) {
    const r = min(2, n - i);
    const off = <usize>i << 2;
    const g = ld(G + off, r);
    const a = add(ld(A + off, r), mul(g, g));
    st(A + off, a, r);
    st(W + off, sub(ld(W + off, r), div(mul(vlr, g), sqrt(add(a, ve)))), r);
  }
}

/**
 * V = rho·V + (1−rho)·G²; centered (MG ≠ 0): MG = rho·MG + (1−rho)·G, denom = V − MG²;
 * inc = lr·G/sqrt(denom + eps); MOM ≠ 0: MOM = momentum·MOM + inc, W -= MOM; else W -= inc.
 */
export function rmsprop(W: usize, G: usize, V: usize, MG: usize, MOM: usize, n: i32,
  lr: f64, rho: f64, momentum: f64, eps: f64): void {
  const vlr = sp(lr), vrho = sp(rho), vrho1 = sp(1.0 - rho), vmom = sp(momentum), ve = sp(eps);
  for (let i = 0; i < n; i += 2) {
    const r = min(2, n - i);
    const off = <usize>i << 2;
    const g = ld(G + off, r);
    const v = add(mul(vrho, ld(V + off, r)), mul(mul(vrho1, g), g));
    st(V + off, v, r);
    let denom = v;
    if (MG != 0) {
      const mg = add(mul(vrho, ld(MG + off, r)), mul(vrho1, g));
      st(MG + off, mg, r);
      denom = sub(v, mul(mg, mg));
    }
    let inc = div(mul(vlr, g), sqrt(add(denom, ve)));
    if (MOM != 0) {
      inc = add(mul(vmom, ld(MOM + off, r)), inc);
      st(MOM + off, inc, r);
    }
    st(W + off, sub(ld(W + off, r), inc), r);
  }
}

/**
 * M += (G−M)(1−β1); V += (G²−V)(1−β2); amsgrad (VMAX ≠ 0): VMAX = max(VMAX, V),
 * used in place of V; W -= alpha·M/(sqrt(V) + eps).
 */
export function adam(W: usize, G: usize, M: usize, V: usize, VMAX: usize, n: i32,
  alpha: f64, beta1: f64, beta2: f64, eps: f64): void {
  const va = sp(alpha), c1 = sp(1.0 - beta1), c2 = sp(1.0 - beta2), ve = sp(eps);
  for (let i = 0; i < n; i += 2) {
    const r = min(2, n - i);
    const off = <usize>i << 2;
    const g = ld(G + off, r);
    let m = ld(M + off, r);
    m = add(m, mul(sub(g, m), c1));
    let v = ld(V + off, r);
    v = add(v, mul(sub(mul(g, g), v), c2));
    st(M + off, m, r);
    st(V + off, v, r);
    if (VMAX != 0) {
      v = f64x2.max(ld(VMAX + off, r), v);
      st(VMAX + off, v, r);
    }
    st(W + off, sub(ld(W + off, r), div(mul(va, m), add(sqrt(v), ve))), r);
  }
}

/** A = ρA + (1−ρ)G²; d = sqrt(D+eps)/sqrt(A+eps)·G; D = ρD + (1−ρ)d²; W -= lr·d. */
export function adadelta(W: usize, G: usize, A: usize, D: usize, n: i32, lr: f64, rho: f64, eps: f64): void {
  const vlr = sp(lr), vrho = sp(rho), vrho1 = sp(1.0 - rho), ve = sp(eps);
  for (let i = 0; i < n; i += 2) {
    const r = min(2, n - i);
    const off = <usize>i << 2;
    const g = ld(G + off, r);
    const a = add(mul(vrho, ld(A + off, r)), mul(mul(vrho1, g), g));
    st(A + off, a, r);
    const dd = ld(D + off, r);
    const d = mul(div(sqrt(add(dd, ve)), sqrt(add(a, ve))), g);
    st(D + off, add(mul(vrho, dd), mul(mul(vrho1, d), d)), r);
    st(W + off, sub(ld(W + off, r), mul(vlr, d)), r);
  }
}

/** M = β1M + (1−β1)G; U = max(β2U, |G|); W -= alpha·M/(U + eps). */
export function adamax(W: usize, G: usize, M: usize, U: usize, n: i32, alpha: f64, beta1: f64, beta2: f64, eps: f64): void {
  const va = sp(alpha), b1 = sp(beta1), b1c = sp(1.0 - beta1), b2 = sp(beta2), ve = sp(eps);
  for (let i = 0; i < n; i += 2) {
    const r = min(2, n - i);
    const off = <usize>i << 2;
    const g = ld(G + off, r);
    const m = add(mul(b1, ld(M + off, r)), mul(b1c, g));
    const u = f64x2.max(mul(b2, ld(U + off, r)), f64x2.abs(g));
    st(M + off, m, r);
    st(U + off, u, r);
    st(W + off, sub(ld(W + off, r), div(mul(va, m), add(u, ve))), r);
  }
}

/** M += (G−M)(1−β1); V += (G²−V)(1−β2); W -= lr·(c1·M + c2·G)/(sqrt(c3·V) + eps). */
export function nadam(W: usize, G: usize, M: usize, V: usize, n: i32, lr: f64, beta1: f64, beta2: f64,
  eps: f64, c1: f64, c2: f64, c3: f64): void {
  const vlr = sp(lr), k1 = sp(1.0 - beta1), k2 = sp(1.0 - beta2), ve = sp(eps);
  const vc1 = sp(c1), vc2 = sp(c2), vc3 = sp(c3);
  for (let i = 0; i < n; i += 2) {
    const r = min(2, n - i);
    const off = <usize>i << 2;
    const g = ld(G + off, r);
    let m = ld(M + off, r);
    m = add(m, mul(sub(g, m), k1));
    let v = ld(V + off, r);
    v = add(v, mul(sub(mul(g, g), v), k2));
    st(M + off, m, r);
    st(V + off, v, r);
    const num = mul(vlr, add(mul(vc1, m), mul(vc2, g)));
    st(W + off, sub(ld(W + off, r), div(num, add(sqrt(mul(vc3, v)), ve))), r);
  }
}

/**
 * Keras 3 Lion: W -= lr·sign(β1·M + (1−β1)·G); then M = β2·M + (1−β2)·G.
 * sign(0) = 0 (and a NaN stays NaN).
 */
export function lion(W: usize, G: usize, M: usize, n: i32, lr: f64, beta1: f64, beta2: f64): void {
  const vlr = sp(lr), b1 = sp(beta1), b1c = sp(1.0 - beta1), b2 = sp(beta2), b2c = sp(1.0 - beta2);
  const zero = sp(0.0), one = sp(1.0);
  for (let i = 0; i < n; i += 2) {
    const r = min(2, n - i);
    const off = <usize>i << 2;
    const g = ld(G + off, r);
    const m = ld(M + off, r);
    const c = add(mul(b1, m), mul(b1c, g));
    // sign(c): ±1 where c ≠ 0, 0 at ±0, NaN kept (copysign(1, c) masked by c ≠ 0, or c itself for NaN).
    const s = v128.bitselect(c, v128.and(f64x2.ne(c, zero), v128.or(v128.and(c, sp(-0.0)), one)), f64x2.ne(c, c));
    st(W + off, sub(ld(W + off, r), mul(vlr, s)), r);
    st(M + off, add(mul(b2, m), mul(b2c, g)), r);
  }
}

/**
 * Keras 3 FTRL (one weight's update; the caller folds beta into l2 =
 * l2 + beta/(2·lr)):
 *   g' = G + 2·shrink·W; A' = A + G²;
 *   Z += g' − (A'^(−p) − A^(−p))/lr · W;
 *   W = (clip(Z, −l1, l1) − Z)/(A'^(−p)/lr + 2·l2); A = A'.
 * p = lrPower (≤ 0); p = −0.5 uses sqrt (exact, as the JS reference), others pow.
 */
export function ftrl(W: usize, G: usize, A: usize, Z: usize, n: i32, lr: f64, lrPower: f64,
  l1: f64, l2: f64, shrink: f64): void {
  const half = lrPower == -0.5;
  for (let i = 0; i < n; i++) {
    const off = <usize>i << 2;
    const g = <f64>load<f32>(G + off);
    const w = <f64>load<f32>(W + off);
    const a = <f64>load<f32>(A + off);
    const a1 = a + g * g;
    const pa1 = half ? Math.sqrt(a1) : Math.pow(a1, -lrPower);
    const pa = half ? Math.sqrt(a) : Math.pow(a, -lrPower);
    // Z is stored (rounded to float32) before W is computed from it, as Keras assigns `linear` first.
    const z = <f64><f32>(<f64>load<f32>(Z + off) + ((g + 2.0 * shrink * w) - (pa1 - pa) / lr * w));
    const zc = z < -l1 ? -l1 : z > l1 ? l1 : z;
    store<f32>(Z + off, <f32>z);
    store<f32>(W + off, <f32>((zc - z) / (pa1 / lr + 2.0 * l2)));
    store<f32>(A + off, <f32>a1);
  }
}
