/**
 * Runs and sweeps on a Slurm cluster. Submitting writes each run folder first
 * (state `queued`), then the job script, then calls sbatch; the job id goes
 * into the folder's job.json. A sweep is one job array, one task per point.
 * When sbatch fails, what the submission wrote is taken back: new folders are
 * removed, resubmitted ones get their previous status again.
 *
 * A scheduler job is not a child process, so this is not an Executor
 * (executor.ts): Slurm keeps the queue, and the run folders on the shared
 * disk say the rest.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { clusterView, ClusterView, JobRecord, jobFiles, SchedulerJob, SlurmOptions } from '../protocol/cluster';
import type { RunConfig } from '../protocol/config';
import { removeQuietly, writeFileAtomic, writeJsonAtomic } from '../protocol/atomicFile';
import { listRuns, readJson, readSummary, RunStatus, RunSummary, runFiles } from '../protocol/runFolder';
import { sweepFiles } from '../protocol/sweep';
import { createRunFolder } from '../trainer/io/recorder';
import { loadSweepDir, pointStatuses } from '../sweep/runner';
import { jobScript } from './jobScript';
import { queryJobs, sbatch, scancel, SchedulerError } from './slurm';

/** A run to submit: a new one from its config, or an existing folder to continue. */
export type SubmitTarget = { config: RunConfig } | { runDir: string };

export interface Submission {
  /** The job id (an array's for several runs). */
  jobId: string;
  script: string;
  runs: { runDir: string; jobId: string }[];
}

/** The folder with the job scripts and the jobs' output files. */
export const slurmDir = (runsDir: string): string => path.join(runsDir, 'slurm');

/** A cluster run: its folder, its job record, and its state merged from both. */
export interface ClusterRun {
  run: RunSummary;
  job: JobRecord;
  view: ClusterView;
}

export function readJobRecord(runDir: string): JobRecord | undefined {
  try {
    const rec = readJson(jobFiles(runDir).record) as Partial<JobRecord>;
    return rec && rec.scheduler === 'slurm' && typeof rec.jobId === 'string' ? (rec as JobRecord) : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the job wrote its marker into the run folder (it saw the folder on its node). */
export function jobReachedFolder(runDir: string, jobId: string): boolean {
  try {
    return fs.readFileSync(jobFiles(runDir).seen, 'utf8').split(' ')[0] === jobId;
  } catch {
    return false;
  }
}

/**
 * Every run of `runs` that has a job record, with its state now. A folder
 * still saying `queued` or `running` after its job ended (the job died
 * without writing, or never reached the folder) is settled: written as
 * interrupted, or failed when the job never reached it, with the
 * scheduler's reason, so every reader of the folder sees the same.
 */
export function clusterRuns(runs: readonly RunSummary[], query: (ids: string[]) => Map<string, SchedulerJob> = (ids) => queryJobs(ids)): ClusterRun[] {
  const withJobs = runs.flatMap((run) => {
    const job = readJobRecord(run.dir);
    return job ? [{ run, job }] : [];
  });
  const jobs = query(withJobs.map((r) => r.job.jobId));
  return withJobs.map(({ run, job }) => {
    const view = clusterView(run.status, jobs.get(job.jobId), jobReachedFolder(run.dir, job.jobId));
    return { run: settle(run, view), job, view };
  });
}

function settle(run: RunSummary, view: ClusterView): RunSummary {
  const s = run.status;
  if (!s || (s.state !== 'queued' && s.state !== 'running') || ['pending', 'running', 'unknown'].includes(view.state)) return run;
  const file = runFiles(run.dir).status;
  const now = readJson(file) as RunStatus;
  if (now.state !== s.state || now.updatedAt !== s.updatedAt) return run; // written meanwhile: the writer knows better
  const status: RunStatus = { ...now, state: view.state === 'failed' ? 'failed' : 'interrupted', error: view.detail, updatedAt: Date.now(), endedAt: Date.now() };
  writeJsonAtomic(file, status);
  return { ...run, status };
}

/** The cluster state of one run folder, or undefined when it was not submitted. */
export function clusterRun(runDir: string): ClusterRun | undefined {
  return clusterRuns([readSummary(path.dirname(runDir), path.basename(runDir))])[0];
}

function queuedStatus(previous?: RunStatus): RunStatus {
  const now = Date.now();
  return { epoch: 0, globalStep: 0, startedAt: now, ...previous, state: 'queued', pid: 0, host: '', updatedAt: now, endedAt: undefined, error: undefined, hint: undefined };
}

/**
 * Submits runs as one job (one run) or one job array (several; name it with
 * `jobName`), in `runsDir` on a disk the nodes share, with the package's `cliPath` at the
 * same path there.
 * @throws SchedulerError when sbatch is missing or refuses the job (its
 *   stderr included), or a run to continue is still pending or running;
 *   nothing the submission wrote is left behind then.
 */
export function submitRuns(runsDir: string, targets: readonly SubmitTarget[], options: SlurmOptions, cliPath: string, jobName?: string): Submission {
  runsDir = path.resolve(runsDir);
  const undo: (() => void)[] = [];
  try {
    const runDirs = targets.map((t) => {
      if ('config' in t) {
        const dir = createRunFolder(runsDir, t.config, queuedStatus());
        undo.push(() => removeQuietly(dir));
        return dir;
      }
      const dir = path.resolve(t.runDir);
      const live = clusterRun(dir);
      if (live && (live.view.state === 'pending' || live.view.state === 'running'))
        throw new SchedulerError(`${dir}: its job ${live.job.jobId} is still ${live.view.state}; cancel it first`);
      // the old job record goes first: a reader must not judge the queued folder by the old job's end
      const record = jobFiles(dir).record;
      const oldRecord = fs.existsSync(record) ? fs.readFileSync(record) : undefined;
      if (oldRecord) {
        fs.rmSync(record);
        undo.push(() => writeFileAtomic(record, oldRecord));
      }
      const file = runFiles(dir).status;
      const before = fs.readFileSync(file);
      writeJsonAtomic(file, queuedStatus(readJson(file) as RunStatus));
      undo.push(() => writeFileAtomic(file, before));
      return dir;
    });
    fs.mkdirSync(slurmDir(runsDir), { recursive: true });
    const stem = `${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}-${crypto.randomBytes(2).toString('hex')}`;
    const script = path.join(slurmDir(runsDir), `${stem}.sh`);
    const output = path.join(slurmDir(runsDir), runDirs.length > 1 ? '%A_%a.out' : '%j.out');
    const name = jobName ?? `supcon-${path.basename(runDirs[0]).replace(/^\d{8}-\d{6}-/, '')}`;
    fs.writeFileSync(script, jobScript({ runDirs, options, cliPath, jobName: name, output }), { mode: 0o755 });
    undo.push(() => removeQuietly(script));
    const jobId = sbatch(script);
    const runs = runDirs.map((runDir, i) => {
      const id = runDirs.length > 1 ? `${jobId}_${i}` : jobId;
      const record: JobRecord = { scheduler: 'slurm', jobId: id, submittedAt: Date.now(), script, output: output.replace('%A_%a', id).replace('%j', id), options };
      writeJsonAtomic(jobFiles(runDir).record, record);
      return { runDir, jobId: id };
    });
    return { jobId, script, runs };
  } catch (e) {
    for (const u of undo.reverse()) u();
    throw e;
  }
}

/**
 * Submits the points of a sweep that still have to run, as one job array:
 * points never started get a new run folder, stopped, interrupted or timed
 * out ones are continued in theirs; completed, failed, pending and running
 * ones are left alone. Returns undefined when there is nothing to submit.
 */
export function submitSweep(runsDir: string, sweepDir: string, options: SlurmOptions, cliPath: string): Submission | undefined {
  const sweep = loadSweepDir(sweepDir);
  const statuses = pointStatuses(runsDir, sweep);
  const views = new Map(clusterRuns(statuses.flatMap((s) => (s.run ? [s.run] : []))).map((c) => [c.run.dir, c.view]));
  const targets: SubmitTarget[] = [];
  for (const s of statuses) {
    if (!s.run) {
      targets.push({ config: readJson(path.join(sweepFiles(sweepDir).configs, `${s.id}.json`)) as RunConfig });
      continue;
    }
    const view = views.get(s.run.dir);
    const state = view?.state ?? s.run.status?.state;
    if (view?.resumable || state === 'stopped' || state === 'interrupted') targets.push({ runDir: s.run.dir });
  }
  return targets.length ? submitRuns(runsDir, targets, options, cliPath, `supcon-${sweep.id}`) : undefined;
}

/**
 * Cancels a run's job (Slurm sends SIGTERM; the trainer saves a checkpoint and marks the run stopped).
 * @throws SchedulerError when the folder has no job, or its job has already ended.
 */
export function cancelRun(runDir: string): string {
  const live = clusterRun(runDir);
  if (!live) throw new SchedulerError(`${runDir}: not a cluster run (no job.json)`);
  // scancel accepts an ended job silently: say what it is instead of claiming a stop
  if (!['pending', 'running', 'unknown'].includes(live.view.state))
    throw new SchedulerError(`${runDir}: its job ${live.job.jobId} is no longer pending or running (${live.view.state}); nothing to cancel`);
  scancel(live.job.jobId);
  return live.job.jobId;
}

/** Cluster runs of a runs directory, newest first. */
export function listClusterRuns(runsDir: string): ClusterRun[] {
  return clusterRuns(listRuns(runsDir));
}
