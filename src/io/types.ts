/**
 * The TF.js layers format, as types. These match `@tensorflow/tfjs-core`'s
 * `io` types field for field, so a TF.js IOHandler (`tf.io.fromMemory`,
 * `tf.io.withSaveHandler`, …) works with simdnet and a simdnet handler works
 * with `tf.loadLayersModel`.
 *
 * On disk a model is `model.json`:
 *   { modelTopology: { class_name: 'Sequential', config: { name, layers: [...] }, keras_version, backend },
 *     format: 'layers-model', generatedBy, convertedBy,
 *     weightsManifest: [{ paths: ['weights.bin'], weights: [{ name, shape, dtype }, ...] }],
 *     trainingConfig?: { loss, metrics, optimizer_config: { class_name, config } },
 *     userDefinedMetadata?: {...} }
 * plus binary files holding each group's weights as little-endian values,
 * concatenated in manifest order and split across the group's `paths`.
 */

/** Element types a manifest may name (TF.js's DataType, minus what no layer weight uses). */
export type WeightDtype = 'float32' | 'int32' | 'bool' | 'complex64' | 'string';

/** One weight in a manifest. */
export interface WeightSpec {
  /**
   * `${layerName}/${weightName}` for model weights (`dense_Dense1/kernel`); `${weight}/${slot}` or `iter` for optimizer
   * state.
   */
  name: string;
  shape: number[];
  dtype: WeightDtype;
  /** 'optimizer' for optimizer state; absent or 'model' for model weights. */
  group?: 'model' | 'optimizer';
  /**
   * Affine (uint8/uint16: value = q·scale + min) or float16 storage, as written by `tensorflowjs_converter
   * --quantize_*`.
   */
  quantization?: { dtype: 'uint8' | 'uint16' | 'float16'; scale?: number; min?: number; original_dtype?: string };
}

/** The bytes of every weight, as one buffer or a list of buffers to be read as one. */
export type WeightData = ArrayBuffer | ArrayBuffer[];

/** The compile configuration, in Keras's snake_case form (TF.js reads it as is). */
export interface TrainingConfig {
  loss: string | string[] | Record<string, unknown>;
  metrics?: unknown[] | Record<string, unknown>;
  /** `{ class_name, config }` (typed loosely, as TF.js does; checked on load). */
  optimizer_config: object;
  weighted_metrics?: unknown;
  sample_weight_mode?: unknown;
  loss_weights?: unknown;
}

/** Everything that describes a saved model, independent of where it is stored. */
export interface ModelArtifacts {
  /**
   * Keras-form topology: `{ class_name, config, keras_version, backend }` (or
   * `{ model_config, training_config }` from the Keras converter). Null for
   * weights-only files. Typed `object` so TF.js's artifacts type-check as they
   * are; anything but a plain JSON object is refused on load.
   */
  modelTopology?: object | null;
  weightSpecs?: WeightSpec[];
  weightData?: WeightData;
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  trainingConfig?: TrainingConfig;
  userDefinedMetadata?: object;
}

/** One group of the weights manifest: its weights are stored across `paths`, in order. */
export interface WeightsManifestGroup {
  paths: string[];
  weights: WeightSpec[];
}

/** The parsed `model.json`. */
export interface ModelJSON {
  modelTopology: Record<string, unknown> | null;
  weightsManifest: WeightsManifestGroup[];
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  trainingConfig?: TrainingConfig;
  userDefinedMetadata?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface ModelArtifactsInfo {
  dateSaved: Date;
  modelTopologyType: 'JSON';
  modelTopologyBytes?: number;
  weightSpecsBytes?: number;
  weightDataBytes?: number;
}

export interface SaveResult {
  modelArtifactsInfo: ModelArtifactsInfo;
  /** HTTP responses, for the http handler. */
  responses?: Response[];
  errors?: unknown[];
}

/** Where a model goes to or comes from. Either method may be absent (downloads can only save). */
export interface IOHandler {
  save?(artifacts: ModelArtifacts): Promise<SaveResult>;
  load?(): Promise<ModelArtifacts>;
}

export interface SaveOptions {
  /**
   * Also save the compile configuration and the optimizer's state (slots and step count), so training can resume.
   * Defaults to false (as TF.js).
   */
  includeOptimizer?: boolean;
}

export interface LoadOptions {
  /** Compile the model from the saved training configuration, if there is one. Defaults to true. */
  compile?: boolean;
  /**
   * Refuse a model with more parameters than this (before allocating anything). Defaults to 2^28 (1 GiB of float32).
   */
  maxParams?: number;
  /** Accept NaN or infinite weight values instead of refusing the file. Defaults to false. */
  allowNonFinite?: boolean;
}
