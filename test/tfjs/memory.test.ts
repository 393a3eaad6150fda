/**
 * simdnet/tfjs's memory API has its honest meaning (issue 18): tidy disposes what it made and did not
 * return, keep and dispose do what they say, a disposed tensor cannot be read, memory() counts live tensors,
 * their bytes and the kernel memory.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type * as TF from '../../src/tfjs/api.js';

let tf: typeof TF;
beforeAll(async () => {
  tf = (await import('../../src/tfjs/index.js')) as unknown as typeof TF;
});

describe('tidy, keep, dispose, memory', () => {
  it('tidy returns its result and disposes the intermediates', () => {
    const before = tf.memory().numTensors;
    let inner: TF.Tensor | null = null;
    let kept: TF.Tensor | null = null;
    const r = tf.tidy(() => {
      const a = tf.tensor1d([1, 2, 3]);
      inner = a.square();
      kept = tf.keep(a.add(1));
      return { out: inner.sum(), list: [a.mul(2)] };
    });
    expect(r.out.dataSync()[0]).toBe(14);
    expect(Array.from(r.list[0]!.dataSync())).toEqual([2, 4, 6]);
    expect(inner!.isDisposed).toBe(true);
    expect(() => inner!.dataSync()).toThrow(/disposed/);
    expect(kept!.isDisposed).toBe(false);
    expect(Array.from(kept!.dataSync())).toEqual([2, 3, 4]);
    // Live now: out, list[0], kept (and no more).
    expect(tf.memory().numTensors - before).toBe(3);
    tf.dispose([r.out, r.list[0]!, kept!]);
    expect(tf.memory().numTensors).toBe(before);
  });
  it('nested tidy: the inner result belongs to the outer scope', () => {
    const before = tf.memory().numTensors;
    const out = tf.tidy(() => {
      const x = tf.tidy(() => tf.tensor1d([1, 2]).mul(3));
      expect(x.isDisposed).toBe(false);
      return x.add(1);
    });
    expect(Array.from(out.dataSync())).toEqual([4, 7]);
    expect(tf.memory().numTensors - before).toBe(1);
  });
  it('dispose releases the bytes; memory() reports tensors, bytes and kernel memory', () => {
    const m0 = tf.memory();
    const t = tf.zeros([256, 256]);
    const m1 = tf.memory();
    expect(m1.numTensors - m0.numTensors).toBe(1);
    expect(m1.numBytes - m0.numBytes).toBe(256 * 256 * 4);
    t.dispose();
    t.dispose(); // twice is harmless
    expect(tf.memory().numBytes).toBe(m0.numBytes);
    expect(t.isDisposed).toBe(true);
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 4, inputShape: [3] })] });
    model.predict(tf.ones([2, 3]));
    expect(tf.memory().kernelBytes).toBeGreaterThan(0);
  });
  it('a tidy whose function returns a promise is refused, as in TF.js', () => {
    expect(() => tf.tidy((() => Promise.resolve(1)) as unknown as () => number)).toThrow(/Promise/);
  });
});
