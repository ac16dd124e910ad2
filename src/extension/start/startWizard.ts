/**
 * "Start SupCon Run": a first pick of three (run with the last settings, a
 * one-minute quick check, or Customize…), and Customize's stepwise wizard
 * with Back, a name and seed step, and the run's estimated length before it
 * starts. A dataset folder is checked as soon as it is picked.
 */
import * as vscode from 'vscode';
import { ConfigError } from '../../protocol/config';
import { datasetFolderProblem } from '../../protocol/datasetFiles';
import { Answer, BACK, inputValue, pickOne, Step } from './quickInput';
import {
  choicesSummary, choicesToOverrides, configFromOverrides, DATASETS, ENCODERS, initialChoices, METHODS, QUICK_CHECK, RunChoices, runSizeOf, validateField,
} from './runChoices';
import { estimateRun, Estimate, Throughput } from './runEstimate';
import { defaultRunName } from './runName';

const LAST_CHOICES = 'supconLab.lastChoices';
const TITLE = 'Start SupCon Run';

/** What the wizard needs from the host. */
export interface StartContext {
  state: vscode.Memento;
  /** The user's supconLab.defaults and backend setting. */
  defaults: Record<string, unknown>;
  backend: string;
  /** The recorded speed for an encoder under the current backend setting. */
  throughput: (encoder: string) => Throughput | undefined;
}

/** What to start: the trainer's config overrides and a title for the notification. */
export interface StartRequest {
  overrides: Record<string, string>;
  title: string;
}

/** The estimate of a run given its overrides; the config is valid by then. */
function estimateOf(ctx: StartContext, overrides: Record<string, string>): Estimate {
  const config = configFromOverrides(overrides);
  return estimateRun(runSizeOf(config), ctx.throughput(config.encoder));
}

/** The first pick; undefined when the user cancels. */
export async function askStart(ctx: StartContext): Promise<StartRequest | undefined> {
  const last = ctx.state.get<RunChoices>(LAST_CHOICES);
  const current = initialChoices(last, ctx.defaults);
  const quick = { ...QUICK_CHECK, ...(ctx.backend !== 'auto' ? { backend: ctx.backend } : {}) };
  const lastOverrides = choicesToOverrides(current, ctx.defaults, ctx.backend);
  let lastEstimate = '';
  try {
    lastEstimate = estimateOf(ctx, lastOverrides).text;
  } catch (e) {
    lastEstimate = configProblem(e);
  }
  type Choice = 'last' | 'quick' | 'custom';
  const pick = await pickOne<Choice>({ title: TITLE }, 'How to start', [
    { label: `$(history) Run with ${last ? 'last' : 'default'} settings`, description: choicesSummary(current), detail: lastEstimate, value: 'last' },
    { label: '$(zap) Quick check (about 1 min)', description: 'SupCon on 2,000 Fashion-MNIST images, 1 epoch, then the linear probe', detail: estimateOf(ctx, quick).text, value: 'quick' },
    { label: '$(settings-gear) Customize…', description: 'dataset, method, encoder, epochs, batch, views, temperature, seed, name', value: 'custom' },
  ]);
  if (pick === 'quick') return { overrides: quick, title: 'quick check: supcon on fashion-mnist' };
  if (pick === 'last') return { overrides: lastOverrides, title: `${current.name || current.method} on ${current.datasetKind}` };
  if (pick !== 'custom') return undefined;
  const c = await customize(ctx, current);
  if (!c) return undefined;
  await ctx.state.update(LAST_CHOICES, c);
  return { overrides: choicesToOverrides(c, ctx.defaults, ctx.backend), title: `${c.name} (${c.method} on ${c.datasetKind})` };
}

type Outcome = 'next' | 'back' | 'cancel';
const outcome = <T>(a: Answer<T>, apply: (v: T) => void): Outcome => {
  if (a === BACK) return 'back';
  if (a === undefined) return 'cancel';
  apply(a);
  return 'next';
};

/** Customize…: the stepwise wizard. Undefined when cancelled. */
async function customize(ctx: StartContext, start: RunChoices): Promise<RunChoices | undefined> {
  const c: RunChoices = { ...start };
  const base = initialChoices(undefined, ctx.defaults);
  let nameTouched = !!c.name && c.name !== defaultRunName(c, base);
  const text = (field: 'epochs' | 'batchSize' | 'views' | 'temperature' | 'seed', prompt: string) => async (s: Step) =>
    outcome(await inputValue(s, prompt, String(c[field]), (t) => validateField(field, t)), (v) => (c[field] = Number(v)));

  const steps: { skip?: () => boolean; ask: (s: Step) => Promise<Outcome> }[] = [
    { ask: (s) => askDataset(s, c) },
    { ask: async (s) => outcome(await pickOne(s, 'Method', METHODS.map((m) => ({ label: m.label, description: m.value, detail: m.detail, value: m.value })), c.method), (v) => (c.method = v)) },
    { ask: async (s) => outcome(await pickOne(s, 'Encoder', ENCODERS.map((e) => ({ label: e, value: e })), c.encoder), (v) => (c.encoder = v)) },
    { ask: text('epochs', 'Pretraining epochs') },
    { ask: text('batchSize', 'Batch size (images per step)') },
    { ask: text('views', 'Augmented views per image') },
    { skip: () => c.method === 'ce', ask: text('temperature', 'Temperature T of the contrastive loss') },
    { ask: text('seed', 'Seed (initialisation, data order, augmentation)') },
    {
      ask: async (s) => {
        const suggested = defaultRunName(c, base);
        const a = await inputValue(s, 'Run name (part of its folder name; letters, digits, _ . -)', nameTouched ? c.name : suggested, (t) => validateField('name', t));
        return outcome(a, (v) => {
          c.name = v || suggested;
          nameTouched = c.name !== suggested;
        });
      },
    },
    { ask: (s) => confirm(s, ctx, c) },
  ];
  for (let i = 0; i < steps.length; ) {
    if (steps[i].skip?.()) {
      i++;
      continue;
    }
    const r = await steps[i].ask({ title: TITLE, step: i + 1, totalSteps: steps.length, back: i > 0 });
    if (r === 'cancel') return undefined;
    if (r === 'next') i++;
    else do i--; while (i > 0 && steps[i].skip?.());
  }
  return c;
}

/** Dataset kind, then its folder for kinds on disk, checked at once for the files it must hold. */
async function askDataset(s: Step, c: RunChoices): Promise<Outcome> {
  for (;;) {
    const kind = await pickOne(s, 'Dataset', DATASETS.map((d) => ({ label: d.label, detail: d.detail, value: d.value })), c.datasetKind);
    if (kind === BACK || kind === undefined) return kind === BACK ? 'back' : 'cancel';
    if (!DATASETS.find((d) => d.value === kind)?.needsPath) {
      c.datasetKind = kind;
      return 'next';
    }
    const picked = await vscode.window.showOpenDialog({ title: `${TITLE}: ${kind} folder`, canSelectFolders: true, canSelectFiles: false, openLabel: 'Use Dataset' });
    if (!picked?.[0]) continue; // back to the dataset pick
    const problem = datasetFolderProblem(kind, picked[0].fsPath);
    if (problem) {
      void vscode.window.showWarningMessage(`SupCon: ${problem}`);
      continue;
    }
    c.datasetKind = kind;
    c.datasetPath = picked[0].fsPath;
    return 'next';
  }
}

/** The last step: what will run and how long it should take; Start or Back. */
async function confirm(s: Step, ctx: StartContext, c: RunChoices): Promise<Outcome> {
  let estimate: string;
  try {
    estimate = estimateOf(ctx, choicesToOverrides(c, ctx.defaults, ctx.backend)).text;
  } catch (e) {
    void vscode.window.showErrorMessage(configProblem(e));
    return 'back';
  }
  const a = await pickOne(s, `Start ${c.name}?`, [{ label: '$(play) Start', description: estimate, detail: choicesSummary(c), value: true }], true);
  return outcome(a, () => {});
}

/** A short message for a config problem, naming the field. */
export function configProblem(e: unknown): string {
  return e instanceof ConfigError ? `SupCon: invalid config, ${e.message}` : `SupCon: ${(e as Error)?.message ?? e}`;
}
