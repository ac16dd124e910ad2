// Backend choice on a machine without CUDA, libtensorflow or a hardware GPU
// (the machines this project builds and tests on).
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import * as tf from '../../src/trainer/backend/tf';
import * as path from 'node:path';
import { initBackend, releaseBackend } from '../../src/trainer/backend/init';
import { installHint, packageRoot } from '../../src/trainer/backend/install';
import { readScalars } from '../../src/trainer/backend/readScalars';

describe('initBackend', () => {
  after(releaseBackend);

  it('auto takes the first backend that starts, here wasm, and says why each faster one was skipped', async (t) => {
    const info = await initBackend('auto');
    const ladder = ['gpu', 'webgpu', 'node', 'wasm', 'cpu'];
    const why = Object.fromEntries(info.skipped.map((s) => [s.backend, s.reason]));
    assert.deepEqual(Object.keys(why), ladder.slice(0, info.skipped.length));
    assert.equal(tf.getBackend(), info.name);
    if (info.name !== 'wasm') {
      t.skip(`a faster backend runs on this machine: ${info.label}`);
      return;
    }
    assert.deepEqual(Object.keys(why), ['gpu', 'webgpu', 'node']);
    assert.deepEqual({ gpu: info.gpu, threads: info.threads }, { gpu: false, threads: 1 });
    assert.match(info.label, /wasm/);
    assert.match(why.gpu, /tfjs-node-gpu is not installed: npm install @tensorflow\/tfjs-node-gpu \(needs CUDA 11\.2 \+ cuDNN 8\.1/);
    assert.match(why.webgpu, /no GPU device|software adapter|no WebGPU adapter|does not load/);
    assert.match(why.node, /tfjs-node is not installed: npm install @tensorflow\/tfjs-node/);
    // where to run it: the folder of the trainer's package.json (here the checkout)
    const root = path.resolve(__dirname, '../..');
    assert.ok(why.gpu.endsWith(`, run in ${root}`), why.gpu);
    assert.ok(why.node.endsWith(`, run in ${root}`), why.node);
    assert.equal(packageRoot(), root);
    // launched by the extension: the folder it keeps backends in, which its trainer finds through NODE_PATH
    assert.equal(installHint('@tensorflow/tfjs-node', '', { SUPCON_INSTALL_PREFIX: '/storage/gpu' }), 'npm install --prefix "/storage/gpu" @tensorflow/tfjs-node');
  });

  it('the wasm backend it starts can train a conv layer (its kernels are registered)', async () => {
    await initBackend('wasm');
    const g = tf.tidy(() => tf.grad((w) => tf.conv2d(tf.ones([1, 5, 5, 2]) as tf.Tensor4D, w as tf.Tensor4D, 1, 'same').sum())(tf.ones([3, 3, 2, 4])));
    assert.deepEqual(g.shape, [3, 3, 2, 4]);
    g.dispose();
  });

  it('forcing gpu throws a clear error naming what to install', async () => {
    await assert.rejects(
      initBackend('gpu'),
      /backend "gpu" cannot be used: @tensorflow\/tfjs-node-gpu is not installed: npm install @tensorflow\/tfjs-node-gpu \(needs CUDA 11\.2 \+ cuDNN 8\.1 on Linux\)/,
    );
  });

  it('forcing node throws a clear error', async () => {
    await assert.rejects(initBackend('node'), /backend "node" cannot be used: .*npm install @tensorflow\/tfjs-node/);
  });

  it('cpu works and reads scalars asynchronously', async () => {
    const info = await initBackend('cpu');
    assert.deepEqual({ name: info.name, gpu: info.gpu, skipped: info.skipped }, { name: 'cpu', gpu: false, skipped: [] });
    assert.equal(tf.getBackend(), 'cpu');
    const [a, b] = [tf.scalar(1.5), tf.tensor1d([2, 3])];
    assert.deepEqual(await readScalars(a, b), [1.5, 2]);
    tf.dispose([a, b]);
  });
});
