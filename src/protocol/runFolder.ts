/**
 * The run folder, the source of truth for every run:
 *
 *   <runs-dir>/<run-id>/config.json      resolved config (written once)
 *                       status.json      state, pid, times, backend, final metrics, error
 *                       metrics.jsonl    one TrainerEvent per line, appended
 *                       checkpoints/<name>/manifest.json + weights
 *
 * Writers replace files atomically (atomicFile.ts); readers tolerate a torn
 * last line and corrupt files of old runs, so one bad run never hides the others.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as crypto from 'node:crypto';
import type { RunConfig } from './config';
import { BackendInfo, isRunId, parseEventLine, RunParent, RunState, TrainerEvent } from './messages';
import type { ProbeRecord } from './probes';

export const DEFAULT_RUNS_DIR = path.join('.supcon', 'runs');

export interface RunStatus {
  state: RunState;
  pid: number;
  /** Host name of the machine running the trainer: a pid only means something there. */
  host: string;
  startedAt: number;
  updatedAt: number;
  endedAt?: number;
  epoch: number;
  globalStep: number;
  backend?: BackendInfo;
  lastLoss?: number;
  /** The headline: probe top-1 of the final checkpoint, named by top1Checkpoint. */
  top1?: number;
  top1Checkpoint?: string;
  /** Every probe of the run, one record per checkpoint. */
  probes?: ProbeRecord[];
  /** Set on a run forked from a checkpoint of another (a resume that would have rewritten a completed run). */
  parent?: RunParent;
  error?: string;
  hint?: string;
}

export interface RunSummary {
  id: string;
  dir: string;
  status?: RunStatus;
  config?: RunConfig;
  /** Why status.json or config.json could not be read. */
  problem?: string;
}

export interface CheckpointInfo {
  name: string;
  dir: string;
  /** Whole epochs done, and steps done in the next one (a mid-epoch save); see progress.ts for how they read. */
  epoch: number;
  stepInEpoch: number;
  globalStep: number;
  metric?: number;
  savedAt: number;
}

export const runFiles = (runDir: string) => ({
  config: path.join(runDir, 'config.json'),
  status: path.join(runDir, 'status.json'),
  metrics: path.join(runDir, 'metrics.jsonl'),
  checkpoints: path.join(runDir, 'checkpoints'),
});

export { isRunId };
export type { RunParent };

/** Run ids sort by start time: 20261128-142501-supcon-fmnist-3fa2. */
export function newRunId(label: string, now = new Date()): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const stamp = `${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}-${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}`;
  const safe = label
    .replace(/[^A-Za-z0-9_.-]/g, '-')
    .replace(/\.\.+/g, '.')
    .slice(0, 48);
  return `${stamp}-${safe}-${crypto.randomBytes(2).toString('hex')}`;
}

/** Reads JSON, naming the file in the error. */
export function readJson(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message})`);
  }
}

export function isPidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const STATES: readonly RunState[] = ['queued', 'running', 'completed', 'failed', 'stopped', 'interrupted'];

function parseStatus(v: unknown, file: string): RunStatus {
  const s = v as Partial<RunStatus>;
  if (typeof v !== 'object' || v === null || !STATES.includes(s.state as RunState) || typeof s.pid !== 'number') {
    throw new Error(`${file}: not a run status (expected "state" one of ${STATES.join(', ')} and a numeric "pid")`);
  }
  return v as RunStatus;
}

/**
 * Reads status.json. A run that says "running" while its process is gone on
 * this host is reported as interrupted (it was killed, or the machine slept).
 */
export function readStatus(runDir: string, hostname = os.hostname()): RunStatus {
  const file = runFiles(runDir).status;
  const status = parseStatus(readJson(file), file);
  if (status.state === 'running' && status.host === hostname && !isPidAlive(status.pid)) {
    return { ...status, state: 'interrupted' };
  }
  return status;
}

/**
 * Whether resuming from a checkpoint at `checkpointStep` forks a new run: a
 * completed run with later steps would otherwise have them, its checkpoints
 * and its result replaced.
 */
export function resumeForks(status: RunStatus | undefined, checkpointStep: number): boolean {
  return status?.state === 'completed' && checkpointStep < status.globalStep;
}

export function readSummary(runsDir: string, id: string): RunSummary {
  const dir = path.join(runsDir, id);
  const summary: RunSummary = { id, dir };
  const problems: string[] = [];
  try {
    summary.status = readStatus(dir);
  } catch (e) {
    problems.push((e as Error).message);
  }
  try {
    summary.config = readJson(runFiles(dir).config) as RunConfig;
  } catch (e) {
    problems.push((e as Error).message);
  }
  if (problems.length) summary.problem = problems.join('; ');
  return summary;
}

/** Every run under runsDir, newest first, then renamed run folders (with a problem saying so). Folders that are not runs are skipped. */
export function listRuns(runsDir: string): RunSummary[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(runsDir, { withFileTypes: true });
  } catch {
    return [];
  }
  const folders = entries.filter((e) => e.isDirectory() || e.isSymbolicLink());
  const runs = folders
    .filter((e) => isRunId(e.name))
    .map((e) => e.name)
    .sort()
    .reverse()
    .map((id) => readSummary(runsDir, id));
  // a run folder the user renamed: listed with its problem rather than silently dropped
  const renamed = folders
    .filter((e) => !e.name.startsWith('.') && !isRunId(e.name) && fs.existsSync(runFiles(path.join(runsDir, e.name)).config))
    .map((e) => e.name)
    .sort()
    .map((name) => {
      const summary = readSummary(runsDir, name);
      return { ...summary, problem: [renamedProblem(summary.dir), summary.problem].filter(Boolean).join('; ') };
    });
  return [...runs, ...renamed];
}

/**
 * Why a run folder whose name is not a run id cannot be written to: every
 * event names its run by the folder, and readers reject ids of another form.
 */
export function renamedProblem(runDir: string): string {
  return `folder name "${path.basename(runDir)}" is not a run id (like 20261128-142501-supcon-fashion-mnist-3fa2): it was renamed, so its runs cannot be continued or probed; rename it back to a run id`;
}

export interface MetricsChunk {
  events: TrainerEvent[];
  /** Byte offset just past the last complete line: pass it back to read only what is new. */
  offset: number;
  /** Complete lines that were not valid events. */
  skipped: number;
}

/** Reads metrics.jsonl from a byte offset; a line without its newline yet is left for the next read. */
export function readMetrics(file: string, offset = 0): MetricsChunk {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return { events: [], offset, skipped: 0 };
  }
  try {
    const size = fs.fstatSync(fd).size;
    if (size < offset) offset = 0; // the file was replaced
    const buf = Buffer.alloc(size - offset);
    let read = 0;
    while (read < buf.length) {
      const n = fs.readSync(fd, buf, read, buf.length - read, offset + read);
      if (n === 0) break;
      read += n;
    }
    return parseMetricsBuffer(buf.subarray(0, read), offset);
  } finally {
    fs.closeSync(fd);
  }
}

export function parseMetricsBuffer(buf: Buffer, offset: number): MetricsChunk {
  const end = buf.lastIndexOf(0x0a);
  const events: TrainerEvent[] = [];
  let skipped = 0;
  if (end < 0) return { events, offset, skipped };
  for (const line of buf.subarray(0, end).toString('utf8').split('\n')) {
    if (!line.trim()) continue;
    const ev = parseEventLine(line);
    if (ev) events.push(ev);
    else skipped++;
  }
  return { events, offset: offset + end + 1, skipped };
}

const CHECKPOINT_DIR = /^([A-Za-z0-9_-]+)(\.(?:tmp|old)-\d+-[0-9a-f]+)?$/;

/** A checkpoint folder `<name>`, or a copy `<name>.tmp-<pid>-<hex>` / `<name>.old-<pid>-<hex>` that saveCheckpoint makes while replacing it. */
export function parseCheckpointDir(entry: string): { name: string; copy: boolean } | undefined {
  const m = CHECKPOINT_DIR.exec(entry);
  return m ? { name: m[1], copy: !!m[2] } : undefined;
}

function readCheckpointInfo(root: string, entry: string, name: string): CheckpointInfo | undefined {
  try {
    const m = readJson(path.join(root, entry, 'manifest.json')) as Partial<CheckpointInfo>;
    if (typeof m.epoch !== 'number' || typeof m.globalStep !== 'number') return undefined;
    const stepInEpoch = typeof m.stepInEpoch === 'number' ? m.stepInEpoch : 0;
    return { name, dir: path.join(root, entry), epoch: m.epoch, stepInEpoch, globalStep: m.globalStep, metric: m.metric, savedAt: m.savedAt ?? 0 };
  } catch {
    return undefined; // incomplete or corrupt: not offered
  }
}

/**
 * Checkpoints of a run, newest first; incomplete ones (no manifest) are left
 * out. A process killed between the two renames of a replacement leaves
 * `<name>` missing and complete copies under temporary names: the newest of
 * them then stands in for `<name>`, so the checkpoint is not lost.
 */
export function listCheckpoints(runDir: string): CheckpointInfo[] {
  const root = runFiles(runDir).checkpoints;
  let entries: string[];
  try {
    entries = fs.readdirSync(root);
  } catch {
    return [];
  }
  const byName = new Map<string, CheckpointInfo>();
  const copies: CheckpointInfo[] = [];
  for (const entry of entries) {
    const parsed = parseCheckpointDir(entry);
    const info = parsed && readCheckpointInfo(root, entry, parsed.name);
    if (!info) continue;
    if (parsed!.copy) copies.push(info);
    else byName.set(info.name, info);
  }
  for (const copy of copies) {
    const have = byName.get(copy.name);
    if (!have || (path.basename(have.dir) !== copy.name && copy.savedAt > have.savedAt)) byName.set(copy.name, copy);
  }
  return [...byName.values()].sort((a, b) => b.savedAt - a.savedAt || b.globalStep - a.globalStep);
}
