/**
 * The backend registry: which kernel implementation the library runs on.
 *
 *   await initBackends();   // once; idempotent (concurrent calls share one promise)
 *   initBackendsSync();     // the same, compiling synchronously (Node; the CommonJS entry)
 *   getBackend();           // the current Backend
 *   setBackend('js');       // switch ('wasm' | 'js')
 *   backendInfo();          // { backend, variant, simd, relaxedSimd, relaxedSimdFlag, sharedMemory, threads, … }
 *   setThreads(n);          // kernel threads for the wasm backend (1 = no worker pool)
 *   shutdown();             // end the kernel worker threads
 *
 * initBackends() loads the best wasm kernels the platform runs (see
 * runtime/loader.ts) and makes them current; without WebAssembly SIMD the
 * pure-TypeScript backend is current instead, and backendInfo().reason says
 * why. The js backend is created lazily, on first use.
 *
 * Environment overrides (Node): SIMDNET_BACKEND=js|wasm picks the initial
 * backend (wasm when unavailable is an error, not a silent fallback);
 * SIMDNET_WASM_VARIANT=relaxed|simd|unshared picks the binary;
 * SIMDNET_THREADS=n sets the kernel threads (default: the machine's available
 * parallelism, at most 8; see backend/threaded.ts for what is split, and when).
 */
import type { Backend } from './types.js';
import { createJsBackend } from './js.js';
import { createWasmBackend } from './wasm.js';
import { checkThreads, createThreadedBackend, defaultThreads, parseThreads, type ThreadedBackend } from './threaded.js';
import {
  detectFeatures,
  loadWasmModule,
  loadWasmModuleSync,
  readEnv,
  type LoadedWasm,
  type WasmUnavailable,
  type WasmVariant,
} from '../runtime/loader.js';
import { SimdnetError, ValueError, describe } from '../errors.js';

export type BackendName = 'wasm' | 'js';

export interface BackendInfo {
  backend: BackendName;
  variant: WasmVariant | 'js';
  simd: boolean;
  relaxedSimd: boolean;
  /** Node 20: simdnet turned on V8's `--experimental-wasm-relaxed-simd` (on by default from Node 22). */
  relaxedSimdFlag: boolean;
  sharedMemory: boolean;
  /** Kernel threads (1: the worker pool is not in use). */
  threads: number;
  /** Why the wasm backend is not available, when it is not. */
  reason?: string;
  /** Why `threads` is 1 although more were asked for (no shared memory, no Worker, …). */
  threadsReason?: string;
}

let initPromise: Promise<void> | undefined;
let initialized = false;
let wasmBackend: ThreadedBackend | null = null;
/** Threads asked for: SIMDNET_THREADS, setThreads(), or the default. */
let threadsWanted = 1;
let wasmReason: string | undefined;
let jsBackend: Backend | null = null;
let current: Backend | null = null;
const listeners = new Set<(backend: Backend) => void>();

function js(): Backend {
  if (jsBackend === null) jsBackend = createJsBackend();
  return jsBackend;
}

function checkName(name: unknown): BackendName {
  if (name !== 'wasm' && name !== 'js') {
    throw new ValueError(`Invalid value for \`name\`: expected "wasm" or "js". Received: ${describe(name)}`);
  }
  return name;
}

function readWanted(): BackendName | undefined {
  const want = readEnv('SIMDNET_BACKEND');
  if (want !== undefined && want !== 'wasm' && want !== 'js') {
    throw new ValueError(
      `Invalid value for \`SIMDNET_BACKEND\`: expected "wasm" or "js". Received: ${JSON.stringify(want)}`,
    );
  }
  return want;
}

/** What a load attempt gives: a module, a reason there is none, or an error. */
function takeLoaded(load: () => LoadedWasm | WasmUnavailable): void {
  try {
    const loaded = load();
    if (loaded.module !== null) {
      wasmBackend = createThreadedBackend(createWasmBackend(loaded.module, loaded.variant), loaded.module);
    } else wasmReason = loaded.reason;
  } catch (e) {
    // An explicit SIMDNET_WASM_VARIANT that cannot be honoured is the caller's error.
    if (e instanceof ValueError) throw e;
    wasmReason = `the wasm kernels failed to load: ${e instanceof Error ? e.message : String(e)}`;
  }
}

function finishInit(want: BackendName | undefined): void {
  threadsWanted = parseThreads(readEnv('SIMDNET_THREADS')) ?? defaultThreads();
  wasmBackend?.setThreads(threadsWanted);
  if (want === 'wasm' && wasmBackend === null) {
    throw new SimdnetError(
      `SIMDNET_BACKEND=wasm, but the wasm backend is not available: ${wasmReason ?? 'unknown reason'}.`,
    );
  }
  initialized = true;
  setCurrent(want === 'js' || wasmBackend === null ? js() : wasmBackend);
}

async function doInit(): Promise<void> {
  const want = readWanted();
  let loaded: LoadedWasm | WasmUnavailable | undefined;
  let error: unknown;
  try {
    loaded = await loadWasmModule();
  } catch (e) {
    error = e;
  }
  takeLoaded(() => {
    if (loaded === undefined) throw error;
    return loaded;
  });
  finishInit(want);
}

/** Load the kernels and choose the initial backend. Safe to call many times. */
export function initBackends(): Promise<void> {
  if (initPromise === undefined) {
    initPromise = doInit().catch((e: unknown) => {
      initPromise = undefined; // let a corrected environment retry
      throw e;
    });
  }
  return initPromise;
}

/**
 * {@link initBackends}, compiling the kernels synchronously (the CommonJS
 * build calls it as it is required, in Node). Afterwards initBackends()
 * resolves at once. Throws the errors initBackends() would reject with.
 */
export function initBackendsSync(): void {
  if (initialized) return;
  if (initPromise !== undefined) {
    throw new SimdnetError('initBackendsSync() was called while an asynchronous initBackends() is in progress.');
  }
  const want = readWanted();
  takeLoaded(loadWasmModuleSync);
  finishInit(want);
  initPromise = Promise.resolve();
}

function requireInit(what: string): void {
  if (!initialized) {
    throw new SimdnetError(
      `${what} was called before the backends were initialized. ` +
        'Call `await initBackends()` (or await simdnet.ready()) first.',
    );
  }
}

/** The current backend. Throws if initBackends() has not completed. */
export function getBackend(): Backend {
  requireInit('getBackend()');
  return current!;
}

/** A backend by name ('wasm' throws a ValueError when unavailable, with the reason). */
export function getBackendByName(name: BackendName): Backend {
  checkName(name);
  requireInit(`getBackendByName(${JSON.stringify(name)})`);
  if (name === 'js') return js();
  if (wasmBackend === null) {
    throw new ValueError(
      `Invalid value for \`name\`: the "wasm" backend is not available on this platform ` +
        `(${wasmReason ?? 'unknown reason'}). Received: "wasm". Use "js".`,
    );
  }
  return wasmBackend;
}

/** Make `name` the current backend. Tensors created on the other one are not moved. */
export function setBackend(name: BackendName): void {
  setCurrent(getBackendByName(name));
}

function setCurrent(b: Backend): void {
  if (b === current) return;
  current = b;
  for (const fn of listeners) fn(b);
}

/** Call `fn` with the new backend whenever the current one changes. Returns an unsubscribe function. */
export function onBackendChange(fn: (backend: Backend) => void): () => void {
  listeners.add(fn);
  return () => {
    listeners.delete(fn);
  };
}

/** What the library runs on, and what the platform offers. */
export function backendInfo(): BackendInfo {
  requireInit('backendInfo()');
  const f = detectFeatures();
  const usingWasm = current === wasmBackend && wasmBackend !== null;
  const info: BackendInfo = {
    backend: usingWasm ? 'wasm' : 'js',
    variant: usingWasm ? wasmBackend!.variant : 'js',
    simd: f.simd,
    relaxedSimd: f.relaxedSimd,
    relaxedSimdFlag: f.relaxedSimdFlag,
    sharedMemory: f.sharedMemory,
    threads: usingWasm ? wasmBackend!.threads : 1,
  };
  if (wasmBackend === null && wasmReason !== undefined) info.reason = wasmReason;
  if (threadsWanted > 1 && info.threads === 1) {
    info.threadsReason = !usingWasm
      ? 'only the wasm backend uses threads'
      : (wasmBackend!.threadsReason ?? 'unknown reason');
  }
  return info;
}

/**
 * Use `n` kernel threads (the calling thread counts) for the wasm backend's
 * big kernel calls: GEMMs, elementwise and optimizer updates, losses. Small
 * calls always run on the calling thread. Results are bit-identical for any n.
 * Worker threads start in the background, when a call first needs them.
 * Where threads are unavailable (no shared memory, e.g. a page that is not cross-origin isolated)
 * the backend stays on one thread and backendInfo().threadsReason says why.
 */
export function setThreads(n: number): void {
  requireInit('setThreads()');
  threadsWanted = checkThreads(n);
  wasmBackend?.setThreads(threadsWanted);
}

/**
 * End the kernel worker threads. Idle workers never keep a Node process
 * alive, so this is optional; threads start again if a later call needs them.
 */
export function shutdown(): Promise<void> {
  return wasmBackend === null ? Promise.resolve() : wasmBackend.shutdown();
}

/** Whether initBackends() has completed. */
export function backendsReady(): boolean {
  return initialized;
}
