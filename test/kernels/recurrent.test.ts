/**
 * Conformance of the fused LSTM and GRU cell kernels (issue 16) against the
 * js backend (GRU in both of Keras's forms, with the recurrent bias or none):
 * every supported activation and gate activation, unit counts with and
 * without a vector tail. The activations are the elementwise kernels' (SIMD
 * approximations of tanh and the sigmoid), so the tolerance is theirs.
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

  test('the GRU kernels (reset after and before) over activations × gate activations × widths', () => {
    const rng = mulberry32(67);
    for (const act of [Act.Tanh, Act.Relu, Act.Linear, Act.Sigmoid])
      for (const rec of [Act.Sigmoid, Act.HardSigmoid, Act.HardSigmoidLegacy])
        for (const [B, U] of [
          [1, 1],
          [3, 4],
          [5, 7],
          [2, 13],
        ] as const) {
          const z = randArray(rng, B * 3 * U, -3, 3),
            r = randArray(rng, B * 3 * U, -2, 2),
            bias = randArray(rng, 3 * U),
            hp = randArray(rng, B * U),
            dh = randArray(rng, B * U),
            drh = randArray(rng, B * U),
            dhp = randArray(rng, B * U);
          for (const withBias of [true, false])
            conform(
              `gru (reset after) act ${Act[act]} rec ${Act[rec]} B ${B} U ${U} bias ${withBias}`,
              w,
              (a) => {
                const pZ = a.put(z),
                  pR = a.put(r),
                  pB = withBias ? a.put(bias) : 0,
                  pHp = a.put(hp),
                  pH = a.empty(B * U),
                  pDh = a.put(dh),
                  pDp = a.empty(B * U);
                a.b.gruCell(pZ, pR, pB, pHp, pH, B, U, act, rec);
                const gates = a.read(pZ, B * 3 * U),
                  rec3 = a.read(pR, B * 3 * U),
                  h = a.read(pH, B * U);
                a.b.gruCellBackward(pZ, pR, pHp, pDh, pDp, B, U, act, rec);
                return {
                  gates,
                  rec3,
                  h,
                  dz: a.read(pZ, B * 3 * U),
                  dr: a.read(pR, B * 3 * U),
                  dhPrev: a.read(pDp, B * U),
                };
              },
              { rel: 1e-5, abs: 1e-6 },
            );
          conform(
            `gru (reset before) act ${Act[act]} rec ${Act[rec]} B ${B} U ${U}`,
            w,
            (a) => {
              const pZ = a.put(z),
                pHp = a.put(hp),
                pRH = a.empty(B * U),
                pH = a.empty(B * U),
                pDh = a.put(dh),
                pDrh = a.put(drh),
                pDp = a.put(dhp);
              a.b.gruGates(pZ, pHp, pRH, B, U, rec);
              const gates = a.read(pZ, B * 3 * U),
                rh = a.read(pRH, B * U);
              a.b.gruOut(pZ, pHp, pH, B, U, act);
              const out = a.read(pZ, B * 3 * U),
                h = a.read(pH, B * U);
              a.b.gruOutBackward(pZ, pHp, pDh, pDp, B, U, act, rec);
              const dOut = a.read(pZ, B * 3 * U),
                dp1 = a.read(pDp, B * U);
              a.b.gruGatesBackward(pZ, pHp, pDrh, pDp, B, U, rec);
              return { gates, rh, out, h, dOut, dp1, dz: a.read(pZ, B * 3 * U), dhPrev: a.read(pDp, B * U) };
            },
            { rel: 1e-5, abs: 1e-6 },
          );
        }
  });
});
