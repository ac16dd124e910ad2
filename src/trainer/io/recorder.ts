/**
 * Records a run as it happens: every event is appended to metrics.jsonl (one
 * whole line or nothing, so a reader never sees two events glued together),
 * sent to the parent process when there is an IPC channel, and folded into
 * status.json.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { RunConfig } from '../../protocol/config';
import type { TrainerEvent } from '../../protocol/messages';
import { newRunId, readStatus, RunParent, RunStatus, runFiles } from '../../protocol/runFolder';
import { removeQuietly, writeAll, writeFileAtomic, writeJsonAtomic } from '../../protocol/atomicFile';
import { foldRun, INITIAL_RUN, RunFold } from '../../protocol/runState';

/** An event before the recorder stamps its time. */
export type EventBody = TrainerEvent extends infer E ? (E extends TrainerEvent ? Omit<E, 't'> : never) : never;

const STATUS_INTERVAL_MS = 2000;
/** Events that change status.json; steps rewrite it at most every STATUS_INTERVAL_MS. */
const STATUS_EVENTS: ReadonlySet<TrainerEvent['type']> = new Set(['started', 'step', 'epoch', 'probeResult', 'finished', 'failed']);
/** Tries at a fresh run id when another trainer took the same one in the same second. */
const ID_TRIES = 8;

const errorCode = (e: unknown): string => (e as NodeJS.ErrnoException).code ?? (e as Error).message;

export class RunRecorder {
  private readonly metricsFd: number;
  /** Bytes of complete lines in metrics.jsonl. */
  private metricsEnd: number;
  private lastStatusWrite = 0;
  /** This process's events folded onto what status.json held, so a reopened run keeps its step, probes and headline. */
  private run: RunFold;

  private constructor(
    readonly runDir: string,
    public status: RunStatus,
    private readonly listener?: (ev: TrainerEvent) => void,
  ) {
    this.run = foldOfStatus(status);
    this.metricsFd = fs.openSync(runFiles(runDir).metrics, 'a');
    this.metricsEnd = fs.fstatSync(this.metricsFd).size;
    this.writeStatus();
  }

  get runId(): string {
    return path.basename(this.runDir);
  }

  /** A new run (see createRunFolder); `parent` links a run forked from another run's checkpoint. */
  static create(runsDir: string, config: RunConfig, listener?: (ev: TrainerEvent) => void, parent?: RunParent): RunRecorder {
    const status: RunStatus = { ...freshStatus(), parent };
    return new RunRecorder(createRunFolder(runsDir, config, status), status, listener);
  }

  /** An existing run, continued (resume) or extended (probe). */
  static reopen(runDir: string, listener?: (ev: TrainerEvent) => void): RunRecorder {
    let previous: Partial<RunStatus> = {};
    try {
      previous = readStatus(runDir);
    } catch {
      // a corrupt status.json is rewritten from here on
    }
    dropTornLine(runFiles(runDir).metrics);
    return new RunRecorder(
      runDir,
      { ...freshStatus(), ...previous, state: 'running', pid: process.pid, host: os.hostname(), error: undefined, hint: undefined, endedAt: undefined },
      listener,
    );
  }

  /**
   * Records an event. A write that fails (a full disk) still lets the event
   * reach the parent and status.json where it can, then throws, so the run
   * ends as failed; the `failed` event itself never throws, there being
   * nothing left to report to.
   */
  emit(body: EventBody): void {
    const ev = { ...body, t: Date.now() } as TrainerEvent;
    let failure: unknown;
    try {
      this.append(JSON.stringify(ev) + '\n');
    } catch (e) {
      failure = e;
    }
    if (process.send && process.connected) process.send(ev, undefined, undefined, () => undefined);
    this.listener?.(ev);
    try {
      this.fold(ev);
    } catch (e) {
      failure ??= e;
    }
    if (failure !== undefined && ev.type !== 'failed') throw failure;
  }

  private append(line: string): void {
    try {
      writeAll(this.metricsFd, Buffer.from(line));
      this.metricsEnd += Buffer.byteLength(line);
    } catch (e) {
      // a partial line would glue itself to the next event: cut it off
      fs.ftruncateSync(this.metricsFd, this.metricsEnd);
      throw e;
    }
  }

  private fold(ev: TrainerEvent): void {
    this.run = foldRun(this.run, ev);
    this.status = { ...this.status, ...statusFields(this.run) };
    if (!STATUS_EVENTS.has(ev.type) || (ev.type === 'step' && ev.t - this.lastStatusWrite < STATUS_INTERVAL_MS)) return;
    this.writeStatus();
  }

  private writeStatus(): void {
    this.status.updatedAt = this.lastStatusWrite = Date.now();
    const file = runFiles(this.runDir).status;
    const text = JSON.stringify(this.status, null, 2) + '\n';
    try {
      writeFileAtomic(file, text);
    } catch (e) {
      if (!overwriteInPlace(file, text)) throw e;
    }
  }

  close(): void {
    fs.closeSync(this.metricsFd);
  }
}

/**
 * A new run folder holding `config` and `status`, under a fresh run id made
 * from the run's name and dataset; returns its path. It is filled under a name
 * that is not a run id and renamed into place, so a run folder never lacks
 * either file, and two writers can never share one.
 * @throws Error naming the runs directory when it cannot be written.
 */
export function createRunFolder(runsDir: string, config: RunConfig, status: RunStatus): string {
  let stat: fs.Stats | undefined;
  try {
    stat = fs.statSync(runsDir);
  } catch {
    // created below
  }
  if (stat && !stat.isDirectory()) throw new Error(`runs directory ${runsDir} is a file, expected a folder`);
  const label = [config.name || config.method, config.dataset.kind].join('-');
  for (let attempt = 1; ; attempt++) {
    const runDir = path.join(runsDir, newRunId(label));
    const staging = path.join(runsDir, `.${path.basename(runDir)}.new`);
    try {
      fs.mkdirSync(runsDir, { recursive: true });
      fs.mkdirSync(staging);
      writeJsonAtomic(runFiles(staging).config, config);
      writeJsonAtomic(runFiles(staging).status, status);
    } catch (e) {
      removeQuietly(staging);
      throw Object.assign(new Error(`runs directory ${runsDir} is not writable (${errorCode(e)})`), { code: (e as NodeJS.ErrnoException).code });
    }
    try {
      fs.renameSync(staging, runDir);
    } catch (e) {
      removeQuietly(staging);
      const taken = ['EEXIST', 'ENOTEMPTY', 'EPERM'].includes((e as NodeJS.ErrnoException).code ?? '');
      if (taken && attempt < ID_TRIES) continue;
      throw e;
    }
    return runDir;
  }
}

/** What status.json holds of a run's events, as the fold they continue. */
function foldOfStatus(s: RunStatus): RunFold {
  const probes = Array.isArray(s.probes) ? s.probes : [];
  return { ...INITIAL_RUN, epoch: s.epoch, globalStep: s.globalStep, loss: s.lastLoss, backend: s.backend, probes, top1: s.top1, top1Checkpoint: s.top1Checkpoint };
}

/** The fields of status.json that come from events; the process's own (pid, host, times, parent) stay the recorder's. */
function statusFields(run: RunFold): Partial<RunStatus> {
  return {
    state: run.state ?? 'running',
    endedAt: run.endedAt,
    epoch: run.epoch ?? 0,
    globalStep: run.globalStep ?? 0,
    backend: run.backend,
    lastLoss: run.loss,
    top1: run.top1,
    top1Checkpoint: run.top1Checkpoint,
    probes: run.probes.length ? [...run.probes] : undefined,
    error: run.error,
    hint: run.hint,
  };
}

function freshStatus(): RunStatus {
  const now = Date.now();
  return { state: 'running', pid: process.pid, host: os.hostname(), startedAt: now, updatedAt: now, epoch: 0, globalStep: 0 };
}

/**
 * A full disk has no room for the second copy an atomic write needs, but the
 * blocks status.json already holds can take the new text: a final state that
 * reaches the disk beats one that cannot. Only when the text fits those blocks,
 * so the write cannot fail half way.
 */
function overwriteInPlace(file: string, text: string): boolean {
  const bytes = Buffer.from(text);
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'r+');
    if (bytes.length > fs.fstatSync(fd).blocks * 512) return false;
    fs.writeSync(fd, bytes, 0, bytes.length, 0);
    fs.ftruncateSync(fd, bytes.length);
    fs.fsyncSync(fd);
    return true;
  } catch {
    return false;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** Cuts metrics.jsonl back to its last complete line (a power cut can leave half a line), so appended events start on a line of their own. */
function dropTornLine(file: string): void {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r+');
  } catch {
    return; // no metrics yet
  }
  try {
    const chunk = Buffer.alloc(64 * 1024);
    let end = fs.fstatSync(fd).size;
    const size = end;
    while (end > 0) {
      const start = Math.max(0, end - chunk.length);
      fs.readSync(fd, chunk, 0, end - start, start);
      const nl = chunk.subarray(0, end - start).lastIndexOf(0x0a);
      if (nl >= 0) {
        end = start + nl + 1;
        break;
      }
      end = start;
    }
    if (end < size) fs.ftruncateSync(fd, end);
  } finally {
    fs.closeSync(fd);
  }
}
