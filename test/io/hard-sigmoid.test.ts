/**
 * hard_sigmoid in model files. simdnet's 'hard_sigmoid' is Keras 3's,
 * relu6(x + 3)/6; 'hard_sigmoid_legacy' is TF.js's and Keras 2's,
 * clip(0.2·x + 0.5, 0, 1). A file's 'hard_sigmoid' computes what its writer
 * computed: Keras 3's form when its keras_version is 3.x, the legacy form for
 * TF.js, Keras 2, a file without a version, and simdnet's own files (where
 * simdnet writes its Keras 3 form as 'hard_sigmoid_keras3'). Saving again
 * keeps the outputs.
 */
import { describe, expect, it } from 'vitest';
import * as sn from '../../src/index.js';
import { io, saveToMemory } from './helpers.js';

const X = [
  [2, -2.75, 1],
  [-1, 0.5, 4],
];
const keras3 = (z: number) => Math.min(1, Math.max(0, z / 6 + 0.5));
const legacy = (z: number) => Math.min(1, Math.max(0, 0.2 * z + 0.5));

/** A Dense(3) with identity kernel and zero bias: outputs act(x). */
function identityModel(activation: string): sn.Sequential {
  const m = sn.sequential([sn.layers.dense({ units: 3, inputDim: 3, activation })]);
  m.setWeights([sn.tensor([1, 0, 0, 0, 1, 0, 0, 0, 1], [3, 3]), sn.tensor([0, 0, 0], [3])]);
  return m;
}
const expectAct = (m: sn.Sequential, f: (z: number) => number, what: string) => {
  const got = Array.from(m.predict(X).values),
    want = X.flat().map(f);
  got.forEach((v, i) => expect(v, `${what} [${i}]`).toBeCloseTo(want[i]!, 6));
};
const activationOf = (a: io.ModelArtifacts) =>
  (a.modelTopology as { config: { layers: { config: { activation: string } }[] } }).config.layers[0]!.config.activation;

/** The artifacts of an identity model as a given writer would have written them. */
async function writtenBy(
  kerasVersion: string | undefined,
  generatedBy: string,
  name = 'hard_sigmoid',
): Promise<io.ModelArtifacts> {
  const a = await saveToMemory(identityModel('hard_sigmoid_legacy'));
  const t = a.modelTopology as Record<string, unknown> & { config: { layers: { config: Record<string, unknown> }[] } };
  if (kerasVersion === undefined) delete t.keras_version;
  else t.keras_version = kerasVersion;
  a.generatedBy = generatedBy;
  for (const l of t.config.layers) l.config.activation = name;
  return a;
}

describe('hard_sigmoid: Keras 3 in the API, what the writer computed in a file', () => {
  it("'hard_sigmoid' computes relu6(x + 3)/6; 'hard_sigmoid_legacy' computes clip(0.2·x + 0.5)", () => {
    expectAct(identityModel('hard_sigmoid'), keras3, 'keras 3');
    expectAct(identityModel('hardSigmoid'), keras3, 'camelCase');
    expectAct(identityModel('hard_sigmoid_legacy'), legacy, 'legacy');
  });

  it("loads TF.js, Keras 2 and version-less files with the legacy form, Keras 3 files with Keras 3's", async () => {
    const cases: [string | undefined, string, (z: number) => number, string][] = [
      ['tfjs-layers 4.22.0', 'TensorFlow.js tfjs-layers v4.22.0', legacy, 'hard_sigmoid_legacy'],
      ['2.15.0', 'keras v2.15.0', legacy, 'hard_sigmoid_legacy'],
      [undefined, 'TensorFlow.js Converter', legacy, 'hard_sigmoid_legacy'],
      ['3.3.3', 'keras v3.3.3', keras3, 'hard_sigmoid'],
    ];
    for (const [kv, gen, f, name] of cases) {
      const m = await sn.loadModel(io.fromMemory(await writtenBy(kv, gen)));
      expectAct(m, f, `keras_version ${kv}`);
      expect((m.layers[0] as sn.layers.Dense).activation.name).toBe(name);
    }
  });

  it('saving round-trips: a TF.js legacy model and a Keras 3 model each compute the same after save and reload', async () => {
    const fromTf = await sn.loadModel(
      io.fromMemory(await writtenBy('tfjs-layers 4.22.0', 'TensorFlow.js tfjs-layers v4.22.0')),
    );
    const saved = await saveToMemory(fromTf);
    expect(activationOf(saved)).toBe('hard_sigmoid'); // what TF.js reads as its own hard_sigmoid
    expectAct(await sn.loadModel(io.fromMemory(saved)), legacy, 'TF.js model saved by simdnet');

    const fromK3 = await sn.loadModel(io.fromMemory(await writtenBy('3.3.3', 'keras v3.3.3')));
    const saved3 = await saveToMemory(fromK3);
    expect(activationOf(saved3)).toBe('hard_sigmoid_keras3'); // a name no other reader takes for the legacy form
    expectAct(await sn.loadModel(io.fromMemory(saved3)), keras3, 'Keras 3 model saved by simdnet');

    // simdnet's own models, through the Activation layer too.
    const own = sn.sequential([
      sn.layers.dense({ units: 3, inputDim: 3 }),
      sn.layers.activation({ activation: 'hard_sigmoid' }),
    ]);
    own.setWeights([sn.tensor([1, 0, 0, 0, 1, 0, 0, 0, 1], [3, 3]), sn.tensor([0, 0, 0], [3])]);
    expectAct(await sn.loadModel(io.fromMemory(await saveToMemory(own))), keras3, 'Activation layer');
    // A file explicitly naming the Keras 3 form keeps it whatever its version says.
    expectAct(
      await sn.loadModel(io.fromMemory(await writtenBy('tfjs-layers 4.22.0', 'x', 'hard_sigmoid_keras3'))),
      keras3,
      'explicit keras3 name',
    );
  });
});
