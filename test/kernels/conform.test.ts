/**
 * The conformance helper itself must be able to fail: an output element that
 * neither backend writes used to read NaN on both sides and pass (NaN matched
 * NaN). Each side's unwritten outputs now start as a different sentinel.
 */
import { beforeAll, expect, test } from 'vitest';
import { Act, type Backend } from '../../src/backend/types.js';
import { conform, describeWasm, mulberry32, randArray } from './helpers.js';

describeWasm('conform() catches outputs nobody writes', (load) => {
  let w: Backend;
  beforeAll(async () => {
    w = await load();
  });

  test('an output buffer that no kernel touches fails', () => {
    expect(() => conform('untouched', w, (a) => ({ Y: a.read(a.empty(5), 5) }), { abs: 0 })).toThrow(
      /untouched: Y.*5 of 5 elements differ/s,
    );
  });

  test('a kernel that writes all but the last element on both backends fails', () => {
    const X = randArray(mulberry32(1), 9, -2, 2);
    const run = (n: number) =>
      conform(
        `relu over ${n} of 9`,
        w,
        (a) => {
          const pX = a.put(X),
            pY = a.empty(9);
          a.b.biasAct(Act.Relu, 0, pX, 0, pY, 1, n);
          return { Y: a.read(pY, 9) };
        },
        { abs: 0 },
      );
    expect(() => run(9)).not.toThrow();
    expect(() => run(8)).toThrow(/1 of 9 elements differ/);
  });

  test('a kernel that writes NaN on both backends still matches (NaN is a value, not a sentinel)', () => {
    const X = new Float32Array([NaN, 1, -1]);
    expect(() =>
      conform(
        'relu(NaN)',
        w,
        (a) => {
          const pX = a.put(X),
            pY = a.empty(3);
          a.b.biasAct(Act.Linear, 0, pX, 0, pY, 1, 3);
          return { Y: a.read(pY, 3) };
        },
        { abs: 0 },
      ),
    ).not.toThrow();
  });
});
