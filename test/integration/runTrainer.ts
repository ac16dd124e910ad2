import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { parseEvent, TrainerEvent } from '../../src/protocol/messages';

export const CLI = path.resolve(__dirname, '../../dist/cli.js');

export interface TrainerResult {
  code: number | null;
  events: TrainerEvent[];
  stderr: string;
  runDir: string;
}

/** Runs dist/cli.js as the extension does (IPC, no shell) and collects what it sends. */
export function runTrainer(args: string[], opts: { stopAfterSteps?: number; env?: NodeJS.ProcessEnv } = {}): Promise<TrainerResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], env: { ...process.env, ...opts.env } });
    const events: TrainerEvent[] = [];
    let stderr = '';
    let steps = 0;
    child.stderr!.on('data', (d) => (stderr += d));
    child.stdout!.resume();
    child.on('message', (m) => {
      const ev = parseEvent(m);
      if (!ev) return reject(new Error(`malformed message ${JSON.stringify(m)}`));
      events.push(ev);
      if (ev.type === 'step' && ++steps === opts.stopAfterSteps) child.send({ type: 'stop' });
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const flag = (name: string) => args[args.indexOf(name) + 1];
      const started = events.find((e) => e.type === 'started');
      const runDir = args.includes('--run') ? flag('--run') : started?.type === 'started' ? path.join(flag('--runs-dir'), started.runId) : '';
      resolve({ code, events, stderr, runDir });
    });
  });
}
