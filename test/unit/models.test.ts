import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/trainer/backend/tf';
import { initBackend } from '../../src/trainer/backend/init';
import { batchNormTraining, createEncoder, createProjectionHead } from '../../src/trainer/models';
import { Rng } from '../../src/trainer/rng';

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what: string) => {
  assert.equal(a.length, b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / (Math.abs(b[i]) + 1e-3));
  assert.ok(worst < tol, `${what}: relative error ${worst}`);
};

for (const backend of ['cpu', 'wasm'] as const)
  test(`batch norm in training mode on ${backend} matches autograd of the textbook formula`, async () => {
    await initBackend(backend);
    const x = tf.randomNormal([4, 5, 5, 3], 1, 2, 'float32', 1) as tf.Tensor4D;
    const gamma = tf.variable(tf.tensor1d([1.5, -0.5, 2]));
    const beta = tf.variable(tf.tensor1d([0.1, 0.2, -0.3]));
    const upstream = tf.randomNormal([4, 5, 5, 3], 0, 1, 'float32', 2);
    const bn = { gamma, beta, mean: tf.variable(tf.zeros([3]), false), variance: tf.variable(tf.ones([3]), false) };
    const ours = (xx: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.mul(batchNormTraining(xx as tf.Tensor4D, { ...bn, gamma: g as tf.Variable, beta: b as tf.Variable }), upstream));
    const textbook = (xx: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
      const { mean, variance } = tf.moments(xx, [0, 1, 2]);
      return tf.sum(tf.mul(tf.add(tf.mul(tf.div(tf.sub(xx, mean), tf.sqrt(tf.add(variance, 1e-5))), g), b), upstream));
    };
    const [v1, g1] = [ours(x, gamma, beta), tf.grads(ours)([x, gamma, beta])];
    const [v2, g2] = [textbook(x, gamma, beta), tf.grads(textbook)([x, gamma, beta])];
    close(await v1.data(), await v2.data(), 1e-4, 'value');
    for (let i = 0; i < 3; i++) close(await g1[i].data(), await g2[i].data(), 1e-3, `gradient ${['x', 'gamma', 'beta'][i]}`);
    // running statistics moved a tenth of the way to the batch statistics (several calls above)
    const m = await bn.mean.data();
    assert.ok(Math.abs(m[0]) > 0.05 && Math.abs(m[0]) < 1, `running mean ${m[0]}`);
  });

test('encoders give pooled features of their stated size, the head unit vectors', async () => {
  await tf.setBackend('cpu');
  for (const [name, dim] of [
    ['convnet', 64],
    ['resnet18', 512],
  ] as const) {
    const enc = createEncoder(name, 1, new Rng(0));
    const h = enc.forward(tf.zeros([2, 16, 16, 1]), false);
    assert.deepEqual(h.shape, [2, dim]);
    enc.params.dispose();
  }
  const head = createProjectionHead(8, 4, new Rng(0));
  // seeded: an unseeded row whose hidden units all fall below zero would project to the zero vector
  const z = await head.forward(tf.randomNormal([3, 8], 0, 1, 'float32', 7) as tf.Tensor2D).array();
  for (const row of z) assert.ok(Math.abs(Math.hypot(...row) - 1) < 1e-5);
});

test('the same seed gives the same initial weights', async () => {
  await tf.setBackend('cpu');
  const a = createEncoder('convnet', 3, new Rng(42));
  const b = createEncoder('convnet', 3, new Rng(42));
  const wa = await a.params.trainable.get('encoder/conv1/filter')!.data();
  const wb = await b.params.trainable.get('encoder/conv1/filter')!.data();
  assert.deepEqual(Array.from(wa), Array.from(wb));
});
