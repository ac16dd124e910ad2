/** "Start SupCon Run from Config File": a *.supcon.json of a trusted workspace, checked with the trainer's schema before it starts. */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunLauncher } from '../launch/runLauncher';
import { backendOverride, trainArgs } from '../launch/trainerLaunch';
import { registerGuarded } from '../output';
import { backendSetting } from '../settings';
import { checkConfigText } from './configCheck';
import { ConfigDiagnostics, isRunConfigDocument } from './configDiagnostics';

export interface ConfigServices {
  launcher: RunLauncher;
  diagnostics: ConfigDiagnostics;
}

export function registerConfigCommands(s: ConfigServices): vscode.Disposable[] {
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
      const pick = await vscode.window.showQuickPick(
        files.map((f) => ({ label: vscode.workspace.asRelativePath(f), uri: f })),
        { title: 'Start SupCon Run from Config File' },
      );
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
    s.launcher.start({
      job: 'train',
      title: `${check.config.method} on ${check.config.dataset.kind} (${path.basename(file)})`,
      args: (dir) => trainArgs(dir, backendOverride(backendSetting()), file),
    });
  }
  return registerGuarded({ 'supconLab.startRunFromConfig': (uri?: vscode.Uri) => startFromConfig(uri instanceof vscode.Uri ? uri : undefined) });
}
