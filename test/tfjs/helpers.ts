/**
 * TF.js programs run twice (issue 18): each file in programs/ is a TF.js program whose first line is
 * `import * as tf from '@tensorflow/tfjs'`; `materialize` writes it as it is (TF.js 4.22, which in Node runs on
 * its CPU backend) or with that line pointing at simdnet/tfjs, and nothing else changed.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
export const IMPORT_LINE = "import * as tf from '@tensorflow/tfjs';";
export const SIDES = {
  tfjs: IMPORT_LINE,
  simdnet: "import * as tf from '../../../src/tfjs/index.js';",
} as const;
export type Side = keyof typeof SIDES;

/** The program's source with its import line for `side`, written to .programs/<name>.<side>.ts; its path. */
export function materialize(name: string, side: Side): string {
  const src = readFileSync(`${here}programs/${name}.ts`, 'utf8');
  const [first, ...rest] = src.split('\n');
  if (first !== IMPORT_LINE) throw new Error(`programs/${name}.ts must start with ${IMPORT_LINE}`);
  mkdirSync(`${here}.programs`, { recursive: true });
  const out = `${here}.programs/${name}.${side}.ts`;
  writeFileSync(out, [SIDES[side], ...rest].join('\n'));
  return out;
}

/** Run a program's `run(data)` on one side; its result and wall time. */
export async function runProgram<R>(name: string, side: Side, data: unknown): Promise<{ result: R; ms: number }> {
  const mod = (await import(/* @vite-ignore */ materialize(name, side))) as { run: (d: unknown) => Promise<R> };
  const t = performance.now();
  const result = await mod.run(data);
  return { result, ms: performance.now() - t };
}
