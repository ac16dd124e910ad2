import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { AttachedTrainer } from '../../src/extension/launch/attachedTrainer';
import { LiveRun, RunOutcome } from '../../src/extension/launch/liveRun';
import { readMetricsPrefix } from '../../src/extension/dashboard/runFeed';
import { resolveConfig } from '../../src/protocol/config';
import { runFiles } from '../../src/protocol/runFolder';
import { startedEvent, wasmBackend } from '../fixtures/events';
import { tempDirs } from './tempDirs';

const tmp = tempDirs('attached-');

// A trainer left running by a window that was reloaded: it appends events to metrics.jsonl
// and, on SIGTERM, stops after its step with a checkpoint, as dist/cli.js does.
const ORPHAN = `
const fs = require('node:fs');
const file = process.argv[1];
const write = (e) => fs.appendFileSync(file, JSON.stringify({ t: Date.now(), ...e }) + '\\n');
let step = 3;
let timer;
setInterval(() => undefined, 1000); // alive until SIGTERM, steps or not
// steps begin on SIGUSR2, once the window has measured where following starts
process.on('SIGUSR2', () => { timer = setInterval(() => { step++; write({ type: 'step', epoch: 1, step, globalStep: step, loss: 1 / step, lr: 0.1, imagesPerSec: 100, posSim: 0.5, negSim: 0.1 }); }, 20); });
process.on('SIGTERM', () => {
  clearInterval(timer);
  write({ type: 'checkpoint', name: 'last', epoch: 1, globalStep: step });
  write({ type: 'finished', state: 'stopped' });
  process.exit(0);
});
process.stdout.write('ready\\n');
`;

test('after a reload, a run this window started is followed again from its file; Stop signals it and the run ends stopped', async () => {
  const runsDir = tmp();
  const id = '20261128-000000-orphan-0001';
  const runDir = path.join(runsDir, id);
  fs.mkdirSync(runDir);
  const earlier = [
    startedEvent({ t: 1, runId: id, config: resolveConfig({ epochs: 8 }), backend: wasmBackend, trainSize: 64, testSize: 8, stepsPerEpoch: 4 }),
    { t: 2, type: 'step', epoch: 0, step: 3, globalStep: 3, loss: 2, lr: 0.1, imagesPerSec: 90, posSim: 0.5, negSim: 0.1 },
  ];
  fs.writeFileSync(runFiles(runDir).metrics, earlier.map((e) => JSON.stringify(e) + '\n').join(''));
  const child = spawn(process.execPath, ['-e', ORPHAN, runFiles(runDir).metrics], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((r) => child.stdout!.once('data', r));

  const proc = new AttachedTrainer(runDir, child.pid!);
  const run = new LiveRun('train', proc, runsDir, id);
  run.prime(readMetricsPrefix(runFiles(runDir).metrics, run.spawnOffset));
  assert.deepEqual([run.config?.epochs, run.progress.epochs, run.progress.epoch], [8, 8, 1], 'progress known before any new event');
  const outcome = new Promise<RunOutcome>((r) => run.once('exit', r));
  proc.start(run.spawnOffset);
  child.kill('SIGUSR2');
  await new Promise((r) => run.once('event', r));
  assert.ok(run.progress.epoch === 2 && run.progress.loss! < 1, 'new steps arrive from the file');
  run.stop();
  const o = await outcome;
  assert.equal(o.state, 'stopped');
  assert.ok(
    run.history.some((e) => e.type === 'checkpoint'),
    'the checkpoint event was read',
  );
  assert.ok(!run.history.some((e) => e.type === 'started'), 'earlier events are primed, not replayed');
});
