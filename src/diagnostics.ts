/**
 * Training diagnostics (issue 19): the founding text's failure modes — vanishing and exploding
 * gradients, dead ReLUs, saturated sigmoids, over- and under-fitting — measured inside the training
 * step and said in words, with the remedy the text gives.
 *
 * `sn.callbacks.diagnostics()` is the callback a user adds; the model gives it a probe for the fit
 * (`DiagnosticProbe`), which reads the buffers the step already has through one kernel call per step
 * for every layer (probeStep: the founding model's whole step is ~9 µs, so a call per layer and figure
 * cost it 15%): each layer's kernel gradient norm, its output in the plan (column sums added into the
 * epoch's — a ReLU unit whose sum stays 0 was 0 for every sample — sum of squares, the count near a
 * bounded activation's bounds), and ‖Δw‖/‖w‖ of the last step's update against a copy it then renews.
 * Nothing is allocated per step; without the callback nothing is computed.
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

/**
 * @internal The measurements inside a fit: `afterBackward` (gradients and outputs are in place),
 * `afterBackward` again at the next step (which measures the update between), `report` at an epoch's end.
 */
export class DiagnosticProbe {
  /**
   * The probe's block in kernel memory (in floats from its start): 4 float64 accumulators per layer (at 0),
   * the kernels' table (16 i32 per layer, at `tab`), each layer's output column sums over the epoch (feat
   * floats each, at `cols`), then a copy of every kernel before its update.
   */
  private readonly block: number;
  private readonly tab: number;
  private readonly cols: number;
  /** The plan outputs the table points at, and whether an update was made since the last step's copy. */
  private y: readonly number[] | null = null;
  private pending = false;
  private steps = 0;
  private updates = 0;
  private samples = 0;
  constructor(
    private readonly be: Backend,
    readonly layers: readonly ProbedLayer[],
    /** Gives a block of at least `floats` floats in kernel memory (the model's). */
    alloc: (floats: number) => number,
  ) {
    const L = layers.length,
      colFloats = layers.reduce((a, l) => a + l.feat, 0);
    this.tab = 8 * L;
    this.cols = 24 * L;
    const block = (this.block = alloc(this.cols + colFloats + layers.reduce((a, l) => a + l.kernel.size, 0)));
    const heap = be.heap;
    heap.f32.fill(0, block >> 2, (block >> 2) + this.cols + colFloats);
    let cols = block + this.cols * 4,
      copy = cols + colFloats * 4;
    layers.forEach((l, i) => {
      const w = l.kernel,
        r = (block >> 2) + this.tab + 16 * i,
        bounds = l.activation !== null ? BOUNDS[l.activation] : undefined;
      // out (r + 3) is the plan's, written when the plan changes.
      heap.i32.set([w.grad, w.ptr, w.size, 0, l.feat, cols, copy, bounds !== undefined ? 1 : 0], r);
      if (bounds !== undefined) heap.f32.set([bounds[0] + 0.02, bounds[1] - 0.02], r + 8);
      cols += l.feat * 4;
      copy += w.size * 4;
    });
  }

  /**
   * A step of M samples (outputs at y[value]) has its gradients and outputs in place; `update`: the
   * optimizer will update the weights next. One kernel call for every layer measures the update made
   * since the last call (against the copy it made), adds the gradient norms, the outputs' column sums (a
   * ReLU unit whose sum stays 0 was 0 for every sample) and sum of squares, counts saturated outputs, and
   * copies the kernels for the update to come. (Kernels never grow the memory and every allocation
   * refreshes the heap's views, so they are current here.)
   */
  afterBackward(y: readonly number[], M: number, update = true): void {
    const be = this.be;
    if (y !== this.y) {
      const base = (this.block >> 2) + this.tab;
      for (let i = 0; i < this.layers.length; i++) be.heap.i32[base + 16 * i + 3] = y[this.layers[i]!.value]!;
      this.y = y;
    }
    be.probeStep(this.block + this.tab * 4, this.layers.length, M, this.block, this.pending ? 1 : 0);
    if (this.pending) this.updates++;
    this.pending = update;
    this.steps++;
    this.samples += M;
  }

  /** The epoch's figures; the accumulators start over. */
  report(): LayerDiagnostics[] {
    const be = this.be,
      L = this.layers.length;
    if (this.pending) {
      be.probeUpdate(this.block + this.tab * 4, L, this.block);
      this.updates++;
      this.pending = false;
    }
    const f = be.heap.f32,
      acc = be.heap.f64,
      steps = this.steps,
      updates = this.updates;
    let cols = (this.block >> 2) + this.cols;
    const out = this.layers.map((l, i) => {
      const a = (this.block >> 3) + 4 * i;
      let sum = 0,
        alive = 0;
      for (let u = 0; u < l.feat; u++) {
        const c = f[cols + u]!;
        sum += c;
        if (c !== 0) alive++;
      }
      cols += l.feat;
      const n = this.samples * l.feat;
      const mean = n > 0 ? sum / n : 0;
      return {
        name: l.layer.name,
        output: l.output,
        activation: l.activation,
        gradNorm: steps > 0 ? acc[a]! / steps : 0,
        weightNorm: Math.sqrt(be.sumSquares(l.kernel.ptr, l.kernel.size)),
        updateRatio: updates > 0 ? acc[a + 2]! / updates : null,
        deadFraction: l.activation !== null && RELU_FAMILY.has(l.activation) ? 1 - alive / l.feat : null,
        saturatedFraction: l.activation !== null && l.activation in BOUNDS ? (n > 0 ? acc[a + 3]! / n : 0) : null,
        activationMean: mean,
        activationStd: n > 0 ? Math.sqrt(Math.max(0, acc[a + 1]! / n - mean * mean)) : 0,
      };
    });
    f.fill(0, this.block >> 2, (this.block >> 2) + this.tab);
    f.fill(0, (this.block >> 2) + this.cols, cols);
    this.steps = this.updates = this.samples = 0;
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
