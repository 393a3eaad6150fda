/**
 * Buffer plans: where a model's activations, pre-activations, gradients and
 * scratch live for a batch of up to B rows. A plan is laid out once per batch
 * size and kind; a step then allocates nothing. This module decides the
 * layout; the model owns the memory (it passes `alloc`) and the cache of plans.
 */
import type { Layer, LayerBuffers } from '../layers.js';

export interface Plan {
  B: number;
  /** A training plan keeps every layer's output, pre-activation, gradient and scratch; an inference plan reuses three buffers. */
  training: boolean;
  /** Input rows, targets (`targetWidth` per row) and sample weights. */
  x0: number; T: number; W: number;
  bufs: LayerBuffers[];
  /** Every block the plan owns (filled in by the caller that allocated them). */
  blocks: number[];
  /** Calls using the plan right now (a pinned plan is never evicted). */
  pinned: number;
}

/** Allocates `floats` floats of kernel memory; returns its byte offset (the caller records the block). */
export type PlanAlloc = (floats: number) => number;

/**
 * Lay out a plan for `layers` (built) at batch size B.
 *
 * Training: each layer that does not alias its input gets its output `y`, its
 * pre-activation `z` (its own when the layer needs it for the backward pass,
 * else `y`), its gradient `dy` and its scratch. Inference: an output lives only
 * until the next layer has read it, so outputs alternate between two buffers
 * of the widest layer, and pre-activations share a third (the last layer's
 * stays valid for the loss: no later layer writes it); no gradients and no
 * scratch, since no layer's inference pass uses any. A deep MLP's inference
 * peak is three of its widest activations, not three per layer.
 */
export function layOutPlan(layers: readonly Layer[], B: number, training: boolean, inFeatures: number, targetWidth: number,
  alloc: PlanAlloc): Plan {
  const plan: Plan = {
    B, training, x0: alloc(B * inFeatures), T: alloc(B * targetWidth), W: alloc(B), bufs: [], blocks: [], pinned: 0,
  };
  if (!training) {
    const own = layers.filter((l) => !l.aliasesInput());
    const widest = B * Math.max(1, ...own.map((l) => l.outFeatures));
    const outs = [alloc(widest), alloc(widest)];
    const zs = own.some((l) => l.needsZ()) ? alloc(widest) : 0;
    let prevY = plan.x0, k = 0;
    for (const l of layers) {
      if (l.aliasesInput()) { plan.bufs.push({ y: prevY, z: prevY, dy: 0, scratch: [] }); continue; }
      const y = outs[k]!;
      k ^= 1;
      plan.bufs.push({ y, z: l.needsZ() ? zs : y, dy: 0, scratch: [] });
      prevY = y;
    }
    return plan;
  }
  let prevY = plan.x0, prevDy = 0;
  for (const l of layers) {
    let buf: LayerBuffers;
    if (l.aliasesInput()) buf = { y: prevY, z: prevY, dy: prevDy, scratch: [] };
    else {
      const n = B * l.outFeatures;
      const y = alloc(n);
      buf = { y, z: l.needsZ() ? alloc(n) : y, dy: alloc(n), scratch: l.scratchFloats(B).map((f) => alloc(f)) };
    }
    plan.bufs.push(buf);
    prevY = buf.y; prevDy = buf.dy;
  }
  return plan;
}

/** The floats a plan would take, laid out with a counting allocator (nothing allocated). */
export function planFloats(layers: readonly Layer[], B: number, training: boolean, inFeatures: number, targetWidth: number): number {
  let floats = 0, fake = 0;
  layOutPlan(layers, B, training, inFeatures, targetWidth, (n) => { floats += Math.max(1, n); return (fake += 16); });
  return floats;
}

/** Per plan: the distinct buffers holding layer outputs, pre-activations and gradients (not the input rows). */
export function activationBuffers(plan: Plan): number {
  return new Set(plan.bufs.flatMap((b) => [b.y, b.z, b.dy]).filter((q) => q !== 0 && q !== plan.x0)).size;
}
