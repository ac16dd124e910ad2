/**
 * Bad messages from the trainer over IPC, as the extension receives them: a
 * stand-in trainer sends one given message among valid ones; the bad one is
 * ignored and the rest of the run reads normally. And a trainer that ignores
 * stop and SIGTERM is killed by the third stop.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LiveRun, RunOutcome } from '../../src/extension/launch/liveRun';
import { TrainerProcess } from '../../src/extension/launch/trainerProcess';
import { FAKE_RUN_ID, finishedEvent, startedEvent } from '../fixtures/events';
import { BadInput, badInputs, exactly, runsDir } from '../fixtures/faults/badInput';
import { tmpDir } from '../fixtures/faults/harness';

/** Writes terminal control bytes, sends the message given as its argument, then a whole run. */
const FAKE = `
const send = (e) => process.send({ ...e, t: Date.now() });
process.stdout.write(Buffer.from([0, 255, 10, 27, 91, 50, 74]));
process.send(JSON.parse(process.argv[2]));
send(${JSON.stringify(startedEvent())});
send(${JSON.stringify(finishedEvent())});
setTimeout(() => process.exit(0), 20);
`;
const fakeCli = path.join(tmpDir('fake-trainer'), 'cli.js');
fs.writeFileSync(fakeCli, FAKE);

/** What the extension makes of a trainer sending `message`: the rejected messages and the run's outcome. */
function trainerSends(message: unknown) {
  return () =>
    new Promise<string>((resolve) => {
      const proc = new TrainerProcess([JSON.stringify(message)]);
      const run = new LiveRun('train', proc, runsDir);
      const invalid: unknown[] = [];
      proc.on('invalid', (m) => invalid.push(m));
      run.once('exit', (o: RunOutcome) => resolve(`ignored ${JSON.stringify(invalid)}; run ${run.runId} in ${path.relative(runsDir, run.runDir ?? '')}: ${o.state}`));
      proc.start({ node: process.execPath, cli: fakeCli, env: { ...process.env } });
    });
}
/** Ignored, and the rest of the run reads normally. */
const ignoredThen = (message: unknown) => exactly(`ignored [${JSON.stringify(message)}]; run ${FAKE_RUN_ID} in ${FAKE_RUN_ID}: completed`);
const ipcCase = (what: string, message: unknown): BadInput => ({ what, input: () => trainerSends(message), error: ignoredThen(message) });

const cases: BadInput[] = [
  ipcCase('a bare string', 'hello'),
  ipcCase('a step without its fields', { type: 'step', t: 1 }),
  ipcCase('a forged run id that leaves the runs directory', {
    type: 'started',
    t: 1,
    runId: '../../elsewhere',
    config: {},
    backend: {},
    trainSize: 1,
    testSize: 1,
    stepsPerEpoch: 1,
  }),
  ipcCase('a finish in an unknown state', { type: 'finished', t: 1, state: 'exploded' }),
  ipcCase('a loss sent as text', { type: 'epoch', t: 1, epoch: 0, loss: 'NaN', lr: 0.1, imagesPerSec: 1, seconds: 1 }),
];

badInputs('ipc', cases, 5);

test('a trainer that does not answer stop or SIGTERM is killed by the third stop; the run is failed with the signal named', async () => {
  const cli = path.join(path.dirname(fakeCli), 'deaf.js');
  fs.writeFileSync(
    cli,
    "process.on('SIGTERM', () => {}); process.on('message', () => {}); process.send({ t: Date.now(), type: 'log', level: 'info', message: 'busy' }); setInterval(() => {}, 1000);",
  );
  const proc = new TrainerProcess([]);
  const run = new LiveRun('train', proc, runsDir);
  const outcome = new Promise<RunOutcome>((resolve) => run.once('exit', resolve));
  proc.once('event', () => {
    proc.stop();
    proc.stop();
    setTimeout(() => {
      assert.ok(proc.running, 'it ignored both');
      proc.stop();
    }, 200);
  });
  proc.start({ node: process.execPath, cli, env: { ...process.env } });
  const o = await outcome;
  assert.deepEqual([o.state, o.error], ['failed', 'The trainer was ended by SIGKILL.']);
});
