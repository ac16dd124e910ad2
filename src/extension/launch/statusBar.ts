/** Status-bar item for the runs this window drives: epoch, loss, images/s; click opens the dashboard. */
import * as vscode from 'vscode';
import { LiveRun, progressParts } from './liveRun';
import type { RunRegistry } from '../runs/runRegistry';

function statusText(runs: readonly LiveRun[]): string {
  const r = runs[runs.length - 1];
  const head = `$(pulse) SupCon${runs.length > 1 ? ` (${runs.length} runs)` : ''}`;
  return [head, ...(r.job === 'probe' ? ['probe'] : []), ...progressParts(r.job, r.progress)].join(' · ');
}

export class RunStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('supconLab.run', vscode.StatusBarAlignment.Left, 50);
  private readonly sub: vscode.Disposable;

  constructor(private readonly registry: RunRegistry) {
    this.item.name = 'SupCon Run';
    this.sub = registry.onDidChange(() => this.update());
  }

  update(): void {
    const runs = [...new Set(this.registry.live.values())];
    if (!runs.length) {
      this.item.hide();
      return;
    }
    const newest = runs[runs.length - 1];
    this.item.text = statusText(runs);
    this.item.tooltip = new vscode.MarkdownString(
      runs.map((r) => `**${r.label}**${r.backend ? ` on ${r.backend.label}` : ''}`).join('  \n') + '  \n\nClick to open the dashboard.',
    );
    this.item.command = { command: 'supconLab.openDashboard', title: 'Open Dashboard', arguments: [newest.runId] };
    this.item.show();
  }

  dispose(): void {
    this.sub.dispose();
    this.item.dispose();
  }
}
