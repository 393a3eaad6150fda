// GEMM micro-kernels: a 5×8 (packed) or 4×8 (A read in place) f32 tile of C
// held in v128 locals. Per k, A is broadcast with v128.load32_splat (one load
// per row, no shuffle: on x64 a broadcast load is a plain load, while the
// lane shuffles of XNNPACK's "splat" kernels compete with the multiplies and
// adds for the vector ports) and B is two v128 loads (8 columns).
//
// The multiply-add is the one place the relaxed build differs: with relaxed
// SIMD enabled at compile time (`--enable relaxed-simd` sets
// ASC_FEATURE_RELAXED_SIMD) it is f32x4.relaxed_madd (a fused FMA on x64/arm64),
// otherwise a separate mul and add. The branch is resolved at compile time.
import { MR, NR } from './config';

// @ts-ignore: decorator
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) {
    return f32x4.relaxed_madd(a, b, c);
  } else {
    return f32x4.add(f32x4.mul(a, b), c);
  }
}

/** Write one row of a tile: C = acc (beta = 0, C not read), C + acc (beta = 1), beta·C + acc. */
// @ts-ignore: decorator
@inline function storeRow(c: usize, v0: v128, v1: v128, beta: f32): void {
  if (beta == 0) {
    v128.store(c, v0);
    v128.store(c, v1, 16);
  } else if (beta == 1) {
    v128.store(c, f32x4.add(v128.load(c), v0));
    v128.store(c, f32x4.add(v128.load(c, 16), v1), 16);
  } else {
    const b = f32x4.splat(beta);
    v128.store(c, f32x4.add(f32x4.mul(v128.load(c), b), v0));
    v128.store(c, f32x4.add(f32x4.mul(v128.load(c, 16), b), v1), 16);
  }
}

/**
 * Store a 4×8 tile held in eight vectors into C (row stride ldcBytes): whole
 * tiles directly, partial ones (mr < 4 or nr < 8) through the 128-byte `tile`
 * scratch so nothing outside the mr×nr corner is touched.
 */
// @ts-ignore: decorator
@inline export function storeTile(c: usize, ldcBytes: usize, beta: f32, mr: i32, nr: i32, tile: usize,
  c00: v128, c01: v128, c10: v128, c11: v128, c20: v128, c21: v128, c30: v128, c31: v128): void {
  if (mr == MR && nr == NR) {
    storeRow(c, c00, c01, beta);
    storeRow(c + ldcBytes, c10, c11, beta);
    storeRow(c + 2 * ldcBytes, c20, c21, beta);
    storeRow(c + 3 * ldcBytes, c30, c31, beta);
    return;
  }
  v128.store(tile, c00); v128.store(tile, c01, 16);
  v128.store(tile, c10, 32); v128.store(tile, c11, 48);
  v128.store(tile, c20, 64); v128.store(tile, c21, 80);
  v128.store(tile, c30, 96); v128.store(tile, c31, 112);
  storePartial(c, ldcBytes, beta, mr, nr, tile);
}

/** Copy the mr×nr corner of a tile held in `tile` (rows of 8 floats) into C. */
function storePartial(c: usize, ldcBytes: usize, beta: f32, mr: i32, nr: i32, tile: usize): void {
  for (let i = 0; i < mr; i++) {
    const t = tile + (<usize>i << 5);
    const cr = c + <usize>i * ldcBytes;
    for (let j = 0; j < nr; j++) {
      const o = <usize>j << 2;
      const v = load<f32>(t + o);
      store<f32>(cr + o, beta == 0 ? v : beta * load<f32>(cr + o) + v);
    }
  }
}

/**
 * The packed micro-kernel: C[5×8] (=|+=) Ap[5×kc]·Bp[kc×8] with Ap, Bp in the
 * packed layouts of pack.ts (A: 20 bytes per k, B: 32 bytes per k); mr ≤ 5 and
 * nr ≤ 8 say how much of the tile is real. One k per iteration, the loop
 * counted by the B pointer: unrolled, V8 hoists all the loads of the body above
 * the arithmetic and spills (see config.ts).
 */
export function kernel5x8(kc: i32, ap: usize, bp: usize, c: usize, ldcBytes: usize, beta: f32,
  mr: i32, nr: i32, tile: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let c40 = f32x4.splat(0), c41 = f32x4.splat(0);
  const end = bp + (<usize>kc << 5);
  while (bp < end) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let a = v128.load32_splat(ap);
    c00 = madd(a, b0, c00); c01 = madd(a, b1, c01);
    a = v128.load32_splat(ap, 4);
    c10 = madd(a, b0, c10); c11 = madd(a, b1, c11);
    a = v128.load32_splat(ap, 8);
    c20 = madd(a, b0, c20); c21 = madd(a, b1, c21);
    a = v128.load32_splat(ap, 12);
    c30 = madd(a, b0, c30); c31 = madd(a, b1, c31);
    a = v128.load32_splat(ap, 16);
    c40 = madd(a, b0, c40); c41 = madd(a, b1, c41);
    ap += 20;
    bp += 32;
  }
  if (mr == 5 && nr == NR) {
    storeRow(c, c00, c01, beta);
    storeRow(c + ldcBytes, c10, c11, beta);
    storeRow(c + 2 * ldcBytes, c20, c21, beta);
    storeRow(c + 3 * ldcBytes, c30, c31, beta);
    storeRow(c + 4 * ldcBytes, c40, c41, beta);
    return;
  }
  v128.store(tile, c00); v128.store(tile, c01, 16);
  v128.store(tile, c10, 32); v128.store(tile, c11, 48);
  v128.store(tile, c20, 64); v128.store(tile, c21, 80);
  v128.store(tile, c30, 96); v128.store(tile, c31, 112);
  v128.store(tile, c40, 128); v128.store(tile, c41, 144);
  storePartial(c, ldcBytes, beta, mr, nr, tile);
}

/**
 * The same tile with A read in place (not packed): row r of the tile reads
 * op(A) through pointer a_r advancing by ksBytes per k (4 for a row-major A,
 * lda·4 for a transposed one). Used where packing A would cost as much as the
 * product itself (narrow outputs). Rows beyond mr point at a valid row (the
 * caller clamps) and are simply not stored.
 */
export function kernel4x8DirectA(kc: i32, a0: usize, a1: usize, a2: usize, a3: usize, ksBytes: usize,
  bp: usize, c: usize, ldcBytes: usize, beta: f32, mr: i32, nr: i32, tile: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let k = 0; k < kc; k++) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let a = v128.load32_splat(a0);
    c00 = madd(a, b0, c00); c01 = madd(a, b1, c01);
    a = v128.load32_splat(a1);
    c10 = madd(a, b0, c10); c11 = madd(a, b1, c11);
    a = v128.load32_splat(a2);
    c20 = madd(a, b0, c20); c21 = madd(a, b1, c21);
    a = v128.load32_splat(a3);
    c30 = madd(a, b0, c30); c31 = madd(a, b1, c31);
    a0 += ksBytes; a1 += ksBytes; a2 += ksBytes; a3 += ksBytes;
    bp += 32;
  }
  storeTile(c, ldcBytes, beta, mr, nr, tile, c00, c01, c10, c11, c20, c21, c30, c31);
}

/**
 * No packing at all, for a few rows of op(A) against a row-major B (M ≤ 4,
 * e.g. predicting one sample): a 4×8 tile per column block, B rows read in
 * place (two loads per k, stride ldb). A final partial column block copies its
 * nr values per k so nothing past column N is read. alpha scales the sums.
 */
export function kernel4x8DirectAB(kc: i32, a0: usize, a1: usize, a2: usize, a3: usize, ksBytes: usize,
  b: usize, ldbBytes: usize, nr: i32, c: usize, ldcBytes: usize, alpha: f32, beta: f32, mr: i32, tile: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  if (nr == NR) {
    for (let k = 0; k < kc; k++) {
      const b0 = v128.load(b);
      const b1 = v128.load(b, 16);
      let a = v128.load32_splat(a0);
      c00 = madd(a, b0, c00); c01 = madd(a, b1, c01);
      a = v128.load32_splat(a1);
      c10 = madd(a, b0, c10); c11 = madd(a, b1, c11);
      a = v128.load32_splat(a2);
      c20 = madd(a, b0, c20); c21 = madd(a, b1, c21);
      a = v128.load32_splat(a3);
      c30 = madd(a, b0, c30); c31 = madd(a, b1, c31);
      a0 += ksBytes; a1 += ksBytes; a2 += ksBytes; a3 += ksBytes;
      b += ldbBytes;
    }
  } else {
    // Partial block (the last nr < 8 columns): copy the row's nr values into
    // the zeroed tile scratch and load it whole. The scratch is free until storeTile.
    v128.store(tile, f32x4.splat(0));
    v128.store(tile, f32x4.splat(0), 16);
    for (let k = 0; k < kc; k++) {
      for (let j = 0; j < nr; j++) store<f32>(tile + (<usize>j << 2), load<f32>(b + (<usize>j << 2)));
      const b0 = v128.load(tile);
      const b1 = v128.load(tile, 16);
      let a = v128.load32_splat(a0);
      c00 = madd(a, b0, c00); c01 = madd(a, b1, c01);
      a = v128.load32_splat(a1);
      c10 = madd(a, b0, c10); c11 = madd(a, b1, c11);
      a = v128.load32_splat(a2);
      c20 = madd(a, b0, c20); c21 = madd(a, b1, c21);
      a = v128.load32_splat(a3);
      c30 = madd(a, b0, c30); c31 = madd(a, b1, c31);
      a0 += ksBytes; a1 += ksBytes; a2 += ksBytes; a3 += ksBytes;
      b += ldbBytes;
    }
  }
  if (alpha != 1) {
    const va = f32x4.splat(alpha);
    c00 = f32x4.mul(c00, va); c01 = f32x4.mul(c01, va); c10 = f32x4.mul(c10, va); c11 = f32x4.mul(c11, va);
    c20 = f32x4.mul(c20, va); c21 = f32x4.mul(c21, va); c30 = f32x4.mul(c30, va); c31 = f32x4.mul(c31, va);
  }
  storeTile(c, ldcBytes, beta, mr, nr, tile, c00, c01, c10, c11, c20, c21, c30, c31);
}

/**
 * Store a 4×4 tile (four vectors) into C: whole tiles directly, partial ones
 * through the `tile` scratch.
 */
// @ts-ignore: decorator
@inline function storeTile4(c: usize, ldcBytes: usize, beta: f32, mr: i32, nr: i32, tile: usize,
  c0: v128, c1: v128, c2: v128, c3: v128): void {
  v128.store(tile, c0); v128.store(tile, c1, 16);
  v128.store(tile, c2, 32); v128.store(tile, c3, 48);
  for (let i = 0; i < mr; i++) {
    const t = tile + (<usize>i << 4);
    const cr = c + <usize>i * ldcBytes;
    for (let j = 0; j < nr; j++) {
      const o = <usize>j << 2;
      const v = load<f32>(t + o);
      store<f32>(cr + o, beta == 0 ? v : beta * load<f32>(cr + o) + v);
    }
  }
}

/**
 * The last panel of a narrow product when it has ≤ 4 real columns (N = 10:
 * columns 8–9): a 4×4 tile reading only the first vector of each packed
 * 8-wide B row, so 12 columns are computed instead of 16. A read in place as
 * in kernel4x8DirectA.
 */
export function kernel4x4DirectA(kc: i32, a0: usize, a1: usize, a2: usize, a3: usize, ksBytes: usize,
  bp: usize, c: usize, ldcBytes: usize, beta: f32, mr: i32, nr: i32, tile: usize): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
  // One k per step. Two k per step with eight accumulators needs 18 vector
  // registers once V8 has hoisted the block's loads (8 + 2 B + 8 splats) and
  // spills: it ran at half this loop's speed.
  for (let k = 0; k < kc; k++) {
    const b0 = v128.load(bp);
    c0 = madd(v128.load32_splat(a0), b0, c0);
    c1 = madd(v128.load32_splat(a1), b0, c1);
    c2 = madd(v128.load32_splat(a2), b0, c2);
    c3 = madd(v128.load32_splat(a3), b0, c3);
    a0 += ksBytes; a1 += ksBytes; a2 += ksBytes; a3 += ksBytes;
    bp += 32;
  }
  storeTile4(c, ldcBytes, beta, mr, nr, tile, c0, c1, c2, c3);
}

/**
 * One row of op(A) times a row-major B, 24 columns at a time, B read in place:
 * six independent accumulators, so a single row is not bound by the latency
 * of one multiply-add chain (the 4-row kernel with three rows clamped would be).
 * For M = 1 (predicting one sample) this is the whole product. Six, not eight:
 * V8 issues a block's loads before its arithmetic, so accumulators + B vectors
 * + the splat must fit the 15 vector registers V8 allocates; with eight (17
 * live) it spilled an accumulator to the stack, and the store-to-load round
 * trip each step halved the loop's speed (17.7 against 33–35 GFLOP/s at
 * 1×784×128).
 */
export function kernel1x24DirectAB(kc: i32, a: usize, ksBytes: usize, b: usize, ldbBytes: usize,
  c: usize, alpha: f32, beta: f32): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0);
  let c3 = f32x4.splat(0), c4 = f32x4.splat(0), c5 = f32x4.splat(0);
  for (let k = 0; k < kc; k++) {
    const s = v128.load32_splat(a);
    c0 = madd(s, v128.load(b), c0);
    c1 = madd(s, v128.load(b, 16), c1);
    c2 = madd(s, v128.load(b, 32), c2);
    c3 = madd(s, v128.load(b, 48), c3);
    c4 = madd(s, v128.load(b, 64), c4);
    c5 = madd(s, v128.load(b, 80), c5);
    a += ksBytes;
    b += ldbBytes;
  }
  const va = f32x4.splat(alpha);
  storeVec(c, c0, va, alpha, beta);
  storeVec(c + 16, c1, va, alpha, beta);
  storeVec(c + 32, c2, va, alpha, beta);
  storeVec(c + 48, c3, va, alpha, beta);
  storeVec(c + 64, c4, va, alpha, beta);
  storeVec(c + 80, c5, va, alpha, beta);
}

// @ts-ignore: decorator
@inline function storeVec(c: usize, v: v128, va: v128, alpha: f32, beta: f32): void {
  if (alpha != 1) v = f32x4.mul(v, va);
  if (beta == 0) v128.store(c, v);
  else if (beta == 1) v128.store(c, f32x4.add(v128.load(c), v));
  else v128.store(c, f32x4.add(f32x4.mul(v128.load(c), f32x4.splat(beta)), v));
}

/**
 * One row times up to 8 columns of a row-major B (the columns a 1×32 block
 * leaves over), with k split over four interleaved accumulator pairs for the
 * same latency reason; the four partial sums are added at the end. Partial
 * blocks (nr < 8) copy their values through `tile` as kernel4x8DirectAB does.
 */
export function kernel1x8DirectAB(kc: i32, a: usize, ksBytes: usize, b: usize, ldbBytes: usize, nr: i32,
  c: usize, alpha: f32, beta: f32, tile: usize): void {
  let p0 = f32x4.splat(0), p1 = f32x4.splat(0), q0 = f32x4.splat(0), q1 = f32x4.splat(0);
  let r0 = f32x4.splat(0), r1 = f32x4.splat(0), s0 = f32x4.splat(0), s1 = f32x4.splat(0);
  let k = 0;
  if (nr == NR) {
    // A whole block, B in place: three k steps per pass (6 accumulators, 6 B
    // vectors and 3 splats live: within V8's 15 registers, see kernel1x24DirectAB).
    const ks2 = ksBytes << 1, ks3 = ksBytes * 3, lb2 = ldbBytes << 1, lb3 = ldbBytes * 3;
    for (; k + 3 <= kc; k += 3) {
      const x0 = v128.load32_splat(a), x1 = v128.load32_splat(a + ksBytes), x2 = v128.load32_splat(a + ks2);
      p0 = madd(x0, v128.load(b), p0);
      p1 = madd(x0, v128.load(b, 16), p1);
      q0 = madd(x1, v128.load(b + ldbBytes), q0);
      q1 = madd(x1, v128.load(b + ldbBytes, 16), q1);
      r0 = madd(x2, v128.load(b + lb2), r0);
      r1 = madd(x2, v128.load(b + lb2, 16), r1);
      a += ks3; b += lb3;
    }
  }
  // B rows come from `b` directly (nr = 8) or from a zero-padded copy in `tile`.
  v128.store(tile, f32x4.splat(0));
  v128.store(tile, f32x4.splat(0), 16);
  for (; k + 4 <= kc; k += 4) {
    p0 = madd(v128.load32_splat(a), rowLo(b, nr, tile), p0);
    p1 = madd(v128.load32_splat(a), rowHi(b, nr, tile), p1);
    a += ksBytes; b += ldbBytes;
    q0 = madd(v128.load32_splat(a), rowLo(b, nr, tile), q0);
    q1 = madd(v128.load32_splat(a), rowHi(b, nr, tile), q1);
    a += ksBytes; b += ldbBytes;
    r0 = madd(v128.load32_splat(a), rowLo(b, nr, tile), r0);
    r1 = madd(v128.load32_splat(a), rowHi(b, nr, tile), r1);
    a += ksBytes; b += ldbBytes;
    s0 = madd(v128.load32_splat(a), rowLo(b, nr, tile), s0);
    s1 = madd(v128.load32_splat(a), rowHi(b, nr, tile), s1);
    a += ksBytes; b += ldbBytes;
  }
  for (; k < kc; k++) {
    p0 = madd(v128.load32_splat(a), rowLo(b, nr, tile), p0);
    p1 = madd(v128.load32_splat(a), rowHi(b, nr, tile), p1);
    a += ksBytes; b += ldbBytes;
  }
  let v0 = f32x4.add(f32x4.add(p0, q0), f32x4.add(r0, s0));
  let v1 = f32x4.add(f32x4.add(p1, q1), f32x4.add(r1, s1));
  if (alpha != 1) { v0 = f32x4.mul(v0, f32x4.splat(alpha)); v1 = f32x4.mul(v1, f32x4.splat(alpha)); }
  v128.store(tile, v0);
  v128.store(tile, v1, 16);
  for (let j = 0; j < nr; j++) {
    const o = <usize>j << 2;
    const v = load<f32>(tile + o);
    store<f32>(c + o, beta == 0 ? v : beta * load<f32>(c + o) + v);
  }
}

/** Columns 0–3 of a B row: in place when the block is whole, else copied into the zeroed tile. */
// @ts-ignore: decorator
@inline function rowLo(b: usize, nr: i32, tile: usize): v128 {
  if (nr == NR) return v128.load(b);
  for (let j = 0; j < nr; j++) store<f32>(tile + (<usize>j << 2), load<f32>(b + (<usize>j << 2)));
  return v128.load(tile);
}
/** Columns 4–7 (after rowLo filled the tile for a partial block). */
// @ts-ignore: decorator
@inline function rowHi(b: usize, nr: i32, tile: usize): v128 {
  return nr == NR ? v128.load(b, 16) : v128.load(tile, 16);
}
