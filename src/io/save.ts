/**
 * Saving: a model → TF.js layers-format artifacts → an IOHandler. This side
 * sits below the model (src/model.ts imports it for `model.save`) and never
 * imports the model class; loading (serialize.ts, api.ts) sits above it and
 * builds models. So there is no import cycle between src/model.ts and src/io/.
 */
import { ValueError, invalid } from '../errors.js';
import type { LayersModel } from '../model.js';
import { OutputSlice } from '../layers.js';
import type { SymbolicTensor } from '../engine/graph.js';
import { nodesByLayer } from '../engine/graph.js';
import type { IOHandler, ModelArtifacts, SaveOptions, SaveResult, TrainingConfig } from './types.js';
import { encodeWeights } from './weights.js';
import { writeLayer, writeLoss, writeMetrics, writeOptimizer } from './config.js';
import { handlerFor, isHandler } from './handlers.js';

/** The simdnet version written into `generatedBy` and `keras_version`. */
export const SIMDNET_VERSION = '0.1.0';

/** A simdnet model, recognized without importing its class (which imports this module). */
function isModel(m: unknown): m is LayersModel {
  return (
    typeof m === 'object' &&
    m !== null &&
    Array.isArray((m as LayersModel).layers) &&
    typeof (m as LayersModel).namedWeights === 'function' &&
    typeof (m as LayersModel).build === 'function'
  );
}

/** A functional model's topology as TF.js writes it: layers with their inbound nodes, input and output layers. */
function functionalConfig(model: LayersModel): Record<string, unknown> {
  const program = model.graph,
    inputs = model.inputs,
    outputs = model.outputs;
  const nodes = nodesByLayer(program);
  // A tensor of a layer that returns several is its OutputSlice: the file names it [layer, node, k].
  const ref = (t: SymbolicTensor) => {
    const l = t.sourceLayer;
    if (l instanceof OutputSlice) {
      const flat = t.node.inputs[0]!;
      return [l.source.name, nodes.get(l.source)!.indexOf(flat.node), l.index];
    }
    return [l.name, nodes.get(l)!.indexOf(t.node), 0];
  };
  const layers = program.layers
    .filter((l) => !(l instanceof OutputSlice))
    .map((l) => {
      const w = writeLayer(l);
      const own = l.className === 'InputLayer' ? [] : nodes.get(l)!;
      return {
        class_name: w.class_name,
        config: w.config,
        name: l.name,
        inbound_nodes: own.map((n) => n.inputs.map((t) => [...ref(t), {}])),
      };
    });
  return { name: model.name, layers, input_layers: inputs.map(ref), output_layers: outputs.map(ref) };
}

// ------------------------------------------------------------------ model → artifacts

export interface ToArtifactsOptions extends SaveOptions {
  /** Weights only (no topology, no optimizer): for sn.io.loadWeights. */
  weightsOnly?: boolean;
}

/** The artifacts of a model: its topology, weights and (optionally) training state. */
export function modelToArtifacts(model: LayersModel, options: ToArtifactsOptions = {}): ModelArtifacts {
  if (!isModel(model)) invalid('model', 'a simdnet model', model);
  if (typeof options !== 'object' || options === null)
    invalid('options', 'an object like { includeOptimizer: true }', options);
  if (model.layers.length === 0) throw new ValueError('Cannot save a model with no layers.');
  model.build();
  const entries: Parameters<typeof encodeWeights>[0] = model
    .namedWeights()
    .map((w) => ({ name: w.name, shape: w.tensor.shape, values: w.tensor.values }));
  let trainingConfig: TrainingConfig | undefined;
  let userDefinedMetadata: Record<string, unknown> | undefined;
  if (options.includeOptimizer && !options.weightsOnly && model.optimizer && model.loss) {
    const opt = model.optimizer;
    const names = model.outputNames;
    if (names.length === 1) {
      trainingConfig = {
        loss: writeLoss(model.loss),
        metrics: writeMetrics(model.metricNames, model.metrics),
        optimizer_config: writeOptimizer(opt),
      };
    } else {
      // Several outputs: a loss per output in order, metrics keyed by output name (as Keras writes them).
      const mn = model.outputMetricNames;
      trainingConfig = {
        loss: model.losses.map((l) => writeLoss(l)) as unknown as TrainingConfig['loss'],
        metrics: Object.fromEntries(
          names.map((n, k) => [n, writeMetrics(mn[k]!, model.outputMetrics[k]!)]),
        ) as unknown as TrainingConfig['metrics'],
        optimizer_config: writeOptimizer(opt),
      };
      if (model.lossWeights.some((w) => w !== 1)) trainingConfig.loss_weights = model.lossWeights.slice();
    }
    // TF.js's order: the step count, then each slot for every weight (all 'm's, then all 'v's).
    const slots = opt.slotNames();
    const ow = model.getOptimizerWeights();
    const slotOf = (n: string) => slots.indexOf(n.slice(n.lastIndexOf('/') + 1));
    const sorted = ow
      .map((w, i) => ({ w, i }))
      .sort((a, b) => slotOf(a.w.name) - slotOf(b.w.name) || a.i - b.i)
      .map((x) => x.w);
    entries.push({
      name: 'iter',
      shape: [],
      values: [Math.min(opt.iterations, 2 ** 31 - 1)],
      dtype: 'int32',
      group: 'optimizer',
    });
    for (const w of sorted)
      entries.push({ name: w.name, shape: w.tensor.shape, values: w.tensor.values, group: 'optimizer' });
    // Exact (float64) optimizer state; TF.js keeps userDefinedMetadata and ignores it.
    userDefinedMetadata = { simdnet: { optimizerState: opt.getState() } };
  }
  const { specs, data } = encodeWeights(entries);
  const sequential = model.className === 'Sequential';
  const layers = () =>
    model.layers.map((l, i) => {
      const w = writeLayer(l);
      if (i === 0 && w.config.batch_input_shape === undefined) w.config.batch_input_shape = [null, ...l.inputShape!];
      return w;
    });
  const out: ModelArtifacts = {
    modelTopology: options.weightsOnly
      ? null
      : {
          class_name: sequential ? 'Sequential' : 'Model',
          config: sequential ? { name: model.name, layers: layers() } : functionalConfig(model),
          keras_version: `simdnet ${SIMDNET_VERSION}`,
          backend: 'simdnet',
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
export async function saveModel(
  model: LayersModel,
  target: string | IOHandler,
  options: SaveOptions & { weightsOnly?: boolean } = {},
): Promise<SaveResult> {
  const handler = typeof target === 'string' ? handlerFor(target, true) : target;
  if (!isHandler(handler) || typeof handler.save !== 'function') {
    invalid(
      'target',
      'a path, a URL (indexeddb://, localstorage://, downloads://, http(s)://) or an IOHandler with save()',
      target,
    );
  }
  const artifacts = modelToArtifacts(model, options);
  return handler.save(artifacts);
}
