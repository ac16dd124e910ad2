/**
 * Faults through the trainer's command line, as the extension runs it: bad
 * flags and config files, run folders it must refuse, a missing backend, data
 * with no positive pair, a run that diverges, a disk that fills up, and a
 * trainer told twice to stop. Each gives its specific error, the run (when
 * there is one) is marked accordingly, and every other run stays byte-identical.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveConfig } from '../../src/protocol/config';
import type { TrainerEvent } from '../../src/protocol/messages';
import { listCheckpoints, readMetrics, readStatus, RunStatus, runFiles } from '../../src/protocol/runFolder';
import { loadCheckpoint } from '../../src/trainer/io/checkpoint';
import { RunRecorder } from '../../src/trainer/io/recorder';
import { fingerprint, mountTmpfs, RunningTrainer, skipIfInstalled, startTrainer, Tmpfs, tmpDir } from '../fixtures/faults/harness';
import { runTrainer } from './runTrainer';
import { TINY_DATA } from '../fixtures/tinyRun';

const root = tmpDir('cli');
const runsDir = path.join(root, 'runs');
const small = [...TINY_DATA, '--probe.epochs', '1', '--backend', 'wasm'];
let bystander: string;

before(async () => {
  const run = await runTrainer(['train', '--runs-dir', runsDir, ...small, '--epochs', '1']);
  assert.equal(run.code, 0, run.stderr);
  bystander = run.runDir;
});

const ofType = <T extends TrainerEvent['type']>(events: TrainerEvent[], type: T) => events.filter((e): e is Extract<TrainerEvent, { type: T }> => e.type === type);

/** A copy of the bystander run, damaged by `edit`. */
function victim(edit: (dir: string) => void): string {
  const dir = path.join(runsDir, `20260101-000000-victim${fs.readdirSync(runsDir).length}-0000`);
  fs.cpSync(bystander, dir, { recursive: true });
  edit(dir);
  return dir;
}

const editStatus = (dir: string, change: Partial<RunStatus>) =>
  fs.writeFileSync(runFiles(dir).status, JSON.stringify({ ...JSON.parse(fs.readFileSync(runFiles(dir).status, 'utf8')), ...change }));

function file(name: string, text: string): string {
  const f = path.join(root, name);
  fs.writeFileSync(f, text);
  return f;
}

/** Every line of metrics.jsonl is a whole, valid event. */
function assertMetricsWhole(runDir: string): void {
  const text = fs.readFileSync(runFiles(runDir).metrics, 'utf8');
  assert.ok(text.endsWith('\n'), 'no partial last line');
  assert.equal(readMetrics(runFiles(runDir).metrics).skipped, 0);
}

/** Every offered checkpoint loads (size and checksum), and no temporary copy is left. */
function assertCheckpointsWhole(runDir: string): void {
  for (const c of listCheckpoints(runDir)) loadCheckpoint(c.dir);
  const left = fs.existsSync(runFiles(runDir).checkpoints) ? fs.readdirSync(runFiles(runDir).checkpoints) : [];
  assert.deepEqual(
    left.filter((d) => d.includes('.')),
    [],
  );
}

interface CliCase {
  what: string;
  /** The trainer's arguments; sets up what they name (before the runs directory is fingerprinted). */
  args: () => string[];
  code: number;
  stderr: RegExp;
  /** When the run starts before the fault: its new folder must end failed with this error. */
  failedRun?: RegExp;
  uid?: number;
  /** Why the case cannot run on this machine. */
  skip?: string;
}

const train = (...flags: string[]) => ['train', '--runs-dir', runsDir, ...flags];

const cases: CliCase[] = [
  { what: 'temperature below 0', args: () => train('--temperature', '-1'), code: 2, stderr: /^supcon-lab: temperature: expected a number >= 0.01 and <= 10, got -1$/m },
  { what: 'epochs as a word', args: () => train('--epochs', 'abc'), code: 2, stderr: /^supcon-lab: epochs: expected an integer >= 0 and <= 10000, got "abc"$/m },
  { what: 'an unknown field', args: () => train('--colour', 'red'), code: 2, stderr: /^supcon-lab: colour: unknown field \(see `node dist\/cli.js train --help`\)$/m },
  { what: 'a run name with a path', args: () => train('--name', '../outside'), code: 2, stderr: /^supcon-lab: name: "..\/outside" may hold only letters, digits, _ \. and -$/m },
  { what: 'a run name of ".."', args: () => train('--name', '..'), code: 2, stderr: /^supcon-lab: name: "\.\." must not contain "\.\."/m },
  { what: 'infinite learning rate', args: () => train('--lr', 'Infinity'), code: 2, stderr: /^supcon-lab: lr: expected a number > 0 and <= 100, got Infinity$/m },
  {
    what: 'a config file that is missing',
    args: () => train('--config', path.join(root, 'missing.supcon.json')),
    code: 2,
    stderr: /missing.supcon.json: cannot read \(ENOENT\)$/m,
  },
  {
    what: 'a config file that is not JSON',
    args: () => train('--config', file('broken.supcon.json', '{"epochs": 2,')),
    code: 2,
    stderr: /broken.supcon.json:1:14: not valid JSON: property name expected$/m,
  },
  { what: 'a config file holding a list', args: () => train('--config', file('list.supcon.json', '[1, 2]')), code: 2, stderr: /list.supcon.json: expected a JSON object$/m },
  {
    what: 'a config file with an unknown field',
    args: () => train('--config', file('extra.supcon.json', '{"epoch": 2}')),
    code: 2,
    stderr: /extra.supcon.json: epoch: unknown field \(known: name, method/,
  },
  {
    what: 'an unknown command',
    args: () => ['frobnicate'],
    code: 2,
    stderr: /^supcon-lab: unknown command "frobnicate": expected one of train, resume, probe, preview, embed, sweep, results, jobs, cancel$/m,
  },
  { what: 'resume without a run', args: () => ['resume'], code: 2, stderr: /^supcon-lab: --run: expected a run folder$/m },
  { what: 'resume with a training flag', args: () => ['resume', '--run', bystander, '--epochs', '3'], code: 2, stderr: /^supcon-lab: --epochs: not a flag of "resume"/m },
  {
    what: 'a checkpoint named with a path',
    args: () => ['probe', '--run', bystander, '--checkpoint', '../../last'],
    code: 1,
    stderr: /checkpoint name "..\/..\/last": expected letters, digits, _ and - only$/m,
  },
  {
    what: 'runs directory that is a file',
    args: () => train('--runs-dir', file('runs-file', ''), ...small),
    code: 1,
    stderr: /runs directory .*runs-file is a file, expected a folder$/m,
  },
  {
    what: 'runs directory the user may not write',
    code: 1,
    uid: 65534,
    stderr: /runs directory .*locked is not writable \(EACCES\) \(Choose a runs directory you can write to/,
    args: () => {
      fs.chmodSync(root, 0o755);
      fs.mkdirSync(path.join(root, 'locked'), { mode: 0o755 });
      return train('--runs-dir', path.join(root, 'locked'), ...small);
    },
  },
  {
    what: 'resume a run whose config.json is corrupt',
    args: () => ['resume', '--run', victim((d) => fs.writeFileSync(runFiles(d).config, '{"method": "supc'))],
    code: 1,
    stderr: /config.json: not valid JSON/,
  },
  {
    what: 'resume a run whose config.json is out of range',
    args: () => ['resume', '--run', victim((d) => fs.writeFileSync(runFiles(d).config, JSON.stringify({ ...resolveConfig({}), views: 9 })))],
    code: 1,
    stderr: /config.json: views: expected an integer >= 1 and <= 8, got 9$/m,
  },
  {
    what: 'resume a run another trainer is running',
    args: () => ['resume', '--run', victim((d) => editStatus(d, { state: 'running', pid: process.pid, host: os.hostname() }))],
    code: 1,
    stderr: /: still running \(process \d+\); stop it first/,
  },
  {
    what: 'resume from a checkpoint with a flipped bit',
    code: 1,
    stderr: /weights.bin: checksum mismatch \(corrupt\)$/m,
    args: () => [
      'resume',
      '--run',
      victim((d) => {
        const weights = path.join(runFiles(d).checkpoints, 'last', 'weights.bin');
        const bytes = fs.readFileSync(weights);
        bytes[100] ^= 1;
        fs.writeFileSync(weights, bytes);
      }),
    ],
  },
  {
    what: 'a backend that is not installed',
    skip: skipIfInstalled('@tensorflow/tfjs-node'),
    args: () => train(...small, '--backend', 'node'),
    code: 1,
    stderr: /backend "node" cannot be used/,
    failedRun:
      /^backend "node" cannot be used: @tensorflow\/tfjs-node is not installed: npm install @tensorflow\/tfjs-node, run in \/\S+ \| Install the backend named above, or run with backend "auto"\.$/,
  },
  {
    what: 'a dataset folder that is missing',
    args: () => train(...small, '--dataset.kind', 'idx', '--dataset.path', path.join(root, 'no-idx')),
    code: 1,
    stderr: /run failed/,
    failedRun: /no-idx\/train-images-idx3-ubyte: not found \(nor train-images-idx3-ubyte.gz\)/,
  },
  {
    what: 'one view and one image per class: no positive pair at all',
    args: () => train(...small, '--views', '1', '--dataset.trainLimit', '10'),
    code: 1,
    stderr: /run failed/,
    failedRun:
      /^views: with 1 view an anchor's positives are other images of its class, but no class has two training images, so every loss would be 0; use views >= 2 or more images per class$/,
  },
];

for (const c of cases) {
  test(`command line: ${c.what}`, { skip: c.skip }, async (t) => {
    if (c.uid !== undefined && process.getuid?.() !== 0) return t.skip('running as another user needs root');
    const args = c.args();
    const before = fingerprint(runsDir);
    const { code, stderr } = await startTrainer(args, { uid: c.uid }).done;
    assert.equal(code, c.code, stderr);
    assert.match(stderr, c.stderr);
    const after = fingerprint(runsDir);
    const added = [...after.keys()].filter((k) => !before.has(k) && !k.includes(path.sep));
    for (const [k, v] of before) assert.equal(after.get(k), v, `${k} is unchanged`);
    if (!c.failedRun) return assert.deepEqual(added, [], 'no run folder was made');
    assert.equal(added.length, 1);
    const status = readStatus(path.join(runsDir, added[0]));
    assert.equal(status.state, 'failed');
    assert.match(`${status.error}${status.hint ? ` | ${status.hint}` : ''}`, c.failedRun);
  });
}

test('an installation without its SIMD kernels file: the wasm backend refuses to start, and the run fails naming the file', () => {
  // a copy of the trainer's bundles without dist/supcon-kernels.wasm, inside the checkout so that its node_modules resolve
  const dist = path.resolve(__dirname, '../../dist');
  const copy = fs.mkdtempSync(path.resolve(__dirname, '../../node_modules/.cache/supcon-incomplete-'));
  try {
    for (const file of ['cli.js', 'trainReplica.js']) fs.copyFileSync(path.join(dist, file), path.join(copy, file));
    const before = fingerprint(runsDir);
    const r = spawnSync(process.execPath, [path.join(copy, 'cli.js'), ...train(...small, '--epochs', '1')], { encoding: 'utf8' });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /backend "wasm" cannot be used: supcon-kernels\.wasm not found \(looked in [^)]*\): the installation is incomplete; reinstall the extension/);
    assert.doesNotMatch(r.stderr, /diagnostics|threads/, 'no advice that does not fit an incomplete installation');
    const added = [...fingerprint(runsDir).keys()].filter((k) => !before.has(k) && !k.includes(path.sep));
    assert.equal(added.length, 1);
    const status = readStatus(path.join(runsDir, added[0]));
    assert.equal(status.state, 'failed');
    assert.match(status.error ?? '', /supcon-kernels\.wasm not found/);
  } finally {
    fs.rmSync(copy, { recursive: true, force: true });
  }
});

test('one view and a batch with no two images of a class: a warning names the step, not a silent zero loss', async () => {
  const { code, events } = await runTrainer(train(...small, '--views', '1', '--batchSize', '2', '--dataset.trainLimit', '20', '--epochs', '1'));
  assert.equal(code, 0);
  const [warning] = ofType(events, 'warning').filter((w) => w.code === 'no-positive');
  assert.match(
    warning?.message ?? '',
    /^step \d+: no two images of the batch share a class and views is 1, so no anchor has a positive and the loss is 0: the step learned nothing\. Use views >= 2 or a larger batchSize\.$/,
  );
  const step = Number(/^step (\d+)/.exec(warning.message)![1]);
  assert.ok(ofType(events, 'step').find((s) => s.globalStep === step)?.loss === 0);
});

// lr 100 blows the weights up within a few epochs of 4 steps. Which check sees it first depends on where the
// overflowing update falls: inside an epoch, the next step's loss is NaN; at an epoch's last step, the checkpoint
// that follows refuses the weights. Seed 4 and seed 0 give one each (the trainer is deterministic).
const diverging = (seed: number) => train(...small, '--threads', '1', '--epochs', '20', '--lr', '100', '--weightDecay', '0.1', '--warmupEpochs', '0', '--seed', String(seed));

/** The run failed, its status and metrics are whole, and checkpoint `last` is from before `step` and finite. */
function assertLastGoodCheckpoint(runDir: string, failed: TrainerEvent & { type: 'failed' }, beforeStep: number): void {
  const status = readStatus(runDir);
  assert.deepEqual([status.state, status.error, status.hint], ['failed', failed.error, failed.hint]);
  assertMetricsWhole(runDir);
  const last = listCheckpoints(runDir).find((c) => c.name === 'last')!;
  const saved = loadCheckpoint(last.dir);
  assert.ok(last.globalStep < beforeStep);
  for (const [name, t] of saved.tensors) assert.ok(t.data.every(Number.isFinite), `${name} is finite`);
}

test('a learning rate that diverges: failed at the step, last finite loss named, exit 1, last good checkpoint loads', async () => {
  // one thread: the data-parallel path notices divergence only when a checkpoint refuses NaN weights (see the README)
  const { code, events, runDir } = await runTrainer(diverging(4));
  assert.equal(code, 1);
  const steps = ofType(events, 'step');
  const lastStep = steps.at(-1)!;
  const [failed] = ofType(events, 'failed');
  assert.equal(failed.step, lastStep.globalStep + 1, 'the step that gave NaN, numbered as step events are');
  assert.equal(failed.error, `loss became NaN or infinite at step ${failed.step} (last finite loss ${lastStep.loss?.toFixed(4)})`);
  assert.match(failed.hint!, /Lower the learning rate/);
  assert.equal(readStatus(runDir).lastLoss, lastStep.loss);
  assertLastGoodCheckpoint(runDir, failed, failed.step!);
});

test('weights that overflow in the last update of an epoch: the checkpoint refuses them, the run fails naming the tensor, the last good checkpoint loads', async () => {
  const { code, events, runDir } = await runTrainer(diverging(0));
  assert.equal(code, 1);
  const [failed] = ofType(events, 'failed');
  assert.match(failed.error, /^checkpoint "last" not saved: tensor "[^"]+" holds NaN or infinite values \(training diverged\); the previous one is kept$/);
  assertLastGoodCheckpoint(runDir, failed, ofType(events, 'step').at(-1)!.globalStep + 1);
});

/** Runs `body` with a tmpfs of `size`, or skips saying why there is none. */
async function onSmallDisk(size: string, t: { skip: (why: string) => void }, body: (disk: Tmpfs) => Promise<void>): Promise<void> {
  const mount = mountTmpfs(size);
  if (typeof mount === 'string') return t.skip(mount);
  try {
    await body(mount);
  } finally {
    mount.unmount();
  }
}

/** Fills the disk holding `dir` to the last page. */
function fillDisk(dir: string): void {
  const fd = fs.openSync(path.join(dir, 'filler'), 'w');
  try {
    for (const chunk of [Buffer.alloc(64 * 1024), Buffer.alloc(4096)]) {
      try {
        for (;;) fs.writeSync(fd, chunk);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
      }
    }
  } finally {
    fs.closeSync(fd);
  }
}

test('disk full while writing a checkpoint: failed with a free-space hint, metrics whole; after freeing space, resume completes', async (t) => {
  await onSmallDisk('1600k', t, async (disk) => {
    const runs = path.join(disk.dir, 'runs');
    const run = await runTrainer(['train', '--runs-dir', runs, ...small, '--epochs', '2']);
    assert.equal(run.code, 1);
    const status = readStatus(run.runDir);
    assert.equal(status.state, 'failed');
    assert.match(status.error!, /^checkpoint "[a-z0-9-]+" not saved: ENOSPC: no space left on device/);
    assert.match(status.hint!, /The disk is full: free space on the runs directory's disk, then resume from the last checkpoint/);
    assert.deepEqual(
      ofType(run.events, 'failed').map((f) => f.error),
      [status.error],
    );
    assertMetricsWhole(run.runDir);
    assertCheckpointsWhole(run.runDir);
    disk.resize('8m');
    const resumed = await runTrainer(['resume', '--run', run.runDir]);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal(readStatus(run.runDir).state, 'completed');
    assertMetricsWhole(run.runDir);
  });
});

test('disk full between events: the append fails whole, the failure still reaches status.json and the parent', async (t) => {
  await onSmallDisk('256k', t, async (disk) => {
    const sent: TrainerEvent[] = [];
    const recorder = RunRecorder.create(path.join(disk.dir, 'runs'), resolveConfig({ dataset: { kind: 'synthetic' } }), (e) => sent.push(e));
    const metrics = runFiles(recorder.runDir).metrics;
    const line = { type: 'log', level: 'info', message: 'x'.repeat(300) } as const;
    recorder.emit(line); // the last page of metrics.jsonl has room left: a later line crosses into a page the disk has not got
    fillDisk(disk.dir);
    assert.throws(() => {
      for (;;) recorder.emit(line);
    }, /ENOSPC/);
    const kept = readMetrics(metrics);
    assert.equal(fs.statSync(metrics).size, kept.offset, 'no partial line');
    recorder.emit({ type: 'failed', error: 'ENOSPC: no space left on device, write', hint: 'free space' });
    recorder.close();
    assert.equal(sent.at(-1)?.type, 'failed');
    assert.deepEqual([readStatus(recorder.runDir).state, readStatus(recorder.runDir).error], ['failed', 'ENOSPC: no space left on device, write']);
    assert.deepEqual(fs.readdirSync(recorder.runDir).sort(), ['config.json', 'metrics.jsonl', 'status.json'], 'rewritten in place, no copy left');
    assert.equal(readMetrics(metrics).skipped, 0);
  });
});

test('a second SIGTERM ends a trainer that is still in its step; the run reads interrupted', async () => {
  let signalled = false;
  // without the monitor's start-up measurement, whose warm-up makes the next step end inside the 30 ms
  const trainer: RunningTrainer = startTrainer(train(...small, '--epochs', '2', '--monitor.samples', '0'), {
    onEvent: (e) => {
      if (e.type !== 'step' || signalled) return;
      signalled = true;
      trainer.child.kill('SIGTERM');
      setTimeout(() => trainer.child.kill('SIGTERM'), 30);
    },
  });
  const { code, stderr } = await trainer.done;
  assert.equal(code, 143, stderr);
  assert.match(stderr, /^supcon-lab: stopped before the step ended; resume continues from the last checkpoint \(from step 0 when none was saved yet\)$/m);
  const started = ofType(trainer.events, 'started')[0];
  assert.equal(readStatus(path.join(runsDir, started.runId)).state, 'interrupted');
});
