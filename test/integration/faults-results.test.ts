/**
 * Results you can trust, through the trainer's command line: a probe refused
 * for a checkpoint that does not fit leaves its run byte-identical; a one-class
 * dataset is refused at load, naming the source and the class count; a colour
 * channel that never varies trains to a finite result with a warning naming
 * it; and no failure hint promises a checkpoint that was never saved.
 */
import { TINY_DATA } from '../fixtures/tinyRun';
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import type { TrainerEvent } from '../../src/protocol/messages';
import { listCheckpoints, listRuns, readStatus } from '../../src/protocol/runFolder';
import { fingerprint, startTrainer, tmpDir } from '../fixtures/faults/harness';
import { CLI, runTrainer } from './runTrainer';

const root = tmpDir('results');
const runsDir = path.join(root, 'runs');
const small = [...TINY_DATA, '--probe.epochs', '1', '--backend', 'wasm'];
const train = (...flags: string[]) => ['train', '--runs-dir', runsDir, ...small, ...flags];
let runA: string;
let runB: string;

const ofType = <T extends TrainerEvent['type']>(events: TrainerEvent[], type: T) => events.filter((e): e is Extract<TrainerEvent, { type: T }> => e.type === type);

before(async () => {
  const a = await runTrainer(train('--epochs', '1'));
  assert.equal(a.code, 0, a.stderr);
  const b = await runTrainer(train('--epochs', '1', '--projectionDim', '64'));
  assert.equal(b.code, 0, b.stderr);
  [runA, runB] = [a.runDir, b.runDir];
});

test('probing a checkpoint of another shape is refused and the completed run stays exactly as it was', async () => {
  const foreign = path.join(runA, 'checkpoints', 'foreign');
  fs.cpSync(path.join(runB, 'checkpoints', 'last'), foreign, { recursive: true });
  const before = fingerprint(runA);
  assert.equal(readStatus(runA).state, 'completed');
  const { code, stderr } = await startTrainer(['probe', '--run', runA, '--checkpoint', 'foreign']).done;
  assert.equal(code, 1, stderr);
  assert.match(stderr, /foreign: tensor "[^"]+" has shape \[\d+,64\], the model expects \[\d+,128\]/);
  assert.deepEqual([...fingerprint(runA)], [...before], 'status, metrics and checkpoints byte-identical');
  assert.equal(readStatus(runA).state, 'completed');
});

/** RGB images of `classes` classes; `pixel` gives each image's colour. */
async function imageFolder(name: string, classes: string[], perClass: number, pixel: (cls: number, i: number) => [number, number, number]): Promise<string> {
  const dir = path.join(root, name);
  for (const [c, cls] of classes.entries()) {
    fs.mkdirSync(path.join(dir, cls), { recursive: true });
    for (let i = 0; i < perClass; i++) {
      const [r, g, b] = pixel(c, i);
      const raw = Buffer.alloc(8 * 8 * 3);
      for (let p = 0; p < 64; p++) raw.set([(r + p * 3) % 256, (g + p * 5 + i) % 256, b], p * 3);
      await sharp(raw, { raw: { width: 8, height: 8, channels: 3 } })
        .png()
        .toFile(path.join(dir, cls, `${i}.png`));
    }
  }
  return dir;
}

test('a one-class dataset is refused at load, naming the folder and the class count; no run folder is left behind as running', async () => {
  const dir = await imageFolder('one-class', ['cats'], 12, (_, i) => [i * 20, i * 10, i * 5]);
  const runs = new Set(fs.readdirSync(runsDir));
  const { code, stderr } = await runTrainer([
    'train',
    '--runs-dir',
    runsDir,
    '--dataset.kind',
    'folder',
    '--dataset.path',
    dir,
    '--dataset.imageSize',
    '8',
    '--epochs',
    '1',
    '--batchSize',
    '8',
    '--backend',
    'wasm',
  ]);
  assert.equal(code, 1, stderr);
  const added = fs.readdirSync(runsDir).filter((d) => !runs.has(d));
  assert.equal(added.length, 1);
  const runDir = path.join(runsDir, added[0]);
  const status = readStatus(runDir);
  assert.equal(status.state, 'failed');
  assert.equal(
    status.error,
    `${dir}: the training split has 1 class; expected at least 2 (SupCon needs negatives from other classes and the linear probe needs classes to tell apart)`,
  );
  assert.equal(status.globalStep, 0, 'refused before the first step');
});

test('a blue channel that is always 0 trains to a finite probe result with a warning naming the channel', async () => {
  const dir = await imageFolder('no-blue', ['a', 'b', 'c'], 10, (c, i) => [c * 80 + i, 200 - c * 60, 0]);
  const { code, events, stderr } = await runTrainer([
    'train',
    '--runs-dir',
    runsDir,
    '--dataset.kind',
    'folder',
    '--dataset.path',
    dir,
    '--dataset.imageSize',
    '8',
    '--epochs',
    '1',
    '--batchSize',
    '8',
    '--probe.epochs',
    '1',
    '--backend',
    'wasm',
  ]);
  assert.equal(code, 0, stderr);
  const warnings = ofType(events, 'warning');
  assert.deepEqual(
    warnings.filter((w) => w.code === 'constant-channel').map((w) => w.message),
    [`${dir}: the blue (channel 2) of the training images never varies (std 0.0000); it is normalised with std 0.0039 and carries no signal`],
  );
  assert.deepEqual(
    warnings.filter((w) => w.code === 'collapse'),
    [],
    'no false collapse warning',
  );
  assert.ok(
    ofType(events, 'step').every((s) => Number.isFinite(s.loss)),
    'every loss finite',
  );
  assert.ok(Number.isFinite(ofType(events, 'probeResult')[0]?.top1));
});

test('a run that diverges before its first checkpoint is not told to resume from one', async () => {
  const { code, runDir } = await runTrainer(
    train('--dataset.trainLimit', '512', '--epochs', '1', '--lr', '100', '--weightDecay', '0.1', '--warmupEpochs', '0', '--temperature', '0.05'),
  );
  assert.equal(code, 1);
  const status = readStatus(runDir);
  assert.equal(status.state, 'failed');
  assert.deepEqual(listCheckpoints(runDir), []);
  assert.equal(status.hint, 'Lower the learning rate or raise the temperature; no checkpoint was saved before it, so start a new run.');
});

test('probing an earlier checkpoint adds a record of its own; the headline stays the final checkpoint and names it', async () => {
  const run = await runTrainer(train('--epochs', '2'));
  assert.equal(run.code, 0, run.stderr);
  const final = readStatus(run.runDir);
  assert.deepEqual([final.top1Checkpoint, final.probes?.map((p) => p.checkpoint)], ['last', ['last']]);
  const epoch1 = listCheckpoints(run.runDir).find((c) => c.name === 'epoch-1')!;
  const again = await runTrainer(['probe', '--run', run.runDir, '--checkpoint', 'epoch-1']);
  assert.equal(again.code, 0, again.stderr);
  const status = readStatus(run.runDir);
  assert.equal(status.state, 'completed');
  assert.equal(status.top1, final.top1, 'the headline is untouched');
  assert.equal(status.top1Checkpoint, 'last');
  const [result] = ofType(again.events, 'probeResult');
  assert.equal(ofType(again.events, 'finished')[0].top1, undefined, 'an earlier checkpoint is not the run result');
  assert.deepEqual(status.probes, [
    { checkpoint: 'epoch-1', globalStep: epoch1.globalStep, epochs: 1, lr: 0.1, batchSize: 7, top1: result.top1, bestTop1: result.bestTop1, bestEpoch: 0, t: result.t },
    { ...final.probes![0] },
  ]);
  assert.equal(final.probes![0].top1, final.top1);
  assert.ok(final.probes![0].globalStep! > epoch1.globalStep);
});

test('probe.batchSize: the batch used is recorded with the result and, when capped, said in the log and in --help', async () => {
  const { events } = await runTrainer(train('--epochs', '0', '--probe.batchSize', '512'));
  const [result] = ofType(events, 'probeResult');
  assert.equal(result.batchSize, 7, 'a tenth of 64 training images, rounded up');
  assert.ok(
    ofType(events, 'log').some(
      (l) => l.message === 'probe batch size 7: probe.batchSize 512 is capped at a tenth of the 64 training images, so each probe epoch has at least 10 steps',
    ),
  );
  const uncapped = await runTrainer(train('--epochs', '0', '--probe.batchSize', '4'));
  assert.equal(ofType(uncapped.events, 'probeResult')[0].batchSize, 4);
  const help = execFileSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' });
  assert.match(
    help,
    /--probe\.batchSize\s+Probe batch size; at most a tenth of the training images \(rounded up\), so each probe epoch has 10 steps; the value used is recorded with each probe result/,
  );
});

test('resuming a completed run from an earlier checkpoint forks a new run linked to its parent; the parent stays byte-identical', async () => {
  const parent = await runTrainer(train('--epochs', '2'));
  assert.equal(parent.code, 0, parent.stderr);
  const epoch1 = listCheckpoints(parent.runDir).find((c) => c.name === 'epoch-1')!;
  const before = fingerprint(parent.runDir);
  const resumed = await runTrainer(['resume', '--run', parent.runDir, '--checkpoint', 'epoch-1']);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.deepEqual([...fingerprint(parent.runDir)], [...before], 'the completed run is not rewritten');
  const [started] = ofType(resumed.events, 'started');
  const link = { runId: path.basename(parent.runDir), checkpoint: 'epoch-1', globalStep: epoch1.globalStep };
  assert.notEqual(started.runId, link.runId);
  assert.deepEqual(started.forkedFrom, link);
  const child = path.join(runsDir, started.runId);
  const status = readStatus(child);
  assert.deepEqual([status.state, status.parent], ['completed', link]);
  assert.equal(ofType(resumed.events, 'step')[0].globalStep, epoch1.globalStep + 1, 'continues from the checkpoint');
  assert.deepEqual(JSON.parse(fs.readFileSync(path.join(child, 'config.json'), 'utf8')), JSON.parse(fs.readFileSync(path.join(parent.runDir, 'config.json'), 'utf8')));
  // resuming the final checkpoint of a stopped run still continues in place
  const stopped = await runTrainer(train('--epochs', '2'), { stopAfterSteps: 2 });
  const again = await runTrainer(['resume', '--run', stopped.runDir]);
  assert.equal(ofType(again.events, 'started')[0].runId, path.basename(stopped.runDir));
  assert.equal(readStatus(stopped.runDir).state, 'completed');
});

test('a run folder the user renamed is listed with why it is read only, and probe or resume refuse to write into it', async () => {
  const renamed = path.join(runsDir, 'my-best-run');
  fs.cpSync(runA, renamed, { recursive: true });
  const before = fingerprint(renamed);
  const problem =
    'folder name "my-best-run" is not a run id (like 20261128-142501-supcon-fashion-mnist-3fa2): it was renamed, so its runs cannot be continued or probed; rename it back to a run id';
  for (const command of ['probe', 'resume']) {
    const { code, stderr } = await startTrainer([command, '--run', renamed]).done;
    assert.equal(code, 1, stderr);
    assert.ok(stderr.includes(`${renamed}: ${problem}`), stderr);
  }
  assert.deepEqual([...fingerprint(renamed)], [...before], 'nothing written into it');
  const listed = listRuns(runsDir).find((r) => r.id === 'my-best-run');
  assert.equal(listed?.problem, problem);
  assert.equal(listed?.status?.state, 'completed');
  fs.rmSync(renamed, { recursive: true });
});
