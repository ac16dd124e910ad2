/**
 * The one run-config schema. It validates configs before a run (trainer, CLI,
 * extension), fills defaults, and is written out as JSON Schema for editor
 * completion of `*.supcon.json` files (see scripts/build.mjs).
 */

export type Method = 'supcon' | 'supcon-in' | 'simclr' | 'ce';
export type EncoderName = 'convnet' | 'resnet18' | 'resnet50';
export type BackendChoice = 'auto' | 'gpu' | 'webgpu' | 'node' | 'wasm' | 'cpu';
export type DatasetKind = 'fashion-mnist' | 'synthetic' | 'cifar10' | 'cifar100' | 'idx' | 'folder';

/** Dataset kinds read from `dataset.path`; the others are built in or generated. */
export const DATASET_KINDS_WITH_PATH: readonly DatasetKind[] = ['cifar10', 'cifar100', 'idx', 'folder'];

/** The reference implementation's temperature and base temperature (HobbitLong/SupContrast). */
export const DEFAULT_TEMPERATURE = 0.1;
export const DEFAULT_BASE_TEMPERATURE = 0.07;

export interface DatasetConfig {
  kind: DatasetKind;
  /** File or folder for kinds read from disk. */
  path?: string;
  /** Use N training images, a class-balanced seeded subset (0 = all). */
  trainLimit: number;
  /** Use N test images, a class-balanced seeded subset (0 = all). */
  testLimit: number;
  /** Side length images are resized to (image folders). */
  imageSize: number;
  /** Test fraction for image folders without a test/ sub-folder. */
  testFraction: number;
  /** CIFAR-100 label granularity. */
  labels: 'fine' | 'coarse';
}

export interface AugmentConfig {
  minCropScale: number;
  flip: boolean;
  jitter: number;
  jitterProb: number;
  grayscaleProb: number;
}

export interface ProbeConfig {
  epochs: number;
  lr: number;
  batchSize: number;
}

export interface MonitorConfig {
  samples: number;
  bank: number;
  minRank: number;
}

export interface RunConfig {
  name: string;
  method: Method;
  dataset: DatasetConfig;
  encoder: EncoderName;
  epochs: number;
  batchSize: number;
  views: number;
  temperature: number;
  baseTemperature: number;
  lr: number;
  momentum: number;
  weightDecay: number;
  warmupEpochs: number;
  projectionDim: number;
  augment: AugmentConfig;
  probe: ProbeConfig;
  monitor: MonitorConfig;
  seed: number;
  backend: BackendChoice;
  /** Cores the wasm backend trains on, one data-parallel worker each (0 = every core). */
  threads: number;
  checkpointEvery: number;
}

type Schema = {
  type?: 'object' | 'string' | 'number' | 'integer' | 'boolean';
  description?: string;
  enum?: readonly (string | number | boolean)[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  pattern?: string;
  maxLength?: number;
  default?: unknown;
  properties?: Record<string, Schema>;
  required?: readonly string[];
  additionalProperties?: boolean;
};

const int = (minimum: number, maximum: number, def: number, description: string): Schema => ({
  type: 'integer', minimum, maximum, default: def, description,
});
const num = (minimum: number, maximum: number, def: number, description: string): Schema => ({
  type: 'number', minimum, maximum, default: def, description,
});

export const runConfigSchema: Schema = {
  type: 'object',
  description: 'A SupCon Lab run: pretraining method, data, encoder and optimisation, then a linear probe.',
  additionalProperties: false,
  properties: {
    $schema: { type: 'string' },
    name: {
      type: 'string', default: '', maxLength: 64, pattern: '^[A-Za-z0-9_.-]*$',
      description: 'Short label for the run, part of its folder name (letters, digits, _ . -).',
    },
    method: {
      type: 'string', enum: ['supcon', 'supcon-in', 'simclr', 'ce'], default: 'supcon',
      description: 'supcon: supervised contrastive L_out (Khosla et al. Eq. 2); supcon-in: L_in (Eq. 3); simclr: no labels; ce: cross-entropy baseline.',
    },
    dataset: {
      type: 'object',
      additionalProperties: false,
      description: 'Where the images come from.',
      properties: {
        kind: {
          type: 'string', enum: ['fashion-mnist', 'synthetic', 'cifar10', 'cifar100', 'idx', 'folder'], default: 'fashion-mnist',
          description: 'fashion-mnist is built in (offline); synthetic is a tiny generated set for tests; the others read `path`.',
        },
        path: { type: 'string', description: 'File or folder holding the dataset (cifar10, cifar100, idx, folder).' },
        trainLimit: int(0, 10_000_000, 0, 'Use N training images, a class-balanced seeded subset (0 = all).'),
        testLimit: int(0, 10_000_000, 0, 'Use N test images, a class-balanced seeded subset (0 = all).'),
        imageSize: int(8, 96, 32, 'Side length in pixels that folder images are resized to.'),
        testFraction: num(0.01, 0.9, 0.2, 'Test fraction for an image folder without test/.'),
        labels: { type: 'string', enum: ['fine', 'coarse'], default: 'fine', description: 'CIFAR-100 labels.' },
      },
    },
    encoder: {
      type: 'string', enum: ['convnet', 'resnet18', 'resnet50'], default: 'convnet',
      description: 'convnet: small 4-layer net sized for CPU runs; resnet18/resnet50: CIFAR-style ResNets.',
    },
    epochs: int(0, 10_000, 2, 'Pretraining epochs (0: probe the encoder at its random initialisation, the floor every method must beat).'),
    batchSize: int(2, 8192, 256, 'Images per step (each gives `views` augmented views).'),
    views: int(1, 8, 2, 'Augmented views per image.'),
    temperature: { type: 'number', minimum: 0.01, maximum: 10, default: DEFAULT_TEMPERATURE, description: 'Softmax temperature T of the contrastive loss (from 0.01: below it float32 logits lose the precision the loss needs).' },
    baseTemperature: { type: 'number', exclusiveMinimum: 0, maximum: 10, default: DEFAULT_BASE_TEMPERATURE, description: 'Loss is scaled by T / baseTemperature, as in the reference implementation.' },
    lr: { type: 'number', exclusiveMinimum: 0, maximum: 100, default: 0.05, description: 'Peak learning rate (SGD with momentum).' },
    momentum: num(0, 0.999, 0.9, 'SGD momentum.'),
    weightDecay: num(0, 0.1, 1e-4, 'L2 weight decay.'),
    warmupEpochs: num(0, 100, 0.1, 'Linear learning-rate warm-up before the cosine decay, in epochs.'),
    projectionDim: int(8, 2048, 128, 'Output size of the projection head.'),
    augment: {
      type: 'object',
      additionalProperties: false,
      description: 'How each view is drawn.',
      properties: {
        minCropScale: num(0.05, 1, 0.2, 'Smallest area fraction of a random resized crop.'),
        flip: { type: 'boolean', default: true, description: 'Random horizontal flip (turn off for digits and text).' },
        jitter: num(0, 1, 0.4, 'Colour jitter strength (brightness, contrast, saturation; hue is a quarter of it).'),
        jitterProb: num(0, 1, 0.8, 'Probability of colour jitter (colour images).'),
        grayscaleProb: num(0, 1, 0.2, 'Probability of random grayscale (colour images).'),
      },
    },
    probe: {
      type: 'object',
      additionalProperties: false,
      description: 'The linear probe trained on the frozen encoder.',
      properties: {
        epochs: int(1, 1000, 10, 'Probe epochs.'),
        lr: { type: 'number', exclusiveMinimum: 0, maximum: 100, default: 0.1, description: 'Probe learning rate.' },
        batchSize: int(1, 65_536, 512, 'Probe batch size; at most a tenth of the training images (rounded up), so each probe epoch has 10 steps; the value used is recorded with each probe result.'),
      },
    },
    monitor: {
      type: 'object',
      additionalProperties: false,
      description: 'Representation diagnostics after every epoch (kNN monitor, alignment, uniformity, collapse indicators, class similarity).',
      properties: {
        samples: int(0, 100_000, 2000, 'Test images measured, a fixed seeded subset (0 = no diagnostics).'),
        bank: int(1, 1_000_000, 5000, 'Training images in the kNN memory bank, a fixed seeded subset.'),
        minRank: num(1, 10_000, 2, 'Warn when the effective rank of the embeddings falls below this.'),
      },
    },
    seed: int(0, 4_294_967_295, 0, 'Seed for initialisation, data order and augmentation.'),
    backend: {
      type: 'string', enum: ['auto', 'gpu', 'webgpu', 'node', 'wasm', 'cpu'], default: 'auto',
      description: 'auto picks the fastest that loads: gpu (tfjs-node-gpu), webgpu on a real GPU, node, wasm, cpu.',
    },
    threads: int(0, 256, 0, 'CPU cores the wasm backend trains on, one data-parallel worker thread each (0 = every core; 1 = the single-thread step).'),
    checkpointEvery: int(0, 10_000, 1, 'Save a numbered checkpoint every k epochs (0 = only last and best).'),
  },
};

/** A config problem, naming the field as a dotted path. */
export class ConfigError extends Error {
  constructor(readonly field: string, message: string) {
    super(`${field || 'config'}: ${message}`);
    this.name = 'ConfigError';
  }
}

// JSON has no NaN or Infinity: name them rather than print null
const show = (v: unknown): string => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : JSON.stringify(v) ?? String(v));

function expected(s: Schema): string {
  if (s.enum) return `one of ${s.enum.map((e) => JSON.stringify(e)).join(', ')}`;
  if (s.type === 'integer' || s.type === 'number') {
    const kind = s.type === 'integer' ? 'an integer' : 'a number';
    const lo = s.exclusiveMinimum !== undefined ? `> ${s.exclusiveMinimum}` : s.minimum !== undefined ? `>= ${s.minimum}` : '';
    const hi = s.maximum !== undefined ? `<= ${s.maximum}` : '';
    return [kind, [lo, hi].filter(Boolean).join(' and ')].filter(Boolean).join(' ');
  }
  if (s.type === 'object') return 'an object';
  if (s.type === 'boolean') return 'true or false';
  return `a ${s.type}`;
}

/**
 * Checks `value` against `s`, pushing every problem found (in document order)
 * onto `problems`; a bad field takes its default so the rest is still checked.
 */
function check(value: unknown, s: Schema, field: string, problems: ConfigError[]): unknown {
  const fail = () => {
    problems.push(new ConfigError(field, `expected ${expected(s)}, got ${show(value)}`));
    return s.default;
  };
  if (s.type === 'object') {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      fail();
      value = {};
    }
    const obj = value as Record<string, unknown>;
    const props = s.properties ?? {};
    for (const key of Object.keys(obj)) {
      if (!(key in props)) {
        const known = Object.keys(props).filter((k) => k !== '$schema').join(', ');
        problems.push(new ConfigError(field ? `${field}.${key}` : key, `unknown field (known: ${known})`));
      }
    }
    const out: Record<string, unknown> = {};
    for (const [key, sub] of Object.entries(props)) {
      if (key === '$schema') continue;
      const path = field ? `${field}.${key}` : key;
      if (obj[key] === undefined) {
        if (sub.type === 'object') out[key] = check({}, sub, path, problems);
        else if (sub.default !== undefined) out[key] = sub.default;
        else if (s.required?.includes(key)) problems.push(new ConfigError(path, `is required (${expected(sub)})`));
      } else {
        out[key] = check(obj[key], sub, path, problems);
      }
    }
    return out;
  }
  if (s.enum) return s.enum.includes(value as string) ? value : fail();
  if (s.type === 'boolean') return typeof value === 'boolean' ? value : fail();
  if (s.type === 'string') {
    if (typeof value !== 'string') return fail();
    if (s.maxLength !== undefined && value.length > s.maxLength) {
      problems.push(new ConfigError(field, `at most ${s.maxLength} characters`));
      return s.default;
    }
    if (s.pattern && !new RegExp(s.pattern).test(value)) {
      problems.push(new ConfigError(field, `${show(value)} may hold only letters, digits, _ . and -`));
      return s.default;
    }
    return value;
  }
  // number or integer
  if (typeof value !== 'number' || !Number.isFinite(value)) return fail();
  if (s.type === 'integer' && !Number.isInteger(value)) return fail();
  if (s.minimum !== undefined && value < s.minimum) return fail();
  if (s.exclusiveMinimum !== undefined && value <= s.exclusiveMinimum) return fail();
  if (s.maximum !== undefined && value > s.maximum) return fail();
  return value;
}

/** Problems between fields, once each field is valid on its own. */
function crossFieldProblems(config: RunConfig): ConfigError[] {
  const problems: ConfigError[] = [];
  if (DATASET_KINDS_WITH_PATH.includes(config.dataset.kind) && !config.dataset.path) {
    problems.push(new ConfigError('dataset.path', `is required for dataset kind "${config.dataset.kind}"`));
  }
  if (config.name.includes('..')) {
    problems.push(new ConfigError('name', `${show(config.name)} must not contain ".." (it becomes part of a folder name)`));
  }
  if (config.method === 'simclr' && config.views === 1) {
    problems.push(new ConfigError('views', 'simclr needs at least 2 views: with 1 view no anchor has a positive'));
  }
  return problems;
}

/** Validates untrusted input and returns the full config with every default filled in; throws the first ConfigError. */
export function resolveConfig(input: unknown): RunConfig {
  const problems: ConfigError[] = [];
  const config = check(input ?? {}, runConfigSchema, '', problems) as RunConfig;
  const [first] = problems.length ? problems : crossFieldProblems(config);
  if (first) throw first;
  return config;
}

/** Every problem of a config at once, each naming its field (for editors); empty when it is valid. */
export function configProblems(input: unknown): ConfigError[] {
  const problems: ConfigError[] = [];
  const config = check(input ?? {}, runConfigSchema, '', problems) as RunConfig;
  return [...problems, ...crossFieldProblems(config)];
}

/**
 * The schema as a JSON Schema document for `jsonValidation`: types, values to
 * complete and hovers that give each field's range and default. It validates
 * nothing itself: SupCon Lab's own diagnostics report every problem once, in
 * the words the trainer uses, so the editor's schema warnings would only
 * repeat them.
 */
export function jsonSchemaDocument(): object {
  return { $schema: 'http://json-schema.org/draft-07/schema#', title: 'SupCon Lab run config', ...editorSchema(runConfigSchema) };
}

/** Hover text of a field: its description, then what is allowed and its default. */
export function fieldHover(s: Schema): string {
  const def = s.default !== undefined && s.default !== '' ? ` Default: \`${show(s.default)}\`.` : '';
  return `${s.description ?? ''}\n\nAllowed: ${expected(s)}.${def}`.trim();
}

function editorSchema(s: Schema): object {
  if (s.type === 'object') {
    const properties = Object.fromEntries(Object.entries(s.properties ?? {}).map(([k, sub]) => [k, k === '$schema' ? { type: 'string' } : editorSchema(sub)]));
    return { type: 'object', description: s.description, properties };
  }
  const examples = s.enum ?? (s.type === 'boolean' ? [true, false] : undefined);
  return { description: s.description, markdownDescription: fieldHover(s), default: s.default, ...(examples ? { examples } : {}) };
}

/**
 * Applies `--a.b value` style overrides to a plain config object, parsing
 * values by the schema's type for that field so errors name the field.
 */
export function applyOverrides(base: Record<string, unknown>, overrides: Record<string, string>): Record<string, unknown> {
  const out = structuredClone(base);
  for (const [field, raw] of Object.entries(overrides)) {
    const parts = field.split('.');
    let schema: Schema | undefined = runConfigSchema;
    let target = out;
    for (let i = 0; i < parts.length; i++) {
      schema = schema?.properties?.[parts[i]];
      if (!schema || parts[i] === '$schema') {
        throw new ConfigError(field, 'unknown field (see `supcon-lab train --help`)');
      }
      if (i < parts.length - 1) {
        if (schema.type !== 'object') throw new ConfigError(field, 'unknown field');
        target[parts[i]] ??= {};
        target = target[parts[i]] as Record<string, unknown>;
      }
    }
    target[parts[parts.length - 1]] = parseScalar(raw, schema!, field);
  }
  return out;
}

function parseScalar(raw: string, s: Schema, field: string): unknown {
  if (s.type === 'object') throw new ConfigError(field, 'is a group of fields: set its members, e.g. --' + field + '.' + Object.keys(s.properties ?? {})[0]);
  if (s.type === 'boolean') {
    if (raw === 'true' || raw === '') return true;
    if (raw === 'false') return false;
    throw new ConfigError(field, `expected true or false, got ${show(raw)}`);
  }
  if (s.type === 'number' || s.type === 'integer') {
    const v = Number(raw);
    if (raw.trim() === '' || Number.isNaN(v)) throw new ConfigError(field, `expected ${expected(s)}, got ${show(raw)}`);
    return v;
  }
  return raw;
}

/** Flat list of field paths with their descriptions, for --help. */
export function describeFields(s: Schema = runConfigSchema, prefix = ''): { field: string; help: string }[] {
  const rows: { field: string; help: string }[] = [];
  for (const [key, sub] of Object.entries(s.properties ?? {})) {
    if (key === '$schema') continue;
    const field = prefix ? `${prefix}.${key}` : key;
    if (sub.type === 'object') rows.push(...describeFields(sub, field));
    else rows.push({ field, help: `${sub.description ?? ''} [${expected(sub)}${sub.default !== undefined && sub.default !== '' ? `, default ${show(sub.default)}` : ''}]` });
  }
  return rows;
}
