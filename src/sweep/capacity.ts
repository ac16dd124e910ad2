/**
 * How many queued runs may train at once on this machine: one per GPU, and on
 * the CPU as many as the cores allow given the threads each run uses.
 */
import { execFileSync } from 'node:child_process';
import * as os from 'node:os';

/**
 * @param gpus GPUs on the machine (0 for none)
 * @param cores CPU cores
 * @param threadsPerRun CPU threads one run uses (>= 1)
 * @returns runs at a time, at least 1
 */
export function defaultCapacity(gpus: number, cores: number, threadsPerRun: number): number {
  if (gpus > 0) return gpus;
  return Math.max(1, Math.floor(cores / Math.max(1, threadsPerRun)));
}

/** NVIDIA GPUs that `nvidia-smi -L` lists (run without a shell); 0 when it is missing or fails. */
export function countGpus(): number {
  try {
    return execFileSync('nvidia-smi', ['-L'], { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'ignore'] })
      .split('\n')
      .filter((l) => l.startsWith('GPU ')).length;
  } catch {
    return 0;
  }
}

/** This machine's default; a run's threads come from its config's `threads` field when it has one, else 1 (the wasm backend's). */
export function machineCapacity(config: object): number {
  const threads = (config as { threads?: unknown }).threads;
  return defaultCapacity(countGpus(), os.availableParallelism(), typeof threads === 'number' && threads > 0 ? threads : 1);
}
