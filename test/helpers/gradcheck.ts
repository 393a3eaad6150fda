/**
 * Finite-difference gradient checks shared by the model suites: a seeded
 * generator, and the error of a model's analytic gradient (one backward pass)
 * against central differences of the loss it reports.
 *
 * Tolerance: activations are stored in float32 between layers, so a central
 * difference with step h has rounding noise ~ 1e-7·|loss|/h plus O(h²)
 * truncation; with h = 1e-3 the two agree to ~1e-3 of the gradient's norm.
 * The suites require ‖g − g_fd‖ ≤ 2e-2·max(‖g‖, 1e-3).
 */
import type * as sn from '../../src/index.js';

/** A seeded generator (mulberry32) of numbers in [0, 1). */
export function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** ‖g − g_fd‖ and ‖g‖ over every trainable weight, the loss computed with dropout mask `seed`. */
export function gradError(
  model: sn.LayersModel,
  x: sn.ModelData,
  y: sn.ModelData,
  seed = 5,
): { err: number; norm: number } {
  const { grads, loss: l0 } = model.computeGradients(x, y, { seed });
  const weights = model.getWeights();
  const trainableIdx = model
    .namedWeights()
    .map((w, i) => (w.trainable ? i : -1))
    .filter((i) => i >= 0);
  const h = 1e-3;
  let errSq = 0,
    normSq = 0;
  const at = (wi: number, k: number, v: number) => {
    const ws = weights.map((t) => t.clone());
    (ws[wi]!.values as Float32Array)[k] = v;
    model.setWeights(ws);
    return model.computeLoss(x, y, { seed });
  };
  trainableIdx.forEach((wi, gi) => {
    const g = grads[gi]!.values;
    for (let k = 0; k < g.length; k++) {
      const orig = weights[wi]!.values[k]!;
      const hi = Math.fround(orig + h),
        lo = Math.fround(orig - h);
      const lp = at(wi, k, hi),
        lm = at(wi, k, lo);
      const central = (lp - lm) / (hi - lo);
      let e = Math.abs(central - g[k]!);
      // At a kink (relu, |x| of L1 or MAE, ELU with alpha ≠ 1, hard sigmoid) the
      // central difference averages two slopes; the analytic (sub)gradient is
      // right if it lies between the one-sided differences.
      const fwd = (lp - l0) / (hi - orig),
        bwd = (l0 - lm) / (orig - lo);
      const inBracket = Math.max(0, Math.min(fwd, bwd) - g[k]!, g[k]! - Math.max(fwd, bwd));
      e = Math.min(e, inBracket);
      errSq += e * e;
      normSq += g[k]! ** 2;
    }
  });
  model.setWeights(weights);
  return { err: Math.sqrt(errSq), norm: Math.sqrt(normSq) };
}
