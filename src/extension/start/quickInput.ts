/** One step of a guided input: a pick or a typed value, pre-filled; Back returns BACK, Escape cancels (undefined). */
import * as vscode from 'vscode';

export interface Step {
  title: string;
  step?: number;
  totalSteps?: number;
  /** Show a Back button (every step but the first). */
  back?: boolean;
}

export const BACK = Symbol('back');
export type Answer<T> = T | typeof BACK | undefined;

/** Shows `input`, resolves once with the first of accept, Back or hide. */
function run<T>(input: vscode.QuickPick<vscode.QuickPickItem> | vscode.InputBox, s: Step, onAccept: (finish: (v: Answer<T>) => void) => void): Promise<Answer<T>> {
  return new Promise((resolve) => {
    const { back, ...rest } = s;
    Object.assign(input, rest, { ignoreFocusOut: true, buttons: back ? [vscode.QuickInputButtons.Back] : [] });
    let done = false;
    const finish = (v: Answer<T>) => {
      if (done) return;
      done = true;
      resolve(v);
      input.dispose();
    };
    input.onDidTriggerButton((b) => b === vscode.QuickInputButtons.Back && finish(BACK));
    input.onDidAccept(() => onAccept(finish));
    input.onDidHide(() => finish(undefined));
    input.show();
  });
}

export function pickOne<T>(s: Step, placeholder: string, items: (vscode.QuickPickItem & { value: T })[], current?: T): Promise<Answer<T>> {
  const qp = vscode.window.createQuickPick<vscode.QuickPickItem & { value: T }>();
  Object.assign(qp, { placeholder, items });
  const active = items.find((i) => i.value === current);
  if (active) qp.activeItems = [active];
  return run<T>(qp as vscode.QuickPick<vscode.QuickPickItem>, s, (finish) => finish((qp.selectedItems[0] ?? qp.activeItems[0])?.value));
}

export function inputValue(s: Step, prompt: string, value: string, validate: (text: string) => string | undefined): Promise<Answer<string>> {
  const box = vscode.window.createInputBox();
  Object.assign(box, { prompt, value });
  box.onDidChangeValue((text) => (box.validationMessage = validate(text)));
  return run<string>(box, s, (finish) => {
    const problem = validate(box.value);
    if (problem) box.validationMessage = problem;
    else finish(box.value.trim());
  });
}
