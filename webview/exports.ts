/** The toolbar's exports of the selected runs: step metrics and results as CSV, the charts as one PNG; the host saves them. */
import type { WebviewMessage } from '../src/protocol/dashboard';
import { CHARTS, exportNotes } from './chartSpecs';
import type { ChartView } from './chartView';
import { resultsCsv, toCsv } from './csv';
import { chartsToPng } from './exportPng';
import type { RunData } from './series';
import { runColor } from './theme';

type Export = Extract<WebviewMessage, { type: 'export' }>;

/** One row per step of each run; undefined with no run selected. */
export function stepsExport(sel: readonly RunData[]): Export | undefined {
  if (!sel.length) return undefined;
  return { type: 'export', kind: 'csv', fileName: sel.length === 1 ? `${sel[0].id}.csv` : 'supcon-runs.csv', data: toCsv(sel) };
}

/** One row per run: settings, final loss, top-1, duration; undefined with no run selected. */
export function resultsExport(sel: readonly RunData[], labelOf: (id: string) => string): Export | undefined {
  if (!sel.length) return undefined;
  return { type: 'export', kind: 'csv', fileName: 'supcon-results.csv', data: resultsCsv(sel, labelOf) };
}

/** Every chart as one PNG with its axes, line key and smoothing noted. */
export function chartsExport(
  sel: readonly RunData[],
  charts: readonly ChartView[],
  view: { smoothing: number; logScale: boolean; labelOf: (id: string) => string; colorOf: (id: string) => number },
): Export {
  const notes = exportNotes(CHARTS, view.smoothing, view.logScale);
  const data = chartsToPng(
    charts.map((c) => ({ id: c.spec.id, title: c.spec.title, canvas: c.canvas })),
    sel.map((r) => ({ label: view.labelOf(r.id), color: runColor(view.colorOf(r.id)) })),
    notes,
  );
  return { type: 'export', kind: 'png', fileName: sel.length === 1 ? `${sel[0].id}.png` : 'supcon-charts.png', data };
}
