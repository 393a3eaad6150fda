/**
 * The js backend's optimizer kernels against values computed here from the
 * published (Keras) update rules: first steps worked out by hand, and several
 * steps of each rule re-implemented on float64 scalars.
 *
 * Tolerance: the kernel stores weights and slots as float32 after every step,
 * the scalar re-implementations keep float64, so they drift apart by about one
 * float32 rounding (u = 2⁻²⁴ ≈ 6e-8 relative) per step: 1e-6 relative over five
 * steps, plus 1e-7 absolute for slots that pass near 0.
 */
import { describe, expect, test } from 'vitest';
import { expectClose, js, mulberry32, randArray, withArena, type Arena } from './helpers.js';

/**
 * Keras 3 Nadam's schedule at step t (1-based; keras/src/optimizers/nadam.py), folded into
 * the kernel's c1, c2, c3: u_t = β1·(1 − ½·0.96^t), Π_t = u_1·…·u_t;
 * m̂ = u_{t+1}·m/(1 − Π_{t+1}) + (1 − u_t)·g/(1 − Π_t), v̂ = v/(1 − β2^t).
 */
function nadamCoefficients(t: number, beta1: number, beta2: number): { c1: number; c2: number; c3: number } {
  const u = (s: number): number => beta1 * (1 - 0.5 * 0.96 ** s);
  let prod = 1;
  for (let s = 1; s <= t; s++) prod *= u(s);
  const prodNext = prod * u(t + 1);
  return { c1: u(t + 1) / (1 - prodNext), c2: (1 - u(t)) / (1 - prod), c3: 1 / (1 - beta2 ** t) };
}

/** Put W, G and the named slots in the js memory, run `step`, read everything back. */
function oneStep(
  w: number[],
  g: number[],
  slots: Record<string, number[]>,
  step: (a: Arena, W: number, G: number, s: Record<string, number>, n: number) => void,
): Record<string, number[]> {
  return withArena(js, (a) => {
    const n = w.length;
    const W = a.put(w),
      G = a.put(g);
    const s: Record<string, number> = {};
    for (const k of Object.keys(slots)) s[k] = a.put(slots[k]!);
    step(a, W, G, s, n);
    const out: Record<string, number[]> = { W: Array.from(a.read(W, n)) };
    for (const k of Object.keys(slots)) out[k] = Array.from(a.read(s[k]!, n));
    return out;
  });
}

describe('js optimizer kernels: first steps by hand', () => {
  test('SGD: w − lr·g', () => {
    const r = oneStep([1, -2], [0.5, -1], {}, (_a, W, G, _s, n) => js.sgd(W, G, n, 0.1));
    expectClose('W', r.W!, [1 - 0.05, -2 + 0.1], { rel: 1e-7 });
  });

  test('SGD momentum, plain and Nesterov: two steps of w = 1, g = 0.5, lr = 0.1, m = 0.9', () => {
    // Plain: V1 = −0.05, W1 = 0.95; V2 = 0.9·(−0.05) − 0.05 = −0.095, W2 = 0.855.
    // Nesterov: W1 = 1 + 0.9·(−0.05) − 0.05 = 0.905; W2 = 0.905 + 0.9·(−0.095) − 0.05 = 0.7695.
    for (const [nesterov, w1, w2] of [
      [false, 0.95, 0.855],
      [true, 0.905, 0.7695],
    ] as const) {
      withArena(js, (a) => {
        const W = a.put([1]),
          G = a.put([0.5]),
          V = a.put([0]);
        js.sgdMomentum(W, G, V, 1, 0.1, 0.9, nesterov);
        expect(a.read(W, 1)[0]).toBeCloseTo(w1, 6);
        expect(a.read(V, 1)[0]).toBeCloseTo(-0.05, 7);
        js.sgdMomentum(W, G, V, 1, 0.1, 0.9, nesterov);
        expect(a.read(W, 1)[0]).toBeCloseTo(w2, 6);
        expect(a.read(V, 1)[0]).toBeCloseTo(-0.095, 7);
      });
    }
  });

  test('Adam step 1 (lr = 0.1, w = 1, g = 0.5) moves w by lr·sign(g), up to eps', () => {
    const lr = 0.1,
      b1 = 0.9,
      b2 = 0.999,
      eps = 1e-7,
      g = 0.5;
    const alpha = (lr * Math.sqrt(1 - b2)) / (1 - b1);
    const m = (1 - b1) * g,
      v = (1 - b2) * g * g;
    const expected = 1 - (alpha * m) / (Math.sqrt(v) + eps);
    const r = oneStep([1], [g], { M: [0], V: [0] }, (_a, W, G, s, n) =>
      js.adam(W, G, s.M!, s.V!, 0, n, alpha, b1, b2, eps),
    );
    expect(r.W![0]).toBeCloseTo(expected, 7);
    expect(r.W![0]).toBeCloseTo(0.9, 5);
    expect(r.M![0]).toBeCloseTo(0.05, 8);
    expect(r.V![0]).toBeCloseTo(0.00025, 10);
  });

  test('Adam with amsgrad keeps the running max of V and uses it', () => {
    // Step 2 with a smaller gradient: V shrinks, VMAX keeps step 1's value.
    const b1 = 0.9,
      b2 = 0.5,
      eps = 1e-7;
    withArena(js, (a) => {
      const W = a.put([0]),
        G = a.put([2]),
        M = a.put([0]),
        V = a.put([0]),
        VM = a.put([0]);
      js.adam(W, G, M, V, VM, 1, 1, b1, b2, eps); // V = 0.5·4 = 2
      expect(a.read(VM, 1)[0]).toBe(2);
      a.b.heap.write(G, [0]);
      const w1 = a.read(W, 1)[0]!;
      js.adam(W, G, M, V, VM, 1, 1, b1, b2, eps); // V = 1, VMAX = 2, M = 0.9·0.2 = 0.18
      expect(a.read(V, 1)[0]).toBe(1);
      expect(a.read(VM, 1)[0]).toBe(2);
      expect(a.read(W, 1)[0]).toBeCloseTo(w1 - 0.18 / (Math.SQRT2 + eps), 6);
    });
  });

  test('Adagrad from the Keras initial accumulator 0.1', () => {
    // A = 0.1 + 0.25 = 0.35; w = 1 − 0.1·0.5/√(0.35 + 1e-7) (Keras 3: eps inside the root).
    const r = oneStep([1], [0.5], { A: [0.1] }, (_a, W, G, s, n) => js.adagrad(W, G, s.A!, n, 0.1, 1e-7));
    expect(r.A![0]).toBeCloseTo(0.35, 7);
    expect(r.W![0]).toBeCloseTo(1 - 0.05 / Math.sqrt(0.35 + 1e-7), 7);
  });

  test('Adagrad divides by √(A + eps), not √A + eps (Keras 3 adagrad.py): a tiny first gradient from A = 0', () => {
    // A = 1e-8: Keras 3 steps 0.1·1e-4/√(1.1e-7) = 0.0301511; √A + eps would give 0.0999001 (3.3× more).
    const r = oneStep([1], [1e-4], { A: [0] }, (_a, W, G, s, n) => js.adagrad(W, G, s.A!, n, 0.1, 1e-7));
    expect(1 - r.W![0]!).toBeCloseTo(1e-5 / Math.sqrt(1e-8 + 1e-7), 6);
    expect(1 - r.W![0]!).toBeCloseTo(0.0301511, 6);
  });

  test('Lion step 1: w − lr·sign((1 − β1)·g) from M = 0, then M = (1 − β2)·g; sign(0) = 0', () => {
    const r = oneStep([1, 1, 1], [0.5, -3, 0], { M: [0, 0, 0] }, (_a, W, G, s, n) =>
      js.lion(W, G, s.M!, n, 0.1, 0.9, 0.99),
    );
    expectClose('W', r.W!, [0.9, 1.1, 1], { rel: 1e-7 });
    expectClose('M', r.M!, [0.005, -0.03, 0], { rel: 1e-6 });
    // Step 2 with M = 0.5, g = −0.1: c = 0.9·0.5 − 0.01 = 0.44 > 0, so w falls by lr though g < 0.
    const r2 = oneStep([1], [-0.1], { M: [0.5] }, (_a, W, G, s, n) => js.lion(W, G, s.M!, n, 0.1, 0.9, 0.99));
    expect(r2.W![0]).toBeCloseTo(0.9, 7);
    expect(r2.M![0]).toBeCloseTo(0.99 * 0.5 - 0.001, 7);
  });

  test('FTRL step 1 by hand (lr_power −0.5, l1 = l2 = shrinkage = 0)', () => {
    // A' = 0.1 + 1 = 1.1; Z = g − (√1.1 − √0.1)/lr·w; w = (clip(Z, 0, 0) − Z)/(√1.1/lr) = −Z·lr/√1.1.
    const lr = 0.5,
      g = 1,
      w = 1;
    const z = g - ((Math.sqrt(1.1) - Math.sqrt(0.1)) / lr) * w;
    const r = oneStep([w], [g], { A: [0.1], Z: [0] }, (_a, W, G, s, n) =>
      js.ftrl(W, G, s.A!, s.Z!, n, lr, -0.5, 0, 0, 0),
    );
    expect(r.A![0]).toBeCloseTo(1.1, 6);
    expect(r.Z![0]).toBeCloseTo(z, 6);
    expect(r.W![0]).toBeCloseTo((-z * lr) / Math.sqrt(1.1), 6);
    // With |Z| ≤ l1 the weight is exactly 0.
    const r1 = oneStep([w], [g], { A: [0.1], Z: [0] }, (_a, W, G, s, n) =>
      js.ftrl(W, G, s.A!, s.Z!, n, lr, -0.5, 1, 0, 0),
    );
    expect(r1.W![0]).toBe(0);
  });

  test('RMSprop step 1: plain, centered, with momentum', () => {
    const lr = 0.01,
      rho = 0.9,
      eps = 1e-7,
      g = 0.5,
      mom = 0.5;
    const v = (1 - rho) * g * g; // 0.025
    const mg = (1 - rho) * g; // 0.05
    const incPlain = (lr * g) / Math.sqrt(v + eps);
    const incCentered = (lr * g) / Math.sqrt(v - mg * mg + eps);
    let r = oneStep([1], [g], { V: [0] }, (_a, W, G, s, n) => js.rmsprop(W, G, s.V!, 0, 0, n, lr, rho, 0, eps));
    expect(r.W![0]).toBeCloseTo(1 - incPlain, 7);
    r = oneStep([1], [g], { V: [0], MG: [0] }, (_a, W, G, s, n) =>
      js.rmsprop(W, G, s.V!, s.MG!, 0, n, lr, rho, 0, eps),
    );
    expect(r.W![0]).toBeCloseTo(1 - incCentered, 7);
    expect(r.MG![0]).toBeCloseTo(mg, 8);
    r = oneStep([1], [g], { V: [0], MOM: [0.2] }, (_a, W, G, s, n) =>
      js.rmsprop(W, G, s.V!, 0, s.MOM!, n, lr, rho, mom, eps),
    );
    expect(r.MOM![0]).toBeCloseTo(mom * 0.2 + incPlain, 7);
    expect(r.W![0]).toBeCloseTo(1 - (mom * 0.2 + incPlain), 7);
  });

  test('Adadelta step 1 from zero accumulators', () => {
    const lr = 1,
      rho = 0.95,
      eps = 1e-7,
      g = 0.5;
    const A = (1 - rho) * g * g;
    const d = (Math.sqrt(eps) / Math.sqrt(A + eps)) * g;
    const r = oneStep([1], [g], { A: [0], D: [0] }, (_a, W, G, s, n) => js.adadelta(W, G, s.A!, s.D!, n, lr, rho, eps));
    expect(r.A![0]).toBeCloseTo(A, 9);
    expect(r.D![0]! / ((1 - rho) * d * d)).toBeCloseTo(1, 6);
    expect(r.W![0]).toBeCloseTo(1 - lr * d, 7);
  });

  test('Adamax step 1 moves w by lr·sign(g), up to eps', () => {
    const lr = 0.002,
      b1 = 0.9,
      b2 = 0.999,
      eps = 1e-7;
    const r = oneStep([1, 1], [0.5, -3], { M: [0, 0], U: [0, 0] }, (_a, W, G, s, n) =>
      js.adamax(W, G, s.M!, s.U!, n, lr / (1 - b1), b1, b2, eps),
    );
    expectClose('W', r.W!, [1 - (lr * 0.5) / (0.5 + eps), 1 + (lr * 3) / (3 + eps)], { rel: 1e-7 });
    expectClose('U', r.U!, [0.5, 3], { rel: 0 });
  });

  test('Nadam step 1 with the Keras 3 schedule', () => {
    const lr = 0.002,
      b1 = 0.9,
      b2 = 0.999,
      eps = 1e-7,
      g = 0.5;
    const { c1, c2, c3 } = nadamCoefficients(1, b1, b2);
    const m = (1 - b1) * g,
      v = (1 - b2) * g * g;
    // Written out: u1 = 0.9·(1 − ½·0.96), u2 = 0.9·(1 − ½·0.96²) (Keras 3 nadam.py: 0.96^t).
    const u1 = 0.9 * (1 - 0.5 * 0.96),
      u2 = 0.9 * (1 - 0.5 * 0.96 ** 2);
    const mHat = (u2 * m) / (1 - u1 * u2) + ((1 - u1) * g) / (1 - u1);
    const vHat = v / (1 - b2);
    const r = oneStep([1], [g], { M: [0], V: [0] }, (_a, W, G, s, n) =>
      js.nadam(W, G, s.M!, s.V!, n, lr, b1, b2, eps, c1, c2, c3),
    );
    expect(r.W![0]).toBeCloseTo(1 - (lr * mHat) / (Math.sqrt(vHat) + eps), 7);
  });
});

// ---------------------------------------------------------------- several steps

type Rule = (w: number, g: number, s: Record<string, number>, t: number) => number;

const B1 = 0.9,
  B2 = 0.999,
  EPS = 1e-7;

/** Each rule as Keras documents it, on one float64 scalar and its slots; returns the new w. */
const RULES: Array<{
  name: string;
  slots: Record<string, number>;
  rule: Rule;
  kernel: (W: number, G: number, s: Record<string, number>, n: number, t: number) => void;
}> = [
  {
    name: 'sgdMomentum',
    slots: { V: 0 },
    rule: (w, g, s) => {
      s.V = 0.9 * s.V! - 0.05 * g;
      return w + s.V;
    },
    kernel: (W, G, s, n) => js.sgdMomentum(W, G, s.V!, n, 0.05, 0.9, false),
  },
  {
    name: 'sgdMomentum nesterov',
    slots: { V: 0 },
    rule: (w, g, s) => {
      s.V = 0.9 * s.V! - 0.05 * g;
      return w + 0.9 * s.V - 0.05 * g;
    },
    kernel: (W, G, s, n) => js.sgdMomentum(W, G, s.V!, n, 0.05, 0.9, true),
  },
  {
    name: 'adagrad',
    slots: { A: 0.1 },
    rule: (w, g, s) => {
      s.A = s.A! + g * g;
      return w - (0.1 * g) / Math.sqrt(s.A + EPS);
    },
    kernel: (W, G, s, n) => js.adagrad(W, G, s.A!, n, 0.1, EPS),
  },
  {
    name: 'rmsprop centered momentum',
    slots: { V: 0, MG: 0, MOM: 0 },
    rule: (w, g, s) => {
      s.V = 0.9 * s.V! + 0.1 * g * g;
      s.MG = 0.9 * s.MG! + 0.1 * g;
      s.MOM = 0.5 * s.MOM! + (0.01 * g) / Math.sqrt(s.V - s.MG * s.MG + EPS);
      return w - s.MOM;
    },
    kernel: (W, G, s, n) => js.rmsprop(W, G, s.V!, s.MG!, s.MOM!, n, 0.01, 0.9, 0.5, EPS),
  },
  {
    name: 'adam',
    slots: { M: 0, V: 0 },
    rule: (w, g, s, t) => {
      s.M = B1 * s.M! + (1 - B1) * g;
      s.V = B2 * s.V! + (1 - B2) * g * g;
      // The textbook form with bias-corrected moments; equal to the folded alpha form up to where eps enters.
      const alpha = (0.01 * Math.sqrt(1 - B2 ** t)) / (1 - B1 ** t);
      return w - (alpha * s.M) / (Math.sqrt(s.V) + EPS);
    },
    kernel: (W, G, s, n, t) =>
      js.adam(W, G, s.M!, s.V!, 0, n, (0.01 * Math.sqrt(1 - B2 ** t)) / (1 - B1 ** t), B1, B2, EPS),
  },
  {
    name: 'adadelta',
    slots: { A: 0, D: 0 },
    rule: (w, g, s) => {
      s.A = 0.95 * s.A! + 0.05 * g * g;
      const d = (Math.sqrt(s.D! + EPS) / Math.sqrt(s.A + EPS)) * g;
      s.D = 0.95 * s.D! + 0.05 * d * d;
      return w - d;
    },
    kernel: (W, G, s, n) => js.adadelta(W, G, s.A!, s.D!, n, 1, 0.95, EPS),
  },
  {
    name: 'adamax',
    slots: { M: 0, U: 0 },
    rule: (w, g, s, t) => {
      s.M = B1 * s.M! + (1 - B1) * g;
      s.U = Math.max(B2 * s.U!, Math.abs(g));
      return w - ((0.002 / (1 - B1 ** t)) * s.M) / (s.U + EPS);
    },
    kernel: (W, G, s, n, t) => js.adamax(W, G, s.M!, s.U!, n, 0.002 / (1 - B1 ** t), B1, B2, EPS),
  },
  {
    name: 'nadam',
    slots: { M: 0, V: 0 },
    rule: (w, g, s, t) => {
      s.M = B1 * s.M! + (1 - B1) * g;
      s.V = B2 * s.V! + (1 - B2) * g * g;
      const { c1, c2, c3 } = nadamCoefficients(t, B1, B2);
      return w - (0.002 * (c1 * s.M + c2 * g)) / (Math.sqrt(c3 * s.V) + EPS);
    },
    kernel: (W, G, s, n, t) => {
      const { c1, c2, c3 } = nadamCoefficients(t, B1, B2);
      js.nadam(W, G, s.M!, s.V!, n, 0.002, B1, B2, EPS, c1, c2, c3);
    },
  },
  {
    name: 'lion',
    slots: { M: 0 },
    rule: (w, g, s) => {
      const c = 0.9 * s.M! + 0.1 * g;
      s.M = 0.99 * s.M! + 0.01 * g;
      return w - 0.003 * Math.sign(c);
    },
    kernel: (W, G, s, n) => js.lion(W, G, s.M!, n, 0.003, 0.9, 0.99),
  },
  {
    name: 'ftrl (lr_power −0.2, l1, l2, shrinkage, beta)',
    slots: { A: 0.4, Z: 0 },
    rule: (w, g, s) => {
      // Keras 3 ftrl.py with lr 0.05, lr_power −0.2, l1 0.05, l2 0.15 + beta/(2·lr) (beta 0.3), shrinkage 0.01.
      const lr = 0.05,
        p = -0.2,
        l1 = 0.05,
        l2 = 0.15 + 0.3 / (2 * lr),
        sh = 0.01;
      const a1 = s.A! + g * g;
      s.Z = s.Z! + (g + 2 * sh * w) - ((a1 ** -p - s.A! ** -p) / lr) * w;
      s.A = a1;
      return (Math.min(Math.max(s.Z, -l1), l1) - s.Z) / (a1 ** -p / lr + 2 * l2);
    },
    kernel: (W, G, s, n) => js.ftrl(W, G, s.A!, s.Z!, n, 0.05, -0.2, 0.05, 0.15 + 0.3 / (2 * 0.05), 0.01),
  },
];

describe('js optimizer kernels: five steps against the rules in float64', () => {
  for (const { name, slots, rule, kernel } of RULES) {
    test(name, () => {
      const rng = mulberry32(name.length * 17 + 2);
      const n = 9;
      const w0 = randArray(rng, n);
      const grads = Array.from({ length: 5 }, () => randArray(rng, n));
      const w = Array.from(w0);
      const st = Array.from({ length: n }, () => ({ ...slots }));
      withArena(js, (a) => {
        const W = a.put(w0),
          G = a.empty(n);
        const s: Record<string, number> = {};
        for (const k of Object.keys(slots)) s[k] = a.put(new Float32Array(n).fill(slots[k]!));
        for (let t = 1; t <= grads.length; t++) {
          a.b.heap.write(G, grads[t - 1]!);
          kernel(W, G, s, n, t);
          for (let i = 0; i < n; i++) w[i] = rule(w[i]!, grads[t - 1]![i]!, st[i]!, t);
          expectClose(`${name} step ${t}: W`, a.read(W, n), w, { rel: 1e-6, abs: 1e-7 }, [n]);
          for (const k of Object.keys(slots)) {
            expectClose(
              `${name} step ${t}: ${k}`,
              a.read(s[k]!, n),
              st.map((x) => x[k]!),
              { rel: 1e-6, abs: 1e-7 },
              [n],
            );
          }
        }
      });
    });
  }
});
