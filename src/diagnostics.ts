/**
 * Training diagnostics (issue 19): the founding text's failure modes — vanishing and exploding
 * gradients, dead ReLUs, saturated sigmoids, over- and under-fitting — measured inside the training
 * step and said in words, with the remedy the text gives.
 *
 * `sn.callbacks.diagnostics()` is the callback a user adds; the model gives it a probe for the fit
 * (`DiagnosticProbe`), which reads the buffers the step already has, through kernels (on Node 20 a JS
 * loop over the shared kernel memory measured slower than a kernel call, even over a few hundred
 * floats): each layer's kernel gradient and weights (sumSquares), its output in the plan (colSumSquares:
 * the column sums added into the epoch's — a ReLU unit whose sum stays 0 was 0 for every sample — and
 * the sum of squares; a JS count of the outputs near a bounded activation's bounds), and the kernels
 * before and after the update (one copy, then sumSquaresDiff). Nothing is allocated per step; without
 * the callback nothing is computed.
 */
import type { Backend } from './backend/types.js';
import { Callback, type Logs } from './callbacks.js';
import { invalid } from './errors.js';
import type { Layer, Weight } from './layers.js';
import { type Printer, defaultPrinter } from './progress.js';

/** One layer's figures for an epoch (or one diagnose() pass). */
export interface LayerDiagnostics {
  name: string;
  /** Whether the layer's output is one of the model's (its saturation is a classifier's confidence). */
  output: boolean;
  /** The activation the layer applies (its own), or null. */
  activation: string | null;
  /** L2 norm of the kernel's gradient, averaged over the epoch's steps. */
  gradNorm: number;
  /** L2 norm of the kernel at the epoch's end. */
  weightNorm: number;
  /** ‖Δw‖ / ‖w‖ of the kernel per step, averaged (healthy near 1e-3); null without updates (diagnose). */
  updateRatio: number | null;
  /** Share of the units that output 0 for every sample of the epoch (ReLU-family layers; null otherwise). */
  deadFraction: number | null;
  /** Share of the outputs within 0.02 of their bounds (sigmoid, tanh, hard sigmoid; null otherwise). */
  saturatedFraction: number | null;
  activationMean: number;
  activationStd: number;
}

export interface DiagnosticsReport {
  epoch: number;
  layers: LayerDiagnostics[];
  warnings: string[];
}

/** What the probe needs of one layer: its kernel and where its output lives in a plan. */
export interface ProbedLayer {
  layer: Layer;
  kernel: Weight;
  /** The value id of the layer's output (first call), and its floats per sample. */
  value: number;
  feat: number;
  activation: string | null;
  /** The value is one of the model's outputs. */
  output: boolean;
}

const RELU_FAMILY = new Set(['relu', 'relu6']);
const BOUNDS: Record<string, [number, number]> = {
  sigmoid: [0, 1],
  hard_sigmoid: [0, 1],
  tanh: [-1, 1],
};

/** How many of the n floats at p are below lo or above hi. */
function countOutside(f: Float32Array, p: number, n: number, lo: number, hi: number): number {
  let c = 0;
  for (let k = p; k < p + n; k++) {
    const v = f[k]!;
    if (v < lo || v > hi) c++;
  }
  return c;
}

class Acc {
  steps = 0;
  gradNorm = 0;
  updates = 0;
  ratio = 0;
  n = 0;
  sq = 0;
  saturated = 0;
  reset(): void {
    this.steps = this.gradNorm = this.updates = this.ratio = this.n = this.sq = this.saturated = 0;
  }
}

/**
 * @internal The measurements inside a fit: `afterBackward` (gradients and outputs are in place),
 * `beforeUpdate` / `afterUpdate` around the optimizer step, `report` at an epoch's end.
 */
export class DiagnosticProbe {
  private readonly acc: Acc[];
  /** Floats at the start of the probe's block: each layer's output column sums over the epoch (feat floats each). */
  private readonly colFloats: number;
  /** The probe's block in kernel memory: the column sums, then a copy of every kernel before the update. */
  private readonly backup: number;
  constructor(
    private readonly be: Backend,
    readonly layers: readonly ProbedLayer[],
    /** Gives a block of at least `floats` floats in kernel memory (the model's). */
    alloc: (floats: number) => number,
  ) {
    this.acc = layers.map(() => new Acc());
    this.colFloats = layers.reduce((a, l) => a + l.feat, 0);
    const backup = (this.backup = alloc(this.colFloats + layers.reduce((a, l) => a + l.kernel.size, 0)));
    be.heap.f32.fill(0, backup >> 2, (backup >> 2) + this.colFloats);
  }

  /**
   * Gradient norms and output statistics of a step of M samples (outputs at y[value]): two kernel calls
   * per layer — the outputs' column sums added into the epoch's (a ReLU unit whose sum stays 0 was 0 for
   * every sample) and their sum of squares — and, for a bounded activation, a count of the saturated.
   */
  afterBackward(y: readonly number[], M: number): void {
    const be = this.be,
      f = be.heap.f32;
    let cols = this.backup;
    for (let i = 0; i < this.layers.length; i++) {
      const l = this.layers[i]!,
        a = this.acc[i]!;
      a.steps++;
      a.gradNorm += Math.sqrt(this.be.sumSquares(l.kernel.grad, l.kernel.size));
      const U = l.feat,
        n = M * U,
        p = y[l.value]!;
      a.sq += be.colSumSquares(p, M, U, cols, 1);
      a.n += n;
      cols += U * 4;
      const bounds = l.activation !== null ? BOUNDS[l.activation] : undefined;
      if (bounds !== undefined) a.saturated += countOutside(f, p >> 2, n, bounds[0] + 0.02, bounds[1] - 0.02);
    }
  }
  /** Keep the kernels as they are before the optimizer changes them. */
  beforeUpdate(): void {
    const f = this.be.heap.f32;
    let off = (this.backup >> 2) + this.colFloats;
    for (const l of this.layers) {
      const w = l.kernel,
        p = w.ptr >> 2;
      f.copyWithin(off, p, p + w.size);
      off += w.size;
    }
  }
  /** ‖Δw‖ / ‖w‖ of the update just made. */
  afterUpdate(): void {
    const be = this.be;
    let off = this.backup + this.colFloats * 4;
    for (let i = 0; i < this.layers.length; i++) {
      const w = this.layers[i]!.kernel;
      const dw2 = be.sumSquaresDiff(w.ptr, off, w.size),
        w2 = be.sumSquares(w.ptr, w.size);
      const a = this.acc[i]!;
      a.updates++;
      a.ratio += w2 > 0 ? Math.sqrt(dw2 / w2) : 0;
      off += w.size * 4;
    }
  }

  /** The epoch's figures; the accumulators start over. */
  report(): LayerDiagnostics[] {
    const be = this.be,
      f = be.heap.f32;
    let cols = this.backup >> 2;
    const out = this.layers.map((l, i) => {
      const a = this.acc[i]!;
      let sum = 0,
        alive = 0;
      for (let u = 0; u < l.feat; u++) {
        const c = f[cols + u]!;
        sum += c;
        if (c !== 0) alive++;
      }
      cols += l.feat;
      const mean = a.n > 0 ? sum / a.n : 0;
      const r: LayerDiagnostics = {
        name: l.layer.name,
        output: l.output,
        activation: l.activation,
        gradNorm: a.steps > 0 ? a.gradNorm / a.steps : 0,
        weightNorm: Math.sqrt(this.be.sumSquares(l.kernel.ptr, l.kernel.size)),
        updateRatio: a.updates > 0 ? a.ratio / a.updates : null,
        deadFraction: l.activation !== null && RELU_FAMILY.has(l.activation) ? 1 - alive / l.feat : null,
        saturatedFraction: l.activation !== null && l.activation in BOUNDS ? (a.n > 0 ? a.saturated / a.n : 0) : null,
        activationMean: mean,
        activationStd: a.n > 0 ? Math.sqrt(Math.max(0, a.sq / a.n - mean * mean)) : 0,
      };
      a.reset();
      return r;
    });
    f.fill(0, this.backup >> 2, (this.backup >> 2) + this.colFloats);
    return out;
  }
}

const fmt = (x: number) =>
  x === 0 ? '0' : Math.abs(x) >= 1e-2 && Math.abs(x) < 1e4 ? x.toPrecision(3) : x.toExponential(1);
const pct = (x: number) => `${Math.round(x * 100)}%`;

/** A warning with the key it is shown once under (a kind and a layer). */
interface Warning {
  key: string;
  text: string;
}

/**
 * The warnings an epoch's figures give, in the founding text's terms, each naming the layer, the number
 * and a remedy. `previous`: the last reported epoch's figures (growth); `losses` / `valLosses`: every
 * epoch's so far.
 */
export function diagnose(
  layers: readonly LayerDiagnostics[],
  previous: readonly LayerDiagnostics[] | null,
  losses: readonly number[],
  valLosses: readonly number[],
  patience = 3,
): Warning[] {
  const out: Warning[] = [];
  if (layers.length > 0) {
    const last = layers[layers.length - 1]!;
    for (const l of layers.slice(0, -1)) {
      const tiny = l.gradNorm < 1e-7;
      const small = last.gradNorm > 0 && l.gradNorm < 1e-3 * last.gradNorm;
      if (tiny || small)
        out.push({
          key: `vanishing:${l.name}`,
          text: `vanishing gradients: layer '${l.name}' has a gradient norm of ${fmt(l.gradNorm)}${small ? `, ${fmt(l.gradNorm / last.gradNorm)} of the last layer's ('${last.name}': ${fmt(last.gradNorm)})` : ''}. Its weights barely learn. Try ReLU-family activations in place of sigmoid/tanh, He initialization, batch normalization, or fewer layers.`,
        });
    }
    for (const l of layers) {
      const prev = previous?.find((p) => p.name === l.name);
      const grew = prev !== undefined && prev.gradNorm > 0 && l.gradNorm > 10 * prev.gradNorm && l.gradNorm > 1;
      if (l.gradNorm > 1e3 || !Number.isFinite(l.gradNorm) || grew)
        out.push({
          key: `exploding:${l.name}`,
          text: `exploding gradients: layer '${l.name}' has a gradient norm of ${fmt(l.gradNorm)}${grew ? `, ${fmt(l.gradNorm / prev!.gradNorm)}× the last epoch's` : ''}. Clip them (optimizer clipnorm or globalClipnorm), lower the learning rate, use Glorot/He initialization, or add batch normalization.`,
        });
      if (l.deadFraction !== null && l.deadFraction >= 0.5)
        out.push({
          key: `dead:${l.name}`,
          text: `dead ReLUs: ${pct(l.deadFraction)} of layer '${l.name}'s units output 0 for every sample, so no gradient reaches their weights. Try leaky_relu or elu, He initialization, or a smaller learning rate.`,
        });
      if (l.saturatedFraction !== null && l.saturatedFraction > 0.5 && !l.output)
        out.push({
          key: `saturated:${l.name}`,
          text: `saturated ${l.activation}: ${pct(l.saturatedFraction)} of layer '${l.name}'s outputs are within 0.02 of their bounds, where the gradient is near 0. Standardize the inputs, use Glorot initialization or smaller weights, batch normalization, or ReLU-family activations.`,
        });
    }
  }
  const e = losses.length;
  if (valLosses.length >= patience + 1 && e >= patience + 1) {
    const v = valLosses.slice(-patience - 1),
      t = losses.slice(-patience - 1);
    let rising = true;
    for (let i = 1; i <= patience; i++) if (!(v[i]! > v[i - 1]! && t[i]! < t[i - 1]!)) rising = false;
    if (rising)
      out.push({
        key: 'overfitting',
        text: `over-fitting: the validation loss rose for ${patience} epochs (${fmt(v[0]!)} → ${fmt(v[patience]!)}) while the training loss fell (${fmt(t[0]!)} → ${fmt(t[patience]!)}). Try dropout, L2 regularization, more data, or early stopping with restoreBestWeights.`,
      });
  }
  if (e >= patience + 1) {
    const first = losses[0]!,
      now = losses[e - 1]!;
    if (Number.isFinite(first) && Number.isFinite(now) && first > 0 && (first - now) / first < 0.01)
      out.push({
        key: 'underfitting',
        text: `under-fitting: the training loss has stayed at ${fmt(now)} for ${e} epochs (from ${fmt(first)}, less than 1% lower). Try a larger learning rate, more units or layers, or check the inputs are scaled.`,
      });
  }
  return out;
}

export interface DiagnosticsArgs {
  /** Report every this many epochs (default 1). */
  every?: number;
  /** Called with each report. */
  onReport?: (r: DiagnosticsReport) => void | Promise<void>;
  /** Print each warning once, under the progress bar (default true). */
  warn?: boolean;
  /** Where warnings go (default: the console in Node, nothing in browsers). */
  print?: Printer;
}

/**
 * Measures each layer's gradients, updates and activations while the model trains and warns, once
 * each, about vanishing or exploding gradients, dead ReLUs, saturated units, over- and under-fitting.
 * Reports land in `history.diagnostics`.
 * @example await model.fit(x, y, { epochs: 20, callbacks: [sn.callbacks.diagnostics()] });
 */
export class Diagnostics extends Callback {
  readonly every: number;
  readonly warn: boolean;
  readonly reports: DiagnosticsReport[] = [];
  private readonly onReport: DiagnosticsArgs['onReport'];
  private readonly print: Printer;
  /** @internal The fit's probe (set by the model). */
  probe: DiagnosticProbe | null = null;
  private shown = new Set<string>();
  private losses: number[] = [];
  private valLosses: number[] = [];
  private previous: LayerDiagnostics[] | null = null;
  constructor(args: DiagnosticsArgs = {}) {
    super();
    if (typeof args !== 'object' || args === null) invalid('args', 'an object like { every: 1 }', args);
    const every = args.every ?? 1;
    if (!Number.isInteger(every) || every < 1) invalid('every', 'a positive integer', args.every);
    if (args.onReport !== undefined && typeof args.onReport !== 'function')
      invalid('onReport', 'a function of the report', args.onReport);
    this.every = every;
    this.warn = args.warn ?? true;
    this.onReport = args.onReport;
    this.print = args.print ?? defaultPrinter();
  }
  override onTrainBegin(): void {
    this.reports.length = 0;
    this.shown.clear();
    this.losses = [];
    this.valLosses = [];
    this.previous = null;
  }
  override async onEpochEnd(epoch: number, logs: Logs = {}): Promise<void> {
    if (typeof logs.loss === 'number') this.losses.push(logs.loss);
    if (typeof logs.val_loss === 'number') this.valLosses.push(logs.val_loss);
    if (this.probe === null || (epoch + 1) % this.every !== 0) return;
    const layers = this.probe.report();
    const warnings = diagnose(layers, this.previous, this.losses, this.valLosses);
    this.previous = layers;
    const report: DiagnosticsReport = { epoch, layers, warnings: warnings.map((w) => w.text) };
    this.reports.push(report);
    if (this.warn)
      for (const w of warnings)
        if (!this.shown.has(w.key)) {
          this.shown.add(w.key);
          this.pending.push(`⚠ ${w.text}`);
        }
    await this.onReport?.(report);
  }
  // Warnings are printed once the progress bar has drawn the epoch's line (it comes after every other
  // callback): at the next epoch's start, or at the end.
  override onEpochBegin(): void {
    this.flush();
  }
  override onTrainEnd(): void {
    this.flush();
  }
  private pending: string[] = [];
  private flush(): void {
    for (const line of this.pending) this.print(line, false);
    this.pending.length = 0;
  }
}

/** The diagnostics callback (issue 19). */
export const diagnostics = (args?: DiagnosticsArgs) => new Diagnostics(args);
