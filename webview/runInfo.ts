/** A strip of cards for the selected runs: state, backend, result, error and hint. */
import type { RunMeta } from '../src/protocol/dashboard';
import { stepProgressText } from '../src/protocol/progress';
import { el } from './dom';
import type { RunData } from './series';
import { runColor } from './theme';
import { button } from './toolkit';

export function renderRunInfo(
  parent: HTMLElement,
  runs: readonly RunData[],
  meta: ReadonlyMap<string, RunMeta>,
  colorOf: (id: string) => number,
  onStop: (id: string) => void,
): void {
  parent.replaceChildren();
  for (const run of runs) {
    const m = meta.get(run.id);
    const state = run.state ?? m?.state ?? 'unknown';
    const backend = run.backend ?? m?.backend;
    const swatch = el('span', { className: 'swatch' });
    swatch.style.background = runColor(colorOf(run.id));
    const head = el('div', { className: 'info-head' }, swatch, el('span', { className: 'run-label', text: m?.label ?? run.id, title: run.id }), el('span', { className: `state state-${state}`, text: state }));
    const facts: string[] = [];
    const config = run.config ?? m?.config;
    if (config) facts.push([config.method, config.encoder, config.dataset?.kind].filter((f) => typeof f === 'string').join(' · '));
    const epoch = Math.max((run.epochOfStep.last() ?? -1) + 1, (run.lastEpoch ?? -1) + 1);
    if (epoch > 0 && config) facts.push(`epoch ${epoch}/${config.epochs}`);
    const step = run.steps.last();
    if (step !== undefined && run.stepsPerEpoch && config) {
      const total = run.stepsPerEpoch * config.epochs;
      facts.push(stepProgressText(step, total, state === 'running' ? run.pace.secondsLeft(total) : undefined));
    }
    if (run.top1 !== undefined) facts.push(`probe top-1 ${(run.top1 * 100).toFixed(2)}% (${run.top1Checkpoint ?? 'last'})`);
    const card = el('div', { className: `info-card state-border-${state}` }, head, el('div', { className: 'facts', text: facts.join('  ·  ') }));
    card.dataset.runId = run.id;
    card.dataset.state = state;
    if (backend) {
      const where = backend.gpu && backend.adapter ? ` on ${backend.adapter}` : '';
      const skipped = backend.skipped.map((s) => `${s.backend}: ${s.reason}`).join('\n');
      card.append(el('div', { className: 'backend', text: `Backend: ${backend.label}${where}`, title: skipped ? `Not used:\n${skipped}` : '' }));
    }
    if (run.error) {
      card.append(el('div', { className: 'error', text: run.error }));
      if (run.hint) card.append(el('div', { className: 'hint', text: run.hint }));
    }
    if (state === 'running') {
      card.append(button('Stop', () => onStop(run.id)));
    }
    parent.append(card);
  }
}
