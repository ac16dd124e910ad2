import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveConfig } from '../../src/protocol/config';
import type { TrainerEvent } from '../../src/protocol/messages';
import { configFromOverrides, QUICK_CHECK, runSizeOf } from '../../src/extension/start/runChoices';
import { estimateRun, measureThroughput } from '../../src/extension/start/runEstimate';
import { startedEvent, wasmBackend } from '../fixtures/events';

// Recorded on the build machine: the convnet on wasm, batch 256 x 2 views in 2.5 s per step (README, Benchmarks).
const wasm = { viewsPerSec: 204.8, probeImagesPerSec: 400, backend: 'wasm' };

test('estimate: the default run is 468 steps; time from the recorded views/s and probe rate', () => {
  const e = estimateRun(runSizeOf(resolveConfig({})), wasm);
  assert.equal(e.steps, 2 * Math.floor(60_000 / 256));
  // 468 steps x 256 x 2 views / 204.8 = 1170 s, plus 70,000 / 400 = 175 s of probe.
  assert.equal(e.seconds, 1170 + 175);
  assert.equal(e.text, '468 steps, about 22 min on wasm');
});

test('estimate: limits, views and the quick check', () => {
  const size = runSizeOf(resolveConfig({ dataset: { trainLimit: 10_000 }, views: 4 }));
  assert.deepEqual(size, { trainImages: 10_000, testImages: 10_000, epochs: 2, batchSize: 256, views: 4 });
  const quick = estimateRun(runSizeOf(configFromOverrides(QUICK_CHECK)), wasm);
  assert.equal(quick.steps, 15);
  assert.ok(quick.seconds! > 20 && quick.seconds! < 90, `quick check ${quick.seconds} s`);
  assert.equal(runSizeOf(resolveConfig({ dataset: { kind: 'synthetic', trainLimit: 1000 } })).trainImages, 1000);
});

test('estimate: unknown sizes and no record say so instead of guessing', () => {
  const folder = estimateRun(runSizeOf(resolveConfig({ dataset: { kind: 'folder', path: '/x' } })), wasm);
  assert.equal(folder.seconds, undefined);
  assert.match(folder.text, /steps known once the data is read/);
  const fresh = estimateRun(runSizeOf(resolveConfig({})));
  assert.equal(fresh.steps, 468);
  assert.match(fresh.text, /^468 steps; no time estimate yet/);
  assert.match(estimateRun(runSizeOf(resolveConfig({})), { viewsPerSec: 204.8, backend: 'wasm' }).text, /about 20 min plus the probe on wasm$/);
});

test('measured throughput: views/s over the epochs, probe images/s from the end of pretraining to the result', () => {
  const config = resolveConfig({ views: 2 });
  const events = [
    startedEvent({ runId: 'r', config, backend: wasmBackend, trainSize: 1000, testSize: 1000, stepsPerEpoch: 3 }),
    { type: 'epoch', t: 10_000, epoch: 0, loss: 1, lr: 0.1, imagesPerSec: 100, seconds: 8 },
    { type: 'epoch', t: 20_000, epoch: 1, loss: 1, lr: 0.1, imagesPerSec: 50, seconds: 8 },
    { type: 'probeResult', t: 25_000, checkpoint: 'last', top1: 0.5, bestTop1: 0.5, bestEpoch: 1, epochs: 5 },
  ] as TrainerEvent[];
  assert.deepEqual(measureThroughput(events), { backend: 'wasm', viewsPerSec: 150, probeImagesPerSec: 400 });
  assert.deepEqual(measureThroughput([events[0], events[3]]), { backend: 'wasm', probeImagesPerSec: 80 });
  assert.equal(measureThroughput([]), undefined);
});
