/**
 * Batch norm in training mode when the batch is split over replicas (data-
 * parallel training on the wasm backend): the statistics, and the two sums the
 * input gradient needs, are those of the whole batch, exchanged through the
 * replica group, so each replica computes what the single-thread step
 * computes for its rows, up to float32 summation order. gamma's and beta's
 * gradients stay this replica's share; the step sums them with the other
 * weight gradients. Same contract as the ops layer's BatchNormTraining.
 */
import type { BatchNormTraining } from '../ops/active';
import { columnSumsWasm as columnSums } from '../ops/wasm/memoryKernels';
import * as tf from '../backend/tf';
import { replicaSum, type ReplicaGroup } from './replicas';

export function batchNormAcrossReplicas(group: ReplicaGroup): BatchNormTraining {
  return (x, gamma, beta, epsilon, onStats) => {
    const channels = x.shape[3];
    const rows = x.size / channels;
    let total = rows;
    const normalise = tf.customGrad((...args: unknown[]) => {
      const [input, g, b] = args as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D];
      const save = args[3] as (tensors: tf.Tensor[]) => void;
      const flat = tf.reshape(input, [rows, channels]) as tf.Tensor2D;
      // the row count rides along: replicas may hold different numbers of rows
      const sums = replicaSum(group, tf.concat([columnSums(flat), columnSums(tf.square(flat) as tf.Tensor2D), tf.fill([1, 1], rows)], 1));
      total = sums.dataSync()[2 * channels];
      const mean = tf.div(tf.reshape(tf.slice(sums, [0, 0], [1, channels]), [channels]), total) as tf.Tensor1D;
      const variance = tf.relu(tf.sub(tf.div(tf.reshape(tf.slice(sums, [0, channels], [1, channels]), [channels]), total), tf.square(mean))) as tf.Tensor1D;
      onStats(mean, variance);
      save([input, mean, variance, g]);
      return {
        value: tf.batchNorm4d(input, mean, variance, b, g, epsilon),
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const [xs, m, v, gain] = saved as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];
          const dyFlat = tf.reshape(dy, [rows, channels]) as tf.Tensor2D;
          const local = tf.concat([columnSums(dyFlat), columnSums(tf.mul(dyFlat, tf.reshape(xs, [rows, channels])) as tf.Tensor2D)], 1) as tf.Tensor2D;
          const rstd = tf.rsqrt(tf.add(v, epsilon));
          // sum(dy * xhat) = (sum(dy * x) - mean * sum(dy)) * rstd, over this replica's rows or all
          const gradients = (s: tf.Tensor2D) => {
            const dBeta = tf.reshape(tf.slice(s, [0, 0], [1, channels]), [channels]) as tf.Tensor1D;
            const dxx = tf.reshape(tf.slice(s, [0, channels], [1, channels]), [channels]);
            return { dBeta, dGamma: tf.mul(tf.sub(dxx, tf.mul(m, dBeta)), rstd) as tf.Tensor1D };
          };
          const mine = gradients(local);
          const all = gradients(replicaSum(group, local));
          // dx = k1 dy + k2 xhat + k3, and k2 xhat + k3 is one fused batch-norm of x
          const k1 = tf.mul(gain, rstd);
          const k2 = tf.div(tf.mul(tf.neg(k1), all.dGamma), total) as tf.Tensor1D;
          const k3 = tf.div(tf.mul(tf.neg(k1), all.dBeta), total) as tf.Tensor1D;
          const dx = tf.add(tf.mul(dy, k1), tf.batchNorm4d(xs, m, v, k3, k2, epsilon));
          return [dx, mine.dGamma, mine.dBeta];
        },
      };
    });
    return normalise(x, gamma, beta) as tf.Tensor4D;
  };
}
