/**
 * Kernels for tfjs's WebGPU backend where its own are slow for training.
 *
 * Conv2DBackpropFilter: the stock program gives each filter weight one GPU
 * thread that loops over every batch position (batch x out height x out
 * width, 100,000 and more per thread here): a few hundred threads doing all
 * the work. Here the filter gradient is one matrix product over im2col
 * patches, dW = patches^T dy, split along its long inner dimension into a
 * batch of products (thousands of workgroups) whose partial results are then
 * summed.
 */
import * as tf from '../../backend/tf';
import { convInfo, replaceKernel } from '../replaceKernel';

/** Registers the kernels; safe to call again. */
export function registerWebGpuKernels(): void {
  replaceKernel('Conv2DBackpropFilter', 'webgpu', (stock) => conv2dBackpropFilter(stock!));
}

/** Enough 32 x 32 output tiles to fill a large GPU several times over. */
const TARGET_WORKGROUPS = 2048;
/** Shortest inner slice worth a workgroup of its own. */
const MIN_SLICE = 512;

/**
 * How many slices to cut an inner dimension of `rows` into, for an
 * [outRows x outCols] product: a power of two dividing rows.
 */
export function splitCount(rows: number, outRows: number, outCols: number): number {
  const tiles = Math.ceil(outRows / 32) * Math.ceil(outCols / 32);
  let parts = 1;
  while (parts * tiles < TARGET_WORKGROUPS && rows % (parts * 2) === 0 && rows / (parts * 2) >= MIN_SLICE) parts *= 2;
  return parts;
}

/**
 * dW[i, j, ci, co] = sum over b, oh, ow of x[b, oh*s + i - pad, ow*s + j - pad, ci] dy[b, oh, ow, co]:
 * patches [B*OH*OW, KH*KW*Cin] (one strided slice of the padded input per
 * filter tap, side by side) times dy [B*OH*OW, Cout]. NCHW and dilated
 * convolutions go to the stock kernel.
 */
function conv2dBackpropFilter(stock: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { x, dy } = args.inputs as { x: tf.Tensor4D; dy: tf.Tensor4D };
    const a = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
    if (a.dataFormat === 'NCHW') return stock(args);
    const info = convInfo(x.shape, a.filterShape, a);
    const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, outHeight: oh, outWidth: ow, padInfo, batchSize: n, inChannels: ci, outChannels: co } = info;
    return tf.tidy(() => {
      const bottom = Math.max(0, (oh - 1) * sh + kh - x.shape[1] - padInfo.top);
      const right = Math.max(0, (ow - 1) * sw + kw - x.shape[2] - padInfo.left);
      const padded = tf.pad(x, [
        [0, 0],
        [padInfo.top, bottom],
        [padInfo.left, right],
        [0, 0],
      ]);
      const taps: tf.Tensor4D[] = [];
      for (let i = 0; i < kh; i++) {
        for (let j = 0; j < kw; j++) {
          taps.push(tf.stridedSlice(padded, [0, i, j, 0], [n, i + (oh - 1) * sh + 1, j + (ow - 1) * sw + 1, ci], [1, sh, sw, 1]) as tf.Tensor4D);
        }
      }
      const rows = n * oh * ow;
      const k = kh * kw * ci;
      const parts = splitCount(rows, k, co);
      const patches = (taps.length === 1 ? taps[0] : tf.concat(taps, 3)).reshape([parts, rows / parts, k]);
      const partial = tf.matMul(patches as tf.Tensor3D, dy.reshape([parts, rows / parts, co]) as tf.Tensor3D, true, false);
      return (parts === 1 ? partial : partial.sum(0)).reshape([kh, kw, ci, co]);
    });
  };
}
