// Optimizer updates, in place on W and the slot arrays, elementwise in f32x4
// with the same formula on the partial tail. Formulas follow the doc comments
// of src/backend/types.ts (Keras's update rules) term by term.
// Hyperparameters arrive as f64 (JS numbers, unrounded) so that derived
// constants such as 1 − β2 are formed in double precision and rounded once:
// fround(1 − fround(0.999)) would be off by 1.3e-5 relative.
import { loadPartial, storePartial } from '../common';


/** W -= lr·G. */
export function sgd(W: usize, G: usize, n: i32, lr: f64): void {
  const vlr = f32x4.splat(<f32>lr);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const off = <usize>i << 2;
    v128.store(W + off, f32x4.sub(v128.load(W + off), f32x4.mul(vlr, v128.load(G + off))));
  }
  const r = n - i;
  if (r > 0) {
    const off = <usize>i << 2;
    storePartial(W + off, f32x4.sub(loadPartial(W + off, r, 0), f32x4.mul(vlr, loadPartial(G + off, r, 0))), r);
  }
}

// @ts-ignore: decorator
@inline function ld(p: usize, r: i32): v128 { return r >= 4 ? v128.load(p) : loadPartial(p, r, 0); }
// @ts-ignore: decorator
@inline function st(p: usize, v: v128, r: i32): void { if (r >= 4) v128.store(p, v); else storePartial(p, v, r); }

/** V = m·V − lr·G; W += V (nesterov: W += m·V − lr·G, with the new V). */
export function sgdMomentum(W: usize, G: usize, V: usize, n: i32, lr: f64, momentum: f64, nesterov: i32): void {
  const vlr = f32x4.splat(<f32>lr), vm = f32x4.splat(<f32>momentum);
  for (let i = 0; i < n; i += 4) {
    const r = min(4, n - i);
    const off = <usize>i << 2;
    const lg = f32x4.mul(vlr, ld(G + off, r));
    const v = f32x4.sub(f32x4.mul(vm, ld(V + off, r)), lg);
    st(V + off, v, r);
    const inc = nesterov ? f32x4.sub(f32x4.mul(vm, v), lg) : v;
    st(W + off, f32x4.add(ld(W + off, r), inc), r);
  }
}

/** A += G²; W -= lr·G/(sqrt(A) + eps). */
export function adagrad(W: usize, G: usize, A: usize, n: i32, lr: f64, eps: f64): void {
  const vlr = f32x4.splat(<f32>lr), ve = f32x4.splat(<f32>eps);
  for (let i = 0; i < n; i += 4) {
    const r = min(4, n - i);
    const off = <usize>i << 2;
    const g = ld(G + off, r);
    const a = f32x4.add(ld(A + off, r), f32x4.mul(g, g));
    st(A + off, a, r);
    const step = f32x4.div(f32x4.mul(vlr, g), f32x4.add(f32x4.sqrt(a), ve));
    st(W + off, f32x4.sub(ld(W + off, r), step), r);
  }
}

/**
 * V = rho·V + (1−rho)·G²; centered (MG ≠ 0): MG = rho·MG + (1−rho)·G, denom = V − MG²;
 * inc = lr·G/sqrt(denom + eps); MOM ≠ 0: MOM = momentum·MOM + inc, W -= MOM; else W -= inc.
 */
export function rmsprop(W: usize, G: usize, V: usize, MG: usize, MOM: usize, n: i32,
  lr: f64, rho: f64, momentum: f64, eps: f64): void {
  const vlr = f32x4.splat(<f32>lr), vrho = f32x4.splat(<f32>rho), vrho1 = f32x4.splat(<f32>(1.0 - rho));
  const vmom = f32x4.splat(<f32>momentum), ve = f32x4.splat(<f32>eps);
  for (let i = 0; i < n; i += 4) {
    const r = min(4, n - i);
    const off = <usize>i << 2;
    const g = ld(G + off, r);
    const v = f32x4.add(f32x4.mul(vrho, ld(V + off, r)), f32x4.mul(f32x4.mul(vrho1, g), g));
    st(V + off, v, r);
    let denom = v;
    if (MG != 0) {
      const mg = f32x4.add(f32x4.mul(vrho, ld(MG + off, r)), f32x4.mul(vrho1, g));
      st(MG + off, mg, r);
      denom = f32x4.sub(v, f32x4.mul(mg, mg));
    }
    let inc = f32x4.div(f32x4.mul(vlr, g), f32x4.sqrt(f32x4.add(denom, ve)));
    if (MOM != 0) {
      inc = f32x4.add(f32x4.mul(vmom, ld(MOM + off, r)), inc);
      st(MOM + off, inc, r);
    }
    st(W + off, f32x4.sub(ld(W + off, r), inc), r);
  }
}

/**
 * M += (G−M)(1−β1); V += (G²−V)(1−β2); amsgrad (VMAX ≠ 0): VMAX = max(VMAX, V),
 * used in place of V; W -= alpha·M/(sqrt(V) + eps).
 */
export function adam(W: usize, G: usize, M: usize, V: usize, VMAX: usize, n: i32,
  alpha: f64, beta1: f64, beta2: f64, eps: f64): void {
  const va = f32x4.splat(<f32>alpha), c1 = f32x4.splat(<f32>(1.0 - beta1)), c2 = f32x4.splat(<f32>(1.0 - beta2));
  const ve = f32x4.splat(<f32>eps);
  for (let i = 0; i < n; i += 4) {
    const r = min(4, n - i);
    const off = <usize>i << 2;
    const g = ld(G + off, r);
    let m = ld(M + off, r);
    m = f32x4.add(m, f32x4.mul(f32x4.sub(g, m), c1));
    let v = ld(V + off, r);
    v = f32x4.add(v, f32x4.mul(f32x4.sub(f32x4.mul(g, g), v), c2));
    st(M + off, m, r);
    st(V + off, v, r);
    if (VMAX != 0) {
      v = f32x4.max(ld(VMAX + off, r), v);
      st(VMAX + off, v, r);
    }
    const step = f32x4.div(f32x4.mul(va, m), f32x4.add(f32x4.sqrt(v), ve));
    st(W + off, f32x4.sub(ld(W + off, r), step), r);
  }
}

/** A = ρA + (1−ρ)G²; d = sqrt(D+eps)/sqrt(A+eps)·G; D = ρD + (1−ρ)d²; W -= lr·d. */
export function adadelta(W: usize, G: usize, A: usize, D: usize, n: i32, lr: f64, rho: f64, eps: f64): void {
  const vlr = f32x4.splat(<f32>lr), vrho = f32x4.splat(<f32>rho), vrho1 = f32x4.splat(<f32>(1.0 - rho)), ve = f32x4.splat(<f32>eps);
  for (let i = 0; i < n; i += 4) {
    const r = min(4, n - i);
    const off = <usize>i << 2;
    const g = ld(G + off, r);
    const a = f32x4.add(f32x4.mul(vrho, ld(A + off, r)), f32x4.mul(f32x4.mul(vrho1, g), g));
    st(A + off, a, r);
    const dd = ld(D + off, r);
    const d = f32x4.mul(f32x4.div(f32x4.sqrt(f32x4.add(dd, ve)), f32x4.sqrt(f32x4.add(a, ve))), g);
    st(D + off, f32x4.add(f32x4.mul(vrho, dd), f32x4.mul(f32x4.mul(vrho1, d), d)), r);
    st(W + off, f32x4.sub(ld(W + off, r), f32x4.mul(vlr, d)), r);
  }
}

/** M = β1M + (1−β1)G; U = max(β2U, |G|); W -= alpha·M/(U + eps). */
export function adamax(W: usize, G: usize, M: usize, U: usize, n: i32, alpha: f64, beta1: f64, beta2: f64, eps: f64): void {
  const va = f32x4.splat(<f32>alpha), b1 = f32x4.splat(<f32>beta1), b1c = f32x4.splat(<f32>(1.0 - beta1));
  const b2 = f32x4.splat(<f32>beta2), ve = f32x4.splat(<f32>eps);
  for (let i = 0; i < n; i += 4) {
    const r = min(4, n - i);
    const off = <usize>i << 2;
    const g = ld(G + off, r);
    const m = f32x4.add(f32x4.mul(b1, ld(M + off, r)), f32x4.mul(b1c, g));
    const u = f32x4.max(f32x4.mul(b2, ld(U + off, r)), f32x4.abs(g));
    st(M + off, m, r);
    st(U + off, u, r);
    st(W + off, f32x4.sub(ld(W + off, r), f32x4.div(f32x4.mul(va, m), f32x4.add(u, ve))), r);
  }
}

/** M += (G−M)(1−β1); V += (G²−V)(1−β2); W -= lr·(c1·M + c2·G)/(sqrt(c3·V) + eps). */
export function nadam(W: usize, G: usize, M: usize, V: usize, n: i32, lr: f64, beta1: f64, beta2: f64,
  eps: f64, c1: f64, c2: f64, c3: f64): void {
  const vlr = f32x4.splat(<f32>lr), k1 = f32x4.splat(<f32>(1.0 - beta1)), k2 = f32x4.splat(<f32>(1.0 - beta2));
  const ve = f32x4.splat(<f32>eps), vc1 = f32x4.splat(<f32>c1), vc2 = f32x4.splat(<f32>c2), vc3 = f32x4.splat(<f32>c3);
  for (let i = 0; i < n; i += 4) {
    const r = min(4, n - i);
    const off = <usize>i << 2;
    const g = ld(G + off, r);
    let m = ld(M + off, r);
    m = f32x4.add(m, f32x4.mul(f32x4.sub(g, m), k1));
    let v = ld(V + off, r);
    v = f32x4.add(v, f32x4.mul(f32x4.sub(f32x4.mul(g, g), v), k2));
    st(M + off, m, r);
    st(V + off, v, r);
    const num = f32x4.mul(vlr, f32x4.add(f32x4.mul(vc1, m), f32x4.mul(vc2, g)));
    const den = f32x4.add(f32x4.sqrt(f32x4.mul(vc3, v)), ve);
    st(W + off, f32x4.sub(ld(W + off, r), f32x4.div(num, den)), r);
  }
}
