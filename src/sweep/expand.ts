/**
 * Grid expansion of a sweep: the product of its axes, each under its budget
 * rules, times its seeds, plus the random-encoder floor. Pure functions.
 */
import { ConfigError, resolveConfig } from '../protocol/config';
import { readJson } from '../protocol/runFolder';
import { canonicalJson, fileSweepName, parseSweepSpec, pointRunName, setField, SweepPoint, SweepSpec, sweepId } from '../protocol/sweep';
import type { AxisValue, BudgetRule } from '../protocol/sweepResult';

/**
 * Every combination of the axes' values, in file order with the last axis
 * varying fastest: {a: [1, 2], b: [x, y]} -> a1 bx, a1 by, a2 bx, a2 by.
 * No axes gives one empty combination.
 */
export function gridCombinations(axes: Record<string, AxisValue[]>): Record<string, AxisValue>[] {
  return Object.entries(axes).reduce<Record<string, AxisValue>[]>((combos, [field, values]) => combos.flatMap((c) => values.map((v) => ({ ...c, [field]: v }))), [{}]);
}

/**
 * Epochs a point trains under a budget rule. equal-steps keeps `baseEpochs`;
 * equal-compute holds images x views per run at baseEpochs x referenceViews,
 * so `views` views train baseEpochs x referenceViews / views epochs.
 * @throws ConfigError (path `budget`) when that is not a whole number of at least one epoch.
 */
export function budgetEpochs(rule: BudgetRule, baseEpochs: number, views: number, referenceViews: number): number {
  if (baseEpochs < 1) throw new ConfigError('budget', `base.epochs is ${baseEpochs}: zero optimizer steps (the random-encoder floor is added by "floor": true)`);
  if (rule === 'equal-steps') return baseEpochs;
  const epochs = (baseEpochs * referenceViews) / views;
  if (epochs < 1) {
    throw new ConfigError(
      'budget',
      `equal-compute gives ${epochs} epochs at views ${views} (base.epochs ${baseEpochs} x referenceViews ${referenceViews} / ${views}): zero optimizer steps; raise base.epochs or referenceViews`,
    );
  }
  if (!Number.isInteger(epochs)) {
    throw new ConfigError(
      'budget',
      `equal-compute gives ${epochs} epochs at views ${views}: not a whole number of epochs; make base.epochs x referenceViews (${baseEpochs} x ${referenceViews}) divisible by every views value`,
    );
  }
  return epochs;
}

/** Where in the sweep file a run-schema error at a point comes from. */
function pointError(e: unknown, spec: SweepSpec, values: Record<string, AxisValue>): unknown {
  if (!(e instanceof ConfigError)) return e;
  const reason = e.message.slice(e.message.indexOf(': ') + 2);
  if (e.field in values) return new ConfigError(`axes.${e.field}[${spec.axes[e.field].indexOf(values[e.field])}]`, reason);
  const at = Object.entries(values)
    .map(([f, v]) => `${f}=${JSON.stringify(v)}`)
    .join(', ');
  return new ConfigError(`base.${e.field}`, `${reason}${at ? ` (at the point ${at})` : ''}`);
}

/**
 * The runs of a sweep, in start order: each grid configuration for seed 0,
 * then for seed 1, ... (so an early stop leaves whole seeds), floors first.
 * Two budget rules that give the same config share one run.
 * @throws ConfigError naming the path in the sweep file (`axes.views[2]`, `budget`, `base.lr`).
 */
export function expandSweep(spec: SweepSpec, id: string): SweepPoint[] {
  const base = resolveConfig(spec.base);
  const referenceViews = spec.budget.referenceViews ?? base.views;
  const configs: { values: Record<string, AxisValue>; rules: BudgetRule[]; fields: Record<string, unknown>; key: string }[] = [];
  for (const values of gridCombinations(spec.axes)) {
    for (const rule of spec.budget.rules) {
      const views = typeof values.views === 'number' ? values.views : base.views;
      const fields: Record<string, unknown> = { ...values, epochs: budgetEpochs(rule, base.epochs, views, referenceViews) };
      const key = canonicalJson(fields);
      const same = configs.find((c) => c.key === key);
      if (same) same.rules.push(rule);
      else configs.push({ values, rules: [rule], fields, key });
    }
  }
  const points: SweepPoint[] = [];
  for (const seed of spec.seeds) {
    if (spec.floor) {
      const pointId = `floor-s${seed}`;
      const run = resolveConfig({ ...structuredClone(spec.base), epochs: 0, seed, name: pointRunName(id, pointId) });
      points.push({ id: pointId, config: -1, values: {}, rules: [], seed, run });
    }
    configs.forEach((c, k) => {
      const pointId = `p${k}-s${seed}`;
      let raw: Record<string, unknown> = { ...structuredClone(spec.base), seed, name: pointRunName(id, pointId) };
      for (const [field, v] of Object.entries(c.fields)) raw = setField(raw, field, v);
      let run;
      try {
        run = resolveConfig(raw);
      } catch (e) {
        throw pointError(e, spec, c.values);
      }
      points.push({ id: pointId, config: k, values: c.values, rules: c.rules, seed, run });
    });
  }
  return points;
}

/**
 * Reads, validates and expands a sweep file.
 * @throws ConfigError naming the file and the path inside it (`views.sweep.json: axes.views[2]: ...`).
 */
export function loadSweep(file: string, raw: unknown = readJson(file)): { spec: SweepSpec; id: string; points: SweepPoint[] } {
  try {
    const spec = parseSweepSpec(raw, fileSweepName(file));
    const id = sweepId(spec);
    return { spec, id, points: expandSweep(spec, id) };
  } catch (e) {
    if (e instanceof ConfigError) throw new ConfigError(`${file}: ${e.field || '(top level)'}`, e.message.slice(e.message.indexOf(': ') + 2));
    throw e;
  }
}
