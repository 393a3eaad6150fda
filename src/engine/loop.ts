/**
 * The training loop of `fit`: epochs of shuffled batches, with the callbacks
 * called in Keras's order and at Keras's moments, validation at each epoch's
 * end, TerminateOnNaN's stop, and a yield to the event loop at least every
 * `yieldEvery` ms. What a step does — copy the batch in, forward, losses,
 * backward, update — is the host's (the model over src/engine/step.ts); the
 * loop allocates nothing per batch.
 */
import { hash32 } from '../backend/prng.js';
import type { Callback, CustomCallback, Logs } from '../callbacks.js';
import { now } from '../progress.js';
import type { Rng } from '../random.js';

/** What the loop needs from the model, made once per fit. */
export interface LoopHost {
  /** Whether a callback (or TerminateOnNaN) asked to stop; `stop()` asks. */
  stopping(): boolean;
  stop(): void;
  /** The optimizer's step count (seeds each step's dropout masks). */
  iterations(): number;
  /** Train on the M samples the batch source copied into the plan; the batch loss. */
  step(M: number, stepSeed: number): number;
  /** Each output's loss sum over the last step's batch. */
  readonly outSums: Float64Array;
  resetMetrics(): void;
  updateMetrics(samples: number): void;
  /** Per-output losses (means over `count` samples) and metric results into logs. */
  writeLogs(logs: Logs, outLoss: Float64Array, count: number): void;
  /** Validation logs at an epoch's end (null: no validation data). */
  validate(): Logs | null | Promise<Logs | null>;
}

/**
 * Where an epoch's batches come from: arrays in memory (fit) or a dataset (fitDataset). `next` copies
 * batch s into the plan and answers its sample count, 0 when the epoch has no more; it answers at once
 * for arrays and with a promise where a batch has to be read.
 */
export interface BatchSource {
  begin(epoch: number): void | Promise<void>;
  next(s: number): number | Promise<number>;
}

/** The batches of arrays in memory: `n` samples in batches of `batchSize`, shuffled each epoch or in order. */
export function arrayBatches(
  n: number,
  batchSize: number,
  shuffle: boolean,
  rng: Rng,
  gather: (order: Int32Array | null, start: number, end: number) => void,
): BatchSource {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  return {
    begin: () => {
      if (shuffle) rng.shuffle(order);
    },
    next: (s) => {
      const start = s * batchSize;
      if (start >= n) return 0;
      const end = Math.min(n, start + batchSize);
      gather(shuffle ? order : null, start, end);
      return end - start;
    },
  };
}

export interface LoopOptions {
  epochs: number;
  initialEpoch: number;
  source: BatchSource;
  rng: Rng;
  /** The log keys of a batch (loss, per-output losses, metrics). */
  keys: string[];
  /** Stop at a non-finite loss (TerminateOnNaN). */
  guardNaN: boolean;
  yieldEvery: number;
}

/** Yield to the event loop (a macrotask), so timers, I/O and rendering can run. */
export function yieldToEventLoop(): Promise<void> {
  const si = (globalThis as { setImmediate?: (f: () => void) => void }).setImmediate;
  return new Promise((r) => (si ? si(r) : setTimeout(r, 0)));
}

/** Run the epochs; callbacks in the order given (History first, the progress bar last). */
export async function runEpochs(host: LoopHost, cbs: (Callback | CustomCallback)[], o: LoopOptions): Promise<void> {
  const batchBegin = cbs.filter((c) => typeof c.onBatchBegin === 'function');
  const batchEnd = cbs.filter((c) => typeof c.onBatchEnd === 'function');
  const dropoutSeed = o.rng.nextU32();
  const outLoss = new Float64Array(host.outSums.length);
  const batchLogs: Logs = { batch: 0, size: 0 };
  for (const k of o.keys) batchLogs[k] = 0;
  for (const c of cbs) await c.onTrainBegin?.({});
  let lastYield = now();
  for (let epoch = o.initialEpoch; epoch < o.epochs && !host.stopping(); epoch++) {
    for (const c of cbs) await c.onEpochBegin?.(epoch, {});
    const b = o.source.begin(epoch);
    if (b !== undefined) await b;
    host.resetMetrics();
    outLoss.fill(0);
    let lossSum = 0,
      seen = 0;
    for (let s = 0; ; s++) {
      // The batch is read first (a dataset's may be the last, or smaller), then onBatchBegin sees its size.
      let M = o.source.next(s);
      if (typeof M !== 'number') M = await M;
      if (M === 0) break;
      batchLogs.batch = s;
      batchLogs.size = M;
      for (const c of batchBegin) await c.onBatchBegin!(s, batchLogs);
      const loss = host.step(M, hash32(dropoutSeed, host.iterations()));
      lossSum += loss * M;
      seen += M;
      for (let k = 0; k < outLoss.length; k++) outLoss[k] = outLoss[k]! + host.outSums[k]!;
      host.updateMetrics(M);
      batchLogs.loss = lossSum / seen;
      host.writeLogs(batchLogs, outLoss, seen);
      for (const c of batchEnd) await c.onBatchEnd!(s, batchLogs);
      if (!Number.isFinite(loss) && o.guardNaN) host.stop();
      if (host.stopping()) break;
      if (o.yieldEvery >= 0 && now() - lastYield >= o.yieldEvery) {
        await yieldToEventLoop();
        lastYield = now();
      }
    }
    const logs: Logs = { loss: seen > 0 ? lossSum / seen : NaN };
    host.writeLogs(logs, outLoss, seen);
    const v = await host.validate();
    if (v) for (const [k, value] of Object.entries(v)) logs[`val_${k}`] = value;
    for (const c of cbs) await c.onEpochEnd?.(epoch, logs);
  }
  for (const c of cbs) await c.onTrainEnd?.({});
}
