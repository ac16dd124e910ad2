/**
 * The one module that knows the UI toolkit, @vscode/webview-ui-toolkit
 * (archived upstream): it registers the components and builds each control
 * the dashboard uses, so a move to another toolkit (@vscode-elements/elements)
 * rewrites this file and the element selectors in styles.css.
 */
import {
  provideVSCodeDesignSystem,
  vsCodeButton,
  vsCodeCheckbox,
  vsCodeDataGrid,
  vsCodeDataGridCell,
  vsCodeDataGridRow,
  vsCodePanels,
  vsCodePanelTab,
  vsCodePanelView,
  vsCodeProgressRing,
} from '@vscode/webview-ui-toolkit';
import { el } from './dom';

provideVSCodeDesignSystem().register(
  vsCodeButton(),
  vsCodeCheckbox(),
  vsCodeDataGrid(),
  vsCodeDataGridCell(),
  vsCodeDataGridRow(),
  vsCodePanels(),
  vsCodePanelTab(),
  vsCodePanelView(),
  vsCodeProgressRing(),
);

/** A secondary button. */
export function button(text: string, onClick: () => void, title = ''): HTMLElement {
  const b = el('vscode-button', { text, title });
  b.setAttribute('appearance', 'secondary');
  b.addEventListener('click', onClick);
  return b;
}

export type Checkbox = HTMLElement & { checked: boolean };

/** A checkbox, its label `text` (none: label it with aria-label). */
export function checkbox(checked: boolean, text = ''): Checkbox {
  const box = document.createElement('vscode-checkbox') as Checkbox;
  box.textContent = text;
  box.checked = checked;
  return box;
}

export function progressRing(): HTMLElement {
  return el('vscode-progress-ring');
}

/** Tabs over views: `select(id)` shows one; `onSelect` hears the user's choice. */
export function tabbedViews<Id extends string>(titles: Record<Id, string>, className: (id: Id) => string) {
  const panels = document.createElement('vscode-panels') as HTMLElement & { activeid: string };
  const views = {} as Record<Id, HTMLElement>;
  const ids = Object.keys(titles) as Id[];
  for (const id of ids) {
    const tab = el('vscode-panel-tab', { text: titles[id].toUpperCase() });
    tab.id = `tab-${id}`;
    panels.append(tab);
  }
  for (const id of ids) {
    views[id] = el('vscode-panel-view', { className: className(id) });
    views[id].id = `view-${id}`;
    panels.append(views[id]);
  }
  return {
    element: panels,
    views,
    select: (id: Id) => (panels.activeid = `tab-${id}`),
    onSelect: (listener: (id: Id) => void) => panels.addEventListener('change', () => listener((panels.activeid ?? '').replace(/^tab-/, '') as Id)),
  };
}

/** A read-only grid with a sticky header: one column per key of `columns`, in order. */
export function dataGrid(label: string, columns: { key: string; title: string }[], rows: Record<string, string>[]): HTMLElement {
  const grid = document.createElement('vscode-data-grid') as HTMLElement & {
    rowsData: Record<string, string>[];
    columnDefinitions: { columnDataKey: string; title: string }[];
  };
  grid.setAttribute('aria-label', label);
  grid.setAttribute('generate-header', 'sticky');
  grid.columnDefinitions = columns.map((c) => ({ columnDataKey: c.key, title: c.title }));
  grid.rowsData = rows;
  return grid;
}
