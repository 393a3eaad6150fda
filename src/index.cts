// The CommonJS entry (Node: package.json's "node" export condition sends both
// `require('simdnet')` and `import 'simdnet'` here, so a process has one copy
// of the kernels and of every class). The same API as index.ts, with the
// kernels compiled synchronously as the module is required. Compiled by
// src/tsconfig.cjs.json (the main build's `src/**/*.ts` does not match .cts).
import { initBackendsSync } from './backend/index.js';

initBackendsSync();

export * from './api.js';
