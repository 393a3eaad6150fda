/**
 * Conformance of the wasm im2col / col2im kernels against the js backend on
 * awkward geometries: odd sizes, batch 1, stride larger than the kernel,
 * 'same' padding with even kernels (more padding after than before), dilation,
 * 1×1, a single channel, channels not a multiple of 4. Both are exact: im2col
 * copies, col2im adds each element's terms in one fixed order.
 */
import { beforeAll, test } from 'vitest';
import type { Backend } from '../../src/backend/types.js';
import { conform, describeWasm, mulberry32, randArray } from './helpers.js';

interface Geo {
  M: number;
  H: number;
  W: number;
  C: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  dh: number;
  dw: number;
  same: boolean;
}

function layout(g: Geo): { OH: number; OW: number; top: number; left: number } {
  const ax = (n: number, k: number, s: number, d: number) => {
    const dk = (k - 1) * d + 1;
    if (!g.same) return { out: Math.floor((n - dk) / s) + 1, before: 0 };
    const out = Math.ceil(n / s);
    return { out, before: Math.floor(Math.max((out - 1) * s + dk - n, 0) / 2) };
  };
  const y = ax(g.H, g.kh, g.sh, g.dh),
    x = ax(g.W, g.kw, g.sw, g.dw);
  return { OH: y.out, OW: x.out, top: y.before, left: x.before };
}

const GEOS: Geo[] = [
  { M: 1, H: 5, W: 5, C: 1, kh: 3, kw: 3, sh: 1, sw: 1, dh: 1, dw: 1, same: false },
  { M: 2, H: 7, W: 6, C: 3, kh: 2, kw: 2, sh: 1, sw: 1, dh: 1, dw: 1, same: true },
  { M: 3, H: 9, W: 7, C: 5, kh: 3, kw: 2, sh: 2, sw: 3, dh: 1, dw: 1, same: true },
  { M: 2, H: 8, W: 8, C: 4, kh: 3, kw: 3, sh: 1, sw: 1, dh: 2, dw: 2, same: true },
  { M: 1, H: 10, W: 11, C: 7, kh: 2, kw: 3, sh: 4, sw: 4, dh: 1, dw: 1, same: false },
  { M: 2, H: 6, W: 6, C: 9, kh: 1, kw: 1, sh: 2, sw: 2, dh: 1, dw: 1, same: false },
  { M: 2, H: 4, W: 13, C: 2, kh: 4, kw: 5, sh: 1, sw: 2, dh: 1, dw: 1, same: true },
  { M: 1, H: 12, W: 12, C: 16, kh: 5, kw: 5, sh: 1, sw: 1, dh: 1, dw: 1, same: false },
  // 3×3 without dilation, channels a multiple of 4: the depthwise kernel's register-blocked path, its border
  // outputs through the general loop (stride 2 'same', stride 1 'same' and 'valid', an image narrower than 3).
  { M: 2, H: 9, W: 11, C: 8, kh: 3, kw: 3, sh: 2, sw: 2, dh: 1, dw: 1, same: true },
  { M: 1, H: 6, W: 7, C: 12, kh: 3, kw: 3, sh: 1, sw: 1, dh: 1, dw: 1, same: true },
  { M: 2, H: 5, W: 4, C: 4, kh: 3, kw: 3, sh: 1, sw: 1, dh: 1, dw: 1, same: false },
  { M: 1, H: 4, W: 2, C: 4, kh: 3, kw: 3, sh: 1, sw: 1, dh: 1, dw: 1, same: true },
];

describeWasm('convolution kernels: wasm against js', (load) => {
  let w: Backend;
  beforeAll(async () => {
    w = await load();
  });

  test('im2col and col2im on awkward geometries, exact', () => {
    const rng = mulberry32(31);
    for (const g of GEOS) {
      const { OH, OW, top, left } = layout(g);
      const K = g.kh * g.kw * g.C,
        rowsN = g.M * OH * OW * K,
        inN = g.M * g.H * g.W * g.C;
      const x = randArray(rng, inN),
        r = randArray(rng, rowsN);
      const label = `${JSON.stringify(g)}`;
      const args = [g.M, g.H, g.W, g.C, OH, OW, g.kh, g.kw, g.sh, g.sw, g.dh, g.dw, top, left] as const;
      conform(
        `im2col ${label}`,
        w,
        (a) => {
          const X = a.put(x),
            R = a.empty(rowsN);
          a.b.im2col(X, R, ...args);
          return { rows: a.read(R, rowsN) };
        },
        { rel: 0, abs: 0 },
      );
      conform(
        `col2im ${label}`,
        w,
        (a) => {
          const R = a.put(r),
            D = a.empty(inN);
          a.b.col2im(R, D, ...args);
          return { dX: a.read(D, inN) };
        },
        { rel: 0, abs: 0 },
      );
    }
  });

  test('max and average pooling, forward (with and without arg-max) and backward, on awkward geometries, exact', () => {
    const rng = mulberry32(41);
    for (const g of GEOS) {
      const p = { ...g, dh: 1, dw: 1 };
      const { OH, OW, top, left } = layout(p);
      const inN = g.M * g.H * g.W * g.C,
        outN = g.M * OH * OW * g.C;
      const x = randArray(rng, inN),
        dy = randArray(rng, outN);
      // Ties: a few repeated values, so the first maximum must win in both.
      for (let i = 0; i < inN; i += 7) x[i] = x[0]!;
      const args = [g.M, g.H, g.W, g.C, OH, OW, g.kh, g.kw, g.sh, g.sw, top, left] as const;
      conform(
        `pooling ${JSON.stringify(p)}`,
        w,
        (a) => {
          const X = a.put(x),
            Y = a.empty(outN),
            Y2 = a.empty(outN),
            A = a.empty(outN),
            dY = a.put(dy),
            dX = a.empty(inN),
            Ya = a.empty(outN),
            dXa = a.empty(inN);
          a.b.maxPool(X, Y, A, ...args);
          a.b.maxPool(X, Y2, 0, ...args);
          a.b.maxPoolBackward(dY, A, dX, g.M, g.H * g.W * g.C, OH * OW * g.C);
          a.b.avgPool(X, Ya, ...args);
          a.b.avgPoolBackward(dY, dXa, ...args);
          return {
            max: a.read(Y, outN),
            maxNoArg: a.read(Y2, outN),
            arg: a.read(A, outN),
            dXmax: a.read(dX, inN),
            avg: a.read(Ya, outN),
            dXavg: a.read(dXa, inN),
          };
        },
        { rel: 0, abs: 0 },
      );
    }
  });

  test('depthwise convolution forward and both gradients on awkward geometries, multipliers 1 to 3, exact', () => {
    const rng = mulberry32(37);
    for (const g of GEOS) {
      for (const Dm of [1, 2, 3]) {
        const { OH, OW, top, left } = layout(g);
        const CO = g.C * Dm,
          inN = g.M * g.H * g.W * g.C,
          outN = g.M * OH * OW * CO,
          kN = g.kh * g.kw * CO;
        const x = randArray(rng, inN),
          k = randArray(rng, kN),
          dy = randArray(rng, outN);
        const label = `${JSON.stringify(g)} Dm ${Dm}`;
        const args = [g.M, g.H, g.W, g.C, Dm, OH, OW, g.kh, g.kw, g.sh, g.sw, g.dh, g.dw, top, left] as const;
        conform(
          `depthwiseConv ${label}`,
          w,
          (a) => {
            const X = a.put(x),
              Kp = a.put(k),
              Y = a.empty(outN),
              dY = a.put(dy),
              dX = a.empty(inN),
              dK = a.empty(kN);
            a.b.depthwiseConv(X, Kp, Y, ...args);
            a.b.depthwiseConvBackInput(dY, Kp, dX, ...args);
            a.b.depthwiseConvBackFilter(X, dY, dK, ...args);
            return { y: a.read(Y, outN), dX: a.read(dX, inN), dK: a.read(dK, kN) };
          },
          { rel: 0, abs: 0 },
        );
      }
    }
  });
});
