/**
 * Talking to Slurm through its own commands (sbatch, squeue, sacct, scancel),
 * each spawned without a shell. A command that is missing or fails is
 * reported with its command line and its stderr.
 */
import { spawnSync } from 'node:child_process';
import * as os from 'node:os';
import type { SchedulerJob } from '../protocol/cluster';

export class SchedulerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SchedulerError';
  }
}

const TIMEOUT_MS = 60_000;

/**
 * Runs a Slurm command; returns its stdout.
 * @throws SchedulerError naming the command line and, on failure, its exit code and stderr.
 */
export function slurmCommand(cmd: string, args: readonly string[]): string {
  const line = [cmd, ...args].join(' ');
  const r = spawnSync(cmd, args, { encoding: 'utf8', shell: false, timeout: TIMEOUT_MS });
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new SchedulerError(`${cmd}: not found on PATH (${line}); submit from a machine with the Slurm client commands (a login node)`);
    throw new SchedulerError(`${line}: ${code === 'ETIMEDOUT' ? `no answer in ${TIMEOUT_MS / 1000} s` : r.error.message}`);
  }
  if (r.status !== 0) throw new SchedulerError(`${line} failed (exit code ${r.status ?? r.signal}): ${r.stderr.trim() || r.stdout.trim() || 'no output'}`);
  return r.stdout;
}

/** Submits a job script; returns the job id (for an array, the array's job id). */
export function sbatch(script: string): string {
  const out = slurmCommand('sbatch', ['--parsable', script]).trim();
  const id = out.split(';')[0]; // "<id>;<cluster>" on a multi-cluster setup
  if (!/^\d+$/.test(id)) throw new SchedulerError(`sbatch --parsable ${script}: expected a job id, got ${JSON.stringify(out)}`);
  return id;
}

/** Sends the job (`123` or array task `123_4`) Slurm's cancel: SIGTERM to the job, then SIGKILL after the cluster's KillWait. */
export function scancel(jobId: string): void {
  slurmCommand('scancel', [jobId]);
}

/** `123_[0-3,5%2]` -> 123_0 .. 123_3, 123_5; other ids as they are. */
export function expandJobIds(id: string): string[] {
  const m = /^(\d+)_\[([^\]]+)\]$/.exec(id);
  if (!m) return [id];
  const out: string[] = [];
  for (const part of m[2].split('%')[0].split(',')) {
    const [a, b] = part.split('-').map(Number);
    for (let i = a; i <= (b ?? a); i++) out.push(`${m[1]}_${i}`);
  }
  return out;
}

/** Parses `squeue -h -t all -o '%i|%T|%r|%N'` lines. */
export function parseSqueue(text: string): Map<string, SchedulerJob> {
  const jobs = new Map<string, SchedulerJob>();
  for (const line of text.split('\n')) {
    const [id, state, reason, node] = line.trim().split('|');
    if (!id || !state) continue;
    for (const jobId of expandJobIds(id)) jobs.set(jobId, { jobId, state, reason: reason || undefined, node: node || undefined });
  }
  return jobs;
}

/** Parses `sacct -n -P -X -o JobID,State,Reason,NodeList,ExitCode` lines ("CANCELLED by 0" reads CANCELLED). */
export function parseSacct(text: string): Map<string, SchedulerJob> {
  const jobs = new Map<string, SchedulerJob>();
  for (const line of text.split('\n')) {
    const [id, state, reason, node, exitCode] = line.trim().split('|');
    if (!id || !state) continue;
    for (const jobId of expandJobIds(id))
      jobs.set(jobId, {
        jobId,
        state: state.split(' ')[0],
        reason: reason || undefined,
        node: node && node !== 'None assigned' ? node : undefined,
        exitCode: exitCode || undefined,
      });
  }
  return jobs;
}

/**
 * What the scheduler knows of these jobs: squeue (jobs still in the
 * controller's memory, ended ones for its MinJobAge), then sacct for the rest
 * where accounting is set up. A job neither knows is left out.
 * @throws SchedulerError when squeue itself fails.
 */
export function queryJobs(jobIds: readonly string[]): Map<string, SchedulerJob> {
  if (!jobIds.length) return new Map();
  const found = parseSqueue(slurmCommand('squeue', ['-h', '-t', 'all', '-u', os.userInfo().username, '-o', '%i|%T|%r|%N']));
  const missing = jobIds.filter((id) => !found.has(id));
  if (missing.length) {
    try {
      for (const [id, job] of parseSacct(slurmCommand('sacct', ['-n', '-P', '-X', '-j', missing.join(','), '-o', 'JobID,State,Reason,NodeList,ExitCode'])))
        if (!found.has(id)) found.set(id, job);
    } catch {
      // no accounting storage on this cluster: those jobs are unknown
    }
  }
  return found;
}
