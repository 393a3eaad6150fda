/**
 * Conformance of the embedding kernels (issue 16) against the js backend:
 * the gather copies exactly and reports the first bad id the same way; the
 * scatter-add sums repeated ids in order, so the two agree bit for bit.
 */
import { beforeAll, expect, test } from 'vitest';
import type { Backend } from '../../src/backend/types.js';
import { conform, describeWasm, js, mulberry32, randArray, withArena } from './helpers.js';

describeWasm('embedding kernels: wasm against js', (load) => {
  let w: Backend;
  beforeAll(async () => {
    w = await load();
  });

  test('gather and scatter-add over widths with and without a vector tail, ids repeated, exact', () => {
    const rng = mulberry32(51);
    for (const [count, D, V] of [
      [1, 1, 1],
      [17, 3, 5],
      [64, 8, 10],
      [50, 33, 7],
      [200, 32, 1000],
    ] as const) {
      const ids = Float32Array.from({ length: count }, () => Math.floor(rng() * V));
      const E = randArray(rng, V * D),
        dy = randArray(rng, count * D);
      conform(
        `embedding count ${count} D ${D} V ${V}`,
        w,
        (a) => {
          const pE = a.put(E),
            pI = a.put(ids),
            pY = a.empty(count * D),
            pG = a.put(dy),
            pdE = a.empty(V * D);
          const bad = a.b.embeddingGather(pE, pI, pY, count, D, V);
          a.b.embeddingScatter(pG, pI, pdE, count, D, V);
          return { bad, y: a.read(pY, count * D), dE: a.read(pdE, V * D) };
        },
        { rel: 0, abs: 0 },
      );
    }
  });

  test('a bad id (out of range, negative, fractional, NaN) is reported as its position + 1 by both', () => {
    for (const bad of [10, -1, 2.5, NaN]) {
      const ids = Float32Array.of(1, 2, bad, 3);
      for (const b of [w, js]) {
        const got = withArena(b, (a) => {
          const pE = a.put(new Float32Array(40)),
            pI = a.put(ids),
            pY = a.empty(16);
          return a.b.embeddingGather(pE, pI, pY, 4, 4, 10);
        });
        expect(got, `${b.name}: id ${bad}`).toBe(3);
      }
    }
  });
});
