// C = alpha·op(A)·op(B) + beta·C, row-major, any M, N, K ≥ 0.
//
// Three paths, chosen by shape:
//  - few rows (M ≤ SMALL_M) with B not transposed: no packing, B read in place
//    (packing B would cost about as much as the product: inference);
//  - narrow outputs (N ≤ NARROW_N, e.g. the last layer's 10 classes): B packed
//    (cheap: K×16), A read in place;
//  - everything else: Goto-style blocking (NC columns of B, K in equal blocks of
//    at most KC, MC rows of A), both operands packed, 5×8 micro-kernel over the
//    packed panels.
// Each C element is a sum over k in a fixed order (in k order, except the
// narrow path's ≤4-column tail, which sums even and odd k separately and then
// adds the two); beta is applied once (on the first K block), and beta = 0
// never reads C. Results do not depend on alignment, timing or threads.
import {
  MR, PMR, NR, KC, MC, NC, NARROW_N, NARROW_KC, SMALL_M, SMALL_M_MAX_K, WS_A_BYTES, WS_B_BYTES, WS_BYTES,
} from './config';
import { packA, packB } from './pack';
import {
  kernel5x8, kernel4x8DirectA, kernel4x4DirectA, kernel4x8DirectAB, kernel1x24DirectAB, kernel1x8DirectAB,
} from './kernels';

/** Bytes of workspace `gemm` needs at `ws`. */
export function gemmWorkspaceBytes(): i32 {
  return <i32>WS_BYTES;
}

/** C = beta·C for an M×N block (beta = 0 writes zeros without reading C). */
function scaleC(M: i32, N: i32, beta: f32, C: usize, ldc: i32): void {
  const ldcBytes = <usize>ldc << 2;
  const nBytes = <usize>N << 2;
  for (let i = 0; i < M; i++) {
    const c = C + <usize>i * ldcBytes;
    if (beta == 0) { memory.fill(c, 0, nBytes); continue; }
    if (beta == 1) continue;
    const vb = f32x4.splat(beta);
    let j = 0;
    for (; j + 4 <= N; j += 4) {
      const p = c + (<usize>j << 2);
      v128.store(p, f32x4.mul(v128.load(p), vb));
    }
    for (; j < N; j++) {
      const p = c + (<usize>j << 2);
      store<f32>(p, load<f32>(p) * beta);
    }
  }
}

export function gemm(transA: i32, transB: i32, M: i32, N: i32, K: i32, alpha: f32, A: usize, lda: i32,
  B: usize, ldb: i32, beta: f32, C: usize, ldc: i32, ws: usize): void {
  if (M <= 0 || N <= 0) return;
  if (K <= 0 || alpha == 0) { scaleC(M, N, beta, C, ldc); return; }
  const narrow = N <= NARROW_N;
  // The few-rows path handles a partial column block by copying B values per
  // k; for narrow outputs with one (N = 10), packing B once is ~2x faster.
  if (M <= SMALL_M && K <= SMALL_M_MAX_K && !transB && !(narrow && (N & (NR - 1)) != 0)) {
    gemmSmallM(transA, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc, ws);
    return;
  }
  if (narrow) { gemmNarrow(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc, ws); return; }
  gemmPacked(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc, ws);
}

/** Row pointers of op(A) for rows i..i+3 (clamped to the last valid row) and the per-k stride. */
// @ts-ignore: decorator
@inline function rowPtr(transA: i32, A: usize, lda: i32, i: i32, r: i32, mr: i32, k0: i32): usize {
  const ii = <usize>(i + min(r, mr - 1));
  return transA
    ? A + ((<usize>k0 * <usize>lda + ii) << 2)
    : A + ((ii * <usize>lda + <usize>k0) << 2);
}

function gemmPacked(transA: i32, transB: i32, M: i32, N: i32, K: i32, alpha: f32, A: usize, lda: i32,
  B: usize, ldb: i32, beta: f32, C: usize, ldc: i32, ws: usize): void {
  const Ap = ws;
  const Bp = ws + WS_A_BYTES;
  const tile = Bp + WS_B_BYTES;
  const ldcBytes = <usize>ldc << 2;
  // K in equal blocks of at most KC (784 = 4 × 196, not 3 × 256 + 16: a thin
  // last block would pay a full pass over C for little work).
  const kBlocks = (K + KC - 1) / KC;
  const kcStep = (K + kBlocks - 1) / kBlocks;
  for (let jc = 0; jc < N; jc += NC) {
    const nc = min(NC, N - jc);
    for (let pc = 0; pc < K; pc += kcStep) {
      const kc = min(kcStep, K - pc);
      const bk = pc == 0 ? beta : <f32>1.0;
      packB(transB, B, ldb, pc, jc, kc, nc, Bp);
      for (let ic = 0; ic < M; ic += MC) {
        const mc = min(MC, M - ic);
        packA(transA, A, lda, ic, pc, mc, kc, alpha, Ap);
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = min(NR, nc - jr);
          const bp = Bp + <usize>jr * <usize>kc * 4;
          const cc = C + (<usize>(jc + jr) << 2);
          for (let ir = 0; ir < mc; ir += PMR) {
            const mr = min(PMR, mc - ir);
            kernel5x8(kc, Ap + <usize>ir * <usize>kc * 4, bp, cc + <usize>(ic + ir) * ldcBytes,
              ldcBytes, bk, mr, nr, tile);
          }
        }
      }
    }
  }
}

function gemmNarrow(transA: i32, transB: i32, M: i32, N: i32, K: i32, alpha: f32, A: usize, lda: i32,
  B: usize, ldb: i32, beta: f32, C: usize, ldc: i32, ws: usize): void {
  const Bp = ws + WS_A_BYTES;
  const tile = Bp + WS_B_BYTES;
  const ldcBytes = <usize>ldc << 2;
  const ks: usize = transA ? <usize>lda << 2 : 4;
  // A is not copied here, so alpha is folded into the packed B instead.
  for (let pc = 0; pc < K; pc += NARROW_KC) {
    const kc = min(NARROW_KC, K - pc);
    const bk = pc == 0 ? beta : <f32>1.0;
    packB(transB, B, ldb, pc, 0, kc, N, Bp);
    if (alpha != 1) scalePacked(Bp, <usize>((N + NR - 1) / NR) * NR * <usize>kc, alpha);
    for (let jr = 0; jr < N; jr += NR) {
      const nr = min(NR, N - jr);
      const bp = Bp + <usize>jr * <usize>kc * 4;
      const cc = C + (<usize>jr << 2);
      for (let i = 0; i < M; i += MR) {
        const mr = min(MR, M - i);
        const a0 = rowPtr(transA, A, lda, i, 0, mr, pc), a1 = rowPtr(transA, A, lda, i, 1, mr, pc);
        const a2 = rowPtr(transA, A, lda, i, 2, mr, pc), a3 = rowPtr(transA, A, lda, i, 3, mr, pc);
        if (nr <= 4) kernel4x4DirectA(kc, a0, a1, a2, a3, ks, bp, cc + <usize>i * ldcBytes, ldcBytes, bk, mr, nr, tile);
        else kernel4x8DirectA(kc, a0, a1, a2, a3, ks, bp, cc + <usize>i * ldcBytes, ldcBytes, bk, mr, nr, tile);
      }
    }
  }
}

function scalePacked(p: usize, n: usize, s: f32): void {
  const vs = f32x4.splat(s);
  const end = p + (n << 2);
  for (; p < end; p += 16) v128.store(p, f32x4.mul(v128.load(p), vs));
}

function gemmSmallM(transA: i32, M: i32, N: i32, K: i32, alpha: f32, A: usize, lda: i32,
  B: usize, ldb: i32, beta: f32, C: usize, ldc: i32, ws: usize): void {
  const tile = ws + WS_A_BYTES + WS_B_BYTES;
  const ldcBytes = <usize>ldc << 2;
  const ldbBytes = <usize>ldb << 2;
  const ks: usize = transA ? <usize>lda << 2 : 4;
  // Nothing is packed, so alpha cannot be folded into a copy: the kernels
  // scale the finished sums instead (exact for the common alpha = 1).
  const m4 = M & ~3;
  // Whole blocks of four rows: column blocks outside, so a K×8 strip of B
  // stays in L1 while the row blocks run over it.
  if (m4 > 0) {
    for (let j = 0; j < N; j += NR) {
      const nr = min(NR, N - j);
      for (let i = 0; i < m4; i += MR) {
        kernel4x8DirectAB(K,
          rowPtr(transA, A, lda, i, 0, MR, 0), rowPtr(transA, A, lda, i, 1, MR, 0),
          rowPtr(transA, A, lda, i, 2, MR, 0), rowPtr(transA, A, lda, i, 3, MR, 0),
          ks, B + (<usize>j << 2), ldbBytes, nr, C + <usize>i * ldcBytes + (<usize>j << 2), ldcBytes,
          alpha, beta, MR, tile);
      }
    }
  }
  // The last one to three rows, each on its own: 24 columns per pass (six
  // independent accumulators). Single-row passes over B beat one 4-row pass
  // with rows wasted: 1.6x at 2x784x128, 1.15x at 3x784x128.
  for (let i = m4; i < M; i++) {
    const a = rowPtr(transA, A, lda, i, 0, 1, 0);
    const c = C + <usize>i * ldcBytes;
    let j = 0;
    for (; j + 24 <= N; j += 24) {
      kernel1x24DirectAB(K, a, ks, B + (<usize>j << 2), ldbBytes, c + (<usize>j << 2), alpha, beta);
    }
    for (; j < N; j += NR) {
      kernel1x8DirectAB(K, a, ks, B + (<usize>j << 2), ldbBytes, min(NR, N - j), c + (<usize>j << 2), alpha, beta, tile);
    }
  }
}
