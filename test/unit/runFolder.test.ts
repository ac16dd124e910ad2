import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isRunId, listRuns, newRunId, readMetrics, readStatus } from '../../src/protocol/runFolder';
import { writeJsonAtomic } from '../../src/protocol/atomicFile';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'runs-'));
const ev = (i: number) => JSON.stringify({ type: 'log', t: i, level: 'info', message: `m${i}` });

test('run ids sort by time and refuse path tricks', () => {
  const a = newRunId('supcon', new Date(2026, 0, 2, 3, 4, 5));
  const b = newRunId('supcon', new Date(2026, 0, 2, 3, 4, 6));
  assert.ok(a < b && isRunId(a));
  assert.match(newRunId('../x/y'), /^\d{8}-\d{6}-\.-x-y-[0-9a-f]{4}$/);
  assert.ok(!isRunId('..'));
  assert.ok(!isRunId('20260101-000000-a/../b'));
});

test('metrics are read incrementally and a torn last line waits for its newline', () => {
  const file = path.join(tmp(), 'metrics.jsonl');
  fs.writeFileSync(file, `${ev(1)}\n${ev(2)}\n${ev(3).slice(0, 10)}`);
  const first = readMetrics(file);
  assert.equal(first.events.length, 2);
  fs.appendFileSync(file, `${ev(3).slice(10)}\nnot json\n`);
  const next = readMetrics(file, first.offset);
  assert.deepEqual(
    next.events.map((e) => e.t),
    [3],
  );
  assert.equal(next.skipped, 1);
  assert.deepEqual(readMetrics(path.join(tmp(), 'missing.jsonl')).events, []);
});

test('a running run whose process is gone reads as interrupted; corrupt runs are listed with the problem', () => {
  const root = tmp();
  const dead = path.join(root, '20260101-000000-dead-0000');
  const live = path.join(root, '20260101-000001-live-0000');
  const bad = path.join(root, '20260101-000002-bad-0000');
  for (const d of [dead, live, bad]) fs.mkdirSync(d);
  fs.mkdirSync(path.join(root, 'not-a-run'));
  const base = { host: os.hostname(), startedAt: 0, updatedAt: 0, epoch: 0, globalStep: 0 };
  writeJsonAtomic(path.join(dead, 'status.json'), { ...base, state: 'running', pid: 2 ** 22 + 12345 });
  writeJsonAtomic(path.join(live, 'status.json'), { ...base, state: 'running', pid: process.pid });
  fs.writeFileSync(path.join(bad, 'status.json'), '{"state": "run');
  assert.equal(readStatus(dead).state, 'interrupted');
  assert.equal(readStatus(live).state, 'running');
  const runs = listRuns(root);
  assert.deepEqual(
    runs.map((r) => r.id),
    [path.basename(bad), path.basename(live), path.basename(dead)],
  );
  assert.match(runs[0].problem!, /status.json: not valid JSON/);
  assert.deepEqual(listRuns(path.join(root, 'nope')), []);
});
