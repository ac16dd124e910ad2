/**
 * The real trainer as the extension runs it: dist/cli.js in a child process
 * with an IPC channel, on the small synthetic dataset.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTrainer } from './runTrainer';
import { listCheckpoints, readMetrics, readStatus, runFiles } from '../../src/protocol/runFolder';
import type { TrainerEvent } from '../../src/protocol/messages';

const runsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'supcon-it-'));
const common = ['--runs-dir', runsDir, '--dataset.kind', 'synthetic', '--batchSize', '32', '--probe.epochs', '8', '--backend', 'wasm', '--seed', '7'];

const ofType = <T extends TrainerEvent['type']>(events: TrainerEvent[], type: T) => events.filter((e): e is Extract<TrainerEvent, { type: T }> => e.type === type);

test('a run streams its events over IPC, records them, checkpoints, and probes above chance', async () => {
  const { code, events, runDir } = await runTrainer(['train', ...common, '--epochs', '2']);
  assert.equal(code, 0);
  const [started] = events;
  assert.equal(started.type, 'started');
  assert.ok(started.type === 'started' && started.backend.name === 'wasm' && started.backend.label.length > 0);
  const steps = ofType(events, 'step');
  assert.ok(steps.length >= 2);
  for (const s of steps) {
    assert.ok(Number.isFinite(s.loss) && s.lr > 0 && s.imagesPerSec > 0);
    assert.ok(s.posSim !== null && s.posSim >= -1 && s.posSim <= 1 && s.negSim !== null && s.negSim >= -1 && s.negSim <= 1);
  }
  assert.equal(ofType(events, 'epoch').length, 2);
  assert.ok(ofType(events, 'checkpoint').some((c) => c.name === 'last' && c.epoch === 2));
  assert.equal(ofType(events, 'probeProgress').length, 8);
  // representation diagnostics before training and after each epoch, on a fixed test subset
  const diagnostics = ofType(events, 'diagnostics');
  assert.deepEqual(
    diagnostics.map((d) => [d.epoch, d.globalStep]),
    [
      [0, 0],
      [1, steps.length / 2],
      [2, steps.length],
    ],
  );
  for (const d of diagnostics) {
    assert.equal(d.samples, 200);
    assert.ok(d.knnTop1 >= 0 && d.knnTop1 <= 1 && d.alignment >= 0 && d.alignment <= 4 && d.uniformity <= 0 && d.uniformity >= -4);
    assert.ok(d.effectiveRank >= 1 && d.effectiveRank <= d.dim && d.classSimilarity.length === 10);
  }
  assert.ok(diagnostics[2].knnTop1 > diagnostics[0].knnTop1, 'training improves the kNN monitor');
  const [result] = ofType(events, 'probeResult');
  assert.ok(result.top1 > 0.3, `probe top-1 ${result.top1} should be well above chance (0.1)`);
  assert.deepEqual(events.at(-1), { ...events.at(-1), type: 'finished', state: 'completed' });

  // The run folder holds exactly what was streamed.
  const recorded = readMetrics(runFiles(runDir).metrics).events;
  assert.deepEqual(recorded, events);
  const status = readStatus(runDir);
  assert.equal(status.state, 'completed');
  assert.equal(status.top1, result.top1);
  assert.deepEqual(
    listCheckpoints(runDir)
      .map((c) => c.name)
      .sort(),
    ['best', 'epoch-1', 'last'],
  );

  // Any checkpoint can be probed again later.
  const again = await runTrainer(['probe', '--run', runDir, '--checkpoint', 'epoch-1']);
  assert.equal(again.code, 0);
  assert.equal(ofType(again.events, 'probeResult')[0].checkpoint, 'epoch-1');
  assert.equal(readStatus(runDir).state, 'completed');
});

test('stop saves a checkpoint mid-epoch; resume continues to exactly the uninterrupted result', async () => {
  const args = ['train', ...common, '--epochs', '2', '--probe.epochs', '1'];
  const whole = await runTrainer(args);
  const stopped = await runTrainer(args, { stopAfterSteps: 3 });
  assert.equal(stopped.code, 0);
  assert.equal(stopped.events.at(-1)?.type, 'finished');
  assert.equal(readStatus(stopped.runDir).state, 'stopped');
  const last = listCheckpoints(stopped.runDir).find((c) => c.name === 'last');
  assert.ok(last && last.globalStep >= 3, 'a checkpoint is saved on stop');

  const resumed = await runTrainer(['resume', '--run', stopped.runDir]);
  assert.equal(resumed.code, 0);
  assert.equal(readStatus(stopped.runDir).state, 'completed');
  const loss = (events: TrainerEvent[]) => new Map(ofType(events, 'step').map((s) => [s.globalStep, s.loss]));
  const wholeLoss = loss(whole.events);
  const resumedLoss = loss(resumed.events);
  assert.ok(resumedLoss.size > 0);
  for (const [step, value] of resumedLoss) assert.equal(value, wholeLoss.get(step), `loss at step ${step}`);
  // Metrics were appended to the same file: every step appears once.
  const all = ofType(readMetrics(runFiles(stopped.runDir).metrics).events, 'step').map((s) => s.globalStep);
  assert.deepEqual(all, [...wholeLoss.keys()]);
});

test('a bad flag fails fast with the field named and exit code 2', async () => {
  const { code, stderr } = await runTrainer(['train', '--runs-dir', runsDir, '--temperature', '0']);
  assert.equal(code, 2);
  assert.match(stderr, /temperature: expected a number >= 0.01 and <= 10, got 0/);
});
