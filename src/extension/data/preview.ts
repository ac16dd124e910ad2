/** "Preview Augmented Views": runs the trainer's `preview` and shows the PNG in the dashboard's Augmentations tab. */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DashboardTab, HostMessage } from '../../protocol/dashboard';
import { isRunConfigDocument } from '../config/configDiagnostics';
import { guard, output } from '../output';
import { choicesToOverrides, defaultChoices, initialChoices, LAST_CHOICES_KEY } from '../start/runChoices';
import type { RunLauncher } from '../launch/runLauncher';
import { backendSetting, runDefaults } from '../settings';
import { TrainerExit, TrainerProcess } from '../launch/trainerProcess';

export type PreviewMessage = Extract<HostMessage, { type: 'preview' }>;

export interface PreviewDeps {
  context: vscode.ExtensionContext;
  launcher: RunLauncher;
  openDashboard: (runIds: string[], tab?: DashboardTab) => void;
}

const ROWS = 8;

/** The preview's arguments: the open *.supcon.json (in a trusted workspace), else the last guided choices. */
function previewSource(deps: PreviewDeps): { args: string[]; what: string } {
  const doc = vscode.window.activeTextEditor?.document;
  if (doc && isRunConfigDocument(doc) && vscode.workspace.isTrusted) {
    return { args: ['--config', doc.uri.fsPath], what: path.basename(doc.uri.fsPath) };
  }
  const defaults = runDefaults();
  const c = initialChoices(deps.context.workspaceState.get(LAST_CHOICES_KEY), defaultChoices(defaults));
  const overrides = choicesToOverrides(c, defaults, backendSetting());
  return { args: Object.entries(overrides).flatMap(([k, v]) => [`--${k}`, v]), what: `${c.dataset.kind} with ${c.views} views` };
}

export function runPreview(deps: PreviewDeps, show: (m: PreviewMessage) => void): void {
  const { args, what } = previewSource(deps);
  const out = path.join(os.tmpdir(), `supcon-preview-${crypto.randomBytes(4).toString('hex')}.png`);
  deps.openDashboard([], 'preview');
  show({ type: 'preview', status: 'loading', caption: `Drawing augmented views of ${what}…` });
  const proc = new TrainerProcess(['preview', ...args, '--out', out, '--count', String(ROWS)]);
  proc.on('log', (_s, text) => output().info(`[preview] ${text.trimEnd()}`));
  proc.on(
    'exit',
    guard('preview finished', (x: TrainerExit) => {
      if (x.code === 0 && fs.existsSync(out)) {
        const image = `data:image/png;base64,${fs.readFileSync(out).toString('base64')}`;
        fs.rmSync(out, { force: true });
        show({ type: 'preview', status: 'ready', image, caption: `${what}: each row is an original image followed by its augmented views.` });
      } else {
        const why = x.spawnError ?? x.stderrTail.trim().split('\n').pop() ?? `exit code ${x.code}`;
        show({ type: 'preview', status: 'failed', caption: `The preview failed: ${why}` });
      }
    }),
  );
  proc.start(deps.launcher.launch());
}
