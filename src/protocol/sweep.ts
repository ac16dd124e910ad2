/**
 * The sweep contracts: the `*.sweep.json` file (a base run config, axes over
 * config fields, seeds, budget rules), its validation and JSON Schema, the
 * sweep folder and its state file, and the run queue file. Every point of a
 * sweep is checked by the one run-config schema (config.ts), so a value that
 * schema refuses is reported with its path in the sweep file.
 *
 *   <runs-dir>/sweeps/<sweep-id>/sweep.json   the sweep file as given (written once)
 *                                state.json   the points, their run ids and last known states
 *                                configs/     one resolved run config per point
 *                                logs/        each point's trainer output
 *   <runs-dir>/queue.json                     runs waiting or running, in start order
 *   <runs-dir>/queue.lock                     held while the queue is read and rewritten
 */
import * as crypto from 'node:crypto';
import * as path from 'node:path';
import { ConfigError, fieldSchema, fileSchema, leafFields, resolveConfig, RunConfig, RunConfigSchema } from './config';
import type { RunState } from './messages';
import { readJson } from './runFolder';
import { AxisValue, BUDGET_RULES, BudgetRule } from './sweepResult';

export interface SweepSpec {
  name: string;
  base: Record<string, unknown>;
  /** Dotted run-config field -> the values it takes; the grid is their product. */
  axes: Record<string, AxisValue[]>;
  seeds: number[];
  budget: { rules: BudgetRule[]; referenceViews?: number };
  /** Adds an `epochs 0` run per seed: the probe on the random encoder. */
  floor: boolean;
}

const SWEEP_NAME = /^[A-Za-z0-9_-]{1,24}$/;
const TOP_FIELDS = ['$schema', 'name', 'base', 'axes', 'seeds', 'budget', 'floor'];

const show = (v: unknown) => JSON.stringify(v) ?? String(v);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The schema of a dotted run-config field that holds a value (not a group), or undefined. */
export function leafSchema(field: string) {
  const s = fieldSchema(field);
  return s && s.type !== 'object' ? s : undefined;
}

/** Sets a dotted field in a plain object (a copy). */
export function setField(obj: Record<string, unknown>, field: string, value: unknown): Record<string, unknown> {
  const out = structuredClone(obj);
  const parts = field.split('.');
  let target = out;
  for (const part of parts.slice(0, -1)) {
    if (!isObject(target[part])) target[part] = {};
    target = target[part] as Record<string, unknown>;
  }
  target[parts[parts.length - 1]] = value;
  return out;
}

/**
 * Validates an untrusted sweep file; errors are ConfigErrors naming the path
 * in the file (`axes.views[2]`, `base.temperature`, `budget.rules[0]`).
 * Cross-field checks that need a whole grid point (a budget rule giving zero
 * steps, a value the run schema refuses) happen in expandSweep.
 */
export function parseSweepSpec(input: unknown, fallbackName = 'sweep'): SweepSpec {
  if (!isObject(input)) throw new ConfigError('', `expected a JSON object, got ${show(input)}`);
  for (const key of Object.keys(input)) {
    if (!TOP_FIELDS.includes(key)) throw new ConfigError(key, `unknown field (known: ${TOP_FIELDS.slice(1).join(', ')})`);
  }
  const name = input.name ?? fallbackName;
  if (typeof name !== 'string' || !SWEEP_NAME.test(name)) throw new ConfigError('name', `expected 1 to 24 letters, digits, _ or -, got ${show(name)}`);
  const base = input.base ?? {};
  if (!isObject(base)) throw new ConfigError('base', `expected a run config object, got ${show(base)}`);
  try {
    resolveConfig(base);
  } catch (e) {
    if (e instanceof ConfigError) throw new ConfigError(`base.${e.field}`, e.message.slice(e.message.indexOf(': ') + 2));
    throw e;
  }
  const axesIn = input.axes ?? {};
  if (!isObject(axesIn)) throw new ConfigError('axes', `expected an object of field -> list of values, got ${show(axesIn)}`);
  const axes: Record<string, AxisValue[]> = {};
  for (const [field, values] of Object.entries(axesIn)) {
    if (field === 'seed') throw new ConfigError('axes.seed', 'seeds are set by "seeds", not an axis');
    if (field === 'name') throw new ConfigError('axes.name', 'each point gets its own run name from the sweep');
    if (!leafSchema(field)) throw new ConfigError(`axes.${field}`, `unknown config field (known: ${leafFields().join(', ')})`);
    if (!Array.isArray(values)) throw new ConfigError(`axes.${field}`, `expected a list of values, got ${show(values)}`);
    if (values.length === 0) throw new ConfigError(`axes.${field}`, 'empty list: an axis needs at least one value');
    values.forEach((v, i) => {
      if (!['string', 'number', 'boolean'].includes(typeof v)) throw new ConfigError(`axes.${field}[${i}]`, `expected a string, number or boolean, got ${show(v)}`);
      if (values.indexOf(v) !== i) throw new ConfigError(`axes.${field}[${i}]`, `${show(v)} is listed twice`);
    });
    axes[field] = values as AxisValue[];
  }
  const seeds = input.seeds ?? [0];
  if (!Array.isArray(seeds) || seeds.length === 0) throw new ConfigError('seeds', `expected a non-empty list of seeds, got ${show(seeds)}`);
  const seedSchema = RunConfigSchema.properties.seed;
  seeds.forEach((s, i) => {
    if (!Number.isInteger(s) || (s as number) < seedSchema.minimum! || (s as number) > seedSchema.maximum!) {
      throw new ConfigError(`seeds[${i}]`, `expected an integer >= ${seedSchema.minimum} and <= ${seedSchema.maximum}, got ${show(s)}`);
    }
    if (seeds.indexOf(s) !== i) throw new ConfigError(`seeds[${i}]`, `seed ${s} is listed twice`);
  });
  const budgetIn = input.budget ?? {};
  if (!isObject(budgetIn)) throw new ConfigError('budget', `expected an object { rules, referenceViews }, got ${show(budgetIn)}`);
  for (const key of Object.keys(budgetIn)) {
    if (key !== 'rules' && key !== 'referenceViews') throw new ConfigError(`budget.${key}`, 'unknown field (known: rules, referenceViews)');
  }
  const rules = budgetIn.rules ?? ['equal-steps'];
  if (!Array.isArray(rules) || rules.length === 0) throw new ConfigError('budget.rules', `expected a non-empty list of ${BUDGET_RULES.map(show).join(', ')}, got ${show(rules)}`);
  rules.forEach((r, i) => {
    if (!BUDGET_RULES.includes(r)) throw new ConfigError(`budget.rules[${i}]`, `expected one of ${BUDGET_RULES.map(show).join(', ')}, got ${show(r)}`);
    if (rules.indexOf(r) !== i) throw new ConfigError(`budget.rules[${i}]`, `${show(r)} is listed twice`);
  });
  const ref = budgetIn.referenceViews;
  if (ref !== undefined && (!Number.isInteger(ref) || (ref as number) < 1 || (ref as number) > 8)) {
    throw new ConfigError('budget.referenceViews', `expected an integer >= 1 and <= 8, got ${show(ref)}`);
  }
  const floor = input.floor ?? true;
  if (typeof floor !== 'boolean') throw new ConfigError('floor', `expected true or false, got ${show(floor)}`);
  return { name, base, axes, seeds: seeds as number[], budget: { rules: rules as BudgetRule[], ...(ref !== undefined ? { referenceViews: ref as number } : {}) }, floor };
}

/** The sweep name a file gets when it names none: its base name. */
export const fileSweepName = (file: string) =>
  path
    .basename(file)
    .replace(/\.sweep\.json$|\.json$/, '')
    .replace(/[^A-Za-z0-9_-]/g, '-')
    .slice(0, 24) || 'sweep';

/** The sweep folder's name: the sweep's name and a hash of its spec, so the same file continues the same sweep. */
export function sweepId(spec: SweepSpec): string {
  return `${spec.name}-${crypto.createHash('sha256').update(canonicalJson(spec)).digest('hex').slice(0, 6)}`;
}

/** JSON with object keys sorted, so equal specs give equal text. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (isObject(v))
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

/** One run of a sweep: a grid point under one or more budget rules, with one seed. */
export interface SweepPoint {
  /** `p<k>-s<seed>`, or `floor-s<seed>` for the random-encoder floor. */
  id: string;
  /** Index of the grid configuration (shared by its seeds); -1 for the floor. */
  config: number;
  /** Axis field -> value at this point. */
  values: Record<string, AxisValue>;
  /** The budget rules this run stands for (two rules can give one identical run); empty for the floor. */
  rules: BudgetRule[];
  seed: number;
  /** The resolved run config; its name tags it with the sweep and point. */
  run: RunConfig;
}

export const sweepsDir = (runsDir: string) => path.join(runsDir, 'sweeps');

/** The runs directory a sweep folder belongs to (<runs-dir>/sweeps/<sweep-id>). */
export const sweepRunsDir = (sweepDir: string) => path.dirname(path.dirname(path.resolve(sweepDir)));

export const sweepFiles = (sweepDir: string) => ({
  spec: path.join(sweepDir, 'sweep.json'),
  state: path.join(sweepDir, 'state.json'),
  configs: path.join(sweepDir, 'configs'),
  logs: path.join(sweepDir, 'logs'),
});

/** The run name that tags a point's run folder with its sweep and point: `views-3fa2b1.p3-s1`. */
export const pointRunName = (id: string, pointId: string) => `${id}.${pointId}`;

export type PointState = 'pending' | 'queued' | RunState;

export interface SweepState {
  id: string;
  runsDir: string;
  createdAt: number;
  updatedAt: number;
  /** The process driving the sweep while it runs; stopping the sweep signals it. */
  holder?: { pid: number; host: string };
  points: { id: string; runId?: string; state: PointState; exitCode?: number | null }[];
}

/** Reads a sweep folder's state.json, naming the file in errors. */
export function readSweepState(sweepDir: string): SweepState {
  const file = sweepFiles(sweepDir).state;
  const v = readJson(file) as Partial<SweepState>;
  if (!isObject(v) || typeof v.id !== 'string' || !Array.isArray(v.points)) throw new Error(`${file}: not a sweep state (expected "id" and "points")`);
  return v as SweepState;
}

export interface QueueEntry {
  /** `<sweep-id>/<point-id>`. */
  id: string;
  sweepDir: string;
  pointId: string;
  enqueuedAt: number;
  /** Set while a process runs it: that process and the trainer it started. */
  holder?: { pid: number; host: string; since: number; childPid?: number };
}

export interface QueueFile {
  version: 1;
  entries: QueueEntry[];
}

export const queueFiles = (runsDir: string) => ({ queue: path.join(runsDir, 'queue.json'), lock: path.join(runsDir, 'queue.lock') });

/** The JSON Schema of `*.sweep.json` for editors: the run schema for `base`, one array per config field for `axes`. */
export function sweepSchemaDocument(): object {
  const runFile = fileSchema();
  const axes: Record<string, object> = {};
  for (const field of leafFields()) {
    if (field === 'seed' || field === 'name') continue;
    const { default: _d, description, ...item } = fileSchema(leafSchema(field));
    axes[field] = { type: 'array', minItems: 1, uniqueItems: true, items: item, description: `Values of ${field}: ${description ?? ''}` };
  }
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'SupCon Lab sweep',
    type: 'object',
    additionalProperties: false,
    properties: {
      $schema: { type: 'string' },
      name: { type: 'string', pattern: SWEEP_NAME.source, description: 'Short name of the sweep (default: the file name).' },
      base: { ...runFile, properties: { $schema: { type: 'string' }, ...(runFile.properties as object) }, description: 'The run config every point starts from.' },
      axes: { type: 'object', additionalProperties: false, properties: axes, description: 'Config fields to vary; the sweep runs every combination.' },
      seeds: { type: 'array', minItems: 1, uniqueItems: true, items: fileSchema(RunConfigSchema.properties.seed), default: [0], description: 'Each point runs once per seed.' },
      budget: {
        type: 'object',
        additionalProperties: false,
        properties: {
          rules: {
            type: 'array',
            minItems: 1,
            uniqueItems: true,
            default: ['equal-steps'],
            items: { enum: BUDGET_RULES },
            description: 'equal-steps: base.epochs for every point (more views, more compute). equal-compute: images x views per run held at base.epochs x referenceViews.',
          },
          referenceViews: { type: 'integer', minimum: 1, maximum: 8, description: 'Views at which equal-compute trains base.epochs (default: base views).' },
        },
      },
      floor: { type: 'boolean', default: true, description: 'Add an epochs-0 run per seed: the linear probe on the random encoder.' },
    },
  };
}
