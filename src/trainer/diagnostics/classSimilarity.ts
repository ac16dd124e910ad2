/**
 * Class-wise cosine similarity of embeddings: how close each class sits to
 * itself and to every other class, the picture behind SupCon's pull-together
 * and push-apart (Khosla et al., NeurIPS 2020).
 */
import * as tf from '../backend/tf';
import { l2Normalize } from '../models';

/**
 * z: [n, d], labels: [n] int32 in 0..classes-1. Returns [classes, classes]: entry (a, b) is the mean
 * cosine similarity of z_i and z_j over i in class a, j in class b, i != j. NaN where a class has no
 * rows (or, on the diagonal, a single row).
 */
export function classSimilarity(z: tf.Tensor2D, labels: tf.Tensor1D, classes: number): tf.Tensor2D {
  return tf.tidy(() => {
    const u = l2Normalize(z);
    const y = tf.oneHot(tf.cast(labels, 'int32'), classes).toFloat() as tf.Tensor2D;
    // sums over all (i, j) pairs without the n x n Gram matrix: (Y^T U)(Y^T U)^T
    const classSums = tf.matMul(y, u, true, false);
    const selfSims = tf.matMul(y, tf.expandDims(tf.sum(tf.square(u), 1), 1), true, false);
    const counts = tf.sum(y, 0) as tf.Tensor1D;
    const sums = tf.sub(tf.matMul(classSums, classSums, false, true), tf.diag(tf.squeeze(selfSims, [1])));
    const pairs = tf.sub(tf.outerProduct(counts, counts), tf.diag(counts));
    return tf.where(tf.greater(pairs, 0), tf.div(sums, tf.maximum(pairs, 1)), tf.fill(pairs.shape, NaN)) as tf.Tensor2D;
  });
}
