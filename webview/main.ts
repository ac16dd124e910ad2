/**
 * Dashboard entry: builds the page, keeps the selected runs' series
 * (SeriesStore) fed by the host's event batches, keeps the selection, tab,
 * smoothing and log scale (restored across reloads), and redraws the views.
 */
import 'uplot/dist/uPlot.min.css';
import './styles.css';
import { DashboardState, DashboardTab, HostMessage, parseDashboardState, RunMeta } from '../src/protocol/dashboard';
import { CHARTS } from './chartSpecs';
import { ChartView } from './chartView';
import { drawScheduler } from './drawScheduler';
import { chartsExport, resultsExport, stepsExport } from './exports';
import { MapView } from './mapView';
import { buildPage } from './page';
import { renderParams } from './paramsTable';
import { PreviewView } from './previewView';
import { renderProbeTable } from './probeTable';
import { renderResults } from './resultsView';
import { RunColors } from './runColors';
import { renderRunInfo } from './runInfo';
import { renderRunList } from './runList';
import { SeriesStore } from './series';
import { getState, onHostMessage, post, setState } from './vscodeApi';

const state: DashboardState = parseDashboardState(getState());
const store = new SeriesStore();
const colors = new RunColors();
let runs: RunMeta[] = [];
let meta = new Map<string, RunMeta>();
let zoom: [number, number] | undefined;
let results: Extract<HostMessage, { type: 'results' }> | undefined;

const labelOf = (id: string): string => meta.get(id)?.label ?? id;
const save = (): void => setState(state);
const selectedRuns = () => state.selected.map((id) => store.runs.get(id)).filter((r) => r !== undefined);

const page = buildPage(document.getElementById('app')!, state, {
  smoothing(value) {
    state.smoothing = value;
    save();
    scheduleDraw();
  },
  logScale(on) {
    state.logScale = on;
    save();
    scheduleDraw();
  },
  resetZoom: () => setZoom(undefined),
  exportSteps: () => send(stepsExport(selectedRuns())),
  exportResults: () => send(resultsExport(selectedRuns(), labelOf)),
  exportCharts: () => post(chartsExport(selectedRuns(), charts, { ...state, labelOf, colorOf: colors.colorOf })),
  tab(tab) {
    if (tab === state.tab) return;
    showTab(tab);
    if (tab === 'charts') scheduleDraw();
  },
});
const preview = new PreviewView(page.views.preview);
const mapView = new MapView(page.views.map, post);
const exportSweepResults = () => results && post({ type: 'export', kind: 'csv', fileName: `${results.sweepId}-results.csv`, data: results.csv });
renderResults(page.views.results, results, exportSweepResults);
const charts = CHARTS.map((spec) => new ChartView(spec, page.grid, setZoom));
const scheduleDraw = drawScheduler(draw);

function send(message: Parameters<typeof post>[0] | undefined): void {
  if (message) post(message);
}

function setZoom(range?: [number, number]): void {
  zoom = range;
  scheduleDraw();
}

function draw(): void {
  const sel = selectedRuns();
  const input = { runs: sel, colorOf: colors.colorOf, labelOf, smoothing: state.smoothing, logScale: state.logScale, zoom };
  for (const c of charts) c.update(input);
  renderRunInfo(
    page.runInfo,
    sel,
    meta,
    colors.colorOf,
    (runId) => post({ type: 'stop', runId }),
    (runId) => post({ type: 'resume', runId }),
  );
  mapView.update(sel, labelOf);
  renderProbeTable(page.probes, sel, labelOf);
  document.body.dataset.selected = String(sel.length);
}

function renderSelection(): void {
  colors.keep(state.selected);
  renderRunList(page.runList, runs, state.selected, colors.colorOf, toggle);
  renderParams(
    page.params,
    state.selected.map((id) => meta.get(id)).filter((m) => m !== undefined),
  );
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
  page.show(tab);
  mapView.setVisible(tab === 'map');
  save();
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
      preview.show(msg);
      break;
    case 'show':
      showTab(msg.tab);
      break;
    case 'map':
      mapView.onMessage(msg);
      break;
    case 'results':
      results = msg;
      renderResults(page.views.results, results, exportSweepResults);
      break;
  }
}

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
