/**
 * `sn.layers`: every layer class and factory — the core layers (src/layers.ts)
 * and the merge layers (src/merge.ts). A new family of layers adds its module here.
 */
export * from './layers.js';
export * from './merge.js';
