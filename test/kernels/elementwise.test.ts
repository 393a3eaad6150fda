/**
 * Conformance of the wasm backend's activation, softmax, reduction, elementwise,
 * regularization and dropout kernels against the js backend, on random data
 * and on sizes that leave SIMD tails (1, primes, n mod 4 ≠ 0).
 *
 * Tolerances: the js backend computes in float64 and rounds once; wasm kernels
 * compute in float32 (several roundings, and their own exp/log/erf
 * approximations). A few float32 ulps relative (1e-5 leaves room for a
 * polynomial exp) plus a small absolute term for results that are differences
 * near 0 (1 − y², y + alpha, erf cancellation in GELU's negative tail) is what a
 * correct kernel achieves; an indexing or formula bug is off by O(1).
 * Where the float32 result is exactly determined (mul, clip, dropout) the
 * comparison is exact.
 */
import { beforeAll, test } from 'vitest';
import { Act, actNeedsZ, type Backend } from '../../src/backend/types.js';
import { conform, describeWasm, expectBitEqual, js, mulberry32, randArray, withArena } from './helpers.js';

const SIZES = [1, 2, 3, 4, 5, 7, 8, 13, 16, 31, 64, 67, 1000, 1027];
const SHAPES: ReadonlyArray<readonly [number, number]> = [
  [1, 1],
  [1, 7],
  [3, 5],
  [4, 16],
  [7, 17],
  [2, 64],
  [5, 129],
  [33, 3],
];
const U = 2 ** -24;
const ACTS: ReadonlyArray<readonly [Act, number]> = [
  [Act.Linear, 0],
  [Act.Relu, 0],
  [Act.LeakyRelu, 0.3],
  [Act.LeakyRelu, 0.2],
  [Act.Elu, 1],
  [Act.Elu, 0.7],
  [Act.Selu, 0],
  [Act.Sigmoid, 0],
  [Act.Tanh, 0],
  [Act.Exponential, 0],
  [Act.Softplus, 0],
  [Act.Softsign, 0],
  [Act.Gelu, 0],
  [Act.Swish, 0],
  [Act.HardSigmoid, 0],
  [Act.HardSigmoidLegacy, 0],
  [Act.ReluMax, 6],
  [Act.ReluMax, 0.5],
];
const EXTREMES = [1e4, -1e4, 1e3, -1e3, 100, -100, 50, -50, 20, -20, 10, -10, 3, -3, 2.5, -2.5, 1, -1, 1e-6, -1e-6, 0];
const ACT_TOL = { rel: 1e-5, abs: 1e-6 };

describeWasm('elementwise kernels: wasm against js', (load) => {
  let w: Backend;
  beforeAll(async () => {
    w = await load();
  });

  test('biasAct forward: every activation, with and without bias, separate and aliased output', () => {
    const rng = mulberry32(11);
    for (const [act, param] of ACTS) {
      for (const [M, N] of SHAPES) {
        const Z = randArray(rng, M * N, -5, 5),
          bias = randArray(rng, N, -1, 1);
        for (const withBias of [false, true]) {
          for (const alias of [false, true]) {
            conform(
              `biasAct(act=${Act[act]}, param=${param}, bias=${withBias}, alias=${alias})`,
              w,
              (a) => {
                const pZ = a.put(Z),
                  pB = withBias ? a.put(bias) : 0;
                const pY = alias ? pZ : a.empty(M * N);
                a.b.biasAct(act, param, pZ, pB, pY, M, N);
                return { Y: a.read(pY, M * N), Z: a.read(pZ, M * N) };
              },
              ACT_TOL,
              [M, N],
            );
          }
        }
      }
    }
  });

  test('biasAct forward at extreme inputs (saturation without NaN)', () => {
    for (const [act, param] of ACTS) {
      conform(
        `biasAct extremes (act=${Act[act]})`,
        w,
        (a) => {
          const pZ = a.put(EXTREMES),
            pY = a.empty(EXTREMES.length);
          a.b.biasAct(act, param, pZ, 0, pY, 1, EXTREMES.length);
          return { Y: a.read(pY, EXTREMES.length) };
        },
        ACT_TOL,
        [1, EXTREMES.length],
      );
    }
  });

  test('actBackward: every activation, separate and aliased dX, Z passed only where needed', () => {
    const rng = mulberry32(12);
    for (const [act, param] of ACTS) {
      for (const n of SIZES) {
        const Z = randArray(rng, n, -5, 5),
          dY = randArray(rng, n);
        // The forward output both backends differentiate: the js forward, so both see the same Y.
        const Y = withArena(js, (a) => {
          const p = a.put(Z),
            q = a.empty(n);
          js.biasAct(act, param, p, 0, q, 1, n);
          return a.read(q, n);
        });
        for (const alias of [false, true]) {
          conform(
            `actBackward(act=${Act[act]}, param=${param}, n=${n}, alias=${alias})`,
            w,
            (a) => {
              const pZ = actNeedsZ(act) ? a.put(Z) : 0,
                pY = a.put(Y),
                pG = a.put(dY);
              const pX = alias ? pG : a.empty(n);
              a.b.actBackward(act, param, pZ, pY, pG, pX, n);
              return { dX: a.read(pX, n) };
            },
            ACT_TOL,
            [n],
          );
        }
      }
    }
  });

  test('actBackward at extreme inputs', () => {
    const n = EXTREMES.length;
    for (const [act, param] of ACTS) {
      const Y = withArena(js, (a) => {
        const p = a.put(EXTREMES),
          q = a.empty(n);
        js.biasAct(act, param, p, 0, q, 1, n);
        return a.read(q, n);
      });
      conform(
        `actBackward extremes (act=${Act[act]})`,
        w,
        (a) => {
          const pZ = a.put(EXTREMES),
            pY = a.put(Y),
            pG = a.put(new Float32Array(n).fill(1)),
            pX = a.empty(n);
          a.b.actBackward(act, param, pZ, pY, pG, pX, n);
          return { dX: a.read(pX, n) };
        },
        ACT_TOL,
        [n],
      );
    }
  });

  test('softmaxRows, logSoftmaxRows, softmaxBackward (separate and aliased)', () => {
    const rng = mulberry32(13);
    for (const [M, N] of SHAPES) {
      const X = randArray(rng, M * N, -10, 10);
      // One row of large logits: exp overflows float32 unless the max is subtracted.
      for (let j = 0; j < N; j++) X[j] = 60 + 30 * rng();
      const dY = randArray(rng, M * N);
      for (const alias of [false, true]) {
        conform(
          `softmaxRows(alias=${alias})`,
          w,
          (a) => {
            const pX = a.put(X),
              pY = alias ? pX : a.empty(M * N);
            a.b.softmaxRows(pX, pY, M, N);
            return { Y: a.read(pY, M * N) };
          },
          { rel: 1e-5, abs: 1e-7 },
          [M, N],
        );
        conform(
          `logSoftmaxRows(alias=${alias})`,
          w,
          (a) => {
            const pX = a.put(X),
              pY = alias ? pX : a.empty(M * N);
            a.b.logSoftmaxRows(pX, pY, M, N);
            return { Y: a.read(pY, M * N) };
          },
          { rel: 1e-5, abs: 1e-6 },
          [M, N],
        );
        const Y = withArena(js, (a) => {
          const p = a.put(X);
          js.softmaxRows(p, p, M, N);
          return a.read(p, M * N);
        });
        conform(
          `softmaxBackward(alias=${alias})`,
          w,
          (a) => {
            const pY = a.put(Y),
              pG = a.put(dY),
              pX = alias ? pG : a.empty(M * N);
            a.b.softmaxBackward(pY, pG, pX, M, N);
            return { dX: a.read(pX, M * N) };
          },
          { rel: 1e-5, abs: 1e-6 },
          [M, N],
        );
      }
    }
  });

  test('colSum with beta 0 and ≠ 0', () => {
    const rng = mulberry32(14);
    for (const [M, N] of [...SHAPES, [257, 5], [100, 33]] as const) {
      const X = randArray(rng, M * N),
        out0 = randArray(rng, N);
      for (const beta of [0, 0.5, 1]) {
        // Bound: a float32 sum of M terms is within (M+2)·u·Σ|x| of the exact one.
        const scale = new Float64Array(N);
        for (let j = 0; j < N; j++) {
          let s = Math.abs(beta * out0[j]!);
          for (let i = 0; i < M; i++) s += Math.abs(X[i * N + j]!);
          scale[j] = s;
        }
        conform(
          `colSum(M=${M}, N=${N}, beta=${beta})`,
          w,
          (a) => {
            const pX = a.put(X),
              pO = a.put(out0);
            a.b.colSum(pX, M, N, pO, beta);
            return { out: a.read(pO, N) };
          },
          { scale, scaleTol: 2 * (M + 4) * U, abs: 1e-30 },
          [N],
        );
      }
    }
  });

  test('probeStep and probeUpdate: every record of the table, awkward sizes, added into the accumulators', () => {
    const rng = mulberry32(19);
    const cases = [
      [[1, 1, 1, 0]],
      [
        [7, 13, 5, 1],
        [3, 1, 1027, 0],
        [4, 16, 64, 1],
      ],
      [
        [33, 3, 8, 0],
        [2, 129, 67, 1],
      ],
    ];
    for (const layers of cases) {
      const L = layers.length;
      const data = layers.map(([M, U, n, sat]) => ({
        M: M!,
        U: U!,
        n: n!,
        sat: sat!,
        grad: randArray(rng, n!, -2, 2),
        w: randArray(rng, n!, -1, 1),
        out: randArray(rng, M! * U!, -1.2, 1.2),
        cols: randArray(rng, U!, -1, 1),
        upd: randArray(rng, n!, -0.01, 0.01),
      }));
      // One M for the call: every layer's block is read as M rows (the smallest M of the case).
      const M = Math.min(...data.map((d) => d.M));
      // Saturated values on both sides at the ends of every block (the SIMD loop's tail).
      for (const d of data) d.out.set([1.1, -1.1, 0.99].slice(0, M * d.U), Math.max(0, M * d.U - 3));
      conform(
        `probeStep/probeUpdate(L=${L})`,
        w,
        (a) => {
          const recs = data.map((d) => ({
            grad: a.put(d.grad),
            w: a.put(d.w),
            out: a.put(d.out),
            cols: a.put(d.cols),
            copy: a.put(new Float32Array(d.n)),
          }));
          const tab = a.empty(16 * L),
            acc = a.put(new Float32Array(8 * L).fill(0)),
            heap = a.b.heap;
          recs.forEach((r, i) => {
            const d = data[i]!;
            heap.i32.set([r.grad, r.w, d.n, r.out, d.U, r.cols, r.copy, d.sat], (tab >> 2) + 16 * i);
            heap.f32.set([-0.98, 0.98], (tab >> 2) + 16 * i + 8);
          });
          const o: Record<string, Float32Array | number> = {};
          const figures = (tag: string) => {
            for (let i = 0; i < 4 * L; i++) o[`${tag}${i}`] = heap.f64[(acc >> 3) + i]!;
          };
          const update = () =>
            recs.forEach((r, i) => {
              const d = data[i]!;
              for (let j = 0; j < d.n; j++) heap.f32[(r.w >> 2) + j] = heap.f32[(r.w >> 2) + j]! + d.upd[j]!;
            });
          a.b.probeStep(tab, L, M, acc, 0); // the first step: nothing to measure of an update
          figures('first');
          recs.forEach((r, i) => (o[`copy${i}`] = a.read(r.copy, data[i]!.n)));
          update();
          a.b.probeStep(tab, L, M, acc, 1); // the second measures the update, then adds its own figures
          figures('second');
          recs.forEach((r, i) => (o[`cols${i}`] = a.read(r.cols, data[i]!.U)));
          update();
          a.b.probeUpdate(tab, L, acc); // the last update, measured alone
          figures('last');
          return o;
        },
        // The kernel sums squares in float32 over runs (≤ 64 float32 ulps); the reference in float64.
        (key) => (key.startsWith('copy') ? { rel: 0 } : { rel: 1e-5, abs: 1e-6 }),
      );
    }
  });

  test('sumSquares, scale, clipValue, mul (separate and aliased), axpy', () => {
    const rng = mulberry32(15);
    for (const n of SIZES) {
      const X = randArray(rng, n, -2, 2),
        Y = randArray(rng, n, -2, 2);
      conform(`sumSquares(n=${n})`, w, (a) => ({ s: a.b.sumSquares(a.put(X), n) }), { rel: 1e-6 });
      for (const s of [0.37, -2, 0]) {
        conform(
          `scale(n=${n}, s=${s})`,
          w,
          (a) => {
            const p = a.put(X);
            a.b.scale(p, n, s);
            return { X: a.read(p, n) };
          },
          { rel: 4 * U },
          [n],
        );
      }
      for (const c of [0.5, 0.3, 3]) {
        conform(
          `clipValue(n=${n}, c=${c})`,
          w,
          (a) => {
            const p = a.put(X);
            a.b.clipValue(p, n, c);
            return { X: a.read(p, n) };
          },
          { rel: 0 },
          [n],
        );
      }
      for (const alias of ['none', 'X', 'Y'] as const) {
        // One correctly rounded float32 product: exact on both backends.
        conform(
          `mul(n=${n}, alias=${alias})`,
          w,
          (a) => {
            const pX = a.put(X),
              pY = a.put(Y),
              pZ = alias === 'X' ? pX : alias === 'Y' ? pY : a.empty(n);
            a.b.mul(pX, pY, pZ, n);
            return { Z: a.read(pZ, n) };
          },
          { rel: 0 },
          [n],
        );
      }
      const alpha = -1.3;
      const scale = Float64Array.from(X, (x, i) => Math.abs(alpha * x) + Math.abs(Y[i]!));
      conform(
        `axpy(n=${n})`,
        w,
        (a) => {
          const pX = a.put(X),
            pY = a.put(Y);
          a.b.axpy(n, alpha, pX, pY);
          return { Y: a.read(pY, n), X: a.read(pX, n) };
        },
        { scale, scaleTol: 4 * U },
        [n],
      );
    }
  });

  test('l1l2: penalty and gradient, with and without G', () => {
    const rng = mulberry32(16);
    for (const n of SIZES) {
      const W = randArray(rng, n, -1, 1),
        G = randArray(rng, n, -1, 1);
      W[0] = 0; // sign(0) = 0
      for (const [l1, l2] of [
        [0.01, 0],
        [0, 0.02],
        [0.01, 0.02],
      ] as const) {
        conform(
          `l1l2(n=${n}, l1=${l1}, l2=${l2})`,
          w,
          (a) => {
            const pW = a.put(W),
              pG = a.put(G);
            const pen = a.b.l1l2(pW, pG, n, l1, l2);
            return { penalty: pen, G: a.read(pG, n), W: a.read(pW, n) };
          },
          { rel: 1e-5, abs: 1e-7 },
          [n],
        );
        conform(`l1l2(n=${n}, G=0)`, w, (a) => ({ penalty: a.b.l1l2(a.put(W), 0, n, l1, l2) }), {
          rel: 1e-5,
          abs: 1e-9,
        });
      }
    }
  });

  test('dropout: masks and outputs equal bit for bit; chunking does not change the mask', () => {
    const rng = mulberry32(17);
    for (const n of [...SIZES, 4099]) {
      const X = randArray(rng, n, -3, 3);
      for (const rate of [0, 0.1, 0.3, 0.5, 0.9]) {
        for (const seed of [1, 12345, 0x7fffffff]) {
          const run = (b: Backend): { Y: Float32Array; mask: Float32Array; Yh: Float32Array; maskh: Float32Array } =>
            withArena(b, (a) => {
              const pX = a.put(X),
                pY = a.empty(n),
                pM = a.empty(n);
              b.dropout(pX, pY, pM, n, rate, seed, 0);
              const Y = a.read(pY, n),
                mask = a.read(pM, n);
              // The same call in two chunks at counter offsets 0 and h, in place (Y
              // aliasing X); the second half gets its own (16-byte aligned) buffers.
              const h = n >> 1;
              const pX1 = a.put(X.subarray(0, h)),
                pM1 = a.empty(h);
              const pX2 = a.put(X.subarray(h)),
                pM2 = a.empty(n - h);
              b.dropout(pX1, pX1, pM1, h, rate, seed, 0);
              b.dropout(pX2, pX2, pM2, n - h, rate, seed, h);
              const Yh = new Float32Array(n),
                maskh = new Float32Array(n);
              Yh.set(a.read(pX1, h));
              Yh.set(a.read(pX2, n - h), h);
              maskh.set(a.read(pM1, h));
              maskh.set(a.read(pM2, n - h), h);
              return { Y, mask, Yh, maskh };
            });
          const r = run(js),
            g = run(w);
          const lbl = `dropout(n=${n}, rate=${rate}, seed=${seed})`;
          expectBitEqual(`${lbl} mask`, g.mask, r.mask);
          expectBitEqual(`${lbl} Y`, g.Y, r.Y);
          expectBitEqual(`${lbl} chunked mask`, g.maskh, g.mask);
          expectBitEqual(`${lbl} chunked Y`, g.Yh, g.Y);
        }
      }
    }
  });
});
