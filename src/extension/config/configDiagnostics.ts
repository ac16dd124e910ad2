/** Problems in open *.supcon.json files, as diagnostics that name the field: all of them, one each. */
import * as vscode from 'vscode';
import { checkConfigText } from './configCheck';
import { guard } from '../output';

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
    this.collection.set(
      doc.uri,
      result.problems.map((p) => {
        const d = new vscode.Diagnostic(new vscode.Range(doc.positionAt(p.range.start), doc.positionAt(p.range.end)), p.message, vscode.DiagnosticSeverity.Error);
        d.source = 'SupCon';
        if (p.field) d.code = p.field;
        return d;
      }),
    );
    return false;
  }

  dispose(): void {
    this.collection.dispose();
    this.subs.forEach((s) => s.dispose());
  }
}
