/**
 * The cluster contracts: the Slurm submission options (one schema, read from
 * command-line flags or the `supconLab.slurm` setting), the job record a
 * submission writes into the run folder, and how the scheduler's view of a
 * job and the run folder's own status combine into the state a user sees.
 *
 *   <run-dir>/job.json      the scheduler, job id, output file, options (written by the submitter)
 *   <run-dir>/job.seen      "<job id> <node>": the job reached the run folder (written by the job script)
 *
 * Slurm's job states and reasons: https://slurm.schedmd.com/job_state_codes.html
 */
import * as path from 'node:path';
import { ConfigError } from './config';
import type { RunStatus } from './runFolder';

export interface SlurmOptions {
  partition?: string;
  account?: string;
  /** Slurm time limit: minutes, MM:SS, HH:MM:SS or D-HH[:MM[:SS]]. */
  time?: string;
  /** GPUs per run (`--gpus`). */
  gpus?: number;
  /** CPUs per run (`--cpus-per-task`); with `threads` 0 the trainer uses the cores its CPU affinity allows. */
  cpus?: number;
  /** Memory per node (`--mem`), e.g. 16G. */
  mem?: string;
  /** Extra sbatch options, one `#SBATCH` line each, e.g. ["--qos=low"]. */
  sbatch?: string[];
  /** Array tasks of a sweep running at once (`--array=0-N%cap`). */
  arrayCap?: number;
  /** The Node on the nodes (a path, or a name looked up on the node's PATH). */
  nodePath?: string;
}

interface OptionSpec {
  /** Command-line flag (without --). */
  flag: string;
  help: string;
  parse(raw: unknown, field: string): unknown;
}

const NAME = /^[A-Za-z0-9_.+-]{1,64}$/;
const TIME = /^(\d+|\d+:\d{2}|\d+:\d{2}:\d{2}|\d+-\d+(:\d{2}(:\d{2})?)?)$/;
const MEM = /^\d+[KMGT]?$/;
const SBATCH_ARG = /^--[a-z][a-z-]*(=[^\s'"\\]+)?$/;
/** Options this tool sets itself: given again in `sbatch` they would silently change the contract. */
const OWN_SBATCH = ['--output', '--error', '--array', '--job-name', '--parsable', '--wrap', '--chdir'];

const show = (v: unknown): string => JSON.stringify(v) ?? String(v);

function text(re: RegExp, expected: string) {
  return (raw: unknown, field: string) => {
    if (typeof raw !== 'string' || !re.test(raw)) throw new ConfigError(field, `expected ${expected}, got ${show(raw)}`);
    return raw;
  };
}

function integer(min: number, max: number) {
  return (raw: unknown, field: string) => {
    const n = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) throw new ConfigError(field, `expected an integer from ${min} to ${max}, got ${show(raw)}`);
    return n;
  };
}

function sbatchLines(raw: unknown, field: string): string[] {
  // a flag gives them space-separated, the setting as an array
  const list = typeof raw === 'string' ? raw.split(/\s+/).filter(Boolean) : raw;
  if (!Array.isArray(list)) throw new ConfigError(field, `expected a list of sbatch options like ["--qos=low"], got ${show(raw)}`);
  return list.map((arg, i) => {
    if (typeof arg !== 'string' || !SBATCH_ARG.test(arg))
      throw new ConfigError(`${field}[${i}]`, `expected one sbatch option like --qos=low (no spaces or quotes), got ${show(arg)}`);
    const name = arg.split('=')[0];
    if (OWN_SBATCH.includes(name)) throw new ConfigError(`${field}[${i}]`, `${name} is set by supcon-lab itself`);
    return arg;
  });
}

/** The one declaration of the submission options. */
export const SLURM_OPTIONS: Record<keyof SlurmOptions, OptionSpec> = {
  partition: { flag: 'partition', help: "Slurm partition (default: the cluster's default)", parse: text(NAME, 'a partition name') },
  account: { flag: 'account', help: 'account to charge', parse: text(NAME, 'an account name') },
  time: { flag: 'time', help: 'time limit per run: minutes, HH:MM:SS or D-HH:MM', parse: text(TIME, 'a Slurm time limit like 90, 01:30:00 or 1-12') },
  gpus: { flag: 'gpus', help: 'GPUs per run', parse: integer(0, 64) },
  cpus: { flag: 'cpus', help: 'CPUs per run (threads 0 uses the cores the node lets the job see)', parse: integer(1, 1024) },
  mem: { flag: 'mem', help: 'memory per run, e.g. 16G', parse: text(MEM, 'a memory size like 16G or 8000M') },
  sbatch: { flag: 'sbatch', help: 'extra sbatch options, space-separated: --sbatch="--qos=low --constraint=a100"', parse: sbatchLines },
  arrayCap: { flag: 'array-cap', help: 'sweep runs at once (job array %N)', parse: integer(1, 10000) },
  nodePath: { flag: 'node-path', help: 'Node on the nodes (default: node on their PATH)', parse: text(/^[^\s'"\\$`]+$/, 'a path without spaces or quotes') },
};

export const SLURM_FLAGS = Object.values(SLURM_OPTIONS).map((o) => o.flag);

/**
 * Validates submission options from the setting (camelCase keys) or from
 * flags (their flag names). `prefix` names where they came from in errors.
 * @throws ConfigError naming the field, for an unknown field or a bad value.
 */
export function parseSlurmOptions(raw: Record<string, unknown>, from: 'flags' | 'setting', prefix = from === 'flags' ? '--' : 'supconLab.slurm.'): SlurmOptions {
  const out: Record<string, unknown> = {};
  const byKey = new Map(Object.entries(SLURM_OPTIONS).map(([key, spec]) => [from === 'flags' ? spec.flag : key, [key, spec] as const]));
  for (const [k, v] of Object.entries(raw)) {
    const found = byKey.get(k);
    if (!found) throw new ConfigError(`${prefix}${k}`, `not a Slurm option (expected one of ${[...byKey.keys()].join(', ')})`);
    if (v === undefined) continue;
    out[found[0]] = found[1].parse(v, `${prefix}${k}`);
  }
  return out as SlurmOptions;
}

/** What a submission leaves in the run folder (job.json). */
export interface JobRecord {
  scheduler: 'slurm';
  /** `123`, or `123_4` for task 4 of array job 123. */
  jobId: string;
  submittedAt: number;
  /** The job script (kept beside the runs as the reproducible record of what ran). */
  script: string;
  /** The job's stdout and stderr. */
  output: string;
  options: SlurmOptions;
}

export const jobFiles = (runDir: string) => ({
  record: path.join(runDir, 'job.json'),
  seen: path.join(runDir, 'job.seen'),
});

/** Submission options as command-line flags (`--flag=value`), the form the CLI reads back with parseSlurmOptions(..., 'flags'). */
export function slurmFlags(options: SlurmOptions): string[] {
  return Object.entries(options).flatMap(([key, v]) => {
    const spec = SLURM_OPTIONS[key as keyof SlurmOptions];
    return spec && v !== undefined ? [`--${spec.flag}=${Array.isArray(v) ? v.join(' ') : v}`] : [];
  });
}

/** One cluster run as `supcon-lab jobs --json` lists it (what the extension shows). */
export interface ClusterJobSummary {
  runId: string;
  runDir: string;
  jobId: string;
  state: ClusterState;
  detail?: string;
  /** The job's output file. */
  output: string;
  resumable: boolean;
}

/** Reads `jobs --json` output; entries that are not summaries are dropped. */
export function parseJobSummaries(text: string): ClusterJobSummary[] {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return [];
  }
  if (!Array.isArray(v)) return [];
  return v.filter(
    (j): j is ClusterJobSummary =>
      typeof j === 'object' && j !== null && ['runId', 'runDir', 'jobId', 'state', 'output'].every((k) => typeof (j as Record<string, unknown>)[k] === 'string'),
  );
}

/** Slurm's job states, long form (`squeue -o %T`, `scontrol` JobState). */
export type SlurmJobState = string;

export interface SchedulerJob {
  jobId: string;
  state: SlurmJobState;
  /** Why it waits, or why it ended (`Resources`, `Priority`, `TimeLimit`, `NonZeroExitCode`, `None`). */
  reason?: string;
  node?: string;
  exitCode?: string;
}

/** What a user sees of a cluster run. */
export type ClusterState = 'queued' | 'pending' | 'running' | 'completed' | 'failed' | 'cancelled' | 'stopped' | 'timeout' | 'preempted' | 'interrupted' | 'unknown';

export interface ClusterView {
  state: ClusterState;
  /** One line: the scheduler's reason, or what went wrong. */
  detail?: string;
  /** Whether resubmitting continues it from its checkpoint. */
  resumable: boolean;
}

const PENDING = ['PENDING', 'CONFIGURING', 'REQUEUED', 'REQUEUE_HOLD', 'REQUEUE_FED', 'RESV_DEL_HOLD', 'SUSPENDED', 'STOPPED'];
const RUNNING = ['RUNNING', 'COMPLETING', 'SIGNALING', 'STAGE_OUT', 'RESIZING'];

/**
 * The state of a cluster run from the run folder's status (written by the
 * trainer; `queued` until the job starts), the scheduler's record of its job
 * (undefined once the scheduler forgot it), and whether the job reached the
 * run folder (`seen`). The folder is trusted for how a run ended (completed,
 * failed, stopped with its checkpoint); the scheduler for waiting, for a time
 * limit or preemption, and for a job that died without writing.
 */
export function clusterView(status: RunStatus | undefined, job: SchedulerJob | undefined, seen: boolean): ClusterView {
  const folder = status?.state;
  const why = job?.reason && job.reason !== 'None' ? ` (${job.reason})` : '';
  if (!job) {
    if (folder === 'queued') return { state: 'unknown', detail: 'the scheduler no longer knows this job and it never started here; resubmit it', resumable: true };
    if (folder === 'running') return { state: 'running', resumable: false };
    return { state: folder ?? 'unknown', resumable: folder === 'stopped' || folder === 'interrupted' };
  }
  const s = job.state.replace(/\+$/, '');
  if (PENDING.includes(s))
    return {
      state: 'pending',
      detail: [s === 'PENDING' ? '' : s.toLowerCase(), job.reason && job.reason !== 'None' ? job.reason : ''].filter(Boolean).join(': ') || undefined,
      resumable: false,
    };
  if (RUNNING.includes(s)) return { state: 'running', detail: job.node ? `on ${job.node}` : undefined, resumable: false };
  return endedView(folder, status?.error, { ...job, state: s }, why, seen);
}

/** A job that has ended: how the run folder says it ended, else what the scheduler says. */
function endedView(folder: RunStatus['state'] | undefined, error: string | undefined, job: SchedulerJob, why: string, seen: boolean): ClusterView {
  const s = job.state;
  if (folder === 'completed' || folder === 'failed') return { state: folder, detail: folder === 'failed' ? error : undefined, resumable: false };
  if (!seen && folder === 'queued') {
    return {
      state: 'failed',
      detail: `job ${job.jobId} ended ${s}${why} on ${job.node || 'its node'} without reaching the run folder: is the runs directory on a disk the nodes share? (see the job's output file)`,
      resumable: false,
    };
  }
  if (s === 'TIMEOUT' || s === 'DEADLINE')
    return { state: 'timeout', detail: `time limit reached${folder === 'stopped' ? ', checkpoint saved' : ''}; resubmit to continue`, resumable: true };
  if (s === 'PREEMPTED') return { state: 'preempted', detail: 'preempted; resubmit to continue', resumable: true };
  if (s === 'CANCELLED')
    return { state: folder === 'stopped' ? 'stopped' : 'cancelled', detail: folder === 'stopped' ? 'cancelled, checkpoint saved' : `cancelled${why}`, resumable: true };
  if (folder === 'stopped') return { state: 'stopped', resumable: true };
  // the job ended but the trainer never wrote how: killed (node failure, out of memory, a signal)
  return {
    state: 'interrupted',
    detail: `job ${job.jobId} ended ${s}${why}${job.exitCode ? `, exit code ${job.exitCode}` : ''} before the run did; resubmit to continue from its checkpoint`,
    resumable: true,
  };
}
