/**
 * Diagnostics in the command line (issue 19): `simdnet train` prints the
 * layer warnings the diagnostics callback gives (here, a deep sigmoid stack's
 * vanishing gradients) once each on stderr, and --plot draws each layer's
 * gradient norm beside the loss; a healthy run prints no warning.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PIMA, cleanup, requireBuild, scratch, simdnet } from './helpers.js';

let dir: string;
beforeAll(() => {
  requireBuild();
  dir = scratch();
});
afterAll(() => cleanup(dir));

describe('simdnet train: diagnostics', () => {
  it('warns of vanishing gradients in a 12-layer sigmoid network, once, and plots the gradient norms', () => {
    const layers = Array(12).fill(16).join(',');
    const r = simdnet(
      [
        'train',
        PIMA,
        '--target',
        'last',
        '--activation',
        'sigmoid',
        '--layers',
        layers,
        '--optimizer',
        'sgd',
        '--epochs',
        '4',
        '--verbose',
        '0',
        '--plot',
        'p.svg',
        '-o',
        'm',
      ],
      dir,
    );
    expect(r.status).toBe(0);
    const warnings = r.stderr.split('\n').filter((l) => l.startsWith('simdnet: warning: vanishing gradients'));
    expect(warnings.length).toBeGreaterThan(0);
    expect(new Set(warnings).size).toBe(warnings.length);
    expect(warnings[0]).toMatch(/layer 'dense(_\d+)?' has a gradient norm of .*ReLU-family/);
    const svg = readFileSync(join(dir, 'p.svg'), 'utf8');
    expect(svg).toContain('log10 |grad| dense');
    expect(svg).toContain('log10 |grad| dense_12');
  });

  it('a healthy run: no warning', () => {
    const r = simdnet(['train', PIMA, '--target', 'last', '--verbose', '0', '-o', 'ok'], dir);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
  });
});
