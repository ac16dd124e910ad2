/**
 * How the extension reads a trainer's exit once a signal stopped it: the CLI
 * exits 130 (SIGINT) or 143 (SIGTERM) after saving its checkpoint, which is
 * a stop the user asked for, not a failure; the same code without a
 * `finished stopped` event (a second signal quits at once) is an interrupted run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LiveRun, RunOutcome } from '../../src/extension/launch/liveRun';
import { TrainerProcess } from '../../src/extension/launch/trainerProcess';
import { finishedEvent, startedEvent } from '../fixtures/events';
import { tempDirs } from './tempDirs';

const tmp = tempDirs('supcon-liverun-exit-');

/**
 * A stand-in trainer that ignores the IPC stop, as one whose channel is gone
 * would, so the second Stop is SIGTERM: it then reports `finished` (when
 * `saves`) and exits 143, as the CLI does.
 */
function fakeTrainer(saves: boolean): string {
  const cli = path.join(tmp(), 'cli.js');
  fs.writeFileSync(
    cli,
    `const send = (e, cb) => process.send({ ...e, t: Date.now() }, cb);
process.on('message', () => {});
process.on('SIGTERM', () => ${saves ? `send(${JSON.stringify(finishedEvent({ state: 'stopped' }))}, () => process.exit(143))` : 'process.exit(143)'});
send(${JSON.stringify(startedEvent())});
setInterval(() => {}, 1000);`,
  );
  return cli;
}

function stopTwice(cli: string): Promise<RunOutcome> {
  const proc = new TrainerProcess([]);
  const run = new LiveRun('train', proc, path.join(os.tmpdir(), 'no-runs'));
  const outcome = new Promise<RunOutcome>((resolve) => run.once('exit', resolve));
  proc.once('event', () => {
    run.stop();
    run.stop();
  });
  proc.start({ node: process.execPath, cli, env: { ...process.env } });
  return outcome;
}

test('a trainer stopped by SIGTERM that saved and exited 143 reads as stopped, not failed', async () => {
  const o = await stopTwice(fakeTrainer(true));
  assert.deepEqual({ state: o.state, error: o.error }, { state: 'stopped', error: undefined });
});

test('exit 143 without a finished event is an interrupted run, named by its signal', async () => {
  const o = await stopTwice(fakeTrainer(false));
  assert.equal(o.state, 'failed');
  assert.equal(o.error, 'The trainer was ended by SIGTERM.');
  assert.match(o.hint ?? '', /resume it from its last checkpoint/);
});
