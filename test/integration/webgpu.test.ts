// Training on the WebGPU backend matches the cpu backend. Without a GPU this
// runs on Mesa's llvmpipe through Dawn's OpenGL ES backend; a clean Debian 12
// needs (checked on a debootstrap minbase):
//   apt-get install --no-install-recommends libegl1 libegl-mesa0 libgl1-mesa-dri libegl-dev
// libegl-dev only for the unversioned libEGL.so that Dawn opens. The trainer
// sets EGL_PLATFORM=surfaceless when unset. Each backend runs in its own
// process, which must exit by itself once the GPU is released.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initBackend, readScalars, releaseBackend } from '../../src/trainer/backend';
import { supConLoss } from '../../src/trainer/losses';

const WORKER_ENV = 'SUPCON_WEBGPU_TEST_BACKEND';
const [BATCH, VIEWS, SIDE, STEPS] = [16, 2, 12, 2];

interface Trace {
  label?: string;
  error?: string;
  losses?: number[];
  /** Every gradient of every step, flattened. */
  grads?: number[][];
}

/** Deterministic values in [-scale, scale). */
function values(n: number, seed: number, scale = 1): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 2 ** 31 - 1) * scale;
  }
  return out;
}

/** conv3x3 + batch norm + relu, 2x2 average pool, dense, L2 normalise, supConLoss over two views. */
async function train(backend: 'webgpu' | 'cpu'): Promise<Trace> {
  const info = await initBackend(backend);
  const params = [
    tf.variable(tf.tensor4d(values(9 * 8, 1, 0.5), [3, 3, 1, 8]), true, 'conv'),
    tf.variable(tf.ones([8]), true, 'bnScale'),
    tf.variable(tf.zeros([8]), true, 'bnOffset'),
    tf.variable(tf.tensor2d(values(6 * 6 * 8 * 16, 2, 0.1), [6 * 6 * 8, 16]), true, 'dense'),
    tf.variable(tf.zeros([16]), true, 'denseBias'),
  ];
  const [conv, bnScale, bnOffset, dense, denseBias] = params;
  const images = tf.tensor4d(values(VIEWS * BATCH * SIDE * SIDE, 3), [VIEWS * BATCH, SIDE, SIDE, 1]);
  const labels = tf.tensor1d(Array.from({ length: BATCH }, (_, i) => i % 4), 'int32');
  const loss = () =>
    tf.tidy(() => {
      const h = tf.conv2d(images, conv as tf.Variable<tf.Rank.R4>, 1, 'same');
      const { mean, variance } = tf.moments(h, [0, 1, 2]);
      const a = tf.relu(tf.batchNorm(h, mean, variance, bnOffset as tf.Tensor1D, bnScale as tf.Tensor1D, 1e-3));
      const z = tf.avgPool(a as tf.Tensor4D, 2, 2, 'valid').reshape([VIEWS * BATCH, -1]).matMul(dense).add(denseBias);
      const unit = z.div(z.norm('euclidean', 1, true));
      return supConLoss(unit.reshape([VIEWS, BATCH, 16]).transpose([1, 0, 2]) as tf.Tensor3D, labels);
    }) as tf.Scalar;
  const trace: Trace = { label: info.label, losses: [], grads: [] };
  for (let step = 0; step < STEPS; step++) {
    const { value, grads } = tf.variableGrads(loss, params);
    trace.losses!.push((await readScalars(value))[0]);
    for (const p of params) trace.grads!.push(Array.from(await grads[p.name].data()));
    tf.tidy(() => params.forEach((p) => p.assign(p.sub(grads[p.name].mul(0.1)))));
    tf.dispose([value, ...Object.values(grads)]);
  }
  tf.dispose([...params, images, labels]);
  await releaseBackend();
  return trace;
}

/** Runs `train` in a child process; a hang (GPU not released) fails rather than blocks. */
function trainInChild(backend: string): Trace {
  const r = spawnSync(process.execPath, ['--import', 'tsx', __filename], {
    env: { ...process.env, [WORKER_ENV]: backend },
    encoding: 'utf8',
    timeout: 180_000,
  });
  assert.notEqual(r.signal, 'SIGTERM', `the ${backend} process did not exit within 180 s`);
  const line = r.stdout.trim().split('\n').at(-1) ?? '';
  assert.ok(line.startsWith('{'), `the ${backend} process printed no result (status ${r.status}): ${r.stderr.slice(-2000)}`);
  return JSON.parse(line) as Trace;
}

/** max |a - b| over max |b|. */
function relError(a: number[], b: number[]): number {
  const worst = Math.max(...a.map((v, i) => Math.abs(v - b[i])));
  return worst / Math.max(...b.map(Math.abs));
}

const worker = process.env[WORKER_ENV] as 'webgpu' | 'cpu' | undefined;
if (worker) {
  train(worker).then(
    (trace) => console.log(JSON.stringify(trace)),
    (e: Error) => console.log(JSON.stringify({ error: e.message })),
  );
} else {
  describe('webgpu backend', () => {
    it('trains a small conv net like the cpu backend, and lets the process exit', (t) => {
      const gpu = trainInChild('webgpu');
      if (gpu.error) {
        t.skip(`no WebGPU adapter here: ${gpu.error}`);
        return;
      }
      const cpu = trainInChild('cpu');
      assert.ifError(cpu.error);
      gpu.losses!.forEach((l, i) => assert.ok(Math.abs(l - cpu.losses![i]) <= 1e-4 * Math.abs(cpu.losses![i]), `step ${i} loss ${l} vs ${cpu.losses![i]}`));
      const errors = gpu.grads!.map((g, i) => relError(g, cpu.grads![i]));
      t.diagnostic(`on ${gpu.label}: losses ${gpu.losses!.join(', ')}; largest gradient error ${Math.max(...errors).toExponential(1)}`);
      errors.forEach((err, i) => assert.ok(err < 1e-3, `gradient ${i}: relative error ${err}`));
    });
  });
}
