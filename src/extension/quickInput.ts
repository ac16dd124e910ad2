/** One step of a guided input: a pick or a typed value, pre-filled, Escape cancels. */
import * as vscode from 'vscode';

export interface Step {
  title: string;
  step: number;
  totalSteps: number;
}

export function pickOne<T>(s: Step, placeholder: string, items: (vscode.QuickPickItem & { value: T })[], current: T): Promise<T | undefined> {
  return new Promise((resolve) => {
    const qp = vscode.window.createQuickPick<vscode.QuickPickItem & { value: T }>();
    Object.assign(qp, s, { placeholder, items, ignoreFocusOut: true });
    const active = items.find((i) => i.value === current);
    if (active) qp.activeItems = [active];
    let done = false;
    qp.onDidAccept(() => {
      done = true;
      resolve(qp.selectedItems[0]?.value ?? qp.activeItems[0]?.value);
      qp.dispose();
    });
    qp.onDidHide(() => {
      if (!done) resolve(undefined);
      qp.dispose();
    });
    qp.show();
  });
}

export function inputValue(s: Step, prompt: string, value: string, validate: (text: string) => string | undefined): Promise<string | undefined> {
  return new Promise((resolve) => {
    const box = vscode.window.createInputBox();
    Object.assign(box, s, { prompt, value, ignoreFocusOut: true });
    let done = false;
    box.onDidChangeValue((text) => (box.validationMessage = validate(text)));
    box.onDidAccept(() => {
      const problem = validate(box.value);
      if (problem) {
        box.validationMessage = problem;
        return;
      }
      done = true;
      resolve(box.value.trim());
      box.dispose();
    });
    box.onDidHide(() => {
      if (!done) resolve(undefined);
      box.dispose();
    });
    box.show();
  });
}
