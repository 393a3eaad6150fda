/**
 * A model's kernel memory: where its weights, their gradients and optimizer
 * slots live on the current backend (its "placement"), the cache of buffer
 * plans (src/engine/plan.ts decides their layout), and the backup TerminateOnNaN
 * restores. Every block is recorded, so a dropped model's memory is freed by
 * a FinalizationRegistry and `release()` frees it at once.
 */
import { getBackend } from '../backend/index.js';
import type { Backend } from '../backend/types.js';
import { SimdnetError } from '../errors.js';
import type { Weight } from '../layers.js';
import type { Optimizer } from '../optimizers.js';
import type { Program } from './graph.js';
import { type Plan, layOutPlan, planFloats } from './plan.js';

/** Frees a dropped model's kernel memory. */
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

export class ModelMemory {
  private placement: { be: Backend; blocks: number[]; ws: number } | null = null;
  private plans: Plan[] = [];
  /** Every block of the placement and plans, for the finalizer. */
  private owned = { be: null as unknown as Backend, blocks: [] as number[] };
  private backup = 0;

  /** `owner` is the model (weights point back to it, weakly); `name` its name, for messages. */
  constructor(
    private readonly owner: object,
    private readonly name: () => string,
  ) {}

  get placed(): boolean {
    return this.placement !== null;
  }
  /** The backend the weights are on (placed models only). */
  get be(): Backend {
    return this.placement!.be;
  }
  /** This model's GEMM workspace. */
  get ws(): number {
    return this.placement!.ws;
  }
  /** Whether the weights are on the current backend. */
  get current(): boolean {
    return this.placement?.be === getBackend();
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
   * Put the weights in the current backend's memory (moving them, and the
   * optimizer state, if the backend changed). Refuses, with the numbers, a
   * model that cannot fit, before touching anything; a failure leaves the
   * weights in JS memory.
   */
  place(weights: Weight[], optimizer: Optimizer | null): void {
    const be = getBackend();
    if (this.placement?.be === be) return;
    let values: Float32Array[],
      slotValues: Float32Array[][] | null = null;
    if (this.placement) {
      const old = this.placement.be.heap;
      values = weights.map((w) => old.read(w.ptr, w.size));
      slotValues = weights.map((w) => w.slots.map((s) => old.read(s, w.size)));
    } else {
      values = weights.map((w) => w.pending!);
    }
    const floats = weights.reduce(
      (a, w) => a + w.size * (1 + (w.trainable ? 1 + (optimizer?.slotNames().length ?? 0) : 0)),
      0,
    );
    const need = floats * 4 + be.gemmWorkspaceBytes;
    const free = be.heap.maxBytes - be.heap.liveBytes - 65536;
    if (need > free) {
      throw new SimdnetError(
        `Out of kernel memory: model '${this.name()}' needs ${(need / 2 ** 20).toFixed(1)} MiB for its weights, gradients and optimizer state, but only ${mib(free)} of the ${(be.heap.maxBytes / 2 ** 20).toFixed(0)} MiB maximum are free. Use fewer or smaller layers, or release models you no longer need (model.release()).`,
      );
    }
    if (this.placement) this.releaseAll();
    const blocks: number[] = [];
    this.placement = { be, blocks, ws: 0 };
    this.owned = { be, blocks: [] };
    try {
      this.placement.ws = this.alloc(Math.ceil(be.gemmWorkspaceBytes / 4), blocks);
      weights.forEach((w, i) => {
        w.ptr = this.alloc(w.size, blocks);
        be.heap.write(w.ptr, values[i]!);
        w.grad = w.trainable ? this.alloc(w.size, blocks) : 0;
        if (w.grad) be.heap.view(w.grad, w.size).fill(0);
      });
      if (optimizer) this.allocateSlots(weights, optimizer, slotValues);
    } catch (e) {
      this.free(this.owned.blocks.slice());
      weights.forEach((w, i) => {
        w.pending = values[i]!;
        w.ptr = 0;
        w.grad = 0;
        w.slots = [];
      });
      this.placement = null;
      throw e;
    }
    const me = new WeakRef<object>(this.owner);
    for (const w of weights) {
      w.pending = null;
      w.owner = me;
    }
    registry?.register(this, this.owned, this);
  }

  /**
   * The optimizer's slots for each trainable weight: the values given (same optimizer kind), else its initial value.
   */
  allocateSlots(weights: Weight[], opt: Optimizer, values?: Float32Array[][] | null): void {
    const be = this.be;
    const names = opt.slotNames();
    weights.forEach((w, i) => {
      if (!w.trainable) return;
      w.slots = names.map((_, k) => {
        const p = this.alloc(w.size, this.placement!.blocks);
        const old = values?.[i]?.[k];
        if (old && old.length === w.size) be.heap.write(p, old);
        else be.heap.view(p, w.size).fill(opt.slotInit(k));
        return p;
      });
    });
  }

  releaseSlots(weights: Weight[]): void {
    const slots = weights.flatMap((w) => w.slots);
    this.placement!.blocks = this.placement!.blocks.filter((p) => !slots.includes(p));
    this.free(slots);
    for (const w of weights) w.slots = [];
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
    registry?.unregister(this);
    this.placement = null;
  }

  /** Bring the weights back to JS memory and free every block. */
  release(weights: Weight[]): void {
    if (!this.placement) return;
    const heap = this.be.heap;
    for (const w of weights) {
      w.pending = heap.read(w.ptr, w.size);
      w.ptr = 0;
      w.grad = 0;
      w.slots = [];
      w.owner = null;
    }
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

  /** Drop every plan (the program changed). */
  dropPlans(): void {
    if (!this.placement) return;
    for (const plan of this.plans) this.free(plan.blocks);
    this.plans = [];
  }

  /** A block to copy the weights into before a step TerminateOnNaN may undo (made once). */
  backupFor(floats: number): number {
    if (!this.backup) this.backup = this.alloc(floats, []);
    return this.backup;
  }

  /** Blocks held and, per plan, its batch size, kind and number of distinct activation buffers. */
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
