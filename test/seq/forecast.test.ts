/**
 * `npm run forecast` (examples/airline-forecast.mjs on the built package) in
 * the suite: an LSTM over a sliding window of the airline-passenger series
 * beats the seasonal naive forecast of 1959–1960 both one month ahead and fed
 * back for 24 months, and the chart it writes holds the series and the three
 * forecasts over the months it says.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('npm run forecast', () => {
  it('forecasts 1959–1960 better than the seasonal naive forecast and draws the chart', () => {
    const dir = mkdtempSync(join(tmpdir(), 'simdnet-forecast-'));
    try {
      const out = join(dir, 'chart.svg');
      const r = spawnSync(process.execPath, ['examples/airline-forecast.mjs'], {
        cwd: root,
        encoding: 'utf8',
        env: { ...process.env, SIMDNET_FORECAST_OUT: out },
        timeout: 120_000,
      });
      expect(r.status, r.stderr).toBe(0);
      const mape = (name: string) => Number(new RegExp(`${name}\\s+MAPE ([\\d.]+)%`).exec(r.stdout)?.[1]);
      const oneStep = mape('LSTM, one month ahead'),
        fedBack = mape('LSTM, 24 months fed back'),
        naive = mape('seasonal naive \\(a year before\\)');
      // The seasonal naive forecast's error is a fact of the data: 10.52% (its values are the year before's).
      expect(naive).toBeCloseTo(10.52, 2);
      expect(oneStep).toBeLessThan(5);
      expect(fedBack).toBeLessThan(naive * 0.8);
      const svg = readFileSync(out, 'utf8');
      const lines = [...svg.matchAll(/<polyline [^>]*points="([^"]+)"/g)].map((m) => m[1]!.split(' ').length);
      expect(lines).toEqual([144, 24, 24, 24]);
      expect(svg).toMatch(/<title>LSTM, 24 months fed back<\/title>/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
