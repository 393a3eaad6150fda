/**
 * The wasm backend: the AssemblyScript SIMD kernels (assembly/**) bound to the
 * Backend interface.
 *
 * The binding is deliberately thin, because it is on the hot path (an 8×10
 * matmul is ~0.3 µs): kernels that take only numbers are the exported wasm
 * functions themselves; only those with boolean arguments (gemm, sgdMomentum)
 * and the sparse losses (which turn a NaN sentinel into an error) get a small
 * wrapper, created once here, never per call.
 */
import type { Backend } from './types.js';
import { DataError } from '../errors.js';
import { Heap, createMemory } from '../runtime/heap.js';
import { variantIsShared, type WasmVariant } from '../runtime/loader.js';

/** The largest memory the JS side creates: 2 GiB (the module itself declares up to 4 GiB). */
export const MAX_PAGES = 32768;
/** 4 MiB: the reserved 64 KiB, the GEMM workspace and room for a first model. */
const DEFAULT_INITIAL_PAGES = 64;

/** The wasm backend, with the variant it runs and a ready GEMM workspace. */
export interface WasmBackend extends Backend {
  readonly name: 'wasm';
  readonly variant: WasmVariant;
  /**
   * A workspace of gemmWorkspaceBytes allocated from the heap at creation, for
   * single-threaded callers. `gemm(..., ws = 0)` uses it too.
   */
  readonly workspace: number;
  readonly instance: WebAssembly.Instance;
}

type F = (...args: number[]) => number;
interface Exports {
  gemmWorkspaceBytes(): number;
  [name: string]: F | WebAssembly.Memory | (() => number);
}

/**
 * Instantiate `module` (from loader.ts) on a new memory (shared for the shared
 * variants) and bind every kernel. `initialPages` sizes the first memory (at
 * least 4 MiB); the heap grows it as needed up to 2 GiB.
 */
export function createWasmBackend(module: WebAssembly.Module, variant: WasmVariant, initialPages = 0): WasmBackend {
  const shared = variantIsShared(variant);
  // Start with room for the reserved low area, the GEMM workspace (~1.1 MiB)
  // and a first small model, so small programs never grow the memory.
  const memory = createMemory(Math.max(DEFAULT_INITIAL_PAGES, initialPages), MAX_PAGES, shared);
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  const ex = instance.exports as unknown as Record<string, F>;
  const heap = new Heap(memory, MAX_PAGES);
  const wsBytes = (instance.exports as unknown as Exports).gemmWorkspaceBytes();
  const workspace = heap.alloc(wsBytes);

  const gemmRaw = ex['gemm']!;
  const sgdMomentumRaw = ex['sgdMomentum']!;
  const sparseCceRaw = ex['sparseCce']!;
  const sparseSoftmaxCceRaw = ex['sparseSoftmaxCce']!;

  /** A sparse loss returned NaN: find the bad label (not the ignored class) and throw as the js backend does. */
  function checkLabels(L: number, M: number, N: number, ignore: number): void {
    heap.refresh();
    for (let i = 0; i < M; i++) {
      const v = heap.f32[(L >> 2) + i]!;
      if (v !== ignore && !(Number.isInteger(v) && v >= 0 && v < N)) {
        throw new DataError(`Invalid class label at row ${i}: expected an integer in [0, ${N - 1}]. Received: ${v}`);
      }
    }
  }

  const b = {
    name: 'wasm' as const,
    variant,
    heap,
    instance,
    workspace,
    gemmWorkspaceBytes: wsBytes,
    gemm(transA: boolean, transB: boolean, M: number, N: number, K: number, alpha: number, A: number, lda: number,
      B: number, ldb: number, beta: number, C: number, ldc: number, ws: number): void {
      gemmRaw(transA ? 1 : 0, transB ? 1 : 0, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc, ws || workspace);
    },
    biasAct: ex['biasAct']!,
    actBackward: ex['actBackward']!,
    softmaxRows: ex['softmaxRows']!,
    logSoftmaxRows: ex['logSoftmaxRows']!,
    softmaxBackward: ex['softmaxBackward']!,
    colSum: ex['colSum']!,
    sumSquares: ex['sumSquares']!,
    scale: ex['scale']!,
    clipValue: ex['clipValue']!,
    mul: ex['mul']!,
    axpy: ex['axpy']!,
    l1l2: ex['l1l2']!,
    mse: ex['mse']!,
    mae: ex['mae']!,
    huber: ex['huber']!,
    logCosh: ex['logCosh']!,
    hinge: ex['hinge']!,
    // An absent smoothing argument reaches the kernels as NaN, which they read as 0.
    bce: ex['bce']!,
    cce: ex['cce']!,
    sparseCce(L: number, P: number, G: number, W: number, M: number, N: number, gradScale: number, ignore = NaN): number {
      const r = sparseCceRaw(L, P, G, W, M, N, gradScale, ignore);
      if (r !== r) checkLabels(L, M, N, ignore);
      return r;
    },
    sigmoidBce: ex['sigmoidBce']!,
    softmaxCce: ex['softmaxCce']!,
    sparseSoftmaxCce(L: number, Z: number, P: number, G: number, W: number, M: number, N: number, gradScale: number,
      ignore = NaN): number {
      const r = sparseSoftmaxCceRaw(L, Z, P, G, W, M, N, gradScale, ignore);
      if (r !== r) checkLabels(L, M, N, ignore);
      return r;
    },
    bnForwardTrain: ex['bnForwardTrain']!,
    bnForwardInfer: ex['bnForwardInfer']!,
    bnBackward: ex['bnBackward']!,
    dropout: ex['dropout']!,
    sgd: ex['sgd']!,
    sgdMomentum(W: number, G: number, V: number, n: number, lr: number, momentum: number, nesterov: boolean): void {
      sgdMomentumRaw(W, G, V, n, lr, momentum, nesterov ? 1 : 0);
    },
    adagrad: ex['adagrad']!,
    rmsprop: ex['rmsprop']!,
    adam: ex['adam']!,
    adadelta: ex['adadelta']!,
    adamax: ex['adamax']!,
    nadam: ex['nadam']!,
    lion: ex['lion']!,
    ftrl: ex['ftrl']!,
  };
  for (const [k, v] of Object.entries(b)) {
    if (v === undefined) throw new Error(`simdnet: the wasm kernels lack the export \`${k}\` (stale build?)`);
  }
  return b as unknown as WasmBackend;
}
