/**
 * `saveModel` / `loadModel` / `loadWeights` and the routing of string targets:
 *
 *   './dir', '/abs/dir', 'file://dir'   a directory in Node (model.json + weights.bin)
 *   'indexeddb://name'                  IndexedDB (browser)
 *   'localstorage://name'               localStorage (browser)
 *   'downloads://name'                  browser downloads (save only)
 *   'http(s)://…/model.json'            fetch (load) or multipart POST (save)
 *
 * or any IOHandler `{ save?, load? }` (TF.js's handlers work too), or, for
 * loading, the artifacts object itself.
 */
import { invalid } from '../errors.js';
import type { LayersModel } from '../model.js';
import type { IOHandler, LoadOptions, ModelArtifacts } from './types.js';
import { artifactsToModel, loadWeightsInto } from './serialize.js';
import { fromMemory } from './memory.js';
import { handlerFor, isHandler } from './handlers.js';

export { handlerFor } from './handlers.js';
export { saveModel } from './save.js';

function sourceName(source: unknown): string {
  return typeof source === 'string' ? `'${source}'` : 'the model';
}

/**
 * Load a model saved by simdnet, TF.js (`model.save`) or the Keras converter
 * (`tensorflowjs_converter --input_format keras`). Everything is validated
 * before anything is allocated; a model using something simdnet does not
 * support is refused with a NotSupportedError listing what is supported.
 *
 * @example
 * const model = await sn.loadModel('./my-model');               // Node: directory with model.json
 * const model = await sn.loadModel('indexeddb://my-model');      // browser
 * const model = await sn.loadModel(sn.io.fromMemory(artifacts)); // any transport
 */
export async function loadModel(
  source: string | IOHandler | ModelArtifacts,
  options: LoadOptions = {},
): Promise<LayersModel> {
  if (typeof options !== 'object' || options === null) invalid('options', 'an object like { compile: false }', options);
  const handler = resolveLoad(source, options);
  const artifacts = await handler.load!();
  return artifactsToModel(artifacts, options, sourceName(source));
}

/**
 * Load weights by name into a model built in code (for files saved with
 * `saveWeightsOnly`, or to take just the weights of a full save).
 */
export async function loadWeights(
  model: LayersModel,
  source: string | IOHandler | ModelArtifacts,
  options: LoadOptions = {},
): Promise<void> {
  const handler = resolveLoad(source, options);
  loadWeightsInto(model, await handler.load!(), options, sourceName(source));
}

function resolveLoad(source: unknown, options: LoadOptions): IOHandler {
  const handler =
    typeof source === 'string'
      ? handlerFor(source, false, options)
      : isHandler(source)
        ? source
        : typeof source === 'object' && source !== null && 'modelTopology' in source
          ? fromMemory(source as ModelArtifacts)
          : invalid(
              'source',
              'a path, a URL, an IOHandler or model artifacts { modelTopology, weightSpecs, weightData }',
              source,
            );
  if (typeof handler.load !== 'function') invalid('source', 'an IOHandler with load()', source);
  return handler;
}
