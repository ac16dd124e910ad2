/**
 * "Start SupCon Run": a first pick of three (run with the last settings, a
 * one-minute quick check, or Customize…), and Customize's stepwise wizard
 * with Back, a name and seed step, and the run's estimated length before it
 * starts. A dataset folder is checked as soon as it is picked.
 */
import * as vscode from 'vscode';
import { ConfigError, DATASET_KINDS_WITH_PATH, RunConfig } from '../../protocol/config';
import { datasetFolderProblem } from '../../protocol/datasetFiles';
import { backendOverride } from '../launch/trainerLaunch';
import { Answer, BACK, inputValue, pickOne, Step } from './quickInput';
import {
  choicesSummary,
  choicesToOverrides,
  configFromOverrides,
  DATASETS,
  defaultChoices,
  ENCODERS,
  initialChoices,
  LAST_CHOICES_KEY,
  METHODS,
  QUICK_CHECK,
  RunChoices,
  runSizeOf,
  validateField,
} from './runChoices';
import { estimateRun, Throughput } from './runEstimate';
import { defaultRunName } from './runName';

const TITLE = 'Start SupCon Run';

/** What the wizard needs from the host. */
export interface StartContext {
  state: vscode.Memento;
  /** The user's supconLab.defaults (dotted fields, as the command line takes them) and backend setting. */
  defaults: Record<string, string>;
  backend: string;
  /** The recorded speed for an encoder under the current backend setting. */
  throughput: (encoder: string) => Throughput | undefined;
}

/** What to start: the trainer's config overrides and a title for the notification. */
export interface StartRequest {
  overrides: Record<string, string>;
  title: string;
}

/** A start on offer: the trainer's overrides and the config they resolve to (resolved once, as the trainer will), or the problem that stops it. */
type Offer = { overrides: Record<string, string>; config: RunConfig } | { overrides: Record<string, string>; problem: string };

function offer(overrides: Record<string, string>): Offer {
  try {
    return { overrides, config: configFromOverrides(overrides) };
  } catch (e) {
    return { overrides, problem: configProblem(e) };
  }
}

/** The run's estimated length, or the problem with its config. */
function estimateText(ctx: StartContext, o: Offer): string {
  return 'config' in o ? estimateRun(runSizeOf(o.config), ctx.throughput(o.config.encoder)).text : o.problem;
}

/** What to start, when its config is valid; else the problem is shown and nothing starts. */
function request(o: Offer, title: string): StartRequest | undefined {
  if ('config' in o) return { overrides: o.overrides, title };
  void vscode.window.showErrorMessage(o.problem);
  return undefined;
}

/** The first pick; undefined when the user cancels. */
export async function askStart(ctx: StartContext): Promise<StartRequest | undefined> {
  const last = ctx.state.get<unknown>(LAST_CHOICES_KEY);
  const base = defaultChoices(ctx.defaults);
  const current = initialChoices(last, base);
  const quick = offer({ ...QUICK_CHECK, ...backendOverride(ctx.backend) });
  const again = offer(choicesToOverrides(current, ctx.defaults, ctx.backend));
  type Choice = 'last' | 'quick' | 'custom';
  const pick = await pickOne<Choice>({ title: TITLE }, 'How to start', [
    { label: `$(history) Run with ${last ? 'last' : 'default'} settings`, description: choicesSummary(current), detail: estimateText(ctx, again), value: 'last' },
    {
      label: '$(zap) Quick check (about 1 min)',
      description: 'SupCon on 2,000 Fashion-MNIST images, 1 epoch, then the linear probe',
      detail: estimateText(ctx, quick),
      value: 'quick',
    },
    { label: '$(settings-gear) Customize…', description: 'dataset, method, encoder, epochs, batch, views, temperature, seed, name', value: 'custom' },
  ]);
  if (pick === 'quick') return request(quick, 'quick check: supcon on fashion-mnist');
  if (pick === 'last') return request(again, `${current.name || current.method} on ${current.dataset.kind}`);
  if (pick !== 'custom') return undefined;
  const custom = await customize(ctx, current, base);
  if (!custom) return undefined;
  await ctx.state.update(LAST_CHOICES_KEY, custom.choices);
  return request(custom.offer, `${custom.choices.name} (${custom.choices.method} on ${custom.choices.dataset.kind})`);
}

type Outcome = 'next' | 'back' | 'cancel';
const outcome = <T>(a: Answer<T>, apply: (v: T) => void): Outcome => {
  if (a === BACK) return 'back';
  if (a === undefined) return 'cancel';
  apply(a);
  return 'next';
};

/** Customize…: the stepwise wizard, ending with the choices and the start they make. Undefined when cancelled. */
async function customize(ctx: StartContext, start: RunChoices, base: RunChoices): Promise<{ choices: RunChoices; offer: Offer } | undefined> {
  const c: RunChoices = { ...start, dataset: { ...start.dataset } };
  let confirmed: Offer | undefined;
  let nameTouched = !!c.name && c.name !== defaultRunName(c, base);
  const text = (field: 'epochs' | 'batchSize' | 'views' | 'temperature' | 'seed', prompt: string) => async (s: Step) =>
    outcome(await inputValue(s, prompt, String(c[field]), (t) => validateField(field, t)), (v) => (c[field] = Number(v)));

  const steps: { skip?: () => boolean; ask: (s: Step) => Promise<Outcome> }[] = [
    { ask: (s) => askDataset(s, c) },
    {
      ask: async (s) =>
        outcome(
          await pickOne(
            s,
            'Method',
            METHODS.map((m) => ({ label: m.label, description: m.value, detail: m.detail, value: m.value })),
            c.method,
          ),
          (v) => (c.method = v),
        ),
    },
    {
      ask: async (s) =>
        outcome(
          await pickOne(
            s,
            'Encoder',
            ENCODERS.map((e) => ({ label: e, value: e })),
            c.encoder,
          ),
          (v) => (c.encoder = v),
        ),
    },
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
    {
      ask: async (s) => {
        confirmed = offer(choicesToOverrides(c, ctx.defaults, ctx.backend));
        return confirm(s, ctx, c, confirmed);
      },
    },
  ];
  for (let i = 0; i < steps.length;) {
    if (steps[i].skip?.()) {
      i++;
      continue;
    }
    const r = await steps[i].ask({ title: TITLE, step: i + 1, totalSteps: steps.length, back: i > 0 });
    if (r === 'cancel') return undefined;
    if (r === 'next') i++;
    else
      do i--;
      while (i > 0 && steps[i].skip?.());
  }
  return confirmed && { choices: c, offer: confirmed };
}

/** Dataset kind, then its folder for kinds on disk, checked at once for the files it must hold. */
async function askDataset(s: Step, c: RunChoices): Promise<Outcome> {
  for (;;) {
    const kind = await pickOne(
      s,
      'Dataset',
      DATASETS.map((d) => ({ label: d.label, detail: d.detail, value: d.value })),
      c.dataset.kind,
    );
    if (kind === BACK || kind === undefined) return kind === BACK ? 'back' : 'cancel';
    if (!DATASET_KINDS_WITH_PATH.includes(kind)) {
      c.dataset.kind = kind;
      return 'next';
    }
    const picked = await vscode.window.showOpenDialog({ title: `${TITLE}: ${kind} folder`, canSelectFolders: true, canSelectFiles: false, openLabel: 'Use Dataset' });
    if (!picked?.[0]) continue; // back to the dataset pick
    const problem = datasetFolderProblem(kind, picked[0].fsPath);
    if (problem) {
      void vscode.window.showWarningMessage(`SupCon: ${problem}`);
      continue;
    }
    c.dataset = { kind, path: picked[0].fsPath };
    return 'next';
  }
}

/** The last step: what will run and how long it should take; Start or Back. */
async function confirm(s: Step, ctx: StartContext, c: RunChoices, o: Offer): Promise<Outcome> {
  if (!('config' in o)) {
    void vscode.window.showErrorMessage(o.problem);
    return 'back';
  }
  const a = await pickOne(s, `Start ${c.name}?`, [{ label: '$(play) Start', description: estimateText(ctx, o), detail: choicesSummary(c), value: true }], true);
  return outcome(a, () => {});
}

/** A short message for a config problem, naming the field. */
function configProblem(e: unknown): string {
  return e instanceof ConfigError ? `SupCon: invalid config, ${e.message}` : `SupCon: ${(e as Error)?.message ?? e}`;
}
