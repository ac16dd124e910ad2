/** The run picker: a checkbox per run, newest first, with its state and colour. */
import type { RunMeta } from '../src/protocol/dashboard';
import { el } from './dom';
import { runColor } from './theme';
import { checkbox } from './toolkit';

/** Beyond this many runs the list shows the newest and the selected ones. */
const SHOWN = 200;

export function renderRunList(
  parent: HTMLElement,
  runs: readonly RunMeta[],
  selected: readonly string[],
  colorOf: (id: string) => number,
  onToggle: (id: string, on: boolean) => void,
): void {
  const sel = new Set(selected);
  const shown = runs.filter((r, i) => i < SHOWN || sel.has(r.id));
  parent.replaceChildren(el('h4', { text: `Runs (${runs.length})` }));
  if (!runs.length) {
    parent.append(el('p', { className: 'hint', text: 'No runs yet. Start one with "SupCon: Start SupCon Run".' }));
    return;
  }
  for (const run of shown) {
    const box = checkbox(sel.has(run.id));
    box.dataset.runId = run.id;
    box.setAttribute('aria-label', run.label);
    box.addEventListener('change', () => onToggle(run.id, box.checked));
    const swatch = el('span', { className: 'swatch' });
    if (sel.has(run.id)) swatch.style.background = runColor(colorOf(run.id));
    const state = run.state ?? 'unknown';
    const label = el('span', { className: 'run-label', text: run.label, title: run.id });
    // The whole row toggles, not only the box.
    label.addEventListener('click', () => box.click());
    parent.append(el('div', { className: 'run-row' }, box, swatch, label, el('span', { className: `state state-${state}`, text: state })));
  }
  if (shown.length < runs.length) parent.append(el('p', { className: 'hint', text: `${runs.length - shown.length} older runs: select them in the Runs view.` }));
}
