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
  const next = () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 2 ** 32; };
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => 2 * next() - 1));
}

/** Capture everything saved through a handler. */
export async function saveToMemory(model: sn.Sequential, options: { includeOptimizer?: boolean } = {}): Promise<io.ModelArtifacts> {
  let out: io.ModelArtifacts | undefined;
  await io.saveModel(model, io.withSaveHandler(async (a) => { out = a; }), options);
  return out!;
}

/** max |a - b| / max(1, |b|), elementwise. */
export function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(b[i]!)));
  return m;
}

/** Clone artifacts through JSON for the topology and a copy of the bytes (what a file round trip does). */
export function cloneArtifacts(a: io.ModelArtifacts): io.ModelArtifacts {
  const data = a.weightData as ArrayBuffer;
  return { ...JSON.parse(JSON.stringify({ ...a, weightData: undefined })), weightData: data.slice(0) };
}
