/**
 * The dashboard's page skeleton: the toolbar (smoothing, log scale, zoom,
 * exports), the tabs and their views, and the Charts tab's layout (run list,
 * run cards, chart grid, probe table). Built once; what fills it is drawn by
 * the views.
 */
import type { DashboardTab } from '../src/protocol/dashboard';
import { el } from './dom';
import { button, checkbox, tabbedViews } from './toolkit';

const TAB_TITLES: Record<DashboardTab, string> = { charts: 'Charts', params: 'Params', preview: 'Augmentations', map: 'Map', results: 'Results' };

/** What the toolbar's controls and the tabs ask for. */
export interface PageActions {
  smoothing(value: number): void;
  logScale(on: boolean): void;
  resetZoom(): void;
  exportSteps(): void;
  exportResults(): void;
  exportCharts(): void;
  /** A tab the user picked. */
  tab(tab: DashboardTab): void;
}

export interface Page {
  views: Record<DashboardTab, HTMLElement>;
  runList: HTMLElement;
  runInfo: HTMLElement;
  grid: HTMLElement;
  probes: HTMLElement;
  params: HTMLElement;
  /** Shows a tab; the toolbar belongs to the Charts tab. */
  show(tab: DashboardTab): void;
}

const isTab = (id: string): id is DashboardTab => id in TAB_TITLES;

export function buildPage(app: HTMLElement, initial: { smoothing: number; logScale: boolean }, on: PageActions): Page {
  const smoothingValue = el('span', { className: 'value', text: initial.smoothing.toFixed(2) });
  const smoothing = document.createElement('input');
  Object.assign(smoothing, { type: 'range', min: '0', max: '0.99', step: '0.01', value: String(initial.smoothing) });
  smoothing.setAttribute('aria-label', 'Smoothing');
  smoothing.addEventListener('input', () => {
    const value = Number(smoothing.value);
    smoothingValue.textContent = value.toFixed(2);
    on.smoothing(value);
  });
  const logBox = checkbox(initial.logScale, 'Log scale');
  logBox.addEventListener('change', () => on.logScale(logBox.checked));
  const toolbar = el(
    'header',
    { className: 'toolbar' },
    el(
      'div',
      { className: 'controls' },
      el('label', { className: 'smoothing' }, 'Smoothing', smoothing, smoothingValue),
      logBox,
      button('Reset zoom', () => on.resetZoom(), 'Or double-click a chart'),
      button('Export CSV', () => on.exportSteps(), 'Step metrics of the selected runs'),
      button('Export Results', () => on.exportResults(), 'One row per selected run: settings, final loss, top-1, duration'),
      button('Export PNG', () => on.exportCharts(), 'All charts as one image'),
    ),
  );
  const panels = tabbedViews(TAB_TITLES, (id) => `view view-${id}`);
  const views = panels.views;
  panels.onSelect((tab) => {
    if (isTab(tab)) on.tab(tab);
  });
  const runList = el('aside', { className: 'runs' });
  const runInfo = el('div', { className: 'run-info' });
  const grid = el('div', { className: 'grid' });
  const probes = el('section', { className: 'probes' });
  views.charts.append(el('div', { className: 'layout' }, runList, el('div', { className: 'main' }, runInfo, grid, probes)));
  const params = el('div', { className: 'params' });
  views.params.append(params);
  app.append(toolbar, panels.element);
  return {
    views,
    runList,
    runInfo,
    grid,
    probes,
    params,
    show(tab) {
      panels.select(tab);
      toolbar.hidden = tab !== 'charts';
    },
  };
}
