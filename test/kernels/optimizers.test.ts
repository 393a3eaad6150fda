/**
 * Conformance of every optimizer kernel of the wasm backend against the js
 * backend over several steps: weights and every slot are compared after each
 * step, with fresh gradients per step (including exact zeros).
 *
 * Tolerance: each step is a handful of float32 operations per element; five
 * steps of drift stay within 1e-5 relative, plus 1e-6 absolute on weights ~1.
 * Slots such as M = β1·M + (1−β1)·g pass near 0 when g changes sign, so their
 * error is relative to the terms summed, not to the result: the absolute part is
 * 1e-5 of the largest slot value in the array (a float32 rounding is 6e-8).
 */
import { beforeAll, test } from 'vitest';
import type { Backend } from '../../src/backend/types.js';
import {
  describeWasm,
  expectClose,
  js,
  mulberry32,
  nadamCoefficients,
  randArray,
  withArena,
  type Arena,
} from './helpers.js';

const SIZES = [1, 3, 4, 7, 64, 1027];
const STEPS = 5;

interface OptSpec {
  name: string;
  /** Slot names and their initial values. */
  slots: ReadonlyArray<readonly [string, number]>;
  /** One step t (1-based); s maps slot name → pointer. */
  step(b: Backend, W: number, G: number, s: Record<string, number>, n: number, t: number): void;
}

const B1 = 0.9,
  B2 = 0.999;

const OPTS: OptSpec[] = [
  { name: 'sgd', slots: [], step: (b, W, G, _s, n) => b.sgd(W, G, n, 0.1) },
  { name: 'sgdMomentum', slots: [['V', 0]], step: (b, W, G, s, n) => b.sgdMomentum(W, G, s.V!, n, 0.05, 0.9, false) },
  {
    name: 'sgdMomentum nesterov',
    slots: [['V', 0]],
    step: (b, W, G, s, n) => b.sgdMomentum(W, G, s.V!, n, 0.05, 0.9, true),
  },
  { name: 'adagrad', slots: [['A', 0.1]], step: (b, W, G, s, n) => b.adagrad(W, G, s.A!, n, 0.1, 1e-7) },
  { name: 'rmsprop', slots: [['V', 0]], step: (b, W, G, s, n) => b.rmsprop(W, G, s.V!, 0, 0, n, 0.01, 0.9, 0, 1e-7) },
  {
    name: 'rmsprop centered',
    slots: [
      ['V', 0],
      ['MG', 0],
    ],
    step: (b, W, G, s, n) => b.rmsprop(W, G, s.V!, s.MG!, 0, n, 0.01, 0.9, 0, 1e-7),
  },
  {
    name: 'rmsprop momentum',
    slots: [
      ['V', 0],
      ['MOM', 0],
    ],
    step: (b, W, G, s, n) => b.rmsprop(W, G, s.V!, 0, s.MOM!, n, 0.01, 0.9, 0.5, 1e-7),
  },
  {
    name: 'rmsprop centered momentum',
    slots: [
      ['V', 0],
      ['MG', 0],
      ['MOM', 0],
    ],
    step: (b, W, G, s, n) => b.rmsprop(W, G, s.V!, s.MG!, s.MOM!, n, 0.01, 0.9, 0.5, 1e-7),
  },
  {
    name: 'adam',
    slots: [
      ['M', 0],
      ['V', 0],
    ],
    step: (b, W, G, s, n, t) =>
      b.adam(W, G, s.M!, s.V!, 0, n, (0.01 * Math.sqrt(1 - B2 ** t)) / (1 - B1 ** t), B1, B2, 1e-7),
  },
  {
    name: 'adam amsgrad',
    slots: [
      ['M', 0],
      ['V', 0],
      ['VMAX', 0],
    ],
    step: (b, W, G, s, n, t) =>
      b.adam(W, G, s.M!, s.V!, s.VMAX!, n, (0.01 * Math.sqrt(1 - B2 ** t)) / (1 - B1 ** t), B1, B2, 1e-7),
  },
  {
    name: 'adadelta',
    slots: [
      ['A', 0],
      ['D', 0],
    ],
    step: (b, W, G, s, n) => b.adadelta(W, G, s.A!, s.D!, n, 1, 0.95, 1e-7),
  },
  {
    name: 'adamax',
    slots: [
      ['M', 0],
      ['U', 0],
    ],
    step: (b, W, G, s, n, t) => b.adamax(W, G, s.M!, s.U!, n, 0.002 / (1 - B1 ** t), B1, B2, 1e-7),
  },
  {
    name: 'nadam',
    slots: [
      ['M', 0],
      ['V', 0],
    ],
    step: (b, W, G, s, n, t) => {
      const { c1, c2, c3 } = nadamCoefficients(t, B1, B2);
      b.nadam(W, G, s.M!, s.V!, n, 0.002, B1, B2, 1e-7, c1, c2, c3);
    },
  },
  { name: 'lion', slots: [['M', 0]], step: (b, W, G, s, n) => b.lion(W, G, s.M!, n, 0.003, 0.9, 0.99) },
  // lr_power −0.5 takes the square-root path, −0.2 the pow path (AssemblyScript's pow against V8's: a few ulps).
  {
    name: 'ftrl',
    slots: [
      ['A', 0.1],
      ['Z', 0],
    ],
    step: (b, W, G, s, n) => b.ftrl(W, G, s.A!, s.Z!, n, 0.1, -0.5, 0.01, 0.02, 0.005),
  },
  {
    name: 'ftrl lr_power -0.2',
    slots: [
      ['A', 0.4],
      ['Z', 0],
    ],
    step: (b, W, G, s, n) => b.ftrl(W, G, s.A!, s.Z!, n, 0.05, -0.2, 0.05, 0.15 + 0.3 / (2 * 0.05), 0.01),
  },
];

/** Run STEPS steps on b; returns the state after each step. */
function trajectory(
  b: Backend,
  spec: OptSpec,
  W0: Float32Array,
  grads: Float32Array[],
): Array<Record<string, Float32Array>> {
  const n = W0.length;
  return withArena(b, (a: Arena) => {
    const W = a.put(W0),
      G = a.empty(n);
    const s: Record<string, number> = {};
    for (const [k, v] of spec.slots) s[k] = a.put(new Float32Array(n).fill(v));
    const out: Array<Record<string, Float32Array>> = [];
    for (let t = 1; t <= grads.length; t++) {
      b.heap.write(G, grads[t - 1]!);
      spec.step(b, W, G, s, n, t);
      const state: Record<string, Float32Array> = { W: a.read(W, n), G: a.read(G, n) };
      for (const [k] of spec.slots) state[k] = a.read(s[k]!, n);
      out.push(state);
    }
    return out;
  });
}

describeWasm('optimizer kernels: wasm against js', (load) => {
  let w: Backend;
  beforeAll(async () => {
    w = await load();
  });

  for (const spec of OPTS) {
    test(`${spec.name}: ${STEPS} steps, weights and slots after each`, () => {
      const rng = mulberry32(spec.name.length * 104729 + 1);
      for (const n of SIZES) {
        const W0 = randArray(rng, n, -1, 1);
        const grads = Array.from({ length: STEPS }, () => {
          const g = randArray(rng, n, -1, 1);
          g[0] = 0; // an exact zero gradient: slots and updates must stay finite
          return g;
        });
        const ref = trajectory(js, spec, W0, grads),
          got = trajectory(w, spec, W0, grads);
        for (let t = 0; t < STEPS; t++) {
          for (const key of Object.keys(ref[t]!)) {
            const r = ref[t]![key]!;
            const maxAbs = r.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
            expectClose(
              `${spec.name}(n=${n}) step ${t + 1}: ${key}`,
              got[t]![key]!,
              r,
              key === 'W' ? { rel: 1e-5, abs: 1e-6 } : key === 'G' ? { rel: 0 } : { rel: 1e-5, abs: 1e-5 * maxAbs },
              [n],
            );
          }
        }
      }
    });
  }
});
