/**
 * Every run in the runs directory plus the runs this window drives. Runs made
 * anywhere else (the CLI, another window) appear through a file watcher on
 * the runs directory; a slow poll waits for the directory to exist.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { isRunId, listRuns, readSummary, RunSummary } from '../../protocol/runFolder';
import type { LiveRun } from '../launch/liveRun';
import { guard } from '../output';
import { sortRuns } from './runPresentation';
import { affectsRunsDirectory, runsDirectory } from '../settings';

/** Live progress changes tree descriptions at most this often. */
const PROGRESS_MS = 1000;
const DEBOUNCE_MS = 150;

export class RunRegistry implements vscode.Disposable {
  private list: RunSummary[] = [];
  /** Runs this window drives, by run id. */
  readonly live = new Map<string, LiveRun>();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private watcher?: vscode.FileSystemWatcher;
  private waitForDir?: NodeJS.Timeout;
  private dirty = new Set<string>();
  private debounce?: NodeJS.Timeout;
  private progressTimer?: NodeJS.Timeout;
  private readonly disposables: vscode.Disposable[] = [];
  dir?: string;

  constructor() {
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration(
        guard('runs directory setting', (e: vscode.ConfigurationChangeEvent) => {
          if (affectsRunsDirectory(e)) this.setDir(runsDirectory());
        }),
      ),
    );
    this.setDir(runsDirectory());
  }

  get runs(): readonly RunSummary[] {
    return this.list;
  }

  find(id: string): RunSummary | undefined {
    return this.list.find((r) => r.id === id);
  }

  isLive(id: string): boolean {
    return this.live.has(id);
  }

  /** Call before spawning a trainer into the directory, so the watcher exists when it writes. */
  ensureDir(): string | undefined {
    if (!this.dir) return undefined;
    fs.mkdirSync(this.dir, { recursive: true });
    if (!this.watcher) this.watch();
    return this.dir;
  }

  track(run: LiveRun): void {
    const add = (id: string) => {
      for (const [k, v] of this.live) if (v === run && k !== id) this.live.delete(k);
      this.live.set(id, run);
      this.touch(id);
    };
    if (run.runId) add(run.runId);
    run.on('identified', add);
    run.on('event', (e) => {
      if (e.type === 'step' || e.type === 'epoch') this.progressChanged();
      else if (run.runId && e.type !== 'log') this.touch(run.runId);
    });
    run.once('exit', () => {
      if (run.runId && this.live.get(run.runId) === run) this.live.delete(run.runId);
      if (run.runId) this.touch(run.runId);
      else this.changed.fire();
    });
  }

  refresh(): void {
    this.list = this.dir ? listRuns(this.dir) : [];
    this.changed.fire();
  }

  /** Re-reads one run soon (several notices for one run collapse into one read). */
  touch(id: string): void {
    this.dirty.add(id);
    this.debounce ??= setTimeout(
      guard('refresh runs', () => this.flushDirty()),
      DEBOUNCE_MS,
    );
  }

  private flushDirty(): void {
    this.debounce = undefined;
    const dir = this.dir;
    if (!dir) return;
    const ids = [...this.dirty];
    this.dirty.clear();
    const byId = new Map(this.list.map((r) => [r.id, r]));
    for (const id of ids) {
      if (fs.existsSync(path.join(dir, id))) byId.set(id, readSummary(dir, id));
      else byId.delete(id);
    }
    this.list = sortRuns([...byId.values()]);
    this.changed.fire();
  }

  private progressChanged(): void {
    this.progressTimer ??= setTimeout(() => {
      this.progressTimer = undefined;
      this.changed.fire();
    }, PROGRESS_MS);
  }

  private setDir(dir: string | undefined): void {
    this.watcher?.dispose();
    this.watcher = undefined;
    clearInterval(this.waitForDir);
    this.dir = dir;
    if (dir && fs.existsSync(dir)) this.watch();
    else if (dir)
      this.waitForDir = setInterval(
        guard('wait for runs directory', () => fs.existsSync(dir) && this.watch()),
        3000,
      );
    this.refresh();
  }

  private watch(): void {
    clearInterval(this.waitForDir);
    const dir = this.dir!;
    const pattern = new vscode.RelativePattern(vscode.Uri.file(dir), '{*,*/status.json,*/config.json,*/checkpoints/*/manifest.json}');
    const w = vscode.workspace.createFileSystemWatcher(pattern);
    const onUri = guard('runs watcher', (uri: vscode.Uri) => {
      const id = path.relative(dir, uri.fsPath).split(path.sep)[0];
      if (id && isRunId(id)) this.touch(id);
    });
    w.onDidCreate(onUri);
    w.onDidChange(onUri);
    w.onDidDelete(onUri);
    this.watcher = w;
    this.refresh();
  }

  dispose(): void {
    this.watcher?.dispose();
    clearInterval(this.waitForDir);
    clearTimeout(this.debounce);
    clearTimeout(this.progressTimer);
    this.changed.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
