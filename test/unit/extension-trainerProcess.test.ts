import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { LiveRun, progressParts, RunOutcome } from '../../src/extension/launch/liveRun';
import { TrainerExit, TrainerProcess } from '../../src/extension/launch/trainerProcess';
import { resolveConfig } from '../../src/protocol/config';
import type { TrainerEvent } from '../../src/protocol/messages';
import { startedEvent, wasmBackend } from '../fixtures/events';

// A stand-in for dist/cli.js that speaks the trainer's IPC protocol.
const FAKE = `
const mode = process.argv[2];
const send = (e) => process.send({ ...e, t: Date.now() });
if (mode === 'usage') { process.stderr.write('error: epochs: expected an integer >= 1, got 0\\n'); process.exit(2); }
send(${JSON.stringify(startedEvent({ config: resolveConfig({ epochs: 2 }), backend: { ...wasmBackend, skipped: [{ backend: 'webgpu', reason: 'no adapter' }] } }))});
process.send({ type: 'step', t: 'not a number' });
console.log('hello from the trainer');
if (mode === 'fail') { send({ type: 'failed', error: 'out of memory', hint: 'lower batchSize' }); setTimeout(() => process.exit(1), 10); }
if (mode === 'crash') { setTimeout(() => process.kill(process.pid, 'SIGKILL'), 10); }
let step = 0;
const timer = mode === 'run' && setInterval(() => {
  step++;
  send({ type: 'step', epoch: 1, step, globalStep: step, loss: 2 / step, lr: 0.1, imagesPerSec: 100, posSim: 0.5, negSim: 0.1 });
}, 5);
process.on('message', (m) => {
  if (m && m.type === 'stop') {
    clearInterval(timer);
    send({ type: 'checkpoint', name: 'last', epoch: 1, globalStep: step });
    send({ type: 'finished', state: 'stopped' });
    setTimeout(() => process.exit(0), 10);
  }
});
`;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'supcon-fake-trainer-'));
const cli = path.join(dir, 'cli.js');
fs.writeFileSync(cli, FAKE);
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function runFake(mode: string, onStarted?: (run: LiveRun) => void) {
  const proc = new TrainerProcess([mode]);
  const run = new LiveRun('train', proc, dir);
  const events: TrainerEvent[] = [];
  const logs: string[] = [];
  const invalid: unknown[] = [];
  proc.on('log', (_s, t) => logs.push(t));
  proc.on('invalid', (m) => invalid.push(m));
  run.on('event', (e) => {
    events.push(e);
    if (e.type === 'started') onStarted?.(run);
  });
  const done = new Promise<{ outcome: RunOutcome; exit: TrainerExit }>((resolve) => {
    let outcome: RunOutcome;
    run.once('exit', (o) => (outcome = o));
    proc.once('exit', (exit) => setImmediate(() => resolve({ outcome, exit })));
  });
  proc.start({ node: process.execPath, cli, env: { ...process.env } });
  return { run, proc, events, logs, invalid, done };
}

test('stop asks the trainer to finish: it checkpoints, reports stopped and exits 0', async () => {
  const f = runFake('run', (run) => setTimeout(() => run.stop(), 60));
  const { outcome, exit } = await f.done;
  assert.equal(exit.code, 0);
  assert.equal(outcome.state, 'stopped');
  assert.equal(f.run.runId, '20261128-000000-fake-0001');
  assert.equal(f.run.runDir, path.join(dir, '20261128-000000-fake-0001'));
  assert.equal(f.run.backend?.skipped[0].backend, 'webgpu');
  assert.ok(f.events.some((e) => e.type === 'step'));
  assert.ok(f.run.progress.loss !== undefined && f.run.progress.fraction !== undefined);
  assert.equal(f.invalid.length, 1, 'the malformed step is reported, not forwarded');
  assert.match(f.logs.join(''), /hello from the trainer/);
  assert.deepEqual(f.run.history.map((e) => e.type).slice(-2), ['checkpoint', 'finished']);
});

test('a failed event carries error and hint into the outcome', async () => {
  const { outcome, exit } = await runFake('fail').done;
  assert.equal(exit.code, 1);
  assert.deepEqual(outcome, { state: 'failed', error: 'out of memory', hint: 'lower batchSize' });
});

test('exit code 2 reports the stderr line naming the field', async () => {
  const { outcome } = await runFake('usage').done;
  assert.equal(outcome.state, 'failed');
  assert.equal(outcome.error, 'error: epochs: expected an integer >= 1, got 0');
});

test('a crashing trainer is a failed run, not an exception', async () => {
  const { outcome } = await runFake('crash').done;
  assert.equal(outcome.state, 'failed');
  assert.match(outcome.error!, /SIGKILL/);
});

test('a trainer that cannot start is reported', async () => {
  const proc = new TrainerProcess(['x']);
  const run = new LiveRun('train', proc, dir);
  const outcome = new Promise<RunOutcome>((r) => run.once('exit', r));
  proc.start({ node: path.join(dir, 'no-such-node'), cli, env: {} });
  const o = await outcome;
  assert.equal(o.state, 'failed');
  assert.match(o.error!, /Could not start the trainer/);
});

test('progress reads as people count epochs', () => {
  assert.deepEqual(progressParts('train', { epoch: 0, epochs: 3 }), ['epoch 1/3']);
  assert.deepEqual(progressParts('train', { epoch: 2, epochs: 3, loss: 1.23456, imagesPerSec: 850.4 }), ['epoch 2/3', 'loss 1.235', '850 img/s']);
  assert.deepEqual(progressParts('probe', { epoch: 2, epochs: 3 }), []);
});
