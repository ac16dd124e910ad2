/**
 * The Results tab: a sweep's points as a table (probe top-1 mean +- std over
 * seeds, n, the runs left out and why, the random-encoder floor beside) and a
 * uPlot chart of top-1 against the swept axis, one line per budget rule (and
 * other axes' values), with +- std error bars and the floor as a dashed line.
 */
import uPlot from 'uplot';
import type { HostMessage } from '../src/protocol/dashboard';
import type { SweepResultRow } from '../src/protocol/sweepResult';
import { legendValue } from './chartSpecs';
import { el } from './dom';
import { chartTheme, runColor } from './theme';
import { button } from './toolkit';

type Results = Extract<HostMessage, { type: 'results' }>;

const pct = (x?: number) => (x === undefined ? '' : (100 * x).toFixed(2));
const cell = (r?: SweepResultRow) => (!r || r.mean === undefined ? 'no result' : `${pct(r.mean)}%${r.std !== undefined ? ` ± ${pct(r.std)}` : ''}`);
const notCounted = (r: SweepResultRow) =>
  Object.entries(r.notCounted)
    .map(([k, v]) => `${v} ${k}`)
    .join(', ') || '—';

function table(msg: Results): HTMLTableElement {
  const floor = msg.rows.find((r) => r.floor);
  const t = el('table', { className: 'results-table' });
  const head = el('tr');
  for (const h of ['budget', ...msg.axes, 'epochs', 'probe top-1 (mean ± std)', 'n', 'floor', 'not counted']) head.append(el('th', { text: h }));
  t.append(el('thead', {}, head));
  const body = el('tbody');
  for (const r of msg.rows) {
    const tr = el('tr');
    tr.dataset.rule = r.floor ? 'floor' : r.rule;
    const cols = [
      r.floor ? 'floor (epochs 0)' : r.rule!,
      ...msg.axes.map((a) => (r.floor ? '—' : String(r.values[a] ?? ''))),
      String(r.epochs),
      cell(r),
      String(r.n),
      r.floor ? '' : cell(floor),
      notCounted(r),
    ];
    for (const c of cols) tr.append(el('td', { text: c }));
    body.append(tr);
  }
  t.append(body);
  return t;
}

/** The axis the chart puts on x: views when swept, else the first numeric axis. */
function xAxis(msg: Results): string | undefined {
  const numeric = msg.axes.filter((a) => msg.rows.every((r) => r.floor || typeof r.values[a] === 'number'));
  return numeric.includes('views') ? 'views' : numeric[0];
}

interface Line {
  label: string;
  points: Map<number, SweepResultRow>;
}

function lines(msg: Results, x: string): Line[] {
  const byKey = new Map<string, Line>();
  for (const r of msg.rows) {
    if (r.floor) continue;
    const others = msg.axes.filter((a) => a !== x).map((a) => `${a}=${r.values[a]}`);
    const label = [r.rule, ...others].join(', ');
    if (!byKey.has(label)) byKey.set(label, { label, points: new Map() });
    byKey.get(label)!.points.set(r.values[x] as number, r);
  }
  return [...byKey.values()];
}

let plot: uPlot | undefined;

function chart(parent: HTMLElement, msg: Results, x: string): void {
  const ls = lines(msg, x);
  const xs = [...new Set(ls.flatMap((l) => [...l.points.keys()]))].sort((a, b) => a - b);
  const floor = msg.rows.find((r) => r.floor);
  const data: uPlot.AlignedData = [
    xs,
    ...ls.map((l) => xs.map((v) => (l.points.get(v)?.mean ?? null) as number | null)),
    ...(floor?.mean !== undefined ? [xs.map(() => floor.mean!)] : []),
  ];
  const theme = chartTheme();
  const axis = { stroke: theme.foreground, grid: { stroke: theme.grid }, ticks: { stroke: theme.grid }, font: theme.font };
  const errorBars = (u: uPlot) => {
    const ctx = u.ctx;
    ls.forEach((l, i) => {
      ctx.strokeStyle = runColor(i);
      ctx.lineWidth = 1.5 * devicePixelRatio;
      for (const [xv, r] of l.points) {
        if (r.mean === undefined || r.std === undefined) continue;
        const px = u.valToPos(xv, 'x', true);
        const lo = u.valToPos(r.mean - r.std, 'y', true);
        const hi = u.valToPos(r.mean + r.std, 'y', true);
        const w = 4 * devicePixelRatio;
        ctx.beginPath();
        ctx.moveTo(px, lo);
        ctx.lineTo(px, hi);
        ctx.moveTo(px - w, lo);
        ctx.lineTo(px + w, lo);
        ctx.moveTo(px - w, hi);
        ctx.lineTo(px + w, hi);
        ctx.stroke();
      }
    });
  };
  plot?.destroy();
  const holder = el('div', { className: 'plot results-plot' });
  parent.append(holder);
  plot = new uPlot(
    {
      width: Math.max(320, Math.min(900, parent.clientWidth || 640)),
      height: 260,
      scales: { x: { time: false, distr: x === 'views' ? 3 : 1, log: 2 } },
      axes: [
        { ...axis, label: x, values: (_u, v) => v.map((t) => (t == null ? '' : String(t))) },
        { ...axis, size: 56, label: 'probe top-1', values: (_u, v) => v.map((t) => (t == null ? '' : `${(100 * t).toFixed(0)}%`)) },
      ],
      series: [
        { label: x },
        ...ls.map((l, i) => ({
          label: l.label,
          stroke: runColor(i),
          width: 2,
          points: { show: true, size: 6 },
          value: (_u: uPlot, v: number | null, _si: number, idx: number | null) => legendValue(v, idx, (p) => `${pct(p)}%`),
        })),
        ...(floor?.mean !== undefined
          ? [
              {
                label: 'floor (epochs 0)',
                stroke: theme.foreground,
                dash: [6, 4],
                width: 1,
                points: { show: false },
                value: (_u: uPlot, v: number | null, _si: number, idx: number | null) => legendValue(v, idx, (p) => `${pct(p)}%`),
              },
            ]
          : []),
      ],
      hooks: { draw: [errorBars] },
    },
    data,
    holder,
  );
}

/** Renders (or re-renders) the Results tab; `exportCsv` posts the CSV for saving. */
export function renderResults(parent: HTMLElement, msg: Results | undefined, exportCsv: () => void): void {
  if (!msg) {
    parent.replaceChildren(el('p', { className: 'hint', text: 'Open a sweep\'s results from the Sweeps view, or start "SupCon: Start Views Study".' }));
    return;
  }
  const exportButton = button('Export CSV', exportCsv, 'The results table as CSV');
  const done = msg.rows.reduce((a, r) => a + r.n, 0);
  parent.replaceChildren(
    el('header', { className: 'results-head' }, el('h3', { text: `Sweep ${msg.sweepId}` }), exportButton),
    el('p', {
      className: 'hint',
      text: `Probe top-1 over seeds (sample std); runs that failed, still run or are missing are listed apart, never averaged in. ${done} run result(s) so far.`,
    }),
    table(msg),
  );
  const x = xAxis(msg);
  if (x) chart(parent, msg, x);
}
