/** The Checkpoints view: runs that saved checkpoints, each with its checkpoints (name, epoch, metric). */
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { CheckpointInfo, listCheckpoints, runFiles, RunSummary } from '../../protocol/runFolder';
import { checkpointItemModel, probeOf, runItemModel } from './runPresentation';
import type { RunRegistry } from './runRegistry';
import { toTreeItem } from './treeItem';

export type CheckpointNode = { kind: 'run'; run: RunSummary } | { kind: 'checkpoint'; run: RunSummary; checkpoint: CheckpointInfo };

/** Only the newest runs are listed, so a huge runs folder stays quick. */
const MAX_RUNS = 200;

export class CheckpointsTree implements vscode.TreeDataProvider<CheckpointNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<CheckpointNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly sub: vscode.Disposable;

  constructor(private readonly registry: RunRegistry) {
    this.sub = registry.onDidChange(() => this.changed.fire(undefined));
  }

  getChildren(node?: CheckpointNode): CheckpointNode[] {
    if (!node) {
      return this.registry.runs
        .slice(0, MAX_RUNS)
        .filter((run) => fs.existsSync(runFiles(run.dir).checkpoints))
        .map((run) => ({ kind: 'run', run }));
    }
    if (node.kind === 'run') return listCheckpoints(node.run.dir).map((checkpoint) => ({ kind: 'checkpoint', run: node.run, checkpoint }));
    return [];
  }

  getTreeItem(node: CheckpointNode): vscode.TreeItem {
    if (node.kind === 'checkpoint') {
      return toTreeItem(checkpointItemModel(node.run.id, node.checkpoint, probeOf(node.run.status?.probes, node.checkpoint)));
    }
    const first = this.registry.runs[0]?.id === node.run.id;
    const model = runItemModel(node.run, undefined, this.registry.isLive(node.run.id));
    return toTreeItem(model, first ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
  }

  dispose(): void {
    this.sub.dispose();
    this.changed.dispose();
  }
}
