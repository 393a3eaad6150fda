// GEMM: C = op(A)·op(B) for square n×n matrices, in the three forms training uses:
// NN (X·W, forward), TN (Xᵀ·dY, weight gradient), NT (dY·Wᵀ, input gradient).
export function cases({ quick }) {
  // --quick leaves out n = 1024: one 1024³ product takes 2–4 s in the slow contenders.
  const sizes = quick ? [128, 256, 512] : [128, 256, 512, 1024];
  const out = [];
  for (const n of sizes) {
    for (const [form, transA, transB] of [['nn', false, false], ['tn', true, false], ['nt', false, true]]) {
      out.push({
        suite: 'gemm', case: `gemm-${form}-${n}`, unit: 'GFLOP/s', higherIsBetter: true,
        spec: { kind: 'gemm', n, transA, transB },
        work: { flops: 2 * n * n * n },
        timeMs: quick ? 60 : 150,
        // A 1024³ product takes 2–4 s in the slow contenders: cap each one's time per case.
        capMs: quick ? 2500 : 12000,
        // sn.matMul (copies in and out of the kernel memory) as a note at NN.
        extra: form === 'nn' ? ['simdnet-wasm:matMul'] : [],
      });
    }
  }
  return out;
}
