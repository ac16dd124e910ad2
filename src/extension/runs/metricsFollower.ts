/**
 * Follows a run's metrics.jsonl as it grows: reads from the last byte offset
 * on every change notice (fs.watch on the run folder) and on a slow poll, for
 * file systems that send no notices (network shares).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TrainerEvent } from '../../protocol/messages';
import { readMetrics } from '../../protocol/runFolder';

export type MetricsSink = (events: TrainerEvent[], reset: boolean) => void;

export class MetricsFollower {
  private watcher?: fs.FSWatcher;
  private poll?: NodeJS.Timeout;
  private disposed = false;

  /** `offset`: where to begin reading (0: the whole file). */
  constructor(
    private readonly file: string,
    private readonly sink: MetricsSink,
    private readonly pollMs = 1000,
    private offset = 0,
  ) {}

  /** Sends everything in the file from the start offset (reset), then what is appended. */
  start(): void {
    this.read(true);
    try {
      this.watcher = fs.watch(path.dirname(this.file), (_e, name) => {
        if (!name || name === path.basename(this.file)) this.read(false);
      });
      this.watcher.on('error', () => this.watcher?.close());
    } catch {
      // the folder is gone or unwatchable: the poll still covers it
    }
    this.poll = setInterval(() => this.read(false), this.pollMs);
  }

  read(reset: boolean): void {
    if (this.disposed) return;
    let size: number;
    try {
      size = fs.statSync(this.file).size;
    } catch {
      if (reset) this.sink([], true);
      return;
    }
    if (size < this.offset) {
      reset = true; // replaced or truncated: start over
      this.offset = 0;
    }
    if (size === this.offset && !reset) return;
    const chunk = readMetrics(this.file, this.offset);
    this.offset = chunk.offset;
    if (chunk.events.length || reset) this.sink(chunk.events, reset);
  }

  dispose(): void {
    this.disposed = true;
    this.watcher?.close();
    clearInterval(this.poll);
  }
}
