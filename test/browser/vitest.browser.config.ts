/**
 * The browser suites (`npm run test:browser`), three projects:
 *
 * - chromium-isolated: vitest browser mode in real Chromium, every response
 *   served with COOP same-origin + COEP require-corp, so the page is
 *   cross-origin isolated and the library loads its shared-memory kernels.
 * - chromium-plain: the same runner without those headers: the page is not
 *   isolated and the library must fall back to the unshared-memory build.
 * - e2e: a Node test that serves examples/browser/ with `serve.mjs` and drives
 *   the demo page with playwright-core.
 *
 * Chromium is Debian's (/usr/bin/chromium) or CHROMIUM_PATH; see chromium.ts.
 * Browser test files end in `.browser.ts` and the e2e test in `.e2e.ts`, so
 * the Node suite (test/vitest.config.ts, `test/**\/*.test.ts`) never runs them.
 */
import { defineConfig } from 'vitest/config';
import { playwright } from '@vitest/browser-playwright';
import { fileURLToPath } from 'node:url';
import { chromiumArgs, requireChromium } from './chromium.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

function browser() {
  return {
    enabled: true,
    headless: true,
    screenshotFailures: false,
    provider: playwright({
      launchOptions: { executablePath: requireChromium(), args: chromiumArgs },
    }),
    instances: [{ browser: 'chromium' as const }],
  };
}

export default defineConfig({
  root,
  test: {
    // Inline projects do not inherit this config: each sets what it needs.
    projects: [
      {
        root,
        server: { headers: ISOLATION_HEADERS },
        test: {
          name: 'chromium-isolated',
          include: ['test/browser/**/*.browser.ts'],
          exclude: ['test/browser/**/*.plain.browser.ts'],
          browser: browser(),
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        root,
        test: {
          name: 'chromium-plain',
          include: ['test/browser/**/*.plain.browser.ts', 'test/browser/conformance.browser.ts'],
          browser: browser(),
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        root,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.e2e.ts'],
          environment: 'node',
          pool: 'forks',
          testTimeout: 120_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
