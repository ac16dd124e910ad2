// The wasm training kernels against the cpu backend's results.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '../../src/trainer/backend/tf';
import { initBackend } from '../../src/trainer/backend/init';
import { registerWasmKernels } from '../../src/trainer/ops/wasm/kernels';
import { values } from '../fixtures/values';

/** Runs f on a backend and returns its outputs as flat arrays. */
async function on(backend: string, f: () => tf.Tensor | tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const out = tf.tidy(f);
  const list = Array.isArray(out) ? out : [out];
  const data = await Promise.all(list.map((t) => t.data() as Promise<Float32Array>));
  tf.dispose(list);
  return data;
}

/** max |a - b| / max |b|, over every output. */
function relError(a: Float32Array[], b: Float32Array[]): number {
  let diff = 0;
  let scale = 0;
  a.forEach((x, k) => {
    assert.equal(x.length, b[k].length);
    x.forEach((v, i) => {
      diff = Math.max(diff, Math.abs(v - b[k][i]));
      scale = Math.max(scale, Math.abs(b[k][i]));
    });
  });
  return diff / scale;
}

async function wasmVsCpu(f: () => tf.Tensor | tf.Tensor[]): Promise<number> {
  return relError(await on('wasm', f), await on('cpu', f));
}

describe('wasm training kernels', () => {
  before(async () => {
    await initBackend('wasm');
  });

  it('registers idempotently', () => {
    const config = tf.getKernel('Conv2DBackpropFilter', 'wasm');
    registerWasmKernels();
    assert.ok(config);
    assert.equal(tf.getKernel('Conv2DBackpropFilter', 'wasm'), config);
  });

  for (const stride of [1, 2, 3]) {
    for (const pad of ['same', 'valid'] as const) {
      for (const k of [1, 3, 5]) {
        it(`conv2d gradients: ${k}x${k} filter, stride ${stride}, ${pad}`, async () => {
          const xShape: [number, number, number, number] = [2, 9, 8, 3];
          const wShape: [number, number, number, number] = [k, k, 3, 5];
          const err = await wasmVsCpu(() => {
            const x = tf.tensor4d(values(2 * 9 * 8 * 3, 1), xShape);
            const w = tf.tensor4d(values(k * k * 15, 2), wShape);
            const b = tf.tensor1d(values(5, 3));
            // tf.fused.conv2d is what tf.layers uses; its gradient calls both backprop kernels.
            const loss = (xv: tf.Tensor, wv: tf.Tensor) =>
              tf.fused
                .conv2d({ x: xv as tf.Tensor4D, filter: wv as tf.Tensor4D, strides: stride, pad, bias: b, activation: 'relu' })
                .square()
                .sum();
            return tf.grads(loss)([x, w]);
          });
          assert.ok(err < 1e-5, `relative error ${err}`);
        });
      }
    }
  }

  it('conv2dTranspose (Conv2DBackpropInput) with stride 2', async () => {
    const err = await wasmVsCpu(() =>
      tf.conv2dTranspose(tf.tensor4d(values(2 * 4 * 4 * 5, 4), [2, 4, 4, 5]), tf.tensor4d(values(3 * 3 * 3 * 5, 5), [3, 3, 3, 5]), [2, 8, 8, 3], 2, 'same'),
    );
    assert.ok(err < 1e-5, `relative error ${err}`);
  });

  for (const [m, k, n] of [
    [64, 32, 16],
    [8, 32, 2],
    [1, 16, 40],
  ]) {
    it(`matMul ${m}x${k}x${n} with every transpose combination`, async () => {
      const err = await wasmVsCpu(() => {
        const a = tf.tensor2d(values(m * k, 6), [m, k]);
        const b = tf.tensor2d(values(k * n, 7), [k, n]);
        return [tf.matMul(a, b), tf.matMul(a.transpose(), b, true), tf.matMul(a, b.transpose(), false, true), tf.matMul(a.transpose(), b.transpose(), true, true)];
      });
      assert.ok(err < 1e-5, `relative error ${err}`);
    });
  }

  it('batched matMul with transposes passes through', async () => {
    const err = await wasmVsCpu(() => tf.matMul(tf.tensor3d(values(3 * 4 * 5, 8), [3, 4, 5]), tf.tensor3d(values(3 * 4 * 6, 9), [3, 6, 4]), true, true));
    assert.ok(err < 1e-5, `relative error ${err}`);
  });

  it('clone shares memory and outlives its source', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor1d([1, 2, 3]);
    const y = x.clone();
    x.dispose();
    assert.deepEqual(Array.from(await y.data()), [1, 2, 3]);
    y.dispose();
  });
});
