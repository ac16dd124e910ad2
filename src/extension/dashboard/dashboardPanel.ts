/**
 * The dashboard panel on the host side: one panel, restored after a reload by
 * its serializer. It feeds the selected runs' events to the webview (batched),
 * keeps its run list current, and acts on the webview's validated messages.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { DashboardTab, HostMessage, MapRequest, MAX_SELECTED, parseDashboardState, parseWebviewMessage, RunMeta, WebviewMessage } from '../../protocol/dashboard';
import type { TrainerEvent } from '../../protocol/messages';
import { dashboardHtml } from './dashboardHtml';
import type { EmbeddingMaps } from './embeddingMaps';
import { keepExistingRuns } from './dashboardSelection';
import { EventBatcher } from './eventBatcher';
import { guard, output } from '../output';
import { runDisplayName } from '../../protocol/runNaming';
import { runLabel } from '../runs/runPresentation';
import type { RunRegistry } from '../runs/runRegistry';
import { RunFeed } from './runFeed';
import { sweepResultsMessage } from '../sweeps/sweepResults';

export interface DashboardDeps {
  extensionUri: vscode.Uri;
  registry: RunRegistry;
  stopRun: (runId: string) => void;
  resumeRun: (runId: string) => void;
  maps: EmbeddingMaps;
}

/** The run list sent to the webview: the newest runs, plus whatever is selected. */
const LISTED = 200;

export class DashboardPanel implements vscode.Disposable {
  static readonly viewType = 'supconLab.dashboard';
  private static current?: DashboardPanel;

  private readonly feeds = new Map<string, RunFeed>();
  private readonly batcher = new EventBatcher((runId, events) => this.post({ type: 'events', runId, events, reset: false }));
  private readonly disposables: vscode.Disposable[] = [];
  private ready = false;
  private preview?: HostMessage;
  private pendingTab?: DashboardTab;
  /** The sweep folder whose results the Results tab shows. */
  private sweepDir?: string;

  /** Opens (or reveals) the dashboard; with run ids, shows those runs. */
  static show(deps: DashboardDeps, runIds?: string[], tab?: DashboardTab): DashboardPanel {
    const existing = DashboardPanel.current;
    if (existing) {
      existing.panel.reveal(undefined, true);
      if (runIds?.length) existing.select(runIds);
      if (tab) existing.showTab(tab);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(
      DashboardPanel.viewType,
      'SupCon Dashboard',
      { viewColumn: vscode.ViewColumn.Active, preserveFocus: true },
      DashboardPanel.options(deps.extensionUri),
    );
    const newest = deps.registry.runs[0]?.id;
    const d = new DashboardPanel(deps, panel, runIds?.length ? runIds : newest ? [newest] : []);
    if (tab) d.showTab(tab);
    return d;
  }

  /** Restores a panel from before a window reload, with its selection. */
  static revive(deps: DashboardDeps, panel: vscode.WebviewPanel, state: unknown): void {
    panel.webview.options = DashboardPanel.options(deps.extensionUri);
    DashboardPanel.current?.dispose();
    new DashboardPanel(deps, panel, parseDashboardState(state).selected);
  }

  private static options(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return {
      enableScripts: true,
      retainContextWhenHidden: true,
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
    };
  }

  private constructor(
    private readonly deps: DashboardDeps,
    readonly panel: vscode.WebviewPanel,
    private selected: string[],
  ) {
    DashboardPanel.current = this;
    const asUri = (...p: string[]) => panel.webview.asWebviewUri(vscode.Uri.joinPath(deps.extensionUri, ...p)).toString();
    panel.iconPath = { light: vscode.Uri.joinPath(deps.extensionUri, 'media', 'dashboard-light.svg'), dark: vscode.Uri.joinPath(deps.extensionUri, 'media', 'dashboard-dark.svg') };
    panel.webview.html = dashboardHtml({ cspSource: panel.webview.cspSource, scriptUri: asUri('dist', 'webview.js'), styleUri: asUri('dist', 'webview.css') });
    this.disposables.push(
      panel.webview.onDidReceiveMessage(guard('dashboard message', (raw: unknown) => this.onMessage(raw))),
      panel.onDidDispose(() => this.dispose()),
      deps.registry.onDidChange(guard('dashboard refresh', () => this.onRunsChanged())),
    );
  }

  select(runIds: string[]): void {
    this.selected = [...new Set(runIds)].slice(0, MAX_SELECTED);
    // The run list first: the webview labels a run's charts from it.
    this.postRuns();
    this.syncFeeds();
  }

  showTab(tab: DashboardTab): void {
    if (this.ready) this.post({ type: 'show', tab });
    else this.pendingTab = tab;
  }

  /** Shows a sweep's results in the Results tab; they follow its runs as they end. */
  showResults(sweepDir: string): void {
    this.sweepDir = sweepDir;
    this.postResults();
    this.showTab('results');
  }

  private postResults(): void {
    if (this.ready && this.sweepDir) this.post(sweepResultsMessage(this.sweepDir, this.deps.registry.runs));
  }

  setPreview(message: Extract<HostMessage, { type: 'preview' }>): void {
    this.preview = message;
    this.post(message);
  }

  private onMessage(raw: unknown): void {
    const msg = parseWebviewMessage(raw);
    if (!msg) {
      output().warn(`dashboard: ignored a malformed message: ${JSON.stringify(raw)?.slice(0, 200)}`);
      return;
    }
    this.handle(msg);
  }

  private handle(msg: WebviewMessage): void {
    switch (msg.type) {
      case 'ready':
        // A fresh page (first load or restore): send everything again.
        this.ready = true;
        for (const feed of this.feeds.values()) feed.dispose();
        this.feeds.clear();
        this.postRuns();
        this.syncFeeds();
        if (this.preview) this.post(this.preview);
        this.postResults();
        if (this.pendingTab) this.post({ type: 'show', tab: this.pendingTab });
        this.pendingTab = undefined;
        break;
      case 'select':
        this.select(msg.runIds);
        break;
      case 'stop':
        this.deps.stopRun(msg.runId);
        break;
      case 'resume':
        this.deps.resumeRun(msg.runId);
        break;
      case 'export':
        guard('export', () => this.export(msg.kind, msg.fileName, msg.data))();
        break;
      case 'map':
        void this.sendMap(msg);
        break;
      case 'error':
        output().warn(`dashboard: ${msg.message}`);
        break;
    }
  }

  private async sendMap({ runId, checkpoint, method }: MapRequest): Promise<void> {
    const dir = this.deps.registry.dir;
    if (!dir) return;
    const req = { runId, checkpoint, method };
    this.post({ type: 'map', status: 'loading', ...req });
    try {
      this.post({ type: 'map', status: 'ready', ...req, map: await this.deps.maps.get(path.join(dir, runId), req) });
    } catch (e) {
      this.post({ type: 'map', status: 'failed', ...req, error: (e as Error).message });
    }
  }

  private onRunsChanged(): void {
    const { registry } = this.deps;
    this.selected = keepExistingRuns(this.selected, registry.dir, (id) => registry.isLive(id));
    this.postRuns();
    this.postResults();
    this.syncFeeds();
  }

  /** One feed per selected run; a run that starts or stops being driven here gets a new one. */
  private syncFeeds(): void {
    if (!this.ready) return;
    const { registry } = this.deps;
    for (const [id, feed] of this.feeds) {
      if (!this.selected.includes(id) || feed.live !== registry.live.get(id)) {
        feed.dispose();
        this.feeds.delete(id);
        this.batcher.drop(id);
      }
    }
    for (const id of this.selected) {
      if (this.feeds.has(id) || !registry.dir) continue;
      const feed = new RunFeed(path.join(registry.dir, id), registry.live.get(id), (events, reset) => this.onFeed(id, events, reset));
      this.feeds.set(id, feed);
      feed.start();
    }
  }

  private onFeed(runId: string, events: TrainerEvent[], reset: boolean): void {
    if (reset) {
      this.batcher.drop(runId);
      this.post({ type: 'events', runId, events, reset: true });
    } else {
      for (const e of events) this.batcher.push(runId, e);
    }
  }

  private postRuns(): void {
    if (!this.ready) return;
    const { registry } = this.deps;
    const selected = new Set(this.selected);
    const runs: RunMeta[] = registry.runs
      .filter((r, i) => i < LISTED || selected.has(r.id))
      .map((r) => {
        const live = registry.live.get(r.id);
        return {
          id: r.id,
          label: runDisplayName(runLabel(r.id), live?.config ?? r.config),
          state: live ? 'running' : r.status?.state,
          config: selected.has(r.id) ? (live?.config ?? r.config) : undefined,
          backend: live?.backend ?? r.status?.backend,
          live: !!live,
        };
      });
    this.post({ type: 'runs', runs, selected: this.selected });
  }

  private async export(kind: 'csv' | 'png', fileName: string, data: string): Promise<void> {
    // the workspace root, where a researcher keeps results; the runs folder is hidden
    const base = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? this.deps.registry.dir ?? '';
    const target = await vscode.window.showSaveDialog({
      defaultUri: vscode.Uri.file(path.join(base, fileName)),
      filters: kind === 'csv' ? { CSV: ['csv'] } : { PNG: ['png'] },
      saveLabel: `Export ${kind.toUpperCase()}`,
    });
    if (!target) return;
    const bytes = kind === 'png' ? Buffer.from(data.slice(data.indexOf(',') + 1), 'base64') : Buffer.from(data, 'utf8');
    if (target.scheme === 'file') fs.writeFileSync(target.fsPath, bytes);
    else await vscode.workspace.fs.writeFile(target, bytes);
    void vscode.window.showInformationMessage(`Saved ${path.basename(target.fsPath)}.`);
  }

  private post(message: HostMessage): void {
    if (!this.ready) return;
    this.panel.webview.postMessage(message).then(undefined, (e) => output().warn(`dashboard: post failed: ${e}`));
  }

  dispose(): void {
    if (DashboardPanel.current === this) DashboardPanel.current = undefined;
    this.batcher.dispose();
    for (const feed of this.feeds.values()) feed.dispose();
    this.feeds.clear();
    for (const d of this.disposables) d.dispose();
    this.panel.dispose();
  }
}
