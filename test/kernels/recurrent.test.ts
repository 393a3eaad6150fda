/**
 * Conformance of the fused LSTM cell kernels (issue 16) against the js
 * backend: every supported activation and gate activation, unit counts with
 * and without a vector tail. The activations are the elementwise kernels'
 * (SIMD approximations of tanh and the sigmoid), so the tolerance is theirs.
 */
import { beforeAll, test } from 'vitest';
import { Act, type Backend } from '../../src/backend/types.js';
import { conform, describeWasm, mulberry32, randArray } from './helpers.js';

describeWasm('recurrent cell kernels: wasm against js', (load) => {
  let w: Backend;
  beforeAll(async () => {
    w = await load();
  });

  test('lstmCell and lstmCellBackward over activations × gate activations × widths', () => {
    const rng = mulberry32(61);
    for (const act of [Act.Tanh, Act.Relu, Act.Linear, Act.Sigmoid])
      for (const rec of [Act.Sigmoid, Act.HardSigmoid, Act.HardSigmoidLegacy])
        for (const [B, U] of [
          [1, 1],
          [3, 4],
          [5, 7],
          [2, 13],
        ] as const) {
          const z = randArray(rng, B * 4 * U, -3, 3),
            cp = randArray(rng, B * U),
            dh = randArray(rng, B * U),
            dc = randArray(rng, B * U);
          conform(
            `lstm act ${Act[act]} rec ${Act[rec]} B ${B} U ${U}`,
            w,
            (a) => {
              const pZ = a.put(z),
                pC = a.put(cp),
                pCo = a.empty(B * U),
                pH = a.empty(B * U),
                pDh = a.put(dh),
                pDc = a.put(dc);
              a.b.lstmCell(pZ, pC, pCo, pH, B, U, act, rec);
              const gates = a.read(pZ, B * 4 * U),
                c = a.read(pCo, B * U),
                h = a.read(pH, B * U);
              a.b.lstmCellBackward(pZ, pC, pCo, pDh, pDc, B, U, act, rec);
              return { gates, c, h, dz: a.read(pZ, B * 4 * U), dcPrev: a.read(pDc, B * U) };
            },
            { rel: 1e-5, abs: 1e-6 },
          );
        }
  });
});
