/**
 * Same bits for 1, 2 and 3 threads (issue 5): GEMM shapes with tails in every
 * form, the elementwise and optimizer kernels split by ranges, and the
 * reductions (losses, sumSquares, l1l2) whose fixed block partition does not
 * depend on the thread count. The split thresholds are lowered so that every
 * call is split. Each case is computed with the threaded backend
 * set to 1, 2 and 3 threads (workers started and ready) and compared bitwise;
 * the pool's dispatch counter shows the multi-threaded path really ran.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ThreadedBackend } from '../../src/backend/threaded.js';
import { LOSS_BLOCK, SUM_BLOCK, tune } from '../../src/backend/threaded.js';
import { data, expectSameBits, expectSameF64, freshThreaded, useThreads } from './helpers.js';

let tb: ThreadedBackend;

beforeAll(async () => {
  tb = await freshThreaded();
  // Split every call, however small (the default thresholds keep cheap calls on one thread).
  tune({ splitMinNs: 1, gemmMinMacs: 1 });
});
afterAll(async () => {
  tune();
  await tb.shutdown();
});

/**
 * Run `fn` (which writes outputs into the memory and may return a number)
 * with 1, 2 and 3 threads; return the outputs read back and the returned
 * values, and how many multi-threaded dispatches each count made.
 */
async function acrossThreads(
  setup: () => void,
  fn: () => number | void,
  outs: Array<[number, number]>,
): Promise<Array<{ arrays: Float32Array[]; value: number | void; dispatches: number; workerTasks: number }>> {
  const res = [];
  for (const n of [1, 2, 3]) {
    await useThreads(tb, n);
    // Workers always take part here (a late worker's job is otherwise revoked, the caller doing it all).
    if (tb.pool) tb.pool.takeOver = false;
    setup();
    const d0 = tb.pool?.dispatches ?? 0;
    const w0 = (tb.pool?.tasks ?? 0) - (tb.pool?.ownTasks ?? 0);
    const value = fn();
    const dispatches = (tb.pool?.dispatches ?? 0) - d0;
    const workerTasks = (tb.pool?.tasks ?? 0) - (tb.pool?.ownTasks ?? 0) - w0;
    res.push({ arrays: outs.map(([p, len]) => tb.heap.read(p, len)), value, dispatches, workerTasks });
  }
  return res;
}

function compare(res: Awaited<ReturnType<typeof acrossThreads>>, what: string, expectSplit = true): void {
  expect(res[0]!.dispatches, `${what}: 1 thread dispatches`).toBe(0);
  if (expectSplit) {
    expect(res[1]!.dispatches, `${what}: 2 threads split the call`).toBeGreaterThan(0);
    expect(res[2]!.dispatches, `${what}: 3 threads split the call`).toBeGreaterThan(0);
    expect(res[1]!.workerTasks, `${what}: a worker computed part of it`).toBeGreaterThan(0);
  }
  for (const k of [1, 2]) {
    res[0]!.arrays.forEach((a, i) => expectSameBits(a, res[k]!.arrays[i]!, `${what}, output ${i}, ${k + 1} threads`));
    if (typeof res[0]!.value === 'number')
      expectSameF64(res[0]!.value, res[k]!.value as number, `${what}, result, ${k + 1} threads`);
  }
}

describe('GEMM: same bits for 1, 2 and 3 threads', () => {
  // Shapes with row, column and depth tails (K > 256: several KC blocks), the
  // narrow path (N ≤ 16, with and without a partial column block), every
  // transpose form, alpha/beta ≠ 1, and a row count just above the split limit.
  const shapes: Array<[number, number, number, boolean, boolean, number, number]> = [
    [512, 512, 512, false, false, 1, 0],
    [257, 130, 301, false, false, 1, 0],
    [333, 77, 700, true, false, 0.5, 1],
    [203, 99, 260, false, true, 1, 1],
    [150, 129, 517, true, true, -1.25, 0.75],
    [1000, 10, 300, false, false, 1, 0],
    [999, 16, 257, false, false, 2, 0],
    [790, 13, 2000, true, false, 1, 0.5],
    [66, 1000, 64, false, false, 1, 0],
    [784, 128, 128, true, false, 1, 0],
    [128, 784, 128, false, true, 1, 0],
  ];
  for (const [M, N, K, tA, tB, alpha, beta] of shapes) {
    it(`${M}×${N}×${K}${tA ? ' Aᵀ' : ''}${tB ? ' Bᵀ' : ''} alpha ${alpha} beta ${beta}`, async () => {
      const h = tb.heap;
      const A = h.allocF32(M * K),
        B = h.allocF32(K * N),
        C = h.allocF32(M * N);
      const c0 = data(M * N, 3);
      h.write(A, data(M * K, 1));
      h.write(B, data(K * N, 2));
      const lda = tA ? M : K,
        ldb = tB ? K : N;
      const res = await acrossThreads(
        () => h.write(C, c0),
        () => tb.gemm(tA, tB, M, N, K, alpha, A, lda, B, ldb, beta, C, N, 0),
        [[C, M * N]],
      );
      // And the plain single-threaded backend gives the same bits too.
      h.write(C, c0);
      tb.base.gemm(tA, tB, M, N, K, alpha, A, lda, B, ldb, beta, C, N, 0);
      expectSameBits(h.read(C, M * N), res[0]!.arrays[0]!, 'plain backend');
      compare(res, `gemm ${M}×${N}×${K}`);
      for (const p of [A, B, C]) h.release(p);
    });
  }
});

describe('elementwise and optimizer kernels: same bits for 1, 2 and 3 threads', () => {
  const n = 300_003; // not a multiple of 4: a tail in the last range
  it('adam (with amsgrad), rmsprop (centered, momentum), sgdMomentum (nesterov), nadam', async () => {
    const h = tb.heap;
    const g = data(n, 11);
    const W = h.allocF32(n),
      G = h.allocF32(n),
      S = [0, 1, 2].map(() => h.allocF32(n));
    const init = (): void => {
      h.write(W, data(n, 10));
      h.write(G, g);
      for (const [i, p] of S.entries()) h.write(p, data(n, 20 + i, 0, 0.1));
    };
    const outs: Array<[number, number]> = [[W, n], ...S.map((p) => [p, n] as [number, number])];
    compare(
      await acrossThreads(init, () => tb.adam(W, G, S[0]!, S[1]!, S[2]!, n, 1e-3, 0.9, 0.999, 1e-7), outs),
      'adam',
    );
    compare(
      await acrossThreads(init, () => tb.rmsprop(W, G, S[0]!, S[1]!, S[2]!, n, 1e-3, 0.9, 0.5, 1e-7), outs),
      'rmsprop',
    );
    compare(await acrossThreads(init, () => tb.sgdMomentum(W, G, S[0]!, n, 0.01, 0.9, true), outs), 'sgdMomentum');
    compare(
      await acrossThreads(init, () => tb.nadam(W, G, S[0]!, S[1]!, n, 1e-3, 0.9, 0.999, 1e-7, 0.5, 0.1, 1.1), outs),
      'nadam',
    );
    for (const p of [W, G, ...S]) h.release(p);
  });

  it('dropout (the PRNG counter follows the element across ranges), activations with bias, backward, softmax', async () => {
    const h = tb.heap;
    const M = 1001,
      N = 300; // rows × columns, N not a multiple of 4
    const X = h.allocF32(M * N),
      Y = h.allocF32(M * N),
      Z = h.allocF32(M * N),
      mask = h.allocF32(M * N);
    const bias = h.allocF32(N);
    const x0 = data(M * N, 30, -3, 3);
    const init = (): void => {
      h.write(X, x0);
      h.write(Z, x0);
      h.write(bias, data(N, 31));
    };
    const all: Array<[number, number]> = [
      [X, M * N],
      [Y, M * N],
      [Z, M * N],
      [mask, M * N],
    ];
    compare(await acrossThreads(init, () => tb.dropout(X, Y, mask, M * N, 0.3, 1234, 777), all), 'dropout');
    compare(await acrossThreads(init, () => tb.biasAct(10, 0, Z, bias, Y, M, N), all), 'biasAct gelu');
    compare(await acrossThreads(init, () => tb.biasAct(5, 0, Z, 0, Y, M, N), all), 'biasAct sigmoid, no bias');
    compare(await acrossThreads(init, () => tb.actBackward(11, 0, Z, X, X, Y, M * N), all), 'actBackward swish');
    compare(await acrossThreads(init, () => tb.softmaxRows(X, Y, M, N), all), 'softmaxRows');
    compare(await acrossThreads(init, () => tb.logSoftmaxRows(X, Y, M, N), all), 'logSoftmaxRows');
    compare(await acrossThreads(init, () => tb.softmaxBackward(Z, X, Y, M, N), all), 'softmaxBackward');
    compare(
      await acrossThreads(
        init,
        () => {
          tb.scale(X, M * N, 0.75);
          tb.clipValue(X, M * N, 0.5);
          tb.axpy(M * N, 0.25, Z, X);
          tb.mul(X, Z, Y, M * N);
        },
        all,
      ),
      'scale, clip, axpy, mul',
    );
    for (const p of [X, Y, Z, mask, bias]) h.release(p);
  });

  it('the image kernels split by samples: im2col, col2im, depthwise forward and input gradient, max and average pooling and their gradients', async () => {
    const h = tb.heap;
    // 7 samples of 9×10×6, a 3×3 window, stride 2, 'same'-style padding of 1, depth multiplier 2.
    const [M, H, W, C, kh, kw, sh, sw, top, left] = [7, 9, 10, 6, 3, 3, 2, 2, 1, 1];
    const OH = Math.floor((H + 2 * top - kh) / sh) + 1,
      OW = Math.floor((W + 2 * left - kw) / sw) + 1,
      Dm = 2;
    const inN = M * H * W * C,
      rowsN = M * OH * OW * kh * kw * C,
      outN = M * OH * OW * C,
      dwN = M * OH * OW * C * Dm;
    const X = h.allocF32(inN),
      R = h.allocF32(rowsN),
      dX = h.allocF32(inN),
      K = h.allocF32(kh * kw * C * Dm),
      Y = h.allocF32(dwN),
      A = h.allocF32(outN),
      G = h.allocF32(dwN);
    const init = (): void => {
      h.write(X, data(inN, 40));
      h.write(R, data(rowsN, 41));
      h.write(K, data(kh * kw * C * Dm, 42));
      h.write(G, data(dwN, 43));
    };
    const all: Array<[number, number]> = [
      [R, rowsN],
      [dX, inN],
      [Y, dwN],
      [A, outN],
    ];
    const g = [M, H, W, C, OH, OW, kh, kw, sh, sw, 1, 1, top, left] as const;
    const d = [M, H, W, C, Dm, OH, OW, kh, kw, sh, sw, 1, 1, top, left] as const;
    const p = [M, H, W, C, OH, OW, kh, kw, sh, sw, top, left] as const;
    compare(await acrossThreads(init, () => tb.im2col(X, R, ...g), all), 'im2col');
    compare(await acrossThreads(init, () => tb.col2im(R, dX, ...g), all), 'col2im');
    compare(await acrossThreads(init, () => tb.depthwiseConv(X, K, Y, ...d), all), 'depthwiseConv');
    compare(await acrossThreads(init, () => tb.depthwiseConvBackInput(G, K, dX, ...d), all), 'depthwiseConvBackInput');
    compare(await acrossThreads(init, () => tb.maxPool(X, Y, A, ...p), all), 'maxPool with arg-max');
    compare(
      await acrossThreads(
        () => {
          init();
          tb.maxPool(X, Y, A, ...p);
        },
        () => tb.maxPoolBackward(G, A, dX, M, H * W * C, OH * OW * C),
        all,
      ),
      'maxPoolBackward',
    );
    compare(await acrossThreads(init, () => tb.avgPool(X, Y, ...p), all), 'avgPool');
    compare(await acrossThreads(init, () => tb.avgPoolBackward(G, dX, ...p), all), 'avgPoolBackward');
    for (const q of [X, R, dX, K, Y, A, G]) h.release(q);
  });

  it('the recurrent cells split by samples: LSTM and GRU (both forms) forward and backward', async () => {
    const h = tb.heap;
    // 7 samples of 13 units (a vector tail), GRU with its recurrent bias.
    const [B, U] = [7, 13];
    const Z = h.allocF32(B * 4 * U),
      R = h.allocF32(B * 3 * U),
      bRec = h.allocF32(3 * U),
      P = h.allocF32(B * U),
      C = h.allocF32(B * U),
      H = h.allocF32(B * U),
      D = h.allocF32(B * U),
      E = h.allocF32(B * U);
    const init = (): void => {
      h.write(Z, data(B * 4 * U, 50));
      h.write(R, data(B * 3 * U, 51));
      h.write(bRec, data(3 * U, 52));
      h.write(P, data(B * U, 53));
      h.write(D, data(B * U, 54));
      h.write(E, data(B * U, 55));
    };
    const all: Array<[number, number]> = [
      [Z, B * 4 * U],
      [R, B * 3 * U],
      [C, B * U],
      [H, B * U],
      [E, B * U],
    ];
    const [tanh, sigmoid] = [6, 5];
    compare(await acrossThreads(init, () => tb.lstmCell(Z, P, C, H, B, U, tanh, sigmoid), all), 'lstmCell');
    compare(
      await acrossThreads(
        () => {
          init();
          tb.lstmCell(Z, P, C, H, B, U, tanh, sigmoid);
        },
        () => tb.lstmCellBackward(Z, P, C, D, E, B, U, tanh, sigmoid),
        all,
      ),
      'lstmCellBackward',
    );
    compare(await acrossThreads(init, () => tb.gruCell(Z, R, bRec, P, H, B, U, tanh, sigmoid), all), 'gruCell');
    compare(
      await acrossThreads(init, () => tb.gruCellBackward(Z, R, P, D, E, B, U, tanh, sigmoid), all),
      'gruCellBackward',
    );
    compare(await acrossThreads(init, () => tb.gruGates(Z, P, H, B, U, sigmoid), all), 'gruGates');
    compare(await acrossThreads(init, () => tb.gruOut(Z, P, H, B, U, tanh), all), 'gruOut');
    compare(await acrossThreads(init, () => tb.gruOutBackward(Z, P, D, E, B, U, tanh, sigmoid), all), 'gruOutBackward');
    compare(await acrossThreads(init, () => tb.gruGatesBackward(Z, P, D, E, B, U, sigmoid), all), 'gruGatesBackward');
    for (const q of [Z, R, bRec, P, C, H, D, E]) h.release(q);
  });

  it('the column reductions (colSum, training-mode batch norm) are never split, whatever the thread count: no dispatch, the same bits, the right sums', async () => {
    // threaded.ts keeps them on the calling thread (one fixed summation order
    // per column). With every threshold at its lowest, a split of them would
    // show as a dispatch here, and a split that reorders the sums as other bits.
    const h = tb.heap;
    const M = 4096,
      N = 130; // big: well above every split threshold
    const X = h.allocF32(M * N),
      out = h.allocF32(N),
      dY = h.allocF32(M * N),
      Y = h.allocF32(M * N);
    const stats = [0, 1, 2, 3, 4, 5, 6].map(() => h.allocF32(N)); // per-column vectors
    const [gamma, beta, mean, invStd, movMean, movVar, dGamma] = stats as [
      number,
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    const dBeta = h.allocF32(N),
      dX = h.allocF32(M * N);
    const x = data(M * N, 40),
      out0 = data(N, 41);
    h.write(X, x);
    h.write(dY, data(M * N, 42));
    h.write(gamma, data(N, 43, 0.5, 1.5));
    h.write(beta, data(N, 44));
    const init = (): void => {
      h.write(out, out0);
      h.write(movMean, data(N, 45));
      h.write(movVar, data(N, 46, 0.5, 2));
    };

    const colSum = await acrossThreads(init, () => tb.colSum(X, M, N, out, 0.5), [[out, N]]);
    const bn = await acrossThreads(init, () => {
      tb.bnForwardTrain(X, Y, M, N, gamma, beta, mean, invStd, 1e-3, movMean, movVar, 0.99);
      tb.bnBackward(X, dY, dX, M, N, gamma, mean, invStd, dGamma, dBeta);
    }, [
      [Y, M * N],
      [mean, N],
      [invStd, N],
      [movMean, N],
      [movVar, N],
      [dX, M * N],
      [dGamma, N],
      [dBeta, N],
    ]);
    for (const [what, res] of [
      ['colSum', colSum],
      ['batch norm', bn],
    ] as const) {
      for (const [k, r] of res.entries()) expect(r.dispatches, `${what} on ${k + 1} threads: never split`).toBe(0);
      compare(res, what, false); // the same bits for 1, 2 and 3 threads
    }
    // The sums are right (float64 reference), so an output left unwritten cannot pass.
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let i = 0; i < M; i++) s += x[i * N + j]!;
      const want = 0.5 * out0[j]! + s;
      expect(Math.abs(colSum[0]!.arrays[0]![j]! - want), `colSum column ${j}`).toBeLessThan(
        1e-3 * (1 + Math.abs(want)),
      );
    }
    for (const p of [X, out, dY, Y, dBeta, dX, ...stats]) h.release(p);
  });
});

describe('reductions: a fixed block partition, the same float64 for 1, 2 and 3 threads', () => {
  it('every loss (sum and gradient) on a batch spanning many blocks', async () => {
    const h = tb.heap;
    const M = 2049,
      N = 100; // M·N ≫ LOSS_BLOCK: several row blocks
    expect(M * N).toBeGreaterThan(4 * LOSS_BLOCK);
    const T = h.allocF32(M * N),
      P = h.allocF32(M * N),
      G = h.allocF32(M * N),
      W = h.allocF32(M),
      L = h.allocF32(M);
    const Z = h.allocF32(M * N),
      P2 = h.allocF32(M * N);
    h.write(T, data(M * N, 50, 0, 1));
    h.write(P, data(M * N, 51, 0.01, 0.99));
    h.write(W, data(M, 52, 0, 2));
    h.write(Z, data(M * N, 53, -5, 5));
    h.write(
      L,
      Float32Array.from({ length: M }, (_, i) => (i * 7) % N),
    );
    const none = (): void => {};
    const outs: Array<[number, number]> = [[G, M * N]];
    for (const name of ['mse', 'mae', 'logCosh', 'hinge', 'bce', 'cce'] as const) {
      compare(await acrossThreads(none, () => tb[name](T, P, G, W, M, N, 1 / M), outs), name);
    }
    compare(await acrossThreads(none, () => tb.huber(T, P, G, 0, M, N, 1 / M, 0.3), outs), 'huber, no weights');
    compare(await acrossThreads(none, () => tb.sparseCce(L, P, G, W, M, N, 1 / M), outs), 'sparseCce');
    const outs2: Array<[number, number]> = [
      [G, M * N],
      [P2, M * N],
    ];
    compare(await acrossThreads(none, () => tb.sigmoidBce(T, Z, P2, G, W, M, N, 1 / M), outs2), 'sigmoidBce');
    compare(await acrossThreads(none, () => tb.softmaxCce(T, Z, P2, G, 0, M, N, 1 / M), outs2), 'softmaxCce');
    compare(
      await acrossThreads(none, () => tb.sparseSoftmaxCce(L, Z, P2, G, W, M, N, 1 / M), outs2),
      'sparseSoftmaxCce',
    );
    for (const p of [T, P, G, W, L, Z, P2]) h.release(p);
  });

  it('a bad sparse label is reported with its row, whatever the thread count', async () => {
    const h = tb.heap;
    const M = 2000,
      N = 50;
    const L = h.allocF32(M),
      Z = h.allocF32(M * N),
      G = h.allocF32(M * N);
    const labels = Float32Array.from({ length: M }, (_, i) => i % N);
    labels[1717] = 3.5;
    h.write(L, labels);
    h.write(Z, data(M * N, 60));
    for (const n of [1, 2]) {
      await useThreads(tb, n);
      expect(() => tb.sparseSoftmaxCce(L, Z, 0, G, 0, M, N, 1 / M)).toThrow(/row 1717/);
    }
    for (const p of [L, Z, G]) h.release(p);
  });

  it('sumSquares and l1l2 over many blocks', async () => {
    const h = tb.heap;
    const n = 9 * SUM_BLOCK + 3;
    const X = h.allocF32(n),
      G = h.allocF32(n);
    h.write(X, data(n, 70, -2, 2));
    const init = (): void => h.write(G, data(n, 71));
    compare(await acrossThreads(init, () => tb.sumSquares(X, n), []), 'sumSquares');
    compare(await acrossThreads(init, () => tb.l1l2(X, G, n, 0.01, 0.02), [[G, n]]), 'l1l2');
    // One block: exactly the plain kernel.
    expectSameF64(tb.sumSquares(X, SUM_BLOCK), tb.base.sumSquares(X, SUM_BLOCK), 'one block = plain kernel');
    for (const p of [X, G]) h.release(p);
  });
});
