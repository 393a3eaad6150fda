/**
 * Keras-style progress output for fit/evaluate: a bar redrawn in place on a
 * terminal (verbose 1), one line per epoch otherwise (verbose 2, or verbose 1
 * when stdout is not a terminal). Nothing is written in a browser unless a
 * `print` function is given. `fit` prints through a ProgbarLogger callback, as
 * Keras does.
 */
import { Callback, type Logs } from './callbacks.js';

export type Printer = (line: string, sameLine: boolean) => void;

interface StdoutLike {
  write(s: string): boolean;
  isTTY?: boolean;
  columns?: number;
}
function stdout(): StdoutLike | undefined {
  const p = (globalThis as { process?: { stdout?: StdoutLike } }).process;
  return p?.stdout;
}

/** True where a default verbose level of 1 makes sense (Node); browsers default to silence. */
export function hasConsoleStdout(): boolean {
  return stdout() !== undefined;
}

export function defaultPrinter(): Printer {
  const out = stdout();
  if (out) {
    const tty = !!out.isTTY;
    return (line, sameLine) => {
      if (sameLine && tty) out.write(`\r${line}\x1b[K`);
      else if (!sameLine) out.write(tty ? `\r${line}\x1b[K\n` : `${line}\n`);
    };
  }
  return (line, sameLine) => {
    if (!sameLine) console.log(line);
  };
}

export function formatLogs(logs: Record<string, number>): string {
  return Object.entries(logs)
    .map(([k, v]) => `${k}: ${formatNumber(v)}`)
    .join(' - ');
}

export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(4) : v.toFixed(4);
}

export function formatDuration(ms: number): string {
  if (ms < 1) return `${Math.round(ms * 1000)}us`;
  if (ms < 1000) return `${Math.round(ms)}ms`;
  return `${(ms / 1000).toFixed(ms < 10000 ? 1 : 0)}s`;
}

/** The progress of one epoch: `steps` batches, or an unknown number (a dataset's first epoch), shown as a count. */
export class ProgressBar {
  private lastDraw = 0;
  private step = 0;
  constructor(
    private readonly print: Printer,
    private readonly steps: number | null,
    private readonly verbose: number,
    private readonly start: number,
  ) {}
  update(step: number, logs: Record<string, number>, now: number): void {
    this.step = step;
    if (this.verbose !== 1 || now - this.lastDraw < 50) return;
    this.lastDraw = now;
    this.print(this.line(step, logs, now, false), true);
  }
  finish(logs: Record<string, number>, now: number): void {
    this.print(this.line(this.steps ?? this.step, logs, now, true), false);
  }
  private line(step: number, logs: Record<string, number>, now: number, end: boolean): string {
    const elapsed = now - this.start;
    const perStep = step > 0 ? elapsed / step : 0;
    const l = formatLogs(logs);
    const tail = l ? ' - ' + l : '';
    // Keras's form for an epoch of unknown length: "37/Unknown 2s 54ms/step".
    if (this.steps === null)
      return `${step}/${end ? step : 'Unknown'} ${formatDuration(elapsed)} ${formatDuration(perStep)}/step${tail}`;
    const width = 30;
    const done = Math.min(width, Math.round((step / Math.max(1, this.steps)) * width));
    const bar = step >= this.steps ? '━'.repeat(width) : '━'.repeat(done) + ' '.repeat(width - done);
    const pad = String(this.steps).length;
    const time =
      step >= this.steps
        ? `${formatDuration(elapsed)} ${formatDuration(perStep)}/step`
        : `ETA ${formatDuration(perStep * (this.steps - step))}`;
    return `${String(step).padStart(pad)}/${this.steps} ${bar} ${time}${tail}`;
  }
}

/** Milliseconds from a monotonic clock where there is one. */
export const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/**
 * Keras's ProgbarLogger: `fit` adds one, after every other callback, when
 * verbose > 0. "Epoch i/n", then a bar redrawn after each batch (verbose 1) and
 * the epoch's line with its logs at the end (validation included), then how
 * long training took. `keys` are the batch logs it shows (loss and metrics).
 */
export class ProgbarLogger extends Callback {
  private bar: ProgressBar | null = null;
  private start = 0;
  private epochsRun = 0;
  private readonly shown: Logs = {};
  constructor(
    private readonly print: Printer,
    private readonly verbose: number,
    private readonly keys: readonly string[],
  ) {
    super();
  }
  override onTrainBegin(): void {
    this.start = now();
    this.epochsRun = 0;
  }
  override onEpochBegin(epoch: number): void {
    this.print(`Epoch ${epoch + 1}/${this.params!.epochs}`, false);
    this.bar = new ProgressBar(this.print, this.params!.steps, this.verbose, now());
  }
  override onBatchEnd(batch: number, logs: Logs = {}): void {
    if (this.verbose === 1) for (const k of this.keys) this.shown[k] = logs[k]!;
    this.bar!.update(batch + 1, this.shown, now());
  }
  override onEpochEnd(_epoch: number, logs: Logs = {}): void {
    this.bar!.finish(logs, now());
    this.epochsRun++;
  }
  override onTrainEnd(): void {
    if (this.epochsRun === 0) return;
    const took = formatDuration(now() - this.start);
    const n = this.params!.samples;
    this.print(n !== null ? `Trained ${n} samples in ${took}` : `Trained ${this.epochsRun} epochs in ${took}`, false);
  }
}
