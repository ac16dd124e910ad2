/** "Start SupCon Run": the guided start (which shows a config problem itself), then the trainer with the overrides it chose. */
import type * as vscode from 'vscode';
import type { RunLauncher } from '../launch/runLauncher';
import { trainArgs } from '../launch/trainerLaunch';
import { registerGuarded } from '../output';
import { backendSetting, runDefaults } from '../settings';
import { askStart } from './startWizard';

export interface StartServices {
  state: vscode.Memento;
  launcher: RunLauncher;
}

export function registerStartCommands(s: StartServices): vscode.Disposable[] {
  async function startRun(): Promise<void> {
    const backend = backendSetting();
    const req = await askStart({ state: s.state, defaults: runDefaults(), backend, throughput: (encoder) => s.launcher.throughput.get(backend, encoder) });
    if (!req) return;
    s.launcher.start({ job: 'train', title: req.title, args: (dir) => trainArgs(dir, req.overrides) });
  }
  return registerGuarded({ 'supconLab.startRun': startRun });
}
