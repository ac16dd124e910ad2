/**
 * The guided "Start SupCon Run" choices as plain data: their defaults, how
 * each one becomes a config override, and the validation of typed numbers.
 */
import type { RunSize } from './runEstimate';
import { applyOverrides, ConfigError, DatasetKind, Method, resolveConfig, RunConfig, runConfigSchema } from '../../protocol/config';

export interface RunChoices {
  datasetKind: DatasetKind;
  datasetPath?: string;
  method: Method;
  encoder: string;
  epochs: number;
  batchSize: number;
  views: number;
  temperature: number;
  seed: number;
  /** The run's name; empty means the one derived from the choices (runName.ts). */
  name: string;
}

export const METHODS: { value: Method; label: string; detail: string }[] = [
  { value: 'supcon', label: 'SupCon', detail: 'Supervised contrastive loss L_out (Khosla et al., Eq. 2)' },
  { value: 'supcon-in', label: 'SupCon L_in', detail: 'The L_in variant (Eq. 3): log of the mean over positives' },
  { value: 'simclr', label: 'SimCLR', detail: 'Self-supervised: only the other views of an image are positives' },
  { value: 'ce', label: 'Cross-entropy', detail: 'Supervised baseline with a softmax classifier' },
];

export const DATASETS: { value: DatasetKind; label: string; detail: string; needsPath?: 'file' | 'folder'; size?: { train: number; test: number } }[] = [
  { value: 'fashion-mnist', label: 'Fashion-MNIST', detail: '70,000 28×28 grey clothing images, 10 classes (built in)', size: { train: 60_000, test: 10_000 } },
  { value: 'synthetic', label: 'Synthetic', detail: 'A tiny generated set for quick checks', size: { train: 600, test: 200 } },
  { value: 'cifar10', label: 'CIFAR-10…', detail: 'From the binary version on disk', needsPath: 'folder', size: { train: 50_000, test: 10_000 } },
  { value: 'cifar100', label: 'CIFAR-100…', detail: 'From the binary version on disk', needsPath: 'folder', size: { train: 50_000, test: 10_000 } },
  { value: 'idx', label: 'IDX files…', detail: 'MNIST-format image and label files', needsPath: 'folder' },
  { value: 'folder', label: 'Image folder…', detail: 'One sub-folder per class', needsPath: 'folder' },
];

const schemaDefault = (field: string): unknown => {
  let s: typeof runConfigSchema | undefined = runConfigSchema;
  for (const part of field.split('.')) s = s?.properties?.[part];
  return s?.default;
};

export const ENCODERS = (runConfigSchema.properties!.encoder.enum ?? []) as string[];

/** Starting choices: the last ones used, else the user's supconLab.defaults, else the schema's defaults. */
export function initialChoices(last: unknown, defaults: Record<string, unknown>): RunChoices {
  const pick = <T>(field: string, key: keyof RunChoices): T => {
    const l = typeof last === 'object' && last !== null ? (last as Record<string, unknown>)[key] : undefined;
    return (l ?? defaults[field] ?? schemaDefault(field)) as T;
  };
  const c: RunChoices = {
    datasetKind: pick('dataset.kind', 'datasetKind'),
    datasetPath: pick('dataset.path', 'datasetPath'),
    method: pick('method', 'method'),
    encoder: pick('encoder', 'encoder'),
    epochs: pick('epochs', 'epochs'),
    batchSize: pick('batchSize', 'batchSize'),
    views: pick('views', 'views'),
    temperature: pick('temperature', 'temperature'),
    seed: pick('seed', 'seed'),
    name: pick('name', 'name') ?? '',
  };
  try {
    resolveConfig(applyOverrides({}, choicesToOverrides(c, {})));
    return c;
  } catch {
    return initialChoices(undefined, {}); // stale or hand-edited state: fall back to defaults
  }
}

/**
 * Overrides for the trainer's command line: the user's supconLab.defaults
 * first, then the choices, then the backend setting.
 */
export function choicesToOverrides(c: RunChoices, defaults: Record<string, unknown>, backend?: string): Record<string, string> {
  const o: Record<string, string> = {};
  for (const [field, v] of Object.entries(defaults)) o[field] = String(v);
  o['dataset.kind'] = c.datasetKind;
  if (c.datasetPath && DATASETS.find((d) => d.value === c.datasetKind)?.needsPath) o['dataset.path'] = c.datasetPath;
  else delete o['dataset.path'];
  o.method = c.method;
  o.encoder = c.encoder;
  o.epochs = String(c.epochs);
  o.batchSize = String(c.batchSize);
  o.views = String(c.views);
  o.temperature = String(c.temperature);
  o.seed = String(c.seed);
  if (c.name) o.name = c.name;
  if (backend && backend !== 'auto') o.backend = backend;
  return o;
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
  name: 'quick-check', 'dataset.kind': 'fashion-mnist', 'dataset.trainLimit': '2000', 'dataset.testLimit': '2000',
  method: 'supcon', epochs: '1', batchSize: '128', 'probe.epochs': '5',
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
    epochs: config.epochs, batchSize: config.batchSize, views: config.views,
  };
}

/** One line naming a config's key settings: "supcon · fashion-mnist · convnet · 2 epochs · batch 256 · 2 views · T 0.1". */
export function choicesSummary(c: RunChoices): string {
  const parts = [c.method, c.datasetKind, c.encoder, `${c.epochs} epoch${c.epochs === 1 ? '' : 's'}`, `batch ${c.batchSize}`, `${c.views} view${c.views === 1 ? '' : 's'}`];
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
