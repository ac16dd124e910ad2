/**
 * Alignment and uniformity of normalised embeddings (Wang and Isola,
 * "Understanding Contrastive Representation Learning through Alignment and
 * Uniformity on the Hypersphere", ICML 2020), with alpha = 2 and t = 2.
 * Rows are L2-normalised first, so a squared distance is 2 - 2 cos.
 */
import * as tf from '../backend/tf';
import { l2Normalize } from '../models';

/** Squared distances between all rows of normalised z: [n, n]. */
function squaredDistances(z: tf.Tensor2D): tf.Tensor2D {
  const u = l2Normalize(z);
  return tf.relu(tf.sub(2, tf.mul(2, tf.matMul(u, u, false, true)))) as tf.Tensor2D;
}

/** Alignment: mean ||u_i - v_i||^2 over row pairs of u, v [n, d] (two views of each image). 0 is perfect; 4 is opposite. */
export function alignment(u: tf.Tensor2D, v: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.sum(tf.square(tf.sub(l2Normalize(u), l2Normalize(v))), 1)) as tf.Scalar);
}

/**
 * Alignment of same-class pairs: mean ||z_i - z_j||^2 over i != j with labels[i] == labels[j].
 * z: [n, d], labels: [n] int32. NaN when no two rows share a class.
 */
export function classAlignment(z: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const n = z.shape[0];
    const l = tf.cast(labels, 'int32');
    const same = tf.logicalAnd(tf.equal(tf.expandDims(l, 1), tf.expandDims(l, 0)), tf.logicalNot(tf.cast(tf.eye(n), 'bool')));
    const mask = tf.cast(same, 'float32');
    return tf.div(tf.sum(tf.mul(squaredDistances(z), mask)), tf.sum(mask)) as tf.Scalar;
  });
}

/**
 * Uniformity: log of the mean over distinct pairs (i != j) of exp(-2 ||z_i - z_j||^2), z: [n, d], n >= 2.
 * 0 when every embedding is the same (collapse); -4 is the floor (all pairs antipodal), near -4 when
 * spread evenly over a high-dimensional sphere. Throws for n < 2.
 */
export function uniformity(z: tf.Tensor2D): tf.Scalar {
  const n = z.shape[0];
  if (n < 2) throw new Error(`uniformity: needs at least 2 embeddings, got ${n}`);
  return tf.tidy(() => {
    const offDiagonal = tf.where(tf.cast(tf.eye(n), 'bool'), tf.fill([n, n], -Infinity), tf.mul(-2, squaredDistances(z)));
    return tf.sub(tf.logSumExp(offDiagonal), Math.log(n * (n - 1))) as tf.Scalar;
  });
}
