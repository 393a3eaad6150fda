// MobileNetV2 (Sandler et al. 2018) as keras.applications.MobileNetV2 builds it —
// the same layers, names, padding and order: Conv1 (3×3, stride 2) → BN → ReLU6,
// 17 inverted residual blocks (1×1 expand → BN → ReLU6 → [ZeroPadding2D when the
// stride is 2] → 3×3 depthwise → BN → ReLU6 → 1×1 project → BN → [Add]), Conv_1
// (1×1, 1280) → BN → ReLU6 → GlobalAveragePooling2D → Dense softmax — built with
// the TF.js layers API, its weights drawn from a seeded generator so that every
// process builds the same model: He-uniform kernels, batch normalization with
// moving statistics and affine terms away from the identity.
//
// Used by the benchmark (predict-mobilenet-v2-*) and by test/conv/mobilenet.test.ts.

/** mulberry32: a small seeded generator of floats in [0, 1). */
function generator(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Keras's _make_divisible: v rounded to a multiple of 8, not below 90% of v. */
function makeDivisible(v, divisor = 8) {
  let n = Math.max(divisor, Math.floor((v + divisor / 2) / divisor) * divisor);
  if (n < 0.9 * v) n += divisor;
  return n;
}

/**
 * The TF.js layers model of MobileNetV2 with seeded weights.
 * @param tfl @tensorflow/tfjs-layers; @param tf @tensorflow/tfjs-core (with a backend registered).
 */
export function mobileNetV2(tfl, tf, { alpha = 1.0, size = 224, classes = 1000, seed = 1 } = {}) {
  const L = tfl.layers;
  const bn = (name) => L.batchNormalization({ epsilon: 1e-3, momentum: 0.999, name });
  const relu6 = (name) => L.reLU({ maxValue: 6, name });
  const input = tfl.input({ shape: [size, size, 3], name: 'input_1' });
  let x = L.conv2d({
    filters: makeDivisible(32 * alpha),
    kernelSize: 3,
    strides: 2,
    padding: 'same',
    useBias: false,
    name: 'Conv1',
  }).apply(input);
  x = relu6('Conv1_relu').apply(bn('bn_Conv1').apply(x));
  let side = Math.ceil(size / 2);
  const block = (inputs, filters, stride, expansion, id) => {
    const inChannels = inputs.shape[inputs.shape.length - 1];
    const out = makeDivisible(Math.floor(filters * alpha));
    let prefix = `block_${id}_`;
    let y = inputs;
    if (id) {
      y = L.conv2d({
        filters: expansion * inChannels,
        kernelSize: 1,
        padding: 'same',
        useBias: false,
        name: `${prefix}expand`,
      }).apply(y);
      y = relu6(`${prefix}expand_relu`).apply(bn(`${prefix}expand_BN`).apply(y));
    } else prefix = 'expanded_conv_';
    if (stride === 2) {
      // Keras's correct_pad for a 3×3 window: one more row and column after than before on even sides.
      const adjust = side % 2 === 0 ? 1 : 0;
      y = L.zeroPadding2d({
        padding: [
          [1 - adjust, 1],
          [1 - adjust, 1],
        ],
        name: `${prefix}pad`,
      }).apply(y);
      side = Math.ceil(side / 2);
    }
    y = L.depthwiseConv2d({
      kernelSize: 3,
      strides: stride,
      useBias: false,
      padding: stride === 1 ? 'same' : 'valid',
      name: `${prefix}depthwise`,
    }).apply(y);
    y = relu6(`${prefix}depthwise_relu`).apply(bn(`${prefix}depthwise_BN`).apply(y));
    y = L.conv2d({ filters: out, kernelSize: 1, padding: 'same', useBias: false, name: `${prefix}project` }).apply(y);
    y = bn(`${prefix}project_BN`).apply(y);
    if (inChannels === out && stride === 1) return L.add({ name: `${prefix}add` }).apply([inputs, y]);
    return y;
  };
  const plan = [
    [16, 1, 1, 1],
    [24, 2, 6, 2],
    [32, 3, 6, 2],
    [64, 4, 6, 2],
    [96, 3, 6, 1],
    [160, 3, 6, 2],
    [320, 1, 6, 1],
  ];
  let id = 0;
  for (const [filters, repeats, expansion, stride] of plan) {
    for (let r = 0; r < repeats; r++) x = block(x, filters, r === 0 ? stride : 1, expansion, id++);
  }
  const last = alpha > 1 ? makeDivisible(1280 * alpha) : 1280;
  x = L.conv2d({ filters: last, kernelSize: 1, useBias: false, name: 'Conv_1' }).apply(x);
  x = relu6('out_relu').apply(bn('Conv_1_bn').apply(x));
  x = L.globalAveragePooling2d({ name: 'global_average_pooling2d' }).apply(x);
  const output = L.dense({ units: classes, activation: 'softmax', name: 'predictions' }).apply(x);
  const model = tfl.model({ inputs: input, outputs: output, name: `mobilenetv2_${alpha.toFixed(2)}_${size}` });

  const rand = generator(seed);
  const uniform = (n, lo, hi) => Float32Array.from({ length: n }, () => lo + (hi - lo) * rand());
  model.setWeights(
    model.weights.map((w) => {
      const shape = w.shape,
        n = shape.reduce((a, b) => a * b, 1),
        name = w.name;
      let v;
      if (/moving_variance/.test(name)) v = uniform(n, 0.5, 1.5);
      else if (/gamma/.test(name)) v = uniform(n, 0.5, 1.5);
      else if (/moving_mean|beta|bias/.test(name)) v = uniform(n, -0.1, 0.1);
      else {
        // Kernels: He-uniform over the fan-in (a depthwise kernel's is its window).
        const fanIn = /depthwise_kernel/.test(name) ? shape[0] * shape[1] : n / shape[shape.length - 1];
        const a = Math.sqrt(6 / fanIn);
        v = uniform(n, -a, a);
      }
      return tf.tensor(v, shape);
    }),
  );
  return model;
}

/** A batch of n seeded images in [-1, 1] (MobileNet's input scaling), NHWC, as one Float32Array. */
export function mobileNetInput(n, size = 224, seed = 7) {
  const rand = generator(seed);
  return Float32Array.from({ length: n * size * size * 3 }, () => rand() * 2 - 1);
}
