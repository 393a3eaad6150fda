/**
 * How the browser tests launch Chromium: Debian's `chromium` package
 * (`/usr/bin/chromium`), or the binary named by CHROMIUM_PATH. Playwright's own
 * browser download is never used. The flags: --no-sandbox (CI runs as root),
 * and no background traffic on a closed network.
 */
import { existsSync } from 'node:fs';

export const chromiumPath: string = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const chromiumArgs: string[] = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-gpu',
  '--no-first-run',
  '--disable-dev-shm-usage',
];

/** Fail early, with the fix, when there is no Chromium to drive. */
export function requireChromium(): string {
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `Chromium not found at ${chromiumPath}. Install it (Debian: \`apt-get install -y chromium\`) ` +
        'or point CHROMIUM_PATH at a Chromium/Chrome binary.',
    );
  }
  return chromiumPath;
}
