/** The probe table: top-1 of every probed checkpoint of the selected runs, the headline row marked. */
import { isFinalCheckpoint } from '../src/protocol/probes';
import { el } from './dom';
import type { RunData } from './series';

export interface ProbeRow {
  run: string;
  checkpoint: string;
  step: string;
  top1: string;
  best: string;
  settings: string;
  when: string;
  headline: boolean;
}

const pct = (v: number): string => `${(v * 100).toFixed(2)}%`;

/** One row per probe record, runs in the given order, checkpoints by step. */
export function probeRows(runs: readonly RunData[], labelOf: (id: string) => string): ProbeRow[] {
  return runs.flatMap((run) =>
    run.fold.probes.map((p) => ({
      run: labelOf(run.id),
      checkpoint: p.checkpoint,
      step: p.globalStep === undefined ? '' : String(p.globalStep),
      top1: pct(p.top1),
      best: `${pct(p.bestTop1)} (epoch ${p.bestEpoch + 1})`,
      settings: [`${p.epochs} epochs`, p.lr !== undefined ? `lr ${p.lr}` : '', p.batchSize !== undefined ? `batch ${p.batchSize}` : ''].filter(Boolean).join(', '),
      when: new Date(p.t).toLocaleString(),
      headline: isFinalCheckpoint(p.checkpoint),
    })),
  );
}

const COLUMNS: [keyof Omit<ProbeRow, 'headline'>, string][] = [
  ['run', 'Run'],
  ['checkpoint', 'Checkpoint'],
  ['step', 'Step'],
  ['top1', 'Top-1'],
  ['best', 'Best (on test)'],
  ['settings', 'Probe'],
  ['when', 'Probed'],
];

export function renderProbeTable(parent: HTMLElement, runs: readonly RunData[], labelOf: (id: string) => string): void {
  const rows = probeRows(runs, labelOf);
  if (!rows.length) return parent.replaceChildren();
  const head = el('tr', {}, ...COLUMNS.map(([, title]) => el('th', { text: title })));
  const body = rows.map((r) => {
    const tr = el('tr', { className: r.headline ? 'headline' : '', title: r.headline ? "The run's headline result" : '' }, ...COLUMNS.map(([k]) => el('td', { text: r[k] })));
    tr.dataset.checkpoint = r.checkpoint;
    return tr;
  });
  parent.replaceChildren(el('h4', { text: 'Linear probe per checkpoint' }), el('table', { className: 'probe-table' }, el('thead', {}, head), el('tbody', {}, ...body)));
}
