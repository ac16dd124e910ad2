/**
 * Losses: the supervised contrastive loss (Khosla et al., NeurIPS 2020), with
 * SimCLR's NT-Xent as its label-free case, and cross-entropy.
 *
 * Written as the definition reads, with the conventions of the reference
 * implementation (HobbitLong/SupContrast, losses.py): contrast rows are
 * view-major (every sample's view 0, then view 1, ...); an anchor is left out
 * of its own numerator and denominator; its positives are all other rows with
 * its label, its own other views included; each anchor's loss is scaled by
 * T / baseT; an anchor with no positive contributes 0 but still counts in the
 * mean. One difference: the reference adds 1e-9 inside its log, which moves
 * its value away from the definition at small temperatures; here the
 * log-sum-exp over the other rows is exact.
 *
 * A backend may run a faster formulation with the same value and gradient
 * (ops/); the gradient here is automatic differentiation.
 */
import { DEFAULT_BASE_TEMPERATURE, DEFAULT_TEMPERATURE } from '../protocol/config';
import * as tf from './backend/tf';
import { fastOps } from './ops/active';

export interface SupConOptions {
  /** T > 0: logits are cosine similarities / T. */
  temperature: number;
  /** Each anchor's loss is scaled by temperature / baseTemperature. */
  baseTemperature: number;
  /** out: L_out (the paper's Eq. 2); in: L_in (Eq. 3). */
  variant: 'out' | 'in';
  /** all: every view is an anchor; one: only view 0 is. */
  contrastMode: 'all' | 'one';
}

export const supConDefaults: Readonly<SupConOptions> = { temperature: DEFAULT_TEMPERATURE, baseTemperature: DEFAULT_BASE_TEMPERATURE, variant: 'out', contrastMode: 'all' };

export interface SupConStats {
  loss: tf.Scalar;
  /** Mean cosine similarity over positive (anchor, contrast) pairs; NaN when there are none. */
  posSim: tf.Scalar;
  /** Mean cosine similarity over negative pairs; NaN when there are none. */
  negSim: tf.Scalar;
}

/** Added to an anchor's logit against itself: its softmax weight is then exactly 0. */
export const SELF_LOGIT = -1e9;

/**
 * The loss value at total collapse (every embedding equal): each anchor sees
 * views * n - 1 equally likely rows, whatever the labels, mode or variant.
 */
export function collapseLoss(n: number, views: number, temperature: number, baseTemperature: number): number {
  return (temperature / baseTemperature) * Math.log(views * n - 1);
}

/**
 * Supervised contrastive loss of L2-normalised features [bsz, views, dim]
 * (labels [bsz] integers; null gives SimCLR: the positives are a sample's
 * other views). A scalar, differentiable in the features.
 */
export function supConLoss(features: tf.Tensor3D, labels: tf.Tensor1D | null, options?: Partial<SupConOptions>): tf.Scalar {
  return tf.tidy(() => supConLossWithStats(features, labels, options).loss);
}

/**
 * The loss and the mean positive / negative cosine similarities, from one
 * similarity matrix. Differentiate the loss only.
 */
export function supConLossWithStats(features: tf.Tensor3D, labels: tf.Tensor1D | null, options?: Partial<SupConOptions>): SupConStats {
  const o = { ...supConDefaults, ...options };
  return (fastOps().supConLoss ?? supConByDefinition)(features, labels, o);
}

/**
 * Eq. 2 (L_out) and Eq. 3 (L_in) of Khosla et al. For anchor i with positives
 * P(i) among the other rows A(i):
 *   log p_ij = z_i . z_j / T - log sum_{a in A(i)} exp(z_i . z_a / T)
 *   L_out_i = -1/|P(i)| sum_{p in P(i)} log p_ip
 *   L_in_i  = -log( 1/|P(i)| sum_{p in P(i)} p_ip )
 * loss = (T / baseT) mean_i L_i.
 */
export function supConByDefinition(features: tf.Tensor3D, labels: tf.Tensor1D | null, o: SupConOptions): SupConStats {
  return tf.tidy(() => {
    const [bsz, views] = features.shape;
    const anchorViews = o.contrastMode === 'all' ? views : 1;
    const rows = contrastRows(features);
    const anchors = anchorViews === views ? rows : rows.slice(0, bsz);
    const sim = tf.matMul(anchors, rows, false, true) as tf.Tensor2D;
    const self = tf.oneHot(tf.range(0, anchors.shape[0], 1, 'int32'), rows.shape[0]).toFloat() as tf.Tensor2D;
    const keys = sampleKeys(labels, bsz);
    const positive = sameKey(repeat(keys, anchorViews), repeat(keys, views)).sub(self) as tf.Tensor2D;

    const logits = sim.div(o.temperature);
    const lseOthers = tf.logSumExp(logits.add(self.mul(SELF_LOGIT)), 1);
    const count = positive.sum(1);
    const hasPositive = tf.minimum(count, 1);
    const countOr1 = tf.maximum(count, 1);
    // L_in in log space: lse over positives - lse over others - log |P|, so a
    // positive's probability may underflow float32 without the log seeing 0.
    // An anchor without positives is masked to 0 in both variants.
    const perAnchor =
      o.variant === 'out'
        ? hasPositive.mul(lseOthers).sub(positive.mul(logits).sum(1).div(countOr1))
        : hasPositive.mul(lseOthers.sub(tf.logSumExp(logits.add(tf.sub(1, positive).mul(SELF_LOGIT)), 1)).add(countOr1.log()));
    const loss = perAnchor.mean().mul(o.temperature / o.baseTemperature) as tf.Scalar;
    return { loss, ...similarityMeans(sim, positive, self) };
  });
}

/** Mean cosine similarity of positive pairs and of negative pairs, over every view as anchor. */
export function pairSimilarities(features: tf.Tensor3D, labels: tf.Tensor1D | null): { posSim: tf.Scalar; negSim: tf.Scalar } {
  return tf.tidy(() => {
    const [bsz, views] = features.shape;
    const rows = contrastRows(features);
    const sim = tf.matMul(rows, rows, false, true) as tf.Tensor2D;
    const self = tf.eye(rows.shape[0]) as tf.Tensor2D;
    const keys = repeat(sampleKeys(labels, bsz), views);
    return similarityMeans(sim, sameKey(keys).sub(self) as tf.Tensor2D, self);
  });
}

/** Means of sim over the positive mask and over the rest, leaving out each anchor's own entry. */
function similarityMeans(sim: tf.Tensor2D, positive: tf.Tensor2D, self: tf.Tensor2D): { posSim: tf.Scalar; negSim: tf.Scalar } {
  const negative = tf.sub(1, positive).sub(self);
  return {
    posSim: sim.mul(positive).sum().div(positive.sum()) as tf.Scalar,
    negSim: sim.mul(negative).sum().div(negative.sum()) as tf.Scalar,
  };
}

/** Mean softmax cross-entropy of logits [n, classes] against integer labels [n]. */
export function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const target = tf.oneHot(labels.toInt(), logits.shape[1]).toFloat(); // int32 first: the wasm OneHot ignores a float dtype
    return tf.neg(tf.mean(tf.sum(tf.mul(target, tf.logSoftmax(logits)), 1))) as tf.Scalar;
  });
}

/** Rows of all views, view-major: features [bsz, views, dim] -> [views * bsz, dim]. */
export function contrastRows(features: tf.Tensor3D): tf.Tensor2D {
  const [bsz, views, dim] = features.shape;
  return features.transpose([1, 0, 2]).reshape([views * bsz, dim]);
}

/** Float keys [bsz] whose equality defines positives: the labels, or each sample's index (SimCLR). */
export function sampleKeys(labels: tf.Tensor1D | null, bsz: number): tf.Tensor1D {
  return labels ? labels.toFloat() : tf.range(0, bsz);
}

/** 1 where two keys are equal, else 0: [rows, cols]. */
function sameKey(rowKeys: tf.Tensor1D, colKeys: tf.Tensor1D = rowKeys): tf.Tensor2D {
  return tf.equal(rowKeys.reshape([-1, 1]), colKeys.reshape([1, -1])).toFloat() as tf.Tensor2D;
}

/** `times` copies of x stacked along axis 0. */
export function repeat<T extends tf.Tensor>(x: T, times: number): T {
  return times === 1 ? x : (tf.concat(Array<T>(times).fill(x), 0) as T);
}
