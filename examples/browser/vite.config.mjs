// The demo through a bundler: `npx vite build --config examples/browser/vite.config.mjs`
// writes examples/browser/build/ (serve it with
// `node examples/browser/serve.mjs --root examples/browser/build`).
//
// The page's modules import the library as `/dist/index.js` (so they run
// unbundled from the repository); here that path is pointed at the package
// itself, as an application depending on `simdnet` from npm would resolve it.
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const library = fileURLToPath(new URL('../../dist/index.js', import.meta.url));
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  root: here,
  base: './',
  logLevel: 'warn',
  resolve: { alias: [{ find: /^\/dist\/index\.js$/, replacement: library }] },
  // The library initializes its kernels with top-level await.
  build: { outDir: 'build', emptyOutDir: true, target: 'es2022', reportCompressedSize: false },
  worker: { format: 'es' },
  server: { headers: isolation, fs: { allow: [fileURLToPath(new URL('../..', import.meta.url))] } },
  preview: { headers: isolation },
});
