// The GRU cell (issue 16), fused, in both of Keras's forms. Rows of Z hold a
// sample's three gate blocks [z | r | h] (Keras's order), U wide: the input
// projections x·W + b in, the gates' values out (z, r through the recurrent
// activation, the candidate ĥ through the activation), and their
// pre-activation gradients after the backward kernels. Keras's update is
// h = z·hPrev + (1 − z)·ĥ.
//
// reset_after = true (Keras 3's default): ĥ = act(x·W_h + b_h + r·(hPrev·U_h + b'_h)), the reset applied after
// the recurrent product — one GEMM hPrev·U per step into R, then gruCell.
// reset_after = false (TF.js's only form): ĥ = act(x·W_h + b_h + (r·hPrev)·U_h), the reset before it — the
// GEMM hPrev·U_zr into Z's z and r blocks, gruGates, the GEMM (r·hPrev)·U_h into Z's h block, gruOut.
import { ld, st, fwdv, gradv, useCodes, ActDyn, RecDyn, SIGMOID, TANH } from './cell';
import { Sigmoid, Tanh } from '../elementwise/activations';

/**
 * reset_after = true: Z's rows [z | r | h] (input projections, input bias added), R's rows hPrev·U (the
 * recurrent bias bRec, 3U floats, added here unless 0). Z becomes the gate values, R's h block the recurrent
 * term U_h·hPrev + b'_h the gradient needs; hOut = z·hPrev + (1 − z)·ĥ.
 */
export function gruCell(Z: usize, R: usize, bRec: usize, hPrev: usize, hOut: usize, B: i32, U: i32,
  act: i32, recAct: i32): void {
  if (act == TANH && recAct == SIGMOID) gruCellLoop<Sigmoid, Tanh>(Z, R, bRec, hPrev, hOut, B, U);
  else {
    useCodes(act, recAct);
    gruCellLoop<RecDyn, ActDyn>(Z, R, bRec, hPrev, hOut, B, U);
  }
}
// @ts-ignore: decorator
@inline function gruCellLoop<Rc, A>(Z: usize, R: usize, bRec: usize, hPrev: usize, hOut: usize, B: i32,
  U: i32): void {
  const blk = <usize>U << 2, one = f32x4.splat(1.0), none = f32x4.splat(0.0);
  const rec = changetype<Rc>(0), ac = changetype<A>(0);
  for (let b = 0; b < B; b++) {
    const z = Z + <usize>b * 3 * blk, r = R + <usize>b * 3 * blk, hp = hPrev + <usize>b * blk;
    const ho = hOut + <usize>b * blk;
    for (let u = 0; u < U; u += 4) {
      const o = <usize>u << 2, n = U - u < 4 ? U - u : 4;
      let rz = ld(r + o, n), rr = ld(r + blk + o, n), rh = ld(r + 2 * blk + o, n);
      if (bRec != 0) {
        rz = f32x4.add(rz, ld(bRec + o, n));
        rr = f32x4.add(rr, ld(bRec + blk + o, n));
        rh = f32x4.add(rh, ld(bRec + 2 * blk + o, n));
      }
      const zg = rec.fwd(none, f32x4.add(ld(z + o, n), rz));
      const rg = rec.fwd(none, f32x4.add(ld(z + blk + o, n), rr));
      const hh = ac.fwd(none, f32x4.add(ld(z + 2 * blk + o, n), f32x4.mul(rg, rh)));
      st(z + o, zg, n);
      st(z + blk + o, rg, n);
      st(z + 2 * blk + o, hh, n);
      st(r + 2 * blk + o, rh, n);
      st(ho + o, f32x4.add(f32x4.mul(zg, ld(hp + o, n)), f32x4.mul(f32x4.sub(one, zg), hh)), n);
    }
  }
}

/**
 * Its gradient: from Z's gate values, R's recurrent h term, hPrev and dh (the gradient reaching h), Z's rows
 * become the gradients of the input projections [dz | dr | dĥ], R's those of the recurrent ones
 * [dz | dr | dĥ·r], and dhPrev = dh·z (the share of hPrev's gradient that does not pass through U).
 */
export function gruCellBackward(Z: usize, R: usize, hPrev: usize, dh: usize, dhPrev: usize, B: i32, U: i32,
  act: i32, recAct: i32): void {
  const blk = <usize>U << 2, one = f32x4.splat(1.0);
  for (let b = 0; b < B; b++) {
    const z = Z + <usize>b * 3 * blk, r = R + <usize>b * 3 * blk, hp = hPrev + <usize>b * blk;
    const d0 = dh + <usize>b * blk, dp = dhPrev + <usize>b * blk;
    for (let u = 0; u < U; u += 4) {
      const o = <usize>u << 2, n = U - u < 4 ? U - u : 4;
      const zg = ld(z + o, n), rg = ld(z + blk + o, n), hh = ld(z + 2 * blk + o, n), d = ld(d0 + o, n);
      const dph = gradv(act, hh, f32x4.mul(d, f32x4.sub(one, zg)));
      const dz = gradv(recAct, zg, f32x4.mul(d, f32x4.sub(ld(hp + o, n), hh)));
      const dr = gradv(recAct, rg, f32x4.mul(dph, ld(r + 2 * blk + o, n)));
      st(z + o, dz, n);
      st(z + blk + o, dr, n);
      st(z + 2 * blk + o, dph, n);
      st(r + o, dz, n);
      st(r + blk + o, dr, n);
      st(r + 2 * blk + o, f32x4.mul(dph, rg), n);
      st(dp + o, f32x4.mul(d, zg), n);
    }
  }
}

/**
 * reset_after = false, first half: Z's z and r blocks (x·W + b + hPrev·U, pre-activations) become the gates'
 * values, and RH = r·hPrev (the input of the GEMM that adds (r·hPrev)·U_h into Z's h block).
 */
export function gruGates(Z: usize, hPrev: usize, RH: usize, B: i32, U: i32, recAct: i32): void {
  const blk = <usize>U << 2;
  for (let b = 0; b < B; b++) {
    const z = Z + <usize>b * 3 * blk, hp = hPrev + <usize>b * blk, rh = RH + <usize>b * blk;
    for (let u = 0; u < U; u += 4) {
      const o = <usize>u << 2, n = U - u < 4 ? U - u : 4;
      const zg = fwdv(recAct, ld(z + o, n)), rg = fwdv(recAct, ld(z + blk + o, n));
      st(z + o, zg, n);
      st(z + blk + o, rg, n);
      st(rh + o, f32x4.mul(rg, ld(hp + o, n)), n);
    }
  }
}

/** reset_after = false, second half: Z's h block (pre-activation) becomes ĥ; hOut = z·hPrev + (1 − z)·ĥ. */
export function gruOut(Z: usize, hPrev: usize, hOut: usize, B: i32, U: i32, act: i32): void {
  const blk = <usize>U << 2, one = f32x4.splat(1.0);
  for (let b = 0; b < B; b++) {
    const z = Z + <usize>b * 3 * blk, hp = hPrev + <usize>b * blk, ho = hOut + <usize>b * blk;
    for (let u = 0; u < U; u += 4) {
      const o = <usize>u << 2, n = U - u < 4 ? U - u : 4;
      const zg = ld(z + o, n), hh = fwdv(act, ld(z + 2 * blk + o, n));
      st(z + 2 * blk + o, hh, n);
      st(ho + o, f32x4.add(f32x4.mul(zg, ld(hp + o, n)), f32x4.mul(f32x4.sub(one, zg), hh)), n);
    }
  }
}

/**
 * gruOut's gradient: from dh, Z's z block and ĥ become their pre-activation gradients, dhPrev = dh·z. (The r
 * block waits for gruGatesBackward, once the GEMM has turned ĥ's gradient into that of r·hPrev.)
 */
export function gruOutBackward(Z: usize, hPrev: usize, dh: usize, dhPrev: usize, B: i32, U: i32, act: i32,
  recAct: i32): void {
  const blk = <usize>U << 2, one = f32x4.splat(1.0);
  for (let b = 0; b < B; b++) {
    const z = Z + <usize>b * 3 * blk, hp = hPrev + <usize>b * blk;
    const d0 = dh + <usize>b * blk, dp = dhPrev + <usize>b * blk;
    for (let u = 0; u < U; u += 4) {
      const o = <usize>u << 2, n = U - u < 4 ? U - u : 4;
      const zg = ld(z + o, n), hh = ld(z + 2 * blk + o, n), d = ld(d0 + o, n);
      st(z + o, gradv(recAct, zg, f32x4.mul(d, f32x4.sub(ld(hp + o, n), hh))), n);
      st(z + 2 * blk + o, gradv(act, hh, f32x4.mul(d, f32x4.sub(one, zg))), n);
      st(dp + o, f32x4.mul(d, zg), n);
    }
  }
}

/** gruGates's gradient: from dRH (the gradient reaching r·hPrev), Z's r block becomes r's pre-activation
 * gradient and dhPrev += dRH·r. */
export function gruGatesBackward(Z: usize, hPrev: usize, dRH: usize, dhPrev: usize, B: i32, U: i32,
  recAct: i32): void {
  const blk = <usize>U << 2;
  for (let b = 0; b < B; b++) {
    const z = Z + <usize>b * 3 * blk, hp = hPrev + <usize>b * blk;
    const dr = dRH + <usize>b * blk, dp = dhPrev + <usize>b * blk;
    for (let u = 0; u < U; u += 4) {
      const o = <usize>u << 2, n = U - u < 4 ? U - u : 4;
      const rg = ld(z + blk + o, n), d = ld(dr + o, n);
      st(z + blk + o, gradv(recAct, rg, f32x4.mul(d, ld(hp + o, n))), n);
      st(dp + o, f32x4.add(ld(dp + o, n), f32x4.mul(d, rg)), n);
    }
  }
}
