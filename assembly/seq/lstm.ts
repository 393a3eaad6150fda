// The LSTM cell (issue 16), fused: one kernel per time step for the gate
// nonlinearities and the state update, and one for their gradients. Rows of Z
// hold a sample's four gate blocks [i | f | c | o] (Keras's order), U wide;
// the forward pass overwrites them with the gates' values (i, f, o through
// the recurrent activation, the candidate ĉ through the activation), which
// the backward pass reads and overwrites with the pre-activation gradients.
// The activations are the elementwise kernels' classes, so the formulas (and
// their bits) are those of biasAct / actBackward.
import { ld, st, fwdv, gradv } from './cell';

/**
 * One LSTM step for B samples of U units (any U: the last block of each gate takes partial vectors): Z's
 * rows [i | f | c | o] (pre-activations in, gate values out), cOut = f·cPrev + i·ĉ, hOut = o·act(cOut).
 * act: linear, relu, sigmoid or tanh; recAct: sigmoid or either hard sigmoid.
 */
export function lstmCell(Z: usize, cPrev: usize, cOut: usize, hOut: usize, B: i32, U: i32, act: i32, recAct: i32): void {
  const blk = <usize>U << 2;
  for (let b = 0; b < B; b++) {
    const z = Z + <usize>b * 4 * blk, cp = cPrev + <usize>b * blk, co = cOut + <usize>b * blk, ho = hOut + <usize>b * blk;
    for (let u = 0; u < U; u += 4) {
      const o = <usize>u << 2, n = U - u < 4 ? U - u : 4;
      const i = fwdv(recAct, ld(z + o, n));
      const f = fwdv(recAct, ld(z + blk + o, n));
      const g = fwdv(act, ld(z + 2 * blk + o, n));
      const og = fwdv(recAct, ld(z + 3 * blk + o, n));
      const c = f32x4.add(f32x4.mul(f, ld(cp + o, n)), f32x4.mul(i, g));
      st(z + o, i, n);
      st(z + blk + o, f, n);
      st(z + 2 * blk + o, g, n);
      st(z + 3 * blk + o, og, n);
      st(co + o, c, n);
      st(ho + o, f32x4.mul(og, fwdv(act, c)), n);
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
  const blk = <usize>U << 2;
  for (let b = 0; b < B; b++) {
    const z = Z + <usize>b * 4 * blk, cp = cPrev + <usize>b * blk, cc = c + <usize>b * blk;
    const dhr = dh + <usize>b * blk, dcr = dc + <usize>b * blk;
    for (let u = 0; u < U; u += 4) {
      const o = <usize>u << 2, n = U - u < 4 ? U - u : 4;
      const i = ld(z + o, n), f = ld(z + blk + o, n), g = ld(z + 2 * blk + o, n);
      const og = ld(z + 3 * blk + o, n);
      const ac = fwdv(act, ld(cc + o, n));
      const d = ld(dhr + o, n);
      // dc = dc_next + dh·o·act'(c); then each gate's share.
      const dcv = f32x4.add(ld(dcr + o, n), gradv(act, ac, f32x4.mul(d, og)));
      st(z + o, gradv(recAct, i, f32x4.mul(dcv, g)), n);
      st(z + blk + o, gradv(recAct, f, f32x4.mul(dcv, ld(cp + o, n))), n);
      st(z + 2 * blk + o, gradv(act, g, f32x4.mul(dcv, i)), n);
      st(z + 3 * blk + o, gradv(recAct, og, f32x4.mul(d, ac)), n);
      st(dcr + o, f32x4.mul(dcv, f), n);
    }
  }
}
