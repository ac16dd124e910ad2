/**
 * Losses: the supervised contrastive loss (Khosla et al. 2020) as the
 * reference implementation computes it (HobbitLong/SupContrast, losses.py),
 * SimCLR's NT-Xent as its label-free case, and cross-entropy.
 *
 * Conventions of the reference: contrast rows are view-major (every sample's
 * view 0, then view 1, ...); an anchor is left out of its own numerator and
 * denominator; its positives are all other rows with its label, its own other
 * views included; each anchor's loss is scaled by T / baseT; an anchor with no
 * positive contributes 0 but still counts in the mean.
 *
 * The supervised contrastive loss has a hand-written gradient. Automatic
 * differentiation would transpose the [rows x rows] logits and multiply by
 * transposed operands, which wasm runs outside XNNPACK (10-40x slower); here
 * forward and backward are one large matrix product each plus a few
 * elementwise passes, and the label structure enters only through a
 * [bsz x bsz] matrix.
 */
import * as tf from '@tensorflow/tfjs';

export interface SupConOptions {
  temperature: number;
  /** Each anchor's loss is scaled by temperature / baseTemperature. */
  baseTemperature: number;
  /** out: L_out (the paper's Eq. 2); in: L_in (Eq. 3). */
  variant: 'out' | 'in';
  /** all: every view is an anchor; one: only view 0 is. */
  contrastMode: 'all' | 'one';
}

export const supConDefaults: Readonly<SupConOptions> = { temperature: 0.1, baseTemperature: 0.07, variant: 'out', contrastMode: 'all' };

export interface SupConStats {
  loss: tf.Scalar;
  /** Mean cosine similarity over positive (anchor, contrast) pairs; NaN when there are none. */
  posSim: tf.Scalar;
  /** Mean cosine similarity over negative pairs; NaN when there are none. */
  negSim: tf.Scalar;
}

/** Added to an anchor's logit against itself: its softmax weight is then exactly 0. An integer (see its one-hot). */
const SELF_LOGIT = -1e9;

/**
 * The loss value at total collapse (every embedding equal): each anchor sees
 * views * n - 1 equally likely rows, whatever the labels, mode or variant.
 */
export function collapseLoss(n: number, views: number, temperature: number, baseTemperature: number): number {
  return (temperature / baseTemperature) * Math.log(views * n - 1);
}

/**
 * Supervised contrastive loss of L2-normalised features [bsz, views, dim];
 * labels null gives SimCLR (the positives are a sample's other views).
 */
export function supConLoss(features: tf.Tensor3D, labels: tf.Tensor1D | null, options?: Partial<SupConOptions>): tf.Scalar {
  return tf.tidy(() => supConTerms(features, labels, { ...supConDefaults, ...options }).slice(0, 1).reshape([]) as tf.Scalar);
}

/**
 * The loss and the mean positive / negative cosine similarities, all from one
 * similarity matrix. The similarities carry no gradient.
 */
export function supConLossWithStats(features: tf.Tensor3D, labels: tf.Tensor1D | null, options?: Partial<SupConOptions>): SupConStats {
  return tf.tidy(() => {
    const [loss, posSim, negSim] = tf.unstack(supConTerms(features, labels, { ...supConDefaults, ...options })) as tf.Scalar[];
    return { loss, posSim, negSim };
  });
}

/** Mean cosine similarity of positive pairs and of negative pairs, over every view as anchor. */
export function pairSimilarities(features: tf.Tensor3D, labels: tf.Tensor1D | null): { posSim: tf.Scalar; negSim: tf.Scalar } {
  return tf.tidy(() => {
    const [bsz, views] = features.shape;
    const rows = contrastRows(features);
    const same = sameKey(sampleKeys(labels, bsz));
    const positives = positiveCounts(same, views, views);
    const [posSim, negSim] = meanSimilarities(rows, rows, positiveSums(same, rows, views, views), positives);
    return { posSim, negSim };
  });
}

/** Mean softmax cross-entropy of logits [n, classes] against integer labels [n]. */
export function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const target = tf.oneHot(labels.toInt(), logits.shape[1]).toFloat(); // int32 first: see supConTerms
    return tf.neg(tf.mean(tf.sum(tf.mul(target, tf.logSoftmax(logits)), 1))) as tf.Scalar;
  });
}

/** [loss, posSim, negSim]; the gradient flows from the loss only. */
function supConTerms(features: tf.Tensor3D, labels: tf.Tensor1D | null, o: SupConOptions): tf.Tensor1D {
  const [bsz, views, dim] = features.shape;
  const anchorViews = o.contrastMode === 'all' ? views : 1;
  const n = views * bsz;
  const a = anchorViews * bsz;
  const t = o.temperature;
  const scale = o.temperature / o.baseTemperature;
  const symmetric = anchorViews === views;

  const loss = tf.customGrad((x, save) => {
    const rows = contrastRows(x as tf.Tensor3D);
    const anchors = symmetric ? rows : rows.slice(0, a);
    // Explicit transpose: a transposed matMul operand is 20x slower on wasm.
    const z = tf.matMul(anchors.mul(1 / t), rows.transpose());
    // Built as int32 and cast: the wasm OneHot kernel ignores a float32 dtype.
    const zm = z.add(tf.oneHot(tf.range(0, a, 1, 'int32'), n, SELF_LOGIT, 0).toFloat());
    const p = tf.softmax(zm) as tf.Tensor2D;
    // log sum_j exp(zm_ij), read where the row peaks: there log p = zm - lse.
    const lse = zm.max(1).sub(p.max(1).log()) as tf.Tensor1D;

    const keys = sampleKeys(labels, bsz);
    const same = sameKey(keys);
    const positivesRows = positiveCounts(same, views, views);
    const positives = positivesRows.slice(0, a);
    const hasPositive = tf.minimum(positives, 1);
    const positivesOr1 = tf.maximum(positivesRows, 1);
    const posRows = positiveSums(same, rows, views, anchorViews);
    const [posSim, negSim] = meanSimilarities(anchors, rows, posRows, positives);

    let perAnchor: tf.Tensor1D;
    let inTerms: tf.Tensor[] = [];
    if (o.variant === 'out') {
      // -mean over positives of log p = lse - (sum of positive logits) / count
      const posLogits = rowDot(anchors, posRows).div(t);
      perAnchor = hasPositive.mul(lse).sub(posLogits.div(positivesOr1.slice(0, a)));
    } else {
      // p on positives; the anchor's own entry of the mask does not matter as p is 0 there.
      const posP = p.mul(sameKey(repeat(keys, anchorViews), repeat(keys, views)));
      // 1 where an anchor has no positive, so that its log term is log(1 / 1) = 0.
      const posMass = posP.sum(1).add(tf.sub(1, hasPositive)) as tf.Tensor1D;
      perAnchor = hasPositive.mul(posMass.div(positivesOr1.slice(0, a)).log()).neg() as tf.Tensor1D;
      inTerms = [posP, posMass];
    }
    (save as tf.GradSaveFunc)([rows, p, lse, same, posRows, hasPositive, positivesOr1, ...inTerms]);

    return {
      value: tf.stack([perAnchor.mean().mul(scale), posSim, negSim]) as tf.Tensor1D,
      gradFunc: (dy: tf.Tensor1D, saved: tf.Tensor[]) => {
        const [rows, p, lse, same, posRows, hasPositive, positivesOr1, posP, posMass] = saved as [
          tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.Tensor1D, tf.Tensor2D?, tf.Tensor1D?,
        ];
        const anchors = symmetric ? rows : rows.slice(0, a);
        const k = dy.slice(0, 1).mul(scale / a); // d loss / d perAnchor
        const alpha = hasPositive.mul(k) as tf.Tensor1D;
        // d loss / d logits = diag(alpha) p + diag(beta) posP  (L_in)
        //                   = diag(alpha) p + diag(gamma) P     (L_out), P the positive mask
        let grad: tf.Tensor2D;
        if (posP && posMass) {
          const beta = alpha.div(posMass).neg() as tf.Tensor1D;
          grad = denseGrad([[p, alpha], [posP, beta]], rows, anchors, lse);
        } else {
          const gamma = k.div(positivesOr1).neg() as tf.Tensor1D;
          grad = denseGrad([[p, alpha]], rows, anchors, lse).add(positiveGrad(gamma, same, rows, anchors, posRows));
        }
        return grad.div(t).reshape([views, bsz, dim]).transpose([1, 0, 2]);
      },
    };
  });
  return loss(features) as tf.Tensor1D;
}

/**
 * d loss / d rows (times T) for logit gradients sum_k diag(c_k) m_k, each m_k
 * [anchors, rows]. When every row is an anchor the logits are symmetric and
 * m_ji = m_ij r_i / r_j with r = exp(lse), so G + G^T = diag(r) sum_k m_k (s_i + s_j),
 * s = c_k / r: one matrix product instead of two. Centring lse keeps r in range.
 */
function denseGrad(terms: [tf.Tensor2D, tf.Tensor1D][], rows: tf.Tensor2D, anchors: tf.Tensor2D, lse: tf.Tensor1D): tf.Tensor2D {
  const sum = (xs: tf.Tensor2D[]) => xs.reduce((x, y) => x.add(y));
  if (anchors.shape[0] === rows.shape[0]) {
    const r = lse.sub(lse.max().add(lse.min()).div(2)).exp().reshape([-1, 1]);
    const g = sum(terms.map(([m, c]) => {
      const s = c.reshape([-1, 1]).div(r);
      return m.mul(s.add(s.reshape([1, -1])));
    }));
    return tf.matMul(g, rows).mul(r);
  }
  const g = sum(terms.map(([m, c]) => m.mul(c.reshape([-1, 1]))));
  return padRows(tf.matMul(g, rows), rows.shape[0]).add(tf.matMul(anchors.transpose(), g).transpose());
}

/**
 * d loss / d rows (times T) for the logit gradient diag(gamma) P, through the
 * label structure: gamma is constant within a class, so P^T (gamma anchors) =
 * gamma (P^T anchors), and P^T anchors = P rows when every row is an anchor.
 */
function positiveGrad(gamma: tf.Tensor1D, same: tf.Tensor2D, rows: tf.Tensor2D, anchors: tf.Tensor2D, posRows: tf.Tensor2D): tf.Tensor2D {
  const [n] = rows.shape;
  const a = anchors.shape[0];
  const posOfAnchors = a === n ? posRows : positiveSums(same, anchors, a / same.shape[0], n / same.shape[0]);
  return padRows(posRows.mul(gamma.slice(0, a).reshape([-1, 1])), n).add(posOfAnchors.mul(gamma.reshape([-1, 1])));
}

/** Rows of all views, view-major: [views * bsz, dim]. */
function contrastRows(features: tf.Tensor3D): tf.Tensor2D {
  const [bsz, views, dim] = features.shape;
  return features.transpose([1, 0, 2]).reshape([views * bsz, dim]);
}

/** Float keys whose equality defines positives: the labels, or each sample's index (SimCLR). */
function sampleKeys(labels: tf.Tensor1D | null, bsz: number): tf.Tensor1D {
  return labels ? labels.toFloat() : tf.range(0, bsz);
}

/**
 * 1 where two integer keys are equal, else 0: [rows, cols]. Arithmetic on
 * |a - b| because a broadcast `equal` runs ~100x slower on wasm.
 */
function sameKey(rowKeys: tf.Tensor1D, colKeys: tf.Tensor1D = rowKeys): tf.Tensor2D {
  return tf.relu(tf.sub(1, tf.abs(tf.sub(rowKeys.reshape([-1, 1]), colKeys.reshape([1, -1]))))) as tf.Tensor2D;
}

/** `times` copies stacked along axis 0 (concat: tile is slow on wasm). */
function repeat<T extends tf.Tensor>(x: T, times: number): T {
  return times === 1 ? x : (tf.concat(Array<T>(times).fill(x), 0) as T);
}

/** x [rows, dim] cut or zero-padded to `rows` rows. */
function padRows(x: tf.Tensor2D, rows: number): tf.Tensor2D {
  const have = x.shape[0];
  return have === rows ? x : have > rows ? x.slice(0, rows) : x.pad([[0, rows - have], [0, 0]]);
}

/**
 * For view-major rows x [fromViews * bsz, dim], the sum of each row's
 * positives among them, for the first toViews * bsz rows: same-key rows of
 * every view, less the row itself.
 */
function positiveSums(same: tf.Tensor2D, x: tf.Tensor2D, fromViews: number, toViews: number): tf.Tensor2D {
  const [rows, dim] = x.shape;
  const bsz = rows / fromViews;
  const byClass = tf.matMul(same, x.reshape([fromViews, bsz, dim]).sum(0) as tf.Tensor2D);
  return repeat(byClass, toViews).sub(padRows(x, toViews * bsz));
}

/** Number of positives of each of the first anchorViews * bsz rows. */
function positiveCounts(same: tf.Tensor2D, views: number, anchorViews: number): tf.Tensor1D {
  return repeat(same.sum(1).mul(views).sub(1) as tf.Tensor1D, anchorViews);
}

/** Sum over axis 0 as a product with ones: a reduction over axis 0 is ~30x slower on wasm. */
function columnSums(x: tf.Tensor2D): tf.Tensor2D {
  return tf.matMul(tf.ones([1, x.shape[0]]), x);
}

function rowDot(x: tf.Tensor2D, y: tf.Tensor2D): tf.Tensor1D {
  return x.mul(y).sum(1);
}

/**
 * Mean cosine similarity of positive and of negative pairs, from sums of
 * dot products (every non-self pair minus the positive ones), no matrix needed.
 */
function meanSimilarities(anchors: tf.Tensor2D, rows: tf.Tensor2D, posRows: tf.Tensor2D, positives: tf.Tensor1D): [tf.Scalar, tf.Scalar] {
  const posDot = rowDot(anchors, posRows).sum();
  const allDot = columnSums(anchors).mul(columnSums(rows)).sum().sub(anchors.square().sum());
  const posCount = positives.sum();
  const negCount = tf.sub(anchors.shape[0] * (rows.shape[0] - 1), posCount);
  return [posDot.div(posCount), allDot.sub(posDot).div(negCount)];
}
