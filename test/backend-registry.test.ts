/**
 * The backend registry (src/backend/index.ts): initialization, switching,
 * backendInfo(), the environment overrides, and errors that name the argument.
 * Each test that needs a fresh registry re-imports the module after
 * vi.resetModules(), since the registry is module state.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Backend } from '../src/backend/types.js';

type Registry = typeof import('../src/backend/index.js') & {
  /** The error classes of the same (fresh) module graph, for instanceof checks. */
  SimdnetError: typeof import('../src/errors.js').SimdnetError;
  ValueError: typeof import('../src/errors.js').ValueError;
};

async function freshRegistry(env: Record<string, string> = {}): Promise<Registry> {
  vi.resetModules();
  for (const [k, v] of Object.entries(env)) vi.stubEnv(k, v);
  const reg = await import('../src/backend/index.js');
  const errors = await import('../src/errors.js');
  return { ...reg, SimdnetError: errors.SimdnetError, ValueError: errors.ValueError };
}

/** A 2×3 · 3×2 product on `b`, through its own heap. */
function smallGemm(b: Backend): number[] {
  const h = b.heap;
  const A = h.allocF32(6),
    B = h.allocF32(6),
    C = h.allocF32(4);
  const ws = b.gemmWorkspaceBytes > 0 ? h.alloc(b.gemmWorkspaceBytes) : 0;
  h.write(A, [1, 2, 3, 4, 5, 6]);
  h.write(B, [1, 0, 0, 1, 1, 1]);
  b.gemm(false, false, 2, 2, 3, 1, A, 3, B, 2, 0, C, 2, ws);
  const out = Array.from(h.read(C, 4));
  for (const p of [A, B, C, ws]) h.release(p);
  return out;
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('backend registry', () => {
  it('refuses to hand out a backend before initBackends()', async () => {
    const reg = await freshRegistry();
    expect(() => reg.getBackend()).toThrow(reg.SimdnetError);
    expect(() => reg.getBackend()).toThrow(/initBackends/);
    expect(() => reg.backendInfo()).toThrow(/initBackends/);
    expect(reg.backendsReady()).toBe(false);
  });

  it('initializes once, to the wasm backend on this Node, and reports it', async () => {
    const reg = await freshRegistry();
    const p1 = reg.initBackends();
    const p2 = reg.initBackends();
    expect(p2).toBe(p1); // concurrent calls share one initialization
    await p1;
    await reg.initBackends(); // and later calls are no-ops
    const b = reg.getBackend();
    expect(b.name).toBe('wasm');
    expect(reg.getBackendByName('wasm')).toBe(b);
    const info = reg.backendInfo();
    expect(info.backend).toBe('wasm');
    expect(['relaxed-simd', 'simd', 'simd-unshared']).toContain(info.variant);
    expect(info.simd).toBe(true);
    expect(info.sharedMemory).toBe(true);
    // Kernel threads (issue 5): SIMDNET_THREADS, else the available parallelism (at most 8).
    const { defaultThreads } = await import('../src/backend/threaded.js');
    expect(info.threads).toBe(Number(process.env.SIMDNET_THREADS || 0) || defaultThreads());
    expect(info.reason).toBeUndefined();
    // relaxed SIMD is chosen exactly when the engine supports it
    expect(info.variant === 'relaxed-simd').toBe(info.relaxedSimd);
    expect(smallGemm(b)).toEqual([4, 5, 10, 11]);
  });

  it('switches backends, notifies listeners, and keeps one instance per backend', async () => {
    const reg = await freshRegistry();
    await reg.initBackends();
    const seen: string[] = [];
    const off = reg.onBackendChange((b) => seen.push(b.name));
    reg.setBackend('js');
    expect(reg.getBackend().name).toBe('js');
    expect(reg.getBackend()).toBe(reg.getBackendByName('js'));
    expect(reg.backendInfo()).toMatchObject({ backend: 'js', variant: 'js', threads: 1 });
    expect(smallGemm(reg.getBackend())).toEqual([4, 5, 10, 11]);
    reg.setBackend('js'); // no change, no notification
    reg.setBackend('wasm');
    off();
    reg.setBackend('js');
    expect(seen).toEqual(['js', 'wasm']);
  });

  it('rejects unknown backend names with a ValueError naming the argument', async () => {
    const reg = await freshRegistry();
    await reg.initBackends();
    for (const bad of ['tpu', 'WASM', '', undefined, 3]) {
      expect(() => reg.setBackend(bad as never)).toThrow(reg.ValueError);
      expect(() => reg.getBackendByName(bad as never)).toThrow(reg.ValueError);
    }
    expect(() => reg.setBackend('tpu' as never)).toThrow(/`name`.*expected "wasm" or "js". Received: "tpu"/);
    expect(reg.getBackend().name).toBe('wasm'); // unchanged
  });

  it('SIMDNET_BACKEND=js starts on the js backend (wasm still available)', async () => {
    const reg = await freshRegistry({ SIMDNET_BACKEND: 'js' });
    await reg.initBackends();
    expect(reg.getBackend().name).toBe('js');
    expect(reg.backendInfo().backend).toBe('js');
    expect(reg.getBackendByName('wasm').name).toBe('wasm');
  });

  it('an invalid SIMDNET_BACKEND is a ValueError naming the variable', async () => {
    const reg = await freshRegistry({ SIMDNET_BACKEND: 'gpu' });
    await expect(reg.initBackends()).rejects.toThrow(reg.ValueError);
    await expect(reg.initBackends()).rejects.toThrow(/SIMDNET_BACKEND.*Received: "gpu"/);
  });

  it('SIMDNET_WASM_VARIANT picks the binary; unknown values are a ValueError', async () => {
    let reg = await freshRegistry({ SIMDNET_WASM_VARIANT: 'unshared' });
    await reg.initBackends();
    expect(reg.backendInfo().variant).toBe('simd-unshared');
    const b = reg.getBackend();
    expect(b.heap.memory.buffer).toBeInstanceOf(ArrayBuffer);
    expect(smallGemm(b)).toEqual([4, 5, 10, 11]);

    reg = await freshRegistry({ SIMDNET_WASM_VARIANT: 'simd' });
    await reg.initBackends();
    expect(reg.backendInfo().variant).toBe('simd');
    expect(reg.getBackend().heap.memory.buffer).toBeInstanceOf(SharedArrayBuffer);

    reg = await freshRegistry({ SIMDNET_WASM_VARIANT: 'avx512' });
    await expect(reg.initBackends()).rejects.toThrow(/SIMDNET_WASM_VARIANT.*Received: "avx512"/);
  });

  it('the wasm backend owns a GEMM workspace and uses it when ws = 0', async () => {
    const reg = await freshRegistry();
    await reg.initBackends();
    const b = reg.getBackendByName('wasm') as Backend & { workspace: number };
    expect(b.gemmWorkspaceBytes).toBeGreaterThan(0);
    expect(b.workspace % 16).toBe(0);
    expect(b.workspace).toBeGreaterThanOrEqual(65536); // above RESERVED_BYTES
    const h = b.heap;
    const A = h.allocF32(4),
      B = h.allocF32(4),
      C = h.allocF32(4);
    h.write(A, [1, 2, 3, 4]);
    h.write(B, [5, 6, 7, 8]);
    b.gemm(false, true, 2, 2, 2, 1, A, 2, B, 2, 0, C, 2, 0); // A·Bᵀ
    expect(Array.from(h.read(C, 4))).toEqual([17, 23, 39, 53]);
  });
});
