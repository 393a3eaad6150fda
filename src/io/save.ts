/**
 * Saving: a model → TF.js layers-format artifacts → an IOHandler. This side
 * sits below the model (src/model.ts imports it for `model.save`) and never
 * imports the model class; loading (serialize.ts, api.ts) sits above it and
 * builds models. So there is no import cycle between src/model.ts and src/io/.
 */
import { ValueError, invalid } from '../errors.js';
import type { Sequential } from '../model.js';
import type { IOHandler, ModelArtifacts, SaveOptions, SaveResult, TrainingConfig } from './types.js';
import { encodeWeights } from './weights.js';
import { writeLayer, writeLoss, writeMetrics, writeOptimizer } from './config.js';
import { handlerFor, isHandler } from './handlers.js';

/** The simdnet version written into `generatedBy` and `keras_version`. */
export const SIMDNET_VERSION = '0.1.0';

/** A simdnet model, recognized without importing its class (which imports this module). */
function isModel(m: unknown): m is Sequential {
  return typeof m === 'object' && m !== null && Array.isArray((m as Sequential).layers) &&
    typeof (m as Sequential).namedWeights === 'function' && typeof (m as Sequential).build === 'function';
}

// ------------------------------------------------------------------ model → artifacts

export interface ToArtifactsOptions extends SaveOptions {
  /** Weights only (no topology, no optimizer): for sn.io.loadWeights. */
  weightsOnly?: boolean;
}

/** The artifacts of a model: its topology, weights and (optionally) training state. */
export function modelToArtifacts(model: Sequential, options: ToArtifactsOptions = {}): ModelArtifacts {
  if (!isModel(model)) invalid('model', 'a simdnet Sequential model', model);
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

/**
 * Save a model: topology, weights and, with `includeOptimizer`, the compile
 * configuration and optimizer state. `model.save(target, options)` calls this.
 */
export async function saveModel(model: Sequential, target: string | IOHandler, options: SaveOptions & { weightsOnly?: boolean } = {}): Promise<SaveResult> {
  const handler = typeof target === 'string' ? handlerFor(target, true) : target;
  if (!isHandler(handler) || typeof handler.save !== 'function') {
    invalid('target', 'a path, a URL (indexeddb://, localstorage://, downloads://, http(s)://) or an IOHandler with save()', target);
  }
  const artifacts = modelToArtifacts(model, options);
  return handler.save(artifacts);
}
