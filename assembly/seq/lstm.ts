// The LSTM cell (issue 16), fused: one kernel per time step for the gate
// nonlinearities and the state update, and one for their gradients. Rows of Z
// hold a sample's four gate blocks [i | f | c | o] (Keras's order), U wide;
// the forward pass overwrites them with the gates' values (i, f, o through
// the recurrent activation, the candidate ĉ through the activation), which
// the backward pass reads and overwrites with the pre-activation gradients.
// The activations are the elementwise kernels' classes, so the formulas (and
// their bits) are those of biasAct / actBackward.
import { Linear, Relu, Sigmoid, Tanh, HardSigmoid, HardSigmoidLegacy } from '../elementwise/activations';
import { loadPartial, storePartial } from '../common';

/** r (1..4) floats at p; the other lanes 0. */
// @ts-ignore: decorator
@inline function ld(p: usize, r: i32): v128 { return r == 4 ? v128.load(p) : loadPartial(p, r, 0); }
/** Lanes 0..r-1 of v at p. */
// @ts-ignore: decorator
@inline function st(p: usize, v: v128, r: i32): void { if (r == 4) v128.store(p, v); else storePartial(p, v, r); }

// The codes of `Act` in src/backend/types.ts that the cell supports.
// @ts-ignore: decorator
@inline const LINEAR = 0;
// @ts-ignore: decorator
@inline const RELU = 1;
// @ts-ignore: decorator
@inline const SIGMOID = 5;
// @ts-ignore: decorator
@inline const TANH = 6;
// @ts-ignore: decorator
@inline const HARD_SIGMOID = 12;
// @ts-ignore: decorator
@inline const HARD_SIGMOID_LEGACY = 13;

// @ts-ignore: decorator
@inline function cellLoop<A, R>(Z: usize, cPrev: usize, cOut: usize, hOut: usize, B: i32, U: i32): void {
  const a = changetype<A>(0), r = changetype<R>(0);
  const none = f32x4.splat(0.0);
  const blk = <usize>U << 2;
  for (let b = 0; b < B; b++) {
    const z = Z + <usize>b * 4 * blk, cp = cPrev + <usize>b * blk, co = cOut + <usize>b * blk, ho = hOut + <usize>b * blk;
    for (let u = 0; u < U; u += 4) {
      const o = <usize>u << 2, n = U - u < 4 ? U - u : 4;
      const i = r.fwd(none, ld(z + o, n));
      const f = r.fwd(none, ld(z + blk + o, n));
      const g = a.fwd(none, ld(z + 2 * blk + o, n));
      const og = r.fwd(none, ld(z + 3 * blk + o, n));
      const c = f32x4.add(f32x4.mul(f, ld(cp + o, n)), f32x4.mul(i, g));
      st(z + o, i, n);
      st(z + blk + o, f, n);
      st(z + 2 * blk + o, g, n);
      st(z + 3 * blk + o, og, n);
      st(co + o, c, n);
      st(ho + o, f32x4.mul(og, a.fwd(none, c)), n);
    }
  }
}

// @ts-ignore: decorator
@inline function cellBackLoop<A, R>(Z: usize, cPrev: usize, cCur: usize, dh: usize, dc: usize, B: i32, U: i32): void {
  const a = changetype<A>(0), r = changetype<R>(0);
  const none = f32x4.splat(0.0);
  const blk = <usize>U << 2;
  for (let b = 0; b < B; b++) {
    const z = Z + <usize>b * 4 * blk, cp = cPrev + <usize>b * blk, cc = cCur + <usize>b * blk;
    const dhr = dh + <usize>b * blk, dcr = dc + <usize>b * blk;
    for (let u = 0; u < U; u += 4) {
      const o = <usize>u << 2, n = U - u < 4 ? U - u : 4;
      const i = ld(z + o, n), f = ld(z + blk + o, n), g = ld(z + 2 * blk + o, n);
      const og = ld(z + 3 * blk + o, n);
      const ac = a.fwd(none, ld(cc + o, n));
      const d = ld(dhr + o, n);
      // dc = dc_next + dh·o·act'(c); then each gate's share.
      const dcv = f32x4.add(ld(dcr + o, n), a.grad(none, none, ac, f32x4.mul(d, og)));
      st(z + o, r.grad(none, none, i, f32x4.mul(dcv, g)), n);
      st(z + blk + o, r.grad(none, none, f, f32x4.mul(dcv, ld(cp + o, n))), n);
      st(z + 2 * blk + o, a.grad(none, none, g, f32x4.mul(dcv, i)), n);
      st(z + 3 * blk + o, r.grad(none, none, og, f32x4.mul(d, ac)), n);
      st(dcr + o, f32x4.mul(dcv, f), n);
    }
  }
}

/**
 * One LSTM step for B samples of U units (any U: the last block of each gate takes partial vectors): Z's rows [i | f | c | o] (pre-activations in,
 * gate values out), cOut = f·cPrev + i·ĉ, hOut = o·act(cOut). act: linear, relu, sigmoid or tanh; recAct:
 * sigmoid or either hard sigmoid.
 */
export function lstmCell(Z: usize, cPrev: usize, cOut: usize, hOut: usize, B: i32, U: i32, act: i32, recAct: i32): void {
  if (recAct == HARD_SIGMOID) lstmCellA<HardSigmoid>(Z, cPrev, cOut, hOut, B, U, act);
  else if (recAct == HARD_SIGMOID_LEGACY) lstmCellA<HardSigmoidLegacy>(Z, cPrev, cOut, hOut, B, U, act);
  else lstmCellA<Sigmoid>(Z, cPrev, cOut, hOut, B, U, act);
}
function lstmCellA<R>(Z: usize, cPrev: usize, cOut: usize, hOut: usize, B: i32, U: i32, act: i32): void {
  if (act == RELU) cellLoop<Relu, R>(Z, cPrev, cOut, hOut, B, U);
  else if (act == LINEAR) cellLoop<Linear, R>(Z, cPrev, cOut, hOut, B, U);
  else if (act == SIGMOID) cellLoop<Sigmoid, R>(Z, cPrev, cOut, hOut, B, U);
  else cellLoop<Tanh, R>(Z, cPrev, cOut, hOut, B, U);
}

/**
 * Its gradient: given Z's gate values, cPrev and c (this step's cell state), dh (the gradient reaching h) and
 * dc (the gradient reaching c from the next step), Z's rows become the pre-activation gradients and dc the
 * gradient reaching cPrev.
 */
export function lstmCellBackward(Z: usize, cPrev: usize, c: usize, dh: usize, dc: usize, B: i32, U: i32,
  act: i32, recAct: i32): void {
  if (recAct == HARD_SIGMOID) lstmBackA<HardSigmoid>(Z, cPrev, c, dh, dc, B, U, act);
  else if (recAct == HARD_SIGMOID_LEGACY) lstmBackA<HardSigmoidLegacy>(Z, cPrev, c, dh, dc, B, U, act);
  else lstmBackA<Sigmoid>(Z, cPrev, c, dh, dc, B, U, act);
}
function lstmBackA<R>(Z: usize, cPrev: usize, c: usize, dh: usize, dc: usize, B: i32, U: i32, act: i32): void {
  if (act == RELU) cellBackLoop<Relu, R>(Z, cPrev, c, dh, dc, B, U);
  else if (act == LINEAR) cellBackLoop<Linear, R>(Z, cPrev, c, dh, dc, B, U);
  else if (act == SIGMOID) cellBackLoop<Sigmoid, R>(Z, cPrev, c, dh, dc, B, U);
  else cellBackLoop<Tanh, R>(Z, cPrev, c, dh, dc, B, U);
}
