/**
 * simdnet/tfjs — TensorFlow.js's API on simdnet's engine (issue 18): a TF.js layers program runs by
 * changing its import line to `import * as tf from 'simdnet/tfjs'`.
 *
 * The ES module entry (browsers, bundlers); Node loads the CommonJS build (index.cts) for both `import` and
 * `require`, sharing one instance of simdnet with the main entry.
 * @packageDocumentation
 */
import { initBackends } from '../backend/index.js';

await initBackends();

export * from './api.js';
