/**
 * The run queue across real processes: several workers share one queue file
 * within its capacity and never start an entry twice; a lock left by a killed
 * process is taken over; an entry whose holder was killed waits again.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { QueueEntry, queueFiles } from '../../src/protocol/sweep';
import { claim, enqueue, peekQueue, queuePosition, setChild, withLock } from '../../src/sweep/queue';
import { defaultCapacity } from '../../src/sweep/capacity';
import { tempDirs } from '../unit/tempDirs';

const tmp = tempDirs('supcon-queue-');
const WORKER = path.join(__dirname, 'queueWorker.ts');
const entries = (sweep: string, n: number): QueueEntry[] =>
  Array.from({ length: n }, (_, i) => ({ id: `${sweep}/p${i}`, sweepDir: `/x/${sweep}`, pointId: `p${i}`, enqueuedAt: i }));

function worker(runsDir: string, sweep: string, capacity: number, holdMs: number, log: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER, runsDir, sweep, String(capacity), String(holdMs), log], { stdio: 'inherit' });
  return new Promise<number | null>((resolve) => child.on('exit', resolve));
}

/** A pid that is surely gone: a process that has already exited. */
function deadPid(): number {
  return Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
}

test('capacity rule: one run per GPU, else cores over threads per run, at least one', () => {
  assert.equal(defaultCapacity(2, 64, 1), 2);
  assert.equal(defaultCapacity(0, 16, 4), 4);
  assert.equal(defaultCapacity(0, 2, 1), 2);
  assert.equal(defaultCapacity(0, 2, 8), 1);
});

test('three processes share one queue: capacity is never exceeded and each entry starts exactly once', async () => {
  const runsDir = tmp();
  const log = path.join(runsDir, 'log');
  enqueue(runsDir, entries('s', 9));
  enqueue(runsDir, entries('other', 2)); // another sweep's entries are not taken
  assert.equal(enqueue(runsDir, entries('s', 3)), 0, 'queued entries are not queued twice');
  // each entry is held long enough that the other workers have started before the first one could finish alone
  const codes = await Promise.all([0, 1, 2].map(() => worker(runsDir, 's', 2, 1500, log)));
  assert.deepEqual(codes, [0, 0, 0]);
  const lines = fs
    .readFileSync(log, 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split(' '));
  const starts = lines
    .filter((l) => l[0] === 'start')
    .map((l) => l[1])
    .sort();
  assert.deepEqual(
    starts,
    entries('s', 9)
      .map((e) => e.id)
      .sort(),
  );
  let running = 0;
  let most = 0;
  for (const [what] of lines) {
    running += what === 'start' ? 1 : -1;
    most = Math.max(most, running);
  }
  assert.equal(most, 2);
  assert.ok(new Set(lines.filter((l) => l[0] === 'start').map((l) => l[3])).size >= 2, 'more than one process did work');
  assert.deepEqual(
    peekQueue(runsDir).entries.map((e) => e.id),
    ['other/p0', 'other/p1'],
  );
});

test('a lock left by a killed process is taken over; a live one is waited for and then named', () => {
  const runsDir = tmp();
  const { lock } = queueFiles(runsDir);
  fs.writeFileSync(lock, `${deadPid()} ${os.hostname()}`);
  assert.equal(
    withLock(lock, () => 'ran', 2000),
    'ran',
  );
  assert.ok(!fs.existsSync(lock));
  fs.writeFileSync(lock, `${process.pid} ${os.hostname()}`);
  assert.throws(() => withLock(lock, () => 'ran', 200), new RegExp(`queue.lock: held by process ${process.pid} `));
  fs.rmSync(lock);
});

test('an entry held by a killed process waits again, keeps its place, and is claimed once', () => {
  const runsDir = tmp();
  enqueue(runsDir, entries('s', 3));
  const gone = { pid: deadPid(), host: os.hostname() };
  assert.deepEqual(
    claim(runsDir, 's', 1, gone).claimed.map((e) => e.id),
    ['s/p0'],
  );
  assert.equal(queuePosition(peekQueue(runsDir), 's/p1'), 1);
  // the holder is gone and it had started no trainer: the entry is claimed again, first
  const me = { pid: process.pid, host: os.hostname() };
  const again = claim(runsDir, 's', 1, me);
  assert.deepEqual(
    [...again.claimed, ...again.adopted].map((e) => e.id),
    ['s/p0'],
  );
  assert.deepEqual(claim(runsDir, 's', 1, me).claimed, [], 'capacity 1 is taken');
  assert.deepEqual(
    claim(runsDir, 's', 3, me).claimed.map((e) => e.id),
    ['s/p1', 's/p2'],
  );
});

test('an entry whose holder was killed while its trainer still runs is adopted, not started again', () => {
  const runsDir = tmp();
  enqueue(runsDir, entries('s', 2));
  const trainer = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)']);
  const gone = { pid: deadPid(), host: os.hostname() };
  claim(runsDir, 's', 2, gone);
  setChild(runsDir, 's/p0', trainer.pid!);
  const me = { pid: process.pid, host: os.hostname() };
  const got = claim(runsDir, 's', 2, me);
  assert.deepEqual(
    got.adopted.map((e) => [e.id, e.holder?.childPid]),
    [['s/p0', trainer.pid]],
  );
  assert.deepEqual(
    got.claimed.map((e) => e.id),
    ['s/p1'],
    'p1 had no trainer: started again',
  );
  trainer.kill('SIGKILL');
});
