/**
 * How a run and a checkpoint read in the trees: label, description, icon,
 * tooltip and context value, as plain data (tested without VS Code).
 */
import type { RunConfig } from '../../protocol/config';
import type { RunState } from '../../protocol/messages';
import { isRunId } from '../../protocol/messages';
import type { CheckpointInfo, RunSummary } from '../../protocol/runFolder';
import { checkpointPosition } from '../../protocol/progress';
import { keySettings } from '../../protocol/runNaming';
import type { ProbeRecord } from '../../protocol/probes';
import type { RunProgress } from '../launch/liveRun';

export interface ItemModel {
  id: string;
  label: string;
  description: string;
  /** Codicon id and theme colour id. */
  icon: { id: string; color?: string };
  /** Markdown. */
  tooltip: string;
  contextValue: string;
}

/** The codicon and colour of each run state; the Sweeps view shows its points' runs with the same. */
export const RUN_STATE_ICONS: Record<RunState | 'unknown', { id: string; color?: string }> = {
  queued: { id: 'clock', color: 'charts.yellow' },
  running: { id: 'sync~spin', color: 'charts.blue' },
  completed: { id: 'pass', color: 'testing.iconPassed' },
  failed: { id: 'error', color: 'testing.iconFailed' },
  stopped: { id: 'debug-stop', color: 'charts.yellow' },
  interrupted: { id: 'warning', color: 'charts.orange' },
  unknown: { id: 'question', color: 'disabledForeground' },
};

/** "20261128-142501-supcon-fmnist-3fa2" -> "supcon-fmnist-3fa2". */
export function runLabel(id: string): string {
  return id.replace(/^\d{8}-\d{6}-/, '') || id;
}

/** "20261128-142501-..." -> "2026-11-28 14:25". */
export function runStartText(id: string): string {
  const m = /^(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})/.exec(id);
  return m ? `${m[1]}-${m[2]}-${m[3]} ${m[4]}:${m[5]}` : '';
}

export const pct = (v: number): string => `${(v * 100).toFixed(1)}%`;
const fmtLoss = (v: number): string => v.toPrecision(4);

/** Newest first: run ids start with their start time. */
export function sortRuns<T extends { id: string }>(runs: readonly T[]): T[] {
  return [...runs].sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
}

function escapeMd(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

export function runItemModel(run: RunSummary, live?: RunProgress, isLive = false): ItemModel {
  const state: RunState | 'unknown' = isLive ? 'running' : (run.status?.state ?? 'unknown');
  // Files of old or foreign runs may hold anything: read each field defensively.
  const c: Partial<RunConfig> = typeof run.config === 'object' && run.config !== null ? run.config : {};
  const s = run.status;
  const parts: string[] = [];
  const settings = keySettings(c);
  if (settings) parts.push(settings);
  const headline = typeof s?.top1Checkpoint === 'string' ? ` (${s.top1Checkpoint})` : '';
  if (isNum(s?.top1)) parts.push(`top-1 ${pct(s.top1)}${headline}`);
  else if (live?.loss !== undefined) parts.push(`loss ${fmtLoss(live.loss)}`);
  else if (isNum(s?.lastLoss)) parts.push(`loss ${fmtLoss(s.lastLoss)}`);
  if (state === 'running' && isNum(c.epochs)) parts.push(`epoch ${live?.epoch ?? (isNum(s?.epoch) ? s.epoch : 0) + 1}/${c.epochs}`);
  if (run.problem && !s) parts.push('unreadable');
  else if (!isRunId(run.id)) parts.push('renamed: read only');

  const tip = [`**${escapeMd(run.id)}**`, '', `State: ${state}`];
  const started = runStartText(run.id);
  if (started) tip.push(`Started: ${started}`);
  if (typeof s?.backend?.label === 'string') tip.push(`Backend: ${escapeMd(s.backend.label)}${s.backend.gpu ? ' (GPU)' : ''}`);
  if (isNum(s?.top1)) tip.push(`Probe top-1${escapeMd(headline)}: ${pct(s.top1)}`);
  const parent = s?.parent;
  if (typeof parent?.runId === 'string' && typeof parent.checkpoint === 'string')
    tip.push(`Forked from ${escapeMd(parent.runId)} at its checkpoint ${escapeMd(parent.checkpoint)}`);
  if (typeof s?.error === 'string') tip.push(`Error: ${escapeMd(s.error)}`);
  if (typeof s?.hint === 'string') tip.push(`Hint: ${escapeMd(s.hint)}`);
  if (run.problem) tip.push(`Problem: ${escapeMd(run.problem)}`);
  if (run.config) tip.push('', '```json', JSON.stringify(run.config, null, 2).replace(/`/g, "'"), '```');

  const flags = ['supconRun', `state-${state}`];
  if (isLive) flags.push('live');
  if (run.config) flags.push('hasConfig');
  return {
    id: run.id,
    label: runLabel(run.id),
    description: parts.join(' · '),
    icon: RUN_STATE_ICONS[state],
    // Two trailing spaces end a Markdown line, so each fact gets its own.
    tooltip: tip.join('  \n'),
    contextValue: flags.join(' '),
  };
}

/** The probe of this checkpoint among a run's records: same name, and the same step when the record has one (a replaced `last` is not its earlier self). */
export function probeOf(probes: unknown, cp: CheckpointInfo): ProbeRecord | undefined {
  if (!Array.isArray(probes)) return undefined;
  return (probes as ProbeRecord[]).find((p) => p?.checkpoint === cp.name && isNum(p.top1) && (p.globalStep === undefined || p.globalStep === cp.globalStep));
}

export function checkpointItemModel(runId: string, cp: CheckpointInfo, probe?: ProbeRecord): ItemModel {
  const parts = [checkpointPosition(cp)];
  if (cp.metric !== undefined) parts.push(fmtLoss(cp.metric));
  if (probe) parts.push(`probe top-1 ${pct(probe.top1)}`);
  const saved = cp.savedAt ? new Date(cp.savedAt).toLocaleString() : 'unknown';
  return {
    id: `${runId}/${cp.name}`,
    label: cp.name,
    description: parts.join(' · '),
    icon: { id: 'save' },
    tooltip: [
      `**${escapeMd(cp.name)}** of ${escapeMd(runId)}`,
      `Saved ${checkpointPosition(cp)} (global step ${cp.globalStep})`,
      cp.metric !== undefined ? `Metric: ${cp.metric}` : '',
      `Saved: ${escapeMd(saved)}`,
      probe
        ? `Probe top-1: ${pct(probe.top1)} (best ${pct(probe.bestTop1)} at probe epoch ${probe.bestEpoch + 1}; ${probe.epochs} epochs${isNum(probe.batchSize) ? `, batch ${probe.batchSize}` : ''}), ${escapeMd(new Date(probe.t).toLocaleString())}`
        : '',
    ]
      .filter(Boolean)
      .join('  \n'),
    contextValue: 'supconCheckpoint',
  };
}
