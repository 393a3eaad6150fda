// im2col / col2im for 2-D convolutions over NHWC images (issue 15). A "row"
// is one output position's receptive field: kh·kw·C floats in the kernel's
// [kh, kw, C] order, zeros where the window leaves the image (padding). With
// dilation 1 the kw cells of a window row are contiguous in the input, so an
// in-bounds window row is one copy (or one vector add) of kw·C floats.

/** rows[(n, oy, ox)] = the receptive field of output (oy, ox) of sample n, for samples [0, M). */
export function im2col(X: usize, rows: usize, M: i32, H: i32, W: i32, C: i32, OH: i32, OW: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, dh: i32, dw: i32, top: i32, left: i32): void {
  const cellBytes = <usize>C << 2;
  const sample = (<usize>H * <usize>W * <usize>C) << 2;
  let o = rows;
  for (let n = 0; n < M; n++) {
    const base = X + <usize>n * sample;
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        const x0 = ox * sw - left;
        const whole = dw == 1 && x0 >= 0 && x0 + kw <= W;
        for (let i = 0; i < kh; i++) {
          const iy = oy * sh - top + i * dh;
          if (iy < 0 || iy >= H) {
            memory.fill(o, 0, cellBytes * <usize>kw);
            o += cellBytes * <usize>kw;
            continue;
          }
          const rowBase = base + ((<usize>iy * <usize>W) * <usize>C << 2);
          if (whole) {
            memory.copy(o, rowBase + (<usize>x0 * cellBytes), cellBytes * <usize>kw);
            o += cellBytes * <usize>kw;
            continue;
          }
          for (let j = 0; j < kw; j++) {
            const ix = x0 + j * dw;
            if (ix < 0 || ix >= W) memory.fill(o, 0, cellBytes);
            else memory.copy(o, rowBase + <usize>ix * cellBytes, cellBytes);
            o += cellBytes;
          }
        }
      }
    }
  }
}

/** dst[k] += src[k] for n floats, four at a time. */
// @ts-ignore: decorator
@inline function addInto(dst: usize, src: usize, n: i32): void {
  let k = 0;
  for (; k + 4 <= n; k += 4) {
    const d = dst + (<usize>k << 2), s = src + (<usize>k << 2);
    v128.store(d, f32x4.add(v128.load(d), v128.load(s)));
  }
  for (; k < n; k++) {
    const d = dst + (<usize>k << 2);
    store<f32>(d, load<f32>(d) + load<f32>(src + (<usize>k << 2)));
  }
}

/**
 * dX = the sum, over every row that read each input cell, of that row's
 * values (the adjoint of im2col): dX is written (zeroed first), the rows added
 * in order (n, oy, ox, i, j), so each element's sum has a fixed order.
 */
export function col2im(rows: usize, dX: usize, M: i32, H: i32, W: i32, C: i32, OH: i32, OW: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, dh: i32, dw: i32, top: i32, left: i32): void {
  const cellBytes = <usize>C << 2;
  const sample = (<usize>H * <usize>W * <usize>C) << 2;
  memory.fill(dX, 0, sample * <usize>M);
  let o = rows;
  for (let n = 0; n < M; n++) {
    const base = dX + <usize>n * sample;
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        const x0 = ox * sw - left;
        const whole = dw == 1 && x0 >= 0 && x0 + kw <= W;
        for (let i = 0; i < kh; i++) {
          const iy = oy * sh - top + i * dh;
          if (iy < 0 || iy >= H) {
            o += cellBytes * <usize>kw;
            continue;
          }
          const rowBase = base + ((<usize>iy * <usize>W) * <usize>C << 2);
          if (whole) {
            addInto(rowBase + <usize>x0 * cellBytes, o, kw * C);
            o += cellBytes * <usize>kw;
            continue;
          }
          for (let j = 0; j < kw; j++) {
            const ix = x0 + j * dw;
            if (ix >= 0 && ix < W) addInto(rowBase + <usize>ix * cellBytes, o, C);
            o += cellBytes;
          }
        }
      }
    }
  }
}
