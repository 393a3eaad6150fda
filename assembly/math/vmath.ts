// f32x4 transcendentals. Accuracy first: the JS backend computes in float64 and
// rounds once, and the conformance tests compare at ~1e-5 relative, so every
// function here aims at a few ulp (relative error ≲ 3e-7) over its whole range,
// with clean saturation (exp overflow → +Inf, underflow → 0, never NaN from a
// finite input). Polynomials are Cephes' single-precision ones (expf, logf,
// tanhf); erfc is Numerical Recipes' erfcc (relative error 1.05e-7, checked
// against mpmath). None of them uses relaxed SIMD, so the plain and the relaxed
// builds give bit-identical results outside GEMM.
import { select } from '../common';

// @ts-ignore: decorator
@inline const LOG2E: f32 = 1.44269504088896341;
// Cody–Waite split of ln 2: C1 has 9 significant bits, so n·C1 is exact for |n| ≤ 2^15.
// @ts-ignore: decorator
@inline const LN2_HI: f32 = 0.693359375;
// @ts-ignore: decorator
@inline const LN2_LO: f32 = -2.12194440e-4;

/** Horner step: a·b + c with a separate multiply and add (never fused: both builds agree). */
// @ts-ignore: decorator
@inline function mad(a: v128, b: v128, c: f32): v128 {
  return f32x4.add(f32x4.mul(a, b), f32x4.splat(c));
}

/**
 * e^x. Range reduction x = n·ln2 + r, |r| ≤ ln2/2, Cephes' degree-6 polynomial,
 * then scaling by 2^n as 2^(n>>1)·2^(n−(n>>1)) so that results in the subnormal
 * range and the first overflowing binade are rounded once and correctly
 * saturate (x > 88.73 → +Inf, x < −103.98 → 0). NaN propagates.
 */
// @ts-ignore: decorator
@inline export function vexp(x: v128): v128 {
  // Clamp so n stays within [−150, 129]; min/max propagate NaN.
  x = f32x4.min(f32x4.max(x, f32x4.splat(-104.0)), f32x4.splat(89.0));
  const fn = f32x4.nearest(f32x4.mul(x, f32x4.splat(LOG2E)));
  let r = f32x4.sub(x, f32x4.mul(fn, f32x4.splat(LN2_HI)));
  r = f32x4.sub(r, f32x4.mul(fn, f32x4.splat(LN2_LO)));
  const z = f32x4.mul(r, r);
  let p = mad(r, f32x4.splat(1.9875691500e-4), 1.3981999507e-3);
  p = mad(p, r, 8.3334519073e-3);
  p = mad(p, r, 4.1665795894e-2);
  p = mad(p, r, 1.6666665459e-1);
  p = mad(p, r, 5.0000001201e-1);
  p = f32x4.add(f32x4.add(f32x4.mul(p, z), r), f32x4.splat(1.0));
  // 2^n in two halves, each a normal float: n ∈ [−150, 129] → halves ∈ [−75, 65].
  const n = i32x4.trunc_sat_f32x4_s(fn);
  const n1 = i32x4.shr_s(n, 1);
  const n2 = i32x4.sub(n, n1);
  const s1 = i32x4.shl(i32x4.add(n1, i32x4.splat(127)), 23);
  const s2 = i32x4.shl(i32x4.add(n2, i32x4.splat(127)), 23);
  return f32x4.mul(f32x4.mul(p, s1), s2);
}

/**
 * e^x − 1, accurate near 0 (ELU/SELU at small negative inputs): a Taylor
 * polynomial to x^8/8! for |x| < 0.35 (truncation < 1.6e-8 relative), else
 * e^x − 1 (the subtraction then loses at most ~2 bits).
 */
// @ts-ignore: decorator
@inline export function vexpm1(x: v128): v128 {
  let p = mad(x, f32x4.splat(2.4801587e-5), 1.9841270e-4);  // 1/8!, 1/7!
  p = mad(p, x, 1.3888889e-3);                              // 1/6!
  p = mad(p, x, 8.3333333e-3);                              // 1/5!
  p = mad(p, x, 4.1666667e-2);                              // 1/4!
  p = mad(p, x, 1.6666667e-1);                              // 1/3!
  p = mad(p, x, 0.5);
  const small = f32x4.add(f32x4.mul(f32x4.mul(p, x), x), x);
  const big = f32x4.sub(vexp(x), f32x4.splat(1.0));
  return select(small, big, f32x4.lt(f32x4.abs(x), f32x4.splat(0.35)));
}

/**
 * ln x (Cephes logf): x = m·2^e with m ∈ [√½, √2), degree-8 polynomial in m−1.
 * Subnormals are scaled up first. ln 0 = −Inf, ln(x<0) = NaN, ln(+Inf) = +Inf.
 */
// @ts-ignore: decorator
@inline export function vlog(x0: v128): v128 {
  // Scale subnormals by 2^23 (and correct the exponent below).
  const sub = f32x4.lt(x0, f32x4.splat(1.17549435e-38));
  const x = select(f32x4.mul(x0, f32x4.splat(8388608.0)), x0, sub);
  let e = i32x4.sub(i32x4.shr_u(x, 23), i32x4.splat(126));
  e = i32x4.sub(e, v128.and(sub, i32x4.splat(23)));
  // Mantissa in [0.5, 1).
  let m = v128.or(v128.and(x, i32x4.splat(0x007fffff)), i32x4.splat(0x3f000000));
  const lt = f32x4.lt(m, f32x4.splat(0.707106781186547524));
  // m < √½: e −= 1, m = 2m − 1; else m = m − 1.
  e = i32x4.add(e, lt); // lt lanes are −1
  m = f32x4.sub(f32x4.add(m, v128.and(m, lt)), f32x4.splat(1.0));
  const fe = f32x4.convert_i32x4_s(e);
  const z = f32x4.mul(m, m);
  let y = mad(m, f32x4.splat(7.0376836292e-2), -1.1514610310e-1);
  y = mad(y, m, 1.1676998740e-1);
  y = mad(y, m, -1.2420140846e-1);
  y = mad(y, m, 1.4249322787e-1);
  y = mad(y, m, -1.6668057665e-1);
  y = mad(y, m, 2.0000714765e-1);
  y = mad(y, m, -2.4999993993e-1);
  y = mad(y, m, 3.3333331174e-1);
  y = f32x4.mul(f32x4.mul(y, m), z);
  y = f32x4.add(y, f32x4.mul(fe, f32x4.splat(LN2_LO)));
  y = f32x4.sub(y, f32x4.mul(z, f32x4.splat(0.5)));
  let r = f32x4.add(m, y);
  r = f32x4.add(r, f32x4.mul(fe, f32x4.splat(LN2_HI)));
  // Special values: 0 → −Inf, negative or NaN → NaN, +Inf → +Inf.
  r = select(f32x4.splat(-Infinity), r, f32x4.eq(x0, f32x4.splat(0.0)));
  r = select(f32x4.splat(Infinity), r, f32x4.eq(x0, f32x4.splat(Infinity)));
  r = select(f32x4.splat(NaN), r, v128.not(f32x4.ge(x0, f32x4.splat(0.0))));
  return r;
}

/**
 * ln(1 + u), accurate for tiny u (softplus at very negative inputs, BCE at p ≈ 0):
 * with w = fl(1 + u), ln(1+u) ≈ ln(w)·u/(w − 1) (the classic correction; w − 1
 * is exact), and u itself where w rounds to 1.
 */
// @ts-ignore: decorator
@inline export function vlog1p(u: v128): v128 {
  const w = f32x4.add(u, f32x4.splat(1.0));
  const d = f32x4.sub(w, f32x4.splat(1.0));
  const lw = vlog(w);
  const corrected = f32x4.mul(lw, f32x4.div(u, d));
  // d = 0 (w rounded to 1): ln(1+u) = u to within an ulp. w = +Inf: keep ln w.
  let r = select(u, corrected, f32x4.eq(d, f32x4.splat(0.0)));
  return select(lw, r, f32x4.eq(w, f32x4.splat(Infinity)));
}

/** tanh (Cephes tanhf): odd polynomial for |x| < 0.625, else 1 − 2/(e^{2|x|} + 1) with the sign. */
// @ts-ignore: decorator
@inline export function vtanh(x: v128): v128 {
  const ax = f32x4.abs(x);
  const z = f32x4.mul(x, x);
  let p = mad(z, f32x4.splat(-5.70498872745e-3), 2.06390887954e-2);
  p = mad(p, z, -5.37397155531e-2);
  p = mad(p, z, 1.33314422036e-1);
  p = mad(p, z, -3.33332819422e-1);
  const small = f32x4.add(f32x4.mul(f32x4.mul(p, z), x), x);
  const e = vexp(f32x4.add(ax, ax));
  // e = +Inf for large |x| → 2/Inf = 0 → exactly ±1.
  let big = f32x4.sub(f32x4.splat(1.0), f32x4.div(f32x4.splat(2.0), f32x4.add(e, f32x4.splat(1.0))));
  big = v128.or(big, v128.and(x, i32x4.splat(0x80000000))); // copy the sign of x
  return select(small, big, f32x4.lt(ax, f32x4.splat(0.625)));
}

/**
 * sigmoid(x) = 1/(1+e^{−x}), computed from e = e^{−|x|} ∈ (0, 1] so nothing
 * overflows: x ≥ 0 → 1/(1+e), x < 0 → e/(1+e) (keeps relative accuracy for
 * very negative x, down to the subnormals).
 */
// @ts-ignore: decorator
@inline export function vsigmoid(x: v128): v128 {
  const e = vexp(f32x4.neg(f32x4.abs(x)));
  const s = f32x4.div(f32x4.splat(1.0), f32x4.add(e, f32x4.splat(1.0)));
  return select(s, f32x4.mul(e, s), f32x4.ge(x, f32x4.splat(0.0)));
}

/** softplus(x) = max(x, 0) + ln(1 + e^{−|x|}); exact x for large x, ≈ e^x for very negative x. */
// @ts-ignore: decorator
@inline export function vsoftplus(x: v128): v128 {
  const e = vexp(f32x4.neg(f32x4.abs(x)));
  return f32x4.add(f32x4.max(x, f32x4.splat(0.0)), vlog1p(e));
}

/** x with its 12 low mantissa bits cleared: its square is exact in f32. */
// @ts-ignore: decorator
@inline function hiPart(x: v128): v128 {
  return v128.and(x, i32x4.splat(0xfffff000));
}

/**
 * e^{−x²/2}·e^{c}, with −x²/2 not rounded: x = h + l with h² exact, so
 * −x²/2 = −h²/2 − l(x+h)/2 and the small second part is folded into c.
 * Rounding x² first would cost ~x²·2^−24 relative (1.5e-6 at x = 5).
 */
// @ts-ignore: decorator
@inline function expNegHalfSq(x: v128, c: v128): v128 {
  const h = hiPart(x);
  const l = f32x4.sub(x, h);
  const a = f32x4.mul(f32x4.mul(h, h), f32x4.splat(-0.5));
  const b = f32x4.sub(c, f32x4.mul(f32x4.mul(l, f32x4.add(x, h)), f32x4.splat(0.5)));
  return f32x4.mul(vexp(a), vexp(b));
}

/**
 * The standard normal CDF Φ(x) = ½·erfc(−x/√2), via Numerical Recipes' erfcc
 * (erfc(z) = t·exp(−z² + P(t)), t = 1/(1 + z/2), relative error 1.05e-7 for
 * all z ≥ 0). For x < 0 the result keeps its relative accuracy in the far tail
 * (no 1 − erf cancellation), which GELU at negative inputs needs.
 */
// @ts-ignore: decorator
@inline export function vnormcdf(x: v128): v128 {
  const z = f32x4.mul(f32x4.abs(x), f32x4.splat(0.70710678118654752));
  const t = f32x4.div(f32x4.splat(1.0), f32x4.add(f32x4.mul(z, f32x4.splat(0.5)), f32x4.splat(1.0)));
  let p = mad(t, f32x4.splat(0.17087277), -0.82215223);
  p = mad(p, t, 1.48851587);
  p = mad(p, t, -1.13520398);
  p = mad(p, t, 0.27886807);
  p = mad(p, t, -0.18628806);
  p = mad(p, t, 0.09678418);
  p = mad(p, t, 0.37409196);
  p = mad(p, t, 1.00002368);
  p = mad(p, t, -1.26551223);
  // z² = x²/2 exactly as far as the exponent is concerned.
  const halfErfc = f32x4.mul(f32x4.mul(t, f32x4.splat(0.5)), expNegHalfSq(f32x4.abs(x), p));
  return select(f32x4.sub(f32x4.splat(1.0), halfErfc), halfErfc, f32x4.ge(x, f32x4.splat(0.0)));
}

/** The standard normal density φ(x) = e^{−x²/2}/√(2π). */
// @ts-ignore: decorator
@inline export function vnormpdf(x: v128): v128 {
  return f32x4.mul(expNegHalfSq(x, f32x4.splat(0.0)), f32x4.splat(0.39894228040143268));
}
