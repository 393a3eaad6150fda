// Small shared helpers for the kernels: partial (1–3 lane) loads and stores so
// every elementwise kernel runs ONE vector code path, tails included. That keeps
// the tail bit-identical to the body (no separate scalar formula to drift).

/** Load r (1..3) floats at p into lanes 0..r-1; the other lanes are `fill`. */
// @ts-ignore: decorator
@inline export function loadPartial(p: usize, r: i32, fill: f32): v128 {
  let v = f32x4.splat(fill);
  v = f32x4.replace_lane(v, 0, load<f32>(p));
  if (r > 1) v = f32x4.replace_lane(v, 1, load<f32>(p, 4));
  if (r > 2) v = f32x4.replace_lane(v, 2, load<f32>(p, 8));
  return v;
}

/** Store lanes 0..r-1 (r in 1..3) of v at p. */
// @ts-ignore: decorator
@inline export function storePartial(p: usize, v: v128, r: i32): void {
  store<f32>(p, f32x4.extract_lane(v, 0));
  if (r > 1) store<f32>(p, f32x4.extract_lane(v, 1), 4);
  if (r > 2) store<f32>(p, f32x4.extract_lane(v, 2), 8);
}

/** Horizontal sum of the four f32 lanes, ((l0 + l1) + (l2 + l3)). */
// @ts-ignore: decorator
@inline export function hsum(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) +
         (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

/** Horizontal max of the four f32 lanes (NaN-propagating, like Math.max). */
// @ts-ignore: decorator
@inline export function hmax(v: v128): f32 {
  let m = f32x4.max(v, v128.shuffle<f32>(v, v, 2, 3, 0, 1));
  m = f32x4.max(m, v128.shuffle<f32>(m, m, 1, 0, 3, 2));
  return f32x4.extract_lane(m, 0);
}

/** Sum of the two f64 lanes. */
// @ts-ignore: decorator
@inline export function hsum64(v: v128): f64 {
  return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
}

/** Add the four f32 lanes of v, widened to f64, into the f64x2 accumulator acc. */
// @ts-ignore: decorator
@inline export function accumulate64(acc: v128, v: v128): v128 {
  acc = f64x2.add(acc, f64x2.promote_low_f32x4(v));
  return f64x2.add(acc, f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1)));
}

/** Lanes where mask is set take a, the others b. */
// @ts-ignore: decorator
@inline export function select(a: v128, b: v128, mask: v128): v128 {
  return v128.bitselect(a, b, mask);
}
