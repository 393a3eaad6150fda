// Whole TF.js programs for the train-tfjs-program-* cases (issue 18): the programs of test/tfjs/programs/,
// each a TypeScript file whose first line is `import * as tf from '@tensorflow/tfjs'`, transpiled once (types
// stripped by the TypeScript compiler, nothing else changed) with that line replaced by a binding the
// contender fills: TF.js's own namespace, or simdnet/tfjs. The same program text runs under both.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const PROGRAMS = fileURLToPath(new URL('../test/tfjs/programs/', import.meta.url));
const DATA = fileURLToPath(new URL('../examples/data/', import.meta.url));
const LINE = "import * as tf from '@tensorflow/tfjs';";

/** The program's run(data), with `tf` bound to the namespace given. */
export async function loadProgram(name, tf) {
  const ts = require('typescript');
  const src = readFileSync(`${PROGRAMS}${name}.ts`, 'utf8');
  if (!src.startsWith(LINE)) throw new Error(`${name}.ts must start with ${LINE}`);
  const body = src.slice(LINE.length);
  const js = ts.transpileModule(body, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  }).outputText;
  const dir = join(os.tmpdir(), 'simdnet-bench-programs');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}-${process.pid}.mjs`);
  writeFileSync(file, `let tf;\nexport const bind = (t) => { tf = t; };\n${js}`);
  const mod = await import(pathToFileURL(file).href);
  mod.bind(tf);
  return mod.run;
}

/** The programs' data: the UCI digits (every fifth row held out) and the airline passengers series. */
export function programData(name) {
  if (name === 'digits' || name === 'functional') {
    const rows = readFileSync(`${DATA}digits.csv`, 'utf8')
      .trim()
      .split(/\r?\n/)
      .map((l) => l.split(',').map(Number));
    const x = rows.map((r) => r.slice(0, 64).map((v) => v / 16)),
      y = rows.map((r) => r[64]);
    const test = (i) => i % 5 === 0;
    return {
      xTrain: x.filter((_, i) => !test(i)),
      yTrain: y.filter((_, i) => !test(i)),
      xTest: x.filter((_, i) => test(i)),
      yTest: y.filter((_, i) => test(i)),
    };
  }
  if (name === 'series') {
    return readFileSync(`${DATA}airline-passengers.csv`, 'utf8')
      .trim()
      .split(/\r?\n/)
      .slice(1)
      .map((l) => Number(l.split(',')[1]));
  }
  throw new Error(`no data for program ${name}`);
}
