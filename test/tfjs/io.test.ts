/**
 * tf.loadLayersModel and model.save through simdnet/tfjs (issue 18), against TF.js: a model TF.js built and
 * saved loads here and predicts what TF.js predicts; one saved here loads in TF.js; tf.io handlers by name.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as Ours from '../../src/tfjs/api.js';

type TF = typeof Ours;
let ours: TF, theirs: TF;
const dir = mkdtempSync(join(tmpdir(), 'simdnet-tfjs-io-'));
beforeAll(async () => {
  ours = (await import('../../src/tfjs/index.js')) as unknown as TF;
  theirs = (await import('@tensorflow/tfjs')) as unknown as TF;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const build = (tf: TF) => {
  const m = tf.sequential();
  m.add(tf.layers.dense({ units: 5, inputShape: [4], activation: 'tanh' }));
  m.add(tf.layers.dense({ units: 3, activation: 'softmax' }));
  m.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return m;
};
const X = [
  [0.1, -0.4, 2, 1],
  [1.5, 0.3, -1, 0],
];

describe('simdnet/tfjs io against TF.js', () => {
  it("TF.js's saved model (with its optimizer) loads through tf.loadLayersModel, compiled, and predicts the same", async () => {
    const m = build(theirs);
    await m.fit(theirs.tensor2d(X), theirs.oneHot(theirs.tensor1d([1, 0], 'int32'), 3), { epochs: 2, verbose: 0 });
    let artifacts: unknown;
    await m.save(
      theirs.io.withSaveHandler(async (a: unknown) => {
        artifacts = a;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }) as never,
      { includeOptimizer: true },
    );
    const loaded = await ours.loadLayersModel(ours.io.fromMemory(artifacts as never));
    expect(loaded).toBeInstanceOf(ours.LayersModel);
    const want = (m.predict(theirs.tensor2d(X)) as Ours.Tensor).dataSync();
    const got = (loaded.predict(ours.tensor2d(X)) as Ours.Tensor).dataSync();
    Array.from(got).forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 5));
    // Its training config came along: it trains with TF.js's log keys.
    const h = await loaded.fit(ours.tensor2d(X), ours.oneHot(ours.tensor1d([0, 2], 'int32'), 3), {
      epochs: 1,
      verbose: 0,
    });
    expect(Object.keys(h.history)).toEqual(['loss', 'acc']);
  });
  it('a model saved here to file:// loads in TF.js (through its fromMemory) and predicts the same', async () => {
    const m = build(ours);
    const url = `file://${join(dir, 'm')}`;
    await m.save(url);
    const again = await ours.loadLayersModel(`${url}/model.json`);
    const want = (m.predict(ours.tensor2d(X)) as Ours.Tensor).dataSync();
    expect(Array.from((again.predict(ours.tensor2d(X)) as Ours.Tensor).dataSync())).toEqual(Array.from(want));
    let artifacts: unknown;
    await m.save(ours.io.withSaveHandler((a: unknown) => void (artifacts = a)) as never);
    const inTfjs = await theirs.loadLayersModel(theirs.io.fromMemory(artifacts as never));
    const got = (inTfjs.predict(theirs.tensor2d(X)) as Ours.Tensor).dataSync();
    Array.from(got).forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 5));
  });
});
