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
import { NotSupportedError, ValueError, describe, invalid } from '../errors.js';
import type { Sequential } from '../model.js';
import type { IOHandler, LoadOptions, ModelArtifacts, SaveOptions, SaveResult } from './types.js';
import { artifactsToModel, loadWeightsInto, modelToArtifacts } from './serialize.js';
import { fileSystem } from './node-fs.js';
import { browserDownloads, browserIndexedDB, browserLocalStorage, http } from './browser.js';
import { fromMemory } from './memory.js';

const isNode = () => typeof process !== 'undefined' && !!process.versions?.node;
const SCHEMES = ['file://', 'indexeddb://', 'localstorage://', 'downloads://', 'http://', 'https://'];

/** The handler for a string target (see the module comment). */
export function handlerFor(url: string, forSave: boolean, options: { maxParams?: number } = {}): IOHandler {
  if (typeof url !== 'string' || url.length === 0) invalid(forSave ? 'target' : 'source', 'a path, a URL (indexeddb://, localstorage://, downloads://, http(s)://, file://) or an IOHandler', url);
  const lower = url.toLowerCase();
  const rest = (scheme: string) => url.slice(scheme.length);
  if (lower.startsWith('indexeddb://')) return browserIndexedDB(rest('indexeddb://'));
  if (lower.startsWith('localstorage://')) return browserLocalStorage(rest('localstorage://'), options);
  if (lower.startsWith('downloads://')) {
    if (!forSave) throw new NotSupportedError("downloads:// can only save. To load downloaded files in a browser, use sn.loadModel(sn.io.browserFiles([jsonFile, weightsFile])).");
    return browserDownloads(rest('downloads://') || 'model');
  }
  if (lower.startsWith('http://') || lower.startsWith('https://')) return http(url, options);
  if (lower.startsWith('file://')) return fileSystem(rest('file://'), options);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    throw new ValueError(`Unknown URL scheme in ${describe(url)}. Supported: ${SCHEMES.join(', ')}, or a plain directory path in Node.`);
  }
  // A plain path: the file system in Node; in a browser, a URL relative to the page.
  return isNode() ? fileSystem(url, options) : http(url, options);
}

function isHandler(v: unknown): v is IOHandler {
  return typeof v === 'object' && v !== null && (typeof (v as IOHandler).load === 'function' || typeof (v as IOHandler).save === 'function');
}

function sourceName(source: unknown): string {
  return typeof source === 'string' ? `'${source}'` : 'the model';
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
export async function loadModel(source: string | IOHandler | ModelArtifacts, options: LoadOptions = {}): Promise<Sequential> {
  if (typeof options !== 'object' || options === null) invalid('options', 'an object like { compile: false }', options);
  const handler = resolveLoad(source, options);
  const artifacts = await handler.load!();
  return artifactsToModel(artifacts, options, sourceName(source));
}

/**
 * Load weights by name into a model built in code (for files saved with
 * `saveWeightsOnly`, or to take just the weights of a full save).
 */
export async function loadWeights(model: Sequential, source: string | IOHandler | ModelArtifacts, options: LoadOptions = {}): Promise<void> {
  const handler = resolveLoad(source, options);
  loadWeightsInto(model, await handler.load!(), options, sourceName(source));
}

function resolveLoad(source: unknown, options: LoadOptions): IOHandler {
  const handler = typeof source === 'string' ? handlerFor(source, false, options)
    : isHandler(source) ? source
      : typeof source === 'object' && source !== null && 'modelTopology' in source ? fromMemory(source as ModelArtifacts)
        : invalid('source', 'a path, a URL, an IOHandler or model artifacts { modelTopology, weightSpecs, weightData }', source);
  if (typeof handler.load !== 'function') invalid('source', 'an IOHandler with load()', source);
  return handler;
}
