/** Problems in open *.supcon.json files, as diagnostics that name the field. */
import * as vscode from 'vscode';
import { checkConfigText } from './configCheck';
import { guard } from './output';

export const isRunConfigDocument = (doc: vscode.TextDocument): boolean => doc.uri.path.endsWith('.supcon.json');

export class ConfigDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('supcon');
  private readonly subs: vscode.Disposable[];

  constructor() {
    const check = guard('config diagnostics', (doc: vscode.TextDocument) => this.check(doc));
    this.subs = [
      vscode.workspace.onDidOpenTextDocument(check),
      vscode.workspace.onDidChangeTextDocument((e) => check(e.document)),
      vscode.workspace.onDidCloseTextDocument((doc) => this.collection.delete(doc.uri)),
    ];
    vscode.workspace.textDocuments.forEach(check);
  }

  /** Updates the document's diagnostics; true when it is a valid config. */
  check(doc: vscode.TextDocument): boolean {
    if (!isRunConfigDocument(doc)) return false;
    const result = checkConfigText(doc.getText());
    if (result.ok) {
      this.collection.delete(doc.uri);
      return true;
    }
    const range = new vscode.Range(doc.positionAt(result.range.start), doc.positionAt(result.range.end));
    const d = new vscode.Diagnostic(range, result.message, vscode.DiagnosticSeverity.Error);
    d.source = 'SupCon';
    if (result.field) d.code = result.field;
    this.collection.set(doc.uri, [d]);
    return false;
  }

  dispose(): void {
    this.collection.dispose();
    this.subs.forEach((s) => s.dispose());
  }
}
