/**
 * Cluster commands: Submit Run / Submit Sweep to Slurm (a `*.supcon.json` or
 * `*.sweep.json` with the `supconLab.slurm` options), Resubmit (continue from
 * the checkpoint), Cancel Job and Open Job Output. Each runs the trainer's
 * CLI, spawned without a shell; the run folders on the shared disk are
 * followed as any other run.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { parseSlurmOptions, slurmFlags } from '../../protocol/cluster';
import { ConfigError } from '../../protocol/config';
import type { RunSummary } from '../../protocol/runFolder';
import { output } from '../output';
import type { TrainerLaunch } from '../launch/trainerProcess';
import type { RunRegistry } from '../runs/runRegistry';
import type { ClusterJobs } from './clusterJobs';

export interface ClusterServices {
  registry: RunRegistry;
  jobs: ClusterJobs;
  launch: () => TrainerLaunch;
}

/** The `supconLab.slurm` setting as CLI flags; a bad one is named in an error message and gives undefined. */
function settingFlags(): string[] | undefined {
  const raw = vscode.workspace.getConfiguration('supconLab').get<unknown>('slurm', {});
  try {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigError('supconLab.slurm', 'expected an object of Slurm options');
    return ['--executor', 'slurm', ...slurmFlags(parseSlurmOptions(raw as Record<string, unknown>, 'setting'))];
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    void vscode.window
      .showErrorMessage(`SupCon: ${e.message}`, 'Open Settings')
      .then((a) => a && vscode.commands.executeCommand('workbench.action.openSettings', 'supconLab.slurm'));
    return undefined;
  }
}

export function registerClusterCommands(s: ClusterServices): vscode.Disposable[] {
  /** Runs `supcon-lab <args>`; shows its last stderr line on failure. */
  const cli = (args: string[], done: string) =>
    new Promise<void>((resolve) => {
      const l = s.launch();
      output().info(`supcon-lab ${args.join(' ')}`);
      execFile(l.node, [l.cli, ...args], { env: l.env, timeout: 120_000, shell: false }, (err, stdout, stderr) => {
        if (stderr.trim()) output().info(stderr.trim());
        if (err)
          void vscode.window.showErrorMessage(
            `SupCon: ${
              stderr
                .trim()
                .split('\n')
                .pop()
                ?.replace(/^supcon-lab: /, '') || err.message
            }`,
          );
        else void vscode.window.showInformationMessage(`SupCon: ${done}${stdout.trim() ? ` (job ${stdout.trim().split('\n')[0].split(' ')[0]})` : ''}`);
        s.registry.refresh();
        s.jobs.poll();
        resolve();
      });
    });

  async function pickFile(suffix: string, label: string): Promise<string | undefined> {
    const active = vscode.window.activeTextEditor?.document.uri;
    if (active?.scheme === 'file' && active.fsPath.endsWith(suffix)) return active.fsPath;
    const picked = await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: label, filters: { [label]: [suffix.replace(/^\./, '')] } });
    return picked?.[0]?.fsPath;
  }

  async function submit(kind: 'run' | 'sweep'): Promise<void> {
    const dir = s.registry.ensureDir();
    const flags = settingFlags();
    if (!dir || !flags) return;
    const file = await pickFile(kind === 'run' ? '.supcon.json' : '.sweep.json', kind === 'run' ? 'Run config' : 'Sweep file');
    if (!file) return;
    await cli([kind === 'run' ? 'train' : 'sweep', '--config', file, '--runs-dir', dir, ...flags], `submitted the ${kind} to Slurm`);
  }

  const runOf = (run?: RunSummary) => (run?.dir ? run : undefined);

  return [
    vscode.commands.registerCommand('supconLab.submitRun', () => submit('run')),
    vscode.commands.registerCommand('supconLab.submitSweep', () => submit('sweep')),
    vscode.commands.registerCommand('supconLab.resubmitRun', async (item?: RunSummary) => {
      const run = runOf(item);
      // with its last job's options
      if (run) await cli(['resume', '--run', run.dir, '--executor', 'slurm'], `resubmitted ${run.id}; it continues from its checkpoint`);
    }),
    vscode.commands.registerCommand('supconLab.cancelJob', async (item?: RunSummary) => {
      const run = runOf(item);
      if (run) await cli(['cancel', '--run', run.dir], `cancelled the job of ${run.id}; the trainer saves a checkpoint`);
    }),
    vscode.commands.registerCommand('supconLab.openJobOutput', async (item?: RunSummary) => {
      const job = item && s.jobs.get(item.id);
      if (!job) return;
      if (!fs.existsSync(job.output)) {
        void vscode.window.showInformationMessage(`SupCon: job ${job.jobId} has written no output yet (${job.output}).`);
        return;
      }
      await vscode.window.showTextDocument(vscode.Uri.file(job.output));
    }),
  ];
}
