/**
 * Drives a sweep: makes its folder, queues its points, and runs them through
 * an executor as the queue's capacity allows. Everything it knows is on disk
 * (the sweep folder, the queue, the run folders), so a sweep stopped or killed
 * continues when started again: finished runs are kept, interrupted or stopped
 * ones resumed through `resume`, the rest started.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { listRuns, readJson, RunSummary } from '../protocol/runFolder';
import { writeJsonAtomic } from '../protocol/atomicFile';
import { canonicalJson, parseSweepSpec, PointState, QueueEntry, SweepPoint, SweepSpec, sweepFiles, sweepsDir, SweepState } from '../protocol/sweep';
import { ConfigError } from '../protocol/config';
import { expandSweep } from './expand';
import type { Executor } from './executor';
import { claim, dequeue, enqueue, peekQueue, queuePosition, setChild } from './queue';

export interface LoadedSweep {
  spec: SweepSpec;
  id: string;
  points: SweepPoint[];
}

/**
 * Creates the sweep folder (sweep file, one config per point, state) or, when
 * it exists, checks it holds the same sweep. Returns its path.
 * @throws ConfigError when a folder of that id holds a different sweep.
 */
export function openSweep(runsDir: string, sweep: LoadedSweep): string {
  const dir = path.join(sweepsDir(runsDir), sweep.id);
  const files = sweepFiles(dir);
  if (fs.existsSync(files.spec)) {
    const existing = parseSweepSpec(readJson(files.spec));
    if (canonicalJson(existing) !== canonicalJson(sweep.spec)) throw new ConfigError(files.spec, 'holds a different sweep under the same id; give this one another "name"');
  } else {
    const staging = `${dir}.new-${process.pid}`;
    fs.rmSync(staging, { recursive: true, force: true });
    fs.mkdirSync(sweepFiles(staging).configs, { recursive: true });
    fs.mkdirSync(sweepFiles(staging).logs);
    for (const p of sweep.points) writeJsonAtomic(path.join(sweepFiles(staging).configs, `${p.id}.json`), p.run);
    writeJsonAtomic(sweepFiles(staging).spec, sweep.spec);
    try {
      fs.renameSync(staging, dir);
    } catch (e) {
      fs.rmSync(staging, { recursive: true, force: true });
      if (!fs.existsSync(files.spec)) throw e; // else another process made the same sweep first
    }
  }
  if (!fs.existsSync(files.state)) writeState(dir, sweep, runsDir);
  return dir;
}

/** The sweep and its points, from its folder. */
export function loadSweepDir(sweepDir: string): LoadedSweep {
  const spec = parseSweepSpec(readJson(sweepFiles(sweepDir).spec));
  const id = path.basename(sweepDir);
  return { spec, id, points: expandSweep(spec, id) };
}

/** The run folder of each point, found by the run name that tags it (`<sweep-id>.<point-id>`); the newest if there are several. */
export function pointRuns(runs: readonly RunSummary[], id: string): Map<string, RunSummary> {
  const found = new Map<string, RunSummary>();
  for (const run of runs) {
    const name = run.config?.name;
    if (typeof name !== 'string' || !name.startsWith(`${id}.`)) continue;
    const pointId = name.slice(id.length + 1);
    if (!found.has(pointId)) found.set(pointId, run);
  }
  return found;
}

export interface PointStatus {
  id: string;
  state: PointState;
  run?: RunSummary;
  /** Place among waiting runs of the queue. */
  position?: number;
}

/** Each point's state now: its run's state, else queued (with its position) or pending. `all` is the runs directory's run list, newest first. */
export function pointStatuses(runsDir: string, sweep: LoadedSweep, all: readonly RunSummary[] = listRuns(runsDir)): PointStatus[] {
  const runs = pointRuns(all, sweep.id);
  const queue = peekQueue(runsDir);
  return sweep.points.map((p) => {
    const run = runs.get(p.id);
    const entryId = `${sweep.id}/${p.id}`;
    const entry = queue.entries.find((e) => e.id === entryId);
    const position = queuePosition(queue, entryId);
    if (run?.status && !(entry && run.status.state !== 'running' && position !== undefined)) return { id: p.id, state: run.status.state, run };
    if (entry) return { id: p.id, state: entry.holder ? 'running' : 'queued', run, position };
    return { id: p.id, state: 'pending', run };
  });
}

function writeState(sweepDir: string, sweep: LoadedSweep, runsDir: string, holder?: SweepState['holder'], exitCodes = new Map<string, number | null>()): SweepState {
  const file = sweepFiles(sweepDir).state;
  let createdAt = Date.now();
  try {
    createdAt = (readJson(file) as SweepState).createdAt ?? createdAt;
  } catch {
    // first write
  }
  const state: SweepState = {
    id: sweep.id,
    runsDir: path.resolve(runsDir),
    createdAt,
    updatedAt: Date.now(),
    ...(holder ? { holder } : {}),
    points: pointStatuses(runsDir, sweep).map((s) => ({
      id: s.id,
      state: s.state,
      ...(s.run ? { runId: s.run.id } : {}),
      ...(exitCodes.has(s.id) ? { exitCode: exitCodes.get(s.id) } : {}),
    })),
  };
  writeJsonAtomic(file, state);
  return state;
}

export interface SweepRunOptions {
  runsDir: string;
  /** Runs at a time across the whole queue of this runs directory. */
  capacity: number;
  executor: Executor;
  shouldStop: () => boolean;
  log?: (line: string) => void;
  pollMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const TERMINAL: readonly PointState[] = ['completed', 'failed'];

/**
 * Runs (or continues) a sweep until every point has ended or a stop is
 * requested; a stop asks running trainers to save a checkpoint and end, and
 * takes this sweep's waiting points off the queue. Returns the final state.
 */
export async function runSweep(sweepDir: string, opts: SweepRunOptions): Promise<SweepState> {
  const { runsDir, executor } = opts;
  const log = opts.log ?? (() => undefined);
  const sweep = loadSweepDir(sweepDir);
  const me = { pid: process.pid, host: os.hostname() };
  const mine = (id: string) => id.startsWith(`${sweep.id}/`);
  const configFile = (pointId: string) => path.join(sweepFiles(sweepDir).configs, `${pointId}.json`);
  const logFile = (pointId: string) => path.join(sweepFiles(sweepDir).logs, `${pointId}.log`);

  const waiting = pointStatuses(runsDir, sweep).filter((s) => !TERMINAL.includes(s.state));
  const now = Date.now();
  enqueue(
    runsDir,
    waiting.map((s): QueueEntry => ({ id: `${sweep.id}/${s.id}`, sweepDir: path.resolve(sweepDir), pointId: s.id, enqueuedAt: now })),
  );
  log(`sweep ${sweep.id}: ${sweep.points.length} runs, ${sweep.points.length - waiting.length} already finished`);

  const active = new Map<string, { pointId: string; pid: number; exited: boolean; code?: number | null }>();
  const exitCodes = new Map<string, number | null>();
  let stopping = false;
  for (;;) {
    if (opts.shouldStop() && !stopping) {
      stopping = true;
      log(`sweep ${sweep.id}: stopping (running trainers save a checkpoint; start the sweep again to continue)`);
      dequeue(runsDir, (id) => mine(id) && ![...active.keys()].includes(id));
      for (const a of active.values()) executor.stop(a.pid);
    }
    if (!stopping) {
      const { claimed, adopted } = claim(runsDir, sweep.id, opts.capacity, me);
      for (const e of adopted) {
        if (e.holder?.childPid) active.set(e.id, { pointId: e.pointId, pid: e.holder.childPid, exited: false });
        log(`${e.pointId}: still running from an earlier sweep process (pid ${e.holder?.childPid}), followed`);
      }
      const runs = claimed.length ? pointRuns(listRuns(runsDir), sweep.id) : new Map<string, RunSummary>();
      for (const e of claimed) {
        const run = runs.get(e.pointId);
        const state = run?.status?.state;
        if (state === 'completed' || state === 'failed') {
          dequeue(runsDir, (id) => id === e.id);
          continue;
        }
        if (state === 'running' && run!.status!.host === me.host) {
          active.set(e.id, { pointId: e.pointId, pid: run!.status!.pid, exited: false });
          setChild(runsDir, e.id, run!.status!.pid);
          continue;
        }
        const args =
          run && (state === 'interrupted' || state === 'stopped')
            ? ['resume', '--run', run.dir, '--quiet']
            : ['train', '--config', configFile(e.pointId), '--runs-dir', path.resolve(runsDir), '--quiet'];
        const handle = executor.start(args, logFile(e.pointId));
        log(`${e.pointId}: ${args[0] === 'resume' ? `resuming ${run!.id}` : 'started'} (pid ${handle.pid})`);
        const a = { pointId: e.pointId, pid: handle.pid, exited: false, code: undefined as number | null | undefined };
        handle.done.then((code) => Object.assign(a, { exited: true, code }));
        active.set(e.id, a);
        setChild(runsDir, e.id, handle.pid);
      }
    }
    for (const [id, a] of active) {
      if (!a.exited && executor.alive(a.pid)) continue;
      if (!a.exited) await sleep(50); // let a just-ended child's exit code arrive
      active.delete(id);
      dequeue(runsDir, (x) => x === id);
      if (a.code !== undefined) exitCodes.set(a.pointId, a.code);
      log(`${a.pointId}: ended${a.code !== undefined ? ` (exit code ${a.code})` : ''}`);
    }
    const queued = peekQueue(runsDir).entries.some((e) => mine(e.id));
    if (!active.size && (stopping || !queued)) break;
    writeState(sweepDir, sweep, runsDir, me, exitCodes);
    await sleep(opts.pollMs ?? 500);
  }
  return writeState(sweepDir, sweep, runsDir, undefined, exitCodes);
}
