/**
 * Topology → layers and the weights they need, with no model built: parsing
 * a Sequential or single-chain functional topology, matching the expected
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

export interface TopologyPlan {
  name: string | undefined;
  layers: Layer[];
  inputShape: number[];
  /** Every weight the built model will have, in the model's order. */
  expected: { name: string; shape: number[] }[];
  kerasVersion: string | undefined;
  /** A `training_config` the Keras converter left inside modelTopology. */
  embeddedTrainingConfig: unknown;
}

/** The inbound layer names of a functional-API layer (Keras 2 / TF.js or Keras 3 node format). */
function inboundOf(nodes: unknown, path: string): string[] {
  if (nodes === undefined || nodes === null) return [];
  if (!Array.isArray(nodes)) throw new DataError(`${path}: expected an array of nodes. Received: ${describe(nodes)}`);
  if (nodes.length === 0) return [];
  if (nodes.length > 1) throw new NotSupportedError(`${path}: a layer called more than once (a shared layer) is not supported; simdnet loads single chains of layers.`);
  const node = nodes[0];
  const names: string[] = [];
  if (Array.isArray(node)) {
    // Keras 2 / TF.js: [[inboundLayerName, nodeIndex, tensorIndex, kwargs], ...]
    for (const e of node) {
      if (!Array.isArray(e) || typeof e[0] !== 'string') throw new DataError(`${path}[0]: expected [layerName, nodeIndex, tensorIndex]. Received: ${describe(e)}`);
      names.push(e[0]);
    }
  } else if (isPlainObject(node)) {
    // Keras 3: { args: [{ class_name: '__keras_tensor__', config: { keras_history: [name, 0, 0] } }], kwargs }
    const visit = (a: unknown, depth: number): void => {
      if (depth > 4) return;
      if (Array.isArray(a)) { a.forEach((x) => visit(x, depth + 1)); return; }
      if (isPlainObject(a) && a.class_name === '__keras_tensor__' && isPlainObject(a.config) && Array.isArray(a.config.keras_history) && typeof a.config.keras_history[0] === 'string') {
        names.push(a.config.keras_history[0]);
      }
    };
    visit(node.args, 0);
  } else throw new DataError(`${path}[0]: expected a node. Received: ${describe(node)}`);
  if (names.length > 1) throw new NotSupportedError(`${path}: a layer with ${names.length} inputs (a merge such as Add or Concatenate) is not supported; simdnet loads single chains of layers.`);
  return names;
}

/** The layers of a functional model that is one chain input → … → output, in order. */
function linearize(c: Cfg): { layers: unknown[]; path: string } {
  const raw = c.get('layers');
  const lp = c.p('layers');
  if (!Array.isArray(raw)) throw new DataError(`${lp}: expected an array of layers. Received: ${describe(raw)}`);
  const byName = new Map<string, { raw: unknown; inbound: string[] }>();
  raw.forEach((l, i) => {
    const p = at(lp, i);
    if (!isPlainObject(l)) throw new DataError(`${p}: expected a layer { class_name, config, name, inbound_nodes }. Received: ${describe(l)}`);
    const name = l.name ?? (isPlainObject(l.config) ? l.config.name : undefined);
    if (typeof name !== 'string') throw new DataError(`${p}.name: expected a string. Received: ${describe(name)}`);
    if (byName.has(name)) throw new DataError(`${p}.name: two layers are named '${name}'.`);
    byName.set(name, { raw: l, inbound: inboundOf(l.inbound_nodes, `${p}.inbound_nodes`) });
  });
  let outs = c.get('output_layers');
  if (Array.isArray(outs) && Array.isArray(outs[0])) {
    if (outs.length !== 1) throw new NotSupportedError(`${c.p('output_layers')}: a model with ${outs.length} outputs is not supported; simdnet models have one output.`);
    outs = outs[0];
  }
  const outName = Array.isArray(outs) ? outs[0] : undefined;
  if (typeof outName !== 'string' || !byName.has(outName)) throw new DataError(`${c.p('output_layers')}: expected [[layerName, 0, 0]] naming a layer of the model. Received: ${describe(c.get('output_layers'))}`);
  const chain: unknown[] = [];
  const seen = new Set<string>();
  for (let name: string | undefined = outName; name !== undefined;) {
    if (seen.has(name)) throw new DataError(`${lp}: the layers form a cycle at '${name}'.`);
    seen.add(name);
    const e = byName.get(name);
    if (!e) throw new DataError(`${lp}: a layer's input '${name}' is not a layer of the model.`);
    chain.push(e.raw);
    name = e.inbound[0];
  }
  if (chain.length !== byName.size) {
    throw new NotSupportedError(`${lp}: the functional model is not a single chain (${byName.size - chain.length} layers are off the path from input to output); simdnet loads Sequential models and single-chain functional models.`);
  }
  return { layers: chain.reverse(), path: lp };
}

/** Parse a Keras-form topology into (unbuilt) layers, checking shapes and the parameter budget. */
export function parseTopology(topology: unknown, path: string, gate: InitGate, maxParams: number): TopologyPlan {
  if (!isPlainObject(topology)) throw new DataError(`${path}: expected the Keras form { class_name, config }. Received: ${describe(topology)}`);
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
    if (Array.isArray(t.config)) { layersRaw = t.config; layersPath = `${path}.config`; } else {
      const c = Cfg.of(t.config, `${path}.config`, 'a model config { name, layers }');
      const l = c.get('layers');
      if (!Array.isArray(l)) c.fail('layers', 'an array of layers', l);
      layersRaw = l as unknown[]; layersPath = c.p('layers');
      name = c.str('name');
      buildShape = c.get('build_input_shape');
    }
  } else if (cls === 'Model' || cls === 'Functional') {
    const c = Cfg.of(t.config, `${path}.config`, 'a model config { name, layers, input_layers, output_layers }');
    ({ layers: layersRaw, path: layersPath } = linearize(c));
    name = c.str('name');
  } else if (typeof cls === 'string') {
    throw new NotSupportedError(`${path}.class_name: model class '${cls}' is not supported. Supported: Sequential, and functional models (Model, Functional) that are a single chain of layers.`);
  } else throw new DataError(`${path}.class_name: expected 'Sequential' (or a functional 'Model'). Received: ${describe(cls)}`);
  if (name !== undefined && (name.length === 0 || name.length > 256)) throw new DataError(`${path}.config.name: expected a non-empty string of at most 256 characters. Received: ${describe(name)}`);
  if (layersRaw.length > MAX_LAYERS) throw new DataError(`${layersPath}: ${layersRaw.length} layers; at most ${MAX_LAYERS} are accepted.`);
  const all = layersRaw.map((l, i) => readLayer(l, at(layersPath, i), gate, maxParams, kerasVersion));
  const names = new Set<string>();
  all.forEach((l, i) => {
    if (names.has(l.name)) throw new DataError(`${at(layersPath, i)}.config.name: two layers are named '${l.name}'; weight names would be ambiguous.`);
    names.add(l.name);
    if (l instanceof InputLayer && i > 0) throw new DataError(`${at(layersPath, i)}: an InputLayer must come first.`);
  });
  const layers = all.filter((l) => !(l instanceof InputLayer));
  if (layers.length === 0) throw new DataError(`${layersPath}: the model has no layers.`);
  let inputShape = all[0]!.declaredInputShape;
  if (!inputShape && Array.isArray(buildShape) && buildShape.length >= 2 && buildShape.slice(1).every((d) => typeof d === 'number' && Number.isInteger(d) && d > 0 && d <= maxParams)) {
    inputShape = buildShape.slice(1) as number[];
  }
  if (!inputShape) throw new DataError(`${at(layersPath, 0)}.config: the first layer declares no input shape (batch_input_shape); the model cannot be built.`);
  // Walk the shapes and count parameters before anything is allocated.
  const expected: { name: string; shape: number[] }[] = [];
  let s = inputShape.slice(), params = 0;
  for (const l of layers) {
    const p = at(layersPath, all.indexOf(l));
    const inShape = s;
    if (inShape.reduce((a, b) => a * b, 1) > maxParams) throw new DataError(`${p}: its input has more than ${maxParams} features per sample; refused as implausible.`);
    try { s = l.computeOutputShape(inShape); } catch (e) {
      if (e instanceof SimdnetError) throw new NotSupportedError(`${p}: ${e.message}`);
      throw e;
    }
    for (const w of l.expectedWeights(inShape)) {
      params += w.shape.reduce((a, b) => a * b, 1);
      if (params > maxParams) throw new DataError(`${p}: the model would have more than ${maxParams} parameters (reached at weight '${w.name}'); refused as implausible. Raise the \`maxParams\` load option if this model is genuine.`);
      expected.push(w);
    }
  }
  return { name, layers, inputShape, expected, kerasVersion, embeddedTrainingConfig };
}

// ------------------------------------------------------------------ weights by name

const stripIndex = (n: string) => n.replace(/:\d+$/, '');

/**
 * Pair each weight the model needs with its manifest entry: by exact name,
 * else by name without a TensorFlow `:0` suffix, else by a unique entry ending
 * in `/${name}` (a converter's scope prefix). Shapes must agree exactly, and
 * every model weight in the manifest must be used.
 */
export function matchWeights(expected: { name: string; shape: readonly number[] }[], specs: CheckedSpec[], where: string): CheckedSpec[] {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const byStripped = new Map<string, CheckedSpec | null>();
  for (const s of specs) { const k = stripIndex(s.name); byStripped.set(k, byStripped.has(k) ? null : s); }
  const used = new Set<string>();
  const out = expected.map((e) => {
    let s = byName.get(e.name) ?? byStripped.get(e.name) ?? undefined;
    if (!s) {
      const cands = specs.filter((x) => stripIndex(x.name).endsWith(`/${e.name}`));
      if (cands.length === 1) s = cands[0];
    }
    if (!s) {
      const have = specs.map((x) => `'${x.name}'`);
      throw new DataError(`${where}: weight '${e.name}' (shape [${e.shape.join(', ')}]) is missing from the weights manifest. The manifest holds: ${have.slice(0, 20).join(', ')}${have.length > 20 ? `, … (${have.length} in all)` : have.length === 0 ? 'nothing' : ''}.`);
    }
    if (used.has(s.name)) throw new DataError(`${where}: manifest weight '${s.name}' would be used twice (for '${e.name}').`);
    if (s.shape.length !== e.shape.length || s.shape.some((d, i) => d !== e.shape[i])) {
      throw new DataError(`${where}: weight '${e.name}' must have shape [${e.shape.join(', ')}] for this topology, but the manifest gives [${s.shape.join(', ')}] for '${s.name}'.`);
    }
    used.add(s.name);
    return s;
  });
  const extra = specs.filter((s) => !used.has(s.name));
  if (extra.length > 0) {
    throw new DataError(`${where}: the weights manifest holds weights no layer of the model uses: ${extra.slice(0, 10).map((s) => `'${s.name}'`).join(', ')}${extra.length > 10 ? ', …' : ''}. The file does not belong to this topology.`);
  }
  return out;
}

/**
 * For a manifest whose byte count is off: name the weight whose shape
 * disagrees with the topology, if there is one (a clearer message than
 * "truncated"). Returns quietly when it finds nothing or cannot tell.
 */
export function diagnoseWeights(topology: unknown, specs: CheckedSpec[], where: string, maxParams = DEFAULT_MAX_PARAMS): void {
  let plan: TopologyPlan;
  try { plan = parseTopology(topology, 'modelTopology', { skip: true }, maxParams); } catch { return; }
  matchWeights(plan.expected, specs.filter((s) => s.group !== 'optimizer'), where);
}
