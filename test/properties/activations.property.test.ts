/**
 * Properties of the activation kernels (forward `biasAct`, backward
 * `actBackward`) on every finite float32 input — ±0, subnormals, ordinary
 * values and values up to ±FLT_MAX — on both backends:
 *
 * - no NaN from a finite input, ever; and Infinity only where the exact
 *   result overflows float32: exponential(x) for x > ln FLT_MAX ≈ 88.7228
 *   (so exp(1e4) = Infinity, by design) and selu(x) = 1.0507·x for
 *   x > FLT_MAX/1.0507. Every other activation (including softplus, elu,
 *   gelu, swish) is finite on all finite inputs;
 * - closed forms at the ends of the range: sigmoid is exactly 1 for x ≥ 18,
 *   exactly +0 for x ≤ −105 and exactly ½ for |x| ≤ 2⁻²⁶; tanh is exactly ±1
 *   for |x| ≥ 9.5, exactly odd, and exactly x for |x| < 2⁻¹² (subnormals
 *   included; the sign of tanh(−0) is not checked: wasm gives +0); softplus is exactly x for x ≥ 20
 *   and +0 for x ≤ −105; elu is x for x > 0 and −alpha (to 1e-7) for x ≤ −20;
 *   exponential is +0 for x ≤ −104 and 1 for |x| ≤ 2⁻²⁶;
 * - backward at saturation: sigmoid′ and tanh′ are exactly 0 where the
 *   output saturated, and no derivative is NaN;
 * - wasm agrees with the js reference everywhere (1e-5 relative, 1e-6
 *   absolute, as in test/kernels/elementwise.test.ts, plus 1e-6·|dY| for
 *   the backward pass, whose dY here reaches ±1e3), where one backend
 *   rounding to FLT_MAX and the other to Infinity counts as agreement.
 */
import { beforeAll, describe, test } from 'vitest';
import { Act, actNeedsZ, type Backend } from '../../src/backend/types.js';
import { describeWasm, js, withArena } from '../kernels/helpers.js';
import { FLT_MAX, anyF32, expectAgree, expectAll, f32, f32In, fc, notNaN, params, show } from './arb.js';

const ACTS: ReadonlyArray<readonly [Act, number]> = [
  [Act.Linear, 0],
  [Act.Relu, 0],
  [Act.LeakyRelu, f32(0.3)],
  [Act.LeakyRelu, f32(0.2)],
  [Act.Elu, 1],
  [Act.Elu, f32(0.7)],
  [Act.Selu, 0],
  [Act.Sigmoid, 0],
  [Act.Tanh, 0],
  [Act.Exponential, 0],
  [Act.Softplus, 0],
  [Act.Softsign, 0],
  [Act.Gelu, 0],
  [Act.Swish, 0],
  [Act.HardSigmoid, 0],
];
const LN_FLT_MAX = Math.log(FLT_MAX); // 88.72283905…
const SELU_SCALE = 1.0507009873554805;

const inputs = fc.array(anyF32, { minLength: 0, maxLength: 67 });

function forward(b: Backend, act: Act, param: number, x: ArrayLike<number>): Float32Array {
  const n = x.length;
  return withArena(b, (a) => {
    const pZ = a.put(x),
      pY = a.empty(n);
    b.biasAct(act, param, pZ, 0, pY, 1, n);
    return a.read(pY, n);
  });
}

function backward(
  b: Backend,
  act: Act,
  param: number,
  z: ArrayLike<number>,
  y: ArrayLike<number>,
  dy: ArrayLike<number>,
): Float32Array {
  const n = z.length;
  return withArena(b, (a) => {
    const pZ = actNeedsZ(act) ? a.put(z) : 0,
      pY = a.put(y),
      pG = a.put(dy),
      pX = a.empty(n);
    b.actBackward(act, param, pZ, pY, pG, pX, n);
    return a.read(pX, n);
  });
}

/** Where the exact activation overflows float32 (Infinity allowed), with a 1e-6 band around the threshold. */
function mayOverflow(act: Act, x: number): 'no' | 'yes' | 'band' {
  const band = (t: number): 'no' | 'yes' | 'band' => (x > t * (1 + 1e-6) ? 'yes' : x >= t * (1 - 1e-6) ? 'band' : 'no');
  if (act === Act.Exponential) return band(LN_FLT_MAX);
  if (act === Act.Selu) return band(FLT_MAX / SELU_SCALE);
  return 'no';
}

function rangeProperties(name: string, be: () => Backend): void {
  describe(`activation properties on ${name}`, () => {
    test('forward: never NaN; Infinity only where the exact result overflows (exponential, selu)', () => {
      fc.assert(
        fc.property(inputs, (xs) => {
          const b = be();
          for (const [act, param] of ACTS) {
            const y = forward(b, act, param, xs);
            const label = `${b.name} ${Act[act]}(${param}) on ${show(xs)}`;
            expectAll(label, y, notNaN, 'NaN-free');
            expectAll(
              label,
              y,
              (v, i) => {
                const o = mayOverflow(act, xs[i]!);
                return o === 'band' || (o === 'yes' ? v === Infinity : Number.isFinite(v));
              },
              'finite (or +Infinity past the overflow threshold)',
            );
          }
        }),
        params(60),
      );
    });

    test('sigmoid and tanh saturate to exactly 0/1 and ±1, keep ½ and x near 0, tanh is exactly odd', () => {
      fc.assert(
        fc.property(inputs, (xs) => {
          const b = be();
          const s = forward(b, Act.Sigmoid, 0, xs);
          expectAll(
            `${b.name} sigmoid on ${show(xs)}`,
            s,
            (y, i) => {
              const x = xs[i]!;
              if (!(y >= 0 && y <= 1)) return false;
              if (x >= 18) return y === 1;
              if (x <= -105) return Object.is(y, 0);
              if (Math.abs(x) <= 2 ** -26) return y === 0.5;
              return true;
            },
            'in [0, 1] with exact saturation',
          );
          const t = forward(b, Act.Tanh, 0, xs);
          const tn = forward(
            b,
            Act.Tanh,
            0,
            xs.map((x) => -x),
          );
          expectAll(
            `${b.name} tanh on ${show(xs)}`,
            t,
            (y, i) => {
              const x = xs[i]!;
              if (!(y >= -1 && y <= 1)) return false;
              // Odd, bit for bit except the sign of a zero result (wasm gives tanh(−0) = +0, js −0: see the report).
              if (tn[i] !== -y) return false;
              if (Math.abs(x) >= 9.5) return y === Math.sign(x);
              if (Math.abs(x) < 2 ** -12) return y === x;
              return true;
            },
            'in [−1, 1], odd, saturated at ±1 and exactly x near 0',
          );
        }),
        params(80),
      );
    });

    test('softplus, elu and exponential at the ends of the range', () => {
      fc.assert(
        fc.property(inputs, fc.constantFrom(1, f32(0.7)), (xs, alpha) => {
          const b = be();
          const sp = forward(b, Act.Softplus, 0, xs);
          expectAll(
            `${b.name} softplus on ${show(xs)}`,
            sp,
            (y, i) => {
              const x = xs[i]!;
              if (!(y >= 0 && Number.isFinite(y))) return false;
              if (x >= 20) return y === x;
              if (x <= -105) return Object.is(y, 0);
              return true;
            },
            'finite, ≥ 0, = x for x ≥ 20 and +0 for x ≤ −105',
          );
          const el = forward(b, Act.Elu, alpha, xs);
          expectAll(
            `${b.name} elu(${alpha}) on ${show(xs)}`,
            el,
            (y, i) => {
              const x = xs[i]!;
              if (!Number.isFinite(y) || y < -alpha) return false;
              if (x > 0) return y === x;
              if (x <= -20) return Math.abs(y + alpha) <= 1e-7 * alpha;
              return true;
            },
            'finite, ≥ −alpha, = x for x > 0 and −alpha for x ≤ −20',
          );
          const ex = forward(b, Act.Exponential, 0, xs);
          expectAll(
            `${b.name} exponential on ${show(xs)}`,
            ex,
            (y, i) => {
              const x = xs[i]!;
              if (Number.isNaN(y) || y < 0) return false;
              if (x <= -104) return Object.is(y, 0);
              if (Math.abs(x) <= 2 ** -26) return y === 1;
              return true;
            },
            '≥ 0, +0 for x ≤ −104 and 1 near 0',
          );
        }),
        params(60),
      );
    });

    test('backward: never NaN for finite dY (exponential: dY ≠ 0); sigmoid′/tanh′ exactly 0 at saturation', () => {
      const dys = fc.array(fc.tuple(anyF32, f32In(-1e3, 1e3)), { minLength: 0, maxLength: 67 });
      fc.assert(
        fc.property(dys, (pairs) => {
          const b = be();
          const xs = pairs.map((p) => p[0]),
            dy = pairs.map((p) => p[1]);
          for (const [act, param] of ACTS) {
            const y = forward(b, act, param, xs);
            const dx = backward(b, act, param, xs, y, dy);
            // exponential′ = y, which is +Infinity past x ≈ 88.72: 0·∞ is NaN in IEEE arithmetic, so dY = 0 is left out
            // there.
            const skip = (i: number): boolean => act === Act.Exponential && dy[i] === 0 && y[i] === Infinity;
            expectAll(
              `${b.name} ${Act[act]}(${param})' on z = ${show(xs)}, dY = ${show(dy)}`,
              dx,
              (v, i) => skip(i) || !Number.isNaN(v),
              'NaN-free',
            );
            if (act === Act.Sigmoid || act === Act.Tanh) {
              expectAll(
                `${b.name} ${Act[act]}' at saturation, z = ${show(xs)}`,
                dx,
                (v, i) => !(Math.abs(y[i]!) === 1 || (act === Act.Sigmoid && y[i] === 0)) || v === 0,
                'exactly 0 where the output saturated',
              );
            }
          }
        }),
        params(40),
      );
    });
  });
}

rangeProperties('the js backend', () => js);

describeWasm('activation properties', (load) => {
  let w: Backend;
  beforeAll(async () => {
    w = await load();
  });
  rangeProperties('wasm', () => w);

  test("wasm agrees with js: forward (with a bias) and backward, every activation, inputs across float32's range", () => {
    const arb = fc.tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 0, max: 19 })).chain(([M, N]) =>
      fc.record({
        M: fc.constant(M),
        N: fc.constant(N),
        z: fc.array(anyF32, { minLength: M * N, maxLength: M * N }),
        bias: fc.option(fc.array(f32In(-10, 10), { minLength: N, maxLength: N }), { nil: undefined }),
        dy: fc.array(f32In(-1e3, 1e3), { minLength: M * N, maxLength: M * N }),
      }),
    );
    fc.assert(
      fc.property(arb, ({ M, N, z, bias, dy }) => {
        const n = M * N;
        for (const [act, param] of ACTS) {
          const run = (b: Backend) =>
            withArena(b, (a) => {
              const pZ = a.put(z),
                pB = bias ? a.put(bias) : 0,
                pY = a.empty(n);
              b.biasAct(act, param, pZ, pB, pY, M, N);
              return { Z: a.read(pZ, n), Y: a.read(pY, n) };
            });
          const r = run(js),
            g = run(w);
          const label = `${Act[act]}(${param}) M=${M} N=${N} z=${show(z)} bias=${bias ? show(bias) : 'none'}`;
          // Z += bias is one float32 addition on both sides: bit-identical.
          expectAgree(`${label}: Z`, g.Z, r.Z, {});
          expectAgree(`${label}: Y`, g.Y, r.Y, { rel: 1e-5, abs: 1e-6 }, [M, N]);
          // Backward on the same (js) forward output, so both differentiate the same Y.
          const dr = backward(js, act, param, r.Z, r.Y, dy),
            dg = backward(w, act, param, r.Z, r.Y, dy);
          // The absolute slack scales with |dY|: derivatives computed from y (elu/selu: y + alpha) cancel
          // near saturation, with an error of a few ulps of alpha, times dY.
          expectAgree(`${label}: dX with dY=${show(dy)}`, dg, dr, { rel: 1e-5, abs: 1e-6, scale: dy, scaleTol: 1e-6 }, [
            M,
            N,
          ]);
        }
      }),
      params(80),
    );
  });
});
