/**
 * The batch script of a submission: `#SBATCH` lines from the options, then,
 * on the node, the check that the run folder is there (the runs directory
 * must be on a disk the nodes share), the marker saying the job reached it,
 * and the trainer's own command, `supcon-lab resume --run <run-dir>`, which
 * starts a run that has no checkpoint from step 0 and continues one that has.
 * The trainer is exec'd, so Slurm's SIGTERM (scancel, the time limit) reaches
 * it: it saves a checkpoint and marks the run stopped within KillWait.
 */
import type { SlurmOptions } from '../protocol/cluster';

/** Quotes a word for bash. */
export const shellWord = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

export interface JobScriptInput {
  /** Run folders, one per array task (one run: no array). */
  runDirs: readonly string[];
  options: SlurmOptions;
  /** The package's dist/cli.js, at the same path on the nodes. */
  cliPath: string;
  jobName: string;
  /** Slurm --output pattern (%j, or %A_%a for an array). */
  output: string;
}

/** The `#SBATCH` options of a submission, in the order sbatch reads them. */
export function sbatchOptions(input: Pick<JobScriptInput, 'runDirs' | 'options' | 'jobName' | 'output'>): string[] {
  const o = input.options;
  const n = input.runDirs.length;
  return [
    `--job-name=${input.jobName}`,
    `--output=${input.output}`,
    ...(n > 1 ? [`--array=0-${n - 1}${o.arrayCap ? `%${o.arrayCap}` : ''}`] : []),
    ...(o.partition ? [`--partition=${o.partition}`] : []),
    ...(o.account ? [`--account=${o.account}`] : []),
    ...(o.time ? [`--time=${o.time}`] : []),
    ...(o.gpus ? [`--gpus=${o.gpus}`] : []),
    ...(o.cpus ? [`--cpus-per-task=${o.cpus}`] : []),
    ...(o.mem ? [`--mem=${o.mem}`] : []),
    ...(o.sbatch ?? []),
  ];
}

export function jobScript(input: JobScriptInput): string {
  const node = input.options.nodePath ?? 'node';
  return [
    '#!/bin/bash',
    ...sbatchOptions(input).map((o) => `#SBATCH ${o}`),
    '# written by supcon-lab: one SupCon Lab run per task, in its run folder on the shared disk',
    'set -u',
    `RUNS=(${input.runDirs.map(shellWord).join(' ')})`,
    'RUN=${RUNS[${SLURM_ARRAY_TASK_ID:-0}]}',
    'JOB=${SLURM_ARRAY_JOB_ID:+${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}}',
    'JOB=${JOB:-$SLURM_JOB_ID}',
    'if [ ! -f "$RUN/config.json" ]; then',
    '  echo "supcon-lab: job $JOB on $(hostname): run folder $RUN not found; put the runs directory on a disk the nodes share" >&2',
    '  exit 3',
    'fi',
    `if [ ! -f ${shellWord(input.cliPath)} ]; then`,
    `  echo "supcon-lab: job $JOB on $(hostname): ${input.cliPath.replace(/["$`\\]/g, '\\$&')} not found; install the package at the same path on the nodes" >&2`,
    '  exit 3',
    'fi',
    'echo "$JOB $(hostname)" > "$RUN/job.seen"',
    `exec ${shellWord(node)} ${shellWord(input.cliPath)} resume --run "$RUN" --quiet`,
    '',
  ].join('\n');
}
