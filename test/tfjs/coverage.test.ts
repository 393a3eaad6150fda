/**
 * simdnet/tfjs has every name TF.js 4.22's tfjs-core and tfjs-layers export, at the top level and in each
 * user-facing namespace (issue 18): implemented, or a function that throws a NotSupportedError naming it —
 * never `undefined is not a function`.
 */
import { createRequire } from 'node:module';
import { beforeAll, describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const core = require('@tensorflow/tfjs-core') as Record<string, unknown>;
const layers = require('@tensorflow/tfjs-layers') as Record<string, unknown>;
const theirs: Record<string, unknown> = { ...core, ...layers };

let ours: Record<string, unknown>;
beforeAll(async () => {
  ours = (await import('../../src/tfjs/index.js')) as Record<string, unknown>;
});

/** TF.js's namespaces a program reaches into (the rest are backend internals). */
const NAMESPACES = [
  'layers',
  'losses',
  'metrics',
  'callbacks',
  'io',
  'util',
  'browser',
  'image',
  'math',
  'initializers',
  'regularizers',
  'constraints',
  'train',
  'linalg',
  'signal',
  'spectral',
  'sparse',
  'string',
  'serialization',
  'models',
];
const members = (v: unknown): string[] =>
  typeof v === 'function'
    ? Object.getOwnPropertyNames(v).filter((k) => !['length', 'name', 'prototype', 'caller', 'arguments'].includes(k))
    : Object.keys(v as object);

const isStub = (v: unknown) => typeof v === 'function' && (v as { notSupported?: boolean }).notSupported === true;

describe('simdnet/tfjs covers TF.js names', () => {
  it('every top-level name', () => {
    const missing = Object.keys(theirs).filter((k) => !(k in ours));
    expect(missing).toEqual([]);
  });
  for (const ns of NAMESPACES) {
    it(`every member of tf.${ns}`, () => {
      const want = members(theirs[ns]);
      expect(want.length).toBeGreaterThan(0);
      const have = ours[ns] as Record<string, unknown>;
      expect(have, ns).toBeTypeOf('object');
      expect(want.filter((k) => !(k in have))).toEqual([]);
    });
  }
  it('an unsupported name throws a NotSupportedError naming it, called or constructed', () => {
    const conv3d = ours.conv3d as () => unknown;
    expect(isStub(conv3d)).toBe(true);
    expect(() => conv3d()).toThrow(/tf\.conv3d is not supported by simdnet\/tfjs/);
    try {
      conv3d();
    } catch (e) {
      expect((e as Error).name).toBe('NotSupportedError');
    }
    const resize = (ours.image as Record<string, () => unknown>).resizeBilinear!;
    expect(() => resize()).toThrow(/tf\.image\.resizeBilinear is not supported/);
    const Variable = ours.Variable as new () => unknown;
    expect(() => new Variable()).toThrow(/Variable is not supported/);
    expect(() => (ours.variable as () => unknown)()).toThrow(/automatic differentiation/);
    expect(() => (ours.layers as Record<string, () => unknown>).conv3d!()).toThrow(/layers\.conv3d is not supported/);
  });
  it('kernel-name constants are the same strings as in TF.js', () => {
    for (const k of Object.keys(theirs)) if (typeof theirs[k] === 'string') expect(ours[k], k).toBe(theirs[k]);
  });
  it("what the README's table lists is implemented, not a stub", () => {
    const implemented = [
      'tensor',
      'tensor1d',
      'tensor2d',
      'tensor3d',
      'tensor4d',
      'scalar',
      'zeros',
      'ones',
      'fill',
      'zerosLike',
      'onesLike',
      'randomNormal',
      'randomUniform',
      'truncatedNormal',
      'range',
      'linspace',
      'oneHot',
      'stack',
      'concat',
      'split',
      'cast',
      'add',
      'sub',
      'mul',
      'div',
      'matMul',
      'sum',
      'mean',
      'max',
      'min',
      'argMax',
      'argMin',
      'reshape',
      'transpose',
      'expandDims',
      'squeeze',
      'slice',
      'gather',
      'square',
      'sqrt',
      'pow',
      'exp',
      'log',
      'abs',
      'neg',
      'relu',
      'sigmoid',
      'tanh',
      'softmax',
      'clipByValue',
      'equal',
      'greater',
      'less',
      'where',
      'print',
      'clone',
      'tidy',
      'keep',
      'dispose',
      'memory',
      'sequential',
      'model',
      'input',
      'loadLayersModel',
      'setBackend',
      'getBackend',
      'ready',
      'moments',
    ];
    for (const k of implemented) {
      expect(ours[k], k).toBeTypeOf('function');
      expect(isStub(ours[k]), k).toBe(false);
    }
    for (const k of ['sgd', 'momentum', 'adagrad', 'adadelta', 'adam', 'adamax', 'rmsprop'])
      expect(isStub((ours.train as Record<string, unknown>)[k]), `train.${k}`).toBe(false);
  });
});
