/**
 * One trainer child process: spawned without a shell, events over Node IPC
 * validated with parseEvent, log text from stdout/stderr. No VS Code API here,
 * so the bench and unit tests drive it directly.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { parseEvent, TrainerCommand, TrainerEvent } from '../../protocol/messages';

export interface TrainerLaunch {
  node: string;
  cli: string;
  env: NodeJS.ProcessEnv;
  cwd?: string;
}

export interface TrainerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The end of stderr: with exit code 2 its last line names the bad field. */
  stderrTail: string;
  /** Set when the process could not be started at all. */
  spawnError?: string;
}

export interface TrainerProcessEvents {
  event: [TrainerEvent];
  log: [stream: 'stdout' | 'stderr', text: string];
  invalid: [message: unknown];
  exit: [TrainerExit];
}

const TAIL_CHARS = 4000;

export class TrainerProcess extends EventEmitter<TrainerProcessEvents> {
  private child?: ChildProcess;
  private stderrTail = '';
  private exited?: TrainerExit;
  private stopRequested = false;
  private terminateRequested = false;

  constructor(readonly args: readonly string[]) {
    super();
  }

  get running(): boolean {
    return !!this.child && !this.exited;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(launch: TrainerLaunch): void {
    let child: ChildProcess;
    try {
      child = spawn(launch.node, [launch.cli, ...this.args], {
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
        shell: false,
        env: launch.env,
        cwd: launch.cwd,
        windowsHide: true,
      });
    } catch (e) {
      queueMicrotask(() => this.finish({ code: null, signal: null, stderrTail: '', spawnError: (e as Error).message }));
      return;
    }
    this.child = child;
    child.on('message', (m) => {
      const ev = parseEvent(m);
      if (ev) this.emit('event', ev);
      else this.emit('invalid', m);
    });
    child.stdout?.setEncoding('utf8').on('data', (t: string) => this.emit('log', 'stdout', t));
    child.stderr?.setEncoding('utf8').on('data', (t: string) => {
      this.stderrTail = (this.stderrTail + t).slice(-TAIL_CHARS);
      this.emit('log', 'stderr', t);
    });
    child.on('error', (e) => {
      // 'error' without a pid means it never started; otherwise 'exit' follows.
      if (child.pid === undefined) this.finish({ code: null, signal: null, stderrTail: this.stderrTail, spawnError: e.message });
    });
    child.on('exit', (code, signal) => this.finish({ code, signal, stderrTail: this.stderrTail }));
  }

  /**
   * First call asks the trainer to stop after its step and checkpoint; a
   * second one terminates it; a third kills one that does not answer (its
   * run then reads as interrupted and resumes from its last checkpoint).
   */
  stop(): void {
    if (!this.child || this.exited) return;
    if (this.terminateRequested) {
      this.child.kill('SIGKILL');
      return;
    }
    if (this.stopRequested || !this.child.connected) {
      this.terminateRequested = true;
      this.child.kill('SIGTERM');
      return;
    }
    this.stopRequested = true;
    const cmd: TrainerCommand = { type: 'stop' };
    this.child.send(cmd, (err) => {
      if (err && !this.exited) this.child?.kill('SIGTERM');
    });
  }

  private finish(exit: TrainerExit): void {
    if (this.exited) return;
    this.exited = exit;
    this.emit('exit', exit);
  }
}
