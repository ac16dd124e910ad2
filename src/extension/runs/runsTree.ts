/** The Runs view: every run, newest first, with its state and key metric. */
import * as vscode from 'vscode';
import type { RunSummary } from '../../protocol/runFolder';
import { runItemModel } from './runPresentation';
import type { RunRegistry } from './runRegistry';
import { toTreeItem } from './treeItem';

export class RunsTree implements vscode.TreeDataProvider<RunSummary>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<RunSummary | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly sub: vscode.Disposable;

  constructor(private readonly registry: RunRegistry) {
    this.sub = registry.onDidChange(() => this.changed.fire(undefined));
  }

  getChildren(element?: RunSummary): RunSummary[] {
    return element ? [] : [...this.registry.runs];
  }

  getTreeItem(run: RunSummary): vscode.TreeItem {
    const live = this.registry.live.get(run.id);
    const item = toTreeItem(runItemModel(run, live?.progress, !!live));
    item.command = { command: 'supconLab.openDashboard', title: 'Open Dashboard', arguments: [run] };
    return item;
  }

  getParent(): undefined {
    return undefined;
  }

  dispose(): void {
    this.sub.dispose();
    this.changed.dispose();
  }
}
