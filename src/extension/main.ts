/** Activation: builds the services and registers views, commands, the dashboard serializer and diagnostics. */
import * as vscode from 'vscode';
import { CheckpointsTree } from './checkpointsTree';
import { registerCommands } from './commands';
import { ConfigDiagnostics } from './configDiagnostics';
import { DashboardPanel } from './dashboardPanel';
import { dataModulesDir } from './fashionMnistData';
import { guard, output } from './output';
import { followedRunsIn, RunLauncher } from './runLauncher';
import { RunRegistry } from './runRegistry';
import { RunsTree } from './runsTree';
import { RunStatusBar } from './statusBar';

export function activate(context: vscode.ExtensionContext): void {
  const registry = new RunRegistry();
  const deps = {
    extensionUri: context.extensionUri,
    registry,
    stopRun: (runId: string) => void vscode.commands.executeCommand('supconLab.stopRun', runId),
  };
  const openDashboard = (runIds: string[], tab?: 'charts' | 'params' | 'preview') => DashboardPanel.show(deps, runIds, tab);
  const launcher = new RunLauncher(context.extensionPath, dataModulesDir(context.globalStorageUri), registry, openDashboard, followedRunsIn(context.workspaceState));
  const diagnostics = new ConfigDiagnostics();
  const runsTree = new RunsTree(registry);
  const checkpointsTree = new CheckpointsTree(registry);
  const statusBar = new RunStatusBar(registry);

  context.subscriptions.push(
    output(),
    registry,
    diagnostics,
    runsTree,
    checkpointsTree,
    statusBar,
    vscode.window.createTreeView('supconLab.runs', { treeDataProvider: runsTree, canSelectMany: true, showCollapseAll: false }),
    vscode.window.createTreeView('supconLab.checkpoints', { treeDataProvider: checkpointsTree, showCollapseAll: true }),
    vscode.window.registerWebviewPanelSerializer(DashboardPanel.viewType, {
      deserializeWebviewPanel: async (panel, state) => guard('restore dashboard', () => DashboardPanel.revive(deps, panel, state))(),
    }),
    ...registerCommands({
      context,
      registry,
      launcher,
      diagnostics,
      openDashboard,
      setPreview: (m) => DashboardPanel.show(deps, [], 'preview').setPreview(m),
    }),
  );
  // runs this window started before a reload: notification with Cancel and status bar again
  guard('follow runs again', () => launcher.reattach())();
}
