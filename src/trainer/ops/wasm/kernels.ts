/**
 * Kernels that make the wasm backend train, and train fast. As shipped it
 * lacks Conv2DBackpropFilter and runs Conv2DBackpropInput as a plain loop
 * (here both are the ops layer's own SIMD kernels), runs any matMul with a
 * transposed operand as plain loops outside XNNPACK, and copies memory on every
 * clone (each tensor saved for a gradient). Its Conv2D (XNNPACK) is replaced
 * too, by the input gradient's SIMD product with the roles swapped, which
 * measured faster on the models' layers (stem convs of 1-3 channels excepted).
 * The others are built from kernels XNNPACK runs. Each was checked against
 * the cpu backend (test/unit/wasmKernels.test.ts).
 */
import * as tf from '../../backend/tf';
import { convInfo, replaceKernel } from '../replaceKernel';
import { registerBatchNormKernels } from './batchNorm';
import { registerTranspose } from './transpose';
import { offset, simdKernels, type SimdConvGeometry } from './simd';
import '@tensorflow/tfjs-backend-wasm';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/** Registers the kernels; safe to call again. Throws, naming the file, when the SIMD kernels are missing. */
export function registerWasmKernels(): void {
  // loaded now, so that a missing file fails the backend's start rather than the run's first convolution
  simdKernels(tf.backend() as BackendWasm);
  replaceKernel('Conv2D', 'wasm', (stock) => conv2d(stock!));
  replaceKernel('Conv2DBackpropFilter', 'wasm', () => conv2dBackpropFilter);
  replaceKernel('Conv2DBackpropInput', 'wasm', () => conv2dBackpropInput);
  replaceKernel('BatchMatMul', 'wasm', (stock) => batchMatMul(stock!));
  replaceKernel('Identity', 'wasm', () => identity);
  registerTranspose();
  registerBatchNormKernels();
}

/**
 * y[b, oh, ow, co] = sum over i, j, ci of x[b, oh*s + i - pad, ow*s + j - pad, ci] w[i, j, ci, co]
 * by the ops layer's SIMD kernel (assembly/conv2d.ts) on the filter packed in
 * blocks of 8 output channels; dilated filters and inputs of under 4 channels go to
 * the stock kernel (XNNPACK). NHWC only.
 */
function conv2d(stock: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { x, filter } = args.inputs as { x: tf.TensorInfo; filter: tf.TensorInfo };
    const a = args.attrs as unknown as tf.Conv2DAttrs;
    const dilated = [a.dilations ?? 1].flat().some((d) => d !== 1);
    // Below 4 input channels (a stem conv on gray or RGB images) XNNPACK measured 1.2-1.5x faster:
    // a tap's sum over 1-3 channels is too short to pay for loading and storing the 4 x 8 block of y.
    if (dilated || x.shape[3] < 4) return stock(args);
    const wasm = args.backend as BackendWasm;
    const simd = simdKernels(wasm);
    const g = geometry('Conv2D', x.shape, filter.shape, a);
    const [kh, kw, ci, co] = filter.shape;
    const packed = wasm.makeOutput([kh * kw * Math.ceil(co / 8) * ci * 8], 'float32');
    simd.packFilter(offset(wasm, filter), offset(wasm, packed), kh * kw, ci, co, 3);
    const out = wasm.makeOutput([g[0], g[4], g[5], co], 'float32');
    simd.conv2d(offset(wasm, x), offset(wasm, packed), offset(wasm, out), ...g);
    wasm.disposeData(packed.dataId);
    return out;
  };
}

/**
 * dW[i, j, ci, co] = sum over b, oh, ow of x[b, oh*s + i - pad, ow*s + j - pad, ci] dy[b, oh, ow, co]
 * by the ops layer's SIMD kernel (assembly/conv2dBackpropFilter.ts), reading
 * x and dy where they lie: no transposes, no repacked operands. NHWC only.
 */
const conv2dBackpropFilter: tf.KernelFunc = ({ inputs, attrs, backend }) => {
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const a = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  const wasm = backend as BackendWasm;
  const out = wasm.makeOutput(a.filterShape, 'float32');
  simdKernels(wasm).conv2dBackpropFilter(offset(wasm, x), offset(wasm, dy), offset(wasm, out), ...geometry('Conv2DBackpropFilter', x.shape, a.filterShape, a));
  return out;
};

/**
 * dx[b, oh*s + i - pad, ow*s + j - pad, ci] += sum over co of dy[b, oh, ow, co] w[i, j, ci, co]
 * by the ops layer's SIMD kernel (assembly/conv2dBackpropInput.ts) on the
 * filter packed in blocks of 8 input channels. NHWC only.
 */
const conv2dBackpropInput: tf.KernelFunc = ({ inputs, attrs, backend }) => {
  const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const a = attrs as unknown as tf.Conv2DBackpropInputAttrs;
  const wasm = backend as BackendWasm;
  const simd = simdKernels(wasm);
  const [kh, kw, ci, co] = filter.shape;
  const packed = wasm.makeOutput([kh * kw * Math.ceil(ci / 8) * co * 8], 'float32');
  simd.packFilter(offset(wasm, filter), offset(wasm, packed), kh * kw, ci, co, 2);
  const out = wasm.makeOutput(a.inputShape, 'float32');
  simd.conv2dBackpropInput(offset(wasm, dy), offset(wasm, packed), offset(wasm, out), ...geometry('Conv2DBackpropInput', a.inputShape, filter.shape, a));
  wasm.disposeData(packed.dataId);
  return out;
};

/** The forward convolution's sizes, in the order the SIMD kernels take them; they read NHWC only. */
function geometry(kernel: string, xShape: number[], filterShape: number[], attrs: tf.Conv2DAttrs | tf.Conv2DBackpropFilterAttrs | tf.Conv2DBackpropInputAttrs): SimdConvGeometry {
  if (attrs.dataFormat === 'NCHW') throw new Error(`${kernel} on wasm: NCHW is not supported (the models are NHWC)`);
  const info = convInfo(xShape, filterShape, attrs);
  return [
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.outHeight,
    info.outWidth,
    info.outChannels,
    info.filterHeight,
    info.filterWidth,
    info.strideHeight,
    info.strideWidth,
    info.padInfo.top,
    info.padInfo.left,
  ];
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
