/**
 * The global gradient-norm clip when the norm overflows float32.
 *
 * - `sumSquares` accumulates in float64 (its contract): for any float32
 *   values, up to ±FLT_MAX, it is finite and equals the float64 Σx² to
 *   n·2⁻⁵² relative (the order of the float64 additions may differ).
 * - Optimizer level: `sgd({ globalClipnorm: c })` applied through
 *   `Optimizer.apply(backend, params)` to 1–4 weights whose gradients' float32
 *   squared norm overflows (|g| ≥ 5e19, so each g² alone exceeds FLT_MAX):
 *   afterwards the gradients have norm c to 1e-6, each is g·c/‖g‖ to two
 *   float32 roundings, and every weight is finite and equal to w − lr·g_clipped.
 *   On wasm this holds while the norm stays below 2¹²⁶ (the clip factor c/‖g‖
 *   is then a normal float32); past it see the KNOWN BUG test at the end.
 * - Model level, through the public API: a Dense model whose gradient
 *   (computeGradients) has a float32-overflowing squared norm takes one SGD
 *   step of length exactly lr·c in the direction −g.
 */
import { beforeAll, describe, expect, it, test } from 'vitest';
import * as sn from '../../src/index.js';
import type { Backend } from '../../src/backend/types.js';
import type { ParamSlots } from '../../src/optimizers.js';
import { describeWasm, js, mulberry32, withArena } from '../kernels/helpers.js';
import { FLT_MAX, U, anyF32, dim, expectAll, f32, fc, params, show } from './arb.js';

function sumSquaresProperty(be: () => Backend): void {
  test('sumSquares is the float64 Σx² (finite) for any float32 values, ±FLT_MAX included', () => {
    fc.assert(
      fc.property(fc.array(anyF32, { minLength: 0, maxLength: 1100 }), (xs) => {
        const b = be();
        const got = withArena(b, (a) => b.sumSquares(a.put(xs), xs.length));
        let ref = 0;
        for (const x of xs) ref += x * x;
        if (!Number.isFinite(got) || !(Math.abs(got - ref) <= xs.length * 2 ** -52 * ref)) {
          throw new Error(`${b.name} sumSquares(${show(xs)}) = ${got}, float64 ${ref}`);
        }
      }),
      params(100),
    );
  });
}

interface ClipCase {
  sizes: number[];
  mags: number[];
  seed: number;
  clip: number;
  lr: number;
  /** Signed zeros and subnormals written over some gradient entries. */
  specials: { at: number; v: number }[];
}

const clipCase = (mags: number[]): fc.Arbitrary<ClipCase> =>
  fc.integer({ min: 1, max: 4 }).chain((k) =>
    fc.record({
      sizes: fc.array(dim(50), { minLength: k, maxLength: k }),
      mags: fc.array(fc.constantFrom(...mags), { minLength: k, maxLength: k }),
      seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      clip: fc.constantFrom(1, 1, 0.25, 5),
      lr: fc.constantFrom(0.1, 1, 0.01),
      specials: fc.array(fc.record({ at: fc.nat(), v: fc.constantFrom(0, -0, 2 ** -149, f32(-1e-40), 1) }), {
        maxLength: 4,
      }),
    }),
  );

function describeClip(c: ClipCase): string {
  return `sizes=${JSON.stringify(c.sizes)} |g|~${JSON.stringify(c.mags)} seed=${c.seed} globalClipnorm=${c.clip} lr=${c.lr} specials=${JSON.stringify(c.specials)}`;
}

/** Gradients with entries of magnitude in [0.5·mag, mag] (but the specials) and weights in [−1, 1]. */
function clipData(c: ClipCase): { G: Float32Array[]; W: Float32Array[] } {
  const rng = mulberry32(c.seed);
  const G = c.sizes.map((n, i) =>
    Float32Array.from({ length: n }, () => (rng() < 0.5 ? -1 : 1) * c.mags[i]! * (0.5 + 0.5 * rng())),
  );
  const W = c.sizes.map((n) => Float32Array.from({ length: n }, () => 2 * rng() - 1));
  const total = c.sizes.reduce((s, n) => s + n, 0);
  for (const s of c.specials) {
    let k = s.at % total,
      i = 0;
    while (k >= c.sizes[i]!) {
      k -= c.sizes[i]!;
      i++;
    }
    if (k !== 0) G[i]![k] = s.v; // entry 0 keeps its large value
  }
  return { G, W };
}

/** One `sgd({ globalClipnorm })` step on `b`; returns the clipped gradients and the new weights. */
function clipStep(
  b: Backend,
  c: ClipCase,
  G: Float32Array[],
  W: Float32Array[],
): { G: Float32Array[]; W: Float32Array[] } {
  return withArena(b, (a) => {
    const ps: ParamSlots[] = G.map((g, i) => ({ ptr: a.put(W[i]!), grad: a.put(g), size: g.length, slots: [] }));
    sn.optimizers.sgd({ globalClipnorm: c.clip, learningRate: c.lr }).apply(b, ps);
    return { G: ps.map((p) => a.read(p.grad, p.size)), W: ps.map((p) => a.read(p.ptr, p.size)) };
  });
}

function checkClip(b: Backend, c: ClipCase): void {
  const { G, W } = clipData(c);
  let ss = 0,
    ss32 = 0;
  for (const g of G)
    for (const v of g) {
      ss += v * v;
      ss32 = f32(ss32 + f32(v * v));
    }
  if (ss32 !== Infinity) throw new Error(`test setup: the float32 squared norm should overflow (${describeClip(c)})`);
  const norm = Math.sqrt(ss);
  const r = clipStep(b, c, G, W);
  const label = `${b.name} ${describeClip(c)}`;
  let after = 0;
  for (const g of r.G) for (const v of g) after += v * v;
  if (!(Math.abs(Math.sqrt(after) - c.clip) <= 1e-6 * c.clip)) {
    throw new Error(
      `${label}: clipped norm ${Math.sqrt(after)} (relative error ${(Math.sqrt(after) / c.clip - 1).toExponential(3)}), expected ${c.clip}; norm before ${norm}`,
    );
  }
  r.G.forEach((g, i) => {
    expectAll(
      `${label}: clipped gradient ${i}`,
      g,
      (v, k) =>
        Math.abs(v - (G[i]![k]! * c.clip) / norm) <= 2.5 * U * Math.abs((G[i]![k]! * c.clip) / norm) + 2 ** -149,
      'g·c/‖g‖ (two float32 roundings)',
    );
    expectAll(
      `${label}: weight ${i}`,
      r.W[i]!,
      (v, k) =>
        Number.isFinite(v) &&
        Math.abs(v - (W[i]![k]! - c.lr * g[k]!)) <= 3 * U * (Math.abs(W[i]![k]!) + c.lr * Math.abs(g[k]!)),
      'finite and w − lr·g_clipped',
    );
  });
}

/** Magnitudes whose squares overflow float32 while the total norm stays below 2¹²⁶ (≤ 1e35·√200). */
const MAGS = [1e20, 1e25, 1e30, 1e35];

function optimizerProperties(be: () => Backend): void {
  test('sgd({ globalClipnorm }): gradients with a float32-overflowing squared norm are clipped to norm c (1e-6), weights finite', () => {
    fc.assert(
      fc.property(clipCase(MAGS), (c) => {
        checkClip(be(), c);
      }),
      params(100),
    );
  });
}

describe('global-norm clip on the js backend', () => {
  sumSquaresProperty(() => js);
  optimizerProperties(() => js);
  test('…up to FLT_MAX: the js backend clips exactly whatever the norm', () => {
    fc.assert(
      fc.property(clipCase([1e36, 1e37, 3e38, FLT_MAX]), (c) => {
        checkClip(js, c);
      }),
      params(60),
    );
  });
});

describeWasm('global-norm clip', (load) => {
  let w: Backend;
  beforeAll(async () => {
    w = await load();
  });
  sumSquaresProperty(() => w);
  optimizerProperties(() => w);

  /**
   * The wasm `scale(X, n, s)` takes s as a float32. Once ‖g‖ > 2¹²⁶·c
   * (≈ 8.5e37), c/‖g‖ is a float32 subnormal with few bits, so a single scale
   * missed c (100 gradients of 3e38 clipped to 1.0000017; past 2¹⁴⁹·c to 0).
   * The optimizer now scales twice by √(c/‖g‖), each a normal float32.
   */
  it('a global clip of a norm above 2^126 (100 gradients of 3e38) lands on norm 1 within 1e-6 (the optimizer scales twice by √s)', () => {
    const c: ClipCase = { sizes: [100], mags: [3e38], seed: 1, clip: 1, lr: 0.1, specials: [] };
    const G = [new Float32Array(100).fill(3e38)],
      W = [new Float32Array(100).fill(0.5)];
    const r = clipStep(w, c, G, W);
    let s = 0;
    for (const v of r.G[0]!) s += v * v;
    expect(Math.abs(Math.sqrt(s) - 1)).toBeLessThanOrEqual(1e-6);
  });
});

describe('global-norm clip through the public model API', () => {
  for (const backend of ['wasm', 'js'] as const) {
    test(`${backend}: a Dense model's overflowing gradient is clipped; the step has length lr·c along −g`, () => {
      sn.setBackend(backend);
      const arb = fc.record({
        mag: fc.constantFrom(1e12, 1e15, 1e18),
        rows: fc.integer({ min: 1, max: 9 }),
        seed: fc.integer({ min: 1, max: 10_000 }),
        clip: fc.constantFrom(1, 0.5),
        lr: fc.constantFrom(0.5, 0.1),
      });
      fc.assert(
        fc.property(arb, ({ mag, rows, seed, clip, lr }) => {
          sn.setSeed(seed);
          const rng = mulberry32(seed);
          const x = Array.from({ length: rows }, () =>
            Array.from({ length: 5 }, () => (rng() < 0.5 ? -1 : 1) * mag * (0.5 + rng())),
          );
          const y = Array.from({ length: rows }, () => [0, 0, 0]);
          const model = sn.sequential([sn.layers.dense({ units: 3, inputDim: 5 })]);
          model.compile({ loss: 'mse', optimizer: sn.optimizers.sgd({ learningRate: lr, globalClipnorm: clip }) });
          const label = `${backend} |x|~${mag} rows=${rows} seed=${seed} clip=${clip} lr=${lr}`;
          const { grads } = model.computeGradients(x, y);
          let ss = 0,
            ss32 = 0;
          for (const g of grads)
            for (const v of g.values) {
              if (!Number.isFinite(v)) throw new Error(`${label}: gradient not finite: ${v}`);
              ss += v * v;
              ss32 = f32(ss32 + f32(v * v));
            }
          expect(ss32, `${label}: the float32 squared norm overflows`).toBe(Infinity);
          const norm = Math.sqrt(ss);
          const before = model.getWeights().map((t) => Float64Array.from(t.values));
          model.trainOnBatch(x, y);
          const after = model.getWeights().map((t) => t.values);
          let step = 0;
          after.forEach((w, i) =>
            w.forEach((v, k) => {
              if (!Number.isFinite(v)) throw new Error(`${label}: weight ${i}[${k}] = ${v}`);
              const d = before[i]![k]! - v;
              step += d * d;
              // Each weight moved by lr·c·g/‖g‖: the clipped gradient (2.5 ulps), lr in float32, the
              // product and the subtraction (one rounding each, the last one relative to |w|).
              const e = (lr * clip * grads[i]!.values[k]!) / norm;
              if (!(Math.abs(d - e) <= 6 * U * (Math.abs(before[i]![k]!) + Math.abs(e)))) {
                throw new Error(`${label}: weight ${i}[${k}] moved by ${d}, expected ${e}`);
              }
            }),
          );
          expect(Math.abs(Math.sqrt(step) - lr * clip), `${label}: step length`).toBeLessThanOrEqual(
            1e-6 * lr * clip + 4 * U,
          );
        }),
        params(12),
      );
    });
  }
});
