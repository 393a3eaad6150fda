/**
 * Buffer plans: where a program's activations, pre-activations, gradients and
 * scratch live for a batch of up to B samples. A plan is laid out once per
 * batch size and kind; a step then allocates nothing. This module decides the
 * layout — including, for the backward pass, which input gradients a step
 * writes directly and which it accumulates (a tensor read by several layers,
 * a layer applied several times) — and the model owns the memory (it passes
 * `alloc`) and the cache of plans.
 */
import type { LayerBuffers, Weight } from '../layers.js';
import type { Program } from './graph.js';

/** After a step's backward pass: add `feat` floats per sample from `from` into `to`. */
export interface Accumulate {
  from: number;
  to: number;
  feat: number;
}

export interface Plan {
  B: number;
  /**
   * A training plan keeps every step's output, pre-activation, gradient and scratch; an inference plan reuses a few
   * buffers.
   */
  training: boolean;
  /** Input rows, one buffer per model input. */
  xs: number[];
  /** Targets, one buffer per output (`targetWidths[k]` per sample), and the sample weights. */
  T: number[];
  W: number;
  /** Per step: its buffers. */
  bufs: LayerBuffers[];
  /** Per value: its output and gradient (0: none). */
  y: number[];
  dy: number[];
  /** Per step: the input pointer (first input) and all of them. */
  stepX: number[];
  stepXs: number[][];
  /**
   * Per step (training plans): where its backward pass writes each input's gradient (0: not needed) and what to add
   * afterwards.
   */
  stepDx: number[][];
  adds: (Accumulate[] | null)[];
  /**
   * Per step (training plans): the weights of a shared layer whose gradients this application adds rather than writes.
   */
  gradTemps: ({ w: Weight; temp: number }[] | null)[];
  /** The transient workspace every layer shares within one call (0 when no layer asks for one). */
  transient: number;
  /** Every block the plan owns (filled in by the caller that allocated them). */
  blocks: number[];
  /** Calls using the plan right now (a pinned plan is never evicted). */
  pinned: number;
}

/** Allocates `floats` floats of kernel memory; returns its byte offset (the caller records the block). */
export type PlanAlloc = (floats: number) => number;

/**
 * Lay out a plan for a program (its layers built) at batch size B.
 *
 * Training: each step that does not alias its input gets its output `y`, its
 * pre-activation `z` (its own when the layer needs it for the backward pass,
 * else `y`), its gradient `dy` and its scratch. A value read by several steps
 * gets its gradient written by the first step of the backward pass and added
 * by the others (through a shared temporary); a layer applied more than once
 * adds its later applications' weight gradients the same way.
 *
 * Inference: a value lives from the step that writes it to the last step that
 * reads it, so outputs take slots of the widest layer from a free list (a
 * chain alternates between two) and pre-activations share one more (an
 * output's own where a later step would overwrite it before the loss reads
 * it); no gradients and no scratch, since no layer's inference pass uses any.
 * A deep MLP's inference peak is three of its widest activations.
 *
 * Both: one transient workspace, the largest any layer asks for
 * (`transientFloats`), shared by every layer within a call.
 */
export function layOutPlan(p: Program, B: number, training: boolean, targetWidths: number[], alloc: PlanAlloc): Plan {
  const nv = p.values.length,
    ns = p.steps.length;
  const plan: Plan = {
    B,
    training,
    xs: [],
    T: targetWidths.map((w) => alloc(B * w)),
    W: alloc(B),
    transient: 0,
    bufs: [],
    y: new Array<number>(nv).fill(0),
    dy: new Array<number>(nv).fill(0),
    stepX: [],
    stepXs: [],
    stepDx: [],
    adds: [],
    gradTemps: [],
    blocks: [],
    pinned: 0,
  };
  const transient = Math.max(0, ...p.steps.map((s) => s.layer.planTransient(B, training)));
  if (transient > 0) plan.transient = alloc(transient);
  for (const v of p.inputs) {
    const x = alloc(B * p.values[v]!.feat);
    plan.xs.push(x);
    plan.y[v] = x;
  }
  const own = p.steps.filter((s) => !s.layer.aliasesInput());
  const widest = B * Math.max(1, ...own.map((s) => p.values[s.output]!.feat));

  if (!training) {
    // Liveness: the last step reading each storage (outputs, and the inputs of output steps, to the end).
    const end = ns;
    const lastUse = new Array<number>(nv).fill(-1);
    p.steps.forEach((s, i) => {
      for (const u of s.inputs) {
        const st = p.values[u]!.storage;
        lastUse[st] = Math.max(lastUse[st]!, i);
      }
    });
    for (const o of p.outputs) {
      lastUse[p.values[o]!.storage] = end;
      const st = p.values[o]!.step;
      if (st >= 0) for (const u of p.steps[st]!.inputs) lastUse[p.values[u]!.storage] = end;
    }
    const lastZ = p.steps.reduce((a, s, i) => (!s.layer.aliasesInput() && s.layer.planNeedsZ() ? i : a), -1);
    const outputSteps = new Set(p.outputs.map((o) => p.values[o]!.step));
    let zs = 0;
    const free: number[] = [],
      slotOf = new Map<number, number>();
    p.steps.forEach((s, i) => {
      const out = s.output;
      if (s.layer.aliasesInput()) {
        plan.y[out] = plan.y[s.inputs[0]!]!;
      } else {
        const y = free.pop() ?? alloc(widest);
        slotOf.set(out, y);
        plan.y[out] = y;
      }
      let z = plan.y[out]!;
      if (!s.layer.aliasesInput() && s.layer.planNeedsZ()) {
        if (outputSteps.has(i) && i !== lastZ) z = alloc(B * p.values[out]!.feat);
        else z = zs || (zs = alloc(widest));
      }
      plan.bufs.push({ y: plan.y[out]!, z, dy: 0, scratch: [] });
      // Release the slots whose last reader was this step.
      for (const u of new Set(s.inputs.map((q) => p.values[q]!.storage))) {
        if (lastUse[u] === i && slotOf.has(u)) {
          free.push(slotOf.get(u)!);
          slotOf.delete(u);
        }
      }
    });
  } else {
    p.steps.forEach((s) => {
      const out = s.output,
        n = B * p.values[out]!.feat;
      let buf: LayerBuffers;
      if (s.layer.aliasesInput())
        buf = { y: plan.y[s.inputs[0]!]!, z: plan.y[s.inputs[0]!]!, dy: plan.dy[s.inputs[0]!]!, scratch: [] };
      else {
        const y = alloc(n);
        buf = {
          y,
          z: s.layer.planNeedsZ() ? alloc(n) : y,
          dy: alloc(n),
          scratch: s.layer.planScratch(B).map((f) => alloc(f)),
        };
      }
      plan.y[out] = buf.y;
      plan.dy[out] = buf.dy;
      plan.bufs.push(buf);
    });
  }
  for (const s of p.steps) {
    plan.stepXs.push(s.inputs.map((u) => plan.y[u]!));
    plan.stepX.push(plan.y[s.inputs[0]!]!);
  }
  if (!training) return plan;

  // Backward: who writes each gradient and who adds to it, decided once.
  const written = new Set<number>();
  for (const o of p.outputs) written.add(p.values[o]!.storage);
  const temps: number[] = [];
  const seenLayer = new Set<unknown>();
  const layerTemps = new Map<unknown, { w: Weight; temp: number }[]>();
  const stepDx: number[][] = new Array(ns),
    adds: (Accumulate[] | null)[] = new Array(ns).fill(null);
  const gradTemps: ({ w: Weight; temp: number }[] | null)[] = new Array(ns).fill(null);
  for (let i = ns - 1; i >= 0; i--) {
    const s = p.steps[i]!;
    if (s.layer.aliasesInput()) {
      stepDx[i] = s.inputs.map(() => 0);
      continue;
    }
    let t = 0;
    stepDx[i] = s.inputs.map((u) => {
      const st = p.values[u]!.storage;
      if (plan.dy[u] === 0) return 0;
      if (!written.has(st)) {
        written.add(st);
        return plan.dy[u]!;
      }
      const temp = temps[t] ?? (temps[t] = alloc(widest));
      t++;
      (adds[i] ??= []).push({ from: temp, to: plan.dy[u]!, feat: p.values[u]!.feat });
      return temp;
    });
    if (seenLayer.has(s.layer)) {
      let list = layerTemps.get(s.layer);
      if (!list) {
        list = s.layer.weights.filter((w) => w.trainable).map((w) => ({ w, temp: alloc(w.size) }));
        layerTemps.set(s.layer, list);
      }
      gradTemps[i] = list;
    }
    seenLayer.add(s.layer);
  }
  plan.stepDx = stepDx;
  plan.adds = adds;
  plan.gradTemps = gradTemps;
  return plan;
}

/** The floats a plan would take, laid out with a counting allocator (nothing allocated). */
export function planFloats(p: Program, B: number, training: boolean, targetWidths: number[]): number {
  let floats = 0,
    fake = 0;
  layOutPlan(p, B, training, targetWidths, (n) => {
    floats += Math.max(1, n);
    return (fake += 16);
  });
  return floats;
}

/** Per plan: the distinct buffers holding layer outputs, pre-activations and gradients (not the input rows). */
export function activationBuffers(plan: Plan): number {
  const inputs = new Set(plan.xs);
  return new Set(plan.bufs.flatMap((b) => [b.y, b.z, b.dy]).filter((q) => q !== 0 && !inputs.has(q))).size;
}
