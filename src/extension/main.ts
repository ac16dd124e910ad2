/** Activation: builds the services and registers views, commands, the dashboard serializer and diagnostics. */
import * as vscode from 'vscode';
import type { DashboardTab } from '../protocol/dashboard';
import { CheckpointsTree } from './checkpointsTree';
import { registerCommands } from './commands';
import { ConfigDiagnostics } from './configDiagnostics';
import { DashboardPanel } from './dashboardPanel';
import { EmbeddingMaps } from './embeddingMaps';
import { gpuPrefix } from './gpuAdvice';
import { guard, output } from './output';
import { followedRunsIn, RunLauncher } from './runLauncher';
import { RunRegistry } from './runRegistry';
import { RunsTree } from './runsTree';
import { RunStatusBar } from './statusBar';
import { ThroughputStore } from './throughputStore';
import { registerSweepCommands } from './sweepCommands';
import { SweepTree } from './sweepTree';

export function activate(context: vscode.ExtensionContext): void {
  const registry = new RunRegistry();
  const deps = {
    extensionUri: context.extensionUri,
    registry,
    stopRun: (runId: string) => void vscode.commands.executeCommand('supconLab.stopRun', runId),
    resumeRun: (runId: string) => void vscode.commands.executeCommand('supconLab.resumeRun', runId),
    maps: new EmbeddingMaps(() => launcher.launch()),
  };
  const openDashboard = (runIds: string[], tab?: DashboardTab) => DashboardPanel.show(deps, runIds, tab);
  const launcher = new RunLauncher(context.extensionPath, gpuPrefix(context.globalStorageUri.fsPath), registry, openDashboard, new ThroughputStore(context.globalState), followedRunsIn(context.workspaceState));
  const diagnostics = new ConfigDiagnostics();
  const runsTree = new RunsTree(registry);
  const checkpointsTree = new CheckpointsTree(registry);
  const statusBar = new RunStatusBar(registry);
  const sweepTree = new SweepTree(registry);

  context.subscriptions.push(
    output(),
    registry,
    diagnostics,
    runsTree,
    checkpointsTree,
    statusBar,
    sweepTree,
    vscode.window.createTreeView('supconLab.sweeps', { treeDataProvider: sweepTree }),
    ...registerSweepCommands({ context, registry, launcher, tree: sweepTree, openResults: (dir) => DashboardPanel.show(deps, []).showResults(dir) }),
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
