/**
 * Dashboard bench, on the real code paths short of a VS Code window:
 *  1. latency trainer -> webview at 1,000 events/s: a child process sends
 *     step events over Node IPC; TrainerProcess (parseEvent) -> LiveRun ->
 *     RunFeed -> EventBatcher (16 ms) -> a JSON round trip standing in for
 *     webview.postMessage -> the webview's SeriesStore ingest. Not included:
 *     VS Code's own message hop to the webview process and the canvas paint.
 *  2. draw preparation for 1,000,000 points per series: EMA smoothing and
 *     min/max alignment to a 1,000 px chart (what the webview hands uPlot,
 *     which then strokes at most 2,000 points).
 *  3. the Runs tree over 10,000 run folders: listRuns + a tree item model each.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EventBatcher } from '../src/extension/dashboard/eventBatcher';
import { LiveRun } from '../src/extension/launch/liveRun';
import { RunFeed } from '../src/extension/dashboard/runFeed';
import { runItemModel } from '../src/extension/runs/runPresentation';
import { TrainerProcess } from '../src/extension/launch/trainerProcess';
import type { HostMessage } from '../src/protocol/dashboard';
import type { TrainerEvent } from '../src/protocol/messages';
import { listRuns } from '../src/protocol/runFolder';
import { Column } from '../webview/column';
import { alignSeries } from '../webview/downsample';
import { Ema } from '../webview/ema';
import { SeriesStore } from '../webview/series';

const RATE = 1000;
const SECONDS = 4;

// Sends RATE step events per second in 1 ms ticks, each stamped when sent.
const EMITTER = `
const rate = Number(process.argv[2]), total = rate * Number(process.argv[3]);
const now = () => performance.timeOrigin + performance.now();
process.send({ type: 'started', t: now(), runId: '20260101-000000-bench-0000', config: { epochs: 1 }, backend: { name: 'cpu', label: 'cpu', version: '0', threads: 1, gpu: false, skipped: [] }, trainSize: 1, testSize: 1, stepsPerEpoch: total });
let sent = 0;
const t0 = now();
const timer = setInterval(() => {
  const due = Math.min(total, Math.floor((now() - t0) * rate / 1000));
  for (; sent < due; sent++) process.send({ type: 'step', t: now(), epoch: 1, step: sent, globalStep: sent, loss: 1 / (sent + 1), lr: 0.1, imagesPerSec: 1000, posSim: 0.5, negSim: 0.1 });
  if (sent >= total) { clearInterval(timer); process.disconnect(); }
}, 1);
`;

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const ms = (v: number) => `${v.toFixed(2)} ms`;

async function latency(print: (line: string) => void): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'supcon-bench-ipc-'));
  const cli = path.join(dir, 'emitter.js');
  fs.writeFileSync(cli, EMITTER);
  const store = new SeriesStore();
  const latencies: number[] = [];
  let messages = 0;
  const webview = (raw: string) => {
    const msg = JSON.parse(raw) as HostMessage;
    if (msg.type !== 'events') return;
    store.apply(msg.runId, msg.events, msg.reset);
    const now = performance.timeOrigin + performance.now();
    for (const e of msg.events) if (e.type === 'step') latencies.push(now - e.t);
    messages++;
  };
  const batcher = new EventBatcher((runId, events) => webview(JSON.stringify({ type: 'events', runId, events, reset: false })));
  const proc = new TrainerProcess([String(RATE), String(SECONDS)]);
  const run = new LiveRun('train', proc, dir);
  let feed: RunFeed | undefined;
  run.once('identified', (id) => {
    feed = new RunFeed(path.join(dir, id), run, (events: TrainerEvent[], reset: boolean) => {
      if (reset) webview(JSON.stringify({ type: 'events', runId: id, events, reset }));
      else for (const e of events) batcher.push(id, e);
    });
    feed.start();
  });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  proc.start({ node: process.execPath, cli, env: process.env });
  await exited;
  await new Promise((r) => setTimeout(r, 50));
  batcher.flush();
  feed?.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
  latencies.sort((a, b) => a - b);
  print(
    `latency trainer->webview at ${RATE} events/s (${latencies.length} events in ${messages} batches): p50 ${ms(pct(latencies, 50))}, p99 ${ms(pct(latencies, 99))}, max ${ms(latencies[latencies.length - 1])} (target p99 < 50 ms)`,
  );
}

function time<T>(fn: () => T, repeat = 5): { best: number; value: T } {
  let best = Infinity;
  let value!: T;
  for (let i = 0; i < repeat; i++) {
    const t0 = performance.now();
    value = fn();
    best = Math.min(best, performance.now() - t0);
  }
  return { best, value };
}

function drawMillion(print: (line: string) => void): void {
  const n = 1_000_000;
  const x = new Column(n);
  const y = new Column(n);
  for (let i = 0; i < n; i++) {
    x.push(i);
    y.push(2 * Math.exp(-i / 2e5) + 0.1 * Math.sin(i / 37) + ((i * 7919) % 101) / 1000);
  }
  const align = time(() => alignSeries([{ x: x.view(), y: y.view() }], 1000));
  print(`downsample 1,000,000 points to a 1,000 px chart: ${ms(align.best)} -> ${align.value.x.length} points drawn (target < 100 ms)`);
  const smooth = time(() => alignSeries([{ x: x.view(), y: new Ema(0.6).extend(y) }], 1000));
  print(`EMA + downsample 1,000,000 points: ${ms(smooth.best)}`);
  const zoom = time(() => alignSeries([{ x: x.view(), y: y.view() }], 1000, [250_000, 260_000]));
  print(`zoomed to 10,000 of 1,000,000 points: ${ms(zoom.best)}`);
  const four = time(
    () =>
      alignSeries(
        [0, 1, 2, 3].map(() => ({ x: x.view(), y: y.view() })),
        1000,
      ),
    3,
  );
  print(`4 runs overlaid, 1,000,000 points each: ${ms(four.best)}`);
}

function listTenThousand(print: (line: string) => void): void {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'supcon-bench-runs-'));
  const config = JSON.stringify({ method: 'supcon', epochs: 10, dataset: { kind: 'synthetic' } });
  for (let i = 0; i < 10_000; i++) {
    const id = `20260101-${String(100000 + i).slice(-6)}-bench-${i.toString(16).padStart(4, '0')}`;
    const dir = path.join(root, id);
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'config.json'), config);
    fs.writeFileSync(
      path.join(dir, 'status.json'),
      JSON.stringify({ state: 'completed', pid: 1, host: 'elsewhere', startedAt: 0, updatedAt: 0, epoch: 10, globalStep: 100, top1: 0.8, lastLoss: 1.2 }),
    );
  }
  const r = time(() => listRuns(root).map((run) => runItemModel(run)), 3);
  print(`Runs tree over 10,000 runs (listRuns + item models): ${ms(r.best)} for ${r.value.length} items (target < 500 ms)`);
  fs.rmSync(root, { recursive: true, force: true });
}

export default async function (print: (line: string) => void): Promise<void> {
  await latency(print);
  drawMillion(print);
  listTenThousand(print);
}
