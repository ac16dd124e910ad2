/**
 * Bad input, each fed to the code that receives it: config fields, dataset
 * files, run folders, checkpoints, dashboard (webview) messages, trainer IPC
 * messages and the errors a machine raises. Every case must give its specific
 * error and leave everything else byte for byte as it was: the bystander runs,
 * the dataset files, the folders of every other case, and the bad input itself.
 */
import { before, mock, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import * as tf from '../../src/trainer/backend/tf';
import { LiveRun, RunOutcome } from '../../src/extension/launch/liveRun';
import { TrainerProcess } from '../../src/extension/launch/trainerProcess';
import { applyOverrides, resolveConfig } from '../../src/protocol/config';
import { parseWebviewMessage } from '../../src/protocol/dashboard';
import { listCheckpoints, listRuns, newRunId, readMetrics, RunStatus, runFiles } from '../../src/protocol/runFolder';
import { writeJsonAtomic } from '../../src/protocol/atomicFile';
import { initBackend } from '../../src/trainer/backend/init';
import { loadCheckpoint, saveCheckpoint } from '../../src/trainer/io/checkpoint';
import { loadDataset } from '../../src/trainer/data/loadDataset';
import { describeFailure } from '../../src/trainer/failures';
import { RunRecorder } from '../../src/trainer/io/recorder';
import { probeRun, resumeRun } from '../../src/trainer/run';
import { fingerprint, mountTmpfs, skipIfInstalled, tmpDir } from '../fixtures/faults/harness';

/** Everything a case could damage: run folders, dataset files, scratch space. */
const world = tmpDir('input');
const runsDir = path.join(world, 'runs');
const dataDir = path.join(world, 'data');
const cacheDir = path.join(world, 'cache');
let seq = 0;
const fresh = (under: string) => {
  const dir = path.join(under, `case-${++seq}`);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
};

/** The text an action throws (or rejects with); a report it returns instead, for readers that do not throw. */
async function errorOf(action: () => unknown): Promise<string> {
  try {
    const report = await action();
    return typeof report === 'string' ? report : '(no error)';
  } catch (e) {
    return (e as Error).message;
  }
}

const exactly = (text: string) => new RegExp(`^${text.replace(/[[\]{}()*+?.\\^$|/]/g, '\\$&')}$`);

// ---- run folders, as the trainer writes them ----

const config = resolveConfig({ dataset: { kind: 'synthetic' }, epochs: 1 });
const deadPid = 2 ** 22 + 12345;

/** A complete run folder with a `last` checkpoint; `edit` damages it before the case starts. */
async function makeRun(edit?: (dir: string) => void, status: Partial<RunStatus> = {}): Promise<string> {
  const id = `20260101-000000-run${++seq}-0000`;
  const dir = path.join(runsDir, id);
  fs.mkdirSync(dir, { recursive: true });
  writeJsonAtomic(runFiles(dir).config, config);
  const now = Date.now();
  writeJsonAtomic(runFiles(dir).status, { state: 'completed', pid: deadPid, host: os.hostname(), startedAt: now, updatedAt: now, epoch: 0, globalStep: 4, ...status });
  fs.writeFileSync(runFiles(dir).metrics, `${JSON.stringify({ type: 'log', t: now, level: 'info', message: 'ok' })}\n`);
  const vars = new Map([['w', tf.variable(tf.tensor2d([[1, 2], [3, 4]]))]]);
  await saveCheckpoint(dir, 'last', vars, { epoch: 1, stepInEpoch: 0, globalStep: 4, rngState: 7 }, 0.5);
  edit?.(dir);
  return dir;
}
const lastDir = (run: string) => path.join(runFiles(run).checkpoints, 'last');
const job = { shouldStop: () => false };
let bystanders: string[];

before(async () => {
  await tf.setBackend('cpu');
  bystanders = [await makeRun(), await makeRun(undefined, { state: 'running', pid: deadPid })];
});

// ---- datasets on disk ----

const u32s = (...words: number[]) => Buffer.concat(words.map((w) => Buffer.from([w >>> 24, (w >>> 16) & 255, (w >>> 8) & 255, w & 255])));
const idxImages = (n: number) => Buffer.concat([u32s(2051, n, 2, 2), Buffer.alloc(n * 4, 9)]);
const idxLabels = (values: number[]) => Buffer.concat([u32s(2049, values.length), Buffer.from(values)]);

/** An IDX folder: 4 training images of classes 0..2, 2 test images; `over` replaces files by name. */
function idxFolder(over: Record<string, Buffer | null> = {}): string {
  const dir = fresh(dataDir);
  const files: Record<string, Buffer | null> = {
    'train-images-idx3-ubyte': idxImages(4),
    'train-labels-idx1-ubyte': idxLabels([0, 1, 2, 1]),
    't10k-images-idx3-ubyte': idxImages(2),
    't10k-labels-idx1-ubyte': idxLabels([1, 0]),
    ...over,
  };
  for (const [name, bytes] of Object.entries(files)) if (bytes) fs.writeFileSync(path.join(dir, name), bytes);
  return dir;
}

const loadData = (dataset: object) => () => loadDataset(resolveConfig({ dataset }).dataset, { cacheDir, seed: 0 });

// ---- trainer IPC: a stand-in trainer sends one given message among valid ones ----

const FAKE = `
const send = (e) => process.send({ t: Date.now(), ...e });
process.stdout.write(Buffer.from([0, 255, 10, 27, 91, 50, 74]));
process.send(JSON.parse(process.argv[2]));
send({ type: 'started', runId: '20261128-000000-fake-0001', config: { epochs: 1 }, backend: { name: 'cpu', label: 'cpu', version: '0', threads: 1, gpu: false, skipped: [] }, trainSize: 8, testSize: 4, stepsPerEpoch: 2 });
send({ type: 'finished', state: 'completed' });
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
const ignoredThen = (message: unknown) => exactly(`ignored [${JSON.stringify(message)}]; run 20261128-000000-fake-0001 in 20261128-000000-fake-0001: completed`);
const ipcCase = (what: string, message: unknown): BadInput => ({ area: 'ipc', what, input: () => trainerSends(message), error: ignoredThen(message) });

// ---- the table ----

interface BadInput {
  area: 'config' | 'dataset' | 'run folder' | 'checkpoint' | 'webview' | 'ipc' | 'machine';
  what: string;
  /** Sets up the input (before the world is fingerprinted) and returns how to feed it; the feed gives the error text. */
  input: () => Promise<() => unknown> | (() => unknown);
  error: RegExp;
  /** Why the case cannot run on this machine. */
  skip?: string;
}

const configCase = (what: string, input: unknown, error: RegExp): BadInput => ({ area: 'config', what, input: () => () => resolveConfig(input), error });
const overrideCase = (what: string, flags: Record<string, string>, error: RegExp): BadInput => ({
  area: 'config', what: `${what} (command-line value)`, input: () => () => resolveConfig(applyOverrides({}, flags)), error,
});
const webviewCase = (what: string, message: unknown): BadInput => ({
  area: 'webview', what, input: () => () => (parseWebviewMessage(message) === undefined ? 'rejected' : 'accepted'), error: /^rejected$/,
});

const cases: BadInput[] = [
  configCase('epochs above the maximum', { epochs: 10_001 }, /^epochs: expected an integer >= 0 and <= 10000, got 10001$/),
  configCase('epochs as a string', { epochs: '2' }, /^epochs: expected an integer >= 0 and <= 10000, got "2"$/),
  configCase('batch of one image', { batchSize: 1 }, /^batchSize: expected an integer >= 2 and <= 8192, got 1$/),
  configCase('no views', { views: 0 }, /^views: expected an integer >= 1 and <= 8, got 0$/),
  configCase('temperature 0', { temperature: 0 }, /^temperature: expected a number >= 0.01 and <= 10, got 0$/),
  configCase('negative temperature', { temperature: -0.07 }, /^temperature: expected a number >= 0.01 and <= 10, got -0.07$/),
  configCase('base temperature 0', { baseTemperature: 0 }, /^baseTemperature: expected a number > 0 and <= 10, got 0$/),
  configCase('infinite learning rate', { lr: Infinity }, /^lr: expected a number > 0 and <= 100, got Infinity$/),
  configCase('momentum 1', { momentum: 1 }, /^momentum: expected a number >= 0 and <= 0.999, got 1$/),
  configCase('negative weight decay', { weightDecay: -1e-4 }, /^weightDecay: expected a number >= 0 and <= 0.1, got -0.0001$/),
  configCase('seed above 32 bits', { seed: 2 ** 32 }, /^seed: expected an integer >= 0 and <= 4294967295, got 4294967296$/),
  configCase('fractional checkpointEvery', { checkpointEvery: 0.5 }, /^checkpointEvery: expected an integer >= 0 and <= 10000, got 0.5$/),
  configCase('unknown backend', { backend: 'tpu' }, /^backend: expected one of "auto", "gpu", "webgpu", "node", "wasm", "cpu", got "tpu"$/),
  configCase('method in the wrong case', { method: 'SupCon' }, /^method: expected one of "supcon", "supcon-in", "simclr", "ce", got "SupCon"$/),
  configCase('probe batch of 0', { probe: { batchSize: 0 } }, /^probe.batchSize: expected an integer >= 1 and <= 65536, got 0$/),
  configCase('image size below 8', { dataset: { imageSize: 7 } }, /^dataset.imageSize: expected an integer >= 8 and <= 96, got 7$/),
  configCase('crop scale 0', { augment: { minCropScale: 0 } }, /^augment.minCropScale: expected a number >= 0.05 and <= 1, got 0$/),
  configCase('flip as a number', { augment: { flip: 1 } }, /^augment.flip: expected true or false, got 1$/),
  configCase('unknown field', { epochz: 3 }, /^epochz: unknown field \(known: name, method, dataset, /),
  configCase('unknown nested field', { probe: { epoch: 3 } }, /^probe.epoch: unknown field \(known: epochs, lr, batchSize\)$/),
  configCase('group given as null', { dataset: null }, /^dataset: expected an object, got null$/),
  configCase('a list instead of a config', [], /^config: expected an object, got \[\]$/),
  configCase('idx without a path', { dataset: { kind: 'idx' } }, /^dataset.path: is required for dataset kind "idx"$/),
  configCase('simclr with one view', { method: 'simclr', views: 1 }, /^views: simclr needs at least 2 views/),
  configCase('run name ".."', { name: '..' }, /^name: "\.\." must not contain "\.\." \(it becomes part of a folder name\)$/),
  configCase('run name with a path', { name: 'runs/../../etc' }, /^name: "runs\/..\/..\/etc" may hold only letters, digits, _ \. and -$/),
  configCase('run name with a backslash', { name: 'a\\b' }, /^name: "a\\\\b" may hold only letters/),
  configCase('run name of 65 characters', { name: 'x'.repeat(65) }, /^name: at most 64 characters$/),
  overrideCase('learning rate as a word', { lr: 'fast' }, /^lr: expected a number > 0 and <= 100, got "fast"$/),
  overrideCase('a group set as a value', { dataset: 'synthetic' }, /^dataset: is a group of fields: set its members, e.g. --dataset.kind$/),
  overrideCase('a field below a value', { 'dataset.kind.x': '1' }, /^dataset.kind.x: unknown field$/),
  overrideCase('the $schema key', { $schema: 'x' }, /^\$schema: unknown field/),
  overrideCase('flip as "maybe"', { 'augment.flip': 'maybe' }, /^augment.flip: expected true or false, got "maybe"$/),

  { area: 'dataset', what: 'idx folder missing a file', input: () => loadData({ kind: 'idx', path: idxFolder({ 't10k-labels-idx1-ubyte': null }) }), error: /t10k-labels-idx1-ubyte: not found \(nor t10k-labels-idx1-ubyte.gz\)/ },
  { area: 'dataset', what: 'idx images with the labels magic', input: () => loadData({ kind: 'idx', path: idxFolder({ 'train-images-idx3-ubyte': idxLabels([1, 2, 3, 4, 5, 6, 7, 8]) }) }), error: /train-images-idx3-ubyte: magic number 2049, expected 2051/ },
  { area: 'dataset', what: 'truncated idx images', input: () => loadData({ kind: 'idx', path: idxFolder({ 'train-images-idx3-ubyte': idxImages(4).subarray(0, 20) }) }), error: /train-images-idx3-ubyte: truncated: 20 bytes, but its header promises 4 records \(32 bytes\)/ },
  { area: 'dataset', what: 'fewer labels than images', input: () => loadData({ kind: 'idx', path: idxFolder({ 'train-labels-idx1-ubyte': idxLabels([0, 1, 2]) }) }), error: /train-labels-idx1-ubyte: 3 labels, but .*train-images-idx3-ubyte holds 4 images/ },
  { area: 'dataset', what: 'a .gz that is not gzip', input: () => loadData({ kind: 'idx', path: idxFolder({ 'train-images-idx3-ubyte': null, 'train-images-idx3-ubyte.gz': Buffer.from('plain text') }) }), error: /train-images-idx3-ubyte.gz: not a valid gzip file/ },
  { area: 'dataset', what: 'test label outside the classes', input: () => loadData({ kind: 'idx', path: idxFolder({ 't10k-labels-idx1-ubyte.gz': zlib.gzipSync(idxLabels([7, 0])), 't10k-labels-idx1-ubyte': null }) }), error: /t10k-labels-idx1-ubyte.gz: record 0 has label 7; expected 0..2/ },
  {
    area: 'dataset', what: 'truncated CIFAR batch', error: /data_batch_1.bin: 3000 bytes is not a whole number of 3073-byte records/,
    input: () => {
      const dir = fresh(dataDir);
      fs.writeFileSync(path.join(dir, 'data_batch_1.bin'), Buffer.alloc(3000));
      return loadData({ kind: 'cifar10', path: dir });
    },
  },
  { area: 'dataset', what: 'image folder that does not exist', input: () => loadData({ kind: 'folder', path: path.join(dataDir, 'nowhere') }), error: /nowhere: not found; expected a folder with one sub-folder of images per class/ },
  { area: 'dataset', what: 'image folder without class folders', input: () => loadData({ kind: 'folder', path: fresh(dataDir) }), error: /: no class sub-folders; expected one sub-folder of images per class/ },
  {
    area: 'dataset', what: 'an empty class folder', error: /cat: empty class folder; expected PNG, JPEG or WebP images/,
    input: () => {
      const dir = fresh(dataDir);
      fs.mkdirSync(path.join(dir, 'cat'));
      return loadData({ kind: 'folder', path: dir });
    },
  },

  {
    area: 'run folder', what: 'corrupt status.json of an old run: listed with the problem, the others whole', error: /status.json: not valid JSON .*; others: completed, interrupted$/,
    input: async () => {
      const dir = await makeRun((d) => fs.writeFileSync(runFiles(d).status, '{"state": "runn'));
      return () => {
        const runs = listRuns(runsDir);
        const others = bystanders.map((b) => runs.find((r) => r.dir === b)?.status?.state);
        return `${runs.find((r) => r.dir === dir)?.problem}; others: ${others.join(', ')}`;
      };
    },
  },
  {
    area: 'run folder', what: 'status.json that is not a status', error: /status.json: not a run status \(expected "state" one of running, completed, failed, stopped, interrupted and a numeric "pid"\)/,
    input: async () => {
      const dir = await makeRun((d) => fs.writeFileSync(runFiles(d).status, '{"state": "exploded", "pid": "1"}'));
      return () => listRuns(runsDir).find((r) => r.dir === dir)?.problem;
    },
  },
  {
    area: 'run folder', what: 'corrupt config.json of an old run', error: /config.json: not valid JSON/,
    input: async () => {
      const dir = await makeRun((d) => fs.writeFileSync(runFiles(d).config, '\u0000\u0000'));
      return () => listRuns(runsDir).find((r) => r.dir === dir)?.problem;
    },
  },
  {
    area: 'run folder', what: 'resume with a config.json out of range', error: /config.json: epochs: expected an integer >= 0 and <= 10000, got -3$/,
    input: async () => {
      const dir = await makeRun((d) => fs.writeFileSync(runFiles(d).config, JSON.stringify({ ...config, epochs: -3 })));
      return () => resumeRun(dir, 'last', job);
    },
  },
  {
    area: 'run folder', what: 'resume a folder that is not a run', error: /config.json: cannot read \(ENOENT\)$/,
    input: () => {
      const dir = fresh(world);
      return () => resumeRun(dir, 'last', job);
    },
  },
  {
    area: 'run folder', what: 'resume a run that is still running', error: /: still running \(process \d+\); stop it first, or wait for it to end$/,
    input: async () => {
      const dir = await makeRun(undefined, { state: 'running', pid: process.pid });
      return () => resumeRun(dir, 'last', job);
    },
  },
  {
    area: 'run folder', what: 'probe a checkpoint named with a path', error: /^checkpoint name "\.\.\/last": expected letters, digits, _ and - only$/,
    input: async () => {
      const dir = await makeRun();
      return () => probeRun(dir, '../last', job);
    },
  },
  {
    area: 'run folder', what: 'resume from a checkpoint that does not exist', error: /: no complete checkpoint "best" \(have: last\)$/,
    input: async () => {
      const dir = await makeRun();
      return () => resumeRun(dir, 'best', job);
    },
  },
  {
    area: 'run folder', what: 'runs directory is a file', error: /^runs directory .*runs-file is a file, expected a folder$/,
    input: () => {
      const file = path.join(fresh(world), 'runs-file');
      fs.writeFileSync(file, 'not a folder');
      return () => RunRecorder.create(file, config);
    },
  },
  {
    area: 'run folder', what: 'runs directory below a file', error: /^runs directory .*a-file\/runs is not writable \(ENOTDIR\)$/,
    input: () => {
      const file = path.join(fresh(world), 'a-file');
      fs.writeFileSync(file, '');
      return () => RunRecorder.create(path.join(file, 'runs'), config);
    },
  },
  {
    area: 'run folder', what: 'metrics with a foreign line, garbage and a torn last line', error: /^1 events, 2 lines skipped, torn line left unread$/,
    input: async () => {
      const dir = await makeRun((d) => fs.appendFileSync(runFiles(d).metrics, '{"type":"step","t":1}\n\u0000garbage\n{"type":"log","t":2,"lev'));
      return () => {
        const m = readMetrics(runFiles(dir).metrics);
        return `${m.events.length} events, ${m.skipped} lines skipped, torn line ${m.offset < fs.statSync(runFiles(dir).metrics).size ? 'left unread' : 'read'}`;
      };
    },
  },
  {
    area: 'run folder', what: 'entries that are not runs: "..x", half created, a name with "..", a file', error: /^listed: 20260101-000000-ok-0001$/,
    input: () => {
      const root = fresh(world);
      for (const name of ['..x', '.20260101-000000-new-0000.new', '20260101-000000-..-0000', '20260101-000000-ok-0001']) fs.mkdirSync(path.join(root, name));
      fs.writeFileSync(path.join(root, '20260101-000000-ok-0002'), 'a file');
      return () => `listed: ${listRuns(root).map((r) => r.id).join(', ')}`;
    },
  },

  {
    area: 'checkpoint', what: 'truncated weights.bin', error: /weights.bin: 8 bytes, manifest says 16 \(truncated or replaced\)$/,
    input: async () => {
      const dir = await makeRun((d) => fs.truncateSync(path.join(lastDir(d), 'weights.bin'), 8));
      return () => loadCheckpoint(lastDir(dir));
    },
  },
  {
    area: 'checkpoint', what: 'one flipped bit in weights.bin', error: /weights.bin: checksum mismatch \(corrupt\)$/,
    input: async () => {
      const dir = await makeRun((d) => {
        const file = path.join(lastDir(d), 'weights.bin');
        const bytes = fs.readFileSync(file);
        bytes[5] ^= 0x10;
        fs.writeFileSync(file, bytes);
      });
      return () => loadCheckpoint(lastDir(dir));
    },
  },
  {
    area: 'checkpoint', what: 'manifest that is not JSON: not offered, and refused', error: /^offered: none; .*manifest.json: not valid JSON/,
    input: async () => {
      const dir = await makeRun((d) => fs.writeFileSync(path.join(lastDir(d), 'manifest.json'), '{"format": 1, "tens'));
      return async () => `offered: ${listCheckpoints(dir).map((c) => c.name).join() || 'none'}; ${await errorOf(() => loadCheckpoint(lastDir(dir)))}`;
    },
  },
  {
    area: 'checkpoint', what: 'manifest of an unknown format', error: /manifest.json: unknown checkpoint format$/,
    input: async () => {
      const dir = await makeRun((d) => {
        const file = path.join(lastDir(d), 'manifest.json');
        fs.writeFileSync(file, JSON.stringify({ ...JSON.parse(fs.readFileSync(file, 'utf8')), format: 2 }));
      });
      return () => loadCheckpoint(lastDir(dir));
    },
  },
  {
    area: 'checkpoint', what: 'weights.bin missing', error: /weights.bin: missing$/,
    input: async () => {
      const dir = await makeRun((d) => fs.rmSync(path.join(lastDir(d), 'weights.bin')));
      return () => loadCheckpoint(lastDir(dir));
    },
  },
  {
    area: 'checkpoint', what: 'resume from a corrupt checkpoint: refused before the run is touched', error: /weights.bin: checksum mismatch \(corrupt\)$/,
    input: async () => {
      const dir = await makeRun((d) => fs.writeFileSync(path.join(lastDir(d), 'weights.bin'), Buffer.alloc(16, 1)), { state: 'running', pid: deadPid });
      return () => resumeRun(dir, 'last', job);
    },
  },
  {
    area: 'checkpoint', what: 'saving weights that hold NaN: the last good one is kept', error: /^checkpoint "last" not saved: tensor "w" holds NaN or infinite values \(training diverged\); the previous one is kept$/,
    input: async () => {
      const dir = await makeRun();
      return () => saveCheckpoint(dir, 'last', new Map([['w', tf.variable(tf.tensor1d([1, NaN]))]]), { epoch: 2, stepInEpoch: 0, globalStep: 8, rngState: 1 });
    },
  },

  webviewCase('a __proto__ key', JSON.parse('{"type": "ready", "__proto__": {"polluted": true}}')),
  webviewCase('run ids that are numbers', { type: 'select', runIds: [1, 2] }),
  webviewCase('a run id with a backslash', { type: 'select', runIds: ['..\\runs'] }),
  webviewCase('an empty run id', { type: 'select', runIds: [''] }),
  webviewCase('stop a run id ending in /..', { type: 'stop', runId: '20261128-000000-x/..' }),
  webviewCase('export to a sub-folder', { type: 'export', kind: 'csv', fileName: 'a/b.csv', data: '' }),
  webviewCase('export data that is not text', { type: 'export', kind: 'csv', fileName: 'ok.csv', data: 42 }),
  webviewCase('export with an extra field', { type: 'export', kind: 'png', fileName: 'c.png', data: 'data:image/png;base64,AAAA', path: '/etc' }),
  webviewCase('an error without its message', { type: 'error' }),
  webviewCase('a type that is a list', { type: ['ready'] }),

  ipcCase('a bare string', 'hello'),
  ipcCase('a step without its fields', { type: 'step', t: 1 }),
  ipcCase('a forged run id that leaves the runs directory', { type: 'started', t: 1, runId: '../../elsewhere', config: {}, backend: {}, trainSize: 1, testSize: 1, stepsPerEpoch: 1 }),
  ipcCase('a finish in an unknown state', { type: 'finished', t: 1, state: 'exploded' }),
  ipcCase('a loss sent as text', { type: 'epoch', t: 1, epoch: 0, loss: 'NaN', lr: 0.1, imagesPerSec: 1, seconds: 1 }),

  { area: 'machine', what: 'JavaScript out of memory', input: () => () => { try { return new ArrayBuffer(2 ** 50); } catch (e) { throw new Error(describeFailure(e).hint); } }, error: /^Out of memory: lower batchSize or views, or pick a smaller encoder\.$/ },
  {
    area: 'machine', what: 'the wasm heap exhausted', error: /\(Out of memory: lower batchSize or views, or pick a smaller encoder\.\)$/,
    input: async () => {
      await initBackend('wasm');
      return async () => {
        try {
          tf.tidy(() => tf.ones([8]).tile([2 ** 28 - 1]));
        } catch (e) {
          const { error, hint } = describeFailure(e);
          throw new Error(`${error} (${hint})`);
        } finally {
          await tf.setBackend('cpu');
        }
      };
    },
  },
  { area: 'machine', what: 'a backend that is not installed', skip: skipIfInstalled('@tensorflow/tfjs-node'), input: () => () => initBackend('node').catch((e) => { throw new Error(`${e.message} (${describeFailure(e).hint})`); }), error: /^backend "node" cannot be used: @tensorflow\/tfjs-node is not installed: npm install @tensorflow\/tfjs-node \(Install the backend named above, or run with backend "auto"\.\)$/ },
];

for (const c of cases) {
  test(`${c.area}: ${c.what}`, { skip: c.skip }, async () => {
    const feed = await c.input();
    const before = fingerprint(world);
    assert.match(await errorOf(feed), c.error);
    assert.deepEqual(fingerprint(world), before, 'nothing else changed');
  });
}

test('read-only runs directory (a read-only tmpfs)', async (t) => {
  const mount = mountTmpfs('64k', true);
  if (typeof mount === 'string') return t.skip(mount);
  try {
    const before = fingerprint(world);
    const error = await errorOf(() => RunRecorder.create(mount.dir, config));
    assert.equal(error, `runs directory ${mount.dir} is not writable (EROFS)`);
    assert.match(describeFailure(Object.assign(new Error(error), { code: 'EROFS' })).hint!, /Choose a runs directory you can write to/);
    assert.deepEqual(fs.readdirSync(mount.dir), []);
    assert.deepEqual(fingerprint(world), before);
  } finally {
    mount.unmount();
  }
});

test('two trainers draw the same run id in the same second: the second takes a fresh one, the first run is untouched', async () => {
  const dir = fresh(world);
  const stamp = (ms: number) => newRunId('supcon-synthetic', new Date(ms)).replace(/-[0-9a-f]{4}$/, '-abcd');
  for (const ms of [Date.now(), Date.now() + 1000]) {
    fs.mkdirSync(path.join(dir, stamp(ms)));
    fs.writeFileSync(path.join(dir, stamp(ms), 'config.json'), '{"the": "other trainer"}');
  }
  const before = fingerprint(dir);
  const suffixes = [[0xab, 0xcd], [0x12, 0x34]];
  const real = crypto.randomBytes;
  mock.method(crypto, 'randomBytes', (n: number) => (n === 2 && suffixes.length ? Buffer.from(suffixes.shift()!) : real(n)));
  try {
    const recorder = RunRecorder.create(dir, config);
    recorder.close();
    assert.match(recorder.runId, /-supcon-synthetic-1234$/);
    assert.deepEqual(JSON.parse(fs.readFileSync(runFiles(recorder.runDir).config, 'utf8')), config);
  } finally {
    mock.restoreAll();
  }
  const after = fingerprint(dir);
  for (const [k, v] of before) assert.equal(after.get(k), v);
});

test('a trainer that does not answer stop or SIGTERM is killed by the third stop; the run is failed with the signal named', async () => {
  const cli = path.join(path.dirname(fakeCli), 'deaf.js');
  fs.writeFileSync(cli, "process.on('SIGTERM', () => {}); process.on('message', () => {}); process.send({ t: Date.now(), type: 'log', level: 'info', message: 'busy' }); setInterval(() => {}, 1000);");
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

test(`the table holds at least 40 bad inputs across every area`, () => {
  const areas = new Set(cases.map((c) => c.area));
  assert.ok(cases.length >= 40, `${cases.length} cases`);
  assert.deepEqual([...areas].sort(), ['checkpoint', 'config', 'dataset', 'ipc', 'machine', 'run folder', 'webview']);
});
