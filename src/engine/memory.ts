/**
 * Kernel memory. A weight's value and gradient belong to the weight: placed
 * on a backend the first time a model using it runs there, shared by every
 * model that uses its layer (an encoder and the autoencoder around it), moved
 * when the backend changes, brought back to JS memory by `release()`, and
 * freed when the weight itself is garbage-collected. A model's own memory —
 * its GEMM workspace, its optimizer's slots per weight, its buffer plans
 * (src/engine/plan.ts decides their layout) and TerminateOnNaN's backup — is
 * recorded here and freed by a FinalizationRegistry when the model is dropped,
 * or at once by `release()`.
 */
import { getBackend } from '../backend/index.js';
import type { Backend } from '../backend/types.js';
import { SimdnetError } from '../errors.js';
import type { Weight } from '../layers.js';
import type { Optimizer, ParamSlots } from '../optimizers.js';
import type { Program } from './graph.js';
import { type Plan, layOutPlan, planFloats } from './plan.js';

/** Frees blocks of a dropped model or weight. */
const registry =
  typeof FinalizationRegistry !== 'undefined'
    ? new FinalizationRegistry<{ be: Backend; blocks: number[] }>((held) => {
        for (const p of held.blocks) {
          try {
            held.be.heap.release(p);
          } catch {
            /* already gone */
          }
        }
        held.blocks.length = 0;
      })
    : null;

const mib = (b: number) => `${(Math.max(0, b) / 2 ** 20).toFixed(1)} MiB`;

/** Put a weight's value (and gradient, if trainable) on `be`, moving it from JS memory or another backend. */
export function placeWeight(w: Weight, be: Backend): void {
  if (w.be === be) return;
  const values = w.be ? w.be.heap.read(w.ptr, w.size) : w.pending!;
  const ptr = be.heap.allocF32(Math.max(1, w.size));
  let grad: number;
  try {
    grad = w.trainable ? be.heap.allocF32(Math.max(1, w.size)) : 0;
  } catch (e) {
    be.heap.release(ptr);
    throw e;
  }
  be.heap.write(ptr, values);
  if (grad) be.heap.view(grad, w.size).fill(0);
  if (w.be) freeWeight(w);
  w.ptr = ptr;
  w.grad = grad;
  w.be = be;
  w.pending = null;
  registry?.register(w, { be, blocks: grad ? [ptr, grad] : [ptr] }, w);
}

/** Bring a weight's value back to JS memory and free its blocks. */
export function unplaceWeight(w: Weight): void {
  if (!w.be) return;
  w.pending = w.be.heap.read(w.ptr, w.size);
  freeWeight(w);
}

function freeWeight(w: Weight): void {
  const heap = w.be!.heap;
  heap.release(w.ptr);
  if (w.grad) heap.release(w.grad);
  registry?.unregister(w);
  w.be = null;
  w.ptr = 0;
  w.grad = 0;
}

export class ModelMemory {
  private placement: { be: Backend; blocks: number[]; ws: number } | null = null;
  private plans: Plan[] = [];
  /** The optimizer's slots of each trainable weight (this model's: a shared weight has one set per model). */
  private slots = new Map<Weight, number[]>();
  /** Every block this model owns, for the finalizer. */
  private owned = { be: null as unknown as Backend, blocks: [] as number[] };
  private backup = 0;

  /** `name` gives the model's name, for messages. */
  constructor(private readonly name: () => string) {}

  get placed(): boolean {
    return this.placement !== null;
  }
  /** The backend the model runs on (placed models only). */
  get be(): Backend {
    return this.placement!.be;
  }
  /** This model's GEMM workspace. */
  get ws(): number {
    return this.placement!.ws;
  }

  /** Whether the model and every one of `weights` are on the current backend (nothing to do before a call). */
  ready(weights: readonly Weight[]): boolean {
    const be = getBackend();
    if (this.placement?.be !== be) return false;
    for (let i = 0; i < weights.length; i++) if (weights[i]!.be !== be) return false;
    return true;
  }

  private alloc(floats: number, into: number[]): number {
    const p = this.placement!.be.heap.allocF32(Math.max(1, floats));
    into.push(p);
    this.owned.blocks.push(p);
    return p;
  }
  private free(blocks: number[]): void {
    const heap = this.owned.be.heap;
    const set = new Set(blocks);
    for (const p of blocks) heap.release(p);
    this.owned.blocks = this.owned.blocks.filter((p) => !set.has(p));
    blocks.length = 0;
  }

  /**
   * Put the model on the current backend: its workspace, its weights (those
   * not there yet: another model may have placed or released them) and its
   * optimizer's slots, carried across when the backend changed. Refuses, with
   * the numbers, a model that cannot fit, before touching anything.
   */
  place(weights: Weight[], optimizer: Optimizer | null): void {
    const be = getBackend();
    const slotCount = optimizer?.slotNames().length ?? 0;
    const moving = this.placement !== null && this.placement.be !== be;
    let floats = this.placement?.be === be ? 0 : be.gemmWorkspaceBytes / 4;
    for (const w of weights) {
      if (w.be !== be) floats += w.size * (w.trainable ? 2 : 1);
      if (w.trainable && (moving || this.placement === null)) floats += w.size * slotCount;
    }
    const free = be.heap.maxBytes - be.heap.liveBytes - 65536;
    if (floats * 4 > free) {
      throw new SimdnetError(
        `Out of kernel memory: model '${this.name()}' needs ${mib(floats * 4)} for its weights, gradients and optimizer state, but only ${mib(free)} of the ${(be.heap.maxBytes / 2 ** 20).toFixed(0)} MiB maximum are free. Use fewer or smaller layers, or release models you no longer need (model.release()).`,
      );
    }
    if (this.placement?.be !== be) {
      // First placement, or the backend changed: the optimizer state comes along.
      const slotValues = moving
        ? weights.map((w) => (this.slots.get(w) ?? []).map((s) => this.placement!.be.heap.read(s, w.size)))
        : null;
      this.releaseAll();
      this.placement = { be, blocks: [], ws: 0 };
      this.owned = { be, blocks: [] };
      try {
        this.placement.ws = this.alloc(Math.ceil(be.gemmWorkspaceBytes / 4), this.placement.blocks);
        for (const w of weights) placeWeight(w, be);
        if (optimizer) this.allocateSlots(weights, optimizer, slotValues);
      } catch (e) {
        this.releaseAll();
        throw e;
      }
      registry?.register(this, this.owned, this);
      return;
    }
    for (const w of weights) placeWeight(w, be);
  }

  /** The optimizer's slots for each trainable weight: the values given (same kind of optimizer), else initial. */
  allocateSlots(weights: Weight[], opt: Optimizer, values?: Float32Array[][] | null): void {
    const be = this.be;
    const names = opt.slotNames();
    weights.forEach((w, i) => {
      if (!w.trainable) return;
      this.slots.set(
        w,
        names.map((_, k) => {
          const p = this.alloc(w.size, this.placement!.blocks);
          const old = values?.[i]?.[k];
          if (old && old.length === w.size) be.heap.write(p, old);
          else be.heap.view(p, w.size).fill(opt.slotInit(k));
          return p;
        }),
      );
    });
  }

  releaseSlots(): void {
    const slots = [...this.slots.values()].flat();
    this.placement!.blocks = this.placement!.blocks.filter((p) => !slots.includes(p));
    this.free(slots);
    this.slots.clear();
  }

  /** A weight's slots in this model (empty before the model is compiled and placed). */
  slotsOf(w: Weight): number[] {
    return this.slots.get(w) ?? [];
  }

  /** The optimizer's view of `trainable`: pointers, sizes, names and this model's slots (made once per fit). */
  params(trainable: Weight[]): ParamSlots[] {
    return trainable.map((w) => ({ ptr: w.ptr, grad: w.grad, size: w.size, name: w.name, slots: this.slotsOf(w) }));
  }

  private releaseAll(): void {
    if (!this.placement) return;
    for (const plan of this.plans) this.free(plan.blocks);
    this.plans = [];
    if (this.backup) {
      this.free([this.backup]);
      this.backup = 0;
    }
    this.free(this.placement.blocks);
    this.slots.clear();
    registry?.unregister(this);
    this.placement = null;
  }

  /**
   * Free this model's memory and bring `weights` back to JS memory (a model
   * sharing them places them again when it runs).
   */
  release(weights: Weight[]): void {
    for (const w of weights) unplaceWeight(w);
    this.releaseAll();
  }

  /**
   * The buffers of `program` for batches of up to B samples, laid out once per
   * B: for training (a forward pass in training mode, or one the backward pass
   * follows) or for inference. A training plan serves inference too.
   */
  planFor(program: Program, B: number, training: boolean, targetWidths: number[]): Plan {
    const found = this.plans.find((p) => p.B === B && (p.training || !training));
    if (found) return found;
    // Keep at most two plans (typically one for training, one for inference); never drop one in use.
    while (this.plans.length >= 2) {
      const idx = this.plans.findIndex((p) => p.pinned === 0);
      if (idx < 0) break;
      this.free(this.plans[idx]!.blocks);
      this.plans.splice(idx, 1);
    }
    // Count the plan before laying it out, so one that cannot fit is refused with its numbers, nothing touched.
    const heap = this.be.heap;
    const need = planFloats(program, B, training, targetWidths) * 4,
      free = heap.maxBytes - heap.liveBytes - 65536;
    if (need > free) {
      throw new SimdnetError(
        `Out of kernel memory: ${training ? 'training' : 'running'} model '${this.name()}' at batch size ${B} needs ${mib(need)} for its ${training ? 'activations and gradients' : 'activations'}, but only ${mib(free)} of the ${(heap.maxBytes / 2 ** 20).toFixed(0)} MiB maximum are free. Use a smaller batchSize, or release models you no longer need (model.release()).`,
      );
    }
    const blocks: number[] = [];
    try {
      const plan = layOutPlan(program, B, training, targetWidths, (n) => this.alloc(n, blocks));
      plan.blocks = blocks;
      this.plans.push(plan);
      return plan;
    } catch (e) {
      this.free(blocks);
      throw e;
    }
  }

  /** Drop every plan (the program or the losses changed). */
  dropPlans(): void {
    if (!this.placement) return;
    for (const plan of this.plans) this.free(plan.blocks);
    this.plans = [];
  }

  /** A block of at least `floats` floats for the diagnostics probe (kept, grown when a fit needs more). */
  probeFor(floats: number): number {
    if (this.probe === 0 || this.probeFloats < floats) {
      this.probe = this.alloc(floats, []);
      this.probeFloats = floats;
    }
    return this.probe;
  }
  private probe = 0;
  private probeFloats = 0;

  /** A block to copy the weights into before a step TerminateOnNaN may undo (made once). */
  backupFor(floats: number): number {
    if (!this.backup) this.backup = this.alloc(floats, []);
    return this.backup;
  }

  /** Blocks this model owns (not its weights') and its plans. */
  stats(): { blocks: number; heapBytes: number; heapLive: number; plans: Plan[] } {
    const heap = this.placement?.be.heap;
    return {
      blocks: this.owned.blocks.length,
      heapBytes: heap?.byteLength ?? 0,
      heapLive: heap?.liveCount ?? 0,
      plans: this.plans,
    };
  }
}
