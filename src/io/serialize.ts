/**
 * A model ⇄ its artifacts (Keras-form topology, weight specs and bytes,
 * training config). Loading checks everything before it allocates: the
 * topology is parsed into layers (no weights yet), the weights each layer
 * will need are derived from the shapes alone and matched by name and shape
 * against the manifest, the bytes are checked against the manifest, and only
 * then is the model built — with its initializers skipped, since the loaded
 * values replace them.
 */
import { DataError, NotSupportedError, SimdnetError, ValueError, describe, invalid } from '../errors.js';
import { Sequential } from '../model.js';
import { BatchNormalization, InputLayer, Layer } from '../layers.js';
import { Tensor } from '../tensor.js';
import type { LoadOptions, ModelArtifacts, SaveOptions, TrainingConfig } from './types.js';
import { CheckedSpec, DEFAULT_MAX_PARAMS, at, checkFormat, checkPlainData, checkTrainingConfigShape, checkWeightSpecs, isPlainObject } from './validate.js';
import { decodeWeights, encodeWeights, joinWeightData, normalizeWeightData } from './weights.js';
import {
  Cfg, InitGate, TFJS_SLOT_NAMES, expectedWeights, readLayer, readLoss, readMetric, readOptimizer,
  writeLayer, writeLoss, writeMetrics, writeOptimizer,
} from './config.js';

/** The simdnet version written into `generatedBy` and `keras_version`. */
export const SIMDNET_VERSION = '0.1.0';
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
    for (const w of expectedWeights(l, inShape)) {
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

function checkMovingVariance(model: Sequential, values: Map<string, { values: Float32Array }>, matched: Map<string, CheckedSpec>): void {
  for (const l of model.layers) {
    if (!(l instanceof BatchNormalization)) continue;
    const name = `${l.name}/moving_variance`;
    const v = values.get(matched.get(name)?.name ?? '')?.values;
    if (!v) continue;
    const i = v.findIndex((x) => x < 0);
    if (i >= 0) throw new DataError(`Weight '${name}' holds a negative variance (${v[i]}) at index ${i}: the weights file is corrupt.`);
  }
}

// ------------------------------------------------------------------ artifacts → model

function readOptimizerState(meta: unknown): Record<string, number> | null {
  if (!isPlainObject(meta) || !isPlainObject(meta.simdnet) || !isPlainObject(meta.simdnet.optimizerState)) return null;
  const s = meta.simdnet.optimizerState;
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(s)) {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new DataError(`userDefinedMetadata.simdnet.optimizerState.${k}: expected a finite number. Received: ${describe(v)}`);
    out[k] = v;
  }
  if (out.iterations !== undefined && !(Number.isSafeInteger(out.iterations) && out.iterations >= 0)) {
    throw new DataError(`userDefinedMetadata.simdnet.optimizerState.iterations: expected a non-negative integer. Received: ${out.iterations}`);
  }
  return out;
}

/** Restore slots (by simdnet name, or TF.js's) and the step count; all or nothing. */
function restoreOptimizer(model: Sequential, decoded: Map<string, { spec: CheckedSpec; values: Float32Array }>, meta: unknown, where: string): void {
  const saved = new Map([...decoded].filter(([, e]) => e.spec.group === 'optimizer'));
  if (saved.size === 0) return;
  const opt = model.optimizer!;
  const current = model.getOptimizerWeights();
  const aliases = TFJS_SLOT_NAMES[opt.className === 'AdamW' ? 'Adam' : opt.className] ?? {};
  const out: { name: string; tensor: Tensor }[] = [];
  const missing: string[] = [];
  for (const { name, tensor } of current) {
    let e = saved.get(name);
    if (!e) {
      const cut = name.lastIndexOf('/');
      const alias = aliases[name.slice(cut + 1)];
      if (alias) e = saved.get(`${name.slice(0, cut)}/${alias}`);
    }
    if (!e) { missing.push(name); continue; }
    if (e.values.length !== tensor.size) {
      throw new DataError(`${where}: optimizer weight '${e.spec.name}' has shape [${e.spec.shape.join(', ')}] but the weight it belongs to has shape [${tensor.shape.join(', ')}].`);
    }
    out.push({ name, tensor: new Tensor(e.values, tensor.shape) });
  }
  if (missing.length > 0) {
    console.warn(`simdnet: the saved optimizer state does not match the ${opt.className} optimizer (no '${missing.slice(0, 3).join("', '")}'${missing.length > 3 ? ', …' : ''}); training will start with fresh optimizer state.`);
    return;
  }
  model.setOptimizerWeights(out);
  const state = readOptimizerState(meta);
  const iter = saved.get('iter')?.values[0];
  if (state) opt.setState(state);
  else if (iter !== undefined) {
    if (!(Number.isSafeInteger(iter) && iter >= 0)) throw new DataError(`${where}: optimizer weight 'iter' must be a non-negative integer. Received: ${iter}`);
    opt.setState({ ...opt.getState(), iterations: iter });
  }
}

function compileFrom(model: Sequential, tc: unknown, path: string): void {
  checkTrainingConfigShape(tc, path);
  const c = new Cfg(tc as unknown as Record<string, unknown>, path);
  c.unsupported('loss_weights', 'loss weights', (x) => Array.isArray(x) && x.length === 1 && x[0] === 1);
  c.unsupported('sample_weight_mode', 'a sample_weight_mode');
  c.unsupported('weighted_metrics', 'weighted metrics', (x) => Array.isArray(x) && x.length === 0);
  const optimizer = readOptimizer(tc.optimizer_config, `${path}.optimizer_config`);
  const loss = readLoss(tc.loss, `${path}.loss`);
  let ms: unknown = tc.metrics ?? [];
  // Keras 2 may key the metrics by output name; a Sequential model has one output.
  if (isPlainObject(ms)) { const vals = Object.values(ms); ms = vals.length === 1 ? vals[0] : ms; }
  // Keras 2 writes one list per output: [[...]].
  if (Array.isArray(ms) && ms.length === 1 && Array.isArray(ms[0])) ms = ms[0];
  if (!Array.isArray(ms) || ms.length > 100) throw new DataError(`${path}.metrics: expected an array of metrics. Received: ${describe(ms)}`);
  const metrics = ms.map((m, i) => readMetric(m, at(`${path}.metrics`, i)));
  model.compile({ optimizer, loss, metrics });
}

function checkArtifactsObject(a: unknown, where: string): asserts a is ModelArtifacts {
  if (typeof a !== 'object' || a === null) throw new DataError(`${where}: expected model artifacts { modelTopology, weightSpecs, weightData }. Received: ${describe(a)}`);
  const o = a as Record<string, unknown>;
  for (const k of ['modelTopology', 'trainingConfig', 'userDefinedMetadata'] as const) {
    if (o[k] !== undefined && o[k] !== null) checkPlainData(o[k], k);
  }
}

/** Build a model from artifacts (validated first). */
export function artifactsToModel(a: unknown, options: LoadOptions = {}, where = 'model'): Sequential {
  checkArtifactsObject(a, where);
  checkFormat(a.format, where);
  const maxParams = options.maxParams ?? DEFAULT_MAX_PARAMS;
  if (!(typeof maxParams === 'number' && maxParams > 0)) invalid('maxParams', 'a positive number', maxParams);
  if (a.modelTopology === undefined || a.modelTopology === null) {
    throw new DataError(`${where} holds weights only (no modelTopology): it was saved with saveWeightsOnly. Build the model in code and call sn.io.loadWeights(model, source).`);
  }
  const gate: InitGate = { skip: false };
  const plan = parseTopology(a.modelTopology, 'modelTopology', gate, maxParams);
  let decoded: Map<string, { spec: CheckedSpec; values: Float32Array }> | null = null;
  let matched: CheckedSpec[] = [];
  if (a.weightSpecs !== undefined && a.weightSpecs !== null) {
    const specs = checkWeightSpecs(a.weightSpecs, 'weightSpecs', maxParams);
    matched = matchWeights(plan.expected, specs.filter((s) => s.group !== 'optimizer'), where);
    const data = normalizeWeightData(a.weightData, 'weightData');
    if (!data && specs.length > 0) throw new DataError(`${where}: the weight specs list ${specs.length} weights but there is no weight data.`);
    decoded = decodeWeights(specs, data ? joinWeightData(data) : new ArrayBuffer(0), `${where}'s weight data`, !!options.allowNonFinite);
  }
  const model = new Sequential({ layers: plan.layers, ...(plan.name !== undefined ? { name: plan.name } : {}) });
  gate.skip = decoded !== null;
  try { model.build(plan.inputShape); } finally { gate.skip = false; }
  if (decoded) {
    const byExpected = new Map(plan.expected.map((e, i) => [e.name, matched[i]!]));
    checkMovingVariance(model, decoded, byExpected);
    model.setWeights(plan.expected.map((e, i) => new Tensor(decoded!.get(matched[i]!.name)!.values, e.shape)));
  }
  const tc = a.trainingConfig ?? plan.embeddedTrainingConfig;
  if (tc !== undefined && tc !== null && options.compile !== false) {
    compileFrom(model, tc, a.trainingConfig ? 'trainingConfig' : 'modelTopology.training_config');
    if (decoded) restoreOptimizer(model, decoded, a.userDefinedMetadata, where);
  }
  return model;
}

/** Load weights by name into an existing model (the file's topology, if any, is not used). */
export function loadWeightsInto(model: Sequential, a: unknown, options: LoadOptions = {}, where = 'weights'): void {
  if (!(model instanceof Sequential)) invalid('model', 'a simdnet Sequential model', model);
  checkArtifactsObject(a, where);
  model.build();
  const maxParams = options.maxParams ?? DEFAULT_MAX_PARAMS;
  const specs = checkWeightSpecs(a.weightSpecs ?? [], 'weightSpecs', maxParams);
  const modelSpecs = specs.filter((s) => s.group !== 'optimizer');
  const expected = model.layers.flatMap((l) => l.weights.map((w) => ({ name: w.name, shape: w.shape })));
  const matched = matchWeights(expected, modelSpecs, where);
  const data = normalizeWeightData(a.weightData, 'weightData');
  const decoded = decodeWeights(specs, data ? joinWeightData(data) : new ArrayBuffer(0), `${where}'s weight data`, !!options.allowNonFinite);
  model.setWeights(expected.map((e, i) => new Tensor(decoded.get(matched[i]!.name)!.values, e.shape)));
}

// ------------------------------------------------------------------ model → artifacts

export interface ToArtifactsOptions extends SaveOptions {
  /** Weights only (no topology, no optimizer): for sn.io.loadWeights. */
  weightsOnly?: boolean;
}

/** The artifacts of a model: its topology, weights and (optionally) training state. */
export function modelToArtifacts(model: Sequential, options: ToArtifactsOptions = {}): ModelArtifacts {
  if (!(model instanceof Sequential)) invalid('model', 'a simdnet Sequential model', model);
  if (typeof options !== 'object' || options === null) invalid('options', 'an object like { includeOptimizer: true }', options);
  if (model.layers.length === 0) throw new ValueError('Cannot save a model with no layers.');
  model.build();
  const entries: Parameters<typeof encodeWeights>[0] = model.namedWeights().map((w) => ({ name: w.name, shape: w.tensor.shape, values: w.tensor.values }));
  let trainingConfig: TrainingConfig | undefined;
  let userDefinedMetadata: Record<string, unknown> | undefined;
  if (options.includeOptimizer && !options.weightsOnly && model.optimizer && model.loss) {
    const opt = model.optimizer;
    trainingConfig = { loss: writeLoss(model.loss), metrics: writeMetrics(model.metricNames, model.metrics), optimizer_config: writeOptimizer(opt) };
    // TF.js's order: the step count, then each slot for every weight (all 'm's, then all 'v's).
    const slots = opt.slotNames();
    const ow = model.getOptimizerWeights();
    const slotOf = (n: string) => slots.indexOf(n.slice(n.lastIndexOf('/') + 1));
    const sorted = ow.map((w, i) => ({ w, i })).sort((a, b) => slotOf(a.w.name) - slotOf(b.w.name) || a.i - b.i).map((x) => x.w);
    entries.push({ name: 'iter', shape: [], values: [Math.min(opt.iterations, 2 ** 31 - 1)], dtype: 'int32', group: 'optimizer' });
    for (const w of sorted) entries.push({ name: w.name, shape: w.tensor.shape, values: w.tensor.values, group: 'optimizer' });
    // Exact (float64) optimizer state; TF.js keeps userDefinedMetadata and ignores it.
    userDefinedMetadata = { simdnet: { optimizerState: opt.getState() } };
  }
  const { specs, data } = encodeWeights(entries);
  const layers = model.layers.map((l, i) => {
    const w = writeLayer(l);
    if (i === 0 && w.config.batch_input_shape === undefined) w.config.batch_input_shape = [null, ...l.inputShape!];
    return w;
  });
  const out: ModelArtifacts = {
    modelTopology: options.weightsOnly ? null : {
      class_name: 'Sequential', config: { name: model.name, layers },
      keras_version: `simdnet ${SIMDNET_VERSION}`, backend: 'simdnet',
    },
    format: 'layers-model',
    generatedBy: `simdnet ${SIMDNET_VERSION}`,
    convertedBy: null,
    weightSpecs: specs,
    weightData: data,
  };
  if (trainingConfig) out.trainingConfig = trainingConfig;
  if (userDefinedMetadata) out.userDefinedMetadata = userDefinedMetadata;
  return out;
}
