import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveConfig } from '../../src/protocol/config';
import type { TrainerEvent } from '../../src/protocol/messages';
import { probeRows } from '../../webview/probeTable';
import { SeriesStore } from '../../webview/series';
import { startedEvent, wasmBackend } from '../fixtures/events';

const step = (globalStep: number, loss: number | null): TrainerEvent => ({
  t: 1,
  type: 'step',
  epoch: 1,
  step: globalStep,
  globalStep,
  loss,
  lr: 0.1,
  imagesPerSec: 500,
  posSim: 0.5,
  negSim: 0.1,
});

test('steps become columns; a diverged loss (null) becomes NaN', () => {
  const store = new SeriesStore();
  const run = store.apply(
    'r',
    [
      startedEvent({ runId: 'r', config: resolveConfig({ epochs: 2 }), backend: wasmBackend, trainSize: 10, testSize: 5, stepsPerEpoch: 3 }),
      step(1, 2.5),
      step(2, null),
      step(3, 2.1),
      { t: 2, type: 'probeProgress', epoch: 1, epochs: 2, loss: 1, trainAcc: 0.5, testAcc: 0.4 },
      { t: 3, type: 'checkpoint', name: 'last', epoch: 1, globalStep: 3 },
      { t: 4, type: 'finished', state: 'completed', top1: 0.8 },
    ],
    false,
  );
  assert.deepEqual([...run.steps.view()], [1, 2, 3]);
  assert.deepEqual([...run.metrics.loss.view()], [2.5, NaN, 2.1]);
  assert.deepEqual([...run.probeTestAcc.view()], [0.4]);
  assert.equal(run.fold.state, 'completed');
  assert.equal(run.fold.top1, 0.8);
  assert.equal(run.fold.backend?.label, 'wasm (CPU)');
});

test('batches append, reset replaces, and versions move on every change', () => {
  const store = new SeriesStore();
  const a = store.apply('r', [step(1, 1)], false);
  const v = a.version;
  store.apply('r', [step(2, 1)], false);
  assert.equal(store.runs.get('r')!.steps.length, 2);
  assert.ok(store.runs.get('r')!.version > v);
  const b = store.apply('r', [step(9, 1)], true);
  assert.deepEqual([...b.steps.view()], [9]);
  assert.ok(b.version > a.version);
  store.drop(new Set());
  assert.equal(store.runs.size, 0);
});

test('a failed event keeps its error and hint', () => {
  const run = new SeriesStore().apply('r', [{ t: 1, type: 'failed', error: 'out of memory', hint: 'lower batchSize' }], false);
  assert.equal(run.fold.state, 'failed');
  assert.equal(run.fold.hint, 'lower batchSize');
});

test('steps replayed after a resume from an earlier checkpoint replace the old ones', () => {
  const store = new SeriesStore();
  const run = store.apply('r', [step(1, 5), step(2, 4), step(3, 3), step(4, 2.9), step(2, 4.1), step(3, 3.1)], false);
  assert.deepEqual([...run.steps.view()], [1, 2, 3]);
  assert.deepEqual([...run.metrics.loss.view()], [5, 4.1, 3.1]);
  assert.equal(run.epochOfStep.length, 3);
});

test("a probe of an earlier checkpoint is a record of its own: the headline stays the final checkpoint's; the table lists top-1 per checkpoint", () => {
  const store = new SeriesStore();
  const result = (checkpoint: string, globalStep: number, top1: number, t: number): TrainerEvent => ({
    t,
    type: 'probeResult',
    checkpoint,
    globalStep,
    top1,
    bestTop1: top1,
    bestEpoch: 9,
    epochs: 10,
    lr: 0.1,
    batchSize: 60,
  });
  const run = store.apply(
    'r',
    [
      step(1, 2.5),
      result('last', 30, 0.99, 5),
      { t: 6, type: 'finished', state: 'completed', top1: 0.99 },
      result('epoch-1', 10, 0.89, 7),
      { t: 8, type: 'finished', state: 'completed' },
    ],
    false,
  );
  assert.deepEqual([run.fold.top1, run.fold.top1Checkpoint], [0.99, 'last']);
  assert.deepEqual(
    run.fold.probes.map((p) => [p.checkpoint, p.top1]),
    [
      ['epoch-1', 0.89],
      ['last', 0.99],
    ],
  );
  const rows = probeRows([run], (id) => `run ${id}`);
  assert.deepEqual(
    rows.map((r) => [r.run, r.checkpoint, r.step, r.top1, r.best, r.settings, r.headline]),
    [
      ['run r', 'epoch-1', '10', '89.00%', '89.00% (epoch 10)', '10 epochs, lr 0.1, batch 60', false],
      ['run r', 'last', '30', '99.00%', '99.00% (epoch 10)', '10 epochs, lr 0.1, batch 60', true],
    ],
  );
  // a run recorded before probe records: the earlier probe's finished event no longer moves a headline that has its checkpoint
  store.apply('r', [result('epoch-1', 10, 0.5, 9), { t: 10, type: 'finished', state: 'completed', top1: 0.5 }], false);
  assert.equal(run.fold.top1, 0.99);
});
