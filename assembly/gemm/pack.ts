// Packing of op(A) and op(B) blocks into the layouts the micro-kernel streams.
// Transposition is absorbed here, so the micro-kernel never sees a stride and
// the NN, TN, NT and TT forms all run the same inner loop.
//
// Packed A: panels of PMR = 5 rows; panel p holds, for k = 0..kc−1, the five
//   values op(A)[i0..i0+4, k] (20 bytes per k). alpha is folded in here.
// Packed B: panels of NR = 8 columns; panel q holds, for k = 0..kc−1, the eight
//   values op(B)[k, j0..j0+7] (32 bytes per k).
// Partial panels are zero-padded, so the micro-kernel always runs full tiles.
import { PMR, NR } from './config';

/** 4×4 transpose of rows a, b, c, d; results through the out-pointer o (4 vectors). */
// @ts-ignore: decorator
@inline function transpose4Store(a: v128, b: v128, c: v128, d: v128, o: usize, stride: usize, s: v128): void {
  const t0 = v128.shuffle<f32>(a, b, 0, 4, 1, 5); // a0 b0 a1 b1
  const t1 = v128.shuffle<f32>(c, d, 0, 4, 1, 5); // c0 d0 c1 d1
  const t2 = v128.shuffle<f32>(a, b, 2, 6, 3, 7); // a2 b2 a3 b3
  const t3 = v128.shuffle<f32>(c, d, 2, 6, 3, 7); // c2 d2 c3 d3
  v128.store(o, f32x4.mul(v128.shuffle<f32>(t0, t1, 0, 1, 4, 5), s));
  v128.store(o + stride, f32x4.mul(v128.shuffle<f32>(t0, t1, 2, 3, 6, 7), s));
  v128.store(o + 2 * stride, f32x4.mul(v128.shuffle<f32>(t2, t3, 0, 1, 4, 5), s));
  v128.store(o + 3 * stride, f32x4.mul(v128.shuffle<f32>(t2, t3, 2, 3, 6, 7), s));
}

/**
 * Pack op(A)[i0..i0+mc, k0..k0+kc] · alpha into dst, in panels of PMR = 5 rows:
 * panel p holds, for k = 0..kc−1, the five values op(A)[i0+5p .. i0+5p+4, k]
 * (20 bytes per k). op(A)[i,k] is A[i·lda + k] (transA = 0) or A[k·lda + i]
 * (transA = 1). A partial last panel is zero-padded.
 */
export function packA(transA: i32, A: usize, lda: i32, i0: i32, k0: i32, mc: i32, kc: i32, alpha: f32, dst: usize): void {
  const s = f32x4.splat(alpha);
  const ldaBytes = <usize>lda << 2;
  for (let ip = 0; ip < mc; ip += PMR) {
    const mr = min(PMR, mc - ip);
    const d = dst + <usize>ip * <usize>kc * 4;
    const i = i0 + ip;
    if (mr == PMR) {
      if (transA) {
        // Five consecutive values of one stored row per k: a vector and a scalar.
        let src = A + <usize>k0 * ldaBytes + (<usize>i << 2);
        let o = d;
        for (let k = 0; k < kc; k++) {
          v128.store(o, f32x4.mul(v128.load(src), s));
          store<f32>(o, load<f32>(src, 16) * alpha, 16);
          src += ldaBytes;
          o += 20;
        }
      } else {
        // Rows 0–3 four values of k at a time, transposed in registers; row 4 by scalars.
        // Each 16-byte store covers rows 0–3 of one k; row 4 goes in the 4 bytes after it.
        const r0 = A + <usize>i * ldaBytes + (<usize>k0 << 2);
        const r1 = r0 + ldaBytes, r2 = r1 + ldaBytes, r3 = r2 + ldaBytes, r4 = r3 + ldaBytes;
        let k = 0;
        for (; k + 4 <= kc; k += 4) {
          const off = <usize>k << 2;
          const o = d + <usize>k * 20;
          transpose4Store(v128.load(r0 + off), v128.load(r1 + off), v128.load(r2 + off), v128.load(r3 + off), o, 20, s);
          const e = f32x4.mul(v128.load(r4 + off), s);
          store<f32>(o, f32x4.extract_lane(e, 0), 16);
          store<f32>(o, f32x4.extract_lane(e, 1), 36);
          store<f32>(o, f32x4.extract_lane(e, 2), 56);
          store<f32>(o, f32x4.extract_lane(e, 3), 76);
        }
        for (; k < kc; k++) {
          const off = <usize>k << 2;
          const o = d + <usize>k * 20;
          store<f32>(o, load<f32>(r0 + off) * alpha);
          store<f32>(o, load<f32>(r1 + off) * alpha, 4);
          store<f32>(o, load<f32>(r2 + off) * alpha, 8);
          store<f32>(o, load<f32>(r3 + off) * alpha, 12);
          store<f32>(o, load<f32>(r4 + off) * alpha, 16);
        }
      }
    } else {
      // Partial panel (the last mr < 5 rows): zero it, then copy the real rows.
      memory.fill(d, 0, <usize>kc * 20);
      for (let r = 0; r < mr; r++) {
        const o = d + (<usize>r << 2);
        if (transA) {
          const src = A + <usize>k0 * ldaBytes + (<usize>(i + r) << 2);
          for (let k = 0; k < kc; k++) store<f32>(o + <usize>k * 20, load<f32>(src + <usize>k * ldaBytes) * alpha);
        } else {
          const src = A + <usize>(i + r) * ldaBytes + (<usize>k0 << 2);
          for (let k = 0; k < kc; k++) store<f32>(o + <usize>k * 20, load<f32>(src + (<usize>k << 2)) * alpha);
        }
      }
    }
  }
}

/**
 * Pack op(B)[k0..k0+kc, j0..j0+nc] into dst. op(B)[k,j] is B[k·ldb + j]
 * (transB = 0) or B[j·ldb + k] (transB = 1).
 */
export function packB(transB: i32, B: usize, ldb: i32, k0: i32, j0: i32, kc: i32, nc: i32, dst: usize): void {
  const ldbBytes = <usize>ldb << 2;
  const one = f32x4.splat(1.0);
  for (let jp = 0; jp < nc; jp += NR) {
    const nr = min(NR, nc - jp);
    const d = dst + <usize>jp * <usize>kc * 4;
    const j = j0 + jp;
    if (nr == NR) {
      if (!transB) {
        let src = B + <usize>k0 * ldbBytes + (<usize>j << 2);
        let o = d;
        for (let k = 0; k < kc; k++) {
          v128.store(o, v128.load(src));
          v128.store(o, v128.load(src, 16), 16);
          src += ldbBytes;
          o += 32;
        }
      } else {
        // Eight stored rows of B (= 8 columns of op(B)), 4 values of k at a time.
        const r0 = B + <usize>j * ldbBytes + (<usize>k0 << 2);
        const r1 = r0 + ldbBytes, r2 = r1 + ldbBytes, r3 = r2 + ldbBytes;
        const r4 = r3 + ldbBytes, r5 = r4 + ldbBytes, r6 = r5 + ldbBytes, r7 = r6 + ldbBytes;
        let k = 0;
        for (; k + 4 <= kc; k += 4) {
          const off = <usize>k << 2;
          const o = d + (<usize>k << 5);
          transpose4Store(v128.load(r0 + off), v128.load(r1 + off), v128.load(r2 + off), v128.load(r3 + off), o, 32, one);
          transpose4Store(v128.load(r4 + off), v128.load(r5 + off), v128.load(r6 + off), v128.load(r7 + off), o + 16, 32, one);
        }
        for (; k < kc; k++) {
          const off = <usize>k << 2;
          const o = d + (<usize>k << 5);
          store<f32>(o, load<f32>(r0 + off));
          store<f32>(o, load<f32>(r1 + off), 4);
          store<f32>(o, load<f32>(r2 + off), 8);
          store<f32>(o, load<f32>(r3 + off), 12);
          store<f32>(o, load<f32>(r4 + off), 16);
          store<f32>(o, load<f32>(r5 + off), 20);
          store<f32>(o, load<f32>(r6 + off), 24);
          store<f32>(o, load<f32>(r7 + off), 28);
        }
      }
    } else {
      // Partial panel (the last nr < 8 columns): zero it, then copy the nr
      // real columns. This is most of the packing for a narrow output (N = 10).
      const zero = f32x4.splat(0);
      for (let k = 0; k < kc; k++) {
        const o = d + (<usize>k << 5);
        v128.store(o, zero);
        v128.store(o, zero, 16);
      }
      if (!transB) {
        let src = B + <usize>k0 * ldbBytes + (<usize>j << 2);
        for (let k = 0; k < kc; k++) {
          const o = d + (<usize>k << 5);
          for (let c = 0; c < nr; c++) store<f32>(o + (<usize>c << 2), load<f32>(src + (<usize>c << 2)));
          src += ldbBytes;
        }
      } else {
        for (let c = 0; c < nr; c++) {
          const src = B + <usize>(j + c) * ldbBytes + (<usize>k0 << 2);
          const o = d + (<usize>c << 2);
          for (let k = 0; k < kc; k++) store<f32>(o + (<usize>k << 5), load<f32>(src + (<usize>k << 2)));
        }
      }
    }
  }
}
