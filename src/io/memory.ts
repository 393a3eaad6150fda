/**
 * In-memory artifacts, so any transport can be plugged in (TF.js's
 * `tf.io.fromMemory` and `tf.io.withSaveHandler`, with the same signatures).
 */
import { invalid } from '../errors.js';
import type { IOHandler, ModelArtifacts, SaveResult, WeightData, WeightSpec } from './types.js';
import { weightDataBytes } from './weights.js';

/**
 * A handler whose `load()` returns the given artifacts.
 * @example const model = await sn.loadModel(sn.io.fromMemory({ modelTopology, weightSpecs, weightData }));
 */
export function fromMemory(
  artifacts: ModelArtifacts | Record<string, unknown>,
  weightSpecs?: WeightSpec[],
  weightData?: WeightData,
  trainingConfig?: ModelArtifacts['trainingConfig'],
): IOHandler {
  if (typeof artifacts !== 'object' || artifacts === null)
    invalid('artifacts', 'model artifacts { modelTopology, weightSpecs, weightData }', artifacts);
  // TF.js's older form: fromMemory(modelTopology, weightSpecs, weightData, trainingConfig).
  const a: ModelArtifacts =
    'modelTopology' in artifacts || weightSpecs === undefined
      ? (artifacts as ModelArtifacts)
      : {
          modelTopology: artifacts as Record<string, unknown>,
          weightSpecs,
          weightData,
          ...(trainingConfig ? { trainingConfig } : {}),
        };
  return { load: async () => a };
}

/**
 * A handler whose `save()` passes the artifacts to `fn`.
 * @example await model.save(sn.io.withSaveHandler(async (artifacts) => { send(artifacts); return { modelArtifactsInfo:
 * { dateSaved: new Date(), modelTopologyType: 'JSON' } }; }));
 */
export function withSaveHandler(
  fn: (artifacts: ModelArtifacts) => Promise<SaveResult | void> | SaveResult | void,
): IOHandler {
  if (typeof fn !== 'function') invalid('fn', 'a function (artifacts) => SaveResult', fn);
  return {
    save: async (artifacts) => {
      const r = await fn(artifacts);
      return (
        r ?? {
          modelArtifactsInfo: {
            dateSaved: new Date(),
            modelTopologyType: 'JSON',
            modelTopologyBytes: artifacts.modelTopology ? JSON.stringify(artifacts.modelTopology).length : 0,
            weightSpecsBytes: JSON.stringify(artifacts.weightSpecs ?? []).length,
            weightDataBytes: weightDataBytes(artifacts.weightData),
          },
        }
      );
    },
  };
}
