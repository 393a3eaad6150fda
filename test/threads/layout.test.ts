/**
 * The thread control block and the kernels' static data share the reserved
 * low 64 KiB of the memory and must not overlap: every worker's instantiation
 * writes the static data again (there it would reset the generation and the
 * slots under running threads: new workers quit at once and the pool gave up
 * after three "failures"), and the control block would overwrite the tables
 * (Math.pow's, since the FTRL kernel: [1024, 7168)). Checked on every
 * embedded binary's data segments, by instantiating the kernels on a fresh
 * memory, and the pool refuses a memory whose control block is not clear.
 */
import { describe, expect, it } from 'vitest';
import { compileVariant, variantBytes, type WasmVariant } from '../../src/runtime/loader.js';
import { createWasmBackend } from '../../src/backend/wasm.js';
import { createThreadedBackend } from '../../src/backend/threaded.js';
import { RESERVED_BYTES } from '../../src/runtime/heap.js';
import { LAYOUT } from '../../src/runtime/pool.js';
import { data, expectSameBits } from './helpers.js';

/** The active data segments of a binary: [offset, end) each. */
function dataSegments(bytes: Uint8Array): Array<[number, number]> {
  let p = 8;
  const u32 = (): number => {
    let r = 0,
      s = 0,
      b;
    do {
      b = bytes[p++]!;
      r += (b & 0x7f) * 2 ** s;
      s += 7;
    } while (b & 0x80);
    return r;
  };
  const out: Array<[number, number]> = [];
  while (p < bytes.length) {
    const id = bytes[p++]!;
    const size = u32();
    const end = p + size;
    if (id === 11) {
      for (let n = u32(), k = 0; k < n; k++) {
        const flags = u32();
        expect(flags, 'an active segment in memory 0').toBe(0);
        expect(bytes[p++], 'offset by i32.const').toBe(0x41);
        const off = u32();
        p++; // `end`
        const len = u32();
        p += len;
        out.push([off, off + len]);
      }
    }
    p = end;
  }
  return out;
}

const VARIANTS: WasmVariant[] = ['relaxed-simd', 'simd', 'simd-unshared'];

describe('the control block and the static data', () => {
  it("the control block lies in the reserved memory, above every binary's static data", () => {
    expect(LAYOUT.end).toBeLessThanOrEqual(RESERVED_BYTES);
    for (const v of VARIANTS) {
      for (const [a, b] of dataSegments(variantBytes(v))) {
        expect(
          b,
          `${v}: static data [${a}, ${b}) must end below the control block (${LAYOUT.headerBase})`,
        ).toBeLessThanOrEqual(LAYOUT.headerBase);
      }
    }
  });

  it('instantiating the kernels on a fresh memory leaves the control block zero', async () => {
    for (const v of ['simd', 'simd-unshared'] as const) {
      const module = await compileVariant(v);
      const memory = new WebAssembly.Memory({
        initial: 2,
        maximum: 2,
        shared: v === 'simd',
      } as WebAssembly.MemoryDescriptor);
      new WebAssembly.Instance(module, { env: { memory } });
      const block = new Uint8Array(memory.buffer, LAYOUT.headerBase, LAYOUT.end - LAYOUT.headerBase);
      const at = block.findIndex((x) => x !== 0);
      expect(at, `${v}: a byte of the control block set at ${LAYOUT.headerBase + at}`).toBe(-1);
    }
  });

  it('a pool refuses a memory whose control block is not clear: one thread, the reason, right results', async () => {
    const module = await compileVariant('simd');
    const base = createWasmBackend(module, 'simd');
    const u8 = new Uint8Array(base.heap.memory.buffer);
    u8[LAYOUT.headerBase + 100] = 7; // as static data reaching into the block would
    const tb = createThreadedBackend(base, module);
    tb.setThreads(2);
    expect(tb.threads).toBe(1);
    expect(tb.threadsReason).toMatch(/static data reaches into the thread control block/);
    expect(u8[LAYOUT.headerBase + 100], 'the pool wrote nothing there').toBe(7);
    const h = tb.heap,
      M = 256,
      N = 128,
      K = 200;
    const A = h.allocF32(M * K),
      B = h.allocF32(K * N),
      C = h.allocF32(M * N);
    h.write(A, data(M * K, 1));
    h.write(B, data(K * N, 2));
    tb.base.gemm(false, false, M, N, K, 1, A, K, B, N, 0, C, N, 0);
    const want = h.read(C, M * N);
    tb.gemm(false, false, M, N, K, 1, A, K, B, N, 0, C, N, 0);
    expectSameBits(h.read(C, M * N), want, 'on one thread');
    expect(tb.readyWorkers()).toBe(0);
  });
});
