/**
 * The guided "Start SupCon Run" choices as plain data: the config fields the
 * wizard asks for, under the config's own names; where they start from; and
 * the one step from choices to the trainer's command line.
 */
import { backendOverride } from '../launch/trainerLaunch';
import type { RunSize } from './runEstimate';
import {
  applyOverrides,
  ConfigError,
  DATASET_KINDS_WITH_PATH,
  DatasetConfig,
  DatasetKind,
  ENCODER_NAMES,
  EncoderName,
  Method,
  resolveConfig,
  RunConfig,
} from '../../protocol/config';

/** What the guided start asks for: these fields of the run config. An empty name means the one derived from the others (runName.ts). */
export type RunChoices = Pick<RunConfig, 'method' | 'encoder' | 'epochs' | 'batchSize' | 'views' | 'temperature' | 'seed' | 'name'> & {
  dataset: Pick<DatasetConfig, 'kind' | 'path'>;
};

/** The workspace-state key of the last choices. */
export const LAST_CHOICES_KEY = 'supconLab.lastChoices';

/** The top-level fields of RunChoices, in the order they reach the command line. */
const FIELDS = ['method', 'encoder', 'epochs', 'batchSize', 'views', 'temperature', 'seed', 'name'] as const;

export const METHODS: { value: Method; label: string; detail: string }[] = [
  { value: 'supcon', label: 'SupCon', detail: 'Supervised contrastive loss L_out (Khosla et al., Eq. 2)' },
  { value: 'supcon-in', label: 'SupCon L_in', detail: 'The L_in variant (Eq. 3): log of the mean over positives' },
  { value: 'simclr', label: 'SimCLR', detail: 'Self-supervised: only the other views of an image are positives' },
  { value: 'ce', label: 'Cross-entropy', detail: 'Supervised baseline with a softmax classifier' },
];

/** How the wizard shows each dataset kind, and its full size where the kind fixes it. Which kinds read a folder: DATASET_KINDS_WITH_PATH. */
export const DATASETS: { value: DatasetKind; label: string; detail: string; size?: { train: number; test: number } }[] = [
  { value: 'fashion-mnist', label: 'Fashion-MNIST', detail: '70,000 28×28 grey clothing images, 10 classes (built in)', size: { train: 60_000, test: 10_000 } },
  { value: 'synthetic', label: 'Synthetic', detail: 'A tiny generated set for quick checks', size: { train: 600, test: 200 } },
  { value: 'cifar10', label: 'CIFAR-10…', detail: 'From the binary version on disk', size: { train: 50_000, test: 10_000 } },
  { value: 'cifar100', label: 'CIFAR-100…', detail: 'From the binary version on disk', size: { train: 50_000, test: 10_000 } },
  { value: 'idx', label: 'IDX files…', detail: 'MNIST-format image and label files' },
  { value: 'folder', label: 'Image folder…', detail: 'One sub-folder per class' },
];

export const ENCODERS: readonly EncoderName[] = ENCODER_NAMES;

/** The choices a config holds. */
export function choicesOf(config: RunConfig): RunChoices {
  const { dataset, method, encoder, epochs, batchSize, views, temperature, seed, name } = config;
  return { dataset: { kind: dataset.kind, path: dataset.path }, method, encoder, epochs, batchSize, views, temperature, seed, name };
}

/** The choices of the user's supconLab.defaults over the schema's defaults; the schema's alone when the settings do not resolve. */
export function defaultChoices(defaults: Record<string, string>): RunChoices {
  try {
    return choicesOf(configFromOverrides(defaults));
  } catch {
    return choicesOf(resolveConfig({}));
  }
}

/** Starting choices: the last ones used over `base` (defaultChoices); stale or hand-edited state falls back to `base`. */
export function initialChoices(last: unknown, base: RunChoices): RunChoices {
  if (typeof last !== 'object' || last === null) return base;
  const l = last as Partial<RunChoices>;
  const c: RunChoices = { ...base, dataset: { ...base.dataset, ...(typeof l.dataset === 'object' ? l.dataset : {}) } };
  for (const f of FIELDS) if (l[f] !== undefined) Object.assign(c, { [f]: l[f] });
  try {
    return choicesOf(configFromOverrides(choicesToOverrides(c, {})));
  } catch {
    return base;
  }
}

/**
 * Overrides for the trainer's command line: the user's supconLab.defaults
 * first, then the choices, then the backend setting. The one place where
 * the choices become the command line's text.
 */
export function choicesToOverrides(c: RunChoices, defaults: Record<string, string>, backend?: string): Record<string, string> {
  const o: Record<string, string> = { ...defaults, 'dataset.kind': c.dataset.kind };
  if (c.dataset.path && DATASET_KINDS_WITH_PATH.includes(c.dataset.kind)) o['dataset.path'] = c.dataset.path;
  else delete o['dataset.path'];
  for (const f of FIELDS) if (f !== 'name' || c.name) o[f] = String(c[f]);
  return { ...o, ...backendOverride(backend) };
}

/** The config the trainer will run, or the ConfigError naming the bad field. */
export function configFromOverrides(overrides: Record<string, string>, base: Record<string, unknown> = {}): RunConfig {
  return resolveConfig(applyOverrides(base, overrides));
}

/**
 * "Quick check (about 1 min)": SupCon on 2,000 Fashion-MNIST training images
 * for one epoch, then a 5-epoch probe on 2,000 test images; enough to see
 * every part of the pipeline work, not to judge a method.
 */
export const QUICK_CHECK: Record<string, string> = {
  name: 'quick-check',
  'dataset.kind': 'fashion-mnist',
  'dataset.trainLimit': '2000',
  'dataset.testLimit': '2000',
  method: 'supcon',
  epochs: '1',
  batchSize: '128',
  'probe.epochs': '5',
};

/** The images and steps a config will run on, where known before the data is read. */
export function runSizeOf(config: RunConfig): RunSize {
  const full = DATASETS.find((d) => d.value === config.dataset.kind)?.size;
  // A limit takes a subset; the synthetic set is generated at the limit's size.
  const count = (n: number | undefined, l: number): number | undefined => {
    if (l <= 0) return n;
    if (config.dataset.kind === 'synthetic') return l;
    return n === undefined ? undefined : Math.min(l, n);
  };
  return {
    trainImages: count(full?.train, config.dataset.trainLimit),
    testImages: count(full?.test, config.dataset.testLimit),
    epochs: config.epochs,
    batchSize: config.batchSize,
    views: config.views,
  };
}

/** One line naming a config's key settings: "supcon · fashion-mnist · convnet · 2 epochs · batch 256 · 2 views · T 0.1". */
export function choicesSummary(c: RunChoices): string {
  const parts = [c.method, c.dataset.kind, c.encoder, `${c.epochs} epoch${c.epochs === 1 ? '' : 's'}`, `batch ${c.batchSize}`, `${c.views} view${c.views === 1 ? '' : 's'}`];
  if (c.method !== 'ce') parts.push(`T ${c.temperature}`);
  return parts.join(' · ');
}

/** Input-box validation for a config field typed as text: undefined when valid, else the message naming the field. */
export function validateField(field: 'epochs' | 'batchSize' | 'views' | 'temperature' | 'seed' | 'name', text: string): string | undefined {
  try {
    resolveConfig(applyOverrides({}, { [field]: text.trim() }));
    return undefined;
  } catch (e) {
    return e instanceof ConfigError ? e.message : String(e);
  }
}
