// Max and average pooling over NHWC images (issue 15), four channels per
// vector. A window's in-bounds cells are visited row by row; padding cells are
// skipped (average pooling divides by the in-bounds count, as TF.js).
// Max pooling can record, per output, the index within its sample of the cell
// that won (as a float: exact below 2^24), for the backward pass. The
// gradients are written (zeroed first) and summed in output order, so their
// bits never depend on how the work is cut. The JS references in
// src/backend/js.ts make the same float32 operations in the same order.
import { loadPartial, storePartial } from '../common';

/** First in-bounds window row/column for output o. */
// @ts-ignore: decorator
@inline function lo(o: i32, s: i32, pad: i32): i32 {
  const p = o * s - pad;
  return p > 0 ? p : 0;
}
/** One past the last in-bounds window row/column for output o. */
// @ts-ignore: decorator
@inline function hi(o: i32, s: i32, pad: i32, k: i32, n: i32): i32 {
  const p = o * s - pad + k;
  return p < n ? p : n;
}

/**
 * Y = the maximum over each window. A NaN wins when it comes before any number (best still −∞) and then
 * stays, as the JS reference. arg ≠ 0: arg[n, oy, ox, c] = the index within the sample of the winning cell
 * (the window's first in-bounds cell when all are −∞).
 */
export function maxPool(X: usize, Y: usize, arg: usize, M: i32, H: i32, W: i32, C: i32, OH: i32, OW: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, top: i32, left: i32): void {
  const pix = <usize>C << 2;
  const sample = <usize>H * <usize>W * pix;
  const ninf = f32x4.splat(-Infinity);
  const lanes = f32x4(0, 1, 2, 3);
  let y = Y, a = arg;
  for (let n = 0; n < M; n++) {
    const xs = X + <usize>n * sample;
    for (let oy = 0; oy < OH; oy++) {
      const y0 = lo(oy, sh, top), y1 = hi(oy, sh, top, kh, H);
      for (let ox = 0; ox < OW; ox++) {
        const x0 = lo(ox, sw, left), x1 = hi(ox, sw, left, kw, W);
        for (let c = 0; c < C; c += 4) {
          const r = C - c < 4 ? C - c : 4;
          const cb = <usize>c << 2;
          let best = ninf;
          const first = <f32>((y0 * W + x0) * C + c);
          let at = f32x4.add(f32x4.splat(first), lanes);
          for (let iy = y0; iy < y1; iy++) {
            for (let ix = x0; ix < x1; ix++) {
              const cell = (iy * W + ix) * C + c;
              const p = xs + (<usize>cell << 2);
              const v = r == 4 ? v128.load(p) : loadPartial(p, r, 0);
              const take = v128.or(f32x4.gt(v, best), v128.and(f32x4.ne(v, v), f32x4.eq(best, ninf)));
              best = v128.bitselect(v, best, take);
              at = v128.bitselect(f32x4.add(f32x4.splat(<f32>cell), lanes), at, take);
            }
          }
          if (r == 4) {
            v128.store(y + cb, best);
            if (a != 0) v128.store(a + cb, at);
          } else {
            storePartial(y + cb, best, r);
            if (a != 0) storePartial(a + cb, at, r);
          }
        }
        y += pix;
        if (a != 0) a += pix;
      }
    }
  }
}

/** dX (written, zeroed first) = Σ of dY over the outputs whose recorded arg-max is each cell, in output order. */
export function maxPoolBackward(dY: usize, arg: usize, dX: usize, M: i32, inSample: i32, outSample: i32): void {
  memory.fill(dX, 0, (<usize>M * <usize>inSample) << 2);
  for (let n = 0; n < M; n++) {
    const d = dX + ((<usize>n * <usize>inSample) << 2);
    const g = dY + ((<usize>n * <usize>outSample) << 2);
    const ar = arg + ((<usize>n * <usize>outSample) << 2);
    for (let o = 0; o < outSample; o++) {
      const off = <usize>o << 2;
      const p = d + (<usize>i32(load<f32>(ar + off)) << 2);
      store<f32>(p, load<f32>(p) + load<f32>(g + off));
    }
  }
}

/** Y = the mean over each window's in-bounds cells: their float32 sum, in row order, times f32(1 / count). */
export function avgPool(X: usize, Y: usize, M: i32, H: i32, W: i32, C: i32, OH: i32, OW: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, top: i32, left: i32): void {
  const pix = <usize>C << 2;
  const sample = <usize>H * <usize>W * pix;
  let y = Y;
  for (let n = 0; n < M; n++) {
    const xs = X + <usize>n * sample;
    for (let oy = 0; oy < OH; oy++) {
      const y0 = lo(oy, sh, top), y1 = hi(oy, sh, top, kh, H);
      for (let ox = 0; ox < OW; ox++) {
        const x0 = lo(ox, sw, left), x1 = hi(ox, sw, left, kw, W);
        const inv = f32x4.splat(<f32>1.0 / <f32>((y1 - y0) * (x1 - x0)));
        for (let c = 0; c < C; c += 4) {
          const r = C - c < 4 ? C - c : 4;
          const cb = <usize>c << 2;
          let sum = f32x4.splat(0.0);
          for (let iy = y0; iy < y1; iy++) {
            const row = xs + <usize>(iy * W) * pix + cb;
            for (let ix = x0; ix < x1; ix++) {
              const p = row + <usize>ix * pix;
              sum = f32x4.add(sum, r == 4 ? v128.load(p) : loadPartial(p, r, 0));
            }
          }
          if (r == 4) v128.store(y + cb, f32x4.mul(sum, inv));
          else storePartial(y + cb, f32x4.mul(sum, inv), r);
        }
        y += pix;
      }
    }
  }
}

/** dX (written, zeroed first): each output's dY·f32(1 / count) added to its window's in-bounds cells, in output order. */
export function avgPoolBackward(dY: usize, dX: usize, M: i32, H: i32, W: i32, C: i32, OH: i32, OW: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, top: i32, left: i32): void {
  const pix = <usize>C << 2;
  const sample = <usize>H * <usize>W * pix;
  memory.fill(dX, 0, sample * <usize>M);
  let g = dY;
  for (let n = 0; n < M; n++) {
    const xs = dX + <usize>n * sample;
    for (let oy = 0; oy < OH; oy++) {
      const y0 = lo(oy, sh, top), y1 = hi(oy, sh, top, kh, H);
      for (let ox = 0; ox < OW; ox++) {
        const x0 = lo(ox, sw, left), x1 = hi(ox, sw, left, kw, W);
        const inv = f32x4.splat(<f32>1.0 / <f32>((y1 - y0) * (x1 - x0)));
        for (let c = 0; c < C; c += 4) {
          const r = C - c < 4 ? C - c : 4;
          const cb = <usize>c << 2;
          const d = f32x4.mul(r == 4 ? v128.load(g + cb) : loadPartial(g + cb, r, 0), inv);
          for (let iy = y0; iy < y1; iy++) {
            const row = xs + <usize>(iy * W) * pix + cb;
            for (let ix = x0; ix < x1; ix++) {
              const p = row + <usize>ix * pix;
              if (r == 4) v128.store(p, f32x4.add(v128.load(p), d));
              else storePartial(p, f32x4.add(loadPartial(p, r, 0), d), r);
            }
          }
        }
        g += pix;
      }
    }
  }
}
