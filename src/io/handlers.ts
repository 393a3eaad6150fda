/**
 * The routing of string targets and sources to IOHandlers:
 *
 *   './dir', '/abs/dir', 'file://dir'   a directory in Node (model.json + weights.bin)
 *   'indexeddb://name'                  IndexedDB (browser)
 *   'localstorage://name'               localStorage (browser)
 *   'downloads://name'                  browser downloads (save only)
 *   'http(s)://…/model.json'            fetch (load) or multipart POST (save)
 *
 * Below both the model (which saves through it) and loading.
 */
import { NotSupportedError, ValueError, describe, invalid } from '../errors.js';
import type { IOHandler } from './types.js';
import { fileSystem } from './node-fs.js';
import { browserDownloads, browserIndexedDB, browserLocalStorage, http } from './browser.js';

const isNode = () => typeof process !== 'undefined' && !!process.versions?.node;
const SCHEMES = ['file://', 'indexeddb://', 'localstorage://', 'downloads://', 'http://', 'https://'];

/** The handler for a string target (see the module comment). */
export function handlerFor(url: string, forSave: boolean, options: { maxParams?: number } = {}): IOHandler {
  if (typeof url !== 'string' || url.length === 0)
    invalid(
      forSave ? 'target' : 'source',
      'a path, a URL (indexeddb://, localstorage://, downloads://, http(s)://, file://) or an IOHandler',
      url,
    );
  const lower = url.toLowerCase();
  const rest = (scheme: string) => url.slice(scheme.length);
  if (lower.startsWith('indexeddb://')) return browserIndexedDB(rest('indexeddb://'));
  if (lower.startsWith('localstorage://')) return browserLocalStorage(rest('localstorage://'), options);
  if (lower.startsWith('downloads://')) {
    if (!forSave)
      throw new NotSupportedError(
        'downloads:// can only save. To load downloaded files in a browser, use sn.loadModel(sn.io.browserFiles([jsonFile, weightsFile])).',
      );
    return browserDownloads(rest('downloads://') || 'model');
  }
  if (lower.startsWith('http://') || lower.startsWith('https://')) return http(url, options);
  if (lower.startsWith('file://')) return fileSystem(rest('file://'), options);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    throw new ValueError(
      `Unknown URL scheme in ${describe(url)}. Supported: ${SCHEMES.join(', ')}, or a plain directory path in Node.`,
    );
  }
  // A plain path: the file system in Node; in a browser, a URL relative to the page.
  return isNode() ? fileSystem(url, options) : http(url, options);
}

export function isHandler(v: unknown): v is IOHandler {
  return (
    typeof v === 'object' &&
    v !== null &&
    (typeof (v as IOHandler).load === 'function' || typeof (v as IOHandler).save === 'function')
  );
}
