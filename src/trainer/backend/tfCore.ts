/**
 * What the bundles use in place of tf.ts: tfjs-core's ES modules with its
 * gradients, chained tensor methods and the plain cpu backend. Bundled from
 * ES modules throughout (mainFields), one tfjs-core instance serves every
 * backend.
 */
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';
import '@tensorflow/tfjs-backend-cpu';

export * from '@tensorflow/tfjs-core';
