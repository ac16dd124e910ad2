/** CSV exports of the selected runs: step metrics (one row per step, each naming its run and key settings; epochs from 1) and results (one row per run). */
import { epochNumber } from '../src/protocol/progress';
import { keySettings } from '../src/protocol/runNaming';
import { RunData, STEP_METRICS } from './series';

const cell = (v: string | number): string => {
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
};

export function toCsv(runs: readonly RunData[]): string {
  const lines = [['run', 'settings', 'epoch', 'globalStep', ...STEP_METRICS].join(',')];
  for (const run of runs) {
    const settings = keySettings(run.fold.config);
    for (let i = 0; i < run.steps.length; i++) {
      const row: (string | number)[] = [run.id, settings, epochNumber(run.epochOfStep.at(i)), run.steps.at(i)];
      for (const m of STEP_METRICS) row.push(run.metrics[m].at(i));
      lines.push(row.map(cell).join(','));
    }
  }
  return lines.join('\n') + '\n';
}

/** The settings a results table compares, as dotted config fields. */
const SETTINGS = ['method', 'dataset.kind', 'encoder', 'epochs', 'batchSize', 'views', 'temperature', 'lr', 'seed', 'probe.epochs'] as const;

const setting = (config: unknown, field: string): string | number => {
  let v: unknown = config;
  for (const k of field.split('.')) v = typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[k] : undefined;
  return typeof v === 'number' || typeof v === 'string' ? v : '';
};

/** The last finite value of a column, or NaN. */
function lastFinite(values: Float64Array): number {
  for (let i = values.length - 1; i >= 0; i--) if (Number.isFinite(values[i])) return values[i];
  return NaN;
}

/**
 * One row per run: its settings, state, final loss (last finite step loss),
 * headline probe top-1 with the checkpoint it comes from, and duration in
 * seconds from its first start to its last end.
 */
export function resultsCsv(runs: readonly RunData[], labelOf: (id: string) => string): string {
  const lines = [['run', 'label', ...SETTINGS, 'state', 'finalLoss', 'top1', 'top1Checkpoint', 'durationSeconds'].join(',')];
  for (const run of runs) {
    const f = run.fold;
    const duration = f.startedAt !== undefined && f.endedAt !== undefined ? (f.endedAt - f.startedAt) / 1000 : NaN;
    const row: (string | number)[] = [
      run.id,
      labelOf(run.id),
      ...SETTINGS.map((field) => setting(f.config, field)),
      f.state ?? '',
      lastFinite(run.metrics.loss.view()),
      f.top1 ?? NaN,
      f.top1Checkpoint ?? '',
      duration,
    ];
    lines.push(row.map(cell).join(','));
  }
  return lines.join('\n') + '\n';
}
