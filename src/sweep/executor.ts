/**
 * Where a sweep's runs execute. The local executor starts the trainer's own
 * command line (`node dist/cli.js train ...`) as a child process without a
 * shell; another executor (a cluster scheduler) implements the same three
 * operations: start a run command, observe whether it still runs, stop it.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { isPidAlive } from '../protocol/runFolder';

export interface RunHandle {
  pid: number;
  /** Resolves with the exit code (null when ended by a signal). */
  done: Promise<number | null>;
}

export interface Executor {
  /** Starts `supcon-lab <args>`, its output appended to logFile. */
  start(args: string[], logFile: string): RunHandle;
  /** Whether a run started here (or by an earlier holder of the queue) still runs. */
  alive(pid: number): boolean;
  /** Asks a run to stop after its step and save a checkpoint (SIGTERM, as the CLI's Ctrl-C). */
  stop(pid: number): void;
}

/** Runs the CLI at `cliPath` with this process's Node. */
export function localExecutor(cliPath: string, nodePath = process.execPath): Executor {
  return {
    start(args, logFile) {
      const fd = fs.openSync(logFile, 'a');
      try {
        const child = spawn(nodePath, [cliPath, ...args], { stdio: ['ignore', fd, fd], shell: false });
        const done = new Promise<number | null>((resolve) => {
          child.on('error', () => resolve(127));
          child.on('exit', (code) => resolve(code));
        });
        if (child.pid === undefined) return { pid: -1, done };
        return { pid: child.pid, done };
      } finally {
        fs.closeSync(fd);
      }
    },
    alive: isPidAlive,
    stop(pid) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // already gone
      }
    },
  };
}
