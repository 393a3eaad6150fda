/**
 * Finding and compiling the right kernel binary for this platform.
 *
 * Two builds are embedded (src/generated/wasm.js, gzipped then base64-encoded, by assembly/build.mjs; inflated
 * by Node's zlib or the platform's DecompressionStream): relaxed SIMD on a
 * shared memory (FMA in the GEMM micro-kernel) and plain SIMD on a shared
 * memory. The third variant, plain SIMD on an ordinary memory (browser pages
 * that are not cross-origin isolated: a module importing shared memory refuses
 * a non-shared one), is the plain SIMD binary with the shared bit of its
 * memory import cleared (unshareMemoryImport): the kernels use no atomic
 * instructions, so that one bit is the whole difference, and a third embedded
 * copy would cost a third of the bundle. The choice: relaxed if it validates AND instantiates (Node 22+,
 * Chrome 114+, and Node 20, where V8 11.3 has relaxed SIMD complete but behind
 * --experimental-wasm-relaxed-simd: simdnet turns that flag on, see
 * enableRelaxedSimdOnNode20), else plain SIMD, shared where shared memory
 * works, else unshared; no SIMD at all → null (the caller uses the js backend).
 *
 * Environment override (tests, benchmarks): SIMDNET_WASM_VARIANT=relaxed|simd|unshared,
 * read through a guarded globalThis.process so nothing Node-specific is imported.
 */
import { WASM_RELAXED, WASM_SIMD } from '../generated/wasm.js';
import { ValueError } from '../errors.js';

export type WasmVariant = 'relaxed-simd' | 'simd' | 'simd-unshared';

export interface WasmFeatures {
  simd: boolean;
  relaxedSimd: boolean;
  sharedMemory: boolean;
  /** simdnet turned on Node 20's `--experimental-wasm-relaxed-simd` to get relaxedSimd. */
  relaxedSimdFlag: boolean;
}

export interface LoadedWasm {
  module: WebAssembly.Module;
  variant: WasmVariant;
  features: WasmFeatures;
}

export interface WasmUnavailable {
  module: null;
  features: WasmFeatures;
  /** Why no kernel binary could be used (shown by backendInfo()). */
  reason: string;
}

// A function `() -> v128` returning i8x16.popcnt(i8x16.splat(0)): validates
// only where fixed-width SIMD is supported.
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
]);
// `() -> v128` returning f32x4.relaxed_madd of three splats: validates only
// where relaxed SIMD is enabled. (Exported for the tests that check the flag.)
export const RELAXED_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 19, 1, 17, 0, 65, 1, 253, 15, 65, 2, 253, 15, 65,
  3, 253, 15, 253, 133, 2, 11,
]);

/** Decode base64 without Buffer: atob where present (browsers, Node ≥ 16), else a small decoder. */
export function decodeBase64(s: string): Uint8Array<ArrayBuffer> {
  const atobFn = (globalThis as { atob?: (s: string) => string }).atob;
  if (typeof atobFn === 'function') {
    const bin = atobFn(s);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const lookup = new Uint8Array(128);
  for (let i = 0; i < alphabet.length; i++) lookup[alphabet.charCodeAt(i)] = i;
  const clean = s.replace(/[^A-Za-z0-9+/]/g, '');
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let o = 0;
  for (let i = 0; i < clean.length; i += 4) {
    const a = lookup[clean.charCodeAt(i)]!,
      b = lookup[clean.charCodeAt(i + 1)]!;
    const c = lookup[clean.charCodeAt(i + 2)] ?? 0,
      d = lookup[clean.charCodeAt(i + 3)] ?? 0;
    const n = (a << 18) | (b << 12) | (c << 6) | d;
    if (o < out.length) out[o++] = (n >> 16) & 255;
    if (o < out.length) out[o++] = (n >> 8) & 255;
    if (o < out.length) out[o++] = n & 255;
  }
  return out;
}

function validate(bytes: Uint8Array<ArrayBuffer>): boolean {
  try {
    return typeof WebAssembly === 'object' && WebAssembly.validate(bytes);
  } catch {
    return false;
  }
}

/** Whether a shared WebAssembly.Memory can be created and used here. */
function sharedMemoryWorks(): boolean {
  if (typeof SharedArrayBuffer === 'undefined') return false;
  // In browsers shared memory is only usable when cross-origin isolated.
  const coi = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated;
  if (coi === false) return false;
  try {
    const m = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true } as WebAssembly.MemoryDescriptor);
    return m.buffer instanceof SharedArrayBuffer;
  } catch {
    return false;
  }
}

let cachedFeatures: WasmFeatures | undefined;

/** Feature detection (cached): SIMD, relaxed SIMD, shared memory. */
export function detectFeatures(): WasmFeatures {
  if (cachedFeatures === undefined) {
    const simd = validate(SIMD_PROBE);
    cachedFeatures = {
      simd,
      relaxedSimd: simd && validate(RELAXED_PROBE),
      sharedMemory: typeof WebAssembly === 'object' && sharedMemoryWorks(),
      relaxedSimdFlag: false,
    };
  }
  return cachedFeatures;
}

/**
 * Node 20 (V8 11.3) compiles relaxed SIMD completely — the same implementation
 * V8 11.4 turned on by default for Node 22 and Chrome 114 — but only behind
 * `--experimental-wasm-relaxed-simd`. Its fused multiply-add is worth ~1.25×
 * on every GEMM (bench/RESULTS.md): the plain-SIMD micro-kernel is bound by
 * how many instructions V8 emits per multiply-add pair, and FMA halves the
 * arithmetic ones. So on Node 20, when relaxed SIMD is off, turn the flag on
 * (through process.getBuiltinModule, Node ≥ 20.16: no import a bundler would
 * see) before choosing a variant. The flag only lets modules that use relaxed
 * SIMD instructions validate; other modules compile exactly as before.
 * SIMDNET_WASM_VARIANT=simd (or unshared) leaves the flags alone. Updates
 * `features` (relaxedSimd, relaxedSimdFlag) when relaxed SIMD then validates.
 */
function enableRelaxedSimdOnNode20(features: WasmFeatures): void {
  if (!features.simd || features.relaxedSimd) return;
  const proc = (
    globalThis as {
      process?: { versions?: { node?: string }; getBuiltinModule?: (id: string) => unknown };
    }
  ).process;
  const node = proc?.versions?.node;
  if (node === undefined || Number(node.split('.')[0]) !== 20 || typeof proc!.getBuiltinModule !== 'function') return;
  try {
    const v8 = proc!.getBuiltinModule('node:v8') as { setFlagsFromString?: (flags: string) => void } | undefined;
    if (typeof v8?.setFlagsFromString !== 'function') return;
    v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
  } catch {
    return;
  }
  if (validate(RELAXED_PROBE)) {
    features.relaxedSimd = true;
    features.relaxedSimdFlag = true;
  }
}

/** Read an environment variable where there is a process (Node), else undefined. */
export function readEnv(name: string): string | undefined {
  const proc = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  const v = proc?.env?.[name];
  return v === undefined || v === '' ? undefined : v;
}

/** The gzipped binary a variant is made from. */
function packedBytes(variant: WasmVariant): Uint8Array<ArrayBuffer> {
  return decodeBase64(variant === 'relaxed-simd' ? WASM_RELAXED : WASM_SIMD);
}
/** The shared flag cleared for the unshared variant. */
function finish(variant: WasmVariant, bytes: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
  return variant === 'simd-unshared' ? unshareMemoryImport(bytes) : bytes;
}

/**
 * The embedded binary of a variant, synchronously: Node's zlib inflates it (reached through
 * process.getBuiltinModule, so that bundles import no Node built-in). Browsers use variantBytesAsync.
 */
export function variantBytes(variant: WasmVariant): Uint8Array<ArrayBuffer> {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const zlib =
    typeof proc?.getBuiltinModule === 'function'
      ? (proc.getBuiltinModule('node:zlib') as { gunzipSync(b: Uint8Array): Uint8Array } | undefined)
      : undefined;
  if (zlib === undefined)
    throw new Error('simdnet: loading the kernels synchronously needs Node (20.16 or later); use the async loader');
  const out = zlib.gunzipSync(packedBytes(variant));
  return finish(variant, new Uint8Array(out.buffer, out.byteOffset, out.byteLength).slice());
}

/** The embedded binary of a variant: inflated by the platform's DecompressionStream where there is one. */
export async function variantBytesAsync(variant: WasmVariant): Promise<Uint8Array<ArrayBuffer>> {
  const DS = (globalThis as { DecompressionStream?: new (f: string) => TransformStream<Uint8Array, Uint8Array> })
    .DecompressionStream;
  if (typeof DS !== 'function' || typeof Response !== 'function') return variantBytes(variant);
  const stream = new Blob([packedBytes(variant)]).stream().pipeThrough(new DS('gzip'));
  return finish(variant, new Uint8Array(await new Response(stream).arrayBuffer()));
}

/**
 * Clear the shared flag of a module's imported memory, in place: the limits
 * flags byte of its memory import goes from 3 (shared, with a maximum) to 1.
 * Walks the sections to the import section; throws if the module imports no
 * shared memory (a build that no longer matches this loader).
 */
export function unshareMemoryImport(bytes: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
  let p = 8;
  const u32 = (): number => {
    let r = 0,
      s = 0,
      b: number;
    do {
      b = bytes[p++]!;
      r += (b & 0x7f) * 2 ** s;
      s += 7;
    } while (b & 0x80);
    return r;
  };
  const skipName = (): void => {
    const n = u32();
    p += n;
  };
  while (p < bytes.length) {
    const id = bytes[p++]!;
    const size = u32();
    const end = p + size;
    if (id === 2) {
      const count = u32();
      for (let i = 0; i < count; i++) {
        skipName();
        skipName();
        const kind = bytes[p++]!;
        if (kind === 2) {
          const flags = bytes[p]!;
          if ((flags & 2) === 0) break;
          bytes[p] = flags & ~2;
          return bytes;
        }
        if (kind === 0) u32();
        else if (kind === 1) {
          p++;
          const f = u32();
          u32();
          if (f & 1) u32();
        } else if (kind === 3) p += 2;
        else break;
      }
      break;
    }
    p = end;
  }
  throw new Error(
    'simdnet: the embedded SIMD kernels import no shared memory to unshare (a stale build? run npm run build)',
  );
}

/** Whether the module's imported memory is shared (it decides how the memory is created). */
export function variantIsShared(variant: WasmVariant): boolean {
  return variant !== 'simd-unshared';
}

const OVERRIDES: Record<string, WasmVariant> = {
  relaxed: 'relaxed-simd',
  'relaxed-simd': 'relaxed-simd',
  simd: 'simd',
  unshared: 'simd-unshared',
  'simd-unshared': 'simd-unshared',
};

/** Compile one variant (async: a browser main thread refuses sync compiles of big modules). */
export async function compileVariant(variant: WasmVariant): Promise<WebAssembly.Module> {
  return WebAssembly.compile(await variantBytesAsync(variant));
}

/** Compile one variant synchronously (Node, workers: no main-thread size limit there). */
export function compileVariantSync(variant: WasmVariant): WebAssembly.Module {
  return new WebAssembly.Module(variantBytes(variant));
}

/** Can a compiled module be instantiated on a fresh memory of its kind? (Catches late refusals.) */
function instantiates(module: WebAssembly.Module, shared: boolean): boolean {
  try {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared } as WebAssembly.MemoryDescriptor);
    new WebAssembly.Instance(module, { env: { memory } });
    return true;
  } catch {
    return false;
  }
}

/**
 * The choice of variant, written once for both drivers below: it yields each
 * variant to compile and receives the module (or has the compile error thrown
 * in), and returns the result.
 */
function* selectVariant(): Generator<WasmVariant, LoadedWasm | WasmUnavailable, WebAssembly.Module> {
  const features = detectFeatures();
  const override = readEnv('SIMDNET_WASM_VARIANT');
  if (override !== undefined) {
    const variant = OVERRIDES[override.toLowerCase()];
    if (variant === undefined) {
      throw new ValueError(
        `Invalid value for \`SIMDNET_WASM_VARIANT\`: expected one of "relaxed", "simd", ` +
          `"unshared". Received: ${JSON.stringify(override)}`,
      );
    }
    if (variant === 'relaxed-simd') enableRelaxedSimdOnNode20(features);
    const ok =
      features.simd &&
      (variant !== 'relaxed-simd' || features.relaxedSimd) &&
      (!variantIsShared(variant) || features.sharedMemory);
    if (!ok) {
      throw new ValueError(
        `SIMDNET_WASM_VARIANT=${override} asks for the ${variant} kernels, which this ` +
          `platform cannot run (simd: ${features.simd}, relaxed SIMD: ${features.relaxedSimd}, shared memory: ` +
          `${features.sharedMemory}). Unset it to pick automatically.`,
      );
    }
    return { module: yield variant, variant, features };
  }
  if (typeof WebAssembly !== 'object') {
    return { module: null, features, reason: 'WebAssembly is not available' };
  }
  if (!features.simd) {
    return { module: null, features, reason: 'WebAssembly SIMD is not supported by this engine' };
  }
  if (features.sharedMemory) enableRelaxedSimdOnNode20(features);
  if (features.relaxedSimd && features.sharedMemory) {
    try {
      const module = yield 'relaxed-simd';
      if (instantiates(module, true)) return { module, variant: 'relaxed-simd', features };
    } catch {
      // Validated but refused to compile: fall through to plain SIMD.
    }
  }
  const variant: WasmVariant = features.sharedMemory ? 'simd' : 'simd-unshared';
  try {
    return { module: yield variant, variant, features };
  } catch (e) {
    return { module: null, features, reason: `the ${variant} kernels failed to compile: ${String(e)}` };
  }
}

/**
 * Pick and compile the best variant for this platform (or the one named by
 * SIMDNET_WASM_VARIANT). Resolves to { module: null, reason } when none can run.
 * An override naming an unknown or unsupported variant throws a ValueError.
 */
export async function loadWasmModule(): Promise<LoadedWasm | WasmUnavailable> {
  const steps = selectVariant();
  let step = steps.next();
  while (!step.done) {
    let module: WebAssembly.Module;
    try {
      module = await compileVariant(step.value);
    } catch (e) {
      step = steps.throw(e);
      continue;
    }
    step = steps.next(module);
  }
  return step.value;
}

/**
 * {@link loadWasmModule}, compiling synchronously: the same choice, for the
 * CommonJS build, which initializes as it is required (Node only; a browser
 * main thread refuses synchronous compiles of modules this size).
 */
export function loadWasmModuleSync(): LoadedWasm | WasmUnavailable {
  const steps = selectVariant();
  let step = steps.next();
  while (!step.done) {
    let module: WebAssembly.Module;
    try {
      module = compileVariantSync(step.value);
    } catch (e) {
      step = steps.throw(e);
      continue;
    }
    step = steps.next(module);
  }
  return step.value;
}
