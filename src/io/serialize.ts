/**
 * Artifacts (Keras-form topology, weight specs and bytes, training config) →
 * a model: loading, which sits above the model class (saving, below it, is in
 * save.ts). Loading checks everything before it allocates: the
 * topology is parsed into layers (no weights yet), the weights each layer
 * will need are derived from the shapes alone and matched by name and shape
 * against the manifest, the bytes are checked against the manifest, and only
 * then is the model built — with its initializers skipped, since the loaded
 * values replace them.
 */
import { DataError, describe, invalid } from '../errors.js';
import { Sequential } from '../model.js';
import { BatchNormalization } from '../layers.js';
import { Tensor } from '../tensor.js';
import type { LoadOptions, ModelArtifacts } from './types.js';
import { CheckedSpec, DEFAULT_MAX_PARAMS, at, checkFormat, checkPlainData, checkTrainingConfigShape, checkWeightSpecs, isPlainObject } from './validate.js';
import { decodeWeights, joinWeightData, normalizeWeightData } from './weights.js';
import { Cfg, InitGate, TFJS_SLOT_NAMES, readLoss, readMetric, readOptimizer } from './config.js';
import { type TopologyPlan, matchWeights, parseTopology } from './topology.js';

export { SIMDNET_VERSION, modelToArtifacts, type ToArtifactsOptions } from './save.js';
export { type TopologyPlan, diagnoseWeights, matchWeights, parseTopology } from './topology.js';

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
