/**
 * simdnet train's early stopping (src/cli/stopping.ts), on scripted epoch
 * logs: a classifier keeps the epoch with the highest validation accuracy and,
 * among those, the lowest validation loss; regression keeps the lowest loss;
 * a loss must drop by more than MIN_DELTA to count; training stops after
 * `patience` epochs without a better one, and the kept
 * epoch's weights are restored.
 */
import { describe, expect, it } from 'vitest';
import { BestEpoch, MIN_DELTA } from '../../src/cli/stopping.js';

/** A stand-in for the model: its "weights" are the epoch number they were taken at. */
function fakeModel() {
  const m = {
    epoch: -1,
    stopTraining: false,
    restored: -1,
    getWeights: () => [m.epoch] as never,
    setWeights: (w: never) => {
      m.restored = (w as number[])[0]!;
    },
  };
  return m;
}

function replay(cb: BestEpoch, logs: Record<string, number>[]) {
  const m = fakeModel();
  cb.setModel(m as never);
  cb.onTrainBegin();
  let ran = 0;
  for (let e = 0; e < logs.length && !m.stopTraining; e++, ran++) {
    m.epoch = e;
    cb.onEpochEnd(e, logs[e]);
  }
  cb.onTrainEnd();
  return { ran, restored: m.restored };
}

describe('BestEpoch', () => {
  it('a classifier: highest validation accuracy first, then lowest validation loss', () => {
    const cb = new BestEpoch('val_loss', 'val_accuracy', 3);
    const r = replay(cb, [
      { val_accuracy: 0.6, val_loss: 0.6 }, // 0
      { val_accuracy: 0.7, val_loss: 0.9 }, // 1: better accuracy, worse loss: better
      { val_accuracy: 1.0, val_loss: 0.5 }, // 2: saturated accuracy
      { val_accuracy: 1.0, val_loss: 0.3 }, // 3: same accuracy, lower loss: better
      { val_accuracy: 1.0, val_loss: 0.35 }, // 4
      { val_accuracy: 0.9, val_loss: 0.1 }, // 5: lower loss, worse accuracy: not better
      { val_accuracy: 1.0, val_loss: 0.31 }, // 6: third epoch without a better one: stop
      { val_accuracy: 1.0, val_loss: 0.01 }, // 7: not reached
    ]);
    expect(cb.bestEpoch).toBe(3);
    expect(cb.stoppedEpoch).toBe(6);
    expect(r.ran).toBe(7);
    expect(r.restored).toBe(3);
  });

  it('the loss alone keeps an early epoch when the loss rises while the accuracy improves; this does not', () => {
    // A network overfitting many features: validation loss up from the start, accuracy still improving.
    const logs = [0.55, 0.6, 0.62, 0.66, 0.7, 0.7, 0.69].map((a, e) => ({ val_accuracy: a, val_loss: 0.7 + 0.1 * e }));
    expect(replay(new BestEpoch('val_loss', 'val_accuracy', 5), logs).restored).toBe(4);
    expect(replay(new BestEpoch('val_loss', null, 5), logs).restored).toBe(0);
  });

  it('regression (no accuracy): lowest loss; a NaN loss is never best', () => {
    const cb = new BestEpoch('val_loss', null, 2);
    const r = replay(cb, [{ val_loss: 3 }, { val_loss: 2 }, { val_loss: NaN }, { val_loss: 2.5 }, { val_loss: 1 }]);
    expect(cb.bestEpoch).toBe(1);
    expect(cb.stoppedEpoch).toBe(3);
    expect(r.restored).toBe(1);
  });

  it('a loss must drop by more than MIN_DELTA: a saturated run (accuracy 1, loss creeping to 0) stops', () => {
    const logs = Array.from({ length: 50 }, (_, e) => ({ val_accuracy: 1, val_loss: 0.001 * 0.99 ** e }));
    const cb = new BestEpoch('val_loss', 'val_accuracy', 5);
    const r = replay(cb, logs);
    expect(MIN_DELTA).toBe(1e-4);
    expect(cb.bestEpoch).toBe(0);
    expect(r.ran).toBe(6);
    expect(cb.better(1, 0.001 - 2 * MIN_DELTA)).toBe(true);
  });

  it('runs to the end when it keeps improving, and says which quantity is missing', () => {
    const cb = new BestEpoch('loss', null, 1);
    const r = replay(cb, [{ loss: 3 }, { loss: 2 }, { loss: 1 }]);
    expect(r.ran).toBe(3);
    expect(cb.stoppedEpoch).toBe(-1);
    expect(r.restored).toBe(2);
    expect(() => replay(new BestEpoch('val_loss', 'val_accuracy', 1), [{ loss: 1 }])).toThrow(
      /'val_loss' or 'val_accuracy' is not in the logs \(loss\)/,
    );
  });
});
