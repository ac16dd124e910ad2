/**
 * Batch norm's per-channel passes on the wasm backend, as the ops layer's SIMD
 * kernels (assembly/batchNorm.ts) registered as tfjs kernels: the two column
 * sums in one pass (the stock route repacks the activations for XNNPACK, or
 * transposes them), and the output (tf.batchNorm4d, also in inference mode) and
 * the input gradient each in one pass (the stock batch norm is a general
 * broadcasting loop, about 7 ns an element).
 */
import * as tf from '../../backend/tf';
import '@tensorflow/tfjs-backend-wasm';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { normaliseByBatchNorm4d, type BatchNormKernels } from '../batchNormBySums';
import { replaceKernel } from '../replaceKernel';
import { offset, simdKernels } from './simd';

const COLUMN_MOMENTS = 'SupConColumnMoments';
const CHANNEL_AFFINE = 'SupConChannelAffine';

/** Registers the kernels; safe to call again. */
export function registerBatchNormKernels(): void {
  replaceKernel('FusedBatchNorm', 'wasm', (stock) => fusedBatchNorm(stock!));
  if (!tf.getKernel(COLUMN_MOMENTS, 'wasm')) tf.registerKernel({ kernelName: COLUMN_MOMENTS, backendName: 'wasm', kernelFunc: columnMoments });
  if (!tf.getKernel(CHANNEL_AFFINE, 'wasm')) tf.registerKernel({ kernelName: CHANNEL_AFFINE, backendName: 'wasm', kernelFunc: channelAffine });
}

/** a, b [rows, C] -> [2, C]: scale times the column sums of a and of a * b. */
const columnMoments: tf.KernelFunc = ({ inputs, attrs, backend }) => {
  const { a, b } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
  const { scale } = attrs as unknown as { scale: number };
  const wasm = backend as BackendWasm;
  const [rows, channels] = a.shape;
  const out = wasm.makeOutput([2, channels], 'float32');
  const scratch = wasm.makeOutput([4 * channels], 'float32');
  simdKernels(wasm).columnMoments(offset(wasm, a), offset(wasm, b), rows, channels, scale, offset(wasm, out), offset(wasm, scratch));
  wasm.disposeData(scratch.dataId);
  return out;
};

/** x [..., C], params [k*C] (sub, mul, add and, with dy, mulDy) -> (x - sub) mul + add (+ dy mulDy). */
const channelAffine: tf.KernelFunc = ({ inputs, backend }) => {
  const { x, params, dy } = inputs as { x: tf.TensorInfo; params: tf.TensorInfo; dy?: tf.TensorInfo };
  const wasm = backend as BackendWasm;
  const channels = x.shape[x.shape.length - 1];
  const out = wasm.makeOutput(x.shape, 'float32');
  simdKernels(wasm).channelAffine(offset(wasm, x), dy ? offset(wasm, dy) : 0, offset(wasm, out), x.shape.reduce((p, n) => p * n, 1) / channels, channels, offset(wasm, params));
  return out;
};

/**
 * tf.batchNorm4d, (x - mean) scale / sqrt(variance + eps) + offset, through the
 * SIMD pass when every parameter is per-channel [C]; other broadcasts go to the
 * stock kernel.
 */
function fusedBatchNorm(stock: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { x, mean, variance, offset: shift, scale } = args.inputs as Record<string, tf.TensorInfo | undefined>;
    const { varianceEpsilon } = args.attrs as unknown as tf.FusedBatchNormAttrs;
    const wasm = args.backend as BackendWasm;
    const channels = x!.shape[x!.shape.length - 1];
    const perChannel = (t?: tf.TensorInfo) => t === undefined || t.shape.reduce((p, n) => p * n, 1) === channels;
    if (x!.dtype !== 'float32' || channels === 0 || ![mean, variance, shift, scale].every(perChannel)) return stock(args);
    const read = (t?: tf.TensorInfo) => t && (wasm.typedArrayFromHeap(t) as Float32Array);
    const [m, v, o, g] = [mean, variance, shift, scale].map(read);
    const values = new Float32Array(3 * channels);
    for (let c = 0; c < channels; c++) {
      values[c] = m![c];
      values[channels + c] = (g ? g[c] : 1) / Math.sqrt(v![c] + varianceEpsilon);
      values[2 * channels + c] = o ? o[c] : 0;
    }
    const params = wasm.makeOutput([3 * channels], 'float32', undefined, values);
    const out = wasm.makeOutput(x!.shape, 'float32');
    simdKernels(wasm).channelAffine(offset(wasm, x!), 0, offset(wasm, out), x!.shape.reduce((p, n) => p * n, 1) / channels, channels, offset(wasm, params));
    wasm.disposeData(params.dataId);
    return out;
  };
}

const run = (name: string, inputs: tf.NamedTensorMap, attrs: Record<string, number> = {}) => tf.engine().runKernel(name, inputs, attrs) as tf.Tensor;

export const batchNormKernelsWasm: BatchNormKernels = {
  sums: (a, b, scale) => {
    const both = run(COLUMN_MOMENTS, { a, b }, { scale });
    return [tf.reshape(tf.slice(both, [0, 0], [1, -1]), [-1]), tf.reshape(tf.slice(both, [1, 0], [1, -1]), [-1])];
  },
  normalise: normaliseByBatchNorm4d,
  inputGradient: (dy, x, mean, variance, epsilon, k1, k2, k3) =>
    run(CHANNEL_AFFINE, { x, dy, params: tf.concat([mean, tf.mul(k2, tf.rsqrt(tf.add(variance, epsilon))), k3, k1]) }) as tf.Tensor4D,
};
