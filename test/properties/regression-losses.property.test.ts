/**
 * Properties of the regression losses (mse, mae, huber, logCosh) where the
 * difference p − t is ±0, subnormal or tiny — the case where a careless
 * formula loses the sign, returns a negative loss or divides 0 by 0 — and at
 * the ends of float32's range. On both backends:
 *
 * - p = t (including 0 against −0): every loss is exactly 0 and every
 *   gradient is ±0;
 * - float64 closed forms with differences built from ±0, subnormals and tiny
 *   values, plus ordinary pairs: loss ≥ 0 and finite; mae's gradient is
 *   exactly sign(p − t)·fround(gradScale·w/N) (+0 where p = t) and its loss
 *   Σ|p − t|/N to 2 ulps; mse/huber/logCosh loss and gradient
 *   (2d·c, d·c, tanh(d)·c) to a few ulps relative plus 2⁻¹⁴⁹ per float32
 *   operation absolute (the subnormal spacing: d² of a subnormal d is 0 in
 *   float32);
 * - anywhere in float32 (up to ±FLT_MAX): never NaN. The wasm kernels form
 *   the element terms in float32, so where |p − t|, 2(p − t) or (p − t)²
 *   leaves float32 their loss and gradient are ±Infinity while the js
 *   reference, in float64, returns the finite value (see the report); the two
 *   agree wherever those float32 terms are finite.
 */
import { beforeAll, describe, test } from 'vitest';
import type { Backend } from '../../src/backend/types.js';
import { describeWasm, expectClose, js, withArena } from '../kernels/helpers.js';
import { FLT_MAX, MIN_SUB, U, anyF32, dim, expectAll, f32, f32In, fc, notNaN, params, show, tinyF32 } from './arb.js';

type Kind = 'mse' | 'mae' | 'huber(1)' | 'huber(0.3)' | 'logCosh';
const KINDS: Kind[] = ['mse', 'mae', 'huber(1)', 'huber(0.3)', 'logCosh'];

function run(
  b: Backend,
  kind: Kind,
  M: number,
  N: number,
  T: Float32Array,
  P: Float32Array,
  W: Float32Array | null,
): { loss: number; G: Float32Array } {
  return withArena(b, (a) => {
    const pT = a.put(T),
      pP = a.put(P),
      pG = a.empty(M * N),
      pW = W ? a.put(W) : 0,
      s = 1 / M;
    const loss =
      kind === 'mse'
        ? b.mse(pT, pP, pG, pW, M, N, s)
        : kind === 'mae'
          ? b.mae(pT, pP, pG, pW, M, N, s)
          : kind === 'logCosh'
            ? b.logCosh(pT, pP, pG, pW, M, N, s)
            : b.huber(pT, pP, pG, pW, M, N, s, kind === 'huber(1)' ? 1 : 0.3);
    return { loss, G: a.read(pG, M * N) };
  });
}

/** Float64 closed forms: per-element term and derivative. */
function termAndGrad(kind: Kind, d: number): [number, number] {
  switch (kind) {
    case 'mse':
      return [d * d, 2 * d];
    case 'mae':
      return [Math.abs(d), Math.sign(d)];
    case 'logCosh': {
      // ln cosh d = ln(1 + u²/(2(1+u))), u = e^|d| − 1: no cancellation for tiny d (≈ d²/2).
      const a = Math.abs(d),
        u = Math.expm1(a);
      return [
        a < 300 ? Math.log1p((u * u) / (2 * (1 + u))) : a + Math.log1p(Math.exp(-2 * a)) - Math.LN2,
        Math.tanh(d),
      ];
    }
    default: {
      const delta = kind === 'huber(1)' ? 1 : 0.3,
        a = Math.abs(d);
      return a <= delta ? [0.5 * d * d, d] : [delta * (a - 0.5 * delta), Math.sign(d) * delta];
    }
  }
}

interface Case {
  M: number;
  N: number;
  T: Float32Array;
  P: Float32Array;
  W: Float32Array | null;
}

/** (t, p) pairs: tiny against tiny, ordinary against ordinary ± a tiny difference, and equal (0 vs −0 included). */
const pair: fc.Arbitrary<[number, number]> = fc.oneof(
  fc.tuple(tinyF32, tinyF32),
  fc.tuple(f32In(-100, 100), tinyF32).map(([t, e]): [number, number] => [t, f32(t + e)]),
  fc.tuple(f32In(-100, 100), fc.integer({ min: -3, max: 3 })).map(([t, k]): [number, number] => [t, nextUlps(t, k)]),
  fc.tuple(f32In(-100, 100), f32In(-100, 100)),
  fc.constantFrom<[number, number]>([0, -0], [-0, 0], [0, 0], [-0, -0], [MIN_SUB, -MIN_SUB], [-MIN_SUB, 0]),
);

/** The next float32 above x (x finite, below FLT_MAX). */
function nextUp(x: number): number {
  if (x === 0) return MIN_SUB;
  const b = new Float32Array([x]),
    u = new Int32Array(b.buffer);
  u[0] = u[0]! + (x > 0 ? 1 : -1);
  return b[0]!;
}

/** t moved by k float32 ulps (through zero and the subnormals if need be). */
function nextUlps(t: number, k: number): number {
  let x = t;
  for (let i = 0; i < Math.abs(k); i++) x = k > 0 ? nextUp(x) : -nextUp(-x);
  return x;
}

const caseOf = (p: fc.Arbitrary<[number, number]>): fc.Arbitrary<Case> =>
  fc.tuple(dim(5), dim(17)).chain(([M, N]) =>
    fc
      .record({
        pairs: fc.array(p, { minLength: M * N, maxLength: M * N }),
        W: fc.option(fc.array(fc.constantFrom(0, 0.5, 1, 3), { minLength: M, maxLength: M }), { nil: null }),
      })
      .map(({ pairs, W }) => ({
        M,
        N,
        T: Float32Array.from(pairs, (q) => q[0]),
        P: Float32Array.from(pairs, (q) => q[1]),
        W: W ? Float32Array.from(W) : null,
      })),
  );

function label(b: Backend, kind: Kind, c: Case): string {
  return `${b.name} ${kind} M=${c.M} N=${c.N} T=${show(c.T)} P=${show(c.P)} W=${c.W ? show(c.W) : 'none'}`;
}

function checkClosedForm(b: Backend, kind: Kind, c: Case): void {
  const { M, N } = c;
  const r = run(b, kind, M, N, c.T, c.P, c.W);
  const lbl = label(b, kind, c);
  let ref = 0,
    refAbs = 0;
  const gRef = new Float64Array(M * N),
    gScale = new Float64Array(M * N);
  for (let i = 0; i < M; i++) {
    const w = c.W ? c.W[i]! : 1,
      cw = ((1 / M) * w) / N;
    let s = 0;
    for (let j = 0; j < N; j++) {
      const d = c.P[i * N + j]! - c.T[i * N + j]!; // exact in float64
      const [t, g] = termAndGrad(kind, d);
      s += t;
      gRef[i * N + j] = cw * g;
      gScale[i * N + j] = cw;
    }
    ref += (w * s) / N;
    refAbs += (Math.abs(w) * s) / N;
  }
  if (!(r.loss >= 0 && Number.isFinite(r.loss))) throw new Error(`${lbl}: loss ${r.loss}`);
  // Terms: float32, a few roundings each (2⁻¹⁴⁹ per operation where they are subnormal), summed in float64.
  // The js logCosh uses |d| + log1p(e^−2|d|) − ln 2, exact to ~2⁻⁵² absolute but not relative
  // for |d| ≲ 1e-4 (see the report): it gets that absolute allowance per element.
  const jsLogCosh = b.name === 'js' && kind === 'logCosh' ? 2 ** -51 * M * N * (c.W ? Math.max(...c.W) : 1) : 0;
  const lossTol = 8 * U * refAbs + 4 * MIN_SUB * M * N + jsLogCosh;
  if (!(Math.abs(r.loss - ref) <= lossTol))
    throw new Error(`${lbl}: loss ${r.loss}, float64 ${ref}, |diff| > ${lossTol}`);
  expectAll(`${lbl}: G`, r.G, Number.isFinite, 'finite');
  if (kind === 'mae') {
    // sign(p − t)·fround(gradScale·w/N), bit for bit (+0 where p = t).
    for (let k = 0; k < M * N; k++) {
      const d = c.P[k]! - c.T[k]!,
        g = f32(gScale[k]!),
        e = d === 0 || g === 0 ? 0 : Math.sign(d) * g; // a weight-0 row: +0
      if (!Object.is(r.G[k], e)) throw new Error(`${lbl}: G[${k}] = ${r.G[k]}, expected ${e} (p − t = ${d})`);
    }
  } else {
    expectClose(`${lbl}: G`, r.G, gRef, { rel: 8 * U, abs: 4 * MIN_SUB }, [M, N]);
  }
}

function lossProperties(name: string, be: () => Backend): void {
  describe(`regression-loss properties on ${name}`, () => {
    test('p = t (0 against −0 too): every loss is exactly 0, every gradient ±0', () => {
      fc.assert(
        fc.property(
          caseOf(
            fc.oneof(
              anyF32.map((x): [number, number] => [x, x]),
              fc.constantFrom<[number, number]>([0, -0], [-0, 0]),
            ),
          ),
          (c) => {
            const b = be();
            for (const kind of KINDS) {
              const r = run(b, kind, c.M, c.N, c.T, c.P, c.W);
              if (r.loss !== 0) throw new Error(`${label(b, kind, c)}: loss ${r.loss}`);
              expectAll(`${label(b, kind, c)}: G`, r.G, (g) => g === 0, '±0');
            }
          },
        ),
        params(40),
      );
    });

    for (const kind of KINDS) {
      test(`${kind}: ±0, subnormal and tiny differences against the float64 closed form`, () => {
        fc.assert(
          fc.property(caseOf(pair), (c) => {
            checkClosedForm(be(), kind, c);
          }),
          params(60),
        );
      });
    }

    test('values anywhere in float32: loss and gradient never NaN, loss ≥ 0', () => {
      fc.assert(
        fc.property(caseOf(fc.tuple(anyF32, anyF32)), (c) => {
          const b = be();
          for (const kind of KINDS) {
            // Rows of weight 0 whose float32 term overflows are included: the kernels skip w = 0 rows.
            const r = run(b, kind, c.M, c.N, c.T, c.P, c.W);
            if (!(r.loss >= 0)) throw new Error(`${label(b, kind, c)}: loss ${r.loss}`);
            expectAll(`${label(b, kind, c)}: G`, r.G, notNaN, 'NaN-free');
          }
        }),
        params(60),
      );
    });
  });
}

lossProperties('the js backend', () => js);

describeWasm('regression-loss properties', (load) => {
  let w: Backend;
  beforeAll(async () => {
    w = await load();
  });
  lossProperties('wasm', () => w);

  test('wasm agrees with js anywhere in float32 where the float32 terms (|d|, 2d, d²) are finite', () => {
    fc.assert(
      fc.property(caseOf(fc.tuple(anyF32, anyF32)), (c) => {
        for (const kind of KINDS) {
          let overflow = false;
          for (let k = 0; k < c.T.length; k++) {
            const d = c.P[k]! - c.T[k]!;
            if (Math.abs(2 * d) > FLT_MAX || (kind !== 'mae' && d * d > FLT_MAX)) overflow = true;
          }
          if (overflow) continue;
          const r = run(js, kind, c.M, c.N, c.T, c.P, c.W),
            g = run(w, kind, c.M, c.N, c.T, c.P, c.W);
          // js logCosh: up to 2⁻⁵¹ absolute per element (see checkClosedForm); the rest to float32 precision.
          const wsum = c.W ? c.W.reduce((s, v) => s + v, 0) : c.M;
          expectClose(`${label(w, kind, c)}: loss`, [g.loss], [r.loss], {
            rel: 2e-5,
            abs: 1e-30 + (kind === 'logCosh' ? 2 ** -51 * wsum : 0),
          });
          expectClose(`${label(w, kind, c)}: G`, g.G, r.G, { rel: 1e-5, abs: 1e-30 }, [c.M, c.N]);
        }
      }),
      params(80),
    );
  });
});
