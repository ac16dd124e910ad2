/**
 * The weighted k-nearest-neighbour monitor of self-supervised training (Wu et
 * al., "Unsupervised Feature Learning via Non-Parametric Instance
 * Discrimination", CVPR 2018; the monitor of MoCo and its successors): each
 * query's k most cosine-similar memory-bank features vote for their class with
 * weight exp(similarity / T); the top-1 is the fraction of queries whose
 * heaviest class is their label.
 */
import * as tf from '../backend/tf';
import { l2Normalize } from '../models';

export const KNN_K = 200;
export const KNN_TEMPERATURE = 0.1;
/** Queries per chunk: keeps the [chunk, k, classes] vote tensor small for 100 classes. */
const CHUNK = 256;

/**
 * bank: [N, d] features with bankLabels [N] (int32, 0..classes-1); query: [M, d] with queryLabels [M].
 * Features need not be normalised. k is capped at N. Returns the top-1 as a scalar in [0, 1].
 * Throws when the bank or the queries are empty.
 */
export function weightedKnnTop1(
  bank: tf.Tensor2D,
  bankLabels: tf.Tensor1D,
  query: tf.Tensor2D,
  queryLabels: tf.Tensor1D,
  classes: number,
  k = KNN_K,
  temperature = KNN_TEMPERATURE,
): tf.Scalar {
  const [n, m] = [bank.shape[0], query.shape[0]];
  if (n === 0 || m === 0) throw new Error(`kNN monitor: needs a non-empty memory bank and queries (got ${n} and ${m})`);
  const kk = Math.min(k, n);
  return tf.tidy(() => {
    const b = l2Normalize(bank);
    const q = l2Normalize(query);
    const labels = tf.cast(bankLabels, 'int32');
    let correct: tf.Tensor = tf.scalar(0);
    for (let start = 0; start < m; start += CHUNK) {
      const size = Math.min(CHUNK, m - start);
      const sim = tf.matMul(q.slice([start, 0], [size, -1]), b, false, true);
      const { values, indices } = tf.topk(sim, kk);
      const votes = tf.sum(tf.mul(tf.oneHot(tf.gather(labels, indices), classes), tf.expandDims(tf.exp(tf.div(values, temperature)), 2)), 1);
      const hits = tf.equal(tf.argMax(votes, 1), tf.cast(queryLabels.slice(start, size), 'int32'));
      correct = tf.add(correct, tf.sum(tf.cast(hits, 'float32')));
    }
    return tf.div(correct, m) as tf.Scalar;
  });
}
