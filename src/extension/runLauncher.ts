/**
 * Starts trainer jobs and reports on them: a progress notification whose
 * Cancel asks the trainer to stop, trainer output in the output channel, a
 * note on which backend ran, and a notification with the outcome.
 */
import * as vscode from 'vscode';
import type { BackendInfo, TrainerEvent } from '../protocol/messages';
import { LiveRun, progressParts, RunJob, RunOutcome } from './liveRun';
import { guard, output } from './output';
import { pct, runLabel } from './runPresentation';
import type { RunRegistry } from './runRegistry';
import { launchSettings } from './settings';
import { canResolve, trainerLaunch } from './trainerLaunch';
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

const JOB_VERB: Record<RunJob, string> = { train: 'Training', resume: 'Resuming', probe: 'Linear probe' };

export class RunLauncher {
  private backendNoteShown = false;

  constructor(
    private readonly extensionPath: string,
    private readonly dataModules: string,
    private readonly registry: RunRegistry,
    private readonly openDashboard: (runIds: string[]) => void,
  ) {}

  launch(): TrainerLaunch {
    return trainerLaunch(launchSettings(this.dataModules), this.extensionPath);
  }

  /** Whether Node would find the Fashion-MNIST data package for the trainer. */
  hasFashionMnist(): boolean {
    return canResolve('fashion-mnist', this.launch());
  }

  start(req: JobRequest): LiveRun | undefined {
    const runsDir = this.registry.ensureDir();
    if (!runsDir) {
      void vscode.window.showErrorMessage('SupCon: open a folder first, or set supconLab.runsDirectory to an absolute path.');
      return undefined;
    }
    const args = req.args(runsDir);
    const proc = new TrainerProcess(args);
    const run = new LiveRun(req.job, proc, runsDir, req.runId);
    const out = output();
    const tag = () => `[${run.label}]`;
    out.info(`${tag()} supcon-lab ${args.join(' ')}`);
    proc.on('log', guard('trainer output', (_stream: string, text: string) => {
      for (const line of text.split('\n')) if (line.trim()) out.info(`${tag()} ${line}`);
    }));
    proc.on('invalid', guard('trainer message', (m: unknown) => out.warn(`${tag()} ignored a malformed trainer message: ${JSON.stringify(m)?.slice(0, 200)}`)));
    run.on('event', guard('trainer event', (e: TrainerEvent) => this.onEvent(run, e)));
    run.once('exit', guard('run finished', (o: RunOutcome) => this.onExit(run, o)));
    this.registry.track(run);
    // A new run's charts come up by themselves.
    if (req.job === 'train') run.once('identified', guard('open dashboard', (id: string) => this.openDashboard([id])));
    proc.start(this.launch());
    this.showProgress(run, req.title);
    return run;
  }

  private showProgress(run: LiveRun, title: string): void {
    void vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `SupCon: ${title}`, cancellable: true },
      (progress, token) =>
        new Promise<void>((resolve) => {
          let reported = 0;
          let lastReport = 0;
          token.onCancellationRequested(guard('cancel run', () => {
            run.stop();
            progress.report({ message: 'stopping after this step, saving a checkpoint…' });
          }));
          run.on('event', guard('progress', () => {
            const now = Date.now();
            if (now - lastReport < 250 || token.isCancellationRequested) return;
            lastReport = now;
            const fraction = run.progress.fraction ?? reported;
            const message = [JOB_VERB[run.job], ...progressParts(run.job, run.progress)].join(' · ');
            progress.report({ message, increment: Math.max(0, (fraction - reported) * 100) });
            reported = Math.max(reported, fraction);
          }));
          run.once('exit', () => resolve());
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
          void vscode.window.showInformationMessage(`SupCon is training on ${b.label}: no GPU backend is available here.`, 'How to Use a GPU')
            .then((pick) => pick && this.explainGpu(b.skipped));
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

  private explainGpu(skipped: BackendInfo['skipped']): void {
    const out = output();
    out.info([
      'Why no GPU backend was used:',
      ...skipped.map((s) => `  - ${s.backend}: ${s.reason}`),
      'Using a GPU with SupCon Lab:',
      '  - WebGPU (shipped with the extension) needs a GPU driver with Vulkan on Linux, Metal on macOS, D3D12 on Windows.',
      '  - CUDA: install @tensorflow/tfjs-node-gpu (CUDA 11.2 and cuDNN 8.1) in a trainer install (`npm install supcon-lab @tensorflow/tfjs-node-gpu`)',
      '    and point the supconLab.trainerPath setting at it.',
      '  - Set supconLab.backend to force a backend; "auto" takes the fastest that loads.',
    ].join('\n'));
    out.show(true);
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
      void vscode.window.showErrorMessage(`SupCon ${run.job} ${runLabel(name)} failed: ${o.error ?? 'unknown error'}${o.hint ? ` Hint: ${o.hint}` : ''}`, 'Show Log', ...open).then(act);
      return;
    }
    const top1 = o.top1 !== undefined ? ` Probe top-1${o.probed ? ` (${o.probed})` : ''}: ${pct(o.top1)}.` : '';
    const what = o.state === 'stopped' ? `stopped at epoch ${run.progress.epoch}; its checkpoint was saved.` : 'completed.';
    output().info(`[${name}] ${o.state}${top1}`);
    void vscode.window.showInformationMessage(`SupCon ${run.job === 'probe' ? 'probe of' : 'run'} ${runLabel(name)} ${what}${top1}`, ...open).then(act);
  }
}
