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
import { LayersModel, Sequential } from '../model.js';
import { InputLayer, type Layer } from '../layers.js';
import type { SymbolicTensor } from '../engine/graph.js';
import { BatchNormalization } from '../layers.js';
import { Tensor } from '../tensor.js';
import type { LoadOptions, ModelArtifacts } from './types.js';
import {
  CheckedSpec,
  DEFAULT_MAX_PARAMS,
  at,
  checkFormat,
  checkPlainData,
  checkTrainingConfigShape,
  checkWeightSpecs,
  isPlainObject,
} from './validate.js';
import { decodeWeights, joinWeightData, normalizeWeightData } from './weights.js';
import { Cfg, InitGate, TFJS_SLOT_NAMES, readLoss, readMetric, readOptimizer } from './config.js';
import { type GraphPlan, matchWeights, parseTopology } from './topology.js';

export { SIMDNET_VERSION, modelToArtifacts, type ToArtifactsOptions } from './save.js';
export { type GraphPlan, type TopologyPlan, diagnoseWeights, matchWeights, parseTopology } from './topology.js';

function checkMovingVariance(
  model: LayersModel,
  values: Map<string, { values: Float32Array }>,
  matched: Map<string, CheckedSpec>,
): void {
  for (const l of model.layers) {
    if (!(l instanceof BatchNormalization)) continue;
    const name = `${l.name}/moving_variance`;
    const v = values.get(matched.get(name)?.name ?? '')?.values;
    if (!v) continue;
    const i = v.findIndex((x) => x < 0);
    if (i >= 0)
      throw new DataError(
        `Weight '${name}' holds a negative variance (${v[i]}) at index ${i}: the weights file is corrupt.`,
      );
  }
}

// ------------------------------------------------------------------ artifacts → model

function readOptimizerState(meta: unknown): Record<string, number> | null {
  if (!isPlainObject(meta) || !isPlainObject(meta.simdnet) || !isPlainObject(meta.simdnet.optimizerState)) return null;
  const s = meta.simdnet.optimizerState;
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(s)) {
    if (typeof v !== 'number' || !Number.isFinite(v))
      throw new DataError(
        `userDefinedMetadata.simdnet.optimizerState.${k}: expected a finite number. Received: ${describe(v)}`,
      );
    out[k] = v;
  }
  if (out.iterations !== undefined && !(Number.isSafeInteger(out.iterations) && out.iterations >= 0)) {
    throw new DataError(
      `userDefinedMetadata.simdnet.optimizerState.iterations: expected a non-negative integer. Received: ${out.iterations}`,
    );
  }
  return out;
}

/** Restore slots (by simdnet name, or TF.js's) and the step count; all or nothing. */
function restoreOptimizer(
  model: LayersModel,
  decoded: Map<string, { spec: CheckedSpec; values: Float32Array }>,
  meta: unknown,
  where: string,
): void {
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
    if (!e) {
      missing.push(name);
      continue;
    }
    if (e.values.length !== tensor.size) {
      throw new DataError(
        `${where}: optimizer weight '${e.spec.name}' has shape [${e.spec.shape.join(', ')}] but the weight it belongs to has shape [${tensor.shape.join(', ')}].`,
      );
    }
    out.push({ name, tensor: new Tensor(e.values, tensor.shape) });
  }
  if (missing.length > 0) {
    console.warn(
      `simdnet: the saved optimizer state does not match the ${opt.className} optimizer (no '${missing.slice(0, 3).join("', '")}'${missing.length > 3 ? ', …' : ''}); training will start with fresh optimizer state.`,
    );
    return;
  }
  model.setOptimizerWeights(out);
  const state = readOptimizerState(meta);
  const iter = saved.get('iter')?.values[0];
  if (state) opt.setState(state);
  else if (iter !== undefined) {
    if (!(Number.isSafeInteger(iter) && iter >= 0))
      throw new DataError(`${where}: optimizer weight 'iter' must be a non-negative integer. Received: ${iter}`);
    opt.setState({ ...opt.getState(), iterations: iter });
  }
}

/** Metrics as a file lists them: a list, one list per output ([[...]]), or an object keyed by output name. */
function readMetricList(v: unknown, path: string) {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.length > 100)
    throw new DataError(`${path}: expected an array of metrics. Received: ${describe(v)}`);
  return v.map((m, i) => readMetric(m, at(path, i)));
}

function compileFrom(model: LayersModel, tc: unknown, path: string): void {
  checkTrainingConfigShape(tc, path);
  const c = new Cfg(tc as unknown as Record<string, unknown>, path);
  const names = model.outputNames;
  c.unsupported('sample_weight_mode', 'a sample_weight_mode');
  c.unsupported('weighted_metrics', 'weighted metrics', (x) => Array.isArray(x) && x.length === 0);
  const optimizer = readOptimizer(tc.optimizer_config, `${path}.optimizer_config`);
  // One loss for all outputs, or one per output (a list in output order, or an object keyed by output name).
  const rawLoss = tc.loss;
  let loss: ReturnType<typeof readLoss>[];
  if (Array.isArray(rawLoss)) {
    if (rawLoss.length !== names.length)
      throw new DataError(
        `${path}.loss: ${rawLoss.length} losses for a model with ${names.length} output(s) (${names.join(', ')}).`,
      );
    loss = rawLoss.map((l, i) => readLoss(l, at(`${path}.loss`, i)));
  } else if (isPlainObject(rawLoss) && names.every((n) => n in rawLoss) && !('class_name' in rawLoss)) {
    loss = names.map((n) => readLoss(rawLoss[n], `${path}.loss.${n}`));
  } else loss = names.map(() => readLoss(rawLoss, `${path}.loss`));
  let lossWeights: number[] | undefined;
  const lw = c.get('loss_weights');
  if (lw !== undefined) {
    const list = Array.isArray(lw) ? lw : isPlainObject(lw) ? names.map((n) => lw[n]) : [lw];
    if (list.length !== names.length || list.some((x) => typeof x !== 'number' || !Number.isFinite(x) || x < 0)) {
      throw new DataError(
        `${path}.loss_weights: expected one non-negative number per output (${names.join(', ')}). Received: ${describe(lw)}`,
      );
    }
    lossWeights = list as number[];
  }
  let ms: unknown = tc.metrics ?? [];
  let metrics: ReturnType<typeof readMetric>[][];
  if (isPlainObject(ms)) {
    // Keras 2 may key the metrics by output name.
    const obj = ms;
    const extra = Object.keys(obj).filter((k) => !names.includes(k));
    if (extra.length > 0 && !(names.length === 1 && Object.keys(obj).length === 1))
      throw new DataError(`${path}.metrics: names outputs the model does not have: ${extra.join(', ')}.`);
    metrics =
      names.length === 1 && Object.keys(obj).length === 1
        ? [readMetricList(Object.values(obj)[0], `${path}.metrics`)]
        : names.map((n) =>
            readMetricList(obj[n] === undefined || Array.isArray(obj[n]) ? obj[n] : [obj[n]], `${path}.metrics.${n}`),
          );
  } else {
    // Keras 2 writes one list per output: [[...]].
    if (Array.isArray(ms) && ms.length === names.length && ms.every((x) => Array.isArray(x))) {
      metrics = ms.map((x, i) => readMetricList(x, at(`${path}.metrics`, i)));
    } else {
      if (Array.isArray(ms) && ms.length === 1 && Array.isArray(ms[0])) ms = ms[0];
      const list = readMetricList(ms, `${path}.metrics`);
      metrics = names.map(() => list);
    }
  }
  model.compile({
    optimizer,
    loss: names.length === 1 ? loss[0]! : loss,
    metrics: names.length === 1 ? metrics[0]! : metrics,
    ...(lossWeights ? { lossWeights } : {}),
  });
}

/**
 * Build a functional model from a parsed graph: input layers give tensors, each node applies its layer once its inputs
 * exist.
 */
function buildFunctional(g: GraphPlan, name: string | undefined): LayersModel {
  // Per layer, per node: the tensors the call returned (several for returnState or mergeMode 'none').
  const out = new Map<string, SymbolicTensor[][]>();
  g.layers.forEach((l) => {
    if (l instanceof InputLayer) out.set(l.name, [[l.output]]);
  });
  const get = (r: { layer: string; node: number; tensor: number }) => out.get(r.layer)?.[r.node]?.[r.tensor];
  let progress = true;
  while (progress) {
    progress = false;
    g.layers.forEach((l: Layer, i) => {
      if (l instanceof InputLayer) return;
      const made = out.get(l.name) ?? [];
      g.nodes[i]!.forEach((refs, k) => {
        if (made[k] || !refs.every((r) => get(r))) return;
        const ins = refs.map((r) => get(r)!);
        const res = l.apply(l.multiInput ? ins : ins[0]!);
        made[k] = l.outputCount() > 1 ? [...res] : [res];
        progress = true;
      });
      out.set(l.name, made);
    });
  }
  return new LayersModel({
    inputs: g.inputs.map((r) => get(r)!),
    outputs: g.outputs.map((r) => get(r)!),
    ...(name !== undefined ? { name } : {}),
  });
}

function checkArtifactsObject(a: unknown, where: string): asserts a is ModelArtifacts {
  if (typeof a !== 'object' || a === null)
    throw new DataError(
      `${where}: expected model artifacts { modelTopology, weightSpecs, weightData }. Received: ${describe(a)}`,
    );
  const o = a as Record<string, unknown>;
  for (const k of ['modelTopology', 'trainingConfig', 'userDefinedMetadata'] as const) {
    if (o[k] !== undefined && o[k] !== null) checkPlainData(o[k], k);
  }
}

/** Build a model from artifacts (validated first). */
export function artifactsToModel(a: unknown, options: LoadOptions = {}, where = 'model'): LayersModel {
  checkArtifactsObject(a, where);
  checkFormat(a.format, where);
  const maxParams = options.maxParams ?? DEFAULT_MAX_PARAMS;
  if (!(typeof maxParams === 'number' && maxParams > 0)) invalid('maxParams', 'a positive number', maxParams);
  if (a.modelTopology === undefined || a.modelTopology === null) {
    throw new DataError(
      `${where} holds weights only (no modelTopology): it was saved with saveWeightsOnly. Build the model in code and call sn.io.loadWeights(model, source).`,
    );
  }
  const gate: InitGate = { skip: false };
  const plan = parseTopology(a.modelTopology, 'modelTopology', gate, maxParams);
  let decoded: Map<string, { spec: CheckedSpec; values: Float32Array }> | null = null;
  let matched: CheckedSpec[] = [];
  if (a.weightSpecs !== undefined && a.weightSpecs !== null) {
    const specs = checkWeightSpecs(a.weightSpecs, 'weightSpecs', maxParams);
    matched = matchWeights(
      plan.expected,
      specs.filter((s) => s.group !== 'optimizer'),
      where,
    );
    const data = normalizeWeightData(a.weightData, 'weightData');
    if (!data && specs.length > 0)
      throw new DataError(`${where}: the weight specs list ${specs.length} weights but there is no weight data.`);
    decoded = decodeWeights(
      specs,
      data ? joinWeightData(data) : new ArrayBuffer(0),
      `${where}'s weight data`,
      !!options.allowNonFinite,
    );
  }
  gate.skip = decoded !== null;
  let model: LayersModel;
  try {
    if (plan.graph) model = buildFunctional(plan.graph, plan.name);
    else {
      const seq = new Sequential({ layers: plan.layers, ...(plan.name !== undefined ? { name: plan.name } : {}) });
      seq.build(plan.inputShape);
      model = seq;
    }
  } finally {
    gate.skip = false;
  }
  if (decoded) {
    const byExpected = new Map(plan.expected.map((e, i) => [e.name, matched[i]!]));
    checkMovingVariance(model, decoded, byExpected);
    // In the model's weight order, by name (a functional model orders its layers as its graph runs).
    model.setWeights(
      model.namedWeights().map((w) => new Tensor(decoded!.get(byExpected.get(w.name)!.name)!.values, w.tensor.shape)),
    );
  }
  const tc = a.trainingConfig ?? plan.embeddedTrainingConfig;
  if (tc !== undefined && tc !== null && options.compile !== false) {
    compileFrom(model, tc, a.trainingConfig ? 'trainingConfig' : 'modelTopology.training_config');
    if (decoded) restoreOptimizer(model, decoded, a.userDefinedMetadata, where);
  }
  return model;
}

/** Load weights by name into an existing model (the file's topology, if any, is not used). */
export function loadWeightsInto(model: LayersModel, a: unknown, options: LoadOptions = {}, where = 'weights'): void {
  if (!(model instanceof LayersModel)) invalid('model', 'a simdnet model', model);
  checkArtifactsObject(a, where);
  model.build();
  const maxParams = options.maxParams ?? DEFAULT_MAX_PARAMS;
  const specs = checkWeightSpecs(a.weightSpecs ?? [], 'weightSpecs', maxParams);
  const modelSpecs = specs.filter((s) => s.group !== 'optimizer');
  const expected = model.layers.flatMap((l) => l.weights.map((w) => ({ name: w.name, shape: w.shape })));
  const matched = matchWeights(expected, modelSpecs, where);
  const data = normalizeWeightData(a.weightData, 'weightData');
  const decoded = decodeWeights(
    specs,
    data ? joinWeightData(data) : new ArrayBuffer(0),
    `${where}'s weight data`,
    !!options.allowNonFinite,
  );
  model.setWeights(expected.map((e, i) => new Tensor(decoded.get(matched[i]!.name)!.values, e.shape)));
}
