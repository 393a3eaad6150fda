// What the fused recurrent cells (lstm.ts, gru.ts) share: partial-vector
// loads and stores for a unit count that is not a multiple of 4, and one
// vector of each supported activation and of its gradient.
import { Relu, Sigmoid, Tanh, HardSigmoid, HardSigmoidLegacy } from '../elementwise/activations';
import { loadPartial, storePartial } from '../common';

/** r (1..4) floats at p; the other lanes 0. */
// @ts-ignore: decorator
@inline export function ld(p: usize, r: i32): v128 { return r == 4 ? v128.load(p) : loadPartial(p, r, 0); }
/** Lanes 0..r-1 of v at p. */
// @ts-ignore: decorator
@inline export function st(p: usize, v: v128, r: i32): void { if (r == 4) v128.store(p, v); else storePartial(p, v, r); }

// The codes of `Act` in src/backend/types.ts that the cell supports.
// @ts-ignore: decorator
@inline const LINEAR = 0;
// @ts-ignore: decorator
@inline const RELU = 1;
// @ts-ignore: decorator
@inline export const SIGMOID = 5;
// @ts-ignore: decorator
@inline export const TANH = 6;
// @ts-ignore: decorator
@inline const HARD_SIGMOID = 12;
// @ts-ignore: decorator
@inline const HARD_SIGMOID_LEGACY = 13;

// One vector of an activation (fwd) or of dy·act' from the output (grad), for the codes above. Not inlined
// on purpose: one copy of each formula serves every (activation, gate activation) pair — a generic loop per
// pair, as biasAct has per activation, cost 52 KB of binary for 24 instances.
export function fwdv(code: i32, z: v128): v128 {
  const none = f32x4.splat(0.0);
  switch (code) {
    case LINEAR: return z;
    case RELU: return changetype<Relu>(0).fwd(none, z);
    case SIGMOID: return changetype<Sigmoid>(0).fwd(none, z);
    case HARD_SIGMOID: return changetype<HardSigmoid>(0).fwd(none, z);
    case HARD_SIGMOID_LEGACY: return changetype<HardSigmoidLegacy>(0).fwd(none, z);
    default: return changetype<Tanh>(0).fwd(none, z);
  }
}
export function gradv(code: i32, y: v128, dy: v128): v128 {
  const none = f32x4.splat(0.0);
  switch (code) {
    case LINEAR: return dy;
    case RELU: return changetype<Relu>(0).grad(none, none, y, dy);
    case SIGMOID: return changetype<Sigmoid>(0).grad(none, none, y, dy);
    case HARD_SIGMOID: return changetype<HardSigmoid>(0).grad(none, none, y, dy);
    case HARD_SIGMOID_LEGACY: return changetype<HardSigmoidLegacy>(0).grad(none, none, y, dy);
    default: return changetype<Tanh>(0).grad(none, none, y, dy);
  }
}


// The activations of a call whose pair is not the default (tanh, sigmoid), for the Dyn classes below; globals are
// per instance, hence per thread.
let actCode: i32 = 0, recCode: i32 = 0;
/** Set the codes ActDyn and RecDyn dispatch on. */
export function useCodes(act: i32, recAct: i32): void {
  actCode = act;
  recCode = recAct;
}
// A cell's loop is generic over its two activation classes: the default pair inlined (Sigmoid, Tanh — the
// gates of one unit interleave, no call per vector), any other pair through fwdv / gradv and these two.
// @ts-ignore: decorator
@final @unmanaged export class ActDyn {
  // @ts-ignore: decorator
  @inline fwd(a: v128, z: v128): v128 { return fwdv(actCode, z); }
  // @ts-ignore: decorator
  @inline grad(a: v128, z: v128, y: v128, dy: v128): v128 { return gradv(actCode, y, dy); }
}
// @ts-ignore: decorator
@final @unmanaged export class RecDyn {
  // @ts-ignore: decorator
  @inline fwd(a: v128, z: v128): v128 { return fwdv(recCode, z); }
  // @ts-ignore: decorator
  @inline grad(a: v128, z: v128, y: v128, dy: v128): v128 { return gradv(recCode, y, dy); }
}
