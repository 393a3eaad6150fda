/**
 * Atomic saves: a failure at any step of a save (disk full halfway through a
 * write, a rename refused, a path that cannot be created) leaves the previous
 * model's model.json and weights.bin intact and loadable. As root, chmod does
 * not block writes, so failures are injected through the handler's fs hook.
 */
import * as fsp from 'node:fs/promises';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as sn from '../../src/index.js';
import type { FsLike } from '../../src/io/node-fs.js';
import { inputs, io, tempDir } from './helpers.js';

function model(seed: number, units: number): sn.Sequential {
  sn.setSeed(seed);
  return sn.sequential([
    sn.layers.dense({ units, inputDim: 3, activation: 'tanh', name: 'a' }),
    sn.layers.dense({ units: 2, name: 'b' }),
  ]);
}

type Step = 'open' | 'write-weights' | 'write-json' | 'rename-weights' | 'rename-json' | 'mkdir';

/** The real fs, failing at one step: a write stores half its bytes and then fails with ENOSPC. */
function failingAt(step: Step): FsLike {
  const fail = (what: string) =>
    Object.assign(new Error(`${what}: injected failure`), { code: step.startsWith('write') ? 'ENOSPC' : 'EACCES' });
  let renames = 0;
  return {
    mkdir: async (p, o) => {
      if (step === 'mkdir') throw fail('mkdir');
      return fsp.mkdir(p, o);
    },
    stat: (p) => fsp.stat(p),
    rm: (p, o) => fsp.rm(p, o),
    link: (a, b) => fsp.link(a, b),
    rename: async (a, b) => {
      renames++;
      if (
        (step === 'rename-weights' && renames === 1) ||
        (step === 'rename-json' && renames === 2 && b.endsWith('model.json'))
      )
        throw fail('rename');
      return fsp.rename(a, b);
    },
    open: async (p, flags) => {
      const fh = await fsp.open(p, flags);
      const isWeights = p.includes('weights.bin');
      return {
        read: (b, o, l, pos) => fh.read(b, o, l, pos),
        sync: () => fh.sync(),
        close: () => fh.close(),
        writeFile: async (data) => {
          if ((step === 'write-weights' && isWeights) || (step === 'write-json' && !isWeights)) {
            await fh.writeFile(data.subarray(0, data.byteLength >> 1));
            throw fail('write');
          }
          return fh.writeFile(data);
        },
      };
    },
  };
}

describe('atomic save to a directory', () => {
  it('a failure at any step leaves the previous model intact and loadable', async () => {
    const x = inputs(4, 3);
    for (const step of ['mkdir', 'write-weights', 'write-json', 'rename-weights', 'rename-json'] as Step[]) {
      const dir = tempDir('atomic');
      const old = model(1, 4);
      await old.save(dir);
      const before = { json: readFileSync(join(dir, 'model.json')), weights: readFileSync(join(dir, 'weights.bin')) };
      const next = model(2, 6); // another architecture: a mixed-up pair would not load
      const err = await io.saveModel(next, io.fileSystem(dir, { fs: failingAt(step) })).then(
        () => new Error('no failure'),
        (e: unknown) => e as Error,
      );
      expect(err, step).toBeInstanceOf(sn.SimdnetError);
      expect(err.message, step).toMatch(/injected failure\. The previous model there, if any, is unchanged\./);
      expect(readdirSync(dir).sort(), step).toEqual(['model.json', 'weights.bin']); // no temporary files left
      expect(readFileSync(join(dir, 'model.json')).equals(before.json), step).toBe(true);
      expect(readFileSync(join(dir, 'weights.bin')).equals(before.weights), step).toBe(true);
      const loaded = await sn.loadModel(dir);
      expect(Array.from(loaded.predict(x).values), step).toEqual(Array.from(old.predict(x).values));
      // And the next save, without a failure, replaces it.
      await next.save(dir);
      expect(Array.from((await sn.loadModel(dir)).predict(x).values)).toEqual(Array.from(next.predict(x).values));
    }
  });

  it('a path that cannot be created fails cleanly, and leftovers of a killed save do not matter', async () => {
    const dir = tempDir('atomic');
    writeFileSync(join(dir, 'file'), 'not a directory');
    const err = await model(1, 4)
      .save(join(dir, 'file', 'sub'))
      .then(
        () => new Error('no failure'),
        (e: unknown) => e as Error,
      );
    expect(err).toBeInstanceOf(sn.SimdnetError);
    expect(err.message).toMatch(/Could not save the model to .*file\/sub.*(ENOTDIR|EEXIST)/);
    expect(readFileSync(join(dir, 'file'), 'utf8')).toBe('not a directory');
    // A save killed before its renames leaves hidden temporary files; they are ignored and never reused.
    const m = model(3, 5);
    await m.save(dir);
    writeFileSync(join(dir, '.weights.bin.123-abc.tmp'), 'half');
    writeFileSync(join(dir, '.model.json.123-abc.tmp'), '{"half":');
    await m.save(dir);
    const x = inputs(3, 3);
    expect(Array.from((await sn.loadModel(dir)).predict(x).values)).toEqual(Array.from(m.predict(x).values));
  });

  it('concurrent saves to one directory end with one consistent model', async () => {
    const dir = tempDir('atomic');
    const models = [model(1, 4), model(2, 7), model(3, 5), model(4, 9)];
    await Promise.all(models.map((m) => m.save(dir)));
    const loaded = await sn.loadModel(dir);
    const x = inputs(3, 3);
    expect(Array.from(loaded.predict(x).values)).toEqual(Array.from(models[3]!.predict(x).values));
  });
});
