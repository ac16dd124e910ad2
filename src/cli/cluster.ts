/**
 * The command line's cluster side: `--executor slurm` on train, resume and
 * sweep (submit instead of running here), `jobs` (cluster runs and their
 * state) and `cancel` (scancel a run's job).
 */
import * as path from 'node:path';
import { ClusterJobSummary, parseSlurmOptions, SLURM_FLAGS, SlurmOptions } from '../protocol/cluster';
import type { RunConfig } from '../protocol/config';
import { DEFAULT_RUNS_DIR } from '../protocol/runFolder';
import { cancelRun, listClusterRuns, readJobRecord, Submission, submitRuns, submitSweep } from '../cluster/submit';
import { UsageError } from './args';

const EXECUTORS = ['local', 'slurm'];

/** The package's CLI as the nodes run it: this very file, at the same path on the shared disk. */
const cliPath = (): string => path.resolve(process.argv[1]);

/**
 * Slurm options from the flags when `--executor slurm`, else undefined.
 * @throws UsageError for another executor, or Slurm flags without it; ConfigError for a bad option.
 */
export function slurmFromFlags(own: Record<string, string>): SlurmOptions | undefined {
  const given = Object.fromEntries(SLURM_FLAGS.filter((f) => own[f] !== undefined).map((f) => [f, own[f]]));
  const executor = own.executor ?? 'local';
  if (!EXECUTORS.includes(executor)) throw new UsageError(`--executor: expected one of ${EXECUTORS.join(', ')}, got ${JSON.stringify(executor)}`);
  if (executor !== 'slurm') {
    const first = Object.keys(given)[0];
    if (first) throw new UsageError(`--${first}: a Slurm option; add --executor slurm`);
    return undefined;
  }
  return parseSlurmOptions(given, 'flags');
}

function report(sub: Submission): void {
  const array = sub.runs.length > 1 ? ` (job array of ${sub.runs.length})` : '';
  process.stderr.write(`submitted Slurm job ${sub.jobId}${array}; script ${sub.script}\n`);
  for (const r of sub.runs) process.stdout.write(`${r.jobId} ${r.runDir}\n`);
}

/**
 * The commands that go to the cluster: `jobs`, `cancel`, and `train` or
 * `resume` with `--executor slurm`. Returns the exit code, or undefined for a
 * command that runs here.
 */
export function clusterCommand(command: string, own: Record<string, string>, config: () => RunConfig): number | undefined {
  if (command === 'jobs') return jobsCommand(own);
  if (command === 'cancel') return cancelCommand(own);
  const slurm = command === 'train' || command === 'resume' ? slurmFromFlags(own) : undefined;
  if (!slurm) return undefined;
  if (command === 'train') return submitTrain(own['runs-dir'] || DEFAULT_RUNS_DIR, config(), slurm);
  if (!own.run) throw new UsageError('--run: expected a run folder');
  if (own.checkpoint && own.checkpoint !== 'last') throw new UsageError('--checkpoint: a cluster job continues from checkpoint last');
  return submitResume(own.run, slurm);
}

/** `train --executor slurm`: a new run folder, queued, and its job. */
function submitTrain(runsDir: string, config: RunConfig, options: SlurmOptions): number {
  report(submitRuns(runsDir, [{ config }], options, cliPath()));
  return 0;
}

/** `resume --run DIR --executor slurm`: the run continued from its checkpoint by a new job, with its last job's options unless flags change them. */
function submitResume(runDir: string, options: SlurmOptions): number {
  const dir = path.resolve(runDir);
  const previous = readJobRecord(dir)?.options ?? {};
  report(submitRuns(path.dirname(dir), [{ runDir: dir }], { ...previous, ...options }, cliPath()));
  return 0;
}

/** `sweep --executor slurm`: the sweep's remaining points as one job array. */
export function submitSweepCommand(runsDir: string, sweepDir: string, options: SlurmOptions): number {
  const sub = submitSweep(runsDir, sweepDir, options, cliPath());
  if (!sub) process.stderr.write(`sweep ${sweepDir}: every point is completed, failed, pending or running; nothing to submit\n`);
  else report(sub);
  return 0;
}

/** `jobs [--runs-dir DIR] [--json]`: one line per cluster run: job id, state, run id, what the scheduler says. */
function jobsCommand(own: Record<string, string>): number {
  const runs = listClusterRuns(path.resolve(own['runs-dir'] || DEFAULT_RUNS_DIR));
  if (own.json !== undefined) {
    const out: ClusterJobSummary[] = runs.map((c) => ({
      runId: c.run.id,
      runDir: c.run.dir,
      jobId: c.job.jobId,
      state: c.view.state,
      detail: c.view.detail,
      output: c.job.output,
      resumable: c.view.resumable,
    }));
    process.stdout.write(JSON.stringify(out) + '\n');
    return 0;
  }
  for (const c of runs) {
    process.stdout.write(`${c.job.jobId.padEnd(10)} ${c.view.state.padEnd(11)} ${c.run.id}${c.view.detail ? `  ${c.view.detail}` : ''}\n`);
  }
  return 0;
}

/** `cancel --run DIR`: scancel the run's job. */
function cancelCommand(own: Record<string, string>): number {
  if (!own.run) throw new UsageError('--run: expected a run folder');
  const jobId = cancelRun(path.resolve(own.run));
  process.stderr.write(`cancelled Slurm job ${jobId}; the trainer saves a checkpoint and marks the run stopped\n`);
  return 0;
}
