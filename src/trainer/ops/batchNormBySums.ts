/**
 * Batch norm in training mode with a hand-written gradient in which every
 * per-channel statistic is a column sum of the activations as a [rows, C]
 * matrix, computed the way the backend sums fastest: two passes over the
 * activations forward (the sums, the output), two backward (the sums, the
 * input gradient), where the stock reductions over N, H, W transpose the
 * whole activation first (slow on wasm) and give a GPU one workgroup per
 * channel, and autodiff makes a dozen. Same value and gradient as the
 * definition in models.ts (test/unit/models.test.ts, test/integration/webgpu.test.ts).
 *
 * With `across`, the batch is split over data-parallel replicas
 * (parallel/batchNorm.ts): the statistics, and the two sums the input gradient
 * needs, are the whole batch's, so each replica computes what one thread
 * computes for its rows, up to float32 summation order; gamma's and beta's
 * gradients stay this replica's share, summed later with the other weight
 * gradients.
 */
import type { BatchNormTraining } from './active';
import * as tf from '../backend/tf';

/** The per-channel passes a backend provides (x, dy [N, H, W, C] or [rows, C]; per-channel tensors [C]). */
export interface BatchNormKernels {
  /** scale times the sum over rows of a, and of a * b: [C] each. */
  sums(a: tf.Tensor2D, b: tf.Tensor2D, scale: number): [tf.Tensor1D, tf.Tensor1D];
  /** (x - mean) gamma / sqrt(variance + eps) + beta. */
  normalise(x: tf.Tensor4D, mean: tf.Tensor1D, variance: tf.Tensor1D, gamma: tf.Tensor1D, beta: tf.Tensor1D, epsilon: number): tf.Tensor4D;
  /** dy k1 + xhat k2 + k3 with xhat = (x - mean) / sqrt(variance + eps). */
  inputGradient(dy: tf.Tensor4D, x: tf.Tensor4D, mean: tf.Tensor1D, variance: tf.Tensor1D, epsilon: number, k1: tf.Tensor1D, k2: tf.Tensor1D, k3: tf.Tensor1D): tf.Tensor4D;
}

/** Column sums of m [rows, C], times scale: [1, C]. */
export type ColumnSums = (m: tf.Tensor2D, scale?: number) => tf.Tensor2D;

/** The output through the backend's FusedBatchNorm kernel. */
export const normaliseByBatchNorm4d: BatchNormKernels['normalise'] = (x, mean, variance, gamma, beta, epsilon) => tf.batchNorm4d(x, mean, variance, beta, gamma, epsilon);

/** The passes from a backend's column sums and stock element-wise kernels. */
export function kernelsFromColumnSums(columnSums: ColumnSums): BatchNormKernels {
  return {
    sums: (a, b, scale) => {
      const product = a === b ? (tf.square(a) as tf.Tensor2D) : (tf.mul(a, b) as tf.Tensor2D);
      return [tf.reshape(columnSums(a, scale), [-1]), tf.reshape(columnSums(product, scale), [-1])];
    },
    normalise: normaliseByBatchNorm4d,
    inputGradient: (dy, x, mean, variance, epsilon, k1, k2, k3) => tf.add(tf.mul(dy, k1), tf.batchNorm4d(x, mean, variance, k3, k2, epsilon)),
  };
}

/** Sums a tensor over every replica (each replica's rows), in rank order. */
export type AcrossReplicas = <T extends tf.Tensor>(sums: T) => T;

/** Batch norm in training mode computing its statistics with `kernels`, over this thread's rows or, with `across`, every replica's. */
export const batchNormBySums =
  (kernels: BatchNormKernels, across?: AcrossReplicas): BatchNormTraining =>
  (x, gamma, beta, epsilon, onStats) => {
    const channels = x.shape[3];
    const rows = x.size / channels;
    let total = rows;
    /** [a, b] summed over every replica, and the replicas' row count. */
    const overReplicas = (a: tf.Tensor1D, b: tf.Tensor1D, count: number) => {
      const all = across!(tf.concat([a, b, tf.fill([1], count)]));
      total = all.dataSync()[2 * channels];
      return [tf.slice(all, 0, channels), tf.slice(all, channels, channels)] as [tf.Tensor1D, tf.Tensor1D];
    };
    const normalise = tf.customGrad((...args: unknown[]) => {
      const [input, g, b] = args as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D];
      const save = args[3] as (tensors: tf.Tensor[]) => void;
      const flat = tf.reshape(input, [rows, channels]) as tf.Tensor2D;
      let [mean, meanSquare] = kernels.sums(flat, flat, across ? 1 : 1 / rows);
      if (across) {
        // the row count rides along: replicas may hold different numbers of rows
        const [sum, sumSquares] = overReplicas(mean, meanSquare, rows);
        [mean, meanSquare] = [tf.div(sum, total), tf.div(sumSquares, total)];
      }
      const variance = tf.relu(tf.sub(meanSquare, tf.square(mean))) as tf.Tensor1D;
      onStats(mean, variance);
      save([input, mean, variance, g]);
      return {
        value: kernels.normalise(input, mean, variance, g, b, epsilon),
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const [xs, m, v, gain] = saved as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];
          const rstd = tf.rsqrt(tf.add(v, epsilon));
          // sum(dy) and sum(dy * x); sum(dy * xhat) = (sum(dy * x) - mean * sum(dy)) * rstd
          const gradients = ([dBeta, dyx]: [tf.Tensor1D, tf.Tensor1D]) => ({ dBeta, dGamma: tf.mul(tf.sub(dyx, tf.mul(m, dBeta)), rstd) as tf.Tensor1D });
          const local = kernels.sums(tf.reshape(dy, [rows, channels]), tf.reshape(xs, [rows, channels]), 1);
          const mine = gradients(local);
          const all = across ? gradients(overReplicas(...local, rows)) : mine;
          // dx = k1 dy + k2 xhat + k3
          const k1 = tf.mul(gain, rstd) as tf.Tensor1D;
          const k2 = tf.div(tf.mul(tf.neg(k1), all.dGamma), total) as tf.Tensor1D;
          const k3 = tf.div(tf.mul(tf.neg(k1), all.dBeta), total) as tf.Tensor1D;
          return [kernels.inputGradient(dy as tf.Tensor4D, xs, m, v, epsilon, k1, k2, k3), mine.dGamma, mine.dBeta];
        },
      };
    });
    return normalise(x, gamma, beta) as tf.Tensor4D;
  };
