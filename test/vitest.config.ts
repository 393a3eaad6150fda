import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

// Kept under test/ so the top level holds only the project's fixed files.
export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  test: {
    include: ['test/**/*.test.ts'],
    // Training on real data takes seconds on a 2-core machine; no test is timed.
    testTimeout: 120_000,
    hookTimeout: 60_000,
    // Two cores: two forks at a time.
    pool: 'forks',
    maxWorkers: 2,
  },
});
