/** What the convolution tests share: random images, closeness against TF.js, a TF.js model's artifacts. */
import { expect } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { closeTo } from '../io/helpers.js';

export const images = (r: () => number, n: number, h: number, w: number, c: number) =>
  Array.from({ length: n }, () =>
    Array.from({ length: h }, () => Array.from({ length: w }, () => Array.from({ length: c }, () => r() * 2 - 1))),
  );

export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  const res = closeTo(actual, expected);
  expect(res.ok, `${what}: ${res.message}`).toBe(true);
}

export async function tfArtifacts(m: tfl.LayersModel): Promise<tf.io.ModelArtifacts> {
  let out: tf.io.ModelArtifacts | undefined;
  await m.save(
    tf.io.withSaveHandler(async (a) => {
      out = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return out!;
}
