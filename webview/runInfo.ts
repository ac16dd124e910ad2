/** A strip of cards for the selected runs: state, backend, result, error and hint; Stop on a running run, Resume on an interrupted one. */
import type { RunMeta } from '../src/protocol/dashboard';
import { epochNumber, phaseText, stepProgressText } from '../src/protocol/progress';
import { secondsLeft, shownState, totalSteps } from '../src/protocol/runState';
import { el } from './dom';
import type { RunData } from './series';
import { runColor } from './theme';
import { button } from './toolkit';

/** The card's line: method, encoder and data; epoch and step with the time left; what runs between steps; the headline. */
function runFacts(f: RunData['fold'], config: RunMeta['config'] | undefined, state: string): string[] {
  const facts: string[] = [];
  if (config) facts.push([config.method, config.encoder, config.dataset?.kind].filter((v) => typeof v === 'string').join(' · '));
  if (f.epoch !== undefined && config) facts.push(`epoch ${epochNumber(f.epoch)}/${config.epochs}`);
  const total = totalSteps(f);
  if (f.globalStep !== undefined && total) facts.push(stepProgressText(f.globalStep, total, state === 'running' ? secondsLeft(f) : undefined));
  if (state === 'running' && f.phase) facts.push(phaseText(f.phase));
  else if (state === 'running' && f.probeEpoch !== undefined) facts.push(`linear probe epoch ${epochNumber(f.probeEpoch)}/${f.probeEpochs}`);
  if (f.top1 !== undefined) facts.push(`probe top-1 ${(f.top1 * 100).toFixed(2)}% (${f.top1Checkpoint ?? 'last'})`);
  return facts;
}

export function renderRunInfo(
  parent: HTMLElement,
  runs: readonly RunData[],
  meta: ReadonlyMap<string, RunMeta>,
  colorOf: (id: string) => number,
  onStop: (id: string) => void,
  onResume: (id: string) => void,
): void {
  parent.replaceChildren();
  for (const run of runs) {
    const m = meta.get(run.id);
    const f = run.fold;
    // the host, which sees the trainer's process, says when a run whose events say running was killed
    const state = shownState(f, m?.state) ?? 'unknown';
    const backend = f.backend ?? m?.backend;
    const swatch = el('span', { className: 'swatch' });
    swatch.style.background = runColor(colorOf(run.id));
    const head = el(
      'div',
      { className: 'info-head' },
      swatch,
      el('span', { className: 'run-label', text: m?.label ?? run.id, title: run.id }),
      el('span', { className: `state state-${state}`, text: state }),
    );
    const facts = runFacts(f, f.config ?? m?.config, state);
    const card = el('div', { className: `info-card state-border-${state}` }, head, el('div', { className: 'facts', text: facts.join('  ·  ') }));
    card.dataset.runId = run.id;
    card.dataset.state = state;
    if (backend) {
      const where = backend.gpu && backend.adapter ? ` on ${backend.adapter}` : '';
      const skipped = backend.skipped.map((s) => `${s.backend}: ${s.reason}`).join('\n');
      card.append(el('div', { className: 'backend', text: `Backend: ${backend.label}${where}`, title: skipped ? `Not used:\n${skipped}` : '' }));
    }
    if (f.error) {
      card.append(el('div', { className: 'error', text: f.error }));
      if (f.hint) card.append(el('div', { className: 'hint', text: f.hint }));
    }
    const action = state === 'running' ? { text: 'Stop', act: onStop } : state === 'interrupted' ? { text: 'Resume', act: onResume } : undefined;
    if (action) card.append(button(action.text, () => action.act(run.id)));
    parent.append(card);
  }
}
