/**
 * The real trainer (dist/cli.js) training on one thread and on a pool of
 * worker threads: the thread count it reports, the same losses, and a worker
 * that dies mid-run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTrainer } from './runTrainer';
import { listCheckpoints, readStatus } from '../../src/protocol/runFolder';
import type { TrainerEvent } from '../../src/protocol/messages';

const runsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'supcon-par-'));
const common = ['train', '--runs-dir', runsDir, '--dataset.kind', 'synthetic', '--batchSize', '32', '--probe.epochs', '1', '--backend', 'wasm', '--seed', '7', '--epochs', '1'];

const losses = (events: TrainerEvent[]) => events.flatMap((e) => (e.type === 'step' && e.loss !== null ? [e.loss] : []));
const backendOf = (events: TrainerEvent[]) => {
  const started = events[0];
  assert.equal(started.type, 'started');
  return started.type === 'started' ? started.backend : undefined;
};

// The first losses of this run on one thread, bit for bit as the trainer computes them since the ops layer's SIMD kernels.
const SINGLE_THREAD_LOSSES = [5.566431522369385, 5.513220310211182, 5.094804763793945, 5.193881988525391, 4.223228454589844];
// The same losses before worker threads and before the SIMD kernels (main at d0be6ee): float32 sums in another order, within 1e-5.
const BEFORE_SIMD_KERNELS = [5.566431999206543, 5.513221263885498, 5.094805717468262, 5.193873882293701, 4.2232489585876465];

let single: TrainerEvent[] = [];

test('threads 1 trains in one thread, with the single-thread results bit for bit', async () => {
  const r = await runTrainer([...common, '--threads', '1']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(backendOf(r.events)?.threads, 1);
  assert.match(r.stderr.split('\n')[0], /backend wasm \(CPU, 1 thread\)$/);
  assert.deepEqual(losses(r.events).slice(0, SINGLE_THREAD_LOSSES.length), SINGLE_THREAD_LOSSES);
  SINGLE_THREAD_LOSSES.forEach((l, i) => assert.ok(Math.abs(l - BEFORE_SIMD_KERNELS[i]) < 1e-5 * l, `step ${i + 1}: ${l} vs ${BEFORE_SIMD_KERNELS[i]}`));
  single = r.events;
});

test('threads 2 trains on two workers, says so in the first line, and follows the single-thread losses', async () => {
  const r = await runTrainer([...common, '--threads', '2']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(backendOf(r.events)?.threads, 2);
  assert.match(r.stderr.split('\n')[0], /backend wasm \(CPU, 2 threads\)$/);
  const [a, b] = [losses(r.events), losses(single)];
  assert.equal(a.length, b.length);
  // float32 sums in another order: equal at first, drifting apart slowly as training amplifies it
  for (let i = 0; i < 3; i++) assert.ok(Math.abs(a[i] - b[i]) < 1e-5 * b[i], `step ${i + 1}: ${a[i]} vs ${b[i]}`);
});

test('a worker that dies fails the run with its name and a checkpoint that resumes to the uninterrupted result', async () => {
  const whole = await runTrainer([...common, '--threads', '2']);
  assert.equal(whole.code, 0, whole.stderr);
  const failed = await runTrainer([...common, '--threads', '2'], { env: { SUPCON_TEST_WORKER_EXIT: '1:5' } });
  assert.equal(failed.code, 1);
  const status = readStatus(failed.runDir);
  assert.equal(status.state, 'failed');
  assert.match(status.error ?? '', /^training worker 2 of 2 exited unexpectedly \(exit code 3\); checkpoint "last" holds step 5: resume the run from it$/);
  assert.match(status.hint ?? '', /resume the run/);
  assert.equal(listCheckpoints(failed.runDir).find((c) => c.name === 'last')?.globalStep, 5);
  assert.deepEqual(losses(failed.events), losses(whole.events).slice(0, 5));

  const resumed = await runTrainer(['resume', '--run', failed.runDir]);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.equal(readStatus(failed.runDir).state, 'completed');
  assert.deepEqual(losses(resumed.events), losses(whole.events).slice(5));
});
