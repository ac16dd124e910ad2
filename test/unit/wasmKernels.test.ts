// The wasm training kernels against the cpu backend's results.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '../../src/trainer/backend/tf';
import { initBackend } from '../../src/trainer/backend/init';
import { registerWasmKernels } from '../../src/trainer/ops/wasm/kernels';
import { batchNormKernelsWasm } from '../../src/trainer/ops/wasm/batchNorm';
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

  // Channel counts that fill the SIMD kernels' 4 x 8 blocks and leave tails; batch 1; 1x1 and 3x3; strides 1 and 2.
  for (const [batch, side, cin, cout, k, stride] of [
    [1, 7, 9, 19, 3, 2],
    [3, 6, 8, 16, 3, 1],
    [2, 5, 12, 8, 1, 2],
    [1, 4, 1, 33, 3, 1],
  ]) {
    it(`conv2d gradients, SIMD blocks and tails: batch ${batch}, ${side}x${side}x${cin} -> ${cout}, ${k}x${k}, stride ${stride}`, async () => {
      const err = await wasmVsCpu(() => {
        const x = tf.tensor4d(values(batch * side * side * cin, 11), [batch, side, side, cin]);
        const w = tf.tensor4d(values(k * k * cin * cout, 12), [k, k, cin, cout]);
        return tf.grads((xv: tf.Tensor, wv: tf.Tensor) =>
          tf
            .conv2d(xv as tf.Tensor4D, wv as tf.Tensor4D, stride, 'same')
            .square()
            .sum(),
        )([x, w]);
      });
      assert.ok(err < 1e-5, `relative error ${err}`);
    });
  }

  // The forward conv (ours from 4 input channels, stock below): batch 1 and more, channel counts that fill the
  // 4 x 8 blocks and leave tails, a width under 4, 'same', 'valid' and numeric padding.
  for (const [batch, h, w, cin, cout, k, stride, pad] of [
    [1, 7, 7, 9, 19, 3, 1, 'same'],
    [3, 6, 5, 33, 12, 3, 2, 'same'],
    [2, 9, 8, 9, 33, 5, 1, 'same'],
    [2, 9, 8, 33, 9, 5, 3, 'valid'],
    [1, 8, 8, 33, 1, 1, 2, 'valid'],
    [2, 5, 3, 9, 9, 3, 1, 1],
    [2, 10, 2, 12, 16, 3, 2, 2],
    [1, 9, 9, 8, 33, 1, 1, 0],
    [2, 7, 6, 3, 19, 3, 1, 'same'],
    [2, 7, 6, 1, 9, 3, 2, 'valid'],
  ] as const) {
    it(`conv2d forward: batch ${batch}, ${h}x${w}x${cin} -> ${cout}, ${k}x${k}, stride ${stride}, pad ${pad}`, async () => {
      const err = await wasmVsCpu(() =>
        tf.conv2d(tf.tensor4d(values(batch * h * w * cin, 25), [batch, h, w, cin]), tf.tensor4d(values(k * k * cin * cout, 26), [k, k, cin, cout]), stride, pad),
      );
      assert.ok(err < 1e-5, `relative error ${err}`);
    });
  }

  it('conv2d forward with explicit uneven padding', async () => {
    const pad: tf.backend_util.ExplicitPadding = [
      [0, 0],
      [2, 0],
      [0, 1],
      [0, 0],
    ];
    const err = await wasmVsCpu(() => tf.conv2d(tf.tensor4d(values(2 * 6 * 7 * 9, 29), [2, 6, 7, 9]), tf.tensor4d(values(3 * 3 * 9 * 12, 30), [3, 3, 9, 12]), [1, 2], pad));
    assert.ok(err < 1e-5, `relative error ${err}`);
  });

  it('conv2d forward with a dilated filter (the stock kernel)', async () => {
    const err = await wasmVsCpu(() =>
      tf.conv2d(tf.tensor4d(values(2 * 9 * 9 * 8, 27), [2, 9, 9, 8]), tf.tensor4d(values(3 * 3 * 8 * 16, 28), [3, 3, 8, 16]), 1, 'same', 'NHWC', 2),
    );
    assert.ok(err < 1e-5, `relative error ${err}`);
  });

  for (const [shape, perm] of [
    [
      [5, 3, 4, 18],
      [3, 1, 2, 0],
    ],
    [
      [17, 33],
      [1, 0],
    ],
    [
      [2, 3, 4, 5, 6],
      [4, 0, 3, 1, 2],
    ],
  ] as const) {
    it(`transpose ${JSON.stringify(shape)} by ${JSON.stringify(perm)}, float32 and int32`, async () => {
      const size = shape.reduce((p, n) => p * n, 1);
      const floats = () => tf.transpose(tf.tensor(values(size, 13), [...shape]), [...perm]);
      const ints = () =>
        tf.transpose(
          tf.tensor(
            Int32Array.from({ length: size }, (_, k) => k),
            [...shape],
            'int32',
          ),
          [...perm],
        );
      for (const f of [floats, ints]) {
        const [got, expected] = [await on('wasm', f), await on('cpu', f)];
        assert.deepEqual(Array.from(got[0]), Array.from(expected[0]));
      }
    });
  }

  it('batch-norm column sums over 100,003 rows and 5 channels (a SIMD group and a tail)', async () => {
    const err = await wasmVsCpu(() => {
      const a = tf.tensor2d(values(100003 * 5, 14), [100003, 5]);
      const b = tf.tensor2d(values(100003 * 5, 15), [100003, 5]);
      if (tf.getBackend() === 'cpu') return [tf.mul(tf.sum(a, 0), 0.5), tf.mul(tf.sum(tf.mul(a, b), 0), 0.5)];
      return batchNormKernelsWasm.sums(a, b, 0.5);
    });
    assert.ok(err < 1e-5, `relative error ${err}`);
  });

  it('batch-norm output and input gradient, 7 channels', async () => {
    const err = await wasmVsCpu(() => {
      const x = tf.tensor4d(values(3 * 5 * 4 * 7, 16), [3, 5, 4, 7]);
      const dy = tf.tensor4d(values(3 * 5 * 4 * 7, 17), [3, 5, 4, 7]);
      const [m, v, g, b, k1, k2, k3] = [18, 19, 20, 21, 22, 23, 24].map((seed) => tf.tensor1d(values(7, seed)));
      const variance = tf.abs(v) as tf.Tensor1D;
      if (tf.getBackend() === 'cpu') return [tf.batchNorm4d(x, m, variance, b, g, 1e-3), tf.add(tf.mul(dy, k1), tf.batchNorm4d(x, m, variance, k3, k2, 1e-3))];
      return [batchNormKernelsWasm.normalise(x, m, variance, g, b, 1e-3), batchNormKernelsWasm.inputGradient(dy, x, m, variance, 1e-3, k1, k2, k3)];
    });
    assert.ok(err < 1e-5, `relative error ${err}`);
  });

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
