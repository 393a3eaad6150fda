// The CommonJS entry of simdnet/tfjs (Node's "node" export condition, for import and require): the
// same API as index.ts, kernels compiled synchronously, one instance of simdnet with the main entry.
import { initBackendsSync } from '../backend/index.js';

initBackendsSync();

export * from './api.js';
