// Inference with the 784 → 128 relu → 10 softmax model on MNIST images:
// one sample per call (µs) and 1,000 samples in one call with batchSize 1,000 (ms);
// and MobileNetV2 (α 1.0, 224×224×3, bench/mobilenet-v2.mjs: keras.applications'
// architecture built in TF.js with seeded weights, loaded into simdnet from TF.js's
// saved artifacts, so every contender runs the same weights) on 1 and 8 images (ms);
// and predict-lstm-step, the generation loop users write: LSTM(20) → Dense(1) fed one
// value at a time, state carried from call to call (a stateful layer), µs per step.
export function cases({ quick }) {
  return [
    {
      suite: 'predict',
      case: 'predict-lstm-step',
      unit: 'us',
      higherIsBetter: false,
      spec: { kind: 'predict-lstm-step' },
      work: {},
      timeMs: quick ? 100 : 300,
      capMs: 5000,
    },
    ...[1, 8].map((batch) => ({
      suite: 'predict',
      case: `predict-mobilenet-v2-b${batch}`,
      unit: 'ms',
      higherIsBetter: false,
      spec: { kind: 'predict-mobilenet-v2', batch },
      work: {},
      // One round of TF.js's cpu backend at batch 8 takes about 9 s: the caps keep its rounds few (quick: one).
      timeMs: quick ? 1000 : 3000,
      capMs: quick ? 8000 : 45000,
      extra: ['simdnet-wasm-simd', 'simdnet-wasm-2t'],
      // The pure-JS kernels take seconds per image here; the contenders are the wasm rows and TF.js.
      skip: ['simdnet-js'],
    })),
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
