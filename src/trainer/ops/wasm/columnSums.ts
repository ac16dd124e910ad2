import * as tf from '../../backend/tf';
import type { ColumnSums } from '../batchNormBySums';

/** A product with a ones-vector: XNNPACK's matrix kernel, where a reduction over axis 0 transposes first. */
export const columnSumsWasm: ColumnSums = (m, scale = 1) => tf.matMul(tf.fill([1, m.shape[0]], scale) as tf.Tensor2D, m);
