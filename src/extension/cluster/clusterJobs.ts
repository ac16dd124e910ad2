/**
 * The scheduler state of this window's cluster runs (those with a job
 * record), polled through the trainer's own `supcon-lab jobs --json`, so the
 * extension host never waits on squeue.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { ClusterJobSummary, jobFiles, parseJobSummaries } from '../../protocol/cluster';
import { output } from '../output';
import type { TrainerLaunch } from '../launch/trainerProcess';
import type { RunRegistry } from '../runs/runRegistry';

const POLL_MS = 5000;

/** The scheduler's view of this window's cluster runs, by run id. */
export class ClusterJobs implements vscode.Disposable {
  private jobs = new Map<string, ClusterJobSummary>();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly timer: NodeJS.Timeout;
  private polling = false;

  constructor(
    private readonly registry: RunRegistry,
    private readonly launch: () => TrainerLaunch,
  ) {
    this.timer = setInterval(() => this.poll(), POLL_MS);
    this.poll();
  }

  get(runId: string): ClusterJobSummary | undefined {
    return this.jobs.get(runId);
  }

  /** Asks the scheduler again, when the runs directory holds cluster runs. */
  poll(): void {
    const dir = this.registry.dir;
    if (this.polling || !dir || !this.registry.runs.some((r) => fs.existsSync(jobFiles(r.dir).record))) return;
    this.polling = true;
    const l = this.launch();
    execFile(l.node, [l.cli, 'jobs', '--runs-dir', dir, '--json'], { env: l.env, timeout: 120_000, shell: false }, (err, stdout, stderr) => {
      this.polling = false;
      if (err) {
        output().warn(`cluster jobs: ${stderr.trim().split('\n').pop() || err.message}`);
        return;
      }
      const next = new Map(parseJobSummaries(stdout).map((j) => [j.runId, j]));
      if (JSON.stringify([...next]) === JSON.stringify([...this.jobs])) return;
      this.jobs = next;
      this.registry.refresh(); // a settled folder (interrupted, failed) is re-read
      this.changed.fire();
    });
  }

  dispose(): void {
    clearInterval(this.timer);
    this.changed.dispose();
  }
}
