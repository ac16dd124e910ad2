/**
 * Kernels that make the wasm backend train, and train fast. As shipped it
 * lacks Conv2DBackpropFilter, runs Conv2DBackpropInput and any matMul with a
 * transposed operand as plain loops outside XNNPACK, and copies memory on every
 * clone (each tensor saved for a gradient).
 * Each replacement is built from kernels XNNPACK runs, and each was checked
 * against the cpu backend (test/unit/wasmKernels.test.ts).
 */
import * as tf from '../../backend/tf';
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
      [
        [0, 0],
        [padInfo.top, bottom],
        [padInfo.left, right],
        [0, 0],
      ],
      'NHWC',
      [sh, sw],
    );
    return grad.slice([0, 0, 0, 0], [info.inChannels, kh, kw, info.outChannels]).transpose([1, 2, 0, 3]);
  });
};

/**
 * dx by output phase: the rows h = s*m + p of dx take only the filter taps
 * i = r, r + s, ... with r = (p + pad) mod s, so each of the s*s phases is a
 * small stride-1 conv2d of dy (with those taps flipped, in/out channels
 * swapped), and the phases are interleaved. The usual zero-dilated dy
 * would spend s*s times the work on zeros. NCHW goes to the stock kernel.
 */
function conv2dBackpropInput(stock: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { dy, filter } = args.inputs as { dy: tf.Tensor4D; filter: tf.Tensor4D };
    const a = args.attrs as unknown as tf.Conv2DBackpropInputAttrs;
    const info = convInfo(a.inputShape, filter.shape, a);
    const { batchSize, inHeight, inWidth, inChannels, strideHeight: sh, strideWidth: sw } = info;
    if (a.dataFormat === 'NCHW' || inHeight < sh || inWidth < sw) return stock(args);
    return tf.tidy(() => {
      const rows = Array.from({ length: sh }, (_, p) => phase(p, sh, inHeight, info.outHeight, info.filterHeight, info.padInfo.top));
      const cols = Array.from({ length: sw }, (_, p) => phase(p, sw, inWidth, info.outWidth, info.filterWidth, info.padInfo.left));
      const [mh, mw] = [rows[0].size, cols[0].size];
      const out = rows.map((r) =>
        cols.map((c) => {
          if (!r.taps || !c.taps) return tf.zeros([batchSize, mh, mw, inChannels]) as tf.Tensor4D;
          const part = tf.conv2d(
            tf.slice(dy, [0, r.crop[0], c.crop[0], 0], [batchSize, info.outHeight - r.crop[0] - r.crop[1], info.outWidth - c.crop[0] - c.crop[1], info.outChannels]),
            tf
              .reverse(tf.stridedSlice(filter, [r.first, c.first, 0, 0], [info.filterHeight, info.filterWidth, inChannels, info.outChannels], [sh, sw, 1, 1]), [0, 1])
              .transpose([0, 1, 3, 2]) as tf.Tensor4D,
            1,
            [[0, 0], r.pad, c.pad, [0, 0]],
          );
          // phases further in may be a row or column short: pad to the first phase's size
          return part.shape[1] === mh && part.shape[2] === mw
            ? part
            : tf.pad(part, [
                [0, 0],
                [0, mh - part.shape[1]],
                [0, mw - part.shape[2]],
                [0, 0],
              ]);
        }),
      );
      if (sh === 1 && sw === 1) return out[0][0];
      // dx[b, m*sh + p, k*sw + q] = out[p][q][b, m, k]
      const woven = tf
        .stack(
          out.map((row) => tf.stack(row, 3)),
          2,
        )
        .reshape([batchSize, mh * sh, mw * sw, inChannels]);
      return tf.slice(woven, [0, 0, 0, 0], [batchSize, inHeight, inWidth, inChannels]);
    });
  };
}

/**
 * One axis of one phase p of the input gradient: dx[s*m + p] = sum over t of
 * dy[m + q - t] w[r + t*s]. As a correlation of dy (taps in reverse order)
 * that needs `pad` zeros before and after dy, or `crop` entries cut from it.
 */
function phase(p: number, s: number, inSize: number, outSize: number, k: number, padBefore: number) {
  const first = (p + padBefore) % s;
  const q = Math.floor((p + padBefore) / s);
  const taps = first < k ? Math.ceil((k - first) / s) : 0;
  const size = Math.ceil((inSize - p) / s);
  const before = taps - 1 - q;
  const after = size + taps - 1 - outSize - before;
  return { first, taps, size, pad: [Math.max(0, before), Math.max(0, after)] as [number, number], crop: [Math.max(0, -before), Math.max(0, -after)] as [number, number] };
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
