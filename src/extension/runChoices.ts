/**
 * The guided "Start SupCon Run" choices as plain data: their defaults, how
 * each one becomes a config override, and the validation of typed numbers.
 */
import { applyOverrides, ConfigError, DatasetKind, Method, resolveConfig, RunConfig, runConfigSchema } from '../protocol/config';

export interface RunChoices {
  datasetKind: DatasetKind;
  datasetPath?: string;
  method: Method;
  encoder: string;
  epochs: number;
  batchSize: number;
  views: number;
  temperature: number;
}

export const METHODS: { value: Method; label: string; detail: string }[] = [
  { value: 'supcon', label: 'SupCon', detail: 'Supervised contrastive loss L_out (Khosla et al., Eq. 2)' },
  { value: 'supcon-in', label: 'SupCon L_in', detail: 'The L_in variant (Eq. 3): log of the mean over positives' },
  { value: 'simclr', label: 'SimCLR', detail: 'Self-supervised: only the other views of an image are positives' },
  { value: 'ce', label: 'Cross-entropy', detail: 'Supervised baseline with a softmax classifier' },
];

export const DATASETS: { value: DatasetKind; label: string; detail: string; needsPath?: 'file' | 'folder' }[] = [
  { value: 'fashion-mnist', label: 'Fashion-MNIST', detail: '70,000 28×28 grey clothing images, 10 classes (built in)' },
  { value: 'synthetic', label: 'Synthetic', detail: 'A tiny generated set for quick checks' },
  { value: 'cifar10', label: 'CIFAR-10…', detail: 'From the binary version on disk', needsPath: 'folder' },
  { value: 'cifar100', label: 'CIFAR-100…', detail: 'From the binary version on disk', needsPath: 'folder' },
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
  if (backend && backend !== 'auto') o.backend = backend;
  return o;
}

/** The config the trainer will run, or the ConfigError naming the bad field. */
export function configFromOverrides(overrides: Record<string, string>, base: Record<string, unknown> = {}): RunConfig {
  return resolveConfig(applyOverrides(base, overrides));
}

/** Input-box validation for a numeric config field: undefined when valid, else the message. */
export function validateNumber(field: 'epochs' | 'batchSize' | 'views' | 'temperature', text: string): string | undefined {
  try {
    resolveConfig(applyOverrides({}, { [field]: text.trim() }));
    return undefined;
  } catch (e) {
    return e instanceof ConfigError ? e.message : String(e);
  }
}
