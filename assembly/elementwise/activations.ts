// Activations, forward (with the bias add fused in) and backward.
// One vector code path per activation, selected by a switch OUTSIDE the loop:
// each activation is a class whose @inline methods give act(z) and dY·act'(z)
// for one vector, and the loops are generic over it, so every activation gets
// its own tight loop with its formula inlined and nothing else (the compiler
// resolves the class statically: no per-element dispatch, and no dead copies of
// the other activations for Binaryen to optimize away — a switch on a literal
// code inlined into the loops made the -O0 module ten times the size, and -O3
// took most of the build). Tails use partial loads/stores through the same
// vector formula.
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
// @ts-ignore: decorator
@inline const RELU_MAX = 14;

// SELU constants (Klambauer et al.), and their product, rounded to f32 once.
// @ts-ignore: decorator
@inline const SELU_SCALE: f32 = 1.0507009873554804934193349852946;
// @ts-ignore: decorator
@inline const SELU_SCALE_ALPHA: f32 = 1.7580993408473768599402175208123; // scale·alpha

// Each activation: fwd(a, z) = act(z) for one vector (a = its parameter,
// splat); grad(a, z, y, dy) = dy·act'(z), written in terms of the output y
// (cheaper, and Z may be absent) except where `usesZ` (GELU, swish); `usesY`
// says whether grad reads y. Never instantiated: the loops call the methods on
// changetype<T>(0), which the compiler resolves and inlines statically.

// @ts-ignore: decorator
@final @unmanaged export class Linear {
  // @ts-ignore: decorator
  @inline fwd(a: v128, z: v128): v128 { return z; }
  // @ts-ignore: decorator
  @inline grad(a: v128, z: v128, y: v128, dy: v128): v128 { return dy; }
  // @ts-ignore: decorator
  @inline get usesZ(): bool { return false; }
  // @ts-ignore: decorator
  @inline get usesY(): bool { return false; }
}

// @ts-ignore: decorator
@final @unmanaged export class Relu {
  // @ts-ignore: decorator
  @inline fwd(a: v128, z: v128): v128 { return f32x4.max(z, f32x4.splat(0.0)); }
  // @ts-ignore: decorator
  @inline grad(a: v128, z: v128, y: v128, dy: v128): v128 {
    const zero = f32x4.splat(0.0);
    return select(dy, zero, f32x4.gt(y, zero));
  }
  // @ts-ignore: decorator
  @inline get usesZ(): bool { return false; }
  // @ts-ignore: decorator
  @inline get usesY(): bool { return true; }
}

// @ts-ignore: decorator
@final @unmanaged class LeakyRelu {
  // @ts-ignore: decorator
  @inline fwd(a: v128, z: v128): v128 { return select(z, f32x4.mul(z, a), f32x4.ge(z, f32x4.splat(0.0))); }
  // @ts-ignore: decorator
  @inline grad(a: v128, z: v128, y: v128, dy: v128): v128 {
    return select(dy, f32x4.mul(dy, a), f32x4.gt(y, f32x4.splat(0.0)));
  }
  // @ts-ignore: decorator
  @inline get usesZ(): bool { return false; }
  // @ts-ignore: decorator
  @inline get usesY(): bool { return true; }
}

// @ts-ignore: decorator
@final @unmanaged class Elu {
  // @ts-ignore: decorator
  @inline fwd(a: v128, z: v128): v128 { return select(z, f32x4.mul(a, vexpm1(z)), f32x4.gt(z, f32x4.splat(0.0))); }
  // y = a(e^z − 1) → dy/dz = a·e^z = y + a.
  // @ts-ignore: decorator
  @inline grad(a: v128, z: v128, y: v128, dy: v128): v128 {
    return select(dy, f32x4.mul(dy, f32x4.add(y, a)), f32x4.gt(y, f32x4.splat(0.0)));
  }
  // @ts-ignore: decorator
  @inline get usesZ(): bool { return false; }
  // @ts-ignore: decorator
  @inline get usesY(): bool { return true; }
}

// @ts-ignore: decorator
@final @unmanaged class Selu {
  // @ts-ignore: decorator
  @inline fwd(a: v128, z: v128): v128 {
    return select(f32x4.mul(z, f32x4.splat(SELU_SCALE)),
      f32x4.mul(f32x4.splat(SELU_SCALE_ALPHA), vexpm1(z)), f32x4.gt(z, f32x4.splat(0.0)));
  }
  // @ts-ignore: decorator
  @inline grad(a: v128, z: v128, y: v128, dy: v128): v128 {
    return select(f32x4.mul(dy, f32x4.splat(SELU_SCALE)),
      f32x4.mul(dy, f32x4.add(y, f32x4.splat(SELU_SCALE_ALPHA))), f32x4.gt(y, f32x4.splat(0.0)));
  }
  // @ts-ignore: decorator
  @inline get usesZ(): bool { return false; }
  // @ts-ignore: decorator
  @inline get usesY(): bool { return true; }
}

// @ts-ignore: decorator
@final @unmanaged export class Sigmoid {
  // @ts-ignore: decorator
  @inline fwd(a: v128, z: v128): v128 { return vsigmoid(z); }
  // @ts-ignore: decorator
  @inline grad(a: v128, z: v128, y: v128, dy: v128): v128 {
    return f32x4.mul(dy, f32x4.mul(y, f32x4.sub(f32x4.splat(1.0), y)));
  }
  // @ts-ignore: decorator
  @inline get usesZ(): bool { return false; }
  // @ts-ignore: decorator
  @inline get usesY(): bool { return true; }
}

// @ts-ignore: decorator
@final @unmanaged export class Tanh {
  // @ts-ignore: decorator
  @inline fwd(a: v128, z: v128): v128 { return vtanh(z); }
  // (1−y)(1+y) rather than 1−y²: exact 1−y near saturation.
  // @ts-ignore: decorator
  @inline grad(a: v128, z: v128, y: v128, dy: v128): v128 {
    const one = f32x4.splat(1.0);
    return f32x4.mul(dy, f32x4.mul(f32x4.sub(one, y), f32x4.add(one, y)));
  }
  // @ts-ignore: decorator
  @inline get usesZ(): bool { return false; }
  // @ts-ignore: decorator
  @inline get usesY(): bool { return true; }
}

// @ts-ignore: decorator
@final @unmanaged class Exponential {
  // @ts-ignore: decorator
  @inline fwd(a: v128, z: v128): v128 { return vexp(z); }
  // @ts-ignore: decorator
  @inline grad(a: v128, z: v128, y: v128, dy: v128): v128 { return f32x4.mul(dy, y); }
  // @ts-ignore: decorator
  @inline get usesZ(): bool { return false; }
  // @ts-ignore: decorator
  @inline get usesY(): bool { return true; }
}

// @ts-ignore: decorator
@final @unmanaged class Softplus {
  // @ts-ignore: decorator
  @inline fwd(a: v128, z: v128): v128 { return vsoftplus(z); }
  // y = ln(1+e^z) → sigmoid(z) = 1 − e^{−y} = −expm1(−y), accurate for tiny y.
  // @ts-ignore: decorator
  @inline grad(a: v128, z: v128, y: v128, dy: v128): v128 { return f32x4.mul(dy, f32x4.neg(vexpm1(f32x4.neg(y)))); }
  // @ts-ignore: decorator
  @inline get usesZ(): bool { return false; }
  // @ts-ignore: decorator
  @inline get usesY(): bool { return true; }
}

// @ts-ignore: decorator
@final @unmanaged class Softsign {
  // @ts-ignore: decorator
  @inline fwd(a: v128, z: v128): v128 { return f32x4.div(z, f32x4.add(f32x4.abs(z), f32x4.splat(1.0))); }
  // y = z/(1+|z|) → 1/(1+|z|) = 1 − |y|, derivative (1−|y|)².
  // @ts-ignore: decorator
  @inline grad(a: v128, z: v128, y: v128, dy: v128): v128 {
    const q = f32x4.sub(f32x4.splat(1.0), f32x4.abs(y));
    return f32x4.mul(dy, f32x4.mul(q, q));
  }
  // @ts-ignore: decorator
  @inline get usesZ(): bool { return false; }
  // @ts-ignore: decorator
  @inline get usesY(): bool { return true; }
}

// @ts-ignore: decorator
@final @unmanaged class Gelu {
  // @ts-ignore: decorator
  @inline fwd(a: v128, z: v128): v128 { return f32x4.mul(z, vnormcdf(z)); }
  // d/dz z·Φ(z) = Φ(z) + z·φ(z).
  // @ts-ignore: decorator
  @inline grad(a: v128, z: v128, y: v128, dy: v128): v128 {
    return f32x4.mul(dy, f32x4.add(vnormcdf(z), f32x4.mul(z, vnormpdf(z))));
  }
  // @ts-ignore: decorator
  @inline get usesZ(): bool { return true; }
  // @ts-ignore: decorator
  @inline get usesY(): bool { return false; }
}

// @ts-ignore: decorator
@final @unmanaged class Swish {
  // @ts-ignore: decorator
  @inline fwd(a: v128, z: v128): v128 { return f32x4.mul(z, vsigmoid(z)); }
  // d/dz z·s(z) = s + z·s·(1−s) = s·(1 + z·(1−s)).
  // @ts-ignore: decorator
  @inline grad(a: v128, z: v128, y: v128, dy: v128): v128 {
    const one = f32x4.splat(1.0);
    const s = vsigmoid(z);
    return f32x4.mul(dy, f32x4.mul(s, f32x4.add(one, f32x4.mul(z, f32x4.sub(one, s)))));
  }
  // @ts-ignore: decorator
  @inline get usesZ(): bool { return true; }
  // @ts-ignore: decorator
  @inline get usesY(): bool { return false; }
}

/**
 * The hard sigmoids' forward pass: each f64x2 half of z through H's `half`
 * formula in f64, rounded to f32 once, clipped to [0, 1].
 */
// @ts-ignore: decorator
@inline function viaF64Clip01<H>(z: v128): v128 {
  const f = changetype<H>(0);
  const lo = f.half(f64x2.promote_low_f32x4(z));
  const hi = f.half(f64x2.promote_low_f32x4(v128.shuffle<f32>(z, z, 2, 3, 0, 1)));
  const h = v128.shuffle<f32>(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5);
  return f32x4.min(f32x4.max(h, f32x4.splat(0.0)), f32x4.splat(1.0));
}

/** Lanes where 0 < y < 1: the hard sigmoids' linear part, where their gradient is not 0. */
// @ts-ignore: decorator
@inline function inUnit(y: v128): v128 {
  return v128.and(f32x4.gt(y, f32x4.splat(0.0)), f32x4.lt(y, f32x4.splat(1.0)));
}

// Keras 3: relu6(z + 3)/6, as (z + 3)/6 in f64 rounded once: the same f64 operations, so the JS reference's bits.
// @ts-ignore: decorator
@final @unmanaged export class HardSigmoid {
  // @ts-ignore: decorator
  @inline half(x: v128): v128 { return f64x2.div(f64x2.add(x, f64x2.splat(3.0)), f64x2.splat(6.0)); }
  // @ts-ignore: decorator
  @inline fwd(a: v128, z: v128): v128 { return viaF64Clip01<HardSigmoid>(z); }
  // dy/6 in f32 division: the JS reference's g/6 rounded once.
  // @ts-ignore: decorator
  @inline grad(a: v128, z: v128, y: v128, dy: v128): v128 {
    return select(f32x4.div(dy, f32x4.splat(6.0)), f32x4.splat(0.0), inUnit(y));
  }
  // @ts-ignore: decorator
  @inline get usesZ(): bool { return false; }
  // @ts-ignore: decorator
  @inline get usesY(): bool { return true; }
}

// TF.js / Keras 2: in f64 (exact 0.2, one rounding): in f32, 0.2·z + 0.5 cancels near z = −2.5.
// @ts-ignore: decorator
@final @unmanaged export class HardSigmoidLegacy {
  // @ts-ignore: decorator
  @inline half(x: v128): v128 { return f64x2.add(f64x2.mul(x, f64x2.splat(0.2)), f64x2.splat(0.5)); }
  // @ts-ignore: decorator
  @inline fwd(a: v128, z: v128): v128 { return viaF64Clip01<HardSigmoidLegacy>(z); }
  // @ts-ignore: decorator
  @inline grad(a: v128, z: v128, y: v128, dy: v128): v128 {
    return select(f32x4.mul(dy, f32x4.splat(0.2)), f32x4.splat(0.0), inUnit(y));
  }
  // @ts-ignore: decorator
  @inline get usesZ(): bool { return false; }
  // @ts-ignore: decorator
  @inline get usesY(): bool { return true; }
}

// min(max(z, 0), a): ReLU capped at a (relu6, Keras's ReLU(max_value)); the gradient passes where 0 < y < a.
// @ts-ignore: decorator
@final @unmanaged class ReluMax {
  // @ts-ignore: decorator
  @inline fwd(a: v128, z: v128): v128 { return f32x4.min(f32x4.max(z, f32x4.splat(0.0)), a); }
  // @ts-ignore: decorator
  @inline grad(a: v128, z: v128, y: v128, dy: v128): v128 {
    return select(dy, f32x4.splat(0.0), v128.and(f32x4.gt(y, f32x4.splat(0.0)), f32x4.lt(y, a)));
  }
  // @ts-ignore: decorator
  @inline get usesZ(): bool { return false; }
  // @ts-ignore: decorator
  @inline get usesY(): bool { return true; }
}

/** Z += bias (per column) then Y = act(Z) over an M×N block, for the activation class T. */
// @ts-ignore: decorator
@inline function biasActLoop<T>(param: f32, Z: usize, bias: usize, Y: usize, M: i32, N: i32): void {
  const f = changetype<T>(0);
  const a = f32x4.splat(param);
  if (bias == 0) {
    // No bias: one flat pass over M·N elements, Z untouched.
    const n = M * N;
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      const off = <usize>i << 2;
      v128.store(Y + off, f.fwd(a, v128.load(Z + off)));
    }
    const r = n - i;
    if (r > 0) {
      const off = <usize>i << 2;
      storePartial(Y + off, f.fwd(a, loadPartial(Z + off, r, 0)), r);
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
      v128.store(yr + off, f.fwd(a, z));
    }
    const r = N - j;
    if (r > 0) {
      const off = <usize>j << 2;
      const z = f32x4.add(loadPartial(zr + off, r, 0), loadPartial(bias + off, r, 0));
      storePartial(zr + off, z, r);
      storePartial(yr + off, f.fwd(a, z), r);
    }
  }
}

export function biasAct(act: i32, param: f32, Z: usize, bias: usize, Y: usize, M: i32, N: i32): void {
  switch (act) {
    case RELU: biasActLoop<Relu>(param, Z, bias, Y, M, N); break;
    case LEAKY_RELU: biasActLoop<LeakyRelu>(param, Z, bias, Y, M, N); break;
    case ELU: biasActLoop<Elu>(param, Z, bias, Y, M, N); break;
    case SELU: biasActLoop<Selu>(param, Z, bias, Y, M, N); break;
    case SIGMOID: biasActLoop<Sigmoid>(param, Z, bias, Y, M, N); break;
    case TANH: biasActLoop<Tanh>(param, Z, bias, Y, M, N); break;
    case EXPONENTIAL: biasActLoop<Exponential>(param, Z, bias, Y, M, N); break;
    case SOFTPLUS: biasActLoop<Softplus>(param, Z, bias, Y, M, N); break;
    case SOFTSIGN: biasActLoop<Softsign>(param, Z, bias, Y, M, N); break;
    case GELU: biasActLoop<Gelu>(param, Z, bias, Y, M, N); break;
    case SWISH: biasActLoop<Swish>(param, Z, bias, Y, M, N); break;
    case HARD_SIGMOID: biasActLoop<HardSigmoid>(param, Z, bias, Y, M, N); break;
    case HARD_SIGMOID_LEGACY: biasActLoop<HardSigmoidLegacy>(param, Z, bias, Y, M, N); break;
    case RELU_MAX: biasActLoop<ReluMax>(param, Z, bias, Y, M, N); break;
    default: biasActLoop<Linear>(param, Z, bias, Y, M, N); break;
  }
}

/** dX = dY·act'(z) over n elements, for the activation class T. */
// @ts-ignore: decorator
@inline function actBackwardLoop<T>(param: f32, Z: usize, Y: usize, dY: usize, dX: usize, n: i32): void {
  const f = changetype<T>(0);
  const a = f32x4.splat(param);
  const zero = f32x4.splat(0.0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const off = <usize>i << 2;
    const z = f.usesZ ? v128.load(Z + off) : zero;
    const y = f.usesY ? v128.load(Y + off) : zero;
    v128.store(dX + off, f.grad(a, z, y, v128.load(dY + off)));
  }
  const r = n - i;
  if (r > 0) {
    const off = <usize>i << 2;
    const z = f.usesZ ? loadPartial(Z + off, r, 0) : zero;
    const y = f.usesY ? loadPartial(Y + off, r, 0) : zero;
    storePartial(dX + off, f.grad(a, z, y, loadPartial(dY + off, r, 0)), r);
  }
}

export function actBackward(act: i32, param: f32, Z: usize, Y: usize, dY: usize, dX: usize, n: i32): void {
  switch (act) {
    case RELU: actBackwardLoop<Relu>(param, Z, Y, dY, dX, n); break;
    case LEAKY_RELU: actBackwardLoop<LeakyRelu>(param, Z, Y, dY, dX, n); break;
    case ELU: actBackwardLoop<Elu>(param, Z, Y, dY, dX, n); break;
    case SELU: actBackwardLoop<Selu>(param, Z, Y, dY, dX, n); break;
    case SIGMOID: actBackwardLoop<Sigmoid>(param, Z, Y, dY, dX, n); break;
    case TANH: actBackwardLoop<Tanh>(param, Z, Y, dY, dX, n); break;
    case EXPONENTIAL: actBackwardLoop<Exponential>(param, Z, Y, dY, dX, n); break;
    case SOFTPLUS: actBackwardLoop<Softplus>(param, Z, Y, dY, dX, n); break;
    case SOFTSIGN: actBackwardLoop<Softsign>(param, Z, Y, dY, dX, n); break;
    case GELU: actBackwardLoop<Gelu>(param, Z, Y, dY, dX, n); break;
    case SWISH: actBackwardLoop<Swish>(param, Z, Y, dY, dX, n); break;
    case HARD_SIGMOID: actBackwardLoop<HardSigmoid>(param, Z, Y, dY, dX, n); break;
    case HARD_SIGMOID_LEGACY: actBackwardLoop<HardSigmoidLegacy>(param, Z, Y, dY, dX, n); break;
    case RELU_MAX: actBackwardLoop<ReluMax>(param, Z, Y, dY, dX, n); break;
    default: actBackwardLoop<Linear>(param, Z, Y, dY, dX, n); break;
  }
}
