/**
 * Training callbacks: History, EarlyStopping (with a working
 * restoreBestWeights), ReduceLROnPlateau, LearningRateScheduler,
 * TerminateOnNaN, and custom objects with any of the on* hooks (awaited).
 */
import { ValueError, invalid } from './errors.js';
import type { Tensor } from './tensor.js';
import type { DiagnosticsReport } from './diagnostics.js';

export type Logs = Record<string, number>;

/** What a callback needs of the model (kept small to avoid a cycle). */
export interface CallbackModel {
  stopTraining: boolean;
  getWeights(): Tensor[];
  setWeights(w: Tensor[]): void;
  readonly optimizer: { currentLearningRate: number; setLearningRate(lr: number): void } | null;
}

export interface TrainParams {
  epochs: number;
  /** Batches per epoch; null when a dataset's length is not known before it ends. */
  steps: number | null;
  /** Training samples; null for a dataset. */
  samples: number | null;
  /** null for a dataset (its batches are made by dataset.batch). */
  batchSize: number | null;
  verbose: number;
}

/** Hooks a custom callback may define; each may return a promise, which fit awaits. */
export interface CustomCallback {
  onTrainBegin?(logs?: Logs): void | Promise<void>;
  onTrainEnd?(logs?: Logs): void | Promise<void>;
  onEpochBegin?(epoch: number, logs?: Logs): void | Promise<void>;
  onEpochEnd?(epoch: number, logs?: Logs): void | Promise<void>;
  onBatchBegin?(batch: number, logs?: Logs): void | Promise<void>;
  onBatchEnd?(batch: number, logs?: Logs): void | Promise<void>;
}

// Declaration merging: a Callback may define any of the CustomCallback hooks.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unsafe-declaration-merging
export interface Callback extends CustomCallback {}
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export abstract class Callback {
  model: CallbackModel | null = null;
  params: TrainParams | null = null;
  setModel(m: CallbackModel): void {
    this.model = m;
  }
  setParams(p: TrainParams): void {
    this.params = p;
  }
}

/** Records the logs of every epoch; `fit` returns it. */
export class History extends Callback {
  /** Epoch indices recorded. */
  epoch: number[] = [];
  /** Keras keys: loss, accuracy, val_loss, val_accuracy, ... → one value per epoch. */
  history: Record<string, number[]> = {};
  /** The reports of a diagnostics callback in the fit (sn.callbacks.diagnostics), if it had one. */
  diagnostics?: DiagnosticsReport[];
  override onTrainBegin(): void {
    /* keep earlier epochs when fit is called again with initialEpoch, as Keras does per fit */ this.epoch = [];
    this.history = {};
  }
  override onEpochEnd(epoch: number, logs: Logs = {}): void {
    this.epoch.push(epoch);
    for (const [k, v] of Object.entries(logs)) (this.history[k] ??= []).push(v);
  }
  /**
   * An SVG line chart of every recorded series (loss and metrics, train and validation), and with a
   * diagnostics callback in the fit, each layer's gradient norm per report (log10) in a panel of its own.
   */
  toSVG(options: { width?: number; height?: number; title?: string } = {}): string {
    const series: Record<string, number[]> = { ...this.history };
    for (const r of this.diagnostics ?? [])
      for (const l of r.layers)
        (series[`${GRAD_PREFIX}${l.name}`] ??= []).push(Math.log10(Math.max(l.gradNorm, 1e-30)));
    return historyToSVG(series, options);
  }
}

type Mode = 'auto' | 'min' | 'max';
function better(mode: Mode, monitor: string): (a: number, b: number, delta: number) => boolean {
  const max = mode === 'max' || (mode === 'auto' && /acc|auc|precision|recall/.test(monitor) && !/loss/.test(monitor));
  return max ? (a, b, d) => a - d > b : (a, b, d) => a + d < b;
}

export interface EarlyStoppingArgs {
  monitor?: string;
  minDelta?: number;
  patience?: number;
  verbose?: number;
  mode?: Mode;
  baseline?: number;
  restoreBestWeights?: boolean;
  startFromEpoch?: number;
}

/** Stop when `monitor` stops improving; optionally restore the best epoch's weights. */
export class EarlyStopping extends Callback {
  readonly monitor: string;
  readonly minDelta: number;
  readonly patience: number;
  readonly mode: Mode;
  readonly baseline: number | undefined;
  readonly restoreBestWeights: boolean;
  readonly startFromEpoch: number;
  readonly verbose: number;
  /** The epoch training stopped at (0 if it ran to the end). */
  stoppedEpoch = 0;
  /** The best epoch seen and its value. */
  bestEpoch = 0;
  best = NaN;
  private wait = 0;
  private bestWeights: Tensor[] | null = null;
  private cmp: (a: number, b: number, d: number) => boolean;
  constructor(a: EarlyStoppingArgs = {}) {
    super();
    this.monitor = a.monitor ?? 'val_loss';
    this.minDelta = Math.abs(a.minDelta ?? 0);
    this.patience = a.patience ?? 0;
    if (!Number.isInteger(this.patience) || this.patience < 0)
      invalid('patience', 'a non-negative integer', a.patience);
    this.mode = a.mode ?? 'auto';
    if (!['auto', 'min', 'max'].includes(this.mode)) invalid('mode', "'auto', 'min' or 'max'", a.mode);
    this.baseline = a.baseline;
    this.restoreBestWeights = !!a.restoreBestWeights;
    this.startFromEpoch = a.startFromEpoch ?? 0;
    this.verbose = a.verbose ?? 0;
    this.cmp = better(this.mode, this.monitor);
  }
  override onTrainBegin(): void {
    this.wait = 0;
    this.stoppedEpoch = 0;
    this.bestEpoch = 0;
    this.bestWeights = null;
    this.best = this.baseline ?? NaN;
  }
  override onEpochEnd(epoch: number, logs: Logs = {}): void {
    const v = logs[this.monitor];
    if (v === undefined) {
      throw new ValueError(
        `EarlyStopping: the monitored quantity '${this.monitor}' is not in the logs. Available: ${Object.keys(logs).join(', ')}. (val_* needs validationSplit or validationData.)`,
      );
    }
    if (epoch < this.startFromEpoch) return;
    if (this.restoreBestWeights && this.bestWeights === null) this.bestWeights = this.model!.getWeights();
    this.wait++;
    if (Number.isNaN(this.best) || this.cmp(v, this.best, this.minDelta)) {
      this.best = v;
      this.bestEpoch = epoch;
      if (this.restoreBestWeights) this.bestWeights = this.model!.getWeights();
      if (this.baseline === undefined || this.cmp(v, this.baseline, 0)) this.wait = 0;
      return;
    }
    if (this.wait >= this.patience && epoch > 0) {
      this.stoppedEpoch = epoch;
      this.model!.stopTraining = true;
    }
  }
  override onTrainEnd(): void {
    if (this.restoreBestWeights && this.bestWeights !== null) {
      if (this.verbose > 0)
        console.log(`Restoring model weights from the end of the best epoch: ${this.bestEpoch + 1}.`);
      this.model!.setWeights(this.bestWeights);
    }
    if (this.stoppedEpoch > 0 && this.verbose > 0) console.log(`Epoch ${this.stoppedEpoch + 1}: early stopping`);
  }
}

export interface ReduceLROnPlateauArgs {
  monitor?: string;
  factor?: number;
  patience?: number;
  verbose?: number;
  mode?: Mode;
  minDelta?: number;
  cooldown?: number;
  minLr?: number;
}

/** Multiply the learning rate by `factor` when `monitor` has not improved for `patience` epochs. */
export class ReduceLROnPlateau extends Callback {
  readonly monitor: string;
  readonly factor: number;
  readonly patience: number;
  readonly mode: Mode;
  readonly minDelta: number;
  readonly cooldown: number;
  readonly minLr: number;
  readonly verbose: number;
  private best = NaN;
  private wait = 0;
  private cooldownCounter = 0;
  private cmp: (a: number, b: number, d: number) => boolean;
  constructor(a: ReduceLROnPlateauArgs = {}) {
    super();
    this.monitor = a.monitor ?? 'val_loss';
    this.factor = a.factor ?? 0.1;
    if (!(this.factor > 0 && this.factor < 1)) invalid('factor', 'a number in (0, 1)', a.factor);
    this.patience = a.patience ?? 10;
    this.mode = a.mode ?? 'auto';
    this.minDelta = a.minDelta ?? 1e-4;
    this.cooldown = a.cooldown ?? 0;
    this.minLr = a.minLr ?? 0;
    this.verbose = a.verbose ?? 0;
    this.cmp = better(this.mode, this.monitor);
  }
  override onTrainBegin(): void {
    this.best = NaN;
    this.wait = 0;
    this.cooldownCounter = 0;
  }
  override onEpochEnd(epoch: number, logs: Logs = {}): void {
    const opt = this.model!.optimizer!;
    logs.learning_rate = opt.currentLearningRate;
    const v = logs[this.monitor];
    if (v === undefined)
      throw new ValueError(
        `ReduceLROnPlateau: the monitored quantity '${this.monitor}' is not in the logs. Available: ${Object.keys(logs).join(', ')}`,
      );
    if (this.cooldownCounter > 0) {
      this.cooldownCounter--;
      this.wait = 0;
    }
    if (Number.isNaN(this.best) || this.cmp(v, this.best, this.minDelta)) {
      this.best = v;
      this.wait = 0;
      return;
    }
    if (this.cooldownCounter > 0) return;
    this.wait++;
    if (this.wait >= this.patience) {
      const old = opt.currentLearningRate;
      if (old > this.minLr) {
        const lr = Math.max(old * this.factor, this.minLr);
        opt.setLearningRate(lr);
        if (this.verbose > 0) console.log(`Epoch ${epoch + 1}: ReduceLROnPlateau reducing learning rate to ${lr}.`);
        this.cooldownCounter = this.cooldown;
        this.wait = 0;
      }
    }
  }
}

/** Set the learning rate at the start of each epoch from `schedule(epoch, lr)`. */
export class LearningRateScheduler extends Callback {
  constructor(
    readonly schedule: (epoch: number, lr: number) => number,
    readonly verbose = 0,
  ) {
    super();
    if (typeof schedule !== 'function') invalid('schedule', 'a function (epoch, lr) => lr', schedule);
  }
  override onEpochBegin(epoch: number): void {
    const opt = this.model!.optimizer!;
    const lr = this.schedule(epoch, opt.currentLearningRate);
    if (!(typeof lr === 'number' && Number.isFinite(lr) && lr >= 0))
      invalid('schedule', 'a function returning a non-negative learning rate', lr);
    opt.setLearningRate(lr);
  }
  override onEpochEnd(_e: number, logs: Logs = {}): void {
    logs.learning_rate = this.model!.optimizer!.currentLearningRate;
  }
}

/**
 * Stop as soon as the loss is NaN or infinite. The model then keeps the last
 * weights that were finite (the step that broke them is undone).
 */
export class TerminateOnNaN extends Callback {
  /** The batch at which training was stopped, or -1. */
  stoppedAtBatch = -1;
  override onBatchEnd(batch: number, logs: Logs = {}): void {
    const l = logs.loss;
    if (l !== undefined && !Number.isFinite(l)) {
      this.stoppedAtBatch = batch;
      this.model!.stopTraining = true;
    }
  }
}

/**
 * Stop training when `monitor` (default 'val_loss') has not improved by `minDelta` (0) for
 * `patience` (0) epochs; with `restoreBestWeights` (false) the model ends with the best epoch's weights.
 * @example sn.callbacks.earlyStopping({ monitor: 'val_loss', patience: 10, restoreBestWeights: true })
 */
export const earlyStopping = (a: EarlyStoppingArgs = {}) => new EarlyStopping(a);
/**
 * Multiply the learning rate by `factor` (0.1) after `patience` (10) epochs without improvement
 * of `monitor` ('val_loss'), down to `minLr` (0).
 * @example sn.callbacks.reduceLROnPlateau({ factor: 0.5, patience: 3 })
 */
export const reduceLROnPlateau = (a: ReduceLROnPlateauArgs = {}) => new ReduceLROnPlateau(a);
/**
 * Set the learning rate at each epoch's start to `schedule(epoch, lr)`. @example sn.callbacks.learningRateScheduler((e,
 * lr) => (e < 10 ? lr : lr * 0.9))
 */
export const learningRateScheduler = (schedule: (epoch: number, lr: number) => number) =>
  new LearningRateScheduler(schedule);
/**
 * Stop at once when the loss becomes NaN or infinite, keeping the last finite weights. @example
 * sn.callbacks.terminateOnNaN()
 */
export const terminateOnNaN = () => new TerminateOnNaN();

/** An SVG chart of loss/metric curves per epoch, readable without any other tool. */
/** The series names History.toSVG gives the layers' gradient norms (log10). */
const GRAD_PREFIX = 'log10 |grad| ';

export function historyToSVG(
  history: Record<string, number[]>,
  options: { width?: number; height?: number; title?: string } = {},
): string {
  const W = options.width ?? 720,
    H = options.height ?? 360;
  const keys = Object.keys(history).filter((k) => k !== 'learning_rate');
  const grad = (k: string) => k.startsWith(GRAD_PREFIX);
  const groups = [
    keys.filter((k) => /loss/.test(k) && !grad(k)),
    keys.filter((k) => !/loss/.test(k) && !grad(k)),
    keys.filter(grad),
  ].filter((g) => g.length > 0);
  const colors = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b'];
  const panelW = groups.length > 0 ? W / groups.length : W;
  const esc = (s: string) =>
    s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);
  let body = '';
  groups.forEach((g, gi) => {
    const x0 = gi * panelW + 50,
      y0 = 40,
      w = panelW - 70,
      h = H - 90;
    const vals = g.flatMap((k) => history[k]!.filter(Number.isFinite));
    const lo = Math.min(...vals),
      hi = Math.max(...vals);
    const span = hi - lo || 1;
    const n = Math.max(...g.map((k) => history[k]!.length));
    const px = (i: number) => x0 + (n <= 1 ? w / 2 : (i / (n - 1)) * w);
    const py = (v: number) => y0 + h - ((v - lo) / span) * h;
    body += `<rect x="${x0}" y="${y0}" width="${w}" height="${h}" fill="none" stroke="#ccc"/>`;
    body += `<text x="${x0 - 6}" y="${y0 + 4}" text-anchor="end" font-size="10">${hi.toPrecision(3)}</text>`;
    body += `<text x="${x0 - 6}" y="${y0 + h}" text-anchor="end" font-size="10">${lo.toPrecision(3)}</text>`;
    body += `<text x="${x0 + w / 2}" y="${y0 + h + 28}" text-anchor="middle" font-size="11">epoch (1–${n})</text>`;
    g.forEach((k, ki) => {
      const pts = history[k]!.map((v, i) => (Number.isFinite(v) ? `${px(i).toFixed(1)},${py(v).toFixed(1)}` : ''))
        .filter(Boolean)
        .join(' ');
      const c = colors[(ki + gi * 2) % colors.length]!;
      body += `<polyline fill="none" stroke="${c}" stroke-width="2"${k.startsWith('val_') ? ' stroke-dasharray="5,3"' : ''} points="${pts}"/>`;
      body += `<text x="${x0 + 8}" y="${y0 + 14 + ki * 14}" font-size="11" fill="${c}">${esc(k)}</text>`;
    });
  });
  const title = options.title
    ? `<text x="${W / 2}" y="22" text-anchor="middle" font-size="14">${esc(options.title)}</text>`
    : '';
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif"><rect width="100%" height="100%" fill="white"/>${title}${body}</svg>\n`;
}
