/**
 * The one run-config schema, declared once with TypeBox: the TypeScript types
 * are derived from it (Static), it validates configs before a run (trainer,
 * CLI, extension) and fills defaults, and it is written out as JSON Schema for
 * editor completion of `*.supcon.json` files (see scripts/build.mjs).
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Errors, ValueErrorType, type ValueError } from '@sinclair/typebox/errors';
import { Create } from '@sinclair/typebox/value';

/** A string field that takes one of `values`. */
const oneOf = <const T extends string>(values: readonly T[], def: NoInfer<T>, description: string) =>
  Type.Union(
    values.map((v) => Type.Literal(v)),
    { default: def, description },
  );
const int = (minimum: number, maximum: number, def: number, description: string) => Type.Integer({ minimum, maximum, default: def, description });
const num = (minimum: number, maximum: number, def: number, description: string) => Type.Number({ minimum, maximum, default: def, description });
const positive = (maximum: number, def: number, description: string) => Type.Number({ exclusiveMinimum: 0, maximum, default: def, description });

export const METHODS = ['supcon', 'supcon-in', 'simclr', 'ce'] as const;
export const ENCODER_NAMES = ['convnet', 'resnet18', 'resnet50'] as const;
export const BACKEND_CHOICES = ['auto', 'gpu', 'webgpu', 'node', 'wasm', 'cpu'] as const;
export const DATASET_KINDS = ['fashion-mnist', 'synthetic', 'cifar10', 'cifar100', 'idx', 'folder'] as const;

/** Dataset kinds read from `dataset.path`; the others are built in or generated. */
export const DATASET_KINDS_WITH_PATH: readonly (typeof DATASET_KINDS)[number][] = ['cifar10', 'cifar100', 'idx', 'folder'];

/** The reference implementation's temperature and base temperature (HobbitLong/SupContrast). */
export const DEFAULT_TEMPERATURE = 0.1;
export const DEFAULT_BASE_TEMPERATURE = 0.07;

const DatasetSchema = Type.Object(
  {
    kind: oneOf(DATASET_KINDS, 'fashion-mnist', 'fashion-mnist is built in (offline); synthetic is a tiny generated set for tests; the others read `path`.'),
    path: Type.Optional(Type.String({ description: 'File or folder holding the dataset (cifar10, cifar100, idx, folder).' })),
    trainLimit: int(0, 10_000_000, 0, 'Use N training images, a class-balanced seeded subset (0 = all).'),
    testLimit: int(0, 10_000_000, 0, 'Use N test images, a class-balanced seeded subset (0 = all).'),
    imageSize: int(8, 96, 32, 'Side length in pixels that folder images are resized to.'),
    testFraction: num(0.01, 0.9, 0.2, 'Test fraction for an image folder without test/.'),
    labels: oneOf(['fine', 'coarse'], 'fine', 'CIFAR-100 labels.'),
  },
  { additionalProperties: false, description: 'Where the images come from.' },
);

const AugmentSchema = Type.Object(
  {
    minCropScale: num(0.05, 1, 0.2, 'Smallest area fraction of a random resized crop.'),
    flip: Type.Boolean({ default: true, description: 'Random horizontal flip (turn off for digits and text).' }),
    jitter: num(0, 1, 0.4, 'Colour jitter strength (brightness, contrast, saturation; hue is a quarter of it).'),
    jitterProb: num(0, 1, 0.8, 'Probability of colour jitter (colour images).'),
    grayscaleProb: num(0, 1, 0.2, 'Probability of random grayscale (colour images).'),
  },
  { additionalProperties: false, description: 'How each view is drawn.' },
);

const ProbeSchema = Type.Object(
  {
    epochs: int(1, 1000, 10, 'Probe epochs.'),
    lr: positive(100, 0.1, 'Probe learning rate.'),
    batchSize: int(
      1,
      65_536,
      512,
      'Probe batch size; at most a tenth of the training images (rounded up), so each probe epoch has 10 steps; the value used is recorded with each probe result.',
    ),
  },
  { additionalProperties: false, description: 'The linear probe trained on the frozen encoder.' },
);

const MonitorSchema = Type.Object(
  {
    samples: int(0, 100_000, 2000, 'Test images measured, a fixed seeded subset (0 = no diagnostics).'),
    bank: int(1, 1_000_000, 5000, 'Training images in the kNN memory bank, a fixed seeded subset.'),
    minRank: num(1, 10_000, 2, 'Warn when the effective rank of the embeddings falls below this.'),
  },
  {
    additionalProperties: false,
    description: 'Representation diagnostics after every epoch (kNN monitor, alignment, uniformity, collapse indicators, class similarity).',
  },
);

export const RunConfigSchema = Type.Object(
  {
    name: Type.String({
      default: '',
      maxLength: 64,
      pattern: '^[A-Za-z0-9_.-]*$',
      patternMeans: 'may hold only letters, digits, _ . and -',
      description: 'Short label for the run, part of its folder name (letters, digits, _ . -).',
    }),
    method: oneOf(METHODS, 'supcon', 'supcon: supervised contrastive L_out (Khosla et al. Eq. 2); supcon-in: L_in (Eq. 3); simclr: no labels; ce: cross-entropy baseline.'),
    dataset: DatasetSchema,
    encoder: oneOf(ENCODER_NAMES, 'convnet', 'convnet: small 4-layer net sized for CPU runs; resnet18/resnet50: CIFAR-style ResNets.'),
    epochs: int(0, 10_000, 2, 'Pretraining epochs (0: probe the encoder at its random initialisation, the floor every method must beat).'),
    batchSize: int(2, 8192, 256, 'Images per step (each gives `views` augmented views).'),
    views: int(1, 8, 2, 'Augmented views per image.'),
    temperature: num(0.01, 10, DEFAULT_TEMPERATURE, 'Softmax temperature T of the contrastive loss (from 0.01: below it float32 logits lose the precision the loss needs).'),
    baseTemperature: positive(10, DEFAULT_BASE_TEMPERATURE, 'Loss is scaled by T / baseTemperature, as in the reference implementation.'),
    lr: positive(100, 0.05, 'Peak learning rate (SGD with momentum).'),
    momentum: num(0, 0.999, 0.9, 'SGD momentum.'),
    weightDecay: num(0, 0.1, 1e-4, 'L2 weight decay.'),
    warmupEpochs: num(0, 100, 0.1, 'Linear learning-rate warm-up before the cosine decay, in epochs.'),
    projectionDim: int(8, 2048, 128, 'Output size of the projection head.'),
    augment: AugmentSchema,
    probe: ProbeSchema,
    monitor: MonitorSchema,
    seed: int(0, 4_294_967_295, 0, 'Seed for initialisation, data order and augmentation.'),
    backend: oneOf(BACKEND_CHOICES, 'auto', 'auto picks the fastest that loads: gpu (tfjs-node-gpu), webgpu on a real GPU, node, wasm, cpu.'),
    threads: int(
      0,
      256,
      0,
      'CPU cores the wasm backend trains on, one data-parallel worker thread each (0 = every core the process may use, at most the CPUs of a Slurm task; 1 = the single-thread step).',
    ),
    checkpointEvery: int(0, 10_000, 1, 'Save a numbered checkpoint every k epochs (0 = only last and best).'),
  },
  { additionalProperties: false, description: 'A SupCon Lab run: pretraining method, data, encoder and optimisation, then a linear probe.' },
);

export type RunConfig = Static<typeof RunConfigSchema>;
export type DatasetConfig = Static<typeof DatasetSchema>;
export type AugmentConfig = Static<typeof AugmentSchema>;
export type ProbeConfig = Static<typeof ProbeSchema>;
export type MonitorConfig = Static<typeof MonitorSchema>;
export type Method = RunConfig['method'];
export type EncoderName = RunConfig['encoder'];
export type BackendChoice = RunConfig['backend'];
export type DatasetKind = DatasetConfig['kind'];

/** A field's schema as this module reads it: TypeBox's JSON Schema, plus `patternMeans` (the pattern in words). */
export type FieldSchema = TSchema & {
  type?: string;
  description?: string;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  maxLength?: number;
  patternMeans?: string;
  anyOf?: { const: unknown }[];
  properties?: Record<string, FieldSchema>;
};

const root = RunConfigSchema as unknown as FieldSchema;

/** The values an enumerated field takes (its union of literals), or undefined for other fields. */
function enumValues(s: FieldSchema): unknown[] | undefined {
  return s.anyOf?.every((v) => 'const' in v) ? s.anyOf.map((v) => v.const) : undefined;
}

/** The schema of a dotted run-config field (a group or a value), or undefined when there is none. */
export function fieldSchema(field: string): FieldSchema | undefined {
  let s: FieldSchema | undefined = root;
  for (const part of field.split('.')) s = s?.properties && Object.hasOwn(s.properties, part) ? s.properties[part] : undefined;
  return s;
}

/** Every value field of the run config as a dotted path, in schema order. */
export function leafFields(s: FieldSchema = root, prefix = ''): string[] {
  return Object.entries(s.properties ?? {}).flatMap(([key, sub]) => (sub.type === 'object' ? leafFields(sub, `${prefix}${key}.`) : [`${prefix}${key}`]));
}

/** A config problem, naming the field as a dotted path. */
export class ConfigError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field || 'config'}: ${message}`);
    this.name = 'ConfigError';
  }
}

// JSON has no NaN or Infinity: name them rather than print null
const show = (v: unknown): string => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : (JSON.stringify(v) ?? String(v)));

function expected(s: FieldSchema): string {
  const values = enumValues(s);
  if (values) return `one of ${values.map((e) => JSON.stringify(e)).join(', ')}`;
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

/** `/dataset/kind` (a JSON Pointer, as TypeBox names a value) as `dataset.kind`. */
const dotted = (pointer: string) =>
  pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.');

/** One TypeBox error in the words the trainer uses, or undefined for a missing field that has a default (or is a group). */
function describeError(e: ValueError): ConfigError | undefined {
  const field = dotted(e.path);
  const s = e.schema as FieldSchema;
  if (e.type === ValueErrorType.ObjectAdditionalProperties) {
    return new ConfigError(field, `unknown field (known: ${Object.keys(s.properties ?? {}).join(', ')})`);
  }
  if (e.value === undefined) return s.default === undefined && s.type !== 'object' ? new ConfigError(field, `is required (${expected(s)})`) : undefined;
  if (e.type === ValueErrorType.StringMaxLength) return new ConfigError(field, `at most ${s.maxLength} characters`);
  if (e.type === ValueErrorType.StringPattern && s.patternMeans) return new ConfigError(field, `${show(e.value)} ${s.patternMeans}`);
  return new ConfigError(field, `expected ${expected(s)}, got ${show(e.value)}`);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Every problem of `input` against the schema, one per field, unknown fields
 * of an object before its known ones, then in schema order. A missing field
 * is no problem: it takes its default. `$schema` (the editor's) is allowed.
 */
function schemaProblems(input: unknown): ConfigError[] {
  const { $schema, ...body } = isObject(input) ? input : {};
  const problems = $schema === undefined || typeof $schema === 'string' ? [] : [new ConfigError('$schema', `expected a string, got ${show($schema)}`)];
  const seen = new Set<string>();
  for (const e of Errors(RunConfigSchema, isObject(input) ? body : input)) {
    const problem = describeError(e);
    if (problem && !seen.has(problem.field)) problems.push(problem);
    seen.add(dotted(e.path));
  }
  return problems;
}

/** The defaults with `input` laid over them, in schema order; a field named in `skip` (a bad one) keeps its default. */
function withDefaults(input: unknown, skip: ReadonlySet<string> = new Set()): RunConfig {
  const lay = (into: Record<string, unknown>, from: Record<string, unknown>, prefix: string) => {
    for (const [k, v] of Object.entries(from)) {
      const field = prefix + k;
      if (skip.has(field)) continue;
      if (isObject(v) && isObject(into[k])) lay(into[k] as Record<string, unknown>, v, `${field}.`);
      else into[k] = v;
    }
  };
  const config = Create(RunConfigSchema);
  if (isObject(input)) lay(config, input, '');
  return config;
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
  const [first] = configProblems(input);
  if (first) throw first;
  return withDefaults(input);
}

/**
 * Every problem of a config at once, each naming its field (for editors);
 * empty when it is valid. Problems between fields are looked for with each
 * bad field at its default, so the rest is still checked.
 */
export function configProblems(input: unknown): ConfigError[] {
  const problems = schemaProblems(input ?? {});
  return [...problems, ...crossFieldProblems(withDefaults(input, new Set(problems.map((p) => p.field))))];
}

/**
 * The schema as a JSON Schema document for `jsonValidation`: types, values to
 * complete and hovers that give each field's range and default. It validates
 * nothing itself: SupCon Lab's own diagnostics report every problem once, in
 * the words the trainer uses, so the editor's schema warnings would only
 * repeat them.
 */
export function jsonSchemaDocument(): object {
  const doc = editorSchema(root) as { properties: object };
  return { $schema: 'http://json-schema.org/draft-07/schema#', title: 'SupCon Lab run config', ...doc, properties: { $schema: { type: 'string' }, ...doc.properties } };
}

/**
 * The run-config schema as a config file is written: every field optional
 * (it takes its default), enumerations as `enum`. It validates, unlike
 * jsonSchemaDocument; a sweep file's `base` and axes use it.
 */
export function fileSchema(s: FieldSchema = root): Record<string, unknown> {
  const { required: _required, patternMeans: _means, anyOf: _anyOf, properties, type, ...rest } = s;
  const values = enumValues(s);
  const props = properties && Object.fromEntries(Object.entries(properties).map(([k, sub]) => [k, fileSchema(sub)]));
  return { type: values ? 'string' : type, ...(values ? { enum: values } : {}), ...rest, ...(props ? { properties: props } : {}) };
}

/** Hover text of a field: its description, then what is allowed and its default. */
export function fieldHover(s: FieldSchema): string {
  const def = s.default !== undefined && s.default !== '' ? ` Default: \`${show(s.default)}\`.` : '';
  return `${s.description ?? ''}\n\nAllowed: ${expected(s)}.${def}`.trim();
}

function editorSchema(s: FieldSchema): object {
  if (s.type === 'object') {
    const properties = Object.fromEntries(Object.entries(s.properties ?? {}).map(([k, sub]) => [k, editorSchema(sub)]));
    return { type: 'object', description: s.description, properties };
  }
  const examples = enumValues(s) ?? (s.type === 'boolean' ? [true, false] : undefined);
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
    let target = out;
    for (let i = 0; i < parts.length - 1; i++) {
      const group = fieldSchema(parts.slice(0, i + 1).join('.'));
      if (!group) break;
      if (group.type !== 'object') throw new ConfigError(field, 'unknown field');
      if (typeof target[parts[i]] !== 'object' || target[parts[i]] === null) target[parts[i]] = {};
      target = target[parts[i]] as Record<string, unknown>;
    }
    const schema = fieldSchema(field);
    if (!schema) throw new ConfigError(field, 'unknown field');
    target[parts[parts.length - 1]] = parseScalar(raw, schema, field);
  }
  return out;
}

function parseScalar(raw: string, s: FieldSchema, field: string): unknown {
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
export function describeFields(): { field: string; help: string }[] {
  return leafFields().map((field) => {
    const s = fieldSchema(field)!;
    return { field, help: `${s.description ?? ''} [${expected(s)}${s.default !== undefined && s.default !== '' ? `, default ${show(s.default)}` : ''}]` };
  });
}
