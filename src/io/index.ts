/**
 * Saving and loading in the TF.js layers format (`model.json` + binary
 * weights), interchangeable with TensorFlow.js and, through the
 * `tensorflowjs` converter, with Keras. See api.ts for the targets,
 * serialize.ts for the format and validate.ts for how untrusted files are checked.
 */
export { saveModel, loadModel, loadWeights, handlerFor } from './api.js';
export { fromMemory, withSaveHandler } from './memory.js';
export { fileSystem, FileSystemHandler } from './node-fs.js';
export type { FileSystemOptions } from './node-fs.js';
export {
  browserIndexedDB,
  BrowserIndexedDB,
  browserLocalStorage,
  BrowserLocalStorage,
  browserDownloads,
  BrowserDownloads,
  browserFiles,
  BrowserFiles,
  http,
  HTTPRequest,
} from './browser.js';
export type { HttpOptions } from './browser.js';
export { modelToArtifacts, artifactsToModel, SIMDNET_VERSION } from './serialize.js';
export { modelCheckpoint, ModelCheckpoint } from './checkpoint.js';
export type { ModelCheckpointArgs } from './checkpoint.js';
export type {
  IOHandler,
  ModelArtifacts,
  ModelArtifactsInfo,
  ModelJSON,
  SaveResult,
  SaveOptions,
  LoadOptions,
  TrainingConfig,
  WeightSpec,
  WeightData,
  WeightsManifestGroup,
} from './types.js';
