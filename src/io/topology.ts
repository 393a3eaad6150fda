/**
 * Topology → layers and the weights they need, with no model built: parsing
 * a Sequential or functional topology (branches, merges, shared layers,
 * several inputs and outputs), matching the expected
 * weights against a manifest, and diagnosing a manifest that does not fit.
 * The IOHandlers use it for their error messages, so it must not import the
 * model class (saving, below the model, reaches the handlers).
 */
import { DataError, NotSupportedError, SimdnetError, describe } from '../errors.js';
import { InputLayer, Layer } from '../layers.js';
import { CheckedSpec, DEFAULT_MAX_PARAMS, at, checkPlainData, isPlainObject } from './validate.js';
import { Cfg, InitGate, readLayer } from './config.js';
const MAX_LAYERS = 10_000;

// ------------------------------------------------------------------ topology → layers

/** A reference to a layer's output: [layer name, node index, tensor index], as Keras writes it. */
export interface TensorRef {
  layer: string;
  node: number;
  tensor: number;
}

/** A functional model's graph as read from a file: each layer's calls, and the model's inputs and outputs. */
export interface GraphPlan {
  /** Every layer (input layers included), in file order. */
  layers: Layer[];
  /** Per layer (same order): its nodes, each the list of tensors it reads. */
  nodes: TensorRef[][][];
  inputs: TensorRef[];
  outputs: TensorRef[];
}

export interface TopologyPlan {
  name: string | undefined;
  /** The layers that compute (input layers excluded), in file order. */
  layers: Layer[];
  /** Sequential: the input shape; functional: the first input's. */
  inputShape: number[];
  /** Every weight the built model will have, with its shape (matched by name). */
  expected: { name: string; shape: number[] }[];
  kerasVersion: string | undefined;
  /** A `training_config` the Keras converter left inside modelTopology. */
  embeddedTrainingConfig: unknown;
  /** A functional model's graph (null for a Sequential model). */
  graph: GraphPlan | null;
}

function readRef(e: unknown, path: string): TensorRef {
  if (
    !Array.isArray(e) ||
    typeof e[0] !== 'string' ||
    (e[1] !== undefined && !Number.isInteger(e[1])) ||
    (e[2] !== undefined && !Number.isInteger(e[2]))
  ) {
    throw new DataError(`${path}: expected [layerName, nodeIndex, tensorIndex]. Received: ${describe(e)}`);
  }
  const ref = { layer: e[0], node: (e[1] as number | undefined) ?? 0, tensor: (e[2] as number | undefined) ?? 0 };
  if (ref.node < 0 || ref.tensor < 0)
    throw new DataError(`${path}: node and tensor indices must be ≥ 0. Received: ${describe(e)}`);
  return ref;
}

/** The inbound tensors of each node of a functional-API layer (Keras 2 / TF.js or Keras 3 node format). */
function inboundOf(nodes: unknown, path: string): TensorRef[][] {
  if (nodes === undefined || nodes === null) return [];
  if (!Array.isArray(nodes)) throw new DataError(`${path}: expected an array of nodes. Received: ${describe(nodes)}`);
  if (nodes.length > 1000) throw new DataError(`${path}: ${nodes.length} nodes; at most 1000 are accepted.`);
  return nodes.map((node, k) => {
    const np = at(path, k);
    if (Array.isArray(node)) {
      // Keras 2 / TF.js: [[inboundLayerName, nodeIndex, tensorIndex, kwargs], ...]
      return node.map((e, i) => readRef(e, at(np, i)));
    }
    if (isPlainObject(node)) {
      // Keras 3: { args: [{ class_name: '__keras_tensor__', config: { keras_history: [name, node, tensor] } }] or [[t1,
      // t2]], kwargs }
      const refs: TensorRef[] = [];
      const visit = (a: unknown, depth: number): void => {
        if (depth > 4) return;
        if (Array.isArray(a)) {
          a.forEach((x) => visit(x, depth + 1));
          return;
        }
        if (isPlainObject(a) && a.class_name === '__keras_tensor__' && isPlainObject(a.config))
          refs.push(readRef(a.config.keras_history, `${np}.args`));
      };
      visit(node.args, 0);
      return refs;
    }
    throw new DataError(`${np}: expected a node. Received: ${describe(node)}`);
  });
}

/** `input_layers` / `output_layers`: a list of [name, node, tensor], or one such triple. */
function readRefs(v: unknown, path: string): TensorRef[] {
  if (!Array.isArray(v) || v.length === 0)
    throw new DataError(`${path}: expected [[layerName, nodeIndex, tensorIndex], ...]. Received: ${describe(v)}`);
  if (typeof v[0] === 'string') return [readRef(v, path)];
  return v.map((e, i) => readRef(e, at(path, i)));
}

/** A functional model's layers (unbuilt) and graph. */
function readFunctional(
  c: Cfg,
  gate: InitGate,
  maxParams: number,
  kerasVersion: string | undefined,
): { graph: GraphPlan; path: string } {
  const raw = c.get('layers');
  const lp = c.p('layers');
  if (!Array.isArray(raw)) throw new DataError(`${lp}: expected an array of layers. Received: ${describe(raw)}`);
  if (raw.length > MAX_LAYERS) throw new DataError(`${lp}: ${raw.length} layers; at most ${MAX_LAYERS} are accepted.`);
  const layers: Layer[] = [],
    nodes: TensorRef[][][] = [];
  raw.forEach((l, i) => {
    const p = at(lp, i);
    if (!isPlainObject(l))
      throw new DataError(
        `${p}: expected a layer { class_name, config, name, inbound_nodes }. Received: ${describe(l)}`,
      );
    const layer = readLayer(l, p, gate, maxParams, kerasVersion);
    const name = l.name ?? (isPlainObject(l.config) ? l.config.name : undefined);
    if (name !== undefined && name !== layer.name)
      throw new DataError(`${p}.name: '${describe(name)}' differs from its config's name '${layer.name}'.`);
    layers.push(layer);
    nodes.push(layer instanceof InputLayer ? [] : inboundOf(l.inbound_nodes, `${p}.inbound_nodes`));
  });
  return {
    graph: {
      layers,
      nodes,
      inputs: readRefs(c.get('input_layers'), c.p('input_layers')),
      outputs: readRefs(c.get('output_layers'), c.p('output_layers')),
    },
    path: lp,
  };
}

/**
 * Walk a functional graph's shapes without building anything: each node's
 * output shape from its inputs', each layer's weights from its first node
 * (a shared layer must see the same shapes every time). Refuses references to
 * layers or nodes that do not exist, and graphs that never complete (cycles).
 */
function walkGraph(
  g: GraphPlan,
  lp: string,
  maxParams: number,
): { expected: { name: string; shape: number[] }[]; inputShape: number[] } {
  const index = new Map(g.layers.map((l, i) => [l.name, i]));
  const shapes = new Map<string, number[][]>(); // `${layer}#${node}` → the shapes of the tensors it returns
  const key = (r: TensorRef) => `${r.layer}#${r.node}`;
  const shapeOf = (r: TensorRef) => shapes.get(key(r))![r.tensor]!;
  g.layers.forEach((l) => {
    if (l instanceof InputLayer) shapes.set(`${l.name}#0`, [l.declaredInputShape!.slice()]);
  });
  const check = (r: TensorRef, p: string) => {
    const i = index.get(r.layer);
    if (i === undefined) throw new DataError(`${p}: layer '${r.layer}' is not a layer of the model.`);
    const l = g.layers[i]!;
    const count = l instanceof InputLayer ? 1 : g.nodes[i]!.length;
    if (r.node >= count)
      throw new DataError(`${p}: layer '${r.layer}' has ${count} node(s); node ${r.node} does not exist.`);
  };
  g.inputs.forEach((r, i) => {
    check(r, at(`${lp.replace(/\.layers$/, '')}.input_layers`, i));
    if (!(g.layers[index.get(r.layer)!] instanceof InputLayer))
      throw new DataError(`input_layers[${i}]: '${r.layer}' is not an InputLayer.`);
  });
  g.outputs.forEach((r, i) => check(r, at(`${lp.replace(/\.layers$/, '')}.output_layers`, i)));
  g.nodes.forEach((ns, i) =>
    ns.forEach((refs, k) => refs.forEach((r, j) => check(r, `${at(lp, i)}.inbound_nodes[${k}][${j}]`))),
  );
  const expected: { name: string; shape: number[] }[] = [];
  const firstShapes = new Map<number, number[][]>();
  let params = 0;
  let progress = true;
  while (progress) {
    progress = false;
    g.layers.forEach((l, i) => {
      g.nodes[i]!.forEach((refs, k) => {
        if (shapes.has(`${l.name}#${k}`) || !refs.every((r) => shapes.has(key(r)))) return;
        const p = `${at(lp, i)}.inbound_nodes[${k}]`;
        if (refs.length === 0) throw new DataError(`${p}: a node with no inputs.`);
        for (const [j, r] of refs.entries()) {
          const n = shapes.get(key(r))!.length;
          if (r.tensor >= n)
            throw new DataError(
              `${p}[${j}]: layer '${r.layer}' returns ${n} tensor(s); tensor ${r.tensor} does not exist.`,
            );
        }
        const ins = refs.map(shapeOf);
        for (const s of ins)
          if (s.reduce((a, b) => a * b, 1) > maxParams)
            throw new DataError(
              `${p}: an input with more than ${maxParams} features per sample; refused as implausible.`,
            );
        let out: number[][];
        try {
          out = l.outputShapesFor(ins);
        } catch (e) {
          if (e instanceof SimdnetError) throw new NotSupportedError(`${p}: ${e.message}`);
          throw e;
        }
        const first = firstShapes.get(i);
        if (!first) {
          firstShapes.set(i, ins);
          for (const w of l.expectedWeights(ins[0]!)) {
            params += w.shape.reduce((a, b) => a * b, 1);
            if (params > maxParams)
              throw new DataError(
                `${at(lp, i)}: the model would have more than ${maxParams} parameters (reached at weight '${w.name}'); refused as implausible. Raise the \`maxParams\` load option if this model is genuine.`,
              );
            expected.push(w);
          }
        } else if (first.map((s) => s.join()).join('|') !== ins.map((s) => s.join()).join('|')) {
          throw new NotSupportedError(
            `${p}: shared layer '${l.name}' is called on shapes ${ins.map((s) => `[${s}]`).join(', ')} after ${first.map((s) => `[${s}]`).join(', ')}; simdnet shares a layer across calls of one shape.`,
          );
        }
        shapes.set(`${l.name}#${k}`, out);
        progress = true;
      });
    });
  }
  const stuck = g.layers.flatMap((l, i) => g.nodes[i]!.map((_, k) => `${l.name}#${k}`)).filter((k) => !shapes.has(k));
  if (stuck.length > 0)
    throw new DataError(
      `${lp}: the graph never computes ${stuck
        .slice(0, 5)
        .map((k) => `'${k.replace('#', "' node ")}`)
        .join(', ')} (a cycle, or an input that is not a model input).`,
    );
  g.outputs.forEach((r, i) => {
    if (r.tensor >= shapes.get(key(r))!.length)
      throw new DataError(
        `${lp.replace(/\.layers$/, '')}.output_layers[${i}]: layer '${r.layer}' returns ${shapes.get(key(r))!.length} tensor(s); tensor ${r.tensor} does not exist.`,
      );
  });
  return { expected, inputShape: shapeOf(g.inputs[0]!) };
}

/** Parse a Keras-form topology into (unbuilt) layers, checking shapes and the parameter budget. */
export function parseTopology(topology: unknown, path: string, gate: InitGate, maxParams: number): TopologyPlan {
  if (!isPlainObject(topology))
    throw new DataError(`${path}: expected the Keras form { class_name, config }. Received: ${describe(topology)}`);
  checkPlainData(topology, path);
  let t: Record<string, unknown> = topology;
  let embeddedTrainingConfig: unknown;
  const kv = topology.keras_version;
  const kerasVersion = typeof kv === 'string' ? kv : undefined;
  if (isPlainObject(topology.model_config)) {
    // The Keras converter's form: { model_config: { class_name, config }, training_config }.
    embeddedTrainingConfig = topology.training_config;
    t = topology.model_config;
    path = `${path}.model_config`;
  }
  const cls = t.class_name ?? t.className;
  let layersRaw: unknown[];
  let layersPath: string;
  let name: string | undefined;
  let buildShape: unknown;
  if (cls === 'Sequential') {
    if (Array.isArray(t.config)) {
      layersRaw = t.config;
      layersPath = `${path}.config`;
    } else {
      const c = Cfg.of(t.config, `${path}.config`, 'a model config { name, layers }');
      const l = c.get('layers');
      if (!Array.isArray(l)) c.fail('layers', 'an array of layers', l);
      layersRaw = l as unknown[];
      layersPath = c.p('layers');
      name = c.str('name');
      buildShape = c.get('build_input_shape');
    }
  } else if (cls === 'Model' || cls === 'Functional') {
    const c = Cfg.of(t.config, `${path}.config`, 'a model config { name, layers, input_layers, output_layers }');
    name = c.str('name');
    if (name !== undefined && (name.length === 0 || name.length > 256))
      throw new DataError(
        `${path}.config.name: expected a non-empty string of at most 256 characters. Received: ${describe(name)}`,
      );
    const { graph, path: lp } = readFunctional(c, gate, maxParams, kerasVersion);
    const names = new Set<string>();
    graph.layers.forEach((l, i) => {
      if (names.has(l.name))
        throw new DataError(
          `${at(lp, i)}.config.name: two layers are named '${l.name}'; weight names would be ambiguous.`,
        );
      names.add(l.name);
    });
    const layers = graph.layers.filter((l) => !(l instanceof InputLayer));
    if (layers.length === 0) throw new DataError(`${lp}: the model has no layers.`);
    const { expected, inputShape } = walkGraph(graph, lp, maxParams);
    return { name, layers, inputShape, expected, kerasVersion, embeddedTrainingConfig, graph };
  } else if (typeof cls === 'string') {
    throw new NotSupportedError(
      `${path}.class_name: model class '${cls}' is not supported. Supported: Sequential, and functional models (Model, Functional).`,
    );
  } else
    throw new DataError(
      `${path}.class_name: expected 'Sequential' (or a functional 'Model'). Received: ${describe(cls)}`,
    );
  if (name !== undefined && (name.length === 0 || name.length > 256))
    throw new DataError(
      `${path}.config.name: expected a non-empty string of at most 256 characters. Received: ${describe(name)}`,
    );
  if (layersRaw.length > MAX_LAYERS)
    throw new DataError(`${layersPath}: ${layersRaw.length} layers; at most ${MAX_LAYERS} are accepted.`);
  const all = layersRaw.map((l, i) => readLayer(l, at(layersPath, i), gate, maxParams, kerasVersion));
  const names = new Set<string>();
  all.forEach((l, i) => {
    if (names.has(l.name))
      throw new DataError(
        `${at(layersPath, i)}.config.name: two layers are named '${l.name}'; weight names would be ambiguous.`,
      );
    names.add(l.name);
    if (l instanceof InputLayer && i > 0) throw new DataError(`${at(layersPath, i)}: an InputLayer must come first.`);
  });
  const layers = all.filter((l) => !(l instanceof InputLayer));
  if (layers.length === 0) throw new DataError(`${layersPath}: the model has no layers.`);
  let inputShape = all[0]!.declaredInputShape;
  if (
    !inputShape &&
    Array.isArray(buildShape) &&
    buildShape.length >= 2 &&
    buildShape.slice(1).every((d) => typeof d === 'number' && Number.isInteger(d) && d > 0 && d <= maxParams)
  ) {
    inputShape = buildShape.slice(1) as number[];
  }
  if (!inputShape)
    throw new DataError(
      `${at(layersPath, 0)}.config: the first layer declares no input shape (batch_input_shape); the model cannot be built.`,
    );
  // Walk the shapes and count parameters before anything is allocated.
  const expected: { name: string; shape: number[] }[] = [];
  let s = inputShape.slice(),
    params = 0;
  for (const l of layers) {
    const p = at(layersPath, all.indexOf(l));
    const inShape = s;
    if (inShape.reduce((a, b) => a * b, 1) > maxParams)
      throw new DataError(`${p}: its input has more than ${maxParams} features per sample; refused as implausible.`);
    try {
      s = l.outputShapeFor([inShape]);
    } catch (e) {
      if (e instanceof SimdnetError) throw new NotSupportedError(`${p}: ${e.message}`);
      throw e;
    }
    for (const w of l.expectedWeights(inShape)) {
      params += w.shape.reduce((a, b) => a * b, 1);
      if (params > maxParams)
        throw new DataError(
          `${p}: the model would have more than ${maxParams} parameters (reached at weight '${w.name}'); refused as implausible. Raise the \`maxParams\` load option if this model is genuine.`,
        );
      expected.push(w);
    }
  }
  return { name, layers, inputShape, expected, kerasVersion, embeddedTrainingConfig, graph: null };
}

// ------------------------------------------------------------------ weights by name

const stripIndex = (n: string) => n.replace(/:\d+$/, '');

/**
 * Pair each weight the model needs with its manifest entry: by exact name,
 * else by name without a TensorFlow `:0` suffix, else by a unique entry ending
 * in `/${name}` (a converter's scope prefix). Shapes must agree exactly, and
 * every model weight in the manifest must be used.
 */
export function matchWeights(
  expected: { name: string; shape: readonly number[] }[],
  specs: CheckedSpec[],
  where: string,
): CheckedSpec[] {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const byStripped = new Map<string, CheckedSpec | null>();
  for (const s of specs) {
    const k = stripIndex(s.name);
    byStripped.set(k, byStripped.has(k) ? null : s);
  }
  const used = new Set<string>();
  const out = expected.map((e) => {
    let s = byName.get(e.name) ?? byStripped.get(e.name) ?? undefined;
    if (!s) {
      const cands = specs.filter((x) => stripIndex(x.name).endsWith(`/${e.name}`));
      if (cands.length === 1) s = cands[0];
    }
    if (!s) {
      const have = specs.map((x) => `'${x.name}'`);
      throw new DataError(
        `${where}: weight '${e.name}' (shape [${e.shape.join(', ')}]) is missing from the weights manifest. The manifest holds: ${have.slice(0, 20).join(', ')}${have.length > 20 ? `, … (${have.length} in all)` : have.length === 0 ? 'nothing' : ''}.`,
      );
    }
    if (used.has(s.name))
      throw new DataError(`${where}: manifest weight '${s.name}' would be used twice (for '${e.name}').`);
    if (s.shape.length !== e.shape.length || s.shape.some((d, i) => d !== e.shape[i])) {
      throw new DataError(
        `${where}: weight '${e.name}' must have shape [${e.shape.join(', ')}] for this topology, but the manifest gives [${s.shape.join(', ')}] for '${s.name}'.`,
      );
    }
    used.add(s.name);
    return s;
  });
  const extra = specs.filter((s) => !used.has(s.name));
  if (extra.length > 0) {
    throw new DataError(
      `${where}: the weights manifest holds weights no layer of the model uses: ${extra
        .slice(0, 10)
        .map((s) => `'${s.name}'`)
        .join(', ')}${extra.length > 10 ? ', …' : ''}. The file does not belong to this topology.`,
    );
  }
  return out;
}

/**
 * For a manifest whose byte count is off: name the weight whose shape
 * disagrees with the topology, if there is one (a clearer message than
 * "truncated"). Returns quietly when it finds nothing or cannot tell.
 */
export function diagnoseWeights(
  topology: unknown,
  specs: CheckedSpec[],
  where: string,
  maxParams = DEFAULT_MAX_PARAMS,
): void {
  let plan: TopologyPlan;
  try {
    plan = parseTopology(topology, 'modelTopology', { skip: true }, maxParams);
  } catch {
    return;
  }
  matchWeights(
    plan.expected,
    specs.filter((s) => s.group !== 'optimizer'),
    where,
  );
}
