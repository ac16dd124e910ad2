/**
 * Commands on the runs in the runs directory: stop, resume, probe, rerun,
 * reveal, delete, refresh, and the trainer log. The process signals and
 * folder deletions are the small named functions at the end.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { isPidAlive, isRunId, listCheckpoints, resumeForks, runFiles, RunSummary } from '../../protocol/runFolder';
import { checkpointPosition } from '../../protocol/progress';
import type { RunLauncher } from '../launch/runLauncher';
import { trainArgs } from '../launch/trainerLaunch';
import { output, registerGuarded } from '../output';
import { RunArg, runIdOf } from './runArg';
import type { RunRegistry } from './runRegistry';

export interface RunServices {
  registry: RunRegistry;
  launcher: RunLauncher;
  openDashboard: (runIds: string[]) => void;
}

export function registerRunCommands(s: RunServices): vscode.Disposable[] {
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

  async function stopRun(arg?: RunArg): Promise<void> {
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
    // its tree row, card and status bar follow the process's end even if it could not write status.json
    signalStop(status.pid, () => registry.touch(id));
  }

  async function resumeRun(arg?: RunArg): Promise<void> {
    const cp = await pickCheckpoint(arg, 'Resume');
    if (!cp) return;
    // a completed run is never rewritten: resuming an earlier checkpoint of it trains a new, linked run
    const step = listCheckpoints(cp.run.dir).find((c) => c.name === cp.name)?.globalStep ?? Infinity;
    const fork = resumeForks(cp.run.status, step);
    const title = fork ? `new run forked from ${cp.run.id} at ${cp.name} (${cp.run.id} stays as it is)` : `resuming ${cp.run.id} from ${cp.name}`;
    const live = launcher.start({ job: 'resume', runId: fork ? undefined : cp.run.id, title, args: () => ['resume', '--run', cp.run.dir, '--checkpoint', cp.name] });
    if (fork) live?.once('identified', (id) => s.openDashboard([id]));
  }

  async function probeCheckpoint(arg?: RunArg): Promise<void> {
    const cp = await pickCheckpoint(arg, 'Linear probe');
    if (!cp) return;
    launcher.start({ job: 'probe', runId: cp.run.id, title: `linear probe of ${cp.run.id}/${cp.name}`, args: () => ['probe', '--run', cp.run.dir, '--checkpoint', cp.name] });
  }

  function rerun(arg?: RunArg): void {
    const run = needRun(arg);
    if (!run) return;
    const config = runFiles(run.dir).config;
    if (!fs.existsSync(config)) {
      void vscode.window.showWarningMessage(`SupCon: ${run.id} has no config.json to rerun.`);
      return;
    }
    launcher.start({ job: 'train', title: `rerun of ${run.id}`, args: (dir) => trainArgs(dir, {}, config) });
  }

  function revealRun(arg?: RunArg): Thenable<unknown> | undefined {
    const run = needRun(arg);
    if (!run) return undefined;
    const uri = vscode.Uri.file(run.dir);
    const inWorkspace = !!vscode.workspace.getWorkspaceFolder(uri);
    return vscode.commands.executeCommand(inWorkspace ? 'revealInExplorer' : 'revealFileInOS', uri);
  }

  async function deleteRuns(arg?: RunArg, selected?: RunArg[]): Promise<void> {
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
    for (const r of runs) if (removeRunFolder(registry.dir, r)) registry.touch(r.id);
  }

  return registerGuarded({
    'supconLab.stopRun': stopRun,
    'supconLab.resumeRun': resumeRun,
    'supconLab.probeCheckpoint': probeCheckpoint,
    'supconLab.rerun': rerun,
    'supconLab.revealRun': revealRun,
    'supconLab.deleteRun': deleteRuns,
    'supconLab.refreshRuns': () => registry.refresh(),
    'supconLab.showLog': () => output().show(),
  });
}

/** Asks a trainer this window does not drive to stop after its step (SIGTERM), then calls `exited` once its process is gone. */
function signalStop(pid: number, exited: () => void): void {
  process.kill(pid, 'SIGTERM');
  const poll = setInterval(() => {
    if (isPidAlive(pid)) return;
    clearInterval(poll);
    exited();
  }, 500);
}

/** Deletes a run's folder, only ever one named by a run id directly inside the runs directory; whether it did. */
function removeRunFolder(runsDir: string | undefined, run: RunSummary): boolean {
  if (!isRunId(run.id) || path.dirname(run.dir) !== runsDir) return false;
  fs.rmSync(run.dir, { recursive: true, force: true });
  return true;
}
