/**
 * The interface shared by the `wasm` and `js` backends: the kernel memory and
 * the kernels, whose signatures, contracts and conventions (byte-offset
 * pointers, row-major float32, no allocation, aliasing) are in kernels.ts.
 */
import type { Heap } from '../runtime/heap.js';
import type { Kernels } from './kernels.js';

/** Activation codes shared by both backends (and the AssemblyScript kernels). */
export enum Act {
  Linear = 0,
  Relu = 1,
  /** param = negative slope alpha (Keras default 0.3 for the layer, 0.2 for the function). */
  LeakyRelu = 2,
  /** param = alpha (default 1). */
  Elu = 3,
  Selu = 4,
  Sigmoid = 5,
  Tanh = 6,
  Exponential = 7,
  Softplus = 8,
  Softsign = 9,
  /** tanh approximation is NOT used: exact erf form, 0.5·x·(1+erf(x/√2)). */
  Gelu = 10,
  /** x·sigmoid(x) (also called silu). */
  Swish = 11,
  /** Keras 3 form: relu6(x + 3)/6 = clip(x/6 + 0.5, 0, 1). */
  HardSigmoid = 12,
  /**
   * TF.js / Keras 2 form: clip(0.2·x + 0.5, 0, 1) (activation 'hard_sigmoid_legacy'; what TF.js and Keras 2 files mean
   * by 'hard_sigmoid').
   */
  HardSigmoidLegacy = 13,
  /** min(max(x, 0), param): ReLU capped at param (relu6 is param 6; Keras's ReLU(max_value)). */
  ReluMax = 14,
}

/** Activations whose backward pass needs the pre-activation Z (not just the output Y). */
export function actNeedsZ(act: Act): boolean {
  return act === Act.Gelu || act === Act.Swish;
}

/**
 * A backend: the kernel memory and every kernel of src/backend/kernels.ts
 * (signatures and contracts there), in pointer form.
 */
export interface Backend extends Kernels {
  readonly name: 'wasm' | 'js';
  /** The memory all pointers refer to, with its allocator. */
  readonly heap: Heap;
  /** Bytes of workspace a `gemm` call needs at `ws`. */
  readonly gemmWorkspaceBytes: number;
}
