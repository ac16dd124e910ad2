/** The Runs view: every run, newest first, with its state and key metric. */
import * as vscode from 'vscode';
import type { RunSummary } from '../../protocol/runFolder';
import type { ClusterJobs } from '../cluster/clusterJobs';
import { withJob } from '../cluster/clusterPresentation';
import { runItemModel } from './runPresentation';
import type { RunRegistry } from './runRegistry';
import { toTreeItem } from './treeItem';

export class RunsTree implements vscode.TreeDataProvider<RunSummary>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<RunSummary | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subs: vscode.Disposable[];

  constructor(
    private readonly registry: RunRegistry,
    private readonly jobs: ClusterJobs,
  ) {
    this.subs = [registry.onDidChange(() => this.changed.fire(undefined)), jobs.onDidChange(() => this.changed.fire(undefined))];
  }

  getChildren(element?: RunSummary): RunSummary[] {
    return element ? [] : [...this.registry.runs];
  }

  getTreeItem(run: RunSummary): vscode.TreeItem {
    const live = this.registry.live.get(run.id);
    const item = toTreeItem(withJob(runItemModel(run, live?.progress, !!live), this.jobs.get(run.id)));
    item.command = { command: 'supconLab.openDashboard', title: 'Open Dashboard', arguments: [run] };
    return item;
  }

  getParent(): undefined {
    return undefined;
  }

  dispose(): void {
    this.subs.forEach((d) => d.dispose());
    this.changed.dispose();
  }
}
