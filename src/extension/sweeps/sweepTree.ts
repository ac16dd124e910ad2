/**
 * The Sweeps view: each sweep in the runs directory with its points, their
 * states, queue positions and probe top-1. It follows the run registry, and
 * polls every few seconds while a sweep is being driven (queue positions
 * change without any run folder changing).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { isPidAlive } from '../../protocol/runFolder';
import { PointState, readSweepState, sweepFiles, sweepsDir, SweepPoint } from '../../protocol/sweep';
import { LoadedSweep, loadSweepDir, PointStatus, pointStatuses } from '../../sweep/runner';
import { guard, output } from '../output';
import { pct, RUN_STATE_ICONS } from '../runs/runPresentation';
import type { RunRegistry } from '../runs/runRegistry';

const POLL_MS = 3000;

export type SweepNode =
  { kind: 'sweep'; dir: string; sweep: LoadedSweep; points: PointStatus[]; active: boolean } | { kind: 'point'; sweepDir: string; point: SweepPoint; status: PointStatus };

const ICONS: Record<PointState, { id: string; color?: string }> = {
  pending: { id: 'circle-outline', color: 'disabledForeground' },
  ...RUN_STATE_ICONS,
};

/** Whether a process on this machine drives the sweep now. */
export function sweepHolder(dir: string): number | undefined {
  try {
    const h = readSweepState(dir).holder;
    return h && h.host === os.hostname() && isPidAlive(h.pid) ? h.pid : undefined;
  } catch {
    return undefined;
  }
}

/** "views=2 epochs=4 equal-compute seed 1", or "floor (epochs 0) seed 1". */
export function pointLabel(p: SweepPoint): string {
  const what = p.config < 0 ? 'floor (epochs 0)' : [...Object.entries(p.values).map(([k, v]) => `${k}=${v}`), `epochs=${p.run.epochs}`, p.rules.join('+')].join(' ');
  return `${what} seed ${p.seed}`;
}

export class SweepTree implements vscode.TreeDataProvider<SweepNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<SweepNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly sub: vscode.Disposable;
  private timer?: NodeJS.Timeout;

  constructor(private readonly registry: RunRegistry) {
    this.sub = registry.onDidChange(() => this.refresh());
  }

  refresh(): void {
    this.changed.fire(undefined);
  }

  /** Sweep folders of the runs directory, newest first; one that cannot be read is logged and left out. */
  sweeps(): SweepNode[] {
    const dir = this.registry.dir;
    if (!dir) return [];
    let names: string[];
    try {
      names = fs.readdirSync(sweepsDir(dir)).filter((n) => fs.existsSync(sweepFiles(path.join(sweepsDir(dir), n)).spec));
    } catch {
      return [];
    }
    const nodes: SweepNode[] = [];
    for (const name of names) {
      const sweepDir = path.join(sweepsDir(dir), name);
      try {
        const sweep = loadSweepDir(sweepDir);
        nodes.push({ kind: 'sweep', dir: sweepDir, sweep, points: pointStatuses(dir, sweep, this.registry.runs), active: sweepHolder(sweepDir) !== undefined });
      } catch (e) {
        output().warn(`sweep ${sweepDir}: ${(e as Error).message}`);
      }
    }
    nodes.sort((a, b) => fs.statSync((b as { dir: string }).dir).mtimeMs - fs.statSync((a as { dir: string }).dir).mtimeMs);
    this.schedulePoll(nodes.some((n) => n.kind === 'sweep' && n.active));
    return nodes;
  }

  private schedulePoll(active: boolean): void {
    if (active && !this.timer)
      this.timer = setInterval(
        guard('sweeps poll', () => this.refresh()),
        POLL_MS,
      );
    if (!active && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  getChildren(node?: SweepNode): SweepNode[] {
    if (!node) return this.sweeps();
    if (node.kind === 'point') return [];
    const byId = new Map(node.sweep.points.map((p) => [p.id, p]));
    return node.points.map((status) => ({ kind: 'point', sweepDir: node.dir, point: byId.get(status.id)!, status }));
  }

  getTreeItem(node: SweepNode): vscode.TreeItem {
    if (node.kind === 'sweep') {
      const count = (s: PointState) => node.points.filter((p) => p.state === s).length;
      const parts = [
        `${count('completed')}/${node.points.length} done`,
        ...(['running', 'queued', 'failed', 'interrupted', 'stopped'] as const).filter((s) => count(s)).map((s) => `${count(s)} ${s}`),
      ];
      const item = new vscode.TreeItem(node.sweep.id, vscode.TreeItemCollapsibleState.Collapsed);
      item.id = `sweep:${node.dir}`;
      item.description = parts.join(', ');
      item.iconPath = new vscode.ThemeIcon(node.active ? 'sync~spin' : 'symbol-array');
      item.tooltip = `${node.dir}\nAxes: ${Object.keys(node.sweep.spec.axes).join(', ') || 'none'}; seeds ${node.sweep.spec.seeds.join(', ')}; budget ${node.sweep.spec.budget.rules.join(', ')}`;
      item.contextValue = `supconSweep${node.active ? ' active' : ''}`;
      item.command = { command: 'supconLab.openSweepResults', title: 'Open Results', arguments: [node] };
      return item;
    }
    const { status, point } = node;
    const item = new vscode.TreeItem(pointLabel(point), vscode.TreeItemCollapsibleState.None);
    item.id = `sweep:${node.sweepDir}:${point.id}`;
    const top1 = status.run?.status?.top1;
    item.description = [
      status.state === 'queued' && status.position !== undefined ? `queued #${status.position}` : status.state,
      typeof top1 === 'number' ? `top-1 ${pct(top1)}` : '',
    ]
      .filter(Boolean)
      .join(' · ');
    const icon = ICONS[status.state] ?? ICONS.pending;
    item.iconPath = new vscode.ThemeIcon(icon.id, icon.color ? new vscode.ThemeColor(icon.color) : undefined);
    item.tooltip = `${point.id}${status.run ? `\n${status.run.id}` : ''}`;
    item.contextValue = 'supconSweepPoint';
    if (status.run) item.command = { command: 'supconLab.openDashboard', title: 'Open Dashboard', arguments: [status.run.id] };
    return item;
  }

  dispose(): void {
    if (this.timer) clearInterval(this.timer);
    this.sub.dispose();
    this.changed.dispose();
  }
}
