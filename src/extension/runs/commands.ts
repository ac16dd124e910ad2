/** The extension's commands: thin glue between the palette, the trees and the services. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { isPidAlive, isRunId, listCheckpoints, resumeForks, runFiles, RunSummary } from '../../protocol/runFolder';
import type { DashboardTab } from '../../protocol/dashboard';
import { checkpointPosition } from '../../protocol/progress';
import type { CheckpointNode } from './checkpointsTree';
import { checkConfigText } from '../config/configCheck';
import { ConfigDiagnostics, isRunConfigDocument } from '../config/configDiagnostics';
import { guard, output } from '../output';
import { runPreview } from '../data/preview';
import { configFromOverrides } from '../start/runChoices';
import type { RunLauncher } from '../launch/runLauncher';
import type { RunRegistry } from './runRegistry';
import { backendSetting, runDefaults } from '../settings';
import { askStart, configProblem } from '../start/startWizard';
import { trainArgs } from '../launch/trainerLaunch';

export interface Services {
  context: vscode.ExtensionContext;
  registry: RunRegistry;
  launcher: RunLauncher;
  diagnostics: ConfigDiagnostics;
  openDashboard: (runIds: string[], tab?: DashboardTab) => void;
  setPreview: Parameters<typeof runPreview>[1];
}

/** A tree node or a run id, as commands receive them from trees, buttons and the status bar. */
type RunArg = RunSummary | CheckpointNode | string | undefined;

function runIdOf(arg: RunArg): string | undefined {
  if (typeof arg === 'string') return arg;
  if (!arg) return undefined;
  return 'kind' in arg ? arg.run.id : arg.id;
}

function backendOverride(): Record<string, string> {
  const b = backendSetting();
  return b && b !== 'auto' ? { backend: b } : {};
}

export function registerCommands(s: Services): vscode.Disposable[] {
  const { registry, launcher } = s;
  const runOf = (arg: RunArg): RunSummary | undefined => {
    const id = runIdOf(arg) ?? registry.runs[0]?.id;
    return id ? registry.find(id) : undefined;
  };
  const needRun = (arg: RunArg): RunSummary | undefined => {
    const run = runOf(arg);
    if (!run) void vscode.window.showWarningMessage('SupCon: no such run.');
    return run;
  };

  async function pickCheckpoint(arg: RunArg, action: string): Promise<{ run: RunSummary; name: string } | undefined> {
    if (arg && typeof arg === 'object' && 'kind' in arg && arg.kind === 'checkpoint') return { run: arg.run, name: arg.checkpoint.name };
    const run = needRun(arg);
    if (!run) return undefined;
    const cps = listCheckpoints(run.dir);
    if (!cps.length) {
      void vscode.window.showWarningMessage(`SupCon: ${run.id} has no checkpoint yet.`);
      return undefined;
    }
    const pick = await vscode.window.showQuickPick(
      cps.map((c) => ({ label: c.name, description: checkpointPosition(c), name: c.name })),
      { title: `${action}: checkpoint of ${run.id}` },
    );
    return pick && { run, name: pick.name };
  }

  async function startFromConfig(uri?: vscode.Uri): Promise<void> {
    if (!vscode.workspace.isTrusted) {
      const manage = 'Manage Workspace Trust';
      const pick = await vscode.window.showWarningMessage('SupCon: running a config from this workspace needs a trusted workspace.', manage);
      if (pick === manage) await vscode.commands.executeCommand('workbench.trust.manage');
      return;
    }
    const active = vscode.window.activeTextEditor?.document;
    let target = uri ?? (active && isRunConfigDocument(active) ? active.uri : undefined);
    if (!target) {
      const files = await vscode.workspace.findFiles('**/*.supcon.json', '**/node_modules/**', 200);
      const pick = await vscode.window.showQuickPick(files.map((f) => ({ label: vscode.workspace.asRelativePath(f), uri: f })), { title: 'Start SupCon Run from Config File' });
      target = pick?.uri;
    }
    if (!target) return;
    const doc = await vscode.workspace.openTextDocument(target);
    if (doc.isDirty) await doc.save();
    const check = checkConfigText(doc.getText());
    s.diagnostics.check(doc);
    if (!check.ok) {
      void vscode.window.showErrorMessage(`SupCon: ${vscode.workspace.asRelativePath(target)}: ${check.message}`);
      return;
    }
    const file = target.fsPath;
    launcher.start({ job: 'train', title: `${check.config.method} on ${check.config.dataset.kind} (${path.basename(file)})`, args: (dir) => trainArgs(dir, backendOverride(), file) });
  }

  const commands: Record<string, (...args: never[]) => unknown> = {
    'supconLab.startRun': async () => {
      const backend = backendSetting();
      const req = await askStart({ state: s.context.workspaceState, defaults: runDefaults(), backend, throughput: (encoder) => launcher.throughput.get(backend, encoder) });
      if (!req) return;
      try {
        configFromOverrides(req.overrides);
      } catch (e) {
        void vscode.window.showErrorMessage(configProblem(e));
        return;
      }
      launcher.start({ job: 'train', title: req.title, args: (dir) => trainArgs(dir, req.overrides) });
    },
    'supconLab.startRunFromConfig': (uri?: vscode.Uri) => startFromConfig(uri instanceof vscode.Uri ? uri : undefined),
    'supconLab.openDashboard': (arg?: RunArg) => {
      const id = runIdOf(arg);
      s.openDashboard(id ? [id] : []);
    },
    'supconLab.compareRuns': (arg?: RunArg, selected?: RunArg[]) => {
      const ids = (selected?.length ? selected : [arg]).map(runIdOf).filter((id): id is string => !!id);
      s.openDashboard(ids);
    },
    'supconLab.stopRun': async (arg?: RunArg) => {
      const id = runIdOf(arg) ?? [...registry.live.keys()].pop();
      const live = id ? registry.live.get(id) : undefined;
      if (live) return live.stop();
      // A run from the command line or an earlier window: SIGTERM asks its trainer to stop the same way.
      const status = id ? registry.find(id)?.status : undefined;
      if (!id || status?.state !== 'running' || status.host !== os.hostname()) {
        void vscode.window.showInformationMessage(`SupCon: ${id ?? 'this run'} is not running on this machine.`);
        return;
      }
      const ok = await vscode.window.showWarningMessage(`Stop run ${id} (process ${status.pid})? It saves a checkpoint after its current step.`, { modal: true }, 'Stop');
      if (ok !== 'Stop') return;
      process.kill(status.pid, 'SIGTERM');
      // its tree row, card and status bar follow the process's end even if it could not write status.json
      const poll = setInterval(() => {
        if (isPidAlive(status.pid)) return;
        clearInterval(poll);
        registry.touch(id);
      }, 500);
    },
    'supconLab.resumeRun': async (arg?: RunArg) => {
      const cp = await pickCheckpoint(arg, 'Resume');
      if (!cp) return;
      // a completed run is never rewritten: resuming an earlier checkpoint of it trains a new, linked run
      const step = listCheckpoints(cp.run.dir).find((c) => c.name === cp.name)?.globalStep ?? Infinity;
      const fork = resumeForks(cp.run.status, step);
      const title = fork ? `new run forked from ${cp.run.id} at ${cp.name} (${cp.run.id} stays as it is)` : `resuming ${cp.run.id} from ${cp.name}`;
      const live = launcher.start({ job: 'resume', runId: fork ? undefined : cp.run.id, title, args: () => ['resume', '--run', cp.run.dir, '--checkpoint', cp.name] });
      if (fork) live?.once('identified', (id) => s.openDashboard([id]));
    },
    'supconLab.probeCheckpoint': async (arg?: RunArg) => {
      const cp = await pickCheckpoint(arg, 'Linear probe');
      if (!cp) return;
      launcher.start({ job: 'probe', runId: cp.run.id, title: `linear probe of ${cp.run.id}/${cp.name}`, args: () => ['probe', '--run', cp.run.dir, '--checkpoint', cp.name] });
    },
    'supconLab.rerun': (arg?: RunArg) => {
      const run = needRun(arg);
      if (!run) return;
      const config = runFiles(run.dir).config;
      if (!fs.existsSync(config)) {
        void vscode.window.showWarningMessage(`SupCon: ${run.id} has no config.json to rerun.`);
        return;
      }
      launcher.start({ job: 'train', title: `rerun of ${run.id}`, args: (dir) => trainArgs(dir, {}, config) });
    },
    'supconLab.revealRun': (arg?: RunArg) => {
      const run = needRun(arg);
      if (!run) return;
      const uri = vscode.Uri.file(run.dir);
      const inWorkspace = !!vscode.workspace.getWorkspaceFolder(uri);
      return vscode.commands.executeCommand(inWorkspace ? 'revealInExplorer' : 'revealFileInOS', uri);
    },
    'supconLab.deleteRun': async (arg?: RunArg, selected?: RunArg[]) => {
      const runs = (selected?.length ? selected : [arg]).map(runOf).filter((r): r is RunSummary => !!r);
      if (!runs.length || !registry.dir) return;
      const busy = runs.filter((r) => registry.isLive(r.id) || r.status?.state === 'running');
      if (busy.length) {
        void vscode.window.showWarningMessage(`SupCon: stop ${busy.map((r) => r.id).join(', ')} before deleting.`);
        return;
      }
      const what = runs.length === 1 ? `run ${runs[0].id}` : `${runs.length} runs`;
      const ok = await vscode.window.showWarningMessage(`Delete ${what} with its metrics and checkpoints?`, { modal: true, detail: runs.map((r) => r.dir).join('\n') }, 'Delete');
      if (ok !== 'Delete') return;
      for (const r of runs) {
        // Only ever a run folder directly inside the runs directory.
        if (!isRunId(r.id) || path.dirname(r.dir) !== registry.dir) continue;
        fs.rmSync(r.dir, { recursive: true, force: true });
        registry.touch(r.id);
      }
    },
    'supconLab.refreshRuns': () => registry.refresh(),
    'supconLab.showLog': () => output().show(),
    'supconLab.previewAugmentations': () => runPreview(s, s.setPreview),
  };
  return Object.entries(commands).map(([id, fn]) => vscode.commands.registerCommand(id, guard(id, fn as (...a: unknown[]) => unknown)));
}
