/** Activation: builds the services, then wires each domain's views, commands, the dashboard serializer and diagnostics. */
import * as vscode from 'vscode';
import type { DashboardTab } from '../protocol/dashboard';
import { ClusterJobs } from './cluster/clusterJobs';
import { registerClusterCommands } from './cluster/commands';
import { registerConfigCommands } from './config/commands';
import { ConfigDiagnostics } from './config/configDiagnostics';
import { registerDashboardCommands } from './dashboard/commands';
import { DashboardPanel } from './dashboard/dashboardPanel';
import { EmbeddingMaps } from './dashboard/embeddingMaps';
import { registerDataCommands } from './data/commands';
import { gpuPrefix } from './launch/gpuAdvice';
import { followedRunsIn, RunLauncher } from './launch/runLauncher';
import { RunStatusBar } from './launch/statusBar';
import { guard, output } from './output';
import { CheckpointsTree } from './runs/checkpointsTree';
import { registerRunCommands } from './runs/commands';
import { RunRegistry } from './runs/runRegistry';
import { RunsTree } from './runs/runsTree';
import { registerStartCommands } from './start/commands';
import { ThroughputStore } from './start/throughputStore';
import { registerSweepCommands } from './sweeps/commands';
import { SweepTree } from './sweeps/sweepTree';

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
  const launcher = new RunLauncher(
    context.extensionPath,
    gpuPrefix(context.globalStorageUri.fsPath),
    registry,
    openDashboard,
    new ThroughputStore(context.globalState),
    followedRunsIn(context.workspaceState),
  );
  const diagnostics = new ConfigDiagnostics();
  const clusterJobs = new ClusterJobs(registry, () => launcher.launch());
  const runsTree = new RunsTree(registry, clusterJobs);
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
    ...registerStartCommands({ state: context.workspaceState, launcher }),
    ...registerConfigCommands({ launcher, diagnostics }),
    ...registerDashboardCommands(openDashboard),
    ...registerRunCommands({ registry, launcher, openDashboard }),
    clusterJobs,
    ...registerClusterCommands({ registry, jobs: clusterJobs, launch: () => launcher.launch() }),
    ...registerDataCommands({ context, launcher, openDashboard }, (m) => DashboardPanel.show(deps, [], 'preview').setPreview(m)),
  );
  // runs this window started before a reload: notification with Cancel and status bar again
  guard('follow runs again', () => launcher.reattach())();
}
