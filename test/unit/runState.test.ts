import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { resolveConfig } from '../../src/protocol/config';
import type { RunParent, RunState, TrainerEvent } from '../../src/protocol/messages';
import { readStatus, runFiles } from '../../src/protocol/runFolder';
import { foldEvents, foldRun, INITIAL_RUN, RunFold, secondsLeft, shownState } from '../../src/protocol/runState';
import { progressParts, runOutcome, runProgress } from '../../src/extension/launch/liveRun';
import { RunRecorder } from '../../src/trainer/io/recorder';
import { diagnosticsEvent } from '../fixtures/events';
import { tempDirs } from './tempDirs';

const tmp = tempDirs('runstate-');
const config = resolveConfig({ epochs: 2, dataset: { kind: 'synthetic' } });
const backend = { name: 'wasm', label: 'wasm (CPU)', version: '4.22.0', threads: 1, gpu: false, skipped: [] };
const RUN = '20261130-010000-supcon-synthetic-ab12';
/** 2 epochs of 3 steps: 6 steps in all. */
const started = (t: number, more: { resumedFrom?: string; forkedFrom?: RunParent; runId?: string } = {}): TrainerEvent => ({
  t,
  type: 'started',
  runId: RUN,
  config,
  backend,
  trainSize: 30,
  testSize: 10,
  stepsPerEpoch: 3,
  ...more,
});
const step = (globalStep: number, t: number, loss: number | null = 2 - globalStep / 10): TrainerEvent => ({
  t,
  type: 'step',
  epoch: Math.floor((globalStep - 1) / 3),
  step: ((globalStep - 1) % 3) + 1,
  globalStep,
  loss: loss as number,
  lr: 0.05,
  imagesPerSec: 100,
  posSim: 0.5,
  negSim: 0.1,
});
const epoch = (e: number, t: number): TrainerEvent => ({ t, type: 'epoch', epoch: e, loss: 1.5, lr: 0.05, imagesPerSec: 100, seconds: 3 });
const checkpoint = (name: string, e: number, globalStep: number, t: number): TrainerEvent => ({ t, type: 'checkpoint', name, epoch: e, globalStep });
const probeEpoch = (e: number, t: number): TrainerEvent => ({ t, type: 'probeProgress', epoch: e, epochs: 5, loss: 1, trainAcc: 0.5, testAcc: 0.4 + e / 100 });
const probeResult = (checkpointName: string, globalStep: number, top1: number, t: number): TrainerEvent => ({
  t,
  type: 'probeResult',
  checkpoint: checkpointName,
  globalStep,
  top1,
  bestTop1: top1,
  bestEpoch: 4,
  epochs: 5,
  lr: 0.1,
  batchSize: 10,
});
const finished = (state: 'completed' | 'stopped', t: number, top1?: number): TrainerEvent => ({ t, type: 'finished', state, top1 });

/** Pretraining of steps 1..n from t0, one step a second. */
const steps = (from: number, to: number, t0: number): TrainerEvent[] => Array.from({ length: to - from + 1 }, (_, i) => step(from + i, t0 + i * 1000));
const completedRun = (): TrainerEvent[] => [
  started(0),
  ...steps(1, 3, 1000),
  epoch(0, 3500),
  checkpoint('epoch-1', 1, 3, 3600),
  ...steps(4, 6, 4000),
  epoch(1, 6500),
  checkpoint('last', 2, 6, 6600),
  probeEpoch(0, 7000),
  probeEpoch(4, 8000),
  probeResult('last', 6, 0.8, 8100),
  finished('completed', 8200, 0.8),
];

/** The state every place shows: the fold's, joined with the host's liveness judgement. */
const shown = (events: TrainerEvent[], host: RunState | undefined): RunState | undefined => shownState(foldEvents(events), host);

test('a completed run: state, times, progress, headline and outcome', () => {
  const run = foldEvents(completedRun());
  assert.equal(run.state, 'completed');
  assert.deepEqual([run.startedAt, run.attemptStartedAt, run.endedAt], [0, 0, 8200]);
  assert.deepEqual([run.epoch, run.globalStep, run.loss], [1, 6, 2 - 0.6]);
  assert.deepEqual([run.top1, run.top1Checkpoint, run.probes.length], [0.8, 'last', 1]);
  assert.equal(shownState(run, 'completed'), 'completed');
  assert.equal(shownState(run, 'running'), 'completed', 'the events say it ended before the host has read status.json again');
  assert.deepEqual(runOutcome(run), { state: 'completed', top1: 0.8, probed: 'last' });
  const p = runProgress('train', run);
  assert.deepEqual([p.epoch, p.epochs, p.step, p.steps, p.fraction, p.probeEpoch, p.probeEpochs], [2, 2, 6, 6, 1, 5, 5]);
});

test('a stopped run stays stopped whatever the host says; it has no result', () => {
  const events = [started(0), ...steps(1, 2, 1000), checkpoint('last', 0, 2, 2500), finished('stopped', 2600)];
  const run = foldEvents(events);
  assert.deepEqual([run.state, run.endedAt, run.top1], ['stopped', 2600, undefined]);
  assert.equal(shown(events, 'interrupted'), 'stopped');
  assert.deepEqual(runOutcome(run), { state: 'stopped', top1: undefined, probed: undefined });
});

test('a failed run keeps its error and hint; a diverged step keeps the last loss seen', () => {
  const events = [
    started(0),
    step(1, 1000, 2.3),
    step(2, 2000, null),
    { t: 2100, type: 'failed', error: 'loss became NaN or infinite at step 2', hint: 'lower lr', step: 2 } as TrainerEvent,
  ];
  const run = foldEvents(events);
  assert.deepEqual([run.state, run.error, run.hint, run.endedAt, run.loss, run.globalStep], ['failed', 'loss became NaN or infinite at step 2', 'lower lr', 2100, 2.3, 2]);
  assert.equal(shown(events, 'interrupted'), 'failed');
  assert.deepEqual(runOutcome(run), { state: 'failed', error: 'loss became NaN or infinite at step 2', hint: 'lower lr' });
});

test('a run killed mid-step has no end event: running by its events, interrupted when the host sees its process gone', () => {
  const events = [started(0), ...steps(1, 4, 1000)];
  const run = foldEvents(events);
  assert.deepEqual([run.state, run.endedAt, run.globalStep, run.epoch], ['running', undefined, 4, 1]);
  assert.equal(shown(events, 'interrupted'), 'interrupted');
  assert.equal(shown(events, 'running'), 'running', 'alive, or on another host');
  assert.equal(shown(events, undefined), 'running');
  assert.equal(runOutcome(run), undefined, 'no outcome until the process exit tells one');
  assert.deepEqual(progressParts('train', runProgress('train', run)), ['epoch 2/2', 'step 4/6 · 1 s left', 'loss 1.600', '100 img/s']);
});

test('a run killed mid-probe: pretraining done, probe epochs seen, no result', () => {
  const events = completedRun().slice(0, -2);
  const run = foldEvents(events);
  assert.deepEqual([run.state, run.probeEpoch, run.probeEpochs, run.top1, run.probes.length], ['running', 4, 5, undefined, 0]);
  assert.equal(shown(events, 'interrupted'), 'interrupted');
  assert.deepEqual(progressParts('train', runProgress('train', run)), ['linear probe epoch 5/5']);
  assert.equal(runProgress('probe', run).fraction, 0.8);
});

test('before any event the host state stands; logs and warnings change nothing', () => {
  assert.equal(shownState(INITIAL_RUN, 'interrupted'), 'interrupted');
  assert.equal(shownState(INITIAL_RUN, undefined), undefined);
  const run = foldEvents([started(0)]);
  for (const quiet of [
    { t: 1, type: 'log', level: 'info', message: 'x' },
    { t: 1, type: 'warning', code: 'w', message: 'x' },
  ] as TrainerEvent[])
    assert.deepEqual(foldRun(run, quiet), run);
});

test('resumed after a kill from an earlier checkpoint: replayed steps, the pace restarts, the first start is kept, errors clear', () => {
  const first = [started(0), ...steps(1, 4, 1000), checkpoint('epoch-1', 1, 3, 3500), { t: 5000, type: 'failed', error: 'out of memory' } as TrainerEvent];
  // an hour later, resumed from epoch-1 (step 3): steps 4.. again, two seconds each
  const resumed = [...first, started(3_600_000, { resumedFrom: 'epoch-1' }), step(4, 3_602_000), step(5, 3_604_000)];
  const run = foldEvents(resumed);
  assert.deepEqual([run.state, run.error, run.hint, run.endedAt], ['running', undefined, undefined, undefined]);
  assert.deepEqual([run.startedAt, run.attemptStartedAt, run.resumedFrom], [0, 3_600_000, 'epoch-1']);
  assert.deepEqual([run.paceFrom?.globalStep, run.paceTo?.globalStep], [4, 5]);
  assert.equal(secondsLeft(run), 2, 'one step left at two seconds a step: the hour between attempts does not count');
  const done = foldEvents([step(6, 3_606_000), checkpoint('last', 2, 6, 3_606_500), probeResult('last', 6, 0.7, 3_607_000), finished('completed', 3_607_100, 0.7)], run);
  assert.deepEqual([done.state, done.top1, done.endedAt, done.startedAt], ['completed', 0.7, 3_607_100, 0]);
});

test('a replay inside one attempt (steps at or before the first timed) starts the pace again', () => {
  let run = foldEvents([started(0), step(1, 10_000)]);
  assert.equal(secondsLeft(run), undefined, 'one step: no pace yet');
  run = foldEvents([step(3, 30_000)], run);
  assert.equal(secondsLeft(run), 30, 'three steps left at ten seconds a step');
  run = foldEvents([step(1, 40_000), step(3, 44_000)], run);
  assert.equal(secondsLeft(run), 6);
});

test('a probe of an earlier checkpoint is its own record: the headline stays, the attempt reports its own result', () => {
  const completed = foldEvents(completedRun());
  const probed = foldEvents([started(9000, { resumedFrom: 'epoch-1' }), probeEpoch(4, 9500), probeResult('epoch-1', 3, 0.6, 9600), finished('completed', 9700)], completed);
  assert.deepEqual([probed.top1, probed.top1Checkpoint], [0.8, 'last']);
  assert.deepEqual(
    probed.probes.map((p) => [p.checkpoint, p.top1]),
    [
      ['epoch-1', 0.6],
      ['last', 0.8],
    ],
  );
  assert.deepEqual(runOutcome(probed), { state: 'completed', top1: 0.6, probed: 'epoch-1' });
  // a run recorded before probe records: finished carried the top-1
  assert.equal(foldEvents([started(0), finished('completed', 5, 0.42)]).top1, 0.42);
});

test('a forked run is a run of its own that names its parent; folding never changes the parent', () => {
  const parentEvents = completedRun();
  const parent = foldEvents(parentEvents);
  const snapshot = structuredClone(parent);
  const parentLink = { runId: RUN, checkpoint: 'epoch-1', globalStep: 3 };
  const fork = foldEvents([started(10_000, { runId: '20261130-020000-supcon-synthetic-cd34', forkedFrom: parentLink }), step(4, 11_000)]);
  assert.deepEqual([fork.runId, fork.forkedFrom, fork.state, fork.globalStep, fork.top1], ['20261130-020000-supcon-synthetic-cd34', parentLink, 'running', 4, undefined]);
  assert.deepEqual(parent, snapshot);
  assert.deepEqual(INITIAL_RUN, { probes: [] });
  // pure: each event gives a new object and leaves its input as it was; a batch folds as its events one by one
  let run: RunFold = INITIAL_RUN;
  for (const e of parentEvents) {
    const before = structuredClone(run);
    const next = foldRun(run, e);
    assert.notEqual(next, run);
    assert.deepEqual(run, before, `${e.type} changed its input`);
    run = next;
  }
  assert.deepEqual(run, parent);
  const half = foldEvents(parentEvents.slice(0, 5));
  const halfBefore = structuredClone(half);
  assert.deepEqual(foldEvents(parentEvents.slice(5), half), parent);
  assert.deepEqual(half, halfBefore);
});

test("the recorder's status.json is the fold: a killed run's stays running, and readStatus judges it interrupted", async () => {
  const runsDir = tmp();
  const recorder = RunRecorder.create(runsDir, config);
  for (const e of [started(0), ...steps(1, 3, 1000), epoch(0, 3500)]) {
    const { t: _t, ...body } = e;
    recorder.emit({ ...body, ...(e.type === 'started' ? { runId: recorder.runId } : {}) } as Parameters<RunRecorder['emit']>[0]);
  }
  recorder.close();
  const file = runFiles(recorder.runDir).status;
  const written = JSON.parse(fs.readFileSync(file, 'utf8'));
  assert.deepEqual([written.state, written.epoch, written.globalStep, written.lastLoss, written.backend.label], ['running', 0, 3, 2 - 0.3, 'wasm (CPU)']);
  // the trainer is killed: its pid no longer names a process on this host
  fs.writeFileSync(file, JSON.stringify({ ...written, pid: await deadPid() }));
  const host = readStatus(recorder.runDir).state;
  assert.equal(host, 'interrupted');
  assert.equal(shownState(foldEvents([started(0), ...steps(1, 3, 1000)]), host), 'interrupted');
  assert.equal(readStatus(recorder.runDir, `not-${os.hostname()}`).state, 'running', 'a pid of another host says nothing here');
});

/** The pid of a process that has ended. */
async function deadPid(): Promise<number> {
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, ['-e', '0']);
  await new Promise((r) => child.once('exit', r));
  return child.pid!;
}

test('a reopened run carries its probes and headline through the fold', () => {
  const runsDir = tmp();
  const first = RunRecorder.create(runsDir, config);
  const emit = (r: RunRecorder, e: TrainerEvent) => {
    const { t: _t, ...body } = e;
    r.emit({ ...body, ...(e.type === 'started' ? { runId: r.runId } : {}) } as Parameters<RunRecorder['emit']>[0]);
  };
  for (const e of completedRun()) emit(first, e);
  first.close();
  const again = RunRecorder.reopen(first.runDir);
  assert.deepEqual([again.status.state, again.status.globalStep, again.status.top1], ['running', 6, 0.8]);
  for (const e of [started(9000, { resumedFrom: 'epoch-1' }), probeResult('epoch-1', 3, 0.6, 9600), finished('completed', 9700)]) emit(again, e);
  again.close();
  const status = readStatus(path.join(runsDir, again.runId));
  assert.deepEqual([status.state, status.top1, status.top1Checkpoint, status.probes?.map((p) => p.checkpoint)], ['completed', 0.8, 'last', ['epoch-1', 'last']]);
});

test('a frozen-model pass shows until the next event but a log: the monitor between steps, the probe features before its epochs', () => {
  const phase = (t: number, name: 'monitor' | 'probeFeatures', images: number): TrainerEvent => ({ t, type: 'phase', phase: name, images });
  const log: TrainerEvent = { t: 0, type: 'log', level: 'info', message: 'x' };
  let run = foldEvents([started(0), phase(1, 'monitor', 11_000), log]);
  assert.deepEqual(run.phase, { name: 'monitor', images: 11_000 });
  assert.deepEqual(progressParts('train', runProgress('train', run)), ['epoch 1/2', 'measuring the representation: encoding 11,000 images']);
  run = foldEvents([step(1, 2)], run);
  assert.equal(run.phase, undefined);
  run = foldEvents([step(6, 3), phase(4, 'probeFeatures', 20_000)], run);
  assert.deepEqual(progressParts('train', runProgress('train', run)), ['linear probe: encoding 20,000 images']);
  run = foldEvents([{ t: 5, type: 'probeProgress', epoch: 0, epochs: 10, loss: 1, trainAcc: 0.5, testAcc: 0.5 }], run);
  assert.deepEqual(progressParts('train', runProgress('train', run)), ['linear probe epoch 1/10']);
});

test('time left: the measurements between steps are not the steps pace; those to come and the probe encoding are added at the measured rate', () => {
  const measure = (t: number, epoch: number, seconds: number): TrainerEvent[] => [
    { t, type: 'phase', phase: 'monitor', images: 100 },
    diagnosticsEvent({ t: t + seconds * 1000, epoch, globalStep: epoch * 3, seconds }),
  ];
  // 2 epochs of 3 steps at 1 s a step; each measurement encodes 100 images in 5 s; the probe encodes 30 + 10 images
  const run = foldEvents([started(0), ...measure(0, 0, 5), step(1, 6000), step(2, 7000), step(3, 8000), ...measure(8000, 1, 5), step(4, 14000)]);
  // 2 steps left at 1 s (14 s for 3 steps, 5 of them measuring), 1 measurement to come (5 s), 40 probe images at 20 images/s (2 s)
  assert.equal(secondsLeft(run), 2 + 5 + 2);
});
