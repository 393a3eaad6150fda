/**
 * A directory on disk, in Node: `model.json` + `weights.bin` (what tfjs-node's
 * `file://` handler writes). Node's modules are imported dynamically, only
 * when this handler runs, so browsers can import simdnet without them.
 *
 * Saving is atomic with respect to failures: both files are written in full
 * to temporary names in the same directory and flushed to disk, then renamed
 * over the old ones (weights first, model.json last). A failure while writing
 * (disk full, permission denied, the process killed) leaves the previous
 * model untouched. If the last rename fails (say, a reader holds model.json
 * open on Windows), the old weights.bin — kept as a hard link — is renamed
 * back. The one window left is a kill between the two renames (two system
 * calls), which would pair the old model.json with the new weights.bin; a
 * changed architecture is then caught on load by the byte count. Saves to one
 * directory from one process are serialized.
 *
 * Loading checks model.json's size before reading it, validates it and the
 * manifest (paths must stay inside the directory), checks every weight
 * file's size against the manifest, and only then reads the bytes.
 */
import { DataError, SimdnetError, ValueError, invalid } from '../errors.js';
import type { IOHandler, ModelArtifacts, SaveResult, WeightSpec } from './types.js';
import { DEFAULT_MAX_PARAMS, MAX_JSON_BYTES, checkGroupBytes, checkModelJSON, parseJSONText } from './validate.js';
import { joinWeightData, weightDataBytes } from './weights.js';
import { diagnoseWeights } from './topology.js';

/** The part of `node:fs/promises` this handler uses (tests inject failures through it). */
export interface FsLike {
  mkdir(path: string, options: { recursive: true }): Promise<unknown>;
  open(path: string, flags: string): Promise<FileHandleLike>;
  rename(from: string, to: string): Promise<void>;
  link(existing: string, newPath: string): Promise<void>;
  rm(path: string, options: { force: true }): Promise<void>;
  stat(path: string): Promise<{ size: number; isFile(): boolean; isDirectory(): boolean }>;
}
export interface FileHandleLike {
  writeFile(data: Uint8Array): Promise<void>;
  read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
  sync(): Promise<void>;
  close(): Promise<void>;
}

export interface FileSystemOptions {
  /** Refuse models with more parameters than this before reading their weights. Defaults to 2^28. */
  maxParams?: number;
  /** @internal A replacement for node:fs/promises (tests inject failures). */
  fs?: FsLike;
}

// Module names in variables: bundlers leave these imports alone, and browsers never reach them.
const FS_MODULE = 'node:fs/promises';
const PATH_MODULE = 'node:path';
type PathModule = typeof import('node:path');

async function nodeModules(injected?: FsLike): Promise<{ fs: FsLike; path: PathModule }> {
  if (typeof process === 'undefined' || !process.versions?.node) {
    throw new SimdnetError(
      'Saving to or loading from a file path needs Node.js. In a browser use indexeddb://, localstorage://, downloads:// or an http(s) URL.',
    );
  }
  const path = (await import(/* @vite-ignore */ PATH_MODULE)) as PathModule;
  const fs = injected ?? ((await import(/* @vite-ignore */ FS_MODULE)) as unknown as FsLike);
  return { fs, path };
}

const errno = (e: unknown) => (e as { code?: string })?.code;

/** Saves in progress, by directory: a second save to the same directory waits for the first. */
const saving = new Map<string, Promise<void>>();

/** Write a file in full and flush it to disk. `wx`: a leftover temporary file is never reused. */
async function writeDurable(fs: FsLike, file: string, data: Uint8Array): Promise<void> {
  const fh = await fs.open(file, 'wx');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** The model directory (or model.json path) as a handler. */
export class FileSystemHandler implements IOHandler {
  static readonly URL_SCHEME = 'file://';
  constructor(
    readonly path: string,
    private readonly options: FileSystemOptions = {},
  ) {
    if (typeof path !== 'string' || path.length === 0) invalid('path', 'a directory path', path);
  }

  /** Write `model.json` and `weights.bin` into the directory (created if needed), atomically. */
  async save(artifacts: ModelArtifacts): Promise<SaveResult> {
    const { fs, path } = await nodeModules(this.options.fs);
    const dir = this.path.endsWith('.json') ? path.dirname(this.path) : this.path;
    const jsonName = this.path.endsWith('.json') ? path.basename(this.path) : 'model.json';
    const weightsName = 'weights.bin';
    const weights = new Uint8Array(joinWeightData(artifacts.weightData ?? new ArrayBuffer(0)));
    const modelJSON: Record<string, unknown> = {
      modelTopology: artifacts.modelTopology ?? null,
      format: artifacts.format ?? 'layers-model',
      generatedBy: artifacts.generatedBy,
      convertedBy: artifacts.convertedBy ?? null,
      weightsManifest: [{ paths: [weightsName], weights: artifacts.weightSpecs ?? [] }],
    };
    if (artifacts.trainingConfig) modelJSON.trainingConfig = artifacts.trainingConfig;
    if (artifacts.userDefinedMetadata) modelJSON.userDefinedMetadata = artifacts.userDefinedMetadata;
    const jsonText = JSON.stringify(modelJSON);
    const json = new TextEncoder().encode(jsonText);
    const nonce = `${process.pid}-${Date.now().toString(36)}-${Math.floor(Math.random() * 2 ** 32).toString(36)}`;
    const tmpWeights = path.join(dir, `.${weightsName}.${nonce}.tmp`);
    const tmpJson = path.join(dir, `.${jsonName}.${nonce}.tmp`);
    const backup = path.join(dir, `.${weightsName}.${nonce}.old`);
    const finalWeights = path.join(dir, weightsName);
    const key = path.resolve(dir);
    const previous = saving.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => {
      release = r;
    });
    saving.set(key, mine);
    await previous;
    let backedUp = false,
      weightsSwapped = false;
    try {
      await fs.mkdir(dir, { recursive: true });
      await writeDurable(fs, tmpWeights, weights);
      await writeDurable(fs, tmpJson, json);
      // Keep the old weights reachable (a hard link, no copy) in case the last rename fails.
      backedUp = await fs.link(finalWeights, backup).then(
        () => true,
        () => false,
      );
      await fs.rename(tmpWeights, finalWeights);
      weightsSwapped = true;
      await fs.rename(tmpJson, path.join(dir, jsonName));
    } catch (e) {
      let restored = !weightsSwapped;
      if (weightsSwapped && backedUp)
        restored = await fs.rename(backup, finalWeights).then(
          () => true,
          () => false,
        );
      await Promise.all(
        [tmpWeights, tmpJson, ...(restored ? [backup] : [])].map((f) =>
          fs.rm(f, { force: true }).catch(() => undefined),
        ),
      );
      const err = new SimdnetError(
        `Could not save the model to '${dir}': ${(e as Error)?.message ?? e}. ${restored ? 'The previous model there, if any, is unchanged.' : `Its ${weightsName} was already replaced and could not be restored${backedUp ? ` (the old one is kept as '${backup}')` : ''}: save again.`}`,
      );
      (err as { cause?: unknown }).cause = e;
      throw err;
    } finally {
      if (saving.get(key) === mine) saving.delete(key);
      release();
    }
    if (backedUp) await fs.rm(backup, { force: true }).catch(() => undefined);
    // Make the renames themselves durable (best effort: not every platform can open a directory).
    try {
      const d = await fs.open(dir, 'r');
      try {
        await d.sync();
      } finally {
        await d.close();
      }
    } catch {
      /* not supported here */
    }
    return {
      modelArtifactsInfo: {
        dateSaved: new Date(),
        modelTopologyType: 'JSON',
        modelTopologyBytes: artifacts.modelTopology ? JSON.stringify(artifacts.modelTopology).length : 0,
        weightSpecsBytes: JSON.stringify(artifacts.weightSpecs ?? []).length,
        weightDataBytes: weightDataBytes(artifacts.weightData),
      },
    };
  }

  /** Read model.json (from the directory, or the given .json path) and its weight files, validating as it goes. */
  async load(): Promise<ModelArtifacts> {
    const { fs, path } = await nodeModules(this.options.fs);
    const maxParams = this.options.maxParams ?? DEFAULT_MAX_PARAMS;
    let jsonPath = this.path;
    let st = await fs.stat(jsonPath).catch((e) => {
      throw notFound(jsonPath, e);
    });
    if (st.isDirectory()) {
      jsonPath = path.join(this.path, 'model.json');
      st = await fs.stat(jsonPath).catch((e) => {
        throw notFound(jsonPath, e);
      });
    }
    if (!st.isFile()) throw new ValueError(`'${jsonPath}' is not a file.`);
    if (st.size > MAX_JSON_BYTES)
      throw new DataError(`'${jsonPath}' is ${st.size} bytes; model files over ${MAX_JSON_BYTES} bytes are refused.`);
    const dir = path.dirname(jsonPath);
    const text = await readExactly(fs, jsonPath, st.size);
    const checked = checkModelJSON(parseJSONText(text, jsonPath), path.basename(jsonPath), maxParams);
    // Sizes first: nothing is read unless every file holds exactly what the manifest says.
    const files: { file: string; size: number }[][] = [];
    let total = 0;
    for (const [gi, g] of checked.groups.entries()) {
      const sizes: { file: string; size: number }[] = [];
      for (const [pi, p] of g.paths.entries()) {
        const file = path.resolve(dir, p);
        if (!file.startsWith(path.resolve(dir) + path.sep))
          throw new DataError(
            `${path.basename(jsonPath)}.weightsManifest[${gi}].paths[${pi}]: '${p}' points outside the model directory.`,
          );
        const s = await fs.stat(file).catch((e) => {
          throw new DataError(
            `Weight file '${p}' listed in ${path.basename(jsonPath)} (weightsManifest[${gi}].paths[${pi}]) cannot be read: ${errno(e) === 'ENOENT' ? 'it is missing' : (e as Error).message}. Copy every file the manifest names next to model.json.`,
          );
        });
        if (!s.isFile()) throw new DataError(`Weight file '${p}' (weightsManifest[${gi}].paths[${pi}]) is not a file.`);
        sizes.push({ file, size: s.size });
      }
      const found = sizes.reduce((a, b) => a + b.size, 0);
      if (found !== g.bytes) {
        const where = `${g.paths.length === 1 ? `'${g.paths[0]}'` : `the ${g.paths.length} files of weightsManifest[${gi}] (${g.paths.join(', ')})`}`;
        if (checked.modelTopology)
          diagnoseWeights(
            checked.modelTopology,
            checked.groups.flatMap((x) => x.weights),
            path.basename(jsonPath),
            maxParams,
          );
        checkGroupBytes(g, found, where);
      }
      files.push(sizes);
      total += found;
    }
    const data = new Uint8Array(total);
    let off = 0;
    for (const group of files) {
      for (const { file, size } of group) {
        data.set(await readExactly(fs, file, size), off);
        off += size;
      }
    }
    const weightSpecs: WeightSpec[] = checked.groups.flatMap((g) =>
      g.weights.map(({ size: _s, bytes: _b, ...spec }) => spec),
    );
    const j = checked.json;
    const out: ModelArtifacts = {
      modelTopology: checked.modelTopology,
      weightSpecs,
      weightData: data.buffer,
      format: j.format,
      generatedBy: j.generatedBy,
      convertedBy: j.convertedBy ?? null,
    };
    if (j.trainingConfig) out.trainingConfig = j.trainingConfig;
    if (j.userDefinedMetadata) out.userDefinedMetadata = j.userDefinedMetadata;
    return out;
  }
}

function notFound(p: string, e: unknown): Error {
  if (errno(e) === 'ENOENT' || errno(e) === 'ENOTDIR')
    return new ValueError(
      `No model at '${p}': the path does not exist. Expected a directory holding model.json (or the model.json file itself).`,
    );
  return e as Error;
}

/** Read exactly `size` bytes (the size checked beforehand); a file that changed meanwhile is refused. */
async function readExactly(fs: FsLike, file: string, size: number): Promise<Uint8Array> {
  const fh = await fs.open(file, 'r');
  try {
    const buf = new Uint8Array(size);
    let got = 0;
    while (got < size) {
      const { bytesRead } = await fh.read(buf, got, size - got, got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    const extra = await fh.read(new Uint8Array(1), 0, 1, size);
    if (got !== size || extra.bytesRead !== 0) throw new DataError(`'${file}' changed size while it was being read.`);
    return buf;
  } finally {
    await fh.close();
  }
}

/** A directory handler for Node: `sn.io.fileSystem('./my-model')`. */
export function fileSystem(path: string, options: FileSystemOptions = {}): FileSystemHandler {
  return new FileSystemHandler(path, options);
}
