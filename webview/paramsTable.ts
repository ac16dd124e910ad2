/** The params tab: a data grid of the config fields that differ between the selected runs. */
import type { RunMeta } from '../src/protocol/dashboard';
import { el } from './dom';
import { paramsDiff } from './paramsDiff';
import { dataGrid } from './toolkit';

export function renderParams(parent: HTMLElement, runs: readonly RunMeta[]): void {
  const withConfig = runs.filter((r) => r.config);
  if (!withConfig.length) {
    parent.replaceChildren(el('p', { className: 'hint', text: 'Select runs to compare their configs.' }));
    return;
  }
  const rows = paramsDiff(withConfig.map((r) => r.config));
  const note =
    withConfig.length > 1
      ? rows.length
        ? `${rows.length} ${rows.length === 1 ? 'field differs' : 'fields differ'} between ${withConfig.length} runs.`
        : `The ${withConfig.length} runs have the same config.`
      : 'Config of the selected run.';
  const grid = dataGrid(
    'Config fields',
    [{ key: 'field', title: 'Field' }, ...withConfig.map((r, i) => ({ key: `r${i}`, title: r.label }))],
    rows.map((row) => Object.fromEntries([['field', row.field], ...row.values.map((v, i) => [`r${i}`, v])])),
  );
  parent.replaceChildren(el('p', { className: 'hint', text: note }), grid);
}
