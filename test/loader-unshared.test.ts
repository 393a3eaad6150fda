/**
 * The unshared kernels (pages without cross-origin isolation) are not
 * embedded: the loader derives them from the shared plain-SIMD binary by
 * clearing the shared flag of its memory import (unshareMemoryImport). A third
 * embedded copy cost a third of the browser bundle. These tests pin down that
 * the derived module is that one bit away, runs on an ordinary memory only,
 * and computes what the shared binary computes.
 */
import { describe, expect, it } from 'vitest';
import { unshareMemoryImport, variantBytes, variantBytesAsync } from '../src/runtime/loader.js';
import { createWasmBackend } from '../src/backend/wasm.js';

function instantiates(bytes: Uint8Array<ArrayBuffer>, shared: boolean): boolean {
  try {
    const memory = new WebAssembly.Memory({ initial: 2, maximum: 2, shared } as WebAssembly.MemoryDescriptor);
    new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
    return true;
  } catch {
    return false;
  }
}

describe('the unshared kernels, derived from the shared plain-SIMD binary', () => {
  it("differ from it in exactly one byte, the memory import's limits flags (3 → 1)", () => {
    const shared = variantBytes('simd');
    const unshared = variantBytes('simd-unshared');
    expect(unshared.length).toBe(shared.length);
    const diffs = [...shared.keys()].filter((i) => shared[i] !== unshared[i]);
    expect(diffs.length).toBe(1);
    expect([shared[diffs[0]!], unshared[diffs[0]!]]).toEqual([3, 1]);
  });

  it('instantiate on an ordinary memory and refuse a shared one (the shared binary: the reverse)', () => {
    expect(instantiates(variantBytes('simd-unshared'), false)).toBe(true);
    expect(instantiates(variantBytes('simd-unshared'), true)).toBe(false);
    expect(instantiates(variantBytes('simd'), true)).toBe(true);
    expect(instantiates(variantBytes('simd'), false)).toBe(false);
  });

  it('compute the same bits as the shared binary (GEMM, softmax cross-entropy)', () => {
    const run = (variant: 'simd' | 'simd-unshared') => {
      const b = createWasmBackend(new WebAssembly.Module(variantBytes(variant)), variant);
      const h = b.heap,
        M = 37,
        N = 29,
        K = 53;
      const A = h.allocF32(M * K),
        B = h.allocF32(K * N),
        C = h.allocF32(M * N);
      h.write(
        A,
        Float32Array.from({ length: M * K }, (_, i) => Math.sin(i * 0.37)),
      );
      h.write(
        B,
        Float32Array.from({ length: K * N }, (_, i) => Math.cos(i * 0.11)),
      );
      b.gemm(false, false, M, N, K, 1, A, K, B, N, 0, C, N, 0);
      return Array.from(h.read(C, M * N));
    };
    const a = run('simd'),
      u = run('simd-unshared');
    expect(u).toEqual(a);
    expect(a.some((v) => v !== 0)).toBe(true);
  });

  it('a binary without a shared memory import is refused with a clear error', () => {
    expect(() => unshareMemoryImport(variantBytes('simd-unshared'))).toThrow(/no shared memory to unshare/);
  });
});

describe('the embedded binaries, gzipped', () => {
  it('inflate to the same bytes through zlib (sync) and DecompressionStream (async), for every variant', async () => {
    for (const v of ['simd', 'relaxed-simd', 'simd-unshared'] as const) {
      const sync = variantBytes(v),
        async = await variantBytesAsync(v);
      expect([...sync.subarray(0, 4)]).toEqual([0, 0x61, 0x73, 0x6d]);
      expect(Buffer.from(async).equals(Buffer.from(sync)), v).toBe(true);
    }
  });
});
