/**
 * The events of one run for the dashboard, wherever they come from: a run
 * this window drives replays its file up to the spawn point plus the IPC
 * history, then forwards IPC events; any other run is read from metrics.jsonl
 * and followed as the file grows. First call of the sink has reset = true.
 */
import * as fs from 'node:fs';
import type { TrainerEvent } from '../../protocol/messages';
import { parseMetricsBuffer, runFiles } from '../../protocol/runFolder';
import type { LiveRun } from '../launch/liveRun';
import { MetricsFollower } from '../runs/metricsFollower';

export type FeedSink = (events: TrainerEvent[], reset: boolean) => void;

/** Big histories go to the webview in pieces so no single message stalls it. */
export const CHUNK = 50_000;

/** Events of metrics.jsonl in bytes [0, end). */
export function readMetricsPrefix(file: string, end: number): TrainerEvent[] {
  if (end <= 0) return [];
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const buf = Buffer.alloc(end);
      const n = fs.readSync(fd, buf, 0, end, 0);
      return parseMetricsBuffer(buf.subarray(0, n), 0).events;
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return [];
  }
}

/** Calls sink with `events` in chunks, the first carrying `reset`. */
export function sendChunked(events: TrainerEvent[], reset: boolean, sink: FeedSink): void {
  if (!events.length) {
    if (reset) sink([], true);
    return;
  }
  for (let i = 0; i < events.length; i += CHUNK) sink(events.slice(i, i + CHUNK), reset && i === 0);
}

const forDashboard = (e: TrainerEvent): boolean => e.type !== 'log';

export class RunFeed {
  private follower?: MetricsFollower;
  private unsubscribe?: () => void;

  constructor(
    readonly runDir: string,
    readonly live: LiveRun | undefined,
    private readonly sink: FeedSink,
  ) {}

  start(): void {
    const file = runFiles(this.runDir).metrics;
    const live = this.live;
    if (live) {
      sendChunked([...readMetricsPrefix(file, live.spawnOffset).filter(forDashboard), ...live.history], true, this.sink);
      const onEvent = (e: TrainerEvent) => forDashboard(e) && this.sink([e], false);
      live.on('event', onEvent);
      this.unsubscribe = () => live.off('event', onEvent);
    } else {
      this.follower = new MetricsFollower(file, (events, reset) => sendChunked(events.filter(forDashboard), reset, this.sink));
      this.follower.start();
    }
  }

  dispose(): void {
    this.unsubscribe?.();
    this.follower?.dispose();
  }
}
