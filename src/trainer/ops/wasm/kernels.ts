/**
 * Kernels that make the wasm backend train, and train fast. As shipped it
 * lacks Conv2DBackpropFilter, runs Conv2DBackpropInput and any matMul with a
 * transposed operand as plain loops outside XNNPACK, and copies memory on every
 * clone (each tensor saved for a gradient).
 * Each replacement is built from kernels XNNPACK runs, and each was checked
 * against the cpu backend (test/unit/wasmKernels.test.ts).
 */
import * as tf from '../../tf';
import { convInfo, replaceKernel } from '../replaceKernel';
import '@tensorflow/tfjs-backend-wasm';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/** Registers the kernels; safe to call again. */
export function registerWasmKernels(): void {
  replaceKernel('Conv2DBackpropFilter', 'wasm', () => conv2dBackpropFilter);
  replaceKernel('Conv2DBackpropInput', 'wasm', (stock) => conv2dBackpropInput(stock!));
  replaceKernel('BatchMatMul', 'wasm', (stock) => batchMatMul(stock!));
  replaceKernel('Identity', 'wasm', () => identity);
}

/**
 * dW[i, j, ci, co] = sum over b, oh, ow of x[b, oh*s + i - pad, ow*s + j - pad, ci] dy[b, oh, ow, co]:
 * a forward conv2d of x as [Cin, H, W, B] with dy as a [OH, OW, B, Cout]
 * filter dilated by the stride, cut to the filter size.
 */
const conv2dBackpropFilter: tf.KernelFunc = ({ inputs, attrs }) => {
  const { x, dy } = inputs as { x: tf.Tensor4D; dy: tf.Tensor4D };
  const a = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  const info = convInfo(x.shape, a.filterShape, a);
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, outHeight, outWidth, inHeight, inWidth, padInfo } = info;
  const bottom = Math.max(0, kh + (outHeight - 1) * sh - inHeight - padInfo.top);
  const right = Math.max(0, kw + (outWidth - 1) * sw - inWidth - padInfo.left);
  return tf.tidy(() => {
    const grad = tf.conv2d(
      x.transpose([3, 1, 2, 0]) as tf.Tensor4D,
      dy.transpose([1, 2, 0, 3]) as tf.Tensor4D,
      1,
      [[0, 0], [padInfo.top, bottom], [padInfo.left, right], [0, 0]],
      'NHWC',
      [sh, sw],
    );
    return grad.slice([0, 0, 0, 0], [info.inChannels, kh, kw, info.outChannels]).transpose([1, 2, 0, 3]);
  });
};

/**
 * dx as a stride-1 conv2d of dy with zeros inserted between its entries (the
 * stride) by the spatially flipped filter with in/out channels swapped.
 * NCHW and paddings beyond the filter size go to the stock kernel.
 */
function conv2dBackpropInput(stock: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { dy, filter } = args.inputs as { dy: tf.Tensor4D; filter: tf.Tensor4D };
    const a = args.attrs as unknown as tf.Conv2DBackpropInputAttrs;
    const info = convInfo(a.inputShape, filter.shape, a);
    const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, outHeight, outWidth, inHeight, inWidth, padInfo } = info;
    const top = kh - 1 - padInfo.top;
    const left = kw - 1 - padInfo.left;
    const bottom = inHeight + kh - 1 - top - ((outHeight - 1) * sh + 1);
    const right = inWidth + kw - 1 - left - ((outWidth - 1) * sw + 1);
    if (a.dataFormat === 'NCHW' || Math.min(top, left, bottom, right) < 0) return stock(args);
    return tf.tidy(() =>
      tf.conv2d(
        dilate(dy, sh, sw),
        tf.reverse(filter, [0, 1]).transpose([0, 1, 3, 2]) as tf.Tensor4D,
        1,
        [[0, 0], [top, bottom], [left, right], [0, 0]],
      ),
    );
  };
}

/** NHWC x with (s - 1) zeros between neighbouring rows and columns. */
function dilate(x: tf.Tensor4D, sh: number, sw: number): tf.Tensor4D {
  if (sh === 1 && sw === 1) return x;
  const [b, h, w, c] = x.shape;
  return x
    .reshape([b, h, 1, w, 1, c])
    .pad([[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]])
    .reshape([b, h * sh, w * sw, c])
    .slice([0, 0, 0, 0], [b, (h - 1) * sh + 1, (w - 1) * sw + 1, c]) as tf.Tensor4D;
}

/**
 * Transposes an operand explicitly before the stock matMul, which runs
 * XNNPACK only for untransposed single matrices (10-60x faster). A transpose
 * costs about 10 ns per element and the slow path 1 ns (transposed B) or
 * 5 ns (transposed A) per multiply-add, hence the size thresholds.
 */
function batchMatMul(stock: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const { transposeA, transposeB } = args.attrs as unknown as tf.BatchMatMulAttrs;
    const single = (t: tf.TensorInfo) => t.shape.slice(0, -2).every((d) => d === 1);
    if (!single(a) || !single(b)) return stock(args);
    const m = transposeA ? a.shape[a.shape.length - 1] : a.shape[a.shape.length - 2];
    const n = transposeB ? b.shape[b.shape.length - 2] : b.shape[b.shape.length - 1];
    const flipA = transposeA && n >= 3;
    const flipB = transposeB && m >= 16;
    if (!flipA && !flipB) return stock(args);
    const backend = args.backend as BackendWasm;
    const a2 = flipA ? transposeLast(a, backend) : a;
    const b2 = flipB ? transposeLast(b, backend) : b;
    const out = stock({ ...args, inputs: { a: a2, b: b2 }, attrs: { transposeA: transposeA && !flipA, transposeB: transposeB && !flipB } });
    for (const t of [flipA && a2, flipB && b2]) if (t) backend.disposeData(t.dataId);
    return out;
  };
}

/** A new tensor with the last two axes swapped, through the wasm Transpose kernel. */
function transposeLast(x: tf.TensorInfo, backend: BackendWasm): tf.TensorInfo {
  const r = x.shape.length;
  const perm = [...Array(r - 2).keys(), r - 1, r - 2];
  return tf.getKernel('Transpose', 'wasm')!.kernelFunc({ inputs: { x }, backend, attrs: { perm } }) as tf.TensorInfo;
}

/** A clone shares the input's memory (reference counted), as on the cpu backend. */
const identity: tf.KernelFunc = ({ inputs, backend }) => {
  const { x } = inputs as { x: tf.TensorInfo };
  (backend as BackendWasm).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
};
