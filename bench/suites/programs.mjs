// Whole TF.js programs (issue 18), run last: loading simdnet/tfjs makes the simdnet process's result tensors
// TF.js tensors, which no earlier case should pay for.
//
//   train-tfjs-program-<name> a program of test/tfjs/programs (digits: a dense classifier with a confusion
//                   matrix; functional: two inputs, two outputs; series: an LSTM forecaster), the same text
//                   under TF.js (@tensorflow/tfjs, its CPU backend) and simdnet/tfjs; ms per whole run.
export function cases({ quick }) {
  return (quick ? ['digits'] : ['digits', 'functional', 'series']).map((name) => ({
    suite: 'programs',
    case: `train-tfjs-program-${name}`,
    unit: 'ms',
    higherIsBetter: false,
    spec: { kind: 'tfjs-program', program: name },
    work: { samples: 1 },
    timeMs: quick ? 250 : 600,
    capMs: quick ? 30000 : 60000,
    skip: ['simdnet-js', 'tfjs-wasm', 'brainjs'],
  }));
}
