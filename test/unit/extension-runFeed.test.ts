import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { EventBatcher } from '../../src/extension/dashboard/eventBatcher';
import type { LiveRun } from '../../src/extension/launch/liveRun';
import { MetricsFollower } from '../../src/extension/runs/metricsFollower';
import { RunFeed, sendChunked, CHUNK } from '../../src/extension/dashboard/runFeed';
import type { TrainerEvent } from '../../src/protocol/messages';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'supcon-feed-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));
const step = (globalStep: number): TrainerEvent => ({
  t: globalStep,
  type: 'step',
  epoch: 1,
  step: globalStep,
  globalStep,
  loss: 1,
  lr: 0.1,
  imagesPerSec: 1,
  posSim: 0,
  negSim: 0,
});
const line = (e: TrainerEvent) => JSON.stringify(e) + '\n';
const until = async (ok: () => boolean) => {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(ok());
};

test('the follower sends the file, then what is appended; a torn line waits; truncation resets', async () => {
  const file = path.join(root, 'follow', 'metrics.jsonl');
  fs.mkdirSync(path.dirname(file));
  fs.writeFileSync(file, line(step(1)) + 'garbage\n' + line(step(2)).slice(0, 10));
  const got: { steps: number[]; reset: boolean }[] = [];
  const f = new MetricsFollower(file, (events, reset) => got.push({ steps: events.map((e) => (e as { globalStep: number }).globalStep), reset }), 20);
  f.start();
  assert.deepEqual(got, [{ steps: [1], reset: true }]);
  fs.appendFileSync(file, line(step(2)).slice(10) + line(step(3)));
  await until(() => got.length === 2);
  assert.deepEqual(got[1], { steps: [2, 3], reset: false });
  fs.writeFileSync(file, line(step(9)));
  await until(() => got.length === 3);
  assert.deepEqual(got[2], { steps: [9], reset: true });
  f.dispose();
});

test('a missing file is an empty reset, and the run shows up when written', async () => {
  const file = path.join(root, 'late', 'metrics.jsonl');
  fs.mkdirSync(path.dirname(file));
  const got: boolean[] = [];
  const f = new MetricsFollower(file, (_e, reset) => got.push(reset), 20);
  f.start();
  fs.writeFileSync(file, line(step(1)));
  await until(() => got.length === 2);
  assert.deepEqual(got, [true, false]);
  f.dispose();
});

test('a live run replays the file before its spawn, then its IPC history, then live events', () => {
  const runDir = path.join(root, 'live');
  fs.mkdirSync(runDir);
  fs.writeFileSync(path.join(runDir, 'metrics.jsonl'), line(step(1)) + line(step(2)));
  const live = Object.assign(new EventEmitter(), { spawnOffset: line(step(1)).length, history: [step(5)] }) as unknown as LiveRun;
  fs.appendFileSync(path.join(runDir, 'metrics.jsonl'), line(step(5)));
  const got: [number[], boolean][] = [];
  const feed = new RunFeed(runDir, live, (events, reset) => got.push([events.map((e) => (e as { globalStep: number }).globalStep), reset]));
  feed.start();
  (live as unknown as EventEmitter).emit('event', step(6));
  (live as unknown as EventEmitter).emit('event', { t: 1, type: 'log', level: 'info', message: 'x' });
  feed.dispose();
  (live as unknown as EventEmitter).emit('event', step(7));
  assert.deepEqual(got, [
    [[1, 5], true],
    [[6], false],
  ]);
});

test('big histories are chunked, only the first chunk resets', () => {
  const events = Array.from({ length: CHUNK * 2 + 1 }, (_, i) => step(i));
  const got: [number, boolean][] = [];
  sendChunked(events, true, (e, reset) => got.push([e.length, reset]));
  assert.deepEqual(got, [
    [CHUNK, true],
    [CHUNK, false],
    [1, false],
  ]);
});

test('the batcher sends one message per run per tick, in order', async () => {
  const sent: [string, number[]][] = [];
  const b = new EventBatcher((runId, events) => sent.push([runId, events.map((e) => (e as { globalStep: number }).globalStep)]), 5);
  b.push('a', step(1));
  b.push('b', step(1));
  b.push('a', step(2));
  b.push('c', step(1));
  b.drop('c');
  await until(() => sent.length === 2);
  assert.deepEqual(sent, [
    ['a', [1, 2]],
    ['b', [1]],
  ]);
  b.dispose();
});
