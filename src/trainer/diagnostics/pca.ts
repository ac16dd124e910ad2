/**
 * Principal component analysis in float64 (Pearson 1901; the covariance
 * eigenvectors, as an SVD of the centred data gives them).
 */
import { symmetricEigen } from './eigen';

export interface Projection {
  /** [count, components] row-major. */
  points: Float64Array;
  /** Variance along each component, descending. */
  variance: Float64Array;
}

/**
 * Projects `rows` ([count, dim] row-major) onto its first `components` principal axes.
 * Each axis's sign is fixed so its largest-magnitude coefficient is positive, so the map
 * of one checkpoint does not flip between calls. Throws on a bad shape or components > dim.
 */
export function pca(rows: ArrayLike<number>, dim: number, components = 2): Projection {
  const count = rows.length / dim;
  if (!Number.isInteger(count) || count < 1) throw new Error(`pca: ${rows.length} values are not rows of ${dim}`);
  if (components > dim) throw new Error(`pca: ${components} components from ${dim} dimensions`);
  const mean = new Float64Array(dim);
  for (let i = 0; i < count; i++) for (let j = 0; j < dim; j++) mean[j] += rows[i * dim + j];
  for (let j = 0; j < dim; j++) mean[j] /= count;
  const cov = new Float64Array(dim * dim);
  const centred = new Float64Array(dim);
  for (let i = 0; i < count; i++) {
    for (let j = 0; j < dim; j++) centred[j] = rows[i * dim + j] - mean[j];
    for (let a = 0; a < dim; a++) {
      const ca = centred[a];
      if (ca === 0) continue;
      for (let b = a; b < dim; b++) cov[a * dim + b] += ca * centred[b];
    }
  }
  for (let a = 0; a < dim; a++)
    for (let b = a; b < dim; b++) {
      cov[a * dim + b] /= count;
      cov[b * dim + a] = cov[a * dim + b];
    }
  const { values, vectors } = symmetricEigen(cov);
  const axes: Float64Array[] = [];
  for (let c = 0; c < components; c++) {
    const axis = Float64Array.from({ length: dim }, (_, j) => vectors[j * dim + c]);
    let big = 0;
    for (let j = 0; j < dim; j++) if (Math.abs(axis[j]) > Math.abs(big)) big = axis[j];
    if (big < 0) axis.forEach((v, j) => (axis[j] = -v));
    axes.push(axis);
  }
  const points = new Float64Array(count * components);
  for (let i = 0; i < count; i++)
    for (let c = 0; c < components; c++) {
      let s = 0;
      for (let j = 0; j < dim; j++) s += (rows[i * dim + j] - mean[j]) * axes[c][j];
      points[i * components + c] = s;
    }
  return { points, variance: values.slice(0, components) };
}
