// What `import * as tf from '@tensorflow/tfjs'` gives a layers program, from the packages the tests have:
// tfjs-core (with its chained ops and gradients, as the umbrella package registers them) and tfjs-layers,
// on the CPU backend.
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops.js';
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import '@tensorflow/tfjs-backend-cpu';
export * from '@tensorflow/tfjs-core';
export * from '@tensorflow/tfjs-layers';
