/**
 * `modelCheckpoint`: save the model (or its weights) at the end of epochs,
 * optionally only when a monitored quantity improves (Keras's ModelCheckpoint).
 *
 * @example
 * await model.fit(x, y, { epochs: 50, validationSplit: 0.2, callbacks: [
 *   sn.callbacks.modelCheckpoint({ filepath: './ckpt/best', monitor: 'val_loss', saveBestOnly: true }),
 * ] });
 * const best = await sn.loadModel('./ckpt/best');
 */
import { Callback, type Logs } from '../callbacks.js';
import { SimdnetError, ValueError, invalid } from '../errors.js';
import { LayersModel } from '../model.js';
import type { IOHandler } from './types.js';
import { saveModel } from './api.js';

export interface ModelCheckpointArgs {
  /**
   * Where to save: a directory path, a URL scheme (`indexeddb://…`), or a
   * function `(epoch, logs) => target`. Placeholders in a string are filled
   * from the 1-based epoch and the logs, as Keras does: `'ckpt/epoch{epoch:02d}-{val_loss:.4f}'`.
   */
  filepath: string | ((epoch: number, logs: Logs) => string | IOHandler);
  /** The quantity watched by saveBestOnly. Defaults to 'val_loss'. */
  monitor?: string;
  /** 'min', 'max', or 'auto' (max for accuracy-like names, else min). Defaults to 'auto'. */
  mode?: 'auto' | 'min' | 'max';
  /** Save only when `monitor` improves on the best value so far. Defaults to false. */
  saveBestOnly?: boolean;
  /** Save only the weights (load them with sn.io.loadWeights into a model built in code). Defaults to false. */
  saveWeightsOnly?: boolean;
  /** With full saves, also save the optimizer state so training can resume. Defaults to true. */
  includeOptimizer?: boolean;
  /** Only save when `monitor` beats this value (Keras's initial_value_threshold). */
  initialValueThreshold?: number;
  /** 1: print a line when saving. Defaults to 0. */
  verbose?: number;
}

const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*)(?::(0?)(\d*)(?:\.(\d+))?([dfeg]))?\}/g;

/** Fill Keras-style placeholders: `{epoch}`, `{epoch:02d}`, `{val_loss:.4f}`, `{loss:.2e}`. */
export function formatFilepath(template: string, epoch: number, logs: Logs): string {
  const values: Record<string, number> = { ...logs, epoch };
  return template.replace(
    PLACEHOLDER,
    (_m, key: string, zero: string, width: string, prec: string | undefined, type: string | undefined) => {
      const v = values[key];
      if (v === undefined)
        throw new ValueError(
          `modelCheckpoint: the filepath placeholder '{${key}}' is not in the logs. Available: ${Object.keys(values).join(', ')}.`,
        );
      let s: string;
      switch (type) {
        case 'd':
          s = String(Math.trunc(v));
          break;
        case 'f':
          s = v.toFixed(prec !== undefined ? Number(prec) : 6);
          break;
        case 'e':
          s = v.toExponential(prec !== undefined ? Number(prec) : 6);
          break;
        case 'g':
          s = v.toPrecision(prec !== undefined ? Math.max(1, Number(prec)) : 6);
          break;
        default:
          s = String(v);
      }
      return width ? s.padStart(Number(width), zero === '0' ? '0' : ' ') : s;
    },
  );
}

export class ModelCheckpoint extends Callback {
  readonly filepath: ModelCheckpointArgs['filepath'];
  readonly monitor: string;
  readonly mode: 'auto' | 'min' | 'max';
  readonly saveBestOnly: boolean;
  readonly saveWeightsOnly: boolean;
  readonly includeOptimizer: boolean;
  readonly verbose: number;
  /** The best monitored value so far (NaN before the first). Kept across fit calls, as in Keras. */
  best: number;
  /** Where the last save went (a path or URL string), or null. */
  lastSaved: string | null = null;
  private warned = false;
  private readonly maximize: boolean;

  constructor(args: ModelCheckpointArgs) {
    super();
    if (typeof args !== 'object' || args === null) invalid('args', "an object like { filepath: './ckpt' }", args);
    if (typeof args.filepath !== 'function' && (typeof args.filepath !== 'string' || args.filepath.length === 0)) {
      invalid(
        'filepath',
        "a path or URL string (e.g. './ckpt/epoch{epoch:02d}') or a function (epoch, logs) => target",
        args.filepath,
      );
    }
    this.filepath = args.filepath;
    this.monitor = args.monitor ?? 'val_loss';
    this.mode = args.mode ?? 'auto';
    if (!['auto', 'min', 'max'].includes(this.mode)) invalid('mode', "'auto', 'min' or 'max'", args.mode);
    this.saveBestOnly = !!args.saveBestOnly;
    this.saveWeightsOnly = !!args.saveWeightsOnly;
    this.includeOptimizer = args.includeOptimizer ?? true;
    this.verbose = args.verbose ?? 0;
    this.maximize =
      this.mode === 'max' ||
      (this.mode === 'auto' && /acc|auc|precision|recall/.test(this.monitor) && !/loss/.test(this.monitor));
    this.best = args.initialValueThreshold ?? NaN;
  }

  override async onEpochEnd(epoch: number, logs: Logs = {}): Promise<void> {
    const model = this.model;
    if (!(model instanceof LayersModel)) throw new SimdnetError('modelCheckpoint can only save simdnet models.');
    if (this.saveBestOnly) {
      const v = logs[this.monitor];
      if (v === undefined || Number.isNaN(v)) {
        if (!this.warned) {
          console.warn(
            `modelCheckpoint: can save the best model only with '${this.monitor}' in the logs (available: ${Object.keys(logs).join(', ')}); skipping.${this.monitor.startsWith('val_') ? ' val_* needs validationSplit or validationData.' : ''}`,
          );
          this.warned = true;
        }
        return;
      }
      const improved = Number.isNaN(this.best) || (this.maximize ? v > this.best : v < this.best);
      if (!improved) return;
      this.best = v;
    }
    const target =
      typeof this.filepath === 'function'
        ? this.filepath(epoch + 1, logs)
        : formatFilepath(this.filepath, epoch + 1, logs);
    await saveModel(model, target, {
      includeOptimizer: this.includeOptimizer && !this.saveWeightsOnly,
      weightsOnly: this.saveWeightsOnly,
    });
    this.lastSaved = typeof target === 'string' ? target : null;
    if (this.verbose > 0)
      console.log(
        `Epoch ${epoch + 1}: saved ${this.saveWeightsOnly ? 'weights' : 'model'} to ${typeof target === 'string' ? target : 'the handler'}${this.saveBestOnly ? ` (${this.monitor} = ${this.best})` : ''}.`,
      );
  }
}

/** Save the model during training (see ModelCheckpoint). */
export const modelCheckpoint = (args: ModelCheckpointArgs) => new ModelCheckpoint(args);
