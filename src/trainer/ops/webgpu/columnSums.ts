import * as tf from '../../backend/tf';
import type { ColumnSums } from '../batchNormBySums';
import { splitCount } from './kernels';

/**
 * The rows cut into slices, each slice summed by its own products with a
 * ones-vector (one workgroup each), then the slices' sums added: a single
 * reduction over 400,000 rows would run on one workgroup per column.
 */
export const columnSumsWebGpu: ColumnSums = (m, scale = 1) => {
  const [rows, cols] = m.shape;
  const parts = splitCount(rows, 1, cols);
  const partial = tf.matMul(tf.fill([parts, 1, rows / parts], scale) as tf.Tensor3D, m.reshape([parts, rows / parts, cols]) as tf.Tensor3D);
  return (parts === 1 ? partial : partial.sum(0)).reshape([1, cols]);
};
