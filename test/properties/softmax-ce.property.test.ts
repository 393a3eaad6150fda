/**
 * Properties of softmax, log-softmax and the fused cross-entropies on logits
 * (sigmoidBce, softmaxCce, sparseSoftmaxCce), on both backends:
 *
 * - logits up to ±1e4 (and ±0, subnormals): everything stays finite —
 *   softmax in [0, 1] with rows summing to 1, log-softmax ≤ 0 with
 *   exp(log-softmax) = softmax, the softmax backward finite; every loss ≥ 0
 *   and equal to its float64 closed form, P = softmax/sigmoid(z) and
 *   G = gradScale·w·(P − T) against float64, the gradient rows of the
 *   softmax losses summing to gradScale·w·(1 − Σt); and wasm agrees with js
 *   (the tolerances of test/kernels/losses.test.ts);
 * - logits anywhere in float32 (up to ±FLT_MAX): never NaN; softmax, P and
 *   G stay finite. Infinity where the exact value leaves float32:
 *   log-softmax is −Infinity where x − max(x) < −FLT_MAX, and the wasm loss
 *   is +Infinity where a per-element float32 term does (the js reference,
 *   summing in float64, returns the finite value — see the report).
 */
import { beforeAll, describe, test } from 'vitest';
import type { Backend } from '../../src/backend/types.js';
import { conform, describeWasm, expectClose, js, withArena, type Arena } from '../kernels/helpers.js';
import { FLT_MAX, U, anyF32, dim, expectAll, f32In, fc, notNaN, params, show } from './arb.js';

const logit = f32In(-1e4, 1e4);

// ------------------------------------------------------------------ softmax / log-softmax

interface SmOut {
  Y: Float32Array;
  L: Float32Array;
  dX: Float32Array;
}

function softmaxes(b: Backend, M: number, N: number, X: Float32Array, dY: Float32Array): SmOut {
  return withArena(b, (a) => {
    const n = M * N,
      pX = a.put(X),
      pY = a.empty(n),
      pL = a.empty(n),
      pG = a.put(dY),
      pD = a.empty(n);
    b.softmaxRows(pX, pY, M, N);
    b.logSoftmaxRows(pX, pL, M, N);
    b.softmaxBackward(pY, pG, pD, M, N);
    return { Y: a.read(pY, n), L: a.read(pL, n), dX: a.read(pD, n) };
  });
}

const smCase = (value: fc.Arbitrary<number>) =>
  fc.tuple(dim(6), dim(40)).chain(([M, N]) =>
    fc.record({
      M: fc.constant(M),
      N: fc.constant(N),
      X: fc.array(value, { minLength: M * N, maxLength: M * N }).map((v) => Float32Array.from(v)),
      dY: fc.array(f32In(-10, 10), { minLength: M * N, maxLength: M * N }).map((v) => Float32Array.from(v)),
    }),
  );

function checkSoftmax(b: Backend, M: number, N: number, X: Float32Array, r: SmOut, moderate: boolean): void {
  const label = `${b.name} softmax M=${M} N=${N} X=${show(X)}`;
  expectAll(`${label}: Y`, r.Y, (y) => y >= 0 && y <= 1, 'in [0, 1]');
  expectAll(`${label}: log-softmax`, r.L, (l) => notNaN(l) && l <= 0, 'NaN-free and ≤ 0');
  for (let i = 0; i < M; i++) {
    let s = 0,
      mx = -Infinity,
      jm = 0;
    for (let j = 0; j < N; j++) {
      s += r.Y[i * N + j]!;
      if (X[i * N + j]! > mx) {
        mx = X[i * N + j]!;
        jm = j;
      }
    }
    if (!(Math.abs(s - 1) <= 2 * (N + 2) * U)) throw new Error(`${label}: row ${i} sums to ${s}`);
    // The largest logit's log-softmax is −ln Σe^{x−max} ∈ [−ln N, 0].
    const lm = r.L[i * N + jm]!;
    if (!(lm <= 0 && lm >= -Math.log(N) - 1e-5))
      throw new Error(`${label}: log-softmax of the row-${i} maximum is ${lm}`);
    for (let j = 0; j < N; j++) {
      const l = r.L[i * N + j]!,
        x = X[i * N + j]!;
      // Infinity only where x − max itself leaves float32.
      if (!Number.isFinite(l) && !(l === -Infinity && x - mx < -FLT_MAX * (1 - 1e-7))) {
        throw new Error(`${label}: log-softmax [${i}, ${j}] = ${l} with x − max = ${x - mx}`);
      }
    }
  }
  expectAll(`${label}: dX`, r.dX, Number.isFinite, 'finite');
  if (moderate) {
    // exp(log-softmax) and softmax are the same numbers, computed two ways.
    expectClose(`${label}: exp(log-softmax) vs softmax`, Array.from(r.L, Math.exp), r.Y, { rel: 1e-5, abs: 1e-7 }, [
      M,
      N,
    ]);
  }
}

function softmaxProperties(name: string, be: () => Backend): void {
  describe(`softmax properties on ${name}`, () => {
    test('logits within ±1e4: finite, rows sum to 1, log-softmax ≤ 0 and consistent with softmax', () => {
      fc.assert(
        fc.property(smCase(logit), ({ M, N, X, dY }) => {
          const b = be();
          const r = softmaxes(b, M, N, X, dY);
          expectAll(`${b.name} log-softmax M=${M} N=${N} X=${show(X)}`, r.L, Number.isFinite, 'finite');
          checkSoftmax(b, M, N, X, r, true);
        }),
        params(100),
      );
    });

    test('logits anywhere in float32: no NaN; −Infinity log-softmax only where x − max < −FLT_MAX', () => {
      fc.assert(
        fc.property(smCase(anyF32), ({ M, N, X, dY }) => {
          const b = be();
          checkSoftmax(b, M, N, X, softmaxes(b, M, N, X, dY), false);
        }),
        params(100),
      );
    });
  });
}

// ------------------------------------------------------------------ fused cross-entropies

type Kind = 'sigmoidBce' | 'softmaxCce' | 'sparseSoftmaxCce';

interface CeCase {
  kind: Kind;
  M: number;
  N: number;
  Z: Float32Array;
  /** Targets (dense kinds) or labels as float32 (sparse). */
  T: Float32Array;
  W: Float32Array | null;
}

/**
 * Cases: per row a class k and a smoothing s (t = (1 − s)·onehot + s/N, Keras's
 * label smoothing: rows summing to 1 with t = 0 or not); sigmoidBce also gets
 * hard {0,1} and arbitrary soft targets. Sample weights sometimes, 0 included.
 */
function ceCase(kind: Kind, value: fc.Arbitrary<number>): fc.Arbitrary<CeCase> {
  return fc.tuple(dim(6), dim(kind === 'sigmoidBce' ? 20 : 33)).chain(([M, N]) =>
    fc
      .record({
        Z: fc.array(value, { minLength: M * N, maxLength: M * N }),
        rows: fc.array(fc.tuple(fc.nat({ max: N - 1 }), fc.constantFrom(0, 0, 0.1, 1)), { minLength: M, maxLength: M }),
        soft: fc.array(fc.float({ min: 0, max: 1, noNaN: true }), { minLength: M * N, maxLength: M * N }),
        bceMode: fc.constantFrom('hard', 'smooth', 'soft'),
        W: fc.option(fc.array(fc.constantFrom(0, 0.5, 1, 2, Math.fround(0.3)), { minLength: M, maxLength: M }), {
          nil: null,
        }),
      })
      .map(({ Z, rows, soft, bceMode, W }) => {
        const T = new Float32Array(kind === 'sparseSoftmaxCce' ? M : M * N);
        rows.forEach(([k, s], i) => {
          if (kind === 'sparseSoftmaxCce') {
            T[i] = k;
            return;
          }
          for (let j = 0; j < N; j++) {
            if (kind === 'sigmoidBce' && bceMode === 'soft') T[i * N + j] = soft[i * N + j]!;
            else if (kind === 'sigmoidBce' && bceMode === 'hard') T[i * N + j] = soft[i * N + j]! < 0.5 ? 0 : 1;
            else T[i * N + j] = (j === k ? 1 - s : 0) + s / N;
          }
        });
        return { kind, M, N, Z: Float32Array.from(Z), T, W: W === null ? null : Float32Array.from(W) };
      }),
  );
}

interface CeOut {
  loss: number;
  P: Float32Array;
  G: Float32Array;
}

function runCe(b: Backend, c: CeCase, a: Arena): CeOut {
  const { M, N } = c,
    n = M * N;
  const pT = a.put(c.T),
    pZ = a.put(c.Z),
    pP = a.empty(n),
    pG = a.empty(n),
    pW = c.W ? a.put(c.W) : 0;
  const s = 1 / M;
  const loss =
    c.kind === 'sigmoidBce'
      ? b.sigmoidBce(pT, pZ, pP, pG, pW, M, N, s)
      : c.kind === 'softmaxCce'
        ? b.softmaxCce(pT, pZ, pP, pG, pW, M, N, s)
        : b.sparseSoftmaxCce(pT, pZ, pP, pG, pW, M, N, s);
  return { loss, P: a.read(pP, n), G: a.read(pG, n) };
}

/** The float64 closed form: loss, P, G, the per-row factor c = gradScale·w (/N for BCE), and Σ_j t per row. */
function ceRef(c: CeCase): {
  loss: number;
  terms: number;
  maxEl: number;
  P: Float64Array;
  G: Float64Array;
  cRow: Float64Array;
  tSum: Float64Array;
} {
  const { M, N } = c;
  const P = new Float64Array(M * N),
    G = new Float64Array(M * N),
    cRow = new Float64Array(M),
    tSum = new Float64Array(M);
  // terms: Σ|parts of the terms| (the error scale); maxEl: the largest float32 intermediate of any one term.
  let loss = 0,
    terms = 0,
    maxEl = 0;
  for (let i = 0; i < M; i++) {
    const w = c.W ? c.W[i]! : 1;
    const t = (j: number): number => (c.kind === 'sparseSoftmaxCce' ? (j === c.T[i] ? 1 : 0) : c.T[i * N + j]!);
    if (c.kind === 'sigmoidBce') {
      cRow[i] = w / M / N;
      let s = 0,
        sa = 0;
      for (let j = 0; j < N; j++) {
        const z = c.Z[i * N + j]!,
          tj = t(j);
        const term = Math.max(z, 0) - z * tj + Math.log1p(Math.exp(-Math.abs(z)));
        s += term;
        sa += Math.abs(Math.max(z, 0)) + Math.abs(z * tj) + 1;
        maxEl = Math.max(maxEl, Math.abs(z));
        const p = z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
        P[i * N + j] = p;
        G[i * N + j] = cRow[i]! * (p - tj);
      }
      loss += (w * s) / N;
      terms += (Math.abs(w) * sa) / N;
    } else {
      cRow[i] = w / M;
      let mx = -Infinity;
      for (let j = 0; j < N; j++) mx = Math.max(mx, c.Z[i * N + j]!);
      let se = 0;
      for (let j = 0; j < N; j++) se += Math.exp(c.Z[i * N + j]! - mx);
      const lse = mx + Math.log(se);
      let s = 0,
        sa = 0,
        ts = 0;
      for (let j = 0; j < N; j++) {
        const z = c.Z[i * N + j]!,
          tj = t(j);
        ts += tj;
        if (tj !== 0) {
          s += tj * (lse - z);
          sa += Math.abs(tj) * (Math.abs(lse - mx) + Math.abs(z - mx));
          maxEl = Math.max(maxEl, mx - z);
        }
        const p = Math.exp(z - mx) / se;
        P[i * N + j] = p;
        G[i * N + j] = cRow[i]! * (p - tj);
      }
      tSum[i] = ts;
      loss += w * s;
      terms += Math.abs(w) * sa;
    }
  }
  return { loss, terms, maxEl, P, G, cRow, tSum };
}

function checkCe(b: Backend, c: CeCase, moderate: boolean): void {
  const { M, N } = c;
  const label = `${b.name} ${c.kind} M=${M} N=${N} Z=${show(c.Z)} T=${show(c.T)} W=${c.W ? show(c.W) : 'none'}`;
  const r = withArena(b, (a) => runCe(b, c, a));
  const ref = ceRef(c);
  if (Number.isNaN(r.loss) || r.loss < 0) throw new Error(`${label}: loss ${r.loss}`);
  expectAll(`${label}: P`, r.P, (p) => p >= 0 && p <= 1, 'in [0, 1]');
  expectAll(`${label}: G`, r.G, Number.isFinite, 'finite');
  // |G| ≤ c·|p − t| ≤ c·max(1, |t|).
  expectAll(
    `${label}: G`,
    r.G,
    (g, k) => Math.abs(g) <= ref.cRow[Math.floor(k / N)]! * (1 + 1e-6),
    'bounded by gradScale·w',
  );
  if (!moderate) {
    // Past ±1e4 a float32 intermediate of a term (z − max, or z) may overflow: the wasm loss is then
    // +Infinity (see the header); never NaN.
    if (!(Number.isFinite(r.loss) || (r.loss === Infinity && ref.maxEl > FLT_MAX * (1 - 1e-6)))) {
      throw new Error(`${label}: loss ${r.loss}, float64 reference ${ref.loss}`);
    }
    return;
  }
  if (!Number.isFinite(r.loss)) throw new Error(`${label}: loss ${r.loss}`);
  // The loss: float32 terms (a few roundings each, exp/log approximations) summed in float64.
  if (!(Math.abs(r.loss - ref.loss) <= 1e-5 * ref.terms + 1e-6)) {
    throw new Error(`${label}: loss ${r.loss}, float64 reference ${ref.loss} (Σ|terms| ${ref.terms})`);
  }
  const rowScale = Float64Array.from({ length: M * N }, (_, k) => ref.cRow[Math.floor(k / N)]!);
  expectClose(`${label}: P`, r.P, ref.P, { rel: 1e-5, abs: 1e-7 }, [M, N]);
  expectClose(`${label}: G`, r.G, ref.G, { rel: 1e-5, scale: rowScale, scaleTol: 1e-6 }, [M, N]);
  if (c.kind !== 'sigmoidBce') {
    // Σ_j G_ij = c_i·(Σ_j p_ij − Σ_j t_ij) = c_i·(1 − Σ_j t_ij).
    for (let i = 0; i < M; i++) {
      let s = 0;
      for (let j = 0; j < N; j++) s += r.G[i * N + j]!;
      const e = ref.cRow[i]! * (1 - ref.tSum[i]!);
      if (!(Math.abs(s - e) <= ref.cRow[i]! * (N + 2) * 1e-6))
        throw new Error(`${label}: gradient row ${i} sums to ${s}, expected ${e}`);
    }
  }
}

const KINDS: Kind[] = ['sigmoidBce', 'softmaxCce', 'sparseSoftmaxCce'];

function ceProperties(name: string, be: () => Backend): void {
  describe(`fused cross-entropy properties on ${name}`, () => {
    for (const kind of KINDS) {
      test(`${kind}: logits within ±1e4 — finite loss ≥ 0, P and G, equal to the float64 closed forms`, () => {
        fc.assert(
          fc.property(ceCase(kind, logit), (c) => {
            checkCe(be(), c, true);
          }),
          params(60),
        );
      });
      test(`${kind}: logits anywhere in float32 — no NaN, finite P and G`, () => {
        fc.assert(
          fc.property(ceCase(kind, anyF32), (c) => {
            // A row of weight 0 whose loss overflows (logits spanning more than FLT_MAX) adds
            // nothing: the kernels skip w = 0 rows rather than add 0·∞ = NaN.
            checkCe(be(), c, false);
          }),
          params(60),
        );
      });
    }
  });
}

softmaxProperties('the js backend', () => js);
ceProperties('the js backend', () => js);

describeWasm('softmax and cross-entropy properties', (load) => {
  let w: Backend;
  beforeAll(async () => {
    w = await load();
  });
  softmaxProperties('wasm', () => w);
  ceProperties('wasm', () => w);

  test('wasm agrees with js: softmax, log-softmax and its backward, logits within ±1e4', () => {
    fc.assert(
      fc.property(smCase(logit), ({ M, N, X, dY }) => {
        const r = softmaxes(js, M, N, X, dY),
          g = softmaxes(w, M, N, X, dY);
        const label = `M=${M} N=${N} X=${show(X)}`;
        expectClose(`softmax ${label}`, g.Y, r.Y, { rel: 1e-5, abs: 1e-7 }, [M, N]);
        expectClose(`log-softmax ${label}`, g.L, r.L, { rel: 1e-5, abs: 1e-6 }, [M, N]);
        // The backward pass of each on the same (js) softmax output.
        const dr = withArena(js, (a) => {
          const p = a.put(dY);
          js.softmaxBackward(a.put(r.Y), p, p, M, N);
          return a.read(p, M * N);
        });
        const dg = withArena(w, (a) => {
          const p = a.put(dY);
          w.softmaxBackward(a.put(r.Y), p, p, M, N);
          return a.read(p, M * N);
        });
        expectClose(`softmaxBackward ${label}`, dg, dr, { rel: 1e-5, abs: 1e-5 }, [M, N]);
      }),
      params(80),
    );
  });

  for (const kind of KINDS) {
    test(`wasm agrees with js: ${kind}, logits within ±1e4`, () => {
      fc.assert(
        fc.property(ceCase(kind, logit), (c) => {
          conform(
            `${kind} M=${c.M} N=${c.N} Z=${show(c.Z)} T=${show(c.T)}`,
            w,
            (a) => {
              const r = runCe(a.b, c, a);
              return { loss: r.loss, P: r.P, G: r.G };
              // The loss scaled by Σ|parts of the terms| as in checkCe: max(z, 0) − z·t cancels for large z
              // and t ≈ 1, and each float32 product rounds relative to |z·t|, not to the difference.
            },
            (key) =>
              key === 'loss'
                ? { rel: 2e-5, abs: 1e-5 * ceRef(c).terms + 1e-6 }
                : key === 'P'
                  ? { rel: 1e-5, abs: 1e-7 }
                  : { rel: 1e-5, abs: 1e-6 / c.M },
            [c.M, c.N],
          );
        }),
        params(60),
      );
    });
  }
});
