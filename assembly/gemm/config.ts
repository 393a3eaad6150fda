// GEMM tiling. Compile-time constants (not globals): two instances on one
// shared memory must not fight over tunables, and constants let the compiler
// fold the address arithmetic. Measured on the 2-core AVX-512 Xeon this was
// written on and checked on the AMD EPYC (ARCHITECTURE.md, "Measured facts";
// node bench/gemm.mjs).

/** Rows of the kernels that read A in place (narrow and few-rows paths). */
// @ts-ignore: decorator
@inline export const MR = 4;
/**
 * Rows of the packed micro-tile (A broadcasts per k). Five, not four: ten
 * accumulators, two B vectors, the broadcast A and V8's product temporary fill
 * 14 of the 15 xmm registers V8 allocates, so the per-k overhead (pointer
 * bumps, loop test, V8's stack check, the address computation of each
 * broadcast) is spread over 80 flops instead of 64. Six rows would need 16
 * and spill. Unrolling k does not help: V8 hoists every load of the unrolled
 * body above the arithmetic and spills.
 */
// @ts-ignore: decorator
@inline export const PMR = 5;
/** Micro-tile columns (two f32x4 vectors of B per k). */
// @ts-ignore: decorator
@inline export const NR = 8;
/** Depth of a packed block: KC·NR·4 bytes of B (8 KiB) stay in L1 across a panel of A. */
// @ts-ignore: decorator
@inline export const KC = 256;
/** Rows of A packed at once (a multiple of PMR): MC·KC·4 bytes (100 KiB) stay in L2. */
// @ts-ignore: decorator
@inline export const MC = 100;
/** Columns of B packed at once: KC·NC·4 bytes (1 MiB). */
// @ts-ignore: decorator
@inline export const NC = 1024;

/** Narrow outputs (N ≤ this) skip packing A: it would cost as much as the product. */
// @ts-ignore: decorator
@inline export const NARROW_N = 16;
/** Depth of one packed block of B in the narrow path (fits the packed-B area: NARROW_KC·16 ≤ KC·NC). */
// @ts-ignore: decorator
@inline export const NARROW_KC = 16384;
/**
 * Few rows (M ≤ this) and B not transposed: no packing at all (inference on
 * one sample or a small batch). Packing B costs a full pass over K×N for a
 * handful of rows; reading B in place, a K×8 strip stays in cache across the
 * row blocks. Measured here: M = 8, [8×784]·[784×128], ~40% faster than packing.
 */
// @ts-ignore: decorator
@inline export const SMALL_M = 16;
/** ... as long as a K×8 strip of B (K cache lines) stays in L2. */
// @ts-ignore: decorator
@inline export const SMALL_M_MAX_K = 4096;

// Workspace layout at `ws` (16-byte aligned): packed A | packed B | one PMR×8 tile.
// @ts-ignore: decorator
@inline export const WS_A_BYTES: usize = <usize>MC * KC * 4;
// @ts-ignore: decorator
@inline export const WS_B_BYTES: usize = <usize>KC * NC * 4;
// @ts-ignore: decorator
@inline export const WS_TILE_BYTES: usize = <usize>PMR * NR * 4;
// @ts-ignore: decorator
@inline export const WS_BYTES: usize = WS_A_BYTES + WS_B_BYTES + WS_TILE_BYTES;
