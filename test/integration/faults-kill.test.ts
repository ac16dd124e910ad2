/**
 * Killed at any moment: 20 seeded trials SIGKILL a real trainer (synthetic
 * data, 2 epochs of 4 steps) at a chosen moment: a step, a checkpoint write, a
 * metrics append, the probe, or a random delay. Then the run must read as
 * interrupted with readable metrics and loadable checkpoints, and resume
 * (from the last checkpoint, or from step 0 in the same folder when it saved
 * none) must finish exactly as an uninterrupted run does. Two trials run at once in one runs directory, as two
 * windows would.
 */
import { TINY_DATA } from '../fixtures/tinyRun';
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseEventLine, TrainerEvent } from '../../src/protocol/messages';
import { CheckpointInfo, listCheckpoints, listRuns, readMetrics, readStatus, runFiles } from '../../src/protocol/runFolder';
import { loadCheckpoint } from '../../src/trainer/io/checkpoint';
import { Rng } from '../../src/trainer/rng';
import { startTrainer, tmpDir } from '../fixtures/faults/harness';
import { runTrainer } from './runTrainer';

const TRIALS = 20;
const EPOCHS = 2;
const runsDir = tmpDir('kill');
const args = (name: string) => [
  'train',
  '--runs-dir',
  runsDir,
  '--name',
  name,
  ...TINY_DATA,
  '--epochs',
  String(EPOCHS),
  '--probe.epochs',
  '1',
  '--backend',
  'wasm',
  '--seed',
  '11',
  // no representation monitor: it only reads the model, and would take the probe kill's moment
  '--monitor.samples',
  '0',
];

/** When to kill: `delayMs` after the n-th event that `matches`, or after spawn. */
interface Moment {
  what: string;
  matches?: (e: TrainerEvent) => boolean;
  n: number;
  delayMs: number;
  /** Append half a line to metrics.jsonl after the kill, as a power cut can. */
  torn: boolean;
  /** Leave `last` as the two renames of its replacement would if killed between them. */
  renameWindow: boolean;
}

const is = (type: TrainerEvent['type']) => (e: TrainerEvent) => e.type === type;
const KINDS: ((rng: Rng) => Pick<Moment, 'what' | 'matches' | 'n' | 'delayMs'>)[] = [
  (rng) => ({ what: 'during a step', matches: is('step'), n: 1 + rng.int(8), delayMs: rng.int(30) }),
  (rng) => ({ what: 'during a checkpoint write', matches: is('epoch'), n: 1 + rng.int(EPOCHS), delayMs: rng.int(12) }),
  (rng) => ({ what: 'between checkpoint writes', matches: is('checkpoint'), n: 1 + rng.int(4), delayMs: rng.int(8) }),
  (rng) => ({ what: 'after a metrics append', matches: is('log'), n: 1, delayMs: rng.int(3) }),
  (rng) => ({ what: 'during start-up', matches: is('started'), n: 1, delayMs: rng.int(40) }),
  (rng) => ({ what: 'during the probe', matches: (e) => e.type === 'checkpoint' && e.name === 'last' && e.epoch === EPOCHS, n: 1, delayMs: rng.int(25) }),
  // a seeded fraction of an uninterrupted run's time, so the kill lands inside the run on a machine of any speed
  (rng) => ({ what: 'after a random delay', n: 0, delayMs: Math.round(baselineMs * (0.05 + 0.85 * rng.next())) }),
];

/** The first trials take each kind once, the rest at random; all parameters come from one seed. */
function moments(seed: number): Moment[] {
  const rng = new Rng(seed);
  return Array.from({ length: TRIALS }, (_, i) => ({
    ...KINDS[i < KINDS.length ? i : rng.int(KINDS.length)](rng),
    torn: i % 5 === 1,
    renameWindow: i % 5 === 3,
  }));
}

let baseline: Map<number, number | null>;
let baselineMs: number;
let totalSteps: number;
const stepLosses = (events: TrainerEvent[]) => new Map(events.flatMap((e) => (e.type === 'step' ? [[e.globalStep, e.loss] as const] : [])));

before(async () => {
  const started = Date.now();
  const whole = await runTrainer(args('baseline'));
  baselineMs = Date.now() - started;
  assert.equal(whole.code, 0, whole.stderr);
  baseline = stepLosses(whole.events);
  totalSteps = Math.max(...baseline.keys());
});

/** Starts a trainer and SIGKILLs it at the moment; resolves once it is gone (and reaped, so its pid reads as dead). */
async function killAt(name: string, m: Moment): Promise<void> {
  let seen = 0;
  const kill = (child: ChildProcess) => setTimeout(() => child.kill('SIGKILL'), m.delayMs);
  const t = startTrainer(args(name), {
    onEvent: (e, trainer) => {
      if (m.matches?.(e) && ++seen === m.n) kill(trainer.child);
    },
  });
  if (!m.matches) kill(t.child);
  const exit = await t.done;
  assert.equal(exit.signal, 'SIGKILL', `the trainer ended by itself before the kill (${exit.code}): ${exit.stderr}`);
}

function runDirOf(name: string): string | undefined {
  const id = fs.readdirSync(runsDir).find((d) => d.includes(`-${name}-synthetic-`));
  return id && path.join(runsDir, id);
}

/** Complete lines all parse; only a last line without its newline may be torn. */
function checkMetricsLines(file: string): string {
  const text = fs.readFileSync(file, 'utf8');
  const complete = text.slice(0, text.lastIndexOf('\n') + 1);
  for (const line of complete.split('\n').filter(Boolean)) assert.ok(parseEventLine(line), `unreadable metrics line: ${line}`);
  return complete;
}

function checkCheckpoints(runDir: string): CheckpointInfo[] {
  const offered = listCheckpoints(runDir);
  for (const c of offered) {
    assert.match(c.name, /^[A-Za-z0-9_-]+$/, 'only checkpoint names are offered, no temporary or retired copies');
    const { manifest } = loadCheckpoint(c.dir); // verifies size and SHA-256
    assert.deepEqual([manifest.epoch, manifest.globalStep], [c.epoch, c.globalStep]);
  }
  return offered;
}

/** The state a kill between saveCheckpoint's two renames leaves: `last` gone, its new copy and its retired one under temporary names. */
function leaveRenameWindow(runDir: string): void {
  const root = runFiles(runDir).checkpoints;
  const fresh = path.join(root, 'last.tmp-4242-abcdef');
  const retired = path.join(root, 'last.old-4242-abcdef');
  fs.renameSync(path.join(root, 'last'), fresh);
  fs.cpSync(fresh, retired, { recursive: true });
  const manifest = path.join(retired, 'manifest.json');
  const m = JSON.parse(fs.readFileSync(manifest, 'utf8'));
  fs.writeFileSync(manifest, JSON.stringify({ ...m, savedAt: m.savedAt - 1000 }));
}

/** What each trial saw when killed, and which resumes met a torn line or a rename window: for the coverage check. */
const phases: string[] = [];
const resumedWith = { torn: 0, renameWindow: 0, fromStart: 0 };

function phaseOf(events: TrainerEvent[], checkpoints: CheckpointInfo[]): string {
  const last = events.at(-1);
  if (!checkpoints.length) return 'before any checkpoint';
  if (last?.type === 'probeProgress' || (last?.type === 'checkpoint' && last.epoch === EPOCHS)) return 'after pretraining';
  return 'between checkpoints';
}

async function trial(i: number, m: Moment): Promise<void> {
  const name = `trial${i}`;
  await killAt(name, m);
  const runDir = runDirOf(name);
  if (!runDir) {
    phases.push('before the run folder');
  } else {
    const files = runFiles(runDir);
    assert.equal(readStatus(runDir).state, 'interrupted');
    if (m.torn) fs.appendFileSync(files.metrics, '{"type":"step","epoch":1,"ste');
    const before = checkMetricsLines(files.metrics);
    const offered = checkCheckpoints(runDir);
    phases.push(phaseOf(readMetrics(files.metrics).events, offered));
    const last = offered.find((c) => c.name === 'last');
    if (last || !offered.length) {
      if (last && m.renameWindow) {
        leaveRenameWindow(runDir);
        const standIn = checkCheckpoints(runDir).find((c) => c.name === 'last');
        assert.equal(path.basename(standIn!.dir), 'last.tmp-4242-abcdef', 'the newest complete copy stands in for last');
      }
      resumedWith.torn += +m.torn;
      resumedWith.renameWindow += +(!!last && m.renameWindow);
      resumedWith.fromStart += +!last;
      const resumed = await runTrainer(['resume', '--run', runDir]);
      assert.equal(resumed.code, 0, resumed.stderr);
      checkResumed(runDir, resumed.events, before);
      return;
    }
  }
  const fresh = await runTrainer(args(name));
  assert.equal(fresh.code, 0, fresh.stderr);
  checkResumed(fresh.runDir, fresh.events, '');
}

/** The job continued the same metrics and reached the end an uninterrupted run reaches, step for step. */
function checkResumed(runDir: string, events: TrainerEvent[], before: string): void {
  const files = runFiles(runDir);
  assert.equal(readStatus(runDir).state, 'completed');
  const text = fs.readFileSync(files.metrics, 'utf8');
  assert.ok(text.startsWith(before), 'earlier metrics are kept and appended to');
  assert.ok(text.endsWith('\n'));
  assert.equal(readMetrics(files.metrics).skipped, 0, 'a torn line is cut before appending');
  for (const [step, loss] of stepLosses(events)) assert.equal(loss, baseline.get(step), `loss at step ${step}`);
  assert.deepEqual(events.at(-1), { ...events.at(-1), type: 'finished', state: 'completed' });
  const last = checkCheckpoints(runDir).find((c) => c.name === 'last');
  assert.deepEqual([last?.epoch, last?.globalStep], [EPOCHS, totalSteps]);
  assert.deepEqual(
    fs.readdirSync(files.checkpoints).filter((d) => d.includes('.')),
    [],
    'no stale copies are left',
  );
}

test(`${TRIALS} trials: SIGKILL at a seeded moment, then interrupted, readable, and resumed to the same end`, { concurrency: 2 }, async (t) => {
  await Promise.all(
    moments(0x5eed).map((m, i) =>
      t.test(`trial ${i}: ${m.what} (event ${m.n}, +${m.delayMs} ms${m.torn ? ', torn last line' : ''}${m.renameWindow ? ', killed between renames' : ''})`, () => trial(i, m)),
    ),
  );
  t.diagnostic(
    `killed: ${phases.join(', ')}; resumed past a torn line ${resumedWith.torn}x, from a rename window ${resumedWith.renameWindow}x, from step 0 ${resumedWith.fromStart}x`,
  );
  for (const phase of ['before any checkpoint', 'between checkpoints', 'after pretraining']) {
    assert.ok(phases.includes(phase), `no trial was killed ${phase}`);
  }
  assert.ok(resumedWith.torn > 0 && resumedWith.renameWindow > 0 && resumedWith.fromStart > 0);
  // Two trainers at a time shared the runs directory: every run is whole and its own.
  const runs = listRuns(runsDir);
  for (const r of runs) assert.equal(r.problem, undefined, `${r.id}: ${r.problem}`);
  assert.equal(new Set(runs.map((r) => r.id)).size, runs.length);
  assert.deepEqual(
    fs.readdirSync(runsDir).filter((d) => d.startsWith('.')),
    [],
    'no half-created run folders',
  );
});
