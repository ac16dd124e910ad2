/**
 * Tensor-level collectives of the data-parallel step (synchronous: they read
 * tensors with dataSync, so a CPU backend). With them each replica runs
 * forward and backward on its slice of the batch while the maths stays that of
 * the whole batch: batch norm normalises with the statistics of every slice,
 * the loss sees every embedding, and the weight gradients are summed.
 */
import * as tf from '../backend/tf';
import type { ReplicaGroup } from './collective';

export type { ReplicaGroup };

/** Sum over replicas of a per-replica tensor (any shape); no gradient. */
export function replicaSum<T extends tf.Tensor>(group: ReplicaGroup, t: T): T {
  return tf.tensor(group.sum(t.dataSync() as Float32Array), t.shape) as T;
}

/**
 * Rows of every replica's [rows_r, d] matrix stacked in rank order: the whole
 * batch's [sum rows_r, d]. Its gradient is this replica's rows of the upstream
 * gradient, which every replica computes identically from the same loss.
 */
export function gatherRows(group: ReplicaGroup, x: tf.Tensor2D): tf.Tensor2D {
  const gather = tf.customGrad((...args: unknown[]) => {
    const local = args[0] as tf.Tensor2D;
    const [rows, d] = local.shape;
    const all = group.gather(local.dataSync() as Float32Array);
    return {
      value: tf.tensor2d(all.values, [all.values.length / d, d]),
      gradFunc: (dy: tf.Tensor) => tf.slice(dy, [all.offset / d, 0], [rows, d]),
    };
  });
  return gather(x) as tf.Tensor2D;
}

/** The gradients of every replica summed, tensor by tensor, in one exchange. */
export function sumGradients(group: ReplicaGroup, grads: tf.Tensor[]): tf.Tensor[] {
  const flat = new Float32Array(grads.reduce((n, g) => n + g.size, 0));
  let at = 0;
  for (const g of grads) {
    flat.set(g.dataSync() as Float32Array, at);
    at += g.size;
  }
  const summed = group.sum(flat);
  at = 0;
  return grads.map((g) => {
    const t = tf.tensor(summed.subarray(at, at + g.size), g.shape);
    at += g.size;
    return t;
  });
}
