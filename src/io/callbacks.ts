/** The public `callbacks` namespace: the training callbacks plus modelCheckpoint (which saves, so it lives in io). */
export * from '../callbacks.js';
export { modelCheckpoint, ModelCheckpoint, formatFilepath } from './checkpoint.js';
export type { ModelCheckpointArgs } from './checkpoint.js';
export { diagnostics, Diagnostics } from '../diagnostics.js';
export type { DiagnosticsArgs, DiagnosticsReport, LayerDiagnostics } from '../diagnostics.js';
