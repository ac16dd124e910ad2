/** CSV export of the step metrics of the selected runs, one row per step, each naming its run and key settings; epochs from 1. */
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
    const settings = keySettings(run.config);
    for (let i = 0; i < run.steps.length; i++) {
      const row: (string | number)[] = [run.id, settings, epochNumber(run.epochOfStep.at(i)), run.steps.at(i)];
      for (const m of STEP_METRICS) row.push(run.metrics[m].at(i));
      lines.push(row.map(cell).join(','));
    }
  }
  return lines.join('\n') + '\n';
}
