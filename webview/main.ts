/**
 * Dashboard entry: builds the page with webview-ui-toolkit components, keeps
 * the selected runs' series (SeriesStore) fed by the host's event batches, and
 * redraws the charts at most once per animation frame.
 */
import {
  provideVSCodeDesignSystem, vsCodeButton, vsCodeCheckbox, vsCodeDataGrid, vsCodeDataGridCell, vsCodeDataGridRow,
  vsCodeDivider, vsCodePanels, vsCodePanelTab, vsCodePanelView, vsCodeProgressRing,
} from '@vscode/webview-ui-toolkit';
import 'uplot/dist/uPlot.min.css';
import './styles.css';
import { DashboardState, DashboardTab, HostMessage, parseDashboardState, RunMeta } from '../src/protocol/dashboard';
import { CHARTS, exportNotes } from './chartSpecs';
import { ChartView } from './chartView';
import { resultsCsv, toCsv } from './csv';
import { el } from './dom';
import { chartsToPng } from './exportPng';
import { MapView } from './mapView';
import { renderParams } from './paramsTable';
import { renderResults } from './resultsView';
import { renderProbeTable } from './probeTable';
import { renderRunInfo } from './runInfo';
import { renderRunList } from './runList';
import { SeriesStore } from './series';
import { runColor } from './theme';
import { getState, onHostMessage, post, setState } from './vscodeApi';

provideVSCodeDesignSystem().register(
  vsCodeButton(), vsCodeCheckbox(), vsCodeDataGrid(), vsCodeDataGridCell(), vsCodeDataGridRow(),
  vsCodeDivider(), vsCodePanels(), vsCodePanelTab(), vsCodePanelView(), vsCodeProgressRing(),
);

const state: DashboardState = parseDashboardState(getState());
const store = new SeriesStore();
let runs: RunMeta[] = [];
let meta = new Map<string, RunMeta>();
let zoom: [number, number] | undefined;
const colors = new Map<string, number>();

/** A run keeps its colour while selected; a newly selected run takes the first free one. */
function colorOf(id: string): number {
  let c = colors.get(id);
  if (c === undefined) {
    const used = new Set(colors.values());
    for (c = 0; used.has(c); c++);
    colors.set(id, c);
  }
  return c;
}

const labelOf = (id: string): string => meta.get(id)?.label ?? id;

function button(text: string, onClick: () => void, title = ''): HTMLElement {
  const b = el('vscode-button', { text, title });
  b.setAttribute('appearance', 'secondary');
  b.addEventListener('click', onClick);
  return b;
}

// Page skeleton.
const app = document.getElementById('app')!;
const smoothingValue = el('span', { className: 'value' });
const smoothing = document.createElement('input');
Object.assign(smoothing, { type: 'range', min: '0', max: '0.99', step: '0.01', value: String(state.smoothing) });
smoothing.setAttribute('aria-label', 'Smoothing');
const logBox = document.createElement('vscode-checkbox') as HTMLElement & { checked: boolean };
logBox.textContent = 'Log scale';
logBox.checked = state.logScale;
const toolbar = el('header', { className: 'toolbar' },
  el('div', { className: 'controls' },
    el('label', { className: 'smoothing' }, 'Smoothing', smoothing, smoothingValue),
    logBox,
    button('Reset zoom', () => setZoom(undefined), 'Or double-click a chart'),
    button('Export CSV', exportCsv, 'Step metrics of the selected runs'),
    button('Export Results', exportRunResults, 'One row per selected run: settings, final loss, top-1, duration'),
    button('Export PNG', exportPng, 'All charts as one image'),
  ),
);
const tabs: Record<DashboardTab, string> = { charts: 'Charts', params: 'Params', preview: 'Augmentations', map: 'Map', results: 'Results' };
const panels = document.createElement('vscode-panels') as HTMLElement & { activeid: string };
const views = {} as Record<DashboardTab, HTMLElement>;
for (const [id, title] of Object.entries(tabs) as [DashboardTab, string][]) {
  const tab = el('vscode-panel-tab', { text: title.toUpperCase() });
  tab.id = `tab-${id}`;
  panels.append(tab);
}
for (const id of Object.keys(tabs) as DashboardTab[]) {
  views[id] = el('vscode-panel-view', { className: `view view-${id}` });
  views[id].id = `view-${id}`;
  panels.append(views[id]);
}
const runList = el('aside', { className: 'runs' });
const runInfo = el('div', { className: 'run-info' });
const grid = el('div', { className: 'grid' });
const probes = el('section', { className: 'probes' });
views.charts.append(el('div', { className: 'layout' }, runList, el('div', { className: 'main' }, runInfo, grid, probes)));
const paramsView = el('div', { className: 'params' });
views.params.append(paramsView);
const previewImg = document.createElement('img');
previewImg.alt = 'Augmented views';
const previewCaption = el('p', { className: 'hint', text: 'Run "SupCon: Preview Augmented Views" to see what the augmentation does to the data.' });
const previewRing = el('vscode-progress-ring');
previewRing.hidden = true;
views.preview.append(el('div', { className: 'preview' }, previewCaption, previewRing, previewImg));
const mapView = new MapView(views.map, post);
let results: Extract<HostMessage, { type: 'results' }> | undefined;
const exportSweepResults = () => results && post({ type: 'export', kind: 'csv', fileName: `${results.sweepId}-results.csv`, data: results.csv });
renderResults(views.results, results, exportSweepResults);
app.append(toolbar, panels);
const charts = CHARTS.map((spec) => new ChartView(spec, grid, setZoom));

function save(): void {
  setState(state);
}

function selectedRuns() {
  return state.selected.map((id) => store.runs.get(id)).filter((r) => r !== undefined);
}

function setZoom(range?: [number, number]): void {
  zoom = range;
  scheduleDraw();
}

let drawPending = false;
let lastDrawEnd = 0;
let lastDrawMs = 0;
/** At most one draw per frame, and spaced by a few times the last draw's cost so huge runs stay responsive. */
function scheduleDraw(): void {
  if (drawPending) return;
  drawPending = true;
  const wait = Math.max(0, lastDrawEnd + 3 * lastDrawMs - performance.now());
  setTimeout(() => requestAnimationFrame(() => {
    drawPending = false;
    const t0 = performance.now();
    draw();
    lastDrawEnd = performance.now();
    lastDrawMs = lastDrawEnd - t0;
  }), wait);
}

function draw(): void {
  const sel = selectedRuns();
  const input = { runs: sel, colorOf, labelOf, smoothing: state.smoothing, logScale: state.logScale, zoom };
  for (const c of charts) c.update(input);
  renderRunInfo(runInfo, sel, meta, colorOf, (runId) => post({ type: 'stop', runId }), (runId) => post({ type: 'resume', runId }));
  mapView.update(sel, labelOf);
  renderProbeTable(probes, sel, labelOf);
  document.body.dataset.selected = String(sel.length);
}

function renderSelection(): void {
  for (const id of colors.keys()) if (!state.selected.includes(id)) colors.delete(id);
  renderRunList(runList, runs, state.selected, colorOf, toggle);
  renderParams(paramsView, state.selected.map((id) => meta.get(id)).filter((m) => m !== undefined));
  scheduleDraw();
}

function toggle(id: string, on: boolean): void {
  const next = on ? [...new Set([...state.selected, id])] : state.selected.filter((s) => s !== id);
  if (next.length === state.selected.length && next.every((s, i) => s === state.selected[i])) return;
  state.selected = next;
  save();
  post({ type: 'select', runIds: next });
  renderSelection();
}

function showTab(tab: DashboardTab): void {
  state.tab = tab;
  panels.activeid = `tab-${tab}`;
  toolbar.hidden = tab !== 'charts';
  mapView.setVisible(tab === 'map');
  save();
}

function exportCsv(): void {
  const sel = selectedRuns();
  if (!sel.length) return;
  post({ type: 'export', kind: 'csv', fileName: sel.length === 1 ? `${sel[0].id}.csv` : 'supcon-runs.csv', data: toCsv(sel) });
}

function exportRunResults(): void {
  const sel = selectedRuns();
  if (!sel.length) return;
  post({ type: 'export', kind: 'csv', fileName: 'supcon-results.csv', data: resultsCsv(sel, labelOf) });
}

function exportPng(): void {
  const sel = selectedRuns();
  const notes = exportNotes(CHARTS, state.smoothing, state.logScale);
  const data = chartsToPng(charts.map((c) => ({ id: c.spec.id, title: c.spec.title, canvas: c.canvas })), sel.map((r) => ({ label: labelOf(r.id), color: runColor(colorOf(r.id)) })), notes);
  post({ type: 'export', kind: 'png', fileName: sel.length === 1 ? `${sel[0].id}.png` : 'supcon-charts.png', data });
}

function handle(msg: HostMessage): void {
  switch (msg.type) {
    case 'runs': {
      runs = msg.runs;
      meta = new Map(runs.map((r) => [r.id, r]));
      state.selected = msg.selected;
      store.drop(new Set(msg.selected));
      save();
      renderSelection();
      break;
    }
    case 'events':
      store.apply(msg.runId, msg.events, msg.reset);
      scheduleDraw();
      break;
    case 'preview':
      previewRing.hidden = msg.status !== 'loading';
      previewCaption.textContent = msg.caption;
      previewCaption.className = msg.status === 'failed' ? 'error' : 'hint';
      previewImg.hidden = !msg.image;
      if (msg.image) previewImg.src = msg.image;
      break;
    case 'show':
      showTab(msg.tab);
      break;
    case 'map':
      mapView.onMessage(msg);
      break;
    case 'results':
      results = msg;
      renderResults(views.results, results, exportSweepResults);
      break;
  }
}

smoothingValue.textContent = state.smoothing.toFixed(2);
smoothing.addEventListener('input', () => {
  state.smoothing = Number(smoothing.value);
  smoothingValue.textContent = state.smoothing.toFixed(2);
  save();
  scheduleDraw();
});
logBox.addEventListener('change', () => {
  state.logScale = logBox.checked;
  save();
  scheduleDraw();
});
panels.addEventListener('change', () => {
  const tab = (panels.activeid ?? '').replace(/^tab-/, '') as DashboardTab;
  if (tab in tabs && tab !== state.tab) {
    showTab(tab);
    if (tab === 'charts') scheduleDraw();
  }
});
let cspViolations = 0;
document.addEventListener('securitypolicyviolation', (e) => {
  document.body.dataset.cspViolations = String(++cspViolations);
  document.body.dataset.cspBlocked = `${e.violatedDirective} ${e.blockedURI} at ${e.sourceFile}:${e.lineNumber}`;
  post({ type: 'error', message: `CSP blocked ${e.violatedDirective}: ${e.blockedURI || 'inline'}` });
});
window.addEventListener('error', (e) => post({ type: 'error', message: String(e.message) }));

onHostMessage((msg) => {
  try {
    handle(msg);
  } catch (e) {
    post({ type: 'error', message: `dashboard: ${(e as Error).message}` });
  }
});
showTab(state.tab);
post({ type: 'ready' });
