// Training throughput with model.fit (Adam, defaults), on the same data for everyone.
//   train-seed      the founding example: 8 → 10 relu → 8 relu → 1 sigmoid, mse, 1,000 × 8
//                   random samples, 10 epochs, batch 32; time for the whole fit (ms).
//   train-mnist-mlp 784 → 128 relu → 10 softmax, categorical cross-entropy, batch 128,
//                   one epoch over the first MNIST images; samples/s.
//   train-wide-mlp  784 → 512 relu → 512 relu → 10 softmax, batch 256; samples/s.
//   train-cnn-mnist the TF.js tutorial CNN: conv2d 8@5×5 relu → max pool 2 → conv2d 16@5×5 relu
//                   → max pool 2 → flatten → dense 10 softmax, batch 64, one epoch over the
//                   first MNIST images; samples/s. TF.js's wasm backend cannot train a
//                   convolution (no Conv2DBackpropFilter kernel): its setup fails, with TF.js's
//                   message, and the run records that as a note.
//   train-lstm-text Embedding(1000, 32) → LSTM(64) → Dense(1, sigmoid), sequences of 50 token ids,
//                   binary cross-entropy, batch 32; samples/s. TF.js's wasm backend cannot train an
//                   Embedding (its gradient needs UnsortedSegmentSum): its failure is the note.
//   train-seed-diagnostics, train-mnist-mlp-diagnostics  the same two cases with sn.callbacks.diagnostics()
//                   in the fit (issue 19: within 10% of without). simdnet-wasm only.
//   train-dataset-memory the train-mnist-mlp case through model.fitDataset: each sample an element of
//                   sn.data.zip({ xs: array, ys: array }).batch(128); samples/s, held against
//                   train-mnist-mlp (issue 17: ≥ 0.8× fit on the same arrays). simdnet only.
//   train-csv-stream 20,000 rows × 16 numeric features and a 0/1 label in a CSV file, streamed by
//                   sn.data.csv → map → batch(64) → prefetch(2) into 16 → 32 relu → 1 sigmoid, one epoch;
//                   rows/s (reading, parsing and training). simdnet only.
//   train-lstm-series LSTM(20) → Dense(1) on windows of 12 steps of one series, mse, batch 32, one
//                   epoch; samples/s. brain.js: recurrent.LSTMTimeStep({ inputSize: 1,
//                   hiddenLayers: [20], outputSize: 1 }) on the same windows, one iteration.
export function cases({ quick }) {
  const mnistN = quick ? 1024 : 2048;
  const wideN = quick ? 512 : 1024;
  return [
    {
      suite: 'train',
      case: 'train-seed',
      unit: 'ms',
      higherIsBetter: false,
      spec: { kind: 'train', model: 'seed', samples: 1000, epochs: 10, batchSize: 32 },
      work: { samples: 10000 },
      timeMs: quick ? 250 : 600,
      capMs: quick ? 2500 : 10000,
    },
    {
      suite: 'train',
      case: 'train-mnist-mlp',
      unit: 'samples/s',
      higherIsBetter: true,
      spec: { kind: 'train', model: 'mnist-mlp', samples: mnistN, epochs: 1, batchSize: 128 },
      work: { samples: mnistN },
      timeMs: quick ? 250 : 600,
      capMs: quick ? 2500 : 12000,
    },
    {
      suite: 'train',
      case: 'train-wide-mlp',
      unit: 'samples/s',
      higherIsBetter: true,
      spec: { kind: 'train', model: 'wide-mlp', samples: wideN, epochs: 1, batchSize: 256 },
      work: { samples: wideN },
      timeMs: quick ? 250 : 600,
      capMs: quick ? 2500 : 15000,
    },
    {
      suite: 'train',
      case: 'train-cnn-mnist',
      unit: 'samples/s',
      higherIsBetter: true,
      spec: { kind: 'train', model: 'cnn-mnist', samples: quick ? 128 : 256, epochs: 1, batchSize: 64 },
      work: { samples: quick ? 128 : 256 },
      timeMs: quick ? 250 : 600,
      capMs: quick ? 2500 : 12000,
      extra: ['simdnet-wasm-simd', 'simdnet-wasm-2t'],
    },
    {
      suite: 'train',
      case: 'train-seed-diagnostics',
      unit: 'ms',
      higherIsBetter: false,
      spec: { kind: 'train', model: 'seed', samples: 1000, epochs: 10, batchSize: 32, diagnostics: true },
      work: { samples: 10000 },
      timeMs: quick ? 250 : 600,
      capMs: quick ? 2500 : 10000,
      skip: ['simdnet-js', 'tfjs-cpu', 'tfjs-wasm', 'brainjs'],
    },
    {
      suite: 'train',
      case: 'train-mnist-mlp-diagnostics',
      unit: 'samples/s',
      higherIsBetter: true,
      spec: { kind: 'train', model: 'mnist-mlp', samples: mnistN, epochs: 1, batchSize: 128, diagnostics: true },
      work: { samples: mnistN },
      timeMs: quick ? 250 : 600,
      capMs: quick ? 2500 : 10000,
      skip: ['simdnet-js', 'tfjs-cpu', 'tfjs-wasm', 'brainjs'],
    },
    {
      suite: 'train',
      case: 'train-dataset-memory',
      unit: 'samples/s',
      higherIsBetter: true,
      spec: { kind: 'train-dataset', source: 'memory', samples: mnistN, batchSize: 128 },
      work: { samples: mnistN },
      timeMs: quick ? 250 : 600,
      capMs: quick ? 2500 : 10000,
      skip: ['tfjs-cpu', 'tfjs-wasm', 'brainjs'],
    },
    {
      suite: 'train',
      case: 'train-csv-stream',
      unit: 'rows/s',
      higherIsBetter: true,
      spec: { kind: 'train-dataset', source: 'csv', samples: 20000, features: 16, batchSize: 64 },
      work: { samples: 20000 },
      timeMs: quick ? 250 : 600,
      capMs: quick ? 2500 : 10000,
      skip: ['tfjs-cpu', 'tfjs-wasm', 'brainjs'],
    },
    {
      suite: 'train',
      case: 'train-lstm-text',
      unit: 'samples/s',
      higherIsBetter: true,
      // TF.js's cpu backend trains this at ~5 samples/s: one batch per call in the quick run keeps it short.
      spec: { kind: 'train', model: 'lstm-text', samples: quick ? 32 : 128, epochs: 1, batchSize: 32 },
      work: { samples: quick ? 32 : 128 },
      timeMs: quick ? 250 : 600,
      capMs: quick ? 2500 : 12000,
      extra: ['simdnet-wasm-simd', 'simdnet-wasm-2t'],
    },
    {
      suite: 'train',
      case: 'train-lstm-series',
      unit: 'samples/s',
      higherIsBetter: true,
      spec: { kind: 'train', model: 'lstm-series', samples: quick ? 256 : 512, epochs: 1, batchSize: 32 },
      work: { samples: quick ? 256 : 512 },
      timeMs: quick ? 250 : 600,
      capMs: quick ? 2500 : 12000,
    },
  ];
}
