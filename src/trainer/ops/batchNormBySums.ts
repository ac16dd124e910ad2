/**
 * Batch norm in training mode with a hand-written gradient in which every
 * per-channel statistic is a column sum of the activations as a [rows, C]
 * matrix, computed the way the backend sums fastest, and the element-wise work
 * is folded into the fused batch-norm kernel: backward makes four passes over
 * the activations instead of a dozen. The stock reductions over N, H, W
 * transpose the whole activation first (slow on wasm) and give a GPU one
 * workgroup per channel. Same value and gradient as the definition in
 * models.ts (test/unit/models.test.ts, test/integration/webgpu.test.ts).
 */
import type { BatchNormTraining } from './active';
import * as tf from '../backend/tf';

/** Column sums of m [rows, C], times scale: [1, C]. */
export type ColumnSums = (m: tf.Tensor2D, scale?: number) => tf.Tensor2D;

/** Batch norm in training mode computing its statistics with `columnSums`. */
export const batchNormBySums =
  (columnSums: ColumnSums): BatchNormTraining =>
  (x, gamma, beta, epsilon, onStats) => {
    const channels = x.shape[3];
    const rows = x.size / channels;
    const normalise = tf.customGrad((...args: unknown[]) => {
      const [input, g, b] = args as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D];
      const save = args[3] as (tensors: tf.Tensor[]) => void;
      const flat = tf.reshape(input, [rows, channels]) as tf.Tensor2D;
      const mean = tf.reshape(columnSums(flat, 1 / rows), [channels]) as tf.Tensor1D;
      const variance = tf.relu(tf.sub(tf.reshape(columnSums(tf.square(flat) as tf.Tensor2D, 1 / rows), [channels]), tf.square(mean))) as tf.Tensor1D;
      onStats(mean, variance);
      save([input, mean, variance, g]);
      return {
        value: tf.batchNorm4d(input, mean, variance, b, g, epsilon),
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const [xs, m, v, gain] = saved as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];
          const dyFlat = tf.reshape(dy, [rows, channels]) as tf.Tensor2D;
          const dBeta = tf.reshape(columnSums(dyFlat), [channels]);
          const rstd = tf.rsqrt(tf.add(v, epsilon));
          // sum(dy * xhat) = (sum(dy * x) - mean * sum(dy)) * rstd
          const dxx = columnSums(tf.mul(dyFlat, tf.reshape(xs, [rows, channels])) as tf.Tensor2D);
          const dGamma = tf.mul(tf.sub(tf.reshape(dxx, [channels]), tf.mul(m, dBeta)), rstd) as tf.Tensor1D;
          // dx = k1 dy + k2 xhat + k3, and k2 xhat + k3 is one fused batch-norm of x
          const k1 = tf.mul(gain, rstd);
          const k2 = tf.div(tf.mul(tf.neg(k1), dGamma), rows) as tf.Tensor1D;
          const k3 = tf.div(tf.mul(tf.neg(k1), dBeta), rows) as tf.Tensor1D;
          const dx = tf.add(tf.mul(dy, k1), tf.batchNorm4d(xs, m, v, k3, k2, epsilon));
          return [dx, dGamma, dBeta];
        },
      };
    });
    return normalise(x, gamma, beta) as tf.Tensor4D;
  };
