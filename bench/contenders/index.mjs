// The contenders, in the order they run within every round (A B C … A B C …).
// `process`: contenders with the same key share one child process (a note row may ride
// along with its main row). `opts` go to the contender's setup().
import os from 'node:os';

/** The thread count of the multi-threaded row: every core the OS reports. */
const cores = os.cpus().length;
// The simdnet rows are pinned to a thread count through SIMDNET_THREADS (read when the
// library initializes) and checked against backendInfo().threads.
const one = { SIMDNET_THREADS: '1' };

export const CONTENDERS = [
  {
    name: 'simdnet-wasm',
    process: 'simdnet-wasm',
    module: 'simdnet.mjs',
    init: { backend: 'wasm', threads: 1 },
    env: one,
    simdnet: true,
    about:
      'simdnet, wasm backend, one thread, the binary it picks in a plain `node` (relaxed SIMD, i.e. FMA, on Node 20 and 22+)',
  },
  {
    name: 'simdnet-wasm:matMul',
    process: 'simdnet-wasm',
    module: 'simdnet.mjs',
    opts: { matMul: true },
    init: { backend: 'wasm', threads: 1 },
    env: one,
    simdnet: true,
    note: true,
    extraOnly: true,
    about: 'the public sn.matMul op (copies both operands into the kernel memory and the result out, every call)',
  },
  {
    name: 'simdnet-wasm-simd',
    process: 'simdnet-wasm-simd',
    module: 'simdnet.mjs',
    init: { backend: 'wasm', threads: 1, expectVariant: 'simd' },
    env: { ...one, SIMDNET_WASM_VARIANT: 'simd' },
    simdnet: true,
    about:
      'simdnet, wasm backend, one thread, the plain-SIMD binary (separate mul and add; SIMDNET_WASM_VARIANT=simd), what Node 20 ran before simdnet turned relaxed SIMD on there',
  },
  ...(cores > 1
    ? [
        {
          name: `simdnet-wasm-${cores}t`,
          process: `simdnet-wasm-${cores}t`,
          module: 'simdnet.mjs',
          init: { backend: 'wasm', threads: cores },
          env: { SIMDNET_THREADS: String(cores) },
          simdnet: true,
          about: `simdnet, wasm backend (same binary as simdnet-wasm), ${cores} threads: the caller and ${cores - 1} worker(s) on the shared memory`,
        },
      ]
    : []),
  {
    name: 'simdnet-js',
    process: 'simdnet-js',
    module: 'simdnet.mjs',
    init: { backend: 'js' },
    env: one,
    simdnet: true,
    about: "simdnet's pure-TypeScript backend (sn.setBackend('js')): the pure-JS baseline",
  },
  {
    name: 'tfjs-cpu',
    process: 'tfjs-cpu',
    module: 'tfjs.mjs',
    init: { backend: 'cpu' },
    about: '@tensorflow/tfjs-core + -layers + -backend-cpu 4.22.0',
  },
  {
    name: 'tfjs-wasm',
    process: 'tfjs-wasm',
    module: 'tfjs.mjs',
    init: { backend: 'wasm' },
    about: '@tensorflow/tfjs-core + -layers + -backend-wasm 4.22.0 (setWasmPaths to its dist/, SIMD binary, 1 thread)',
  },
  {
    name: 'brainjs',
    process: 'brainjs',
    module: 'brainjs.mjs',
    init: {},
    about: 'brain.js 1.6.1 NeuralNetwork (founding model only; per-sample SGD with momentum, sigmoid)',
  },
];

/** The peers simdnet is compared with, and the simdnet rows compared. */
export const PEERS = ['simdnet-js', 'tfjs-cpu', 'tfjs-wasm', 'brainjs'];
/** The single-thread rows first: every target is for one thread. */
export const SUBJECTS = ['simdnet-wasm', 'simdnet-wasm-simd', ...(cores > 1 ? [`simdnet-wasm-${cores}t`] : [])];
