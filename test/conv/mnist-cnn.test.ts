/**
 * `npm run mnist-cnn` (examples/mnist-cnn.mjs on the built package) in the
 * suite: Keras's mnist_convnet on the shipped MNIST images, 8,000 / 2,000,
 * reaching issue 15's bar (≥ 98% held out within 10 epochs) and saving a model
 * that loads back with the same accuracy.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as sn from '../../src/index.js';
import { mnist } from '../helpers/data.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('npm run mnist-cnn', () => {
  it('trains the Keras mnist_convnet CNN to ≥ 98% on the 2,000 held-out images within 10 epochs and saves it', async () => {
    const out = mkdtempSync(join(tmpdir(), 'simdnet-cnn-'));
    try {
      const r = spawnSync(process.execPath, ['examples/mnist-cnn.mjs'], {
        cwd: root,
        encoding: 'utf8',
        env: { ...process.env, SIMDNET_CNN_OUT: out, SIMDNET_THREADS: '1' },
        timeout: 600_000,
      });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/conv2d\S* \(Conv2D\)\s+\(None, 26, 26, 32\)\s+320/);
      const acc = Number(/Held-out accuracy: ([\d.]+)%/.exec(r.stdout)?.[1]);
      expect(acc).toBeGreaterThanOrEqual(98);
      expect(existsSync(join(out, 'model.json'))).toBe(true);
      const { images, labels } = mnist();
      const m = await sn.loadModel(out);
      const x = new sn.Tensor(images.subarray(8000 * 784), [2000, 28, 28, 1]);
      const p = m.predict(x, { batchSize: 500 }) as sn.Tensor;
      let right = 0;
      for (let i = 0; i < 2000; i++) {
        const row = p.values.subarray(i * 10, i * 10 + 10);
        if (row.indexOf(Math.max(...row)) === labels[8000 + i]) right++;
      }
      expect(Math.abs((right / 2000) * 100 - acc)).toBeLessThan(0.01);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 600_000);
});
