/**
 * Coalesces trainer events per run into one webview message per tick: at
 * 1,000 events/s a message per event would swamp postMessage, while a short
 * delay keeps charts live. The first event of a batch starts the timer.
 */
import type { TrainerEvent } from '../../protocol/messages';

export type BatchSink = (runId: string, events: TrainerEvent[]) => void;

export class EventBatcher {
  private pending = new Map<string, TrainerEvent[]>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly sink: BatchSink,
    private readonly delayMs = 16,
  ) {}

  push(runId: string, event: TrainerEvent): void {
    let list = this.pending.get(runId);
    if (!list) this.pending.set(runId, (list = []));
    list.push(event);
    this.timer ??= setTimeout(() => this.flush(), this.delayMs);
  }

  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batches = this.pending;
    this.pending = new Map();
    for (const [runId, events] of batches) this.sink(runId, events);
  }

  /** Forgets what is queued for a run (its feed is being replaced). */
  drop(runId: string): void {
    this.pending.delete(runId);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.pending.clear();
  }
}
