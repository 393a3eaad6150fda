/**
 * The short version of `npm run soak`: 3,000 training steps in a child process
 * with --expose-gc; after warm-up the JS heap, the kernel memory and its live
 * block count stay flat.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('soak', () => {
  it('3,000 steps: JS heap and kernel memory flat after warm-up', () => {
    const r = spawnSync(process.execPath, ['--expose-gc', 'bench/soak.mjs', '--steps', '3000', '--json'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const res = JSON.parse(r.stdout.trim().split('\n').pop()!);
    expect(res.steps).toBe(3000);
    expect(res.kernelGrowthMiB).toBe(0);
    expect(res.liveBlockGrowth).toBe(0);
    // GC noise here is ~0.1 MiB; a leak of ~200 bytes per step would pass 0.5 MiB over the 2,400 steps after warm-up.
    expect(res.heapGrowthMiB).toBeLessThan(0.5);
  });
});
