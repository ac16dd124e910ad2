/**
 * Records a run as it happens: every event is appended to metrics.jsonl (one
 * write per line, so a kill leaves at most a torn last line), sent to the
 * parent process when there is an IPC channel, and folded into status.json.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { RunConfig } from '../protocol/config';
import type { TrainerEvent } from '../protocol/messages';
import { newRunId, readStatus, RunStatus, runFiles, writeJsonAtomic } from '../protocol/runFolder';

/** An event before the recorder stamps its time. */
export type EventBody = TrainerEvent extends infer E ? (E extends TrainerEvent ? Omit<E, 't'> : never) : never;

const STATUS_INTERVAL_MS = 2000;

export class RunRecorder {
  private readonly metricsFd: number;
  private lastStatusWrite = 0;

  private constructor(
    readonly runDir: string,
    public status: RunStatus,
    private readonly listener?: (ev: TrainerEvent) => void,
  ) {
    this.metricsFd = fs.openSync(runFiles(runDir).metrics, 'a');
    this.writeStatus();
  }

  get runId(): string {
    return path.basename(this.runDir);
  }

  /** A new run folder with its resolved config. */
  static create(runsDir: string, config: RunConfig, listener?: (ev: TrainerEvent) => void): RunRecorder {
    let stat: fs.Stats | undefined;
    try {
      stat = fs.statSync(runsDir);
    } catch {
      // created below
    }
    if (stat && !stat.isDirectory()) throw new Error(`runs directory ${runsDir} is a file, expected a folder`);
    const label = [config.name || config.method, config.dataset.kind].join('-');
    const runDir = path.join(runsDir, newRunId(label));
    try {
      fs.mkdirSync(runDir, { recursive: true });
      fs.accessSync(runDir, fs.constants.W_OK);
    } catch (e) {
      throw new Error(`runs directory ${runsDir} is not writable (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    writeJsonAtomic(runFiles(runDir).config, config);
    return new RunRecorder(runDir, freshStatus(), listener);
  }

  /** An existing run, continued (resume) or extended (probe). */
  static reopen(runDir: string, listener?: (ev: TrainerEvent) => void): RunRecorder {
    let previous: Partial<RunStatus> = {};
    try {
      previous = readStatus(runDir);
    } catch {
      // a corrupt status.json is rewritten from here on
    }
    return new RunRecorder(runDir, { ...freshStatus(), ...previous, state: 'running', pid: process.pid, host: os.hostname(), error: undefined, hint: undefined, endedAt: undefined }, listener);
  }

  emit(body: EventBody): void {
    const ev = { ...body, t: Date.now() } as TrainerEvent;
    fs.writeSync(this.metricsFd, JSON.stringify(ev) + '\n');
    if (process.send && process.connected) process.send(ev, undefined, undefined, () => undefined);
    this.listener?.(ev);
    this.fold(ev);
  }

  private fold(ev: TrainerEvent): void {
    const s = this.status;
    switch (ev.type) {
      case 'started':
        s.backend = ev.backend;
        break;
      case 'step':
        s.globalStep = ev.globalStep;
        s.epoch = ev.epoch;
        if (ev.loss !== null) s.lastLoss = ev.loss;
        if (ev.t - this.lastStatusWrite < STATUS_INTERVAL_MS) return;
        break;
      case 'epoch':
        s.epoch = ev.epoch;
        break;
      case 'probeResult':
        s.top1 = ev.top1;
        break;
      case 'finished':
        s.state = ev.state;
        s.endedAt = ev.t;
        break;
      case 'failed':
        s.state = 'failed';
        s.error = ev.error;
        s.hint = ev.hint;
        s.endedAt = ev.t;
        break;
      default:
        return;
    }
    this.writeStatus();
  }

  private writeStatus(): void {
    this.status.updatedAt = this.lastStatusWrite = Date.now();
    writeJsonAtomic(runFiles(this.runDir).status, this.status);
  }

  close(): void {
    fs.closeSync(this.metricsFd);
  }
}

function freshStatus(): RunStatus {
  const now = Date.now();
  return { state: 'running', pid: process.pid, host: os.hostname(), startedAt: now, updatedAt: now, epoch: 0, globalStep: 0 };
}
