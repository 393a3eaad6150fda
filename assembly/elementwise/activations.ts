// Activations, forward (with the bias add fused in) and backward.
// One vector code path per activation, selected by a switch OUTSIDE the loop:
// each `case` calls an @inline loop with a literal activation code, so after
// inlining the per-element switch folds away and every activation gets its own
// tight loop. Tails use partial loads/stores through the same vector formula.
import { loadPartial, storePartial, select } from '../common';
import { vexp, vexpm1, vtanh, vsigmoid, vsoftplus, vnormcdf, vnormpdf } from '../math/vmath';

// The codes of `Act` in src/backend/types.ts.
// @ts-ignore: decorator
@inline const LINEAR = 0;
// @ts-ignore: decorator
@inline const RELU = 1;
// @ts-ignore: decorator
@inline const LEAKY_RELU = 2;
// @ts-ignore: decorator
@inline const ELU = 3;
// @ts-ignore: decorator
@inline const SELU = 4;
// @ts-ignore: decorator
@inline const SIGMOID = 5;
// @ts-ignore: decorator
@inline const TANH = 6;
// @ts-ignore: decorator
@inline const EXPONENTIAL = 7;
// @ts-ignore: decorator
@inline const SOFTPLUS = 8;
// @ts-ignore: decorator
@inline const SOFTSIGN = 9;
// @ts-ignore: decorator
@inline const GELU = 10;
// @ts-ignore: decorator
@inline const SWISH = 11;
// @ts-ignore: decorator
@inline const HARD_SIGMOID = 12;
// @ts-ignore: decorator
@inline const HARD_SIGMOID_LEGACY = 13;

// SELU constants (Klambauer et al.), and their product, rounded to f32 once.
// @ts-ignore: decorator
@inline const SELU_SCALE: f32 = 1.0507009873554804934193349852946;
// @ts-ignore: decorator
@inline const SELU_SCALE_ALPHA: f32 = 1.7580993408473768599402175208123; // scale·alpha

/** act(z) for one vector; `act` is a literal at every call site. */
// @ts-ignore: decorator
@inline function actForward(act: i32, a: v128, z: v128): v128 {
  const zero = f32x4.splat(0.0);
  switch (act) {
    case RELU: return f32x4.max(z, zero);
    case LEAKY_RELU: return select(z, f32x4.mul(z, a), f32x4.ge(z, zero));
    case ELU: return select(z, f32x4.mul(a, vexpm1(z)), f32x4.gt(z, zero));
    case SELU: return select(f32x4.mul(z, f32x4.splat(SELU_SCALE)),
      f32x4.mul(f32x4.splat(SELU_SCALE_ALPHA), vexpm1(z)), f32x4.gt(z, zero));
    case SIGMOID: return vsigmoid(z);
    case TANH: return vtanh(z);
    case EXPONENTIAL: return vexp(z);
    case SOFTPLUS: return vsoftplus(z);
    case SOFTSIGN: return f32x4.div(z, f32x4.add(f32x4.abs(z), f32x4.splat(1.0)));
    case GELU: return f32x4.mul(z, vnormcdf(z));
    case SWISH: return f32x4.mul(z, vsigmoid(z));
    // Keras 3: relu6(z + 3)/6, as (z + 3)/6 in f64 rounded once: the same f64 operations, so the JS reference's bits.
    case HARD_SIGMOID: {
      const lo = f64x2.div(f64x2.add(f64x2.promote_low_f32x4(z), f64x2.splat(3.0)), f64x2.splat(6.0));
      const hi = f64x2.div(f64x2.add(f64x2.promote_low_f32x4(v128.shuffle<f32>(z, z, 2, 3, 0, 1)),
        f64x2.splat(3.0)), f64x2.splat(6.0));
      const h = v128.shuffle<f32>(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5);
      return f32x4.min(f32x4.max(h, zero), f32x4.splat(1.0));
    }
    // TF.js / Keras 2: in f64 (exact 0.2, one rounding): in f32, 0.2·z + 0.5 cancels near z = −2.5.
    case HARD_SIGMOID_LEGACY: {
      const lo = f64x2.add(f64x2.mul(f64x2.promote_low_f32x4(z), f64x2.splat(0.2)), f64x2.splat(0.5));
      const hi = f64x2.add(f64x2.mul(f64x2.promote_low_f32x4(v128.shuffle<f32>(z, z, 2, 3, 0, 1)),
        f64x2.splat(0.2)), f64x2.splat(0.5));
      const h = v128.shuffle<f32>(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5);
      return f32x4.min(f32x4.max(h, zero), f32x4.splat(1.0));
    }
    default: return z;
  }
}

/** Z += bias (per column) then Y = act(Z) over an M×N block; `act` is a literal. */
// @ts-ignore: decorator
@inline function biasActLoop(act: i32, param: f32, Z: usize, bias: usize, Y: usize, M: i32, N: i32): void {
  const a = f32x4.splat(param);
  if (bias == 0) {
    // No bias: one flat pass over M·N elements, Z untouched.
    const n = M * N;
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      const off = <usize>i << 2;
      v128.store(Y + off, actForward(act, a, v128.load(Z + off)));
    }
    const r = n - i;
    if (r > 0) {
      const off = <usize>i << 2;
      storePartial(Y + off, actForward(act, a, loadPartial(Z + off, r, 0)), r);
    }
    return;
  }
  const rowBytes = <usize>N << 2;
  for (let row = 0; row < M; row++) {
    const zr = Z + <usize>row * rowBytes;
    const yr = Y + <usize>row * rowBytes;
    let j = 0;
    for (; j + 4 <= N; j += 4) {
      const off = <usize>j << 2;
      const z = f32x4.add(v128.load(zr + off), v128.load(bias + off));
      v128.store(zr + off, z); // the backward pass of GELU/swish needs Z with the bias
      v128.store(yr + off, actForward(act, a, z));
    }
    const r = N - j;
    if (r > 0) {
      const off = <usize>j << 2;
      const z = f32x4.add(loadPartial(zr + off, r, 0), loadPartial(bias + off, r, 0));
      storePartial(zr + off, z, r);
      storePartial(yr + off, actForward(act, a, z), r);
    }
  }
}

export function biasAct(act: i32, param: f32, Z: usize, bias: usize, Y: usize, M: i32, N: i32): void {
  switch (act) {
    case RELU: biasActLoop(RELU, param, Z, bias, Y, M, N); break;
    case LEAKY_RELU: biasActLoop(LEAKY_RELU, param, Z, bias, Y, M, N); break;
    case ELU: biasActLoop(ELU, param, Z, bias, Y, M, N); break;
    case SELU: biasActLoop(SELU, param, Z, bias, Y, M, N); break;
    case SIGMOID: biasActLoop(SIGMOID, param, Z, bias, Y, M, N); break;
    case TANH: biasActLoop(TANH, param, Z, bias, Y, M, N); break;
    case EXPONENTIAL: biasActLoop(EXPONENTIAL, param, Z, bias, Y, M, N); break;
    case SOFTPLUS: biasActLoop(SOFTPLUS, param, Z, bias, Y, M, N); break;
    case SOFTSIGN: biasActLoop(SOFTSIGN, param, Z, bias, Y, M, N); break;
    case GELU: biasActLoop(GELU, param, Z, bias, Y, M, N); break;
    case SWISH: biasActLoop(SWISH, param, Z, bias, Y, M, N); break;
    case HARD_SIGMOID: biasActLoop(HARD_SIGMOID, param, Z, bias, Y, M, N); break;
    case HARD_SIGMOID_LEGACY: biasActLoop(HARD_SIGMOID_LEGACY, param, Z, bias, Y, M, N); break;
    default: biasActLoop(LINEAR, param, Z, bias, Y, M, N); break;
  }
}

/**
 * dX = dY·act'(z) for one vector. The derivative is written in terms of the
 * output y (cheaper, and Z may be absent) except for GELU and swish.
 */
// @ts-ignore: decorator
@inline function actGrad(act: i32, a: v128, z: v128, y: v128, dy: v128): v128 {
  const zero = f32x4.splat(0.0);
  const one = f32x4.splat(1.0);
  switch (act) {
    case RELU: return select(dy, zero, f32x4.gt(y, zero));
    case LEAKY_RELU: return select(dy, f32x4.mul(dy, a), f32x4.gt(y, zero));
    // y = a(e^z − 1) → dy/dz = a·e^z = y + a.
    case ELU: return select(dy, f32x4.mul(dy, f32x4.add(y, a)), f32x4.gt(y, zero));
    case SELU: return select(f32x4.mul(dy, f32x4.splat(SELU_SCALE)),
      f32x4.mul(dy, f32x4.add(y, f32x4.splat(SELU_SCALE_ALPHA))), f32x4.gt(y, zero));
    case SIGMOID: return f32x4.mul(dy, f32x4.mul(y, f32x4.sub(one, y)));
    // (1−y)(1+y) rather than 1−y²: exact 1−y near saturation.
    case TANH: return f32x4.mul(dy, f32x4.mul(f32x4.sub(one, y), f32x4.add(one, y)));
    case EXPONENTIAL: return f32x4.mul(dy, y);
    // y = ln(1+e^z) → sigmoid(z) = 1 − e^{−y} = −expm1(−y), accurate for tiny y.
    case SOFTPLUS: return f32x4.mul(dy, f32x4.neg(vexpm1(f32x4.neg(y))));
    // y = z/(1+|z|) → 1/(1+|z|) = 1 − |y|, derivative (1−|y|)².
    case SOFTSIGN: {
      const q = f32x4.sub(one, f32x4.abs(y));
      return f32x4.mul(dy, f32x4.mul(q, q));
    }
    // d/dz z·Φ(z) = Φ(z) + z·φ(z).
    case GELU: return f32x4.mul(dy, f32x4.add(vnormcdf(z), f32x4.mul(z, vnormpdf(z))));
    // d/dz z·s(z) = s + z·s·(1−s) = s·(1 + z·(1−s)).
    case SWISH: {
      const s = vsigmoid(z);
      return f32x4.mul(dy, f32x4.mul(s, f32x4.add(one, f32x4.mul(z, f32x4.sub(one, s)))));
    }
    // dy/6 in f32 division: the JS reference's g/6 rounded once.
    case HARD_SIGMOID: return select(f32x4.div(dy, f32x4.splat(6.0)), zero,
      v128.and(f32x4.gt(y, zero), f32x4.lt(y, one)));
    case HARD_SIGMOID_LEGACY: return select(f32x4.mul(dy, f32x4.splat(0.2)), zero,
      v128.and(f32x4.gt(y, zero), f32x4.lt(y, one)));
    default: return dy;
  }
}

// @ts-ignore: decorator
@inline function actBackwardLoop(act: i32, param: f32, Z: usize, Y: usize, dY: usize, dX: usize, n: i32): void {
  const a = f32x4.splat(param);
  const zero = f32x4.splat(0.0);
  const needZ = act == GELU || act == SWISH;
  const needY = !needZ && act != LINEAR;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const off = <usize>i << 2;
    const z = needZ ? v128.load(Z + off) : zero;
    const y = needY ? v128.load(Y + off) : zero;
    v128.store(dX + off, actGrad(act, a, z, y, v128.load(dY + off)));
  }
  const r = n - i;
  if (r > 0) {
    const off = <usize>i << 2;
    const z = needZ ? loadPartial(Z + off, r, 0) : zero;
    const y = needY ? loadPartial(Y + off, r, 0) : zero;
    storePartial(dX + off, actGrad(act, a, z, y, loadPartial(dY + off, r, 0)), r);
  }
}

export function actBackward(act: i32, param: f32, Z: usize, Y: usize, dY: usize, dX: usize, n: i32): void {
  switch (act) {
    case RELU: actBackwardLoop(RELU, param, Z, Y, dY, dX, n); break;
    case LEAKY_RELU: actBackwardLoop(LEAKY_RELU, param, Z, Y, dY, dX, n); break;
    case ELU: actBackwardLoop(ELU, param, Z, Y, dY, dX, n); break;
    case SELU: actBackwardLoop(SELU, param, Z, Y, dY, dX, n); break;
    case SIGMOID: actBackwardLoop(SIGMOID, param, Z, Y, dY, dX, n); break;
    case TANH: actBackwardLoop(TANH, param, Z, Y, dY, dX, n); break;
    case EXPONENTIAL: actBackwardLoop(EXPONENTIAL, param, Z, Y, dY, dX, n); break;
    case SOFTPLUS: actBackwardLoop(SOFTPLUS, param, Z, Y, dY, dX, n); break;
    case SOFTSIGN: actBackwardLoop(SOFTSIGN, param, Z, Y, dY, dX, n); break;
    case GELU: actBackwardLoop(GELU, param, Z, Y, dY, dX, n); break;
    case SWISH: actBackwardLoop(SWISH, param, Z, Y, dY, dX, n); break;
    case HARD_SIGMOID: actBackwardLoop(HARD_SIGMOID, param, Z, Y, dY, dX, n); break;
    case HARD_SIGMOID_LEGACY: actBackwardLoop(HARD_SIGMOID_LEGACY, param, Z, Y, dY, dX, n); break;
    default: actBackwardLoop(LINEAR, param, Z, Y, dY, dX, n); break;
  }
}
