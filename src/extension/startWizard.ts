/** "Start SupCon Run": a short guided pick of the main choices, pre-filled with the last ones. */
import * as vscode from 'vscode';
import { ConfigError } from '../protocol/config';
import { inputValue, pickOne } from './quickInput';
import { DATASETS, ENCODERS, initialChoices, METHODS, RunChoices, validateNumber } from './runChoices';
import { runDefaults } from './settings';

const LAST_CHOICES = 'supconLab.lastChoices';
const TITLE = 'Start SupCon Run';
const TOTAL = 7;

/** Asks for the choices; undefined when the user cancels. Remembers them in workspace state. */
export async function askRunChoices(state: vscode.Memento): Promise<RunChoices | undefined> {
  const c = initialChoices(state.get(LAST_CHOICES), runDefaults());
  const step = (n: number) => ({ title: TITLE, step: n, totalSteps: TOTAL });

  const kind = await pickOne(step(1), 'Dataset', DATASETS.map((d) => ({ label: d.label, detail: d.detail, value: d.value })), c.datasetKind);
  if (!kind) return undefined;
  c.datasetKind = kind;
  const needsPath = DATASETS.find((d) => d.value === kind)?.needsPath;
  if (needsPath) {
    const picked = await vscode.window.showOpenDialog({ title: `${TITLE}: dataset location`, canSelectFolders: true, canSelectFiles: false, openLabel: 'Use Dataset' });
    if (!picked?.[0]) return undefined;
    c.datasetPath = picked[0].fsPath;
  }

  const method = await pickOne(step(2), 'Method', METHODS.map((m) => ({ label: m.label, description: m.value, detail: m.detail, value: m.value })), c.method);
  if (!method) return undefined;
  c.method = method;

  const encoder = await pickOne(step(3), 'Encoder', ENCODERS.map((e) => ({ label: e, value: e })), c.encoder);
  if (!encoder) return undefined;
  c.encoder = encoder;

  const numbers: [keyof RunChoices & ('epochs' | 'batchSize' | 'views' | 'temperature'), string][] = [
    ['epochs', 'Pretraining epochs'],
    ['batchSize', 'Batch size (images per step)'],
    ['views', 'Augmented views per image'],
    ['temperature', 'Temperature T of the contrastive loss'],
  ];
  for (const [i, [field, prompt]] of numbers.entries()) {
    if (field === 'temperature' && c.method === 'ce') continue;
    const v = await inputValue(step(4 + i), prompt, String(c[field]), (t) => validateNumber(field, t));
    if (v === undefined) return undefined;
    c[field] = Number(v);
  }
  await state.update(LAST_CHOICES, c);
  return c;
}

/** A short message for a config problem, naming the field. */
export function configProblem(e: unknown): string {
  return e instanceof ConfigError ? `SupCon: invalid config, ${e.message}` : `SupCon: ${(e as Error)?.message ?? e}`;
}
