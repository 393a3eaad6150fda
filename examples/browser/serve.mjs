#!/usr/bin/env node
// A tiny static file server for the browser demo (`npm run demo`).
//
// Serves the repository root, so the page at /examples/browser/ can import the
// built library from /dist/index.js and fetch /examples/data/digits.csv, with
// the two headers that make a page cross-origin isolated (shared
// WebAssembly.Memory, SharedArrayBuffer):
//
//   Cross-Origin-Opener-Policy: same-origin
//   Cross-Origin-Embedder-Policy: require-corp
//
// Usage: node examples/browser/serve.mjs [--port 8080] [--host 127.0.0.1]
//          [--root <dir>] [--page /examples/browser/] [--no-isolation]
// PORT and HOST environment variables work too; --port 0 picks a free port.
// --no-isolation serves without COOP/COEP, to see the one-thread, unshared fallback.
// --root examples/browser/build serves the Vite build of the page (see README.md in this folder).
import { createServer } from 'node:http';
import { createReadStream, statSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
};

export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/**
 * Start the server. Resolves to { server, url, close() } once it listens.
 * `page` is the path printed (and what `/` redirects to).
 */
export function startServer({
  port = 8080,
  host = '127.0.0.1',
  root = REPO,
  isolation = true,
  page = '/examples/browser/',
} = {}) {
  const base = resolve(root);
  const server = createServer((req, res) => {
    const headers = {
      'Cache-Control': 'no-store',
      'Cross-Origin-Resource-Policy': 'same-origin',
      ...(isolation ? ISOLATION_HEADERS : {}),
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...headers, Allow: 'GET, HEAD' }).end();
      return;
    }
    let pathname;
    try {
      pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    } catch {
      res.writeHead(400, headers).end();
      return;
    }
    if (pathname === '/' && page !== '/') {
      res.writeHead(302, { ...headers, Location: page }).end();
      return;
    }
    // No escaping the root: normalize, then require the result to stay inside it.
    let file = normalize(join(base, pathname));
    if (file !== base && !file.startsWith(base + sep)) {
      res.writeHead(403, headers).end('Forbidden');
      return;
    }
    let st;
    try {
      st = statSync(file);
      if (st.isDirectory()) {
        if (!pathname.endsWith('/')) {
          res.writeHead(301, { ...headers, Location: `${pathname}/` }).end();
          return;
        }
        file = join(file, 'index.html');
        st = statSync(file);
      }
    } catch {
      res.writeHead(404, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' }).end(`Not found: ${pathname}`);
      return;
    }
    res.writeHead(200, {
      ...headers,
      'Content-Type': TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
      'Content-Length': st.size,
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    createReadStream(file)
      .on('error', () => res.destroy())
      .pipe(res);
  });
  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const addr = server.address();
      const url = `http://${host.includes(':') ? `[${host}]` : host}:${addr.port}${page}`;
      resolvePromise({
        server,
        url,
        close: () =>
          new Promise((r) => {
            server.closeAllConnections?.();
            server.close(() => r());
          }),
      });
    });
  });
}

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const root = resolve(arg('root', REPO));
  const page = arg('page', root === resolve(REPO) ? '/examples/browser/' : '/');
  const isolation = !process.argv.includes('--no-isolation');
  try {
    statSync(join(REPO, 'dist', 'index.js'));
  } catch {
    if (root === resolve(REPO))
      console.warn(
        'Warning: dist/index.js is missing, so the page cannot load the library. Run `npm run build` first.',
      );
  }
  const { url } = await startServer({
    port: Number(arg('port', process.env.PORT ?? 8080)),
    host: arg('host', process.env.HOST ?? '127.0.0.1'),
    root,
    isolation,
    page,
  }).catch((e) => {
    console.error(`Could not start the server: ${e.message}`);
    process.exit(1);
  });
  console.log(`simdnet demo: ${url}`);
  console.log(
    isolation
      ? 'Served with COOP/COEP (cross-origin isolated: shared memory).'
      : 'Served WITHOUT COOP/COEP (not isolated: unshared memory, one thread).',
  );
  console.log('Press Ctrl+C to stop.');
}
