/**
 * Transposes for the wasm backend that move the last axis, written in
 * JavaScript over the backend's own heap: the stock kernel walks the output in
 * index order, reading the input a whole stride apart each time (about 20 ns
 * an element for [512, 28, 28, 32] to [32, 28, 28, 512]). Checked against the
 * cpu backend in test/unit/wasmKernels.test.ts.
 */
import * as tf from '../../backend/tf';
import '@tensorflow/tfjs-backend-wasm';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { replaceKernel } from '../replaceKernel';

/** Registers the kernels; safe to call again. */
export function registerTranspose(): void {
  replaceKernel('Transpose', 'wasm', (stock) => transpose(stock!));
}

/**
 * Any permutation of a float32 or int32 tensor. The axes that are innermost
 * in the input (`a`) and in the output (`b`) are walked in 16 x 16 tiles, so
 * reads and writes both run along memory.
 */
function transpose(stock: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const { perm } = args.attrs as unknown as tf.TransposeAttrs;
    const backend = args.backend as BackendWasm;
    const rank = x.shape.length;
    // the stock kernel copies runs well when the last axis stays last
    if (rank < 2 || perm[rank - 1] === rank - 1 || (x.dtype !== 'float32' && x.dtype !== 'int32')) return stock(args);
    const outShape = perm.map((p) => x.shape[p]);
    const out = backend.makeOutput(outShape, x.dtype);
    const src = backend.typedArrayFromHeap(x) as Float32Array | Int32Array;
    const dst = backend.typedArrayFromHeap(out) as Float32Array | Int32Array;
    if (src.length === 0) return out;
    const inStrides = strides(x.shape);
    const outStrides = strides(outShape);
    // stride in the input of each output axis
    const srcStride = perm.map((p) => inStrides[p]);
    const [a, b] = [perm.indexOf(rank - 1), rank - 1];
    const [na, nb] = [outShape[a], outShape[b]];
    const [sa, sb] = [srcStride[a], srcStride[b]];
    const da = outStrides[a];
    const outer = offsets(
      outShape.map((n, i) => (i === a || i === b ? 1 : n)),
      srcStride,
      outStrides,
    );
    for (let k = 0; k < outer.src.length; k++) {
      const [s0, d0] = [outer.src[k], outer.dst[k]];
      for (let i0 = 0; i0 < na; i0 += 16) {
        const i1 = Math.min(na, i0 + 16);
        for (let j0 = 0; j0 < nb; j0 += 16) {
          const j1 = Math.min(nb, j0 + 16);
          for (let i = i0; i < i1; i++) {
            const si = s0 + i * sa;
            const di = d0 + i * da;
            for (let j = j0; j < j1; j++) dst[di + j] = src[si + j * sb];
          }
        }
      }
    }
    return out;
  };
}

function strides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1] * shape[i + 1];
  return s;
}

/** The source and destination offsets of every index of `shape`, in row-major order. */
function offsets(shape: number[], srcStride: number[], dstStride: number[]): { src: Int32Array; dst: Int32Array } {
  const count = shape.reduce((p, n) => p * n, 1);
  const [src, dst] = [new Int32Array(count), new Int32Array(count)];
  const index = new Array<number>(shape.length).fill(0);
  let [s, d] = [0, 0];
  for (let n = 0; n < count; n++) {
    [src[n], dst[n]] = [s, d];
    for (let k = shape.length - 1; k >= 0; k--) {
      if (++index[k] < shape[k]) {
        s += srcStride[k];
        d += dstStride[k];
        break;
      }
      s -= (shape[k] - 1) * srcStride[k];
      d -= (shape[k] - 1) * dstStride[k];
      index[k] = 0;
    }
  }
  return { src, dst };
}
