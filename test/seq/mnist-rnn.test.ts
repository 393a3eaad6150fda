/**
 * `npm run mnist-rnn` (examples/mnist-rnn.mjs on the built package) in the
 * suite: an LSTM reading each MNIST digit as 28 rows of 28 pixels, 8,000 /
 * 2,000, holding issue 16's bar for the test (≥ 95% held out; the example's
 * own goal is 97%) and saving a model that loads back with the same accuracy.
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

describe('npm run mnist-rnn', () => {
  it('trains an LSTM on MNIST read row by row to ≥ 95% on the 2,000 held-out images and saves it', async () => {
    const out = mkdtempSync(join(tmpdir(), 'simdnet-rnn-'));
    try {
      const r = spawnSync(process.execPath, ['examples/mnist-rnn.mjs'], {
        cwd: root,
        encoding: 'utf8',
        env: { ...process.env, SIMDNET_RNN_OUT: out, SIMDNET_THREADS: '1' },
        timeout: 900_000,
      });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/lstm\S* \(LSTM\)\s+\(None, 128\)\s+80,384/);
      const acc = Number(/Held-out accuracy: ([\d.]+)%/.exec(r.stdout)?.[1]);
      expect(acc).toBeGreaterThanOrEqual(95);
      expect(existsSync(join(out, 'model.json'))).toBe(true);
      const { images, labels } = mnist();
      const m = await sn.loadModel(out);
      const x = new sn.Tensor(images.subarray(8000 * 784), [2000, 28, 28]);
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
  }, 900_000);
});
