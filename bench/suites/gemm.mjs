// GEMM: C = op(A)·op(B), in the three forms training uses: NN (X·W, forward),
// TN (Xᵀ·dY, weight gradient), NT (dY·Wᵀ, input gradient), on square n×n matrices;
// plus the plain form at more square sizes and at the shapes an MLP's layers make
// ([M×K]·[K×N]: a batch of 128 or 1,000 MNIST images times 784×128 weights, a batch
// of 256 through a 512-wide layer).
export function cases({ quick }) {
  // --quick leaves out n = 1024: one 1024³ product takes 2–4 s in the slow contenders.
  const sizes = quick ? [128, 256, 512] : [128, 256, 512, 1024];
  const out = [];
  const gemmCase = (name, m, k, n, transA, transB, extra) => ({
    suite: 'gemm',
    case: name,
    unit: 'GFLOP/s',
    higherIsBetter: true,
    spec: { kind: 'gemm', m, k, n, transA, transB },
    work: { flops: 2 * m * n * k },
    timeMs: quick ? 60 : 150,
    // A 1024³ product takes 2–4 s in the slow contenders: cap each one's time per case.
    capMs: quick ? 2500 : 12000,
    extra,
  });
  for (const n of sizes) {
    for (const [form, transA, transB] of [
      ['nn', false, false],
      ['tn', true, false],
      ['nt', false, true],
    ]) {
      // sn.matMul (copies in and out of the kernel memory) as a note at NN.
      out.push(gemmCase(`gemm-${form}-${n}`, n, n, n, transA, transB, form === 'nn' ? ['simdnet-wasm:matMul'] : []));
    }
  }
  if (!quick) {
    // The plain form at the sizes between (issue 13: ≥ 1.3× XNNPACK for every n from 64 to 1024).
    for (const n of [64, 384, 1000]) out.push(gemmCase(`gemm-nn-${n}`, n, n, n, false, false, []));
    for (const [m, k, n] of [
      [128, 784, 128],
      [256, 512, 512],
      [1000, 784, 128],
    ]) {
      out.push(gemmCase(`gemm-nn-${m}x${k}x${n}`, m, k, n, false, false, []));
    }
  }
  return out;
}

/** [M, K, N] of a GEMM case's spec (square cases may give n alone). */
export function gemmDims(spec) {
  const n = spec.n;
  return [spec.m ?? n, spec.k ?? n, n];
}
