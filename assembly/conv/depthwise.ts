// Depthwise 2-D convolution over NHWC images (issue 15): each input channel c
// has its own Dm filters, output channel c·Dm + m. The kernel is
// [kh, kw, C, Dm], as Keras and TF.js store it. With Dm = 1 (MobileNet's case)
// the channels of one pixel are contiguous in the input, the kernel and the
// output, so four channels are one vector; other multipliers run a scalar loop.
//
// Every output sums its in-bounds taps in (i, j) order, one multiply and one
// add each (no fused multiply-add), skipping taps outside the image: the same
// order and roundings as the JS reference, so the two agree exactly. The
// gradients are written (zeroed first) and summed in the fixed order
// (n, oy, ox, i, j), so the bits never depend on how the work is cut.
import { loadPartial, storePartial } from '../common';

/** The in-bounds tap range [a, b) along one axis for output o. */
// @ts-ignore: decorator
@inline function tapLo(o: i32, s: i32, pad: i32, d: i32): i32 {
  const p = o * s - pad;
  return p >= 0 ? 0 : (-p + d - 1) / d;
}
// @ts-ignore: decorator
@inline function tapHi(o: i32, s: i32, pad: i32, d: i32, k: i32, n: i32): i32 {
  const p = o * s - pad;
  if (p >= n) return 0;
  const hi = (n - 1 - p) / d + 1;
  return hi < k ? hi : k;
}

/**
 * The 3×3 case (MobileNet's), multiplier 1, no dilation, channels a multiple of 4: for each row of outputs
 * whose window rows are all in the image, the outputs whose window columns are too run channel block by
 * channel block with the block's nine kernel vectors held in registers (one load of the input per tap
 * instead of two); the other outputs go through the general loop. The nine taps are added in the same
 * order as the general loop, so the two give the same bits.
 */
function depthwise3x3(X: usize, K: usize, Y: usize, M: i32, H: i32, W: i32, C: i32,
  OH: i32, OW: i32, sh: i32, sw: i32, top: i32, left: i32): void {
  const pix = <usize>C << 2;
  const row = <usize>W * pix;
  const sampleIn = <usize>H * row;
  // Outputs [oxa, oxb) have all three window columns inside the image.
  let oxa = (left + sw - 1) / sw;
  let oxb = (W - 3 + left) / sw + 1;
  if (W - 3 + left < 0) oxb = 0;
  if (oxb > OW) oxb = OW;
  if (oxa > oxb) oxa = oxb;
  for (let n = 0; n < M; n++) {
    const xs = X + <usize>n * sampleIn;
    for (let oy = 0; oy < OH; oy++) {
      const yRow = Y + ((<usize>(n * OH + oy) * <usize>OW) * pix);
      const iy0 = oy * sh - top;
      if (iy0 < 0 || iy0 + 3 > H) {
        depthwiseRow(X, K, Y, n, oy, 0, OW, H, W, C, OH, OW, 3, 3, sh, sw, 1, 1, top, left);
        continue;
      }
      depthwiseRow(X, K, Y, n, oy, 0, oxa, H, W, C, OH, OW, 3, 3, sh, sw, 1, 1, top, left);
      depthwiseRow(X, K, Y, n, oy, oxb, OW, H, W, C, OH, OW, 3, 3, sh, sw, 1, 1, top, left);
      const r0 = xs + <usize>iy0 * row;
      for (let c = 0; c < C; c += 4) {
        const cb = <usize>c << 2;
        const k0 = v128.load(K + cb), k1 = v128.load(K + pix + cb), k2 = v128.load(K + 2 * pix + cb);
        const k3 = v128.load(K + 3 * pix + cb), k4 = v128.load(K + 4 * pix + cb), k5 = v128.load(K + 5 * pix + cb);
        const k6 = v128.load(K + 6 * pix + cb), k7 = v128.load(K + 7 * pix + cb), k8 = v128.load(K + 8 * pix + cb);
        for (let ox = oxa; ox < oxb; ox++) {
          const p = r0 + <usize>(ox * sw - left) * pix + cb;
          let acc = f32x4.add(f32x4.splat(0.0), f32x4.mul(v128.load(p), k0)); // +0 first, as the general loop
          acc = f32x4.add(acc, f32x4.mul(v128.load(p + pix), k1));
          acc = f32x4.add(acc, f32x4.mul(v128.load(p + 2 * pix), k2));
          acc = f32x4.add(acc, f32x4.mul(v128.load(p + row), k3));
          acc = f32x4.add(acc, f32x4.mul(v128.load(p + row + pix), k4));
          acc = f32x4.add(acc, f32x4.mul(v128.load(p + row + 2 * pix), k5));
          acc = f32x4.add(acc, f32x4.mul(v128.load(p + 2 * row), k6));
          acc = f32x4.add(acc, f32x4.mul(v128.load(p + 2 * row + pix), k7));
          acc = f32x4.add(acc, f32x4.mul(v128.load(p + 2 * row + 2 * pix), k8));
          v128.store(yRow + <usize>ox * pix + cb, acc);
        }
      }
    }
  }
}

/** Y[n, oy, ox, c·Dm + m] = Σ over in-bounds taps (i, j) of X[n, iy, ix, c] · K[i, j, c, m]. */
export function depthwiseConv(X: usize, K: usize, Y: usize, M: i32, H: i32, W: i32, C: i32, Dm: i32,
  OH: i32, OW: i32, kh: i32, kw: i32, sh: i32, sw: i32, dh: i32, dw: i32, top: i32, left: i32): void {
  if (Dm == 1 && kh == 3 && kw == 3 && dh == 1 && dw == 1 && (C & 3) == 0) {
    depthwise3x3(X, K, Y, M, H, W, C, OH, OW, sh, sw, top, left);
    return;
  }
  for (let n = 0; n < M; n++)
    for (let oy = 0; oy < OH; oy++)
      depthwiseRow(X, K, Y, n, oy, 0, OW, H, W, C, OH, OW, kh, kw, sh, sw, dh, dw, top, left, Dm);
}

/** Outputs [oxa, oxb) of row oy of sample n, by the general loop. */
function depthwiseRow(X: usize, K: usize, Y: usize, n: i32, oy: i32, oxa: i32, oxb: i32, H: i32, W: i32, C: i32,
  OH: i32, OW: i32, kh: i32, kw: i32, sh: i32, sw: i32, dh: i32, dw: i32, top: i32, left: i32, Dm: i32 = 1): void {
  const CO = C * Dm;
  const inPix = <usize>C << 2, outPix = <usize>CO << 2;
  const xs = X + <usize>n * <usize>H * <usize>W * inPix;
  const i0 = tapLo(oy, sh, top, dh), i1 = tapHi(oy, sh, top, dh, kh, H);
  const iy0 = oy * sh - top;
  let y = Y + (<usize>(n * OH + oy) * <usize>OW + <usize>oxa) * outPix;
  for (let ox = oxa; ox < oxb; ox++) {
    const j0 = tapLo(ox, sw, left, dw), j1 = tapHi(ox, sw, left, dw, kw, W);
    const ix0 = ox * sw - left;
    if (Dm == 1) {
      let c = 0;
      for (; c + 4 <= C; c += 4) {
        const cb = <usize>c << 2;
        let acc = f32x4.splat(0.0);
        for (let i = i0; i < i1; i++) {
          const xr = xs + <usize>((iy0 + i * dh) * W) * inPix + cb;
          const kr = K + <usize>(i * kw) * outPix + cb;
          for (let j = j0; j < j1; j++) {
            acc = f32x4.add(acc, f32x4.mul(v128.load(xr + <usize>(ix0 + j * dw) * inPix), v128.load(kr + <usize>j * outPix)));
          }
        }
        v128.store(y + cb, acc);
      }
      const r = C - c;
      if (r > 0) {
        const cb = <usize>c << 2;
        let acc = f32x4.splat(0.0);
        for (let i = i0; i < i1; i++) {
          const xr = xs + <usize>((iy0 + i * dh) * W) * inPix + cb;
          const kr = K + <usize>(i * kw) * outPix + cb;
          for (let j = j0; j < j1; j++) {
            acc = f32x4.add(acc,
              f32x4.mul(loadPartial(xr + <usize>(ix0 + j * dw) * inPix, r, 0), loadPartial(kr + <usize>j * outPix, r, 0)));
          }
        }
        storePartial(y + cb, acc, r);
      }
    } else {
      for (let o = 0; o < CO; o++) {
        const c = o / Dm;
        let acc: f32 = 0;
        for (let i = i0; i < i1; i++) {
          const xr = xs + <usize>((iy0 + i * dh) * W) * inPix + (<usize>c << 2);
          const kr = K + <usize>(i * kw) * outPix + (<usize>o << 2);
          for (let j = j0; j < j1; j++) {
            acc += load<f32>(xr + <usize>(ix0 + j * dw) * inPix) * load<f32>(kr + <usize>j * outPix);
          }
        }
        store<f32>(y + (<usize>o << 2), acc);
      }
    }
    y += outPix;
  }
}

/**
 * The input gradient: dX (written, zeroed first) = Σ over every output (n, oy, ox) and in-bounds tap (i, j)
 * reading cell (iy, ix) of dY[n, oy, ox, c·Dm + m] · K[i, j, c, m], added in order (n, oy, ox, i, j, m).
 */
export function depthwiseConvBackInput(dY: usize, K: usize, dX: usize, M: i32, H: i32, W: i32, C: i32, Dm: i32,
  OH: i32, OW: i32, kh: i32, kw: i32, sh: i32, sw: i32, dh: i32, dw: i32, top: i32, left: i32): void {
  const CO = C * Dm;
  const inPix = <usize>C << 2, outPix = <usize>CO << 2;
  const sampleIn = <usize>H * <usize>W * inPix;
  memory.fill(dX, 0, sampleIn * <usize>M);
  let g = dY;
  for (let n = 0; n < M; n++) {
    const xs = dX + <usize>n * sampleIn;
    for (let oy = 0; oy < OH; oy++) {
      const i0 = tapLo(oy, sh, top, dh), i1 = tapHi(oy, sh, top, dh, kh, H);
      for (let ox = 0; ox < OW; ox++) {
        const j0 = tapLo(ox, sw, left, dw), j1 = tapHi(ox, sw, left, dw, kw, W);
        const iy0 = oy * sh - top, ix0 = ox * sw - left;
        for (let i = i0; i < i1; i++) {
          const xr = xs + <usize>((iy0 + i * dh) * W) * inPix;
          const kr = K + <usize>(i * kw) * outPix;
          for (let j = j0; j < j1; j++) {
            const d = xr + <usize>(ix0 + j * dw) * inPix, k = kr + <usize>j * outPix;
            if (Dm == 1) {
              let c = 0;
              for (; c + 4 <= C; c += 4) {
                const cb = <usize>c << 2;
                v128.store(d + cb, f32x4.add(v128.load(d + cb), f32x4.mul(v128.load(g + cb), v128.load(k + cb))));
              }
              const r = C - c;
              if (r > 0) {
                const cb = <usize>c << 2;
                storePartial(d + cb,
                  f32x4.add(loadPartial(d + cb, r, 0), f32x4.mul(loadPartial(g + cb, r, 0), loadPartial(k + cb, r, 0))), r);
              }
            } else {
              for (let o = 0; o < CO; o++) {
                const dc = d + (<usize>(o / Dm) << 2), ob = <usize>o << 2;
                store<f32>(dc, load<f32>(dc) + load<f32>(g + ob) * load<f32>(k + ob));
              }
            }
          }
        }
        g += outPix;
      }
    }
  }
}

/**
 * The kernel gradient: dK (written, zeroed first) [i, j, c, m] = Σ over outputs (n, oy, ox) whose tap (i, j)
 * is in bounds of X[n, iy, ix, c] · dY[n, oy, ox, c·Dm + m], added in order (n, oy, ox).
 */
export function depthwiseConvBackFilter(X: usize, dY: usize, dK: usize, M: i32, H: i32, W: i32, C: i32, Dm: i32,
  OH: i32, OW: i32, kh: i32, kw: i32, sh: i32, sw: i32, dh: i32, dw: i32, top: i32, left: i32): void {
  const CO = C * Dm;
  const inPix = <usize>C << 2, outPix = <usize>CO << 2;
  const sampleIn = <usize>H * <usize>W * inPix;
  memory.fill(dK, 0, <usize>(kh * kw) * outPix);
  let g = dY;
  for (let n = 0; n < M; n++) {
    const xs = X + <usize>n * sampleIn;
    for (let oy = 0; oy < OH; oy++) {
      const i0 = tapLo(oy, sh, top, dh), i1 = tapHi(oy, sh, top, dh, kh, H);
      for (let ox = 0; ox < OW; ox++) {
        const j0 = tapLo(ox, sw, left, dw), j1 = tapHi(ox, sw, left, dw, kw, W);
        const iy0 = oy * sh - top, ix0 = ox * sw - left;
        for (let i = i0; i < i1; i++) {
          const xr = xs + <usize>((iy0 + i * dh) * W) * inPix;
          const kr = dK + <usize>(i * kw) * outPix;
          for (let j = j0; j < j1; j++) {
            const x = xr + <usize>(ix0 + j * dw) * inPix, k = kr + <usize>j * outPix;
            if (Dm == 1) {
              let c = 0;
              for (; c + 4 <= C; c += 4) {
                const cb = <usize>c << 2;
                v128.store(k + cb, f32x4.add(v128.load(k + cb), f32x4.mul(v128.load(x + cb), v128.load(g + cb))));
              }
              const r = C - c;
              if (r > 0) {
                const cb = <usize>c << 2;
                storePartial(k + cb,
                  f32x4.add(loadPartial(k + cb, r, 0), f32x4.mul(loadPartial(x + cb, r, 0), loadPartial(g + cb, r, 0))), r);
              }
            } else {
              for (let o = 0; o < CO; o++) {
                const ob = <usize>o << 2;
                store<f32>(k + ob, load<f32>(k + ob) + load<f32>(x + (<usize>(o / Dm) << 2)) * load<f32>(g + ob));
              }
            }
          }
        }
        g += outPix;
      }
    }
  }
}
