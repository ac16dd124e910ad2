/**
 * Sweep commands: start the views study (the CLI's `sweep --preset views` as
 * a detached process without a shell, so it outlives the window), stop a
 * whole sweep, open a sweep's results in the dashboard.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ConfigError } from '../../protocol/config';
import { sweepFiles } from '../../protocol/sweep';
import { loadSweep } from '../../sweep/expand';
import { viewsPreset } from '../../sweep/presets';
import { openSweep } from '../../sweep/runner';
import { backendOverride } from '../launch/trainerLaunch';
import { output } from '../output';
import type { RunLauncher } from '../launch/runLauncher';
import type { RunRegistry } from '../runs/runRegistry';
import { backendSetting, parallelRuns, runDefaults } from '../settings';
import { sweepHolder, SweepNode, SweepTree } from './sweepTree';

export interface SweepServices {
  context: vscode.ExtensionContext;
  registry: RunRegistry;
  launcher: RunLauncher;
  tree: SweepTree;
  openResults: (sweepDir: string) => void;
}

/** The config flags a study from this window uses: supconLab.defaults, then the backend setting. */
function studyFlags(): Record<string, string> {
  return { ...runDefaults(), ...backendOverride(backendSetting()) };
}

export function registerSweepCommands(s: SweepServices): vscode.Disposable[] {
  async function startViewsStudy(): Promise<void> {
    const runsDir = s.registry.ensureDir();
    if (!runsDir) {
      void vscode.window.showErrorMessage('SupCon: open a folder first, or set supconLab.runsDirectory to an absolute path.');
      return;
    }
    const method = await vscode.window.showQuickPick(
      [
        { label: 'SupCon (L_out)', withCe: false },
        { label: 'SupCon (L_out) and cross-entropy', withCe: true },
      ],
      { title: 'Views study: views 1, 2, 4, 8 under equal steps and equal compute, beside the random-encoder floor', placeHolder: 'Methods' },
    );
    if (!method) return;
    const seeds = await vscode.window.showQuickPick(
      [
        { label: '3 seeds (0, 1, 2)', seeds: [0, 1, 2] },
        { label: '1 seed (0): a first look, no error bars', seeds: [0] },
      ],
      { title: 'Views study', placeHolder: 'Seeds' },
    );
    if (!seeds) return;
    const flags = studyFlags();
    let sweepDir: string;
    try {
      const sweep = loadSweep('preset views', viewsPreset(flags, method.withCe, seeds.seeds));
      sweepDir = openSweep(runsDir, sweep);
    } catch (e) {
      if (e instanceof ConfigError) {
        void vscode.window.showErrorMessage(`SupCon: the views study cannot start: ${e.message} (check supconLab.defaults)`);
        return;
      }
      throw e;
    }
    if (sweepHolder(sweepDir) !== undefined) {
      s.openResults(sweepDir);
      void vscode.window.showInformationMessage(`SupCon: this views study is already running (${path.basename(sweepDir)}).`);
      return;
    }
    const launch = s.launcher.launch();
    const args = [
      'sweep',
      '--preset',
      'views',
      '--runs-dir',
      runsDir,
      '--seeds',
      seeds.seeds.join(','),
      ...(method.withCe ? ['--with-ce'] : []),
      ...(parallelRuns() ? ['--parallel', String(parallelRuns())] : []),
      ...Object.entries(flags).flatMap(([k, v]) => [`--${k}`, v]),
    ];
    const log = fs.openSync(path.join(sweepFiles(sweepDir).logs, 'sweep.log'), 'a');
    try {
      const child = spawn(launch.node, [launch.cli, ...args], { env: launch.env, detached: true, stdio: ['ignore', log, log], shell: false });
      child.on('error', (e) => void vscode.window.showErrorMessage(`SupCon: the views study did not start: ${e.message}`));
      child.unref();
    } finally {
      fs.closeSync(log);
    }
    output().info(`views study: supcon-lab ${args.join(' ')} (log: ${path.join(sweepFiles(sweepDir).logs, 'sweep.log')})`);
    s.tree.refresh();
    s.openResults(sweepDir);
  }

  async function pickSweep(node?: SweepNode): Promise<string | undefined> {
    if (node?.kind === 'sweep') return node.dir;
    const all = s.tree.sweeps().filter((n): n is Extract<SweepNode, { kind: 'sweep' }> => n.kind === 'sweep');
    if (!all.length) {
      void vscode.window.showInformationMessage('SupCon: no sweeps in the runs directory yet.');
      return undefined;
    }
    const pick = await vscode.window.showQuickPick(
      all.map((n) => ({ label: n.sweep.id, description: n.active ? 'running' : '', dir: n.dir })),
      { placeHolder: 'Sweep' },
    );
    return pick?.dir;
  }

  async function stopSweep(node?: SweepNode): Promise<void> {
    const dir = await pickSweep(node);
    if (!dir) return;
    const pid = sweepHolder(dir);
    if (pid === undefined) {
      void vscode.window.showInformationMessage(`SupCon: sweep ${path.basename(dir)} is not running on this machine.`);
      return;
    }
    // The sweep process stops its running trainers (each saves a checkpoint) and takes its waiting points off the queue.
    process.kill(pid, 'SIGTERM');
    void vscode.window.showInformationMessage(`SupCon: stopping sweep ${path.basename(dir)}; starting it again continues it.`);
    s.tree.refresh();
  }

  async function openResults(node?: SweepNode): Promise<void> {
    const dir = await pickSweep(node);
    if (dir) s.openResults(dir);
  }

  const wrap =
    (fn: (...a: never[]) => Promise<void>) =>
    (...a: never[]) =>
      fn(...a).catch((e) => {
        output().error(`${(e as Error)?.stack ?? e}`);
        void vscode.window.showErrorMessage(`SupCon: ${(e as Error).message}`);
      });
  return [
    vscode.commands.registerCommand('supconLab.startViewsStudy', wrap(startViewsStudy)),
    vscode.commands.registerCommand('supconLab.stopSweep', wrap(stopSweep)),
    vscode.commands.registerCommand('supconLab.openSweepResults', wrap(openResults)),
    vscode.commands.registerCommand('supconLab.refreshSweeps', () => s.tree.refresh()),
  ];
}
