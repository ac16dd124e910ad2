/**
 * The supervised contrastive loss with a hand-written gradient, for the wasm
 * backend. Automatic differentiation of the definition (losses.ts) transposes
 * the [rows x rows] logits and multiplies by transposed operands, which wasm
 * runs outside XNNPACK (10-40x slower); here forward and backward are one
 * large matrix product each plus a few element-wise passes, and the label
 * structure enters only through a [bsz x bsz] matrix. Same value and gradient
 * as the definition (test/unit/losses.test.ts).
 */
import type { SupConOptions, SupConStats } from '../../losses';
import { contrastRows, repeat, sampleKeys, SELF_LOGIT } from '../../losses';
import * as tf from '../../backend/tf';

/** Loss and pair similarities of features [bsz, views, dim]; the gradient flows from the loss only. */
export function supConLossWasm(features: tf.Tensor3D, labels: tf.Tensor1D | null, o: SupConOptions): SupConStats {
  return tf.tidy(() => {
    const [loss, posSim, negSim] = tf.unstack(supConTerms(features, labels, o)) as tf.Scalar[];
    return { loss, posSim, negSim };
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
      // lse over positives - lse over others - log count: exact where a
      // positive's probability underflows. The anchor itself is already out of zm.
      const zp = zm.add(tf.sub(1, sameKey(repeat(keys, anchorViews), repeat(keys, views))).mul(SELF_LOGIT)) as tf.Tensor2D;
      const lsePos = rowLogSumExp(zp);
      perAnchor = hasPositive.mul(lse.sub(lsePos).add(positivesOr1.slice(0, a).log())) as tf.Tensor1D;
      inTerms = [zp, lsePos];
    }
    (save as tf.GradSaveFunc)([rows, zm, lse, same, posRows, hasPositive, positivesOr1, ...inTerms]);

    return {
      value: tf.stack([perAnchor.mean().mul(scale), posSim, negSim]) as tf.Tensor1D,
      gradFunc: (dy: tf.Tensor1D, saved: tf.Tensor[]) => {
        const [rows, zm, lse, same, posRows, hasPositive, positivesOr1, zp, lsePos] = saved as [
          tf.Tensor2D,
          tf.Tensor2D,
          tf.Tensor1D,
          tf.Tensor2D,
          tf.Tensor2D,
          tf.Tensor1D,
          tf.Tensor1D,
          tf.Tensor2D?,
          tf.Tensor1D?,
        ];
        const anchors = symmetric ? rows : rows.slice(0, a);
        const k = dy.slice(0, 1).mul(scale / a); // d loss / d perAnchor
        const alpha = hasPositive.mul(k) as tf.Tensor1D;
        // d loss / d logits = diag(alpha) (p - q)     (L_in), q the softmax over positives
        //                   = diag(alpha) p + diag(gamma) P (L_out), P the positive mask
        let grad: tf.Tensor2D;
        if (zp && lsePos) {
          grad = denseGrad(
            [
              [zm, lse, alpha],
              [zp, lsePos, alpha.neg() as tf.Tensor1D],
            ],
            rows,
            anchors,
          );
        } else {
          const gamma = k.div(positivesOr1).neg() as tf.Tensor1D;
          grad = denseGrad([[zm, lse, alpha]], rows, anchors).add(positiveGrad(gamma, same, rows, anchors, posRows));
        }
        return grad.div(t).reshape([views, bsz, dim]).transpose([1, 0, 2]);
      },
    };
  });
  return loss(features) as tf.Tensor1D;
}

/** log sum_j exp(z_ij): [rows]. */
function rowLogSumExp(z: tf.Tensor2D): tf.Tensor1D {
  const top = z.max(1);
  return top.add(
    z
      .sub(top.reshape([-1, 1]))
      .exp()
      .sum(1)
      .log(),
  ) as tf.Tensor1D;
}

/**
 * d loss / d rows (times T) for logit gradients sum_k diag(c_k) m_k with
 * softmax-like m_k = exp(z_k - lse_k) [anchors, rows]. When every row is an
 * anchor the logits are symmetric, so (m_k)^T = exp(z_k - lse_k^T) elementwise
 * and G + G^T needs one matrix product and no transpose; every factor stays
 * at most 1, whatever the temperature.
 */
function denseGrad(terms: [tf.Tensor2D, tf.Tensor1D, tf.Tensor1D][], rows: tf.Tensor2D, anchors: tf.Tensor2D): tf.Tensor2D {
  const sum = (xs: tf.Tensor2D[]) => xs.reduce((x, y) => x.add(y));
  const scaled = (z: tf.Tensor2D, lse: tf.Tensor1D, c: tf.Tensor1D, axis: 0 | 1): tf.Tensor2D => {
    const shape = axis === 1 ? [-1, 1] : [1, -1];
    return z.sub(lse.reshape(shape)).exp().mul(c.reshape(shape));
  };
  if (anchors.shape[0] === rows.shape[0]) {
    const g = sum(terms.map(([z, lse, c]) => scaled(z, lse, c, 1).add(scaled(z, lse, c, 0))));
    return tf.matMul(g, rows);
  }
  const g = sum(terms.map(([z, lse, c]) => scaled(z, lse, c, 1)));
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

/**
 * 1 where two integer keys are equal, else 0: [rows, cols]. Arithmetic on
 * |a - b| because a broadcast `equal` runs ~100x slower on wasm.
 */
function sameKey(rowKeys: tf.Tensor1D, colKeys: tf.Tensor1D = rowKeys): tf.Tensor2D {
  return tf.relu(tf.sub(1, tf.abs(tf.sub(rowKeys.reshape([-1, 1]), colKeys.reshape([1, -1]))))) as tf.Tensor2D;
}

/** x [rows, dim] cut or zero-padded to `rows` rows. */
function padRows(x: tf.Tensor2D, rows: number): tf.Tensor2D {
  const have = x.shape[0];
  return have === rows
    ? x
    : have > rows
      ? x.slice(0, rows)
      : x.pad([
          [0, rows - have],
          [0, 0],
        ]);
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
