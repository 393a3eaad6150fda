/**
 * The kernel memory and its allocator.
 *
 * One `WebAssembly.Memory` (shared where the platform allows, for the worker
 * pool) holds every model's weights, gradients, optimizer slots and activations.
 * The allocator lives on the JS side (AssemblyScript's own runtimes keep their
 * state in per-instance globals, which two instances on one shared memory
 * would fight over). It hands out 64-byte aligned blocks, reuses freed ones
 * (first fit, with coalescing of neighbours), grows the memory when it must,
 * and refreshes its typed-array views after a grow: a grown shared memory
 * hands out a new buffer object, and old views keep the old length.
 */
import { SimdnetError } from '../errors.js';

const PAGE = 65536;
/** Low memory kept for the AssemblyScript static data and the thread control block. */
export const RESERVED_BYTES = PAGE;
export const ALIGN = 64;

interface FreeBlock {
  ptr: number;
  size: number;
}

export class Heap {
  readonly memory: WebAssembly.Memory;
  readonly maxBytes: number;
  /** Float32 view of the whole memory; refreshed after every grow. Re-read it after any allocation. */
  f32!: Float32Array;
  u8!: Uint8Array;
  /** Int32 and float64 views (tables and float64 results some kernels take and write). */
  i32!: Int32Array;
  f64!: Float64Array;
  private buffer!: ArrayBuffer | SharedArrayBuffer;
  /** Sorted by address. */
  private free: FreeBlock[] = [];
  private live = new Map<number, number>();
  private top = RESERVED_BYTES;
  private viewListeners: Array<() => void> = [];

  constructor(memory: WebAssembly.Memory, maxPages: number) {
    this.memory = memory;
    this.maxBytes = maxPages * PAGE;
    this.refresh();
  }

  /** Number of blocks currently handed out (the "live count" tests watch). */
  get liveCount(): number {
    return this.live.size;
  }
  /** Bytes currently handed out. */
  get liveBytes(): number {
    let s = 0;
    for (const v of this.live.values()) s += v;
    return s;
  }
  /** Current size of the memory in bytes. */
  get byteLength(): number {
    return this.memory.buffer.byteLength;
  }

  /** Re-create the views if the memory has grown (possibly from another thread). */
  refresh(): void {
    const buf = this.memory.buffer;
    if (buf !== this.buffer || this.f32 === undefined || this.f32.buffer.byteLength !== buf.byteLength) {
      this.buffer = buf;
      this.f32 = new Float32Array(buf);
      this.u8 = new Uint8Array(buf);
      this.i32 = new Int32Array(buf);
      this.f64 = new Float64Array(buf); // (a memory is whole 64 KiB pages)
      for (const l of this.viewListeners) l();
    }
  }

  /** Call `fn` whenever the views are rebuilt. */
  onRefresh(fn: () => void): void {
    this.viewListeners.push(fn);
  }

  /** Allocate `bytes` (rounded up to 64), 64-byte aligned. Never returns 0. */
  alloc(bytes: number): number {
    if (!Number.isFinite(bytes) || bytes < 0) {
      throw new SimdnetError(`Heap.alloc: expected a non-negative byte count. Received: ${bytes}`);
    }
    const size = Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
    for (let i = 0; i < this.free.length; i++) {
      const b = this.free[i]!;
      if (b.size >= size) {
        const ptr = b.ptr;
        if (b.size === size) this.free.splice(i, 1);
        else {
          b.ptr += size;
          b.size -= size;
        }
        this.live.set(ptr, size);
        return ptr;
      }
    }
    const ptr = this.top;
    const end = ptr + size;
    if (end > this.byteLength) this.grow(end);
    this.top = end;
    this.live.set(ptr, size);
    return ptr;
  }

  /** Allocate room for `n` float32 values. */
  allocF32(n: number): number {
    return this.alloc(n * 4);
  }

  /** Return a block. Freeing 0 is a no-op; freeing twice throws. */
  release(ptr: number): void {
    if (ptr === 0) return;
    const size = this.live.get(ptr);
    if (size === undefined) throw new SimdnetError(`Heap.release: ${ptr} is not a live block`);
    this.live.delete(ptr);
    if (ptr + size === this.top) {
      this.top = ptr;
      // The block below the top may now be free: pull the top down over it.
      let last = this.free[this.free.length - 1];
      while (last !== undefined && last.ptr + last.size === this.top) {
        this.top = last.ptr;
        this.free.pop();
        last = this.free[this.free.length - 1];
      }
      return;
    }
    // Insert sorted and coalesce with neighbours.
    let lo = 0,
      hi = this.free.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.free[mid]!.ptr < ptr) lo = mid + 1;
      else hi = mid;
    }
    this.free.splice(lo, 0, { ptr, size });
    const next = this.free[lo + 1];
    const cur = this.free[lo]!;
    if (next !== undefined && cur.ptr + cur.size === next.ptr) {
      cur.size += next.size;
      this.free.splice(lo + 1, 1);
    }
    const prev = this.free[lo - 1];
    if (prev !== undefined && prev.ptr + prev.size === cur.ptr) {
      prev.size += cur.size;
      this.free.splice(lo, 1);
    }
  }

  private grow(endBytes: number): void {
    if (endBytes > this.maxBytes) {
      throw new SimdnetError(
        `Out of kernel memory: the model needs ${(endBytes / 2 ** 20).toFixed(1)} MiB of kernel memory in all, ` +
          `more than the maximum of ${(this.maxBytes / 2 ** 20).toFixed(0)} MiB. ` +
          `Use a smaller batch size or model, or release models you no longer need.`,
      );
    }
    const have = this.memory.buffer.byteLength;
    // Grow by at least a quarter of the current size, to keep grows rare.
    const want = Math.min(this.maxBytes, Math.max(endBytes, have + (have >> 2)));
    const pages = Math.ceil((want - have) / PAGE);
    this.memory.grow(pages);
    this.refresh();
  }

  /** A Float32Array view of `n` floats at `ptr`, valid until the next grow. */
  view(ptr: number, n: number): Float32Array {
    this.refresh();
    return this.f32.subarray(ptr >> 2, (ptr >> 2) + n);
  }

  /** Copy `src` into the memory at `ptr`. */
  write(ptr: number, src: ArrayLike<number>): void {
    this.refresh();
    this.f32.set(src, ptr >> 2);
  }

  /** Copy `n` floats at `ptr` into a new ordinary Float32Array. */
  read(ptr: number, n: number): Float32Array {
    this.refresh();
    return this.f32.slice(ptr >> 2, (ptr >> 2) + n);
  }
}

/** Create a memory: shared if the platform allows and `shared` is asked for. */
export function createMemory(initialPages: number, maxPages: number, shared: boolean): WebAssembly.Memory {
  return new WebAssembly.Memory({ initial: initialPages, maximum: maxPages, shared } as WebAssembly.MemoryDescriptor);
}
