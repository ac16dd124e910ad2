/**
 * Real sweeps through the command line on the synthetic set: a sweep killed
 * with its trainers continues to the same set of finished runs; a sweep
 * process killed alone leaves its trainer running, and the next one follows
 * that trainer instead of starting the point again; status and results read
 * the sweep folder.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { listRuns } from '../../src/protocol/runFolder';
import { readSweepState, sweepsDir } from '../../src/protocol/sweep';
import { CLI } from './runTrainer';
import { tempDirs } from '../unit/tempDirs';

const tmp = tempDirs('supcon-sweep-it-');
const sweepFile = (dir: string) => {
  const file = path.join(dir, 'tiny.sweep.json');
  fs.writeFileSync(
    file,
    JSON.stringify({
      base: { dataset: { kind: 'synthetic', trainLimit: 64, testLimit: 40 }, batchSize: 16, epochs: 3, probe: { epochs: 1 }, backend: 'wasm' },
      axes: { views: [1, 2] },
      seeds: [0],
    }),
  );
  return file;
};
const POINTS = ['floor-s0', 'p0-s0', 'p1-s0'];

function startSweep(file: string, runsDir: string) {
  const child = spawn(process.execPath, [CLI, 'sweep', '--config', file, '--runs-dir', runsDir, '--parallel', '1'], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let err = '';
  let out = '';
  child.stderr!.on('data', (d) => (err += d));
  child.stdout!.on('data', (d) => (out += d));
  const done = new Promise<{ code: number | null; err: string; out: string }>((resolve) => child.on('close', (code) => resolve({ code, err, out })));
  return { child, done };
}

/** Waits until a run folder of the point exists with a checkpoint (the trainer is mid-run). */
async function waitForCheckpoint(runsDir: string, point: string): Promise<void> {
  for (let i = 0; i < 1200; i++) {
    const run = listRuns(runsDir).find((r) => r.config?.name?.endsWith(`.${point}`));
    if (run && fs.existsSync(path.join(run.dir, 'checkpoints'))) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no run of ${point} appeared`);
}

function finished(runsDir: string) {
  const runs = listRuns(runsDir);
  const byPoint = new Map<string, string[]>();
  for (const r of runs) {
    const point = r.config!.name.split('.').pop()!;
    byPoint.set(point, [...(byPoint.get(point) ?? []), r.id]);
    assert.equal(r.status?.state, 'completed', `${r.id}: ${r.status?.state}`);
  }
  return byPoint;
}

test('a sweep killed with its trainers continues: finished runs kept, the interrupted one resumed, the rest started, none twice', async () => {
  const dir = tmp();
  const runsDir = path.join(dir, 'runs');
  const file = sweepFile(dir);
  const first = startSweep(file, runsDir);
  await waitForCheckpoint(runsDir, 'p0-s0');
  process.kill(-first.child.pid!, 'SIGKILL'); // the sweep and every trainer it started
  await first.done;
  // the killed trainer is gone once init has reaped it
  for (let i = 0; i < 100 && listRuns(runsDir).some((r) => r.status?.state === 'running'); i++) await new Promise((r) => setTimeout(r, 100));
  const before = listRuns(runsDir);
  const done = before.filter((r) => r.status?.state === 'completed');
  const interrupted = before.filter((r) => r.status?.state === 'interrupted');
  assert.ok(done.some((r) => r.config?.name.endsWith('.floor-s0')));
  assert.equal(done.length + interrupted.length, before.length);
  assert.ok(interrupted.length >= 1, 'the kill landed inside a run');

  const second = await startSweep(file, runsDir).done;
  assert.equal(second.code, 0, second.err);
  assert.match(second.err, new RegExp(`3 runs, ${done.length} already finished`));
  for (const r of interrupted) assert.match(second.err, new RegExp(`resuming ${r.id}`));
  const byPoint = finished(runsDir);
  assert.deepEqual([...byPoint.keys()].sort(), POINTS);
  for (const ids of byPoint.values()) assert.equal(ids.length, 1, 'one run folder per point');
  for (const r of done) assert.equal(listRuns(runsDir).find((x) => x.id === r.id)!.status?.endedAt, r.status?.endedAt, 'a finished run is left alone');
  const state = readSweepState(path.join(sweepsDir(runsDir), fs.readdirSync(sweepsDir(runsDir))[0]));
  assert.deepEqual(
    state.points.map((p) => p.state),
    ['completed', 'completed', 'completed'],
  );
  assert.equal(state.holder, undefined);
  assert.match(second.out, /^equal-steps +2 +3 +\d+\.\d\d% +1 +\d+\.\d\d%/m);
});

test('killing only the sweep process: the next one follows the still-running trainer, starts the rest, and loses nothing', async () => {
  const dir = tmp();
  const runsDir = path.join(dir, 'runs');
  const file = sweepFile(dir);
  const first = startSweep(file, runsDir);
  await waitForCheckpoint(runsDir, 'p0-s0');
  first.child.kill('SIGKILL'); // its trainer lives on
  await first.done;
  const second = await startSweep(file, runsDir).done;
  assert.equal(second.code, 0, second.err);
  assert.match(second.err, /p0-s0: still running from an earlier sweep process \(pid \d+\), followed/);
  assert.doesNotMatch(second.err, /p0-s0: (started|resuming)/);
  const byPoint = finished(runsDir);
  assert.deepEqual([...byPoint.keys()].sort(), POINTS);
  for (const ids of byPoint.values()) assert.equal(ids.length, 1, 'one run folder per point');

  const sweepDir = path.join(sweepsDir(runsDir), fs.readdirSync(sweepsDir(runsDir))[0]);
  const status = spawnSync(process.execPath, [CLI, 'sweep', '--status', sweepDir], { encoding: 'utf8' });
  assert.equal(status.status, 0, status.stderr);
  assert.match(status.stdout, /p1-s0 +completed +views=2 epochs=3 equal-steps seed=0 top-1 \d+\.\d\d%/);
  const csv = path.join(dir, 'r.csv');
  const results = spawnSync(process.execPath, [CLI, 'results', sweepDir, '--csv', csv], { encoding: 'utf8' });
  assert.equal(results.status, 0, results.stderr);
  assert.match(results.stdout, /^floor \(epochs 0\) +- +0 +\d+\.\d\d% +1/m);
  assert.equal(fs.readFileSync(csv, 'utf8').split('\n')[0], 'budget,views,epochs,top1_mean_pct,top1_std_pct,n,seeds,not_counted');
});

test('a bad sweep file fails at once with the path in the file, and starts nothing', () => {
  const dir = tmp();
  const file = path.join(dir, 'bad.sweep.json');
  fs.writeFileSync(file, JSON.stringify({ axes: { views: [] } }));
  const r = spawnSync(process.execPath, [CLI, 'sweep', '--config', file, '--runs-dir', path.join(dir, 'runs')], { encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.equal(r.stderr, `supcon-lab: ${file}: axes.views: empty list: an axis needs at least one value\n`);
  assert.ok(!fs.existsSync(path.join(dir, 'runs')));
});
