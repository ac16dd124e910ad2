/**
 * Starts trainer jobs and reports on them: a progress notification whose
 * Cancel asks the trainer to stop, trainer output in the output channel, a
 * note on which backend ran, and a notification with the outcome.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { BackendInfo, TrainerEvent } from '../../protocol/messages';
import { runFiles } from '../../protocol/runFolder';
import { AttachedTrainer } from './attachedTrainer';
import { LiveRun, progressParts, RunJob, RunOutcome } from './liveRun';
import { guard, output } from '../output';
import { pct, runLabel } from '../runs/runPresentation';
import type { RunRegistry } from '../runs/runRegistry';
import { cudaInstallCommand, gpuAdvice, gpuModulePaths } from './gpuAdvice';
import { readMetricsPrefix } from '../dashboard/runFeed';
import { backendSetting, launchSettings } from '../settings';
import { ThroughputStore } from '../start/throughputStore';
import { trainerLaunch } from './trainerLaunch';
import { TrainerProcess } from './trainerProcess';
import type { TrainerLaunch } from './trainerProcess';

export interface JobRequest {
  job: RunJob;
  /** The trainer's arguments, given the runs directory. */
  args: (runsDir: string) => string[];
  /** Known up front for resume and probe. */
  runId?: string;
  title: string;
}

/** Run ids a window started, remembered across its reloads. */
export interface FollowedRuns {
  ids(): string[];
  add(id: string): void;
  delete(id: string): void;
}

/** FollowedRuns kept in a VS Code Memento (the workspace state). */
export function followedRunsIn(state: vscode.Memento): FollowedRuns {
  const KEY = 'supconLab.followedRuns';
  const ids = (): string[] => {
    const v = state.get<unknown>(KEY);
    return Array.isArray(v) ? v.filter((id): id is string => typeof id === 'string') : [];
  };
  return {
    ids,
    add: (id) => void state.update(KEY, [...new Set([...ids(), id])]),
    delete: (id) =>
      void state.update(
        KEY,
        ids().filter((i) => i !== id),
      ),
  };
}

const JOB_VERB: Record<RunJob, string> = { train: 'Training', resume: 'Resuming', probe: 'Linear probe' };

export class RunLauncher {
  private backendNoteShown = false;

  /**
   * @param followed the runs this window started, kept across reloads (workspace state), so it can follow them again
   */
  constructor(
    private readonly extensionPath: string,
    /** Where the optional CUDA backend is installed (gpuAdvice.ts). */
    private readonly gpuPrefix: string,
    private readonly registry: RunRegistry,
    private readonly openDashboard: (runIds: string[]) => void,
    readonly throughput: ThroughputStore,
    private readonly followed: FollowedRuns,
  ) {}

  /** Follows again every run this window started that is still training on this machine; forgets the others. */
  reattach(): void {
    for (const id of this.followed.ids()) {
      const status = this.registry.find(id)?.status;
      if (status?.state === 'running' && status.host === os.hostname() && !this.registry.isLive(id)) this.attach(id, status.pid);
      else if (!this.registry.isLive(id)) this.followed.delete(id);
    }
  }

  launch(): TrainerLaunch {
    return trainerLaunch(launchSettings(gpuModulePaths(this.gpuPrefix), this.gpuPrefix), this.extensionPath);
  }

  start(req: JobRequest): LiveRun | undefined {
    const runsDir = this.registry.ensureDir();
    if (!runsDir) {
      void vscode.window.showErrorMessage('SupCon: open a folder first, or set supconLab.runsDirectory to an absolute path.');
      return undefined;
    }
    const args = req.args(runsDir);
    const backend = backendSetting();
    const proc = new TrainerProcess(args);
    const run = new LiveRun(req.job, proc, runsDir, req.runId);
    const out = output();
    const tag = () => `[${run.label}]`;
    out.info(`${tag()} supcon-lab ${args.join(' ')}`);
    proc.on(
      'log',
      guard('trainer output', (_stream: string, text: string) => {
        for (const line of text.split('\n')) if (line.trim()) out.info(`${tag()} ${line}`);
      }),
    );
    proc.on(
      'invalid',
      guard('trainer message', (m: unknown) => out.warn(`${tag()} ignored a malformed trainer message: ${JSON.stringify(m)?.slice(0, 200)}`)),
    );
    run.once(
      'exit',
      guard('record speed', () => this.throughput.record(backend, run.history)),
    );
    // A new run's charts come up by themselves.
    if (req.job === 'train')
      run.once(
        'identified',
        guard('open dashboard', (id: string) => this.openDashboard([id])),
      );
    this.follow(run, req.title);
    proc.start(this.launch());
    return run;
  }

  /**
   * Follows again a run this window started before a reload: its trainer goes
   * on without the window, so events come from its metrics file and Stop is a
   * signal; the progress notification (with Cancel) and status bar come back.
   */
  attach(runId: string, pid: number): LiveRun | undefined {
    const runsDir = this.registry.dir;
    if (!runsDir) return undefined;
    const proc = new AttachedTrainer(path.join(runsDir, runId), pid);
    const run = new LiveRun('train', proc, runsDir, runId);
    run.prime(readMetricsPrefix(runFiles(run.runDir!).metrics, run.spawnOffset));
    run.once('exit', () => proc.dispose());
    this.follow(run, `${runLabel(runId)} (followed again after a reload)`);
    proc.start(run.spawnOffset);
    output().info(`[${runId}] following again: trainer process ${pid}`);
    return run;
  }

  /** Reports on a run: output channel, outcome, registry (tree and status bar) and the progress notification. */
  private follow(run: LiveRun, title: string): void {
    run.on(
      'event',
      guard('trainer event', (e: TrainerEvent) => this.onEvent(run, e)),
    );
    run.once(
      'exit',
      guard('run finished', (o: RunOutcome) => this.onExit(run, o)),
    );
    run.on('identified', (id: string) => this.followed.add(id));
    if (run.runId) this.followed.add(run.runId);
    run.once('exit', () => run.runId && this.followed.delete(run.runId));
    this.registry.track(run);
    this.showProgress(run, title);
  }

  private showProgress(run: LiveRun, title: string): void {
    void vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `SupCon: ${title}`, cancellable: true },
      (progress, token) =>
        new Promise<void>((resolve) => {
          let reported = 0;
          let lastReport = 0;
          let pending: NodeJS.Timeout | undefined;
          token.onCancellationRequested(
            guard('cancel run', () => {
              run.stop();
              progress.report({ message: 'stopping after this step, saving a checkpoint…' });
            }),
          );
          const report = () => {
            pending = undefined;
            if (token.isCancellationRequested) return;
            lastReport = Date.now();
            const fraction = run.progress.fraction ?? reported;
            const message = [JOB_VERB[run.job], ...progressParts(run.job, run.progress)].join(' · ');
            progress.report({ message, increment: Math.max(0, (fraction - reported) * 100) });
            reported = Math.max(reported, fraction);
          };
          // at most one report per 250 ms, and the latest state always reported: a phase that follows a step closely must not be lost
          run.on(
            'event',
            guard('progress', () => {
              if (pending) return;
              const wait = lastReport + 250 - Date.now();
              if (wait > 0) pending = setTimeout(guard('progress', report), wait);
              else report();
            }),
          );
          run.once('exit', () => {
            clearTimeout(pending);
            resolve();
          });
        }),
    );
  }

  private onEvent(run: LiveRun, e: TrainerEvent): void {
    const out = output();
    switch (e.type) {
      case 'started': {
        const b = e.backend;
        out.info(`[${e.runId}] backend: ${b.label}${b.gpu ? ` (GPU${b.adapter ? `: ${b.adapter}` : ''})` : ' (CPU)'}, ${b.threads} threads, tfjs ${b.version}`);
        for (const s of b.skipped) out.info(`[${e.runId}] not used: ${s.backend}: ${s.reason}`);
        if (!b.gpu && b.skipped.length && !this.backendNoteShown) {
          this.backendNoteShown = true;
          void vscode.window
            .showInformationMessage(`SupCon is training on ${b.label}: no GPU backend is available here.`, 'How to Use a GPU')
            .then((pick) => pick && this.explainGpu(b));
        }
        break;
      }
      case 'log':
        out.info(`[${run.label}] ${e.message}`);
        break;
      case 'warning':
        out.warn(`[${run.label}] ${e.code}: ${e.message}`);
        break;
      case 'failed':
        out.error(`[${run.label}] ${e.error}${e.hint ? `\n  hint: ${e.hint}` : ''}`);
        break;
    }
  }

  private explainGpu(b: BackendInfo): void {
    // The version of the tfjs backend that ran: every tfjs package the trainer carries has the same one.
    const version = b.version;
    output().info(gpuAdvice(b.skipped, this.gpuPrefix, version).join('\n'));
    output().show(true);
    const copy = 'Copy CUDA Install Command';
    void vscode.window
      .showInformationMessage('SupCon: WebGPU needs nothing installed; CUDA needs @tensorflow/tfjs-node-gpu (CUDA 11.2, cuDNN 8.1). Details are in the SupCon output.', copy)
      .then((pick) => {
        if (pick === copy) void vscode.env.clipboard.writeText(cudaInstallCommand(this.gpuPrefix, version));
      });
  }

  private onExit(run: LiveRun, o: RunOutcome): void {
    const name = run.runId ?? run.label;
    const open = run.runId ? ['Open Dashboard'] : [];
    const act = (pick: string | undefined) => {
      if (pick === 'Open Dashboard' && run.runId) this.openDashboard([run.runId]);
      if (pick === 'Show Log') output().show(true);
    };
    if (o.state === 'failed') {
      output().error(`[${name}] failed: ${o.error ?? 'unknown error'}${o.hint ? ` (${o.hint})` : ''}`);
      void vscode.window
        .showErrorMessage(`SupCon ${run.job} ${runLabel(name)} failed: ${o.error ?? 'unknown error'}${o.hint ? ` Hint: ${o.hint}` : ''}`, 'Show Log', ...open)
        .then(act);
      return;
    }
    const top1 = o.top1 !== undefined ? ` Probe top-1: ${pct(o.top1)}${o.probed ? ` (${o.probed})` : ''}.` : '';
    const what = o.state === 'stopped' ? `stopped at epoch ${run.progress.epoch}; its checkpoint was saved.` : 'completed.';
    output().info(`[${name}] ${o.state}.${top1}`);
    void vscode.window.showInformationMessage(`SupCon ${run.job === 'probe' ? 'probe of' : 'run'} ${runLabel(name)} ${what}${top1}`, ...open).then(act);
  }
}
