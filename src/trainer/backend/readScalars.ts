import type * as tf from './tf';

/** The first element of each tensor, read asynchronously (GPU backends cannot read synchronously). */
export async function readScalars(...tensors: tf.Tensor[]): Promise<number[]> {
  return Promise.all(tensors.map(async (t) => (await t.data())[0] as number));
}
