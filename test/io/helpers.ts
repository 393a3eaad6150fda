/** Shared helpers for the io tests. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as sn from '../../src/index.js';
import * as io from '../../src/io/index.js';

export { io };

/** A fresh temporary directory. */
export function tempDir(tag = 'io'): string {
  return mkdtempSync(join(tmpdir(), `simdnet-${tag}-`));
}

/** Deterministic inputs in [-1, 1). */
export function inputs(rows: number, cols: number, seed = 1): number[][] {
  let s = seed >>> 0;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => 2 * next() - 1));
}

/** Capture everything saved through a handler. */
export async function saveToMemory(
  model: sn.LayersModel,
  options: { includeOptimizer?: boolean } = {},
): Promise<io.ModelArtifacts> {
  let out: io.ModelArtifacts | undefined;
  await io.saveModel(
    model,
    io.withSaveHandler(async (a) => {
      out = a;
    }),
    options,
  );
  return out!;
}

/** Clone artifacts through JSON for the topology and a copy of the bytes (what a file round trip does). */
export function cloneArtifacts(a: io.ModelArtifacts): io.ModelArtifacts {
  const data = a.weightData as ArrayBuffer;
  return { ...JSON.parse(JSON.stringify({ ...a, weightData: undefined })), weightData: data.slice(0) };
}

/**
 * Predictions agree "within 1e-5 relative": |a − b| ≤ 1e-5 · max(|b|, mean |b|).
 * The mean-magnitude floor is there because float32 sums taken in a different
 * order (TF.js's matmul vs simdnet's kernels) differ by a few ulps of the
 * summands, which is a large relative error on an output that cancels to near zero.
 */
export function closeTo(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
): { ok: boolean; at: number; message: string } {
  if (actual.length !== expected.length)
    return { ok: false, at: -1, message: `length ${actual.length} vs ${expected.length}` };
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale += Math.abs(expected[i]!);
  scale /= Math.max(1, expected.length);
  for (let i = 0; i < expected.length; i++) {
    const tol = 1e-5 * Math.max(Math.abs(expected[i]!), scale) + 1e-9;
    if (!(Math.abs(actual[i]! - expected[i]!) <= tol))
      return {
        ok: false,
        at: i,
        message: `index ${i}: ${actual[i]} vs ${expected[i]} (tolerance ${tol.toExponential(2)})`,
      };
  }
  return { ok: true, at: -1, message: '' };
}
