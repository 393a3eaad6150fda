/**
 * The layer registry: loading finds a layer class's reader by its class name
 * (src/io/cfg.ts registerLayer, called by each class in src/layers.ts), so a
 * new layer is loadable by registering it, with no switch to edit; the refusal
 * of an unknown class lists what is registered.
 */
import { describe, expect, it } from 'vitest';
import * as sn from '../../src/index.js';
import { layerClassLabels, layerReader, registerLayer } from '../../src/io/cfg.js';
import { io } from './helpers.js';

const topology = (className: string) => ({
  class_name: 'Sequential',
  config: {
    name: 'r',
    layers: [
      { class_name: 'Dense', config: { name: 'd1', units: 3, activation: 'relu', batch_input_shape: [null, 2] } },
      { class_name: className, config: { name: 'd2', units: 1 } },
    ],
  },
});
const artifacts = (className: string) => ({
  modelTopology: topology(className),
  format: 'layers-model',
  generatedBy: 'test',
});

describe('layer registry', () => {
  it('every built-in class is registered, in the order the refusal lists them', () => {
    for (const c of [
      'InputLayer',
      'Dense',
      'Dropout',
      'BatchNormalization',
      'Flatten',
      'Activation',
      'LeakyReLU',
      'ELU',
      'ReLU',
      'Softmax',
    ]) {
      expect(layerReader(c), c).toBeTypeOf('function');
    }
    expect(layerClassLabels()[0]).toBe('InputLayer');
    expect(layerClassLabels()).toContain('ReLU (threshold 0)');
  });

  it('a class registered under a new name loads from a file; before, it is refused with the registered list', async () => {
    await expect(sn.loadModel(io.fromMemory(artifacts('MyDense')))).rejects.toThrow(
      /layer class 'MyDense' is not supported by simdnet\. Supported: InputLayer, Dense, .*Softmax \(last axis\), Reshape, Permute, RepeatVector, Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate, Conv2D, MaxPooling2D, AveragePooling2D, MaxPool2D, AvgPool2D, GlobalAveragePooling2D, GlobalMaxPooling2D, ZeroPadding2D, Cropping2D, UpSampling2D, Conv1D, MaxPooling1D, AveragePooling1D, GlobalAveragePooling1D, GlobalMaxPooling1D, SpatialDropout2D, SpatialDropout1D, Conv2DTranspose, Convolution2D, Convolution1D, Convolution2DTranspose, MaxPool1D, AvgPool1D, GlobalAvgPool2D, GlobalMaxPool2D, GlobalAvgPool1D, GlobalMaxPool1D, DepthwiseConv2D, SeparableConv2D, SeparableConvolution2D, Embedding, LSTM, GRU, SimpleRNN, Bidirectional, TimeDistributed, Masking\./,
    );
    registerLayer(
      'MyDense',
      ({ c, base, activation }) =>
        new sn.layers.Dense({ ...base, units: c.int('units', undefined, 1, 100), activation: activation() }),
      'MyDense (test)',
    );
    const m = await sn.loadModel(io.fromMemory(artifacts('MyDense')));
    expect(m.layers.map((l) => l.className)).toEqual(['Dense', 'Dense']);
    expect(m.predict([[0.5, -1]]).shape).toEqual([1, 1]);
    expect(layerClassLabels().at(-1)).toBe('MyDense (test)');
    // The shared fields are read for the class: a bad name is refused with its path.
    const bad = artifacts('MyDense');
    (bad.modelTopology.config.layers[1]!.config as Record<string, unknown>).name = '';
    await expect(sn.loadModel(io.fromMemory(bad))).rejects.toThrow(
      /layers\[1\]\.config\.name: expected a non-empty string/,
    );
  });
});
