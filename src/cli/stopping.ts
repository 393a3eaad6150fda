/**
 * Early stopping as `simdnet train` does it: keep the weights of the best
 * epoch and stop after `patience` epochs without a better one.
 *
 * A classifier's best epoch is the one with the highest validation accuracy,
 * and among epochs with that accuracy, the lowest validation loss. Either
 * alone fails on small tabular data: the validation loss of a network that
 * overfits many features rises from the first epochs while its accuracy is
 * still improving (stopping on the loss keeps an untrained model), and a small
 * validation set's accuracy reaches its maximum (often 100%) long before the
 * model is done (stopping on the accuracy alone keeps the first such epoch).
 * Regression, or a run without a validation split, uses the loss alone.
 */
import * as sn from '../index.js';

type Logs = Record<string, number>;

/** A loss must drop by more than this to count as better (as Keras's min_delta), so a saturated run stops. */
export const MIN_DELTA = 1e-4;

export class BestEpoch extends sn.callbacks.Callback {
  /** The epoch training stopped after (0-based), or -1 if it ran to the end. */
  stoppedEpoch = -1;
  /** The best epoch (0-based). */
  bestEpoch = -1;
  private bestAcc = -Infinity;
  private bestLoss = Infinity;
  private wait = 0;
  private weights: sn.Tensor[] | null = null;

  /**
   * `loss`: the loss to monitor (val_loss, or loss without a validation split);
   * `accuracy`: the accuracy to rank by first (val_accuracy), or null.
   */
  constructor(
    readonly loss: string,
    readonly accuracy: string | null,
    readonly patience: number,
  ) {
    super();
  }

  override onTrainBegin(): void {
    this.stoppedEpoch = -1;
    this.bestEpoch = -1;
    this.bestAcc = -Infinity;
    this.bestLoss = Infinity;
    this.wait = 0;
    this.weights = null;
  }

  /** Whether an epoch with these values is better than the best so far. */
  better(acc: number, loss: number): boolean {
    if (Number.isNaN(loss)) return false;
    const lower = loss < this.bestLoss - MIN_DELTA;
    if (this.accuracy === null) return lower;
    return acc > this.bestAcc || (acc === this.bestAcc && lower);
  }

  override onEpochEnd(epoch: number, logs: Logs = {}): void {
    const loss = logs[this.loss];
    const acc = this.accuracy === null ? 0 : logs[this.accuracy];
    if (loss === undefined || acc === undefined)
      throw new Error(
        `early stopping: '${this.loss}' or '${this.accuracy}' is not in the logs (${Object.keys(logs).join(', ')})`,
      );
    if (this.better(acc, loss)) {
      this.bestAcc = acc;
      this.bestLoss = loss;
      this.bestEpoch = epoch;
      this.wait = 0;
      this.weights = this.model!.getWeights();
      return;
    }
    if (++this.wait >= this.patience) {
      this.stoppedEpoch = epoch;
      this.model!.stopTraining = true;
    }
  }

  override onTrainEnd(): void {
    if (this.weights !== null) this.model!.setWeights(this.weights);
  }
}
