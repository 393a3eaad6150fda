/**
 * `npm start` (examples/pima.mjs on the built package) runs in the test suite:
 * the same code path, reaching the accuracy bar, writing its outputs.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

describe('npm start', () => {
  it('trains the founding model on Pima to ≥ 75% test accuracy and writes the model and plot', () => {
    const out = mkdtempSync(join(tmpdir(), 'simdnet-start-'));
    try {
      const r = spawnSync(process.execPath, ['examples/pima.mjs'], {
        cwd: root,
        encoding: 'utf8',
        env: { ...process.env, SIMDNET_START_OUT: out },
        timeout: 120_000,
      });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toContain('Total params: 187');
      expect(r.stdout).toMatch(/Epoch 1\/\d+/);
      const acc = Number(/Test accuracy: ([\d.]+)%/.exec(r.stdout)?.[1]);
      expect(acc).toBeGreaterThanOrEqual(75);
      expect(r.stdout).toMatch(/pure-JS backend/);
      expect(r.stdout).toMatch(/is [\d.]+× the pure-JS backend/);
      expect(existsSync(join(out, 'pima-model', 'model.json'))).toBe(true);
      expect(existsSync(join(out, 'pima-model', 'weights.bin'))).toBe(true);
      expect(readFileSync(join(out, 'pima-history.svg'), 'utf8')).toContain('val_loss');
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
