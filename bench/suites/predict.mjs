// Inference with the 784 → 128 relu → 10 softmax model on MNIST images:
// one sample per call (µs) and 1,000 samples in one call with batchSize 1,000 (ms).
export function cases({ quick }) {
  return [
    {
      suite: 'predict',
      case: 'predict-b1',
      unit: 'us',
      higherIsBetter: false,
      spec: { kind: 'predict', batch: 1 },
      work: {},
      timeMs: quick ? 100 : 300,
      capMs: 5000,
    },
    {
      suite: 'predict',
      case: 'predict-b1000',
      unit: 'ms',
      higherIsBetter: false,
      spec: { kind: 'predict', batch: 1000 },
      work: {},
      timeMs: quick ? 150 : 400,
      capMs: quick ? 3000 : 8000,
    },
  ];
}
