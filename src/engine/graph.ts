/**
 * The graph a model runs: symbolic tensors made by `sn.input()` and
 * `layer.apply()`, and the program the engine derives from a model's inputs
 * and outputs — its steps in a topological order, each step's input and
 * output values, and where an output that aliases its input (Flatten,
 * Reshape) really lives. A Sequential model is the same graph with one chain.
 *
 * Nothing here touches kernel memory: `src/engine/plan.ts` lays out buffers
 * for a program, the model runs it.
 */
import { NotSupportedError, ValueError } from '../errors.js';
import type { Layer } from '../layers.js';
import { shapeSize } from '../tensor.js';

/** One application of a layer: its input tensors and its output. */
export interface GraphNode {
  readonly layer: Layer;
  readonly inputs: readonly SymbolicTensor[];
  /** Set once the output tensor exists (right after the node). */
  output: SymbolicTensor;
}

let tensorCounter = 0;

/**
 * A placeholder for the values a layer will produce: its per-sample shape and
 * the node that makes it. `sn.input()` makes one, `layer.apply()` returns one.
 */
export class SymbolicTensor {
  readonly id = tensorCounter++;
  /** The per-sample shape (the batch dimension is not included). */
  readonly shape: number[];
  constructor(
    readonly node: GraphNode,
    shape: number[],
    readonly name: string,
  ) {
    this.shape = shape.slice();
  }
  /** The layer that produces this tensor. */
  get sourceLayer(): Layer {
    return this.node.layer;
  }
  /** Keras-style shape with the batch dimension: [null, ...shape]. */
  get batchShape(): (number | null)[] {
    return [null, ...this.shape];
  }
  toString(): string {
    return `SymbolicTensor(name=${this.name}, shape=[null, ${this.shape.join(', ')}])`;
  }
}

/** A value the program computes: a model input (step −1) or a step's output. */
export interface Value {
  shape: number[];
  /** Floats per sample. */
  feat: number;
  /** The step that produces it (−1 for a model input). */
  step: number;
  /** The value whose buffers it shares (itself unless produced by a layer that aliases its input). */
  storage: number;
  /** Steps that read it, in order. */
  consumers: number[];
}

/** One layer call of the program. */
export interface Step {
  layer: Layer;
  /** Value ids read (one unless the layer merges several). */
  inputs: number[];
  /** Value id written. */
  output: number;
  /** The graph node it runs. */
  node: GraphNode;
  /** The layer takes several inputs (forwardMulti/backwardMulti). */
  multi: boolean;
}

/** A model's graph in executable order. */
export interface Program {
  values: Value[];
  steps: Step[];
  /** Value ids of the model's inputs and outputs, in the model's order. */
  inputs: number[];
  outputs: number[];
  /** Each layer once, in the order of the steps (input layers first). */
  layers: Layer[];
  /** The input tensors the program starts from. */
  inputTensors: SymbolicTensor[];
  /** Per step: the step whose mask applies to its input (-1: none). */
  maskFrom: Int32Array;
  /** Per step that makes a mask: its steps per sample (0: it makes none). */
  maskSteps: Int32Array;
  /** Whether any step makes a mask. */
  masked: boolean;
}

/**
 * Keras's mask propagation over a program: a step whose layer produces a mask (an embedding with maskZero, a
 * masking layer) starts one; a layer whose maskMode is 'keep' passes its input's on; any other drops it.
 * Several inputs (a merge) must carry the same mask or none.
 */
function propagateMasks(values: Value[], steps: Step[]) {
  const ofValue = new Int32Array(values.length).fill(-1);
  const maskFrom = new Int32Array(steps.length).fill(-1),
    maskSteps = new Int32Array(steps.length);
  steps.forEach((s, i) => {
    const ms = [...new Set(s.inputs.map((v) => ofValue[v]!).filter((m) => m >= 0))];
    if (ms.length > 1)
      throw new NotSupportedError(
        `Layer '${s.layer.name}' (${s.layer.className}) merges sequences masked by different layers (${ms.map((m) => `'${steps[m]!.layer.name}'`).join(', ')}); simdnet passes one mask through a merge.`,
      );
    const m = ms.length === 1 ? ms[0]! : -1;
    maskFrom[i] = m;
    const mode = s.layer.maskMode();
    if (mode === 'produce') {
      maskSteps[i] = values[s.output]!.shape[0]!;
      ofValue[s.output] = i;
    } else if (mode === 'keep') ofValue[s.output] = m;
  });
  return { maskFrom, maskSteps, masked: maskSteps.some((t) => t > 0) };
}

/**
 * The program that computes `outputs` from `inputs`: the nodes they need, in
 * a topological order (depth first from the outputs, inputs visited in
 * order). Refuses a graph that needs a tensor the inputs cannot give.
 */
export function compileProgram(inputs: readonly SymbolicTensor[], outputs: readonly SymbolicTensor[]): Program {
  const values: Value[] = [];
  const steps: Step[] = [];
  const ids = new Map<SymbolicTensor, number>();
  for (const t of inputs) {
    ids.set(t, values.length);
    values.push({ shape: t.shape.slice(), feat: shapeSize(t.shape), step: -1, storage: values.length, consumers: [] });
  }
  // Depth first from the outputs, with an explicit stack (a deep model must not overflow the call stack):
  // a tensor is entered, its inputs visited in order, then it gets its step.
  const visiting = new Set<SymbolicTensor>();
  const visit = (root: SymbolicTensor): number => {
    const stack: { t: SymbolicTensor; next: number }[] = [{ t: root, next: 0 }];
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!,
        t = top.t;
      if (top.next === 0) {
        if (ids.has(t)) {
          stack.pop();
          continue;
        }
        if (t.node.inputs.length === 0) {
          throw new ValueError(
            `Graph disconnected: the outputs need the input '${t.name}' (shape [null, ${t.shape.join(', ')}]), which is not among the model's inputs (${inputs.map((x) => `'${x.name}'`).join(', ') || 'none'}). Pass it in \`inputs\`.`,
          );
        }
        if (visiting.has(t)) throw new ValueError(`The graph has a cycle at '${t.name}'.`);
        visiting.add(t);
      }
      if (top.next < t.node.inputs.length) {
        const inp = t.node.inputs[top.next++]!;
        if (!ids.has(inp)) stack.push({ t: inp, next: 0 });
        continue;
      }
      stack.pop();
      visiting.delete(t);
      const ins = t.node.inputs.map((x) => ids.get(x)!);
      const step = steps.length,
        id = values.length;
      const layer = t.node.layer;
      const storage = layer.aliasesInput() ? values[ins[0]!]!.storage : id;
      values.push({ shape: t.shape.slice(), feat: shapeSize(t.shape), step, storage, consumers: [] });
      for (const i of ins) values[i]!.consumers.push(step);
      steps.push({ layer, inputs: ins, output: id, node: t.node, multi: layer.multiInput });
      ids.set(t, id);
    }
    return ids.get(root)!;
  };
  const outIds = outputs.map(visit);
  const layers: Layer[] = [];
  for (const t of inputs) if (!layers.includes(t.node.layer)) layers.push(t.node.layer);
  for (const s of steps) if (!layers.includes(s.layer)) layers.push(s.layer);
  const inIds = inputs.map((t) => ids.get(t)!);
  return {
    values,
    steps,
    inputs: inIds,
    outputs: outIds,
    layers,
    inputTensors: inputs.slice(),
    ...propagateMasks(values, steps),
  };
}

/**
 * The nodes of each layer in a program, in step order: a layer applied twice
 * (shared) has two. Saving numbers a layer's nodes this way.
 */
export function nodesByLayer(p: Program): Map<Layer, GraphNode[]> {
  const m = new Map<Layer, GraphNode[]>();
  for (const t of p.inputTensors) m.set(t.node.layer, [t.node]);
  for (const s of p.steps) {
    const list = m.get(s.layer) ?? [];
    if (!list.includes(s.node)) list.push(s.node);
    m.set(s.layer, list);
  }
  return m;
}
