// The LSTM cell (issue 16), fused: one kernel per time step for the gate
// nonlinearities and the state update, and one for their gradients. Rows of Z
// hold a sample's four gate blocks [i | f | c | o] (Keras's order), U wide;
// the forward pass overwrites them with the gates' values (i, f, o through
// the recurrent activation, the candidate ĉ through the activation), which
// the backward pass reads and overwrites with the pre-activation gradients.
// The activations are the elementwise kernels' classes, so the formulas (and
// their bits) are those of biasAct / actBackward.
import { ld, st, useCodes, ActDyn, RecDyn, SIGMOID, TANH } from './cell';
import { Sigmoid, Tanh } from '../elementwise/activations';

/**
 * One LSTM step for B samples of U units (any U: the last block of each gate takes partial vectors): Z's
 * rows [i | f | c | o] (pre-activations in, gate values out), cOut = f·cPrev + i·ĉ, hOut = o·act(cOut).
 * act: linear, relu, sigmoid or tanh; recAct: sigmoid or either hard sigmoid.
 */
export function lstmCell(Z: usize, cPrev: usize, cOut: usize, hOut: usize, B: i32, U: i32, act: i32, recAct: i32): void {
  if (act == TANH && recAct == SIGMOID) lstmCellLoop<Sigmoid, Tanh>(Z, cPrev, cOut, hOut, B, U);
  else {
    useCodes(act, recAct);
    lstmCellLoop<RecDyn, ActDyn>(Z, cPrev, cOut, hOut, B, U);
  }
}
// @ts-ignore: decorator
@inline function lstmCellLoop<R, A>(Z: usize, cPrev: usize, cOut: usize, hOut: usize, B: i32, U: i32): void {
  const blk = <usize>U << 2, rec = changetype<R>(0), ac = changetype<A>(0), none = f32x4.splat(0.0);
  for (let b = 0; b < B; b++) {
    const z = Z + <usize>b * 4 * blk, cp = cPrev + <usize>b * blk, co = cOut + <usize>b * blk, ho = hOut + <usize>b * blk;
    for (let u = 0; u < U; u += 4) {
      const o = <usize>u << 2, n = U - u < 4 ? U - u : 4;
      const i = rec.fwd(none, ld(z + o, n));
      const f = rec.fwd(none, ld(z + blk + o, n));
      const g = ac.fwd(none, ld(z + 2 * blk + o, n));
      const og = rec.fwd(none, ld(z + 3 * blk + o, n));
      const c = f32x4.add(f32x4.mul(f, ld(cp + o, n)), f32x4.mul(i, g));
      st(z + o, i, n);
      st(z + blk + o, f, n);
      st(z + 2 * blk + o, g, n);
      st(z + 3 * blk + o, og, n);
      st(co + o, c, n);
      st(ho + o, f32x4.mul(og, ac.fwd(none, c)), n);
    }
  }
}

/**
 * Its gradient: given Z's gate values, cPrev and c (this step's cell state), dh (the gradient reaching h) and
 * dc (the gradient reaching c from the next step), Z's rows become the pre-activation gradients and dc the
 * gradient reaching cPrev.
 */
export function lstmCellBackward(Z: usize, cPrev: usize, c: usize, dh: usize, dc: usize, B: i32, U: i32,
  act: i32, recAct: i32): void {
  if (act == TANH && recAct == SIGMOID) lstmCellBackwardLoop<Sigmoid, Tanh>(Z, cPrev, c, dh, dc, B, U);
  else {
    useCodes(act, recAct);
    lstmCellBackwardLoop<RecDyn, ActDyn>(Z, cPrev, c, dh, dc, B, U);
  }
}
// @ts-ignore: decorator
@inline function lstmCellBackwardLoop<R, A>(Z: usize, cPrev: usize, c: usize, dh: usize, dc: usize, B: i32,
  U: i32): void {
  const blk = <usize>U << 2, rec = changetype<R>(0), act = changetype<A>(0), none = f32x4.splat(0.0);
  for (let b = 0; b < B; b++) {
    const z = Z + <usize>b * 4 * blk, cp = cPrev + <usize>b * blk, cc = c + <usize>b * blk;
    const dhr = dh + <usize>b * blk, dcr = dc + <usize>b * blk;
    for (let u = 0; u < U; u += 4) {
      const o = <usize>u << 2, n = U - u < 4 ? U - u : 4;
      const i = ld(z + o, n), f = ld(z + blk + o, n), g = ld(z + 2 * blk + o, n);
      const og = ld(z + 3 * blk + o, n);
      const ac = act.fwd(none, ld(cc + o, n));
      const d = ld(dhr + o, n);
      // dc = dc_next + dh·o·act'(c); then each gate's share.
      const dcv = f32x4.add(ld(dcr + o, n), act.grad(none, none, ac, f32x4.mul(d, og)));
      st(z + o, rec.grad(none, none, i, f32x4.mul(dcv, g)), n);
      st(z + blk + o, rec.grad(none, none, f, f32x4.mul(dcv, ld(cp + o, n))), n);
      st(z + 2 * blk + o, act.grad(none, none, g, f32x4.mul(dcv, i)), n);
      st(z + 3 * blk + o, rec.grad(none, none, og, f32x4.mul(d, ac)), n);
      st(dcr + o, f32x4.mul(dcv, f), n);
    }
  }
}
