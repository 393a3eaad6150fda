/**
 * Browser storage and transport handlers, on the standard APIs only (no Node
 * built-ins anywhere in this module):
 *
 * - `indexeddb://name`   IndexedDB, in TF.js's own database layout ('tensorflowjs',
 *                         stores 'models_store' and 'model_info_store'), so models
 *                         saved by TF.js load here and the reverse. Saved in one
 *                         transaction over both stores: all or nothing.
 * - `localstorage://name` localStorage, in TF.js's key layout
 *                         (`tensorflowjs_models/<name>/{info,model_topology,weight_specs,weight_data,model_metadata}`).
 *                         Staged under temporary keys first, so a quota error
 *                         leaves the previous model intact.
 * - `downloads://name`    two downloads, `<name>.json` and `<name>.weights.bin` (save only).
 * - `browserFiles([json, ...weights])` user-picked files (load only).
 * - `http(url)`           fetch model.json and its weight files (load), or POST
 *                         them as multipart form data (save), as TF.js does.
 */
import { DataError, NotSupportedError, SimdnetError, describe, invalid } from '../errors.js';
import type { IOHandler, ModelArtifacts, ModelArtifactsInfo, SaveResult, WeightSpec } from './types.js';
import {
  CheckedGroup,
  DEFAULT_MAX_PARAMS,
  MAX_JSON_BYTES,
  checkGroupBytes,
  checkModelJSON,
  isPlainObject,
  parseAnyJSON,
  parseJSONText,
} from './validate.js';
import { diagnoseWeights } from './topology.js';
import { joinWeightData, weightDataBytes } from './weights.js';

function artifactsInfo(a: ModelArtifacts): ModelArtifactsInfo {
  return {
    dateSaved: new Date(),
    modelTopologyType: 'JSON',
    modelTopologyBytes: a.modelTopology ? JSON.stringify(a.modelTopology).length : 0,
    weightSpecsBytes: JSON.stringify(a.weightSpecs ?? []).length,
    weightDataBytes: weightDataBytes(a.weightData),
  };
}

/** model.json's object for artifacts whose weights sit in one file at `weightsPath`. */
export function modelJSONFor(a: ModelArtifacts, weightsPath: string): Record<string, unknown> {
  const j: Record<string, unknown> = {
    modelTopology: a.modelTopology ?? null,
    format: a.format ?? 'layers-model',
    generatedBy: a.generatedBy,
    convertedBy: a.convertedBy ?? null,
    weightsManifest: [{ paths: [weightsPath], weights: a.weightSpecs ?? [] }],
  };
  if (a.trainingConfig) j.trainingConfig = a.trainingConfig;
  if (a.userDefinedMetadata) j.userDefinedMetadata = a.userDefinedMetadata;
  return j;
}

/** Artifacts from a checked model.json and its groups' bytes (in manifest order). */
function assemble(checked: ReturnType<typeof checkModelJSON>, data: ArrayBuffer): ModelArtifacts {
  const weightSpecs: WeightSpec[] = checked.groups.flatMap((g) =>
    g.weights.map(({ size: _s, bytes: _b, ...spec }) => spec),
  );
  const j = checked.json;
  const out: ModelArtifacts = {
    modelTopology: checked.modelTopology,
    weightSpecs,
    weightData: data,
    format: j.format,
    generatedBy: j.generatedBy,
    convertedBy: j.convertedBy ?? null,
  };
  if (j.trainingConfig) out.trainingConfig = j.trainingConfig;
  if (j.userDefinedMetadata) out.userDefinedMetadata = j.userDefinedMetadata;
  return out;
}

function checkName(name: unknown, scheme: string): string {
  if (typeof name !== 'string' || name.length === 0 || name.length > 1024)
    invalid('name', `a non-empty model name (as in '${scheme}my-model')`, name);
  return name;
}

// ------------------------------------------------------------------ IndexedDB

const DB_NAME = 'tensorflowjs';
const DB_VERSION = 1;
const MODEL_STORE = 'models_store';
const INFO_STORE = 'model_info_store';

function idbFactory(injected?: IDBFactory): IDBFactory {
  const f = injected ?? (globalThis as { indexedDB?: IDBFactory }).indexedDB;
  if (!f)
    throw new NotSupportedError(
      "indexeddb:// needs IndexedDB, which this environment does not have (Node has none). In Node, save to a directory path instead: model.save('./my-model').",
    );
  return f;
}

function openDB(f: IDBFactory): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = f.open(DB_NAME, DB_VERSION);
    req.onupgradeneeded = () => {
      const db = req.result;
      if (!db.objectStoreNames.contains(MODEL_STORE)) db.createObjectStore(MODEL_STORE, { keyPath: 'modelPath' });
      if (!db.objectStoreNames.contains(INFO_STORE)) db.createObjectStore(INFO_STORE, { keyPath: 'modelPath' });
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () =>
      reject(
        new SimdnetError(`Could not open IndexedDB database '${DB_NAME}': ${req.error?.message ?? 'unknown error'}`),
      );
    req.onblocked = () =>
      reject(new SimdnetError(`IndexedDB database '${DB_NAME}' is blocked by another open connection (another tab?).`));
  });
}

export class BrowserIndexedDB implements IOHandler {
  static readonly URL_SCHEME = 'indexeddb://';
  private readonly factory: IDBFactory;
  constructor(
    readonly modelPath: string,
    options: { indexedDB?: IDBFactory } = {},
  ) {
    checkName(modelPath, BrowserIndexedDB.URL_SCHEME);
    this.factory = idbFactory(options.indexedDB);
  }

  async save(artifacts: ModelArtifacts): Promise<SaveResult> {
    const modelArtifacts = { ...artifacts, weightData: joinWeightData(artifacts.weightData ?? new ArrayBuffer(0)) };
    const modelArtifactsInfo = artifactsInfo(modelArtifacts);
    const db = await openDB(this.factory);
    try {
      await new Promise<void>((resolve, reject) => {
        // One transaction over both stores: either both records are replaced or neither is.
        const tx = db.transaction([INFO_STORE, MODEL_STORE], 'readwrite');
        tx.oncomplete = () => resolve();
        const fail = () =>
          reject(
            new SimdnetError(
              `Could not save model '${this.modelPath}' to IndexedDB (the previous one, if any, is unchanged): ${tx.error?.message ?? 'the transaction was aborted'}. The storage quota may be exceeded (${modelArtifactsInfo.weightDataBytes} bytes of weights).`,
            ),
          );
        tx.onerror = fail;
        tx.onabort = fail;
        tx.objectStore(INFO_STORE).put({ modelPath: this.modelPath, modelArtifactsInfo });
        tx.objectStore(MODEL_STORE).put({ modelPath: this.modelPath, modelArtifacts, modelArtifactsInfo });
      });
    } finally {
      db.close();
    }
    return { modelArtifactsInfo };
  }

  async load(): Promise<ModelArtifacts> {
    const db = await openDB(this.factory);
    try {
      const rec = await new Promise<unknown>((resolve, reject) => {
        const tx = db.transaction(MODEL_STORE, 'readonly');
        const req = tx.objectStore(MODEL_STORE).get(this.modelPath);
        req.onsuccess = () => resolve(req.result);
        req.onerror = () =>
          reject(
            new SimdnetError(
              `Could not read model '${this.modelPath}' from IndexedDB: ${req.error?.message ?? 'unknown error'}`,
            ),
          );
      });
      if (rec === undefined || rec === null)
        throw new SimdnetError(`There is no model named '${this.modelPath}' in IndexedDB.`);
      if (!isPlainObject(rec) || typeof rec.modelArtifacts !== 'object' || rec.modelArtifacts === null)
        throw new DataError(`The IndexedDB record for '${this.modelPath}' holds no model artifacts.`);
      return rec.modelArtifacts as ModelArtifacts;
    } finally {
      db.close();
    }
  }
}

export function browserIndexedDB(modelPath: string, options: { indexedDB?: IDBFactory } = {}): BrowserIndexedDB {
  return new BrowserIndexedDB(modelPath, options);
}

// ------------------------------------------------------------------ localStorage

const LS_PREFIX = 'tensorflowjs_models';
const LS_SUFFIXES = ['info', 'model_topology', 'weight_specs', 'weight_data', 'model_metadata'] as const;
const STAGING = '.__simdnet_staging__';

function toBase64(buf: ArrayBuffer): string {
  const b = new Uint8Array(buf);
  let s = '';
  for (let i = 0; i < b.length; i += 0x8000)
    s += String.fromCharCode.apply(null, Array.from(b.subarray(i, i + 0x8000)));
  return btoa(s);
}
function fromBase64(s: string, what: string, maxBytes: number): ArrayBuffer {
  if (s.length > Math.ceil(maxBytes / 3) * 4 + 4)
    throw new DataError(`${what} is ${s.length} characters of base64, more than the largest plausible model.`);
  let bin: string;
  try {
    bin = atob(s);
  } catch {
    throw new DataError(`${what} is not valid base64: the stored model is corrupt.`);
  }
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out.buffer;
}

export class BrowserLocalStorage implements IOHandler {
  static readonly URL_SCHEME = 'localstorage://';
  private readonly ls: Storage;
  constructor(
    readonly modelPath: string,
    private readonly options: { storage?: Storage; maxParams?: number } = {},
  ) {
    checkName(modelPath, BrowserLocalStorage.URL_SCHEME);
    const ls = options.storage ?? (globalThis as { localStorage?: Storage }).localStorage;
    if (!ls)
      throw new NotSupportedError(
        'localstorage:// needs window.localStorage, which this environment does not have (Node has none). In Node, save to a directory path instead.',
      );
    this.ls = ls;
  }
  private key(path: string, suffix: string): string {
    return `${LS_PREFIX}/${path}/${suffix}`;
  }

  async save(artifacts: ModelArtifacts): Promise<SaveResult> {
    const info = artifactsInfo(artifacts);
    const values: Record<string, string> = {
      info: JSON.stringify(info),
      model_topology: JSON.stringify(artifacts.modelTopology ?? null),
      weight_specs: JSON.stringify(artifacts.weightSpecs ?? []),
      weight_data: toBase64(joinWeightData(artifacts.weightData ?? new ArrayBuffer(0))),
      model_metadata: JSON.stringify({
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        ...(artifacts.userDefinedMetadata ? { userDefinedMetadata: artifacts.userDefinedMetadata } : {}),
        ...(artifacts.trainingConfig ? { trainingConfig: artifacts.trainingConfig } : {}),
      }),
    };
    const staged = `${this.modelPath}${STAGING}`;
    // Stage everything first: a quota error here leaves the saved model as it was.
    try {
      for (const s of LS_SUFFIXES) this.ls.setItem(this.key(staged, s), values[s]!);
    } catch (e) {
      for (const s of LS_SUFFIXES) this.ls.removeItem(this.key(staged, s));
      throw new SimdnetError(
        `Could not save model '${this.modelPath}' to localStorage (the previous one, if any, is unchanged): ${(e as Error)?.message ?? e}. The quota (about 5 MB) may be exceeded: ${info.weightDataBytes} bytes of weights take ${values.weight_data!.length} characters.`,
      );
    }
    // Commit: each step frees the staged copy before replacing the old value, so it never needs more room than staging
    // did.
    for (const s of LS_SUFFIXES) {
      this.ls.removeItem(this.key(staged, s));
      this.ls.setItem(this.key(this.modelPath, s), values[s]!);
    }
    return { modelArtifactsInfo: info };
  }

  async load(): Promise<ModelArtifacts> {
    const get = (s: string) => this.ls.getItem(this.key(this.modelPath, s));
    const name = this.modelPath;
    if (get('info') === null) throw new SimdnetError(`There is no model named '${name}' in localStorage.`);
    const parse = (s: string) => {
      const v = get(s);
      if (v === null) throw new DataError(`localStorage model '${name}' has no ${s}: the stored model is incomplete.`);
      return parseAnyJSON(v, `localStorage '${this.key(name, s)}'`);
    };
    const topology = parse('model_topology');
    const specs = parse('weight_specs');
    const meta = get('model_metadata') !== null ? parse('model_metadata') : {};
    const data = get('weight_data');
    if (data === null)
      throw new DataError(`localStorage model '${name}' has no weight_data: the stored model is incomplete.`);
    const maxBytes = 16 * (this.options.maxParams ?? DEFAULT_MAX_PARAMS);
    const out: ModelArtifacts = {
      modelTopology: topology as ModelArtifacts['modelTopology'],
      weightSpecs: specs as WeightSpec[],
      weightData: fromBase64(data, `localStorage '${this.key(name, 'weight_data')}'`, maxBytes),
    };
    if (isPlainObject(meta)) {
      if (typeof meta.format === 'string') out.format = meta.format;
      if (typeof meta.generatedBy === 'string') out.generatedBy = meta.generatedBy;
      if (meta.trainingConfig) out.trainingConfig = meta.trainingConfig as ModelArtifacts['trainingConfig'];
      if (meta.userDefinedMetadata) out.userDefinedMetadata = meta.userDefinedMetadata as Record<string, unknown>;
    }
    return out;
  }
}

export function browserLocalStorage(
  modelPath: string,
  options: { storage?: Storage; maxParams?: number } = {},
): BrowserLocalStorage {
  return new BrowserLocalStorage(modelPath, options);
}

// ------------------------------------------------------------------ downloads and files

export class BrowserDownloads implements IOHandler {
  static readonly URL_SCHEME = 'downloads://';
  constructor(readonly fileNamePrefix = 'model') {
    checkName(fileNamePrefix, BrowserDownloads.URL_SCHEME);
  }

  async save(artifacts: ModelArtifacts): Promise<SaveResult> {
    const doc = (globalThis as { document?: Document }).document;
    if (!doc || typeof URL === 'undefined' || typeof URL.createObjectURL !== 'function') {
      throw new NotSupportedError(
        'downloads:// needs a browser page (document and URL.createObjectURL). In Node, save to a directory path instead.',
      );
    }
    const weightsName = `${this.fileNamePrefix}.weights.bin`;
    const json = new Blob([JSON.stringify(modelJSONFor(artifacts, `./${weightsName}`))], { type: 'application/json' });
    const weights = new Blob([joinWeightData(artifacts.weightData ?? new ArrayBuffer(0))], {
      type: 'application/octet-stream',
    });
    for (const [blob, name] of [
      [json, `${this.fileNamePrefix}.json`],
      [weights, weightsName],
    ] as const) {
      const url = URL.createObjectURL(blob);
      const a = doc.createElement('a');
      a.download = name;
      a.href = url;
      a.click();
      // Revoke later: the download starts asynchronously.
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    }
    return { modelArtifactsInfo: artifactsInfo(artifacts) };
  }
}

export function browserDownloads(fileNamePrefix = 'model'): BrowserDownloads {
  return new BrowserDownloads(fileNamePrefix);
}

/** On a byte-count mismatch, name the weight whose shape disagrees with the topology, if one does. */
function diagnose(checked: ReturnType<typeof checkModelJSON>, where: string): void {
  if (checked.modelTopology)
    diagnoseWeights(
      checked.modelTopology,
      checked.groups.flatMap((g) => g.weights),
      where,
    );
}

/** Read a group's bytes from its sources, checking sizes against the manifest before reading. */
async function readGroups(
  groups: CheckedGroup[],
  open: (path: string, where: string) => Promise<{ size: number; read(limit: number): Promise<ArrayBuffer> }>,
  topologyCheck: () => void,
): Promise<ArrayBuffer> {
  const total = groups.reduce((a, g) => a + g.bytes, 0);
  const out = new Uint8Array(total);
  let off = 0;
  for (const [gi, g] of groups.entries()) {
    const sources = [];
    for (const [pi, p] of g.paths.entries()) sources.push(await open(p, `weightsManifest[${gi}].paths[${pi}]`));
    const known = sources.every((s) => s.size >= 0);
    const where = g.paths.length === 1 ? `'${g.paths[0]}'` : `the ${g.paths.length} files of weightsManifest[${gi}]`;
    if (known) {
      const found = sources.reduce((a, s) => a + s.size, 0);
      if (found !== g.bytes) {
        topologyCheck();
        checkGroupBytes(g, found, where);
      }
    }
    let got = 0;
    for (const s of sources) {
      const b = new Uint8Array(await s.read(g.bytes - got + 1));
      if (got + b.byteLength > g.bytes) {
        topologyCheck();
        checkGroupBytes(g, got + b.byteLength, where);
      }
      out.set(b, off + got);
      got += b.byteLength;
    }
    if (got !== g.bytes) {
      topologyCheck();
      checkGroupBytes(g, got, where);
    }
    off += g.bytes;
  }
  return out.buffer;
}

/** Load from files a user picked: `browserFiles([jsonFile, weightsFile, ...])`. */
export class BrowserFiles implements IOHandler {
  constructor(
    private readonly files: File[],
    private readonly options: { maxParams?: number } = {},
  ) {
    if (
      !Array.isArray(files) ||
      files.length === 0 ||
      !files.every((f) => typeof f === 'object' && f !== null && typeof (f as Blob).arrayBuffer === 'function')
    ) {
      invalid('files', 'an array [modelJsonFile, ...weightFiles] of File objects', files);
    }
  }
  async load(): Promise<ModelArtifacts> {
    const [jsonFile, ...weightFiles] = this.files;
    if (jsonFile!.size > MAX_JSON_BYTES)
      throw new DataError(
        `'${jsonFile!.name}' is ${jsonFile!.size} bytes; model files over ${MAX_JSON_BYTES} bytes are refused.`,
      );
    const checked = checkModelJSON(
      parseJSONText(new Uint8Array(await jsonFile!.arrayBuffer()), jsonFile!.name),
      jsonFile!.name,
      this.options.maxParams ?? DEFAULT_MAX_PARAMS,
    );
    const base = (p: string) => p.slice(p.search(/[^/\\]*$/));
    const data = await readGroups(
      checked.groups,
      async (p, where) => {
        const f = weightFiles.find((w) => w.name === base(p));
        if (!f)
          throw new DataError(
            `Weight file '${base(p)}' (${where} of ${jsonFile!.name}) was not among the files given: ${weightFiles.map((w) => `'${w.name}'`).join(', ') || 'none'}. Select model.json together with every weight file.`,
          );
        return { size: f.size, read: async () => f.arrayBuffer() };
      },
      () => diagnose(checked, jsonFile!.name),
    );
    return assemble(checked, data);
  }
}

export function browserFiles(files: File[], options: { maxParams?: number } = {}): BrowserFiles {
  return new BrowserFiles(files, options);
}

// ------------------------------------------------------------------ http

export interface HttpOptions {
  /** Extra fetch options (headers, credentials, …). For save, `method` defaults to POST. */
  requestInit?: RequestInit;
  /** A fetch implementation (defaults to the global fetch). */
  fetchFunc?: typeof fetch;
  /** Where the weight files are, if not next to model.json. */
  weightPathPrefix?: string;
  maxParams?: number;
}

/** Read at most `limit` bytes of a response body; a longer body stops the read. */
async function readLimited(res: Response, limit: number): Promise<ArrayBuffer> {
  const len = Number(res.headers.get('content-length'));
  if (Number.isFinite(len) && len > limit && !res.headers.get('content-encoding')) {
    void res.body?.cancel();
    return new ArrayBuffer(limit + 1);
  }
  if (!res.body) return res.arrayBuffer();
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let n = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    n += value.byteLength;
    if (n > limit) {
      void reader.cancel();
      break;
    }
  }
  const out = new Uint8Array(n);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.byteLength;
  }
  return out.buffer;
}

export class HTTPRequest implements IOHandler {
  constructor(
    readonly url: string,
    private readonly options: HttpOptions = {},
  ) {
    if (typeof url !== 'string' || url.length === 0)
      invalid('url', 'the URL of model.json (load) or of the upload endpoint (save)', url);
  }
  private get fetch(): typeof fetch {
    const f = this.options.fetchFunc ?? (globalThis as { fetch?: typeof fetch }).fetch;
    if (!f)
      throw new NotSupportedError(
        'http(s):// needs fetch, which this environment does not have. Pass { fetchFunc } to io.http.',
      );
    return f;
  }
  private absolute(u: string): string {
    const loc = (globalThis as { location?: { href: string } }).location;
    return new URL(u, loc?.href).href;
  }

  async load(): Promise<ModelArtifacts> {
    const url = this.absolute(this.url);
    const res = await this.fetch(url, this.options.requestInit);
    if (!res.ok) throw new SimdnetError(`Request for ${url} failed with status ${res.status} ${res.statusText}.`);
    const body = await readLimited(res, MAX_JSON_BYTES);
    if (body.byteLength > MAX_JSON_BYTES)
      throw new DataError(`${url} is larger than ${MAX_JSON_BYTES} bytes; model files that large are refused.`);
    const checked = checkModelJSON(
      parseJSONText(new Uint8Array(body), url),
      url,
      this.options.maxParams ?? DEFAULT_MAX_PARAMS,
    );
    const prefix =
      this.options.weightPathPrefix !== undefined
        ? this.absolute(
            this.options.weightPathPrefix.endsWith('/')
              ? this.options.weightPathPrefix
              : `${this.options.weightPathPrefix}/`,
          )
        : url;
    const data = await readGroups(
      checked.groups,
      async (p, where) => {
        const u = new URL(p, prefix).href;
        const r = await this.fetch(u, this.options.requestInit);
        if (!r.ok)
          throw new DataError(
            `Weight file '${p}' (${where} of ${url}) could not be fetched from ${u}: status ${r.status}${r.status === 404 ? ' (missing)' : ''}.`,
          );
        // Sizes are checked as the bytes arrive: a body longer than the manifest allows stops the read.
        return { size: -1, read: (limit: number) => readLimited(r, limit) };
      },
      () => diagnose(checked, url),
    );
    return assemble(checked, data);
  }

  async save(artifacts: ModelArtifacts): Promise<SaveResult> {
    const url = this.absolute(this.url);
    const init: RequestInit = { method: 'POST', ...this.options.requestInit };
    if (init.body !== undefined && init.body !== null)
      invalid('requestInit.body', 'no body (the model is the body)', describe(init.body));
    const form = new FormData();
    form.append(
      'model.json',
      new Blob([JSON.stringify(modelJSONFor(artifacts, './model.weights.bin'))], { type: 'application/json' }),
      'model.json',
    );
    form.append(
      'model.weights.bin',
      new Blob([joinWeightData(artifacts.weightData ?? new ArrayBuffer(0))], { type: 'application/octet-stream' }),
      'model.weights.bin',
    );
    init.body = form;
    const res = await this.fetch(url, init);
    if (!res.ok)
      throw new SimdnetError(`Saving the model to ${url} failed with status ${res.status} ${res.statusText}.`);
    return { modelArtifactsInfo: artifactsInfo(artifacts), responses: [res] };
  }
}

export function http(url: string, options: HttpOptions = {}): HTTPRequest {
  return new HTTPRequest(url, options);
}
