/** "Preview Augmented Views": the views the encoder will see, drawn by the trainer into the dashboard's Augmentations tab. */
import type * as vscode from 'vscode';
import { registerGuarded } from '../output';
import { PreviewDeps, PreviewMessage, runPreview } from './preview';

export function registerDataCommands(deps: PreviewDeps, show: (m: PreviewMessage) => void): vscode.Disposable[] {
  return registerGuarded({ 'supconLab.previewAugmentations': () => runPreview(deps, show) });
}
