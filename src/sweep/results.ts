/**
 * Results across a sweep's runs: probe top-1 as mean +- std over seeds per
 * grid point and budget rule, beside the random-encoder floor. Runs that
 * failed, still run or are missing are counted as such, never averaged in.
 */
import type { RunSummary } from '../protocol/runFolder';
import type { PointState } from '../protocol/sweep';
import type { AxisValue, BudgetRule, SweepResultRow } from '../protocol/sweepResult';
import { LoadedSweep, pointStatuses } from './runner';

/**
 * Mean, sample standard deviation (n - 1 in the denominator; undefined for
 * n < 2) and n of a list of numbers; mean undefined for an empty list.
 */
export function meanStd(xs: number[]): { mean?: number; std?: number; n: number } {
  const n = xs.length;
  if (!n) return { n };
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { mean, n };
  const ss = xs.reduce((a, b) => a + (b - mean) ** 2, 0);
  return { mean, std: Math.sqrt(ss / (n - 1)), n };
}

interface PointOutcome {
  id: string;
  config: number;
  values: Record<string, AxisValue>;
  rules: BudgetRule[];
  seed: number;
  epochs: number;
  views: number;
  state: PointState | 'missing';
  top1?: number;
}

/**
 * Groups point outcomes into result rows: the floor first, then one row per
 * budget rule and grid configuration (a run shared by two rules counts in
 * both). Only completed runs with a probe top-1 enter the mean.
 */
export function aggregate(outcomes: PointOutcome[], rules: BudgetRule[]): SweepResultRow[] {
  const row = (label: { rule?: BudgetRule; floor?: boolean }, of: PointOutcome[]): SweepResultRow => {
    const done = of.filter((o) => o.state === 'completed' && typeof o.top1 === 'number');
    const counts: Record<string, number> = {};
    for (const o of of) if (!done.includes(o)) counts[o.state] = (counts[o.state] ?? 0) + 1;
    return {
      ...label,
      values: of[0]?.values ?? {},
      epochs: of[0]?.epochs ?? 0,
      views: of[0]?.views ?? 0,
      ...meanStd(done.map((o) => o.top1!)),
      seeds: done.map((o) => o.seed),
      notCounted: counts,
    };
  };
  const rows: SweepResultRow[] = [];
  const floors = outcomes.filter((o) => o.config < 0);
  if (floors.length) rows.push(row({ floor: true }, floors));
  for (const rule of rules) {
    const configs = [...new Set(outcomes.filter((o) => o.rules.includes(rule)).map((o) => o.config))];
    for (const k of configs)
      rows.push(
        row(
          { rule },
          outcomes.filter((o) => o.config === k),
        ),
      );
  }
  return rows;
}

/** The sweep's result rows from its run folders now. */
export function sweepResults(runsDir: string, sweep: LoadedSweep, runs?: readonly RunSummary[]): SweepResultRow[] {
  const statuses = new Map(pointStatuses(runsDir, sweep, runs).map((s) => [s.id, s]));
  const outcomes = sweep.points.map((p): PointOutcome => {
    const s = statuses.get(p.id);
    const state = s?.run ? s.state : s?.state === 'pending' ? 'missing' : (s?.state ?? 'missing');
    return { id: p.id, config: p.config, values: p.values, rules: p.rules, seed: p.seed, epochs: p.run.epochs, views: p.run.views, state, top1: s?.run?.status?.top1 };
  });
  return aggregate(outcomes, sweep.spec.budget.rules);
}

const pct = (x?: number) => (x === undefined ? '' : (100 * x).toFixed(2));

/** Rows as CSV: one line per row, top-1 in percent. */
export function resultsCsv(rows: SweepResultRow[], axes: string[]): string {
  const q = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const head = ['budget', ...axes, 'epochs', 'top1_mean_pct', 'top1_std_pct', 'n', 'seeds', 'not_counted'];
  const lines = rows.map((r) =>
    [
      r.floor ? 'floor (epochs 0)' : r.rule!,
      ...axes.map((a) => (r.floor ? '' : String(r.values[a] ?? ''))),
      String(r.epochs),
      pct(r.mean),
      pct(r.std),
      String(r.n),
      r.seeds.join(' '),
      Object.entries(r.notCounted)
        .map(([k, v]) => `${v} ${k}`)
        .join(' '),
    ]
      .map(q)
      .join(','),
  );
  return [head.join(','), ...lines].join('\n') + '\n';
}

/** Rows as an aligned text table, the floor's mean beside every row. */
export function resultsTable(rows: SweepResultRow[], axes: string[]): string {
  const floor = rows.find((r) => r.floor);
  const cell = (r: SweepResultRow) => (r.mean === undefined ? 'no result' : `${pct(r.mean)}%${r.std !== undefined ? ` +- ${pct(r.std)}` : ''}`);
  const head = ['budget', ...axes, 'epochs', 'probe top-1', 'n', 'floor', 'not counted'];
  const body = rows.map((r) => [
    r.floor ? 'floor (epochs 0)' : r.rule!,
    ...axes.map((a) => (r.floor ? '-' : String(r.values[a] ?? ''))),
    String(r.epochs),
    cell(r),
    String(r.n),
    r.floor ? '' : floor ? cell(floor) : 'not run',
    Object.entries(r.notCounted)
      .map(([k, v]) => `${v} ${k}`)
      .join(', ') || '-',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  return (
    [head, ...body]
      .map((cols) =>
        cols
          .map((c, i) => c.padEnd(widths[i]))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}
