/**
 * `sn.layers`: every layer class and factory — the core layers (src/layers.ts),
 * the merge layers (src/merge.ts), convolution and pooling (src/conv.ts), depthwise and separable
 * convolutions (src/depthwise.ts). A new
 * family of layers adds its module here (and to src/io/config.ts's imports).
 */
export * from './layers.js';
export * from './merge.js';
export * from './conv.js';
export * from './depthwise.js';
export * from './embedding.js';
export * from './recurrent.js';
export * from './wrappers.js';
export * from './masking.js';
