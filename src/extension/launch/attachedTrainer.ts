/**
 * A trainer this window started before it was reloaded: no IPC channel and
 * no pipes any more, so its events come from the run's metrics.jsonl and a
 * stop is a signal. Behaves as a TrainerProcess towards LiveRun.
 */
import { EventEmitter } from 'node:events';
import { isPidAlive, runFiles } from '../../protocol/runFolder';
import type { TrainerHandle } from './liveRun';
import { MetricsFollower } from '../runs/metricsFollower';
import type { TrainerProcessEvents } from './trainerProcess';

const PID_POLL_MS = 500;

export class AttachedTrainer extends EventEmitter<Pick<TrainerProcessEvents, 'event' | 'exit'>> implements TrainerHandle {
  private follower?: MetricsFollower;
  private poll?: NodeJS.Timeout;
  private stops = 0;
  private ended = false;

  constructor(
    readonly runDir: string,
    readonly pid: number,
  ) {
    super();
  }

  /** Follows metrics.jsonl from `offset` (what came before is the LiveRun's prime) until the process ends. */
  start(offset: number): void {
    this.follower = new MetricsFollower(runFiles(this.runDir).metrics, (events) => events.forEach((e) => this.emit('event', e)), 500, offset);
    this.follower.start();
    this.poll = setInterval(() => {
      if (!isPidAlive(this.pid)) this.end();
    }, PID_POLL_MS);
  }

  /**
   * As the extension's Stop everywhere: the first SIGTERM asks the trainer to
   * stop after its step and save a checkpoint, a second ends it at once, a
   * third is SIGKILL for one that answers neither.
   */
  stop(): void {
    if (this.ended || !isPidAlive(this.pid)) return;
    process.kill(this.pid, ++this.stops >= 3 ? 'SIGKILL' : 'SIGTERM');
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    clearInterval(this.poll);
    this.follower?.read(false); // the last events the trainer wrote
    this.follower?.dispose();
    // how it ended is in the events read (finished or failed); none read means it ended without saying
    this.emit('exit', { code: 0, signal: null, stderrTail: '' });
  }

  dispose(): void {
    clearInterval(this.poll);
    this.follower?.dispose();
  }
}
