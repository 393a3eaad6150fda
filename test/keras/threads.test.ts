/**
 * The Keras 3 additions on the threaded backend: Lion and FTRL split by
 * element ranges, the loss options (label smoothing, an ignored class, the
 * rescaled cross-entropy) in the fixed row-block partition — the same bits
 * for 1, 2 and 3 threads, as test/threads/bits.test.ts checks for the other
 * kernels (same helpers; thresholds lowered so every call splits).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ThreadedBackend } from '../../src/backend/threaded.js';
import { LOSS_BLOCK, tune } from '../../src/backend/threaded.js';
import { data, expectSameBits, expectSameF64, freshThreaded, useThreads } from '../threads/helpers.js';

let tb: ThreadedBackend;
beforeAll(async () => {
  tb = await freshThreaded();
  tune({ splitMinNs: 1, gemmMinMacs: 1 });
});
afterAll(async () => {
  tune();
  await tb.shutdown();
});

/** Run with 1, 2 and 3 threads from the same inputs (setup), compare outputs bitwise and the returned sums exactly. */
async function sameAcrossThreads(
  what: string,
  setup: () => void,
  fn: () => number | void,
  outs: Array<[number, number]>,
  split = true,
): Promise<void> {
  const res: { arrays: Float32Array[]; value: number | void; dispatches: number }[] = [];
  for (const n of [1, 2, 3]) {
    await useThreads(tb, n);
    if (tb.pool) tb.pool.takeOver = false;
    setup();
    const d0 = tb.pool?.dispatches ?? 0;
    const value = fn();
    res.push({
      arrays: outs.map(([p, len]) => tb.heap.read(p, len)),
      value,
      dispatches: (tb.pool?.dispatches ?? 0) - d0,
    });
  }
  if (split) expect(res[1]!.dispatches, `${what}: 2 threads split the call`).toBeGreaterThan(0);
  for (const k of [1, 2]) {
    res[0]!.arrays.forEach((a, i) => expectSameBits(a, res[k]!.arrays[i]!, `${what}, output ${i}, ${k + 1} threads`));
    if (typeof res[0]!.value === 'number')
      expectSameF64(res[0]!.value, res[k]!.value as number, `${what}, ${k + 1} threads`);
  }
}

describe('Keras 3 additions: the same bits for 1, 2 and 3 threads', () => {
  it('lion and ftrl (both lr_power paths), split by element ranges', async () => {
    const h = tb.heap,
      n = 100_003;
    const W = h.allocF32(n),
      G = h.allocF32(n),
      A = h.allocF32(n),
      Z = h.allocF32(n);
    const w0 = data(n, 1),
      g0 = data(n, 2),
      a0 = data(n, 3, 0.1, 1),
      z0 = data(n, 4);
    const setup = () => {
      h.write(W, w0);
      h.write(G, g0);
      h.write(A, a0);
      h.write(Z, z0);
    };
    await sameAcrossThreads('lion', setup, () => tb.lion(W, G, A, n, 1e-3, 0.9, 0.99), [
      [W, n],
      [A, n],
    ]);
    await sameAcrossThreads('ftrl −0.5', setup, () => tb.ftrl(W, G, A, Z, n, 0.05, -0.5, 0.01, 0.02, 0.005), [
      [W, n],
      [A, n],
      [Z, n],
    ]);
    await sameAcrossThreads('ftrl −0.2', setup, () => tb.ftrl(W, G, A, Z, n, 0.05, -0.2, 0.01, 0.02, 0.005), [
      [W, n],
      [A, n],
      [Z, n],
    ]);
    for (const p of [W, G, A, Z]) h.release(p);
  });

  it('label smoothing, ignore_class and the rescaled cross-entropies over many row blocks', async () => {
    const h = tb.heap;
    const M = 2049,
      N = 100;
    expect(M * N).toBeGreaterThan(4 * LOSS_BLOCK);
    const T = h.allocF32(M * N),
      P = h.allocF32(M * N),
      G = h.allocF32(M * N),
      W = h.allocF32(M),
      L = h.allocF32(M);
    const Z = h.allocF32(M * N),
      P2 = h.allocF32(M * N);
    h.write(T, data(M * N, 50, 0, 1));
    h.write(P, data(M * N, 51, 0.001, 0.05));
    h.write(W, data(M, 52, 0, 2));
    h.write(Z, data(M * N, 53, -5, 5));
    h.write(
      L,
      Float32Array.from({ length: M }, (_, i) => (i % 5 === 0 ? -1 : (i * 7) % N)),
    );
    const none = (): void => {};
    const g: Array<[number, number]> = [[G, M * N]],
      gp: Array<[number, number]> = [
        [G, M * N],
        [P2, M * N],
      ];
    await sameAcrossThreads('cce smoothing 0.1 (rows rescaled)', none, () => tb.cce(T, P, G, W, M, N, 1 / M, 0.1), g);
    await sameAcrossThreads('bce smoothing 0.1', none, () => tb.bce(T, P, G, W, M, N, 1 / M, 0.1), g);
    await sameAcrossThreads(
      'sparseCce ignore −1 (rows rescaled)',
      none,
      () => tb.sparseCce(L, P, G, W, M, N, 1 / M, -1),
      g,
    );
    await sameAcrossThreads(
      'sigmoidBce smoothing 0.2',
      none,
      () => tb.sigmoidBce(T, Z, P2, G, W, M, N, 1 / M, 0.2),
      gp,
    );
    await sameAcrossThreads(
      'softmaxCce smoothing 0.2',
      none,
      () => tb.softmaxCce(T, Z, P2, G, 0, M, N, 1 / M, 0.2),
      gp,
    );
    await sameAcrossThreads(
      'sparseSoftmaxCce ignore −1',
      none,
      () => tb.sparseSoftmaxCce(L, Z, P2, G, W, M, N, 1 / M, -1),
      gp,
    );
    // A label of −1 without ignore_class is still an error naming its row, split or not.
    expect(() => tb.sparseSoftmaxCce(L, Z, P2, G, W, M, N, 1 / M)).toThrow(/Invalid class label at row 0/);
    for (const p of [T, P, G, W, L, Z, P2]) h.release(p);
  });
});
