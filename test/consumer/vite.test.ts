/**
 * A browser application with the tarball installed, bundled by this
 * repository's Vite and run in Chromium (test/browser/chromium.ts): the
 * bundle takes the ES-module build (never the CommonJS one), carries each
 * embedded kernel binary once, keeps the kernel initialization (package.json
 * "sideEffects"), and the page trains, predicts, saves and loads.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, normalize } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { build, type Logger } from 'vite';
import { chromiumArgs, requireChromium } from '../browser/chromium.js';
import { cleanup, join, pack, project } from './helpers.js';

let dir: string;
let browser: Browser | undefined;
let server: Server | undefined;

beforeAll(() => {
  dir = project('vite', pack().tarball, { type: 'module' });
});
afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  cleanup();
});

interface Chunk {
  type: 'chunk';
  fileName: string;
  code: string;
  moduleIds: string[];
}
interface Asset {
  type: 'asset';
  fileName: string;
}

/** Serve a directory (the built app) over http: module scripts do not run from file://. */
function serve(root: string): Promise<string> {
  const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };
  server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(
      /^(\.\.[/\\])+/,
      '',
    );
    try {
      const body = await readFile(join(root, path.endsWith('/') ? `${path}index.html` : path));
      res.writeHead(200, { 'content-type': types[extname(path) || '.html'] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve) =>
    server!.listen(0, '127.0.0.1', () => {
      const a = server!.address();
      resolve(`http://127.0.0.1:${typeof a === 'object' && a !== null ? a.port : 0}/`);
    }),
  );
}

describe('Vite browser build', () => {
  it('bundles the ES-module build and runs a train-and-predict in Chromium', async () => {
    const warnings: string[] = [];
    const logger: Logger = {
      info() {},
      clearScreen() {},
      hasErrorLogged: () => false,
      hasWarned: false,
      warn: (m) => {
        warnings.push(m);
      },
      warnOnce: (m) => {
        warnings.push(m);
      },
      error: (m) => {
        warnings.push(m);
      },
    };
    const out = await build({
      root: dir,
      configFile: false,
      logLevel: 'warn',
      customLogger: logger,
      build: { outDir: join(dir, 'dist'), emptyOutDir: true },
    });
    const outputs = (Array.isArray(out) ? out : [out]) as { output: (Chunk | Asset)[] }[];
    const chunks = outputs.flatMap((o) => o.output).filter((c): c is Chunk => c.type === 'chunk');
    const ids = chunks.flatMap((c) => c.moduleIds);
    // The ES-module build, resolved from the installed package; never the CommonJS one.
    expect(ids).toContain(join(dir, 'node_modules', 'simdnet', 'dist', 'index.js'));
    expect(ids).toContain(join(dir, 'node_modules', 'simdnet', 'dist', 'tfjs', 'index.js'));
    expect(ids.filter((id) => /dist[\\/]cjs[\\/]/.test(id))).toEqual([]);
    // Two kernel binaries embedded (relaxed, simd; simd-unshared is simd with its memory
    // import's shared flag cleared at load), each once, gzipped then base64-encoded: a gzip header
    // ('\x1f\x8b\b\0\0\0\0\0\x02') each.
    const code = chunks.map((c) => c.code).join('\n');
    expect(code.match(/H4sIAAAAAAAC/g)?.length).toBe(2);
    // The only warning Vite gives is the size of the chunk with the kernels.
    expect(warnings.filter((w) => !/larger than 500 kB/.test(w))).toEqual([]);

    browser = await chromium.launch({ executablePath: requireChromium(), args: chromiumArgs, headless: true });
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(await serve(join(dir, 'dist')));
    await page.waitForFunction(() => (window as unknown as { __result?: unknown }).__result !== undefined, null, {
      timeout: 60_000,
    });
    const r = (await page.evaluate(() => (window as unknown as { __result: Record<string, unknown> }).__result)) as {
      error?: string;
      backend: { backend: string; variant: string };
      lossFirst: number;
      lossLast: number;
      accuracy: number;
      pred: number[];
      loadedSame: boolean;
      tfjs?: { keys: string[]; acc: number; argMax: number[]; predictIsTfTensor: boolean; backend: string };
    };
    expect(r.error).toBeUndefined();
    expect(errors).toEqual([]);
    // Not cross-origin isolated: the unshared-memory kernels.
    expect(r.backend).toMatchObject({ backend: 'wasm', variant: 'simd-unshared' });
    expect(r.lossLast).toBeLessThan(r.lossFirst / 4);
    expect(r.accuracy).toBeGreaterThanOrEqual(0.9);
    expect(r.pred[0]).toBeGreaterThan(0.5);
    expect(r.pred[1]).toBeLessThan(0.5);
    expect(r.loadedSame).toBe(true);
    // simdnet/tfjs in the same bundle: TF.js keys and Scalars, int32 argMax, one Tensor class.
    expect(r.tfjs).toMatchObject({ keys: ['loss', 'acc'], argMax: [1, 0], predictIsTfTensor: true, backend: 'wasm' });
    expect(r.tfjs!.acc).toBeGreaterThanOrEqual(0.75);
  });
});
