/**
 * The wasm backend: the AssemblyScript SIMD kernels (assembly/**) bound to the
 * Backend interface.
 *
 * The binding is deliberately thin, because it is on the hot path (an 8×10
 * matmul is ~0.3 µs): kernels that take only numbers are the exported wasm
 * functions themselves; the descriptors (kernels.ts) name the few that need an
 * adapter — boolean arguments (gemm, sgdMomentum), the sparse losses (which
 * turn a NaN sentinel into an error) — made once here, never per call.
 */
import type { Backend } from './types.js';
import { DataError } from '../errors.js';
import { Heap, createMemory } from '../runtime/heap.js';
import { variantIsShared, type WasmVariant } from '../runtime/loader.js';
import { KERNELS, KERNEL_NAMES, type KernelDescriptor } from './kernels.js';

/** The largest memory the JS side creates: 2 GiB (the module itself declares up to 4 GiB). */
export const MAX_PAGES = 32768;
/** 4 MiB: the reserved 64 KiB, the GEMM workspace and room for a first model. */
const DEFAULT_INITIAL_PAGES = 64;

/** The wasm backend, with the variant it runs and a ready GEMM workspace. */
export interface WasmBackend extends Backend {
  readonly name: 'wasm';
  readonly variant: WasmVariant;
  /**
   * A workspace of gemmWorkspaceBytes allocated from the heap at creation, for
   * single-threaded callers. `gemm(..., ws = 0)` uses it too.
   */
  readonly workspace: number;
  readonly instance: WebAssembly.Instance;
  /** Throw the DataError naming the first bad class label of L (M labels in [0, N), `ignore` allowed). */
  checkLabels(L: number, M: number, N: number, ignore: number): void;
}

type F = (...args: number[]) => number;
interface Exports {
  gemmWorkspaceBytes(): number;
  [name: string]: F | WebAssembly.Memory | (() => number);
}

/**
 * Instantiate `module` (from loader.ts) on a new memory (shared for the shared
 * variants) and bind every kernel. `initialPages` sizes the first memory (at
 * least 4 MiB); the heap grows it as needed up to 2 GiB.
 */
export function createWasmBackend(module: WebAssembly.Module, variant: WasmVariant, initialPages = 0): WasmBackend {
  const shared = variantIsShared(variant);
  // Start with room for the reserved low area, the GEMM workspace (~1.1 MiB)
  // and a first small model, so small programs never grow the memory.
  const memory = createMemory(Math.max(DEFAULT_INITIAL_PAGES, initialPages), MAX_PAGES, shared);
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  const ex = instance.exports as unknown as Record<string, F>;
  const heap = new Heap(memory, MAX_PAGES);
  const wsBytes = (instance.exports as unknown as Exports).gemmWorkspaceBytes();
  const workspace = heap.alloc(wsBytes);

  /** A sparse loss returned NaN: find the bad label (not the ignored class) and throw as the js backend does. */
  function checkLabels(L: number, M: number, N: number, ignore: number): void {
    heap.refresh();
    for (let i = 0; i < M; i++) {
      const v = heap.f32[(L >> 2) + i]!;
      if (v !== ignore && !(Number.isInteger(v) && v >= 0 && v < N)) {
        throw new DataError(`Invalid class label at row ${i}: expected an integer in [0, ${N - 1}]. Received: ${v}`);
      }
    }
  }

  const b: Record<string, unknown> = {
    name: 'wasm' as const,
    variant,
    heap,
    instance,
    workspace,
    gemmWorkspaceBytes: wsBytes,
    checkLabels,
  };
  for (const name of KERNEL_NAMES) {
    const raw = ex[name];
    if (raw === undefined) throw new Error(`simdnet: the wasm kernels lack the export \`${name}\` (stale build?)`);
    b[name] = bind(raw, KERNELS[name]);
  }

  /** The method for an export, through the adapter its descriptor names (each made once, never per call). */
  function bind(raw: F, d: KernelDescriptor): F {
    switch (d.bind) {
      case undefined:
        return raw;
      case 'gemm':
        return ((
          transA: boolean,
          transB: boolean,
          M: number,
          N: number,
          K: number,
          alpha: number,
          A: number,
          lda: number,
          B: number,
          ldb: number,
          beta: number,
          C: number,
          ldc: number,
          ws: number,
        ) =>
          raw(
            transA ? 1 : 0,
            transB ? 1 : 0,
            M,
            N,
            K,
            alpha,
            A,
            lda,
            B,
            ldb,
            beta,
            C,
            ldc,
            ws || workspace,
          )) as unknown as F;
      case 'bools': {
        // The boolean is the last argument (sgdMomentum's nesterov).
        if (raw.length !== 7) throw new Error(`simdnet: no 'bools' adapter for a kernel of ${raw.length} arguments`);
        return ((a: number, b2: number, c: number, d2: number, e: number, f: number, g: boolean) =>
          raw(a, b2, c, d2, e, f, g ? 1 : 0)) as unknown as F;
      }
      case 'labels': {
        // L is argument 0, M and N follow the split's m, the ignored class is last.
        const m = (d.split as { m: number }).m,
          last = raw.length - 1;
        if (last === 7) {
          return ((a: number, p: number, g: number, w: number, M: number, N: number, gs: number, ig = NaN) => {
            const r = raw(a, p, g, w, M, N, gs, ig);
            if (r !== r) checkLabels(a, M, N, ig);
            return r;
          }) as F;
        }
        if (last === 8 && m === 5) {
          return ((
            a: number,
            z: number,
            p: number,
            g: number,
            w: number,
            M: number,
            N: number,
            gs: number,
            ig = NaN,
          ) => {
            const r = raw(a, z, p, g, w, M, N, gs, ig);
            if (r !== r) checkLabels(a, M, N, ig);
            return r;
          }) as F;
        }
        throw new Error(`simdnet: no 'labels' adapter for a kernel of ${raw.length} arguments`);
      }
    }
  }
  return b as unknown as WasmBackend;
}
