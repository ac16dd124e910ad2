/** This machine's measured training and probe speed per backend setting and encoder, kept in the extension's global state. */
import type * as vscode from 'vscode';
import type { TrainerEvent } from '../../protocol/messages';
import { measureThroughput, Throughput, throughputKey } from './runEstimate';

const KEY = 'supconLab.throughput';

export class ThroughputStore {
  constructor(private readonly state: vscode.Memento) {}

  private all(): Record<string, Throughput> {
    const v = this.state.get<unknown>(KEY);
    return typeof v === 'object' && v !== null ? (v as Record<string, Throughput>) : {};
  }

  get(backendSetting: string, encoder: string): Throughput | undefined {
    const t = this.all()[throughputKey(backendSetting, encoder)];
    return t && typeof t.viewsPerSec === 'number' && typeof t.backend === 'string' ? t : undefined;
  }

  /** Folds a finished job's measurements into the record of its backend setting and encoder. */
  async record(backendSetting: string, events: readonly TrainerEvent[]): Promise<void> {
    const started = events.find((e) => e.type === 'started');
    const measured = measureThroughput(events);
    if (started?.type !== 'started' || !measured) return;
    const key = throughputKey(backendSetting, started.config.encoder);
    const merged = { ...this.all()[key], ...measured };
    if (!(merged.viewsPerSec! > 0)) return;
    await this.state.update(KEY, { ...this.all(), [key]: merged });
  }
}
