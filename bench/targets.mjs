// The targets the benchmark checks, from the issues (medians, one run, single thread).
// ratio: simdnet-wasm's median against a peer's, in the "simdnet is faster" direction.
// value: an absolute bound on simdnet-wasm's median. of: against another case (run paired with it: the
// median of per-round ratios, bench/run.mjs).
export const TARGETS = [
  // issue 4
  { case: 'gemm-nn-512', peer: 'tfjs-wasm', ratio: 1.3, issue: 4 },
  { case: 'gemm-tn-512', peer: 'tfjs-wasm', ratio: 5, issue: 4 },
  { case: 'gemm-nt-512', peer: 'tfjs-wasm', ratio: 5, issue: 4 },
  { case: 'gemm-nn-512', peer: 'simdnet-js', ratio: 15, issue: '2, 4' },
  { case: 'gemm-tn-512', peer: 'simdnet-js', ratio: 15, issue: 4 },
  { case: 'gemm-nt-512', peer: 'simdnet-js', ratio: 15, issue: 4 },
  { case: 'train-seed', peer: 'tfjs-cpu', ratio: 40, issue: 4 },
  { case: 'train-seed', peer: 'tfjs-wasm', ratio: 40, issue: 4 },
  { case: 'train-seed', peer: 'brainjs', ratio: 1, strict: true, issue: 4 },
  { case: 'train-mnist-mlp', peer: 'tfjs-wasm', ratio: 6, issue: 4 },
  { case: 'train-mnist-mlp', peer: 'tfjs-cpu', ratio: 25, issue: 4 },
  { case: 'train-mnist-mlp', peer: 'simdnet-js', ratio: 10, issue: '3, 4' },
  { case: 'train-wide-mlp', peer: 'tfjs-wasm', ratio: 6, issue: 4 },
  { case: 'train-wide-mlp', peer: 'simdnet-js', ratio: 10, issue: 3 },
  { case: 'predict-b1', peer: 'tfjs-wasm', ratio: 5, issue: 4 },
  { case: 'predict-b1000', peer: 'tfjs-wasm', ratio: 1.5, issue: 4 },
  // issue 2: GEMM speed at 512³, and the transposed forms within 20% of the plain one
  { case: 'gemm-nn-512', min: 18, issue: 2 },
  { case: 'gemm-tn-512', of: 'gemm-nn-512', min: 0.8, issue: 2 },
  { case: 'gemm-nt-512', of: 'gemm-nn-512', min: 0.8, issue: 2 },
  // issue 3: absolute figures for the models
  { case: 'train-seed', max: 15, issue: 3 },
  { case: 'train-mnist-mlp', min: 20000, issue: 3 },
  { case: 'train-wide-mlp', min: 3000, issue: 3 },
  { case: 'predict-b1', max: 20, issue: 3 },
  // issue 15: the TF.js tutorial CNN
  { case: 'train-cnn-mnist', min: 2000, issue: 15 },
  { case: 'train-cnn-mnist', peer: 'tfjs-cpu', ratio: 100, issue: 15 },
  { case: 'train-cnn-mnist', peer: 'simdnet-js', ratio: 10, issue: 15 },
  // issue 15: MobileNetV2 inference, XNNPACK matched at least
  ...['predict-mobilenet-v2-b1', 'predict-mobilenet-v2-b8'].flatMap((c) => [
    { case: c, peer: 'tfjs-wasm', ratio: 1.0, issue: 15 },
    { case: c, peer: 'tfjs-cpu', ratio: 10, issue: 15 },
  ]),
  // issue 18: whole TF.js programs, run unchanged but for the import line, 10x faster than TF.js on CPU
  ...['digits', 'functional', 'series'].map((p) => ({
    case: `train-tfjs-program-${p}`,
    peer: 'tfjs-cpu',
    ratio: 10,
    issue: 18,
  })),
  // issue 19: diagnostics on cost under 10%
  { case: 'train-seed-diagnostics', of: 'train-seed', min: 0.9, issue: 19 },
  { case: 'train-mnist-mlp-diagnostics', of: 'train-mnist-mlp', min: 0.9, issue: 19 },
  // issue 17: fitDataset over data in memory as fast as fit, nearly
  { case: 'train-dataset-memory', of: 'train-mnist-mlp', min: 0.8, issue: 17 },
  // issue 16: recurrent training
  { case: 'train-lstm-text', min: 800, issue: 16 },
  { case: 'train-lstm-text', peer: 'tfjs-cpu', ratio: 100, issue: 16 },
  { case: 'train-lstm-series', min: 20000, issue: 16 },
  { case: 'train-lstm-series', peer: 'brainjs', ratio: 20, issue: 16 },
  { case: 'train-lstm-series', peer: 'tfjs-cpu', ratio: 30, issue: 16 },
  { case: 'train-lstm-series', peer: 'tfjs-wasm', ratio: 5, issue: 16 },
  // issue 16 names no goal for the step loop: simdnet ahead of both is what this checks.
  { case: 'predict-lstm-step', peer: 'tfjs-wasm', ratio: 1, issue: 16 },
  { case: 'predict-lstm-step', peer: 'brainjs', ratio: 1, issue: 16 },
  // issue 13: the plain form ahead of XNNPACK at every size and at the shapes training uses
  ...[
    'gemm-nn-64',
    'gemm-nn-128',
    'gemm-nn-256',
    'gemm-nn-384',
    'gemm-nn-1000',
    'gemm-nn-1024',
    'gemm-nn-128x784x128',
    'gemm-nn-256x512x512',
    'gemm-nn-1000x784x128',
  ].map((c) => ({ case: c, peer: 'tfjs-wasm', ratio: 1.3, issue: 13 })),
];

/** How many times faster `a` is than `b` (medians), given the unit's direction. */
export function speedup(a, b, higherIsBetter) {
  if (!(a > 0) || !(b > 0)) return NaN;
  return higherIsBetter ? a / b : b / a;
}

/**
 * Evaluate every target against the records of one run, for `subject`.
 * Returns [{ target, text, measured, met }] (met is null when not measured).
 */
export function evaluateTargets(records, subject = 'simdnet-wasm') {
  const get = (c, who) => records.find((r) => r.case === c && r.contender === who);
  return TARGETS.map((t) => {
    const s = get(t.case, subject);
    if (t.peer) {
      const p = get(t.case, t.peer);
      const text = `${t.case}: ≥ ${t.ratio}× ${t.peer}`.replace('≥ 1×', 'faster than');
      if (!s || !p) return { target: t, text, measured: null, met: null };
      const x = speedup(s.median, p.median, s.higherIsBetter);
      return { target: t, text, measured: `${fmtRatio(x)}`, value: x, met: t.strict ? x > t.ratio : x >= t.ratio };
    }
    if (t.of) {
      const o = get(t.of, subject);
      const text = `${t.case} within ${Math.round((1 - t.min) * 100)}% of ${t.of} (≥ ${t.min}×)`;
      if (!s || !o) return { target: t, text, measured: null, met: null };
      // The speed of one against the other (for a time, the other's over this one's): the median of the
      // per-round ratios where the two ran paired (bench/run.mjs), else the ratio of the medians.
      const paired = s.pairedWith === t.of && typeof s.pairedRatio === 'number';
      const x = paired ? s.pairedRatio : speedup(s.median, o.median, s.higherIsBetter);
      return {
        target: t,
        text,
        measured: `${fmtRatio(x)} (${paired ? 'paired rounds; medians ' : ''}${fmtNum(s.median)} vs ${fmtNum(o.median)} ${s.unit})`,
        value: x,
        met: x >= t.min,
      };
    }
    const unit = s?.unit ?? '';
    const text =
      t.min !== undefined ? `${t.case}: ≥ ${fmtNum(t.min)} ${unit}` : `${t.case}: ≤ ${fmtNum(t.max)} ${unit}`;
    if (!s) return { target: t, text, measured: null, met: null };
    const met = t.min !== undefined ? s.median >= t.min : s.median <= t.max;
    return { target: t, text, measured: `${fmtNum(s.median)} ${s.unit}`, value: s.median, met };
  });
}

export function fmtRatio(x) {
  if (!Number.isFinite(x)) return '—';
  return (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2)) + '×';
}

export function fmtNum(x) {
  if (!Number.isFinite(x)) return '—';
  const a = Math.abs(x);
  if (a >= 10000) return Math.round(x).toLocaleString('en-US');
  if (a >= 100) return x.toFixed(0);
  if (a >= 10) return x.toFixed(1);
  if (a >= 1) return x.toFixed(2);
  return x.toPrecision(2);
}
