/**
 * Collapse indicators of normalised embeddings: the per-dimension standard
 * deviation (a dimension whose std falls to ~0 carries nothing; Jing et al.,
 * "Understanding Dimensional Collapse in Contrastive Self-supervised Learning",
 * ICLR 2022) and the effective rank (Roy and Vetterli, "The effective rank: a
 * measure of effective dimensionality", EUSIPCO 2007), applied to the second-
 * moment matrix as RankMe does for embeddings (Garrido et al., ICML 2023).
 */
import * as tf from '../backend/tf';
import { l2Normalize } from '../models';
import { symmetricEigen } from './eigen';

/** A dimension whose std is below this counts as collapsed. */
export const STD_FLOOR = 1e-3;

/**
 * Per-dimension (population) std of the L2-normalised rows of z [n, d]: its mean over dimensions,
 * and the fraction of dimensions below STD_FLOOR. Evenly spread unit vectors give about 1/sqrt(d).
 */
export function dimensionStd(z: tf.Tensor2D): { mean: tf.Scalar; collapsed: tf.Scalar } {
  return tf.tidy(() => {
    const std = tf.sqrt(tf.moments(l2Normalize(z), 0).variance);
    return { mean: tf.mean(std) as tf.Scalar, collapsed: tf.mean(tf.cast(tf.less(std, STD_FLOOR), 'float32')) as tf.Scalar };
  });
}

/**
 * Second-moment matrix (1/n) sum u_i u_i^T of the L2-normalised rows u_i of z [n, d]: [d, d].
 * Its trace is 1, so its eigenvalues form a distribution over directions.
 */
export function secondMoment(z: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const u = l2Normalize(z);
    return tf.div(tf.matMul(u, u, true, false), z.shape[0]) as tf.Tensor2D;
  });
}

/**
 * Effective rank exp(H(p)) of a symmetric positive semi-definite matrix (row-major d x d), where
 * p = eigenvalues / their sum (negative round-off clipped to 0). 1 when one direction holds
 * everything (collapse), d when all are equal. Throws for a zero matrix.
 */
export function effectiveRank(matrix: ArrayLike<number>): number {
  const values = symmetricEigen(matrix).values.map((v) => Math.max(v, 0));
  const total = values.reduce((a, b) => a + b, 0);
  if (!(total > 0)) throw new Error('effective rank: the matrix is zero');
  let entropy = 0;
  for (const v of values) if (v > 0) entropy -= (v / total) * Math.log(v / total);
  return Math.exp(entropy);
}

export interface CollapseReading {
  effectiveRank: number;
  stdMean: number;
}

/** The warning text when the representation has collapsed, else undefined. minRank: the effective-rank floor. */
export function collapseWarning(r: CollapseReading, minRank: number): string | undefined {
  const reasons: string[] = [];
  if (r.effectiveRank < minRank) reasons.push(`effective rank ${r.effectiveRank.toFixed(2)} < ${minRank}`);
  if (r.stdMean < STD_FLOOR) reasons.push(`mean per-dimension std ${r.stdMean.toExponential(2)} < ${STD_FLOOR}`);
  if (!reasons.length) return undefined;
  return `the embeddings are collapsing (${reasons.join('; ')}): they occupy too few directions to separate the classes. Try a lower learning rate, a higher temperature or more views.`;
}
