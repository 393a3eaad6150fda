/**
 * Shared by the Keras golden-value suites: run a suite on the js backend and
 * on every wasm build this platform runs (test/kernels/helpers.ts decides
 * which), and drive an Optimizer over weights placed in a backend's memory.
 */
import { describe } from 'vitest';
import type { Backend } from '../../src/backend/types.js';
import type { Optimizer } from '../../src/optimizers.js';
import { describeWasm, js, withArena } from '../kernels/helpers.js';

/** `body` once per backend: js, then each wasm target. */
export function describeBackends(title: string, body: (load: () => Promise<Backend>) => void): void {
  describe(`${title} [js]`, () => {
    body(async () => js);
  });
  describeWasm(title, body);
}

export interface Var {
  value: number[];
  name?: string;
}

/**
 * Apply `opt` to the variables `vars` with the gradients of each step in
 * `steps` (one array per variable per step), as Keras's
 * optimizer.apply_gradients(zip(grads, vars)) does; returns the values after
 * every step and the (clipped) gradients of the last step.
 */
export function runOptimizer(
  be: Backend,
  opt: Optimizer,
  vars: Var[],
  steps: number[][][],
): { values: number[][][]; grads: number[][] } {
  return withArena(be, (a) => {
    const slotCount = opt.slotNames().length;
    const params = vars.map((v) => {
      const n = v.value.length;
      const slots = Array.from({ length: slotCount }, (_, k) => a.put(new Float32Array(n).fill(opt.slotInit(k))));
      return {
        ptr: a.put(v.value),
        grad: a.empty(n),
        size: n,
        slots,
        ...(v.name !== undefined ? { name: v.name } : {}),
      };
    });
    const values: number[][][] = [];
    let grads: number[][] = [];
    for (const g of steps) {
      params.forEach((p, i) => be.heap.write(p.grad, g[i]!));
      opt.apply(be, params);
      values.push(params.map((p) => Array.from(a.read(p.ptr, p.size))));
      grads = params.map((p) => Array.from(a.read(p.grad, p.size)));
    }
    return { values, grads };
  });
}

/** Keras's assertAllClose: |a − e| ≤ atol + rtol·|e| elementwise. */
export function allClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  rtol: number,
  atol: number,
): string | null {
  if (actual.length !== expected.length) return `length ${actual.length} ≠ ${expected.length}`;
  for (let i = 0; i < actual.length; i++) {
    const x = actual[i]!,
      e = expected[i]!;
    if (x === e) continue; // equal infinities match, as in numpy's assert_allclose
    if (!(Math.abs(x - e) <= atol + rtol * Math.abs(e)))
      return `at [${i}]: got ${x}, Keras ${e} (|diff| ${Math.abs(x - e).toExponential(2)})\n  got   [${Array.from(actual, (v) => v.toFixed(5)).join(', ')}]\n  Keras [${Array.from(expected).join(', ')}]`;
  }
  return null;
}
