/**
 * The short training run both browser pages do: UCI digits (1,437 train /
 * 360 test, fixed split), 64 → 64 relu → 10 softmax, Adam, 20 epochs. In Node
 * the same model reaches ≥ 95% (test/model/real-data.test.ts); the bar here is
 * the same. fit yields to the event loop every `yieldEvery` ms, so the page
 * keeps running timers while it trains.
 */
import { expect } from 'vitest';
import * as sn from '../../src/index.js';
import { digits, maxEventLoopGap } from './helpers.js';

export const DIGITS_ACCURACY_BAR = 0.95;

export async function trainDigitsAndCheck(): Promise<{ accuracy: number; maxGapMs: number; ms: number }> {
  const d = digits();
  sn.setSeed(12);
  const model = sn.sequential([
    sn.layers.dense({ units: 64, inputDim: 64, activation: 'relu' }),
    sn.layers.dense({ units: 10, activation: 'softmax' }),
  ]);
  model.compile({ loss: 'sparse_categorical_crossentropy', optimizer: 'adam', metrics: ['accuracy'] });
  const t0 = performance.now();
  const { result: history, maxGapMs } = await maxEventLoopGap(() =>
    model.fit(
      d.xTrain,
      d.yTrain.map((v) => [v]),
      {
        epochs: 20,
        batchSize: 32,
        verbose: 0,
        seed: 2,
        yieldEvery: 20,
      },
    ),
  );
  const ms = performance.now() - t0;
  expect(history.history.loss!.length).toBe(20);
  expect(history.history.loss!.at(-1)!).toBeLessThan(history.history.loss![0]!);
  const { accuracy } = model.evaluate(
    d.xTest,
    d.yTest.map((v) => [v]),
  );
  expect(accuracy).toBeGreaterThanOrEqual(DIGITS_ACCURACY_BAR);
  // Not frozen: timers ran during training. (Generous bound: a noisy 2-core CI machine.)
  expect(maxGapMs).toBeLessThan(1000);
  model.release();
  return { accuracy: accuracy!, maxGapMs, ms };
}
