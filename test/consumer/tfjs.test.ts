/**
 * simdnet/tfjs from the packed tarball (issue 18): its exports-map subpath resolves for import and require
 * to one instance shared with 'simdnet', and TF.js programs type-check against its shipped declarations as
 * they do against TF.js's own (the same program files, only the import line differs).
 */
import { readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, join, lastJson, pack, project, REPO, run, writeFileSync } from './helpers.js';

let dir: string;
const PROGRAMS = join(REPO, 'test', 'tfjs', 'programs');
const TF_LINE = "import * as tf from '@tensorflow/tfjs';";

beforeAll(() => {
  dir = project('tfjs', pack().tarball, { type: 'module' });
  const names = readdirSync(PROGRAMS).filter((f) => f.endsWith('.ts'));
  for (const f of names) {
    const src = readFileSync(join(PROGRAMS, f), 'utf8');
    expect(src.startsWith(TF_LINE)).toBe(true);
    writeFileSync(join(dir, `simdnet-${f}`), src.replace(TF_LINE, "import * as tf from 'simdnet/tfjs';"));
    writeFileSync(join(dir, `tfjs-${f}`), src);
  }
  // TF.js's declarations: @tensorflow/tfjs, linked from this repository's devDependencies.
  symlinkSync(join(REPO, 'node_modules', '@tensorflow'), join(dir, 'node_modules', '@tensorflow'), 'dir');
  const config = (files: string[]) =>
    JSON.stringify({
      compilerOptions: {
        strict: true,
        module: 'node16',
        moduleResolution: 'node16',
        target: 'es2022',
        lib: ['es2023', 'dom'],
        types: ['node'],
        typeRoots: [join(REPO, 'node_modules', '@types')],
        skipLibCheck: true,
        noEmit: true,
      },
      files,
    });
  writeFileSync(join(dir, 'tsconfig.simdnet.json'), config(names.map((f) => `simdnet-${f}`)));
  writeFileSync(join(dir, 'tsconfig.tfjs.json'), config(names.map((f) => `tfjs-${f}`)));
});
afterAll(cleanup);

const tsc = (config: string) =>
  run(process.execPath, [join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', config], dir, { check: false });

describe('simdnet/tfjs, installed', () => {
  it('import and require: one instance, shared with simdnet; TF.js keys, Scalars, NotSupportedError', () => {
    const r = lastJson<Record<string, unknown>>(run(process.execPath, ['both.mjs'], dir));
    expect(r).toEqual({
      sameInstance: true,
      subclass: true,
      keys: ['loss', 'acc'],
      evalLength: 2,
      evalIsTensor: true,
      mainPredictIsTfTensor: true,
      backend: 'wasm',
      unsupported: 'NotSupportedError',
    });
  });
  it('the TF.js programs type-check against TF.js declarations and against simdnet/tfjs', () => {
    const theirs = tsc('tsconfig.tfjs.json');
    expect(theirs.stdout + theirs.stderr).toBe('');
    expect(theirs.status).toBe(0);
    const ours = tsc('tsconfig.simdnet.json');
    expect(ours.stdout + ours.stderr).toBe('');
    expect(ours.status).toBe(0);
  });
});
