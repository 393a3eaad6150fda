/**
 * Bounded memory (issue 17): 600,000 generated samples of 64 features train
 * through fitDataset in a child process whose JS heap is capped at 96 MB —
 * the data as float32 alone would be 150 MB — with the resident memory
 * growing by less than 400 MB, and the loss going down.
 */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('../fixtures/data/stream-memory.mjs', import.meta.url));

describe('fitDataset memory', () => {
  it('600,000 × 64 generated samples train under --max-old-space-size=96, resident memory +< 400 MB', () => {
    const out = execFileSync(process.execPath, ['--max-old-space-size=96', SCRIPT], {
      encoding: 'utf8',
      timeout: 110_000,
    });
    const r = JSON.parse(out.trim().split('\n').pop()!) as {
      samples: number;
      before: number;
      peak: number;
      loss: number;
    };
    expect(r.samples).toBe(600_000);
    expect(r.peak - r.before).toBeLessThan(400);
    expect(r.loss).toBeLessThan(0.69);
  });
});
