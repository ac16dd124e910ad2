// Training on the WebGPU backend matches the cpu backend, and the real trainer runs on it. Without a GPU this
// runs on Mesa's llvmpipe through Dawn's OpenGL ES backend; a clean Debian 12
// needs (checked on a debootstrap minbase):
//   apt-get install --no-install-recommends libegl1 libegl-mesa0 libgl1-mesa-dri libegl-dev
// libegl-dev only for the unversioned libEGL.so that Dawn opens. The trainer
// sets EGL_PLATFORM=surfaceless when unset. Each backend runs in its own
// process, which must exit by itself once the GPU is released.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import * as tf from '../../src/trainer/backend/tf';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { resolveConfig } from '../../src/protocol/config';
import { listCheckpoints, readStatus } from '../../src/protocol/runFolder';
import { initBackend, releaseBackend } from '../../src/trainer/backend/init';
import { readScalars } from '../../src/trainer/backend/readScalars';
import type { Dataset } from '../../src/trainer/data/dataset';
import { buildModel, disposeModel, modelVariables, trainStep } from '../../src/trainer/pretrain';
import { Rng } from '../../src/trainer/rng';
import { runTrainer } from './runTrainer';

const WORKER_ENV = 'SUPCON_WEBGPU_TEST_BACKEND';
const [BATCH, VIEWS, SIDE, STEPS] = [16, 2, 12, 3];

interface Trace {
  label?: string;
  error?: string;
  losses?: number[];
  /** Every variable after the steps, flattened. */
  grads?: number[][];
}

/** A few real training steps of the default encoder and projection head with the SupCon loss. */
async function train(backend: 'webgpu' | 'cpu'): Promise<Trace> {
  const info = await initBackend(backend);
  const config = resolveConfig({ batchSize: BATCH, views: VIEWS });
  const rng = new Rng(3);
  const count = BATCH * VIEWS * SIDE * SIDE;
  const pixels = Float32Array.from({ length: count }, () => rng.uniform(-1, 1));
  const labels = Int32Array.from({ length: BATCH }, (_, i) => i % 4);
  const model = buildModel(config, { channels: 1, classes: ['a', 'b', 'c', 'd'] } as Dataset);
  const trace: Trace = { label: info.label, losses: [], grads: [] };
  for (let step = 0; step < STEPS; step++) {
    const x = tf.tensor4d(pixels, [BATCH * VIEWS, SIDE, SIDE, 1]);
    const r = trainStep(model, config, x, labels, 0.05);
    trace.losses!.push((await readScalars(r.loss))[0]);
    tf.dispose([x, r.loss, r.posSim, r.negSim]);
  }
  // every weight after the updates: they carry every gradient of every step
  for (const v of modelVariables(model).values()) trace.grads!.push(Array.from(await v.data()));
  disposeModel(model);
  await releaseBackend();
  return trace;
}

/**
 * Convolution filter gradients of odd shapes (channels not a multiple of 4,
 * batch 1, stride 2, 1x1 filters, an inner dimension long enough to be split):
 * the ops layer's WebGPU Conv2DBackpropFilter against the cpu backend.
 */
const FILTER_CASES: [batch: number, side: number, cin: number, cout: number, k: number, stride: number, pad: 'same' | 'valid'][] = [
  [1, 7, 3, 5, 3, 1, 'same'],
  [2, 9, 6, 7, 3, 2, 'same'],
  [3, 8, 5, 4, 1, 2, 'valid'],
  [4, 6, 2, 3, 3, 1, 'valid'],
  [16, 12, 1, 32, 3, 1, 'same'],
];

async function filterGradients(backend: 'webgpu' | 'cpu'): Promise<Trace> {
  const info = await initBackend(backend);
  const rng = new Rng(5);
  const grads: number[][] = [];
  for (const [b, side, cin, cout, k, stride, pad] of FILTER_CASES) {
    const x = tf.tensor4d(
      Float32Array.from({ length: b * side * side * cin }, () => rng.uniform(-1, 1)),
      [b, side, side, cin],
    );
    const w = tf.tensor4d(
      Float32Array.from({ length: k * k * cin * cout }, () => rng.uniform(-1, 1)),
      [k, k, cin, cout],
    );
    const out = tf.conv2d(x, w, stride, pad);
    const up = tf.tensor(
      Float32Array.from({ length: out.size }, () => rng.uniform(-1, 1)),
      out.shape,
    );
    const g = tf.grad((f) =>
      tf
        .conv2d(x, f as tf.Tensor4D, stride, pad)
        .mul(up)
        .sum(),
    )(w);
    grads.push(Array.from(await g.data()));
    tf.dispose([x, w, out, up, g]);
  }
  await releaseBackend();
  return { label: info.label, grads };
}

/** Runs a worker in a child process; a hang (GPU not released) fails rather than blocks. */
function trainInChild(backend: string): Trace {
  const r = spawnSync(process.execPath, ['--import', 'tsx', __filename], {
    env: { ...process.env, [WORKER_ENV]: backend },
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    timeout: 420_000,
  });
  assert.notEqual(r.signal, 'SIGTERM', `the ${backend} process did not exit within 420 s`);
  const line = r.stdout.trim().split('\n').at(-1) ?? '';
  assert.ok(line.startsWith('{'), `the ${backend} process printed no result (status ${r.status}): ${r.stderr.slice(-2000)}`);
  return JSON.parse(line) as Trace;
}

/** max |a - b| over max |b|. */
function relError(a: number[], b: number[]): number {
  const worst = Math.max(...a.map((v, i) => Math.abs(v - b[i])));
  return worst / Math.max(...b.map(Math.abs));
}

const worker = process.env[WORKER_ENV];
if (worker) {
  const [backend, job] = worker.split(':') as ['webgpu' | 'cpu', string?];
  (job === 'filter' ? filterGradients(backend) : train(backend)).then(
    (trace) => console.log(JSON.stringify(trace)),
    (e: Error) => console.log(JSON.stringify({ error: e.message })),
  );
} else {
  describe('webgpu backend', () => {
    let gpu: Trace | undefined;
    it('trains the default encoder like the cpu backend, and lets the process exit', (t) => {
      gpu = trainInChild('webgpu');
      if (gpu.error) {
        t.skip(`no WebGPU adapter here: ${gpu.error}`);
        return;
      }
      const cpu = trainInChild('cpu');
      assert.ifError(cpu.error);
      gpu.losses!.forEach((l, i) => assert.ok(Math.abs(l - cpu.losses![i]) <= 1e-4 * Math.abs(cpu.losses![i]), `step ${i} loss ${l} vs ${cpu.losses![i]}`));
      const errors = gpu.grads!.map((g, i) => relError(g, cpu.grads![i]));
      t.diagnostic(`on ${gpu.label}: losses ${gpu.losses!.join(', ')}; largest gradient error ${Math.max(...errors).toExponential(1)}`);
      errors.forEach((err, i) => assert.ok(err < 1e-3, `variable ${i}: relative error ${err}`));
    });

    it('computes convolution filter gradients like the cpu backend', (t) => {
      if (!gpu || gpu.error) return t.skip(`no WebGPU adapter here: ${gpu?.error}`);
      const [onGpu, onCpu] = [trainInChild('webgpu:filter'), trainInChild('cpu:filter')];
      assert.ifError(onGpu.error);
      FILTER_CASES.forEach((c, i) => {
        const err = relError(onGpu.grads![i], onCpu.grads![i]);
        assert.ok(err < 1e-5, `filter gradient ${c.join(' ')}: relative error ${err}`);
      });
    });

    it('runs the real trainer end to end: stop with a checkpoint, resume, probe', async (t) => {
      if (!gpu || gpu.error) return t.skip(`no WebGPU adapter here: ${gpu?.error}`);
      const runsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'supcon-webgpu-'));
      // a small monitor: its metrics run on WebGPU too, and a software adapter is slow
      const args = [
        '--dataset.kind',
        'synthetic',
        '--dataset.trainLimit',
        '64',
        '--dataset.testLimit',
        '50',
        '--batchSize',
        '16',
        '--probe.epochs',
        '3',
        '--monitor.samples',
        '20',
        '--monitor.bank',
        '32',
      ];
      const first = await runTrainer(['train', '--runs-dir', runsDir, '--backend', 'webgpu', '--epochs', '2', ...args], { stopAfterSteps: 2 });
      assert.equal(first.code, 0, first.stderr);
      const started = first.events[0];
      assert.ok(started.type === 'started' && started.backend.name === 'webgpu' && started.backend.adapter, 'the first event names the adapter');
      assert.equal(readStatus(first.runDir).state, 'stopped');
      assert.ok(listCheckpoints(first.runDir).some((c) => c.name === 'last'));
      const resumed = await runTrainer(['resume', '--run', first.runDir]);
      assert.equal(resumed.code, 0, resumed.stderr);
      const result = resumed.events.find((e) => e.type === 'probeResult');
      assert.ok(result && result.type === 'probeResult' && result.top1 > 0.15, `probe top-1 ${JSON.stringify(result)}`);
      assert.equal(readStatus(first.runDir).state, 'completed');
      const measured = resumed.events.filter((e) => e.type === 'diagnostics');
      assert.ok(
        measured.length > 0 && measured.every((d) => d.type === 'diagnostics' && d.samples === 20 && d.effectiveRank >= 1 && d.uniformity <= 0),
        'diagnostics measured on WebGPU',
      );
    });
  });
}
