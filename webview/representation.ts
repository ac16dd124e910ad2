/**
 * A run's representation diagnostics as the dashboard keeps them: columns per
 * metric for the charts (x: the global step), the class-similarity matrix of
 * each measured epoch for the heat map, and the epoch each checkpoint holds, for
 * the map. Pure (no DOM).
 */
import type { Diagnostics } from '../src/protocol/messages';
import { Column } from './column';

export const DIAGNOSTIC_METRICS = ['knnTop1', 'alignment', 'classAlignment', 'uniformity', 'effectiveRank', 'stdMean'] as const;
export type DiagnosticMetric = (typeof DIAGNOSTIC_METRICS)[number];

export const isDiagnosticMetric = (s: string): s is DiagnosticMetric => (DIAGNOSTIC_METRICS as readonly string[]).includes(s);

export interface RepresentationData {
  steps: Column;
  epochs: Column;
  metrics: Record<DiagnosticMetric, Column>;
  /** The latest measurement of each epoch, by completed epochs. */
  byEpoch: Map<number, Diagnostics>;
  /** Checkpoint name -> the completed epochs it holds now. */
  checkpoints: Map<string, number>;
}

export function emptyRepresentation(): RepresentationData {
  const metrics = Object.fromEntries(DIAGNOSTIC_METRICS.map((m) => [m, new Column(16)])) as Record<DiagnosticMetric, Column>;
  return { steps: new Column(16), epochs: new Column(16), metrics, byEpoch: new Map(), checkpoints: new Map() };
}

/** Adds a measurement; one at or before the last step (a resume from an earlier checkpoint) replaces those from there on. */
export function ingestDiagnostics(r: RepresentationData, d: Diagnostics): void {
  if ((r.steps.last() ?? -Infinity) >= d.globalStep) {
    const from = r.steps.lowerBound(d.globalStep);
    for (const c of [r.steps, r.epochs, ...Object.values(r.metrics)]) c.truncate(from);
  }
  r.steps.push(d.globalStep);
  r.epochs.push(d.epoch);
  for (const m of DIAGNOSTIC_METRICS) r.metrics[m].push(d[m] ?? NaN);
  r.byEpoch.set(d.epoch, d);
}

export function noteCheckpoint(r: RepresentationData, name: string, epoch: number): void {
  r.checkpoints.set(name, epoch);
}

const RANK = (name: string): number => (/^epoch-\d+$/.test(name) ? 0 : name === 'last' ? 1 : 2);

/** One checkpoint per epoch held, ascending by epoch: a numbered one where there is one, else last, else best. */
export function mapCheckpoints(r: RepresentationData): { epoch: number; name: string }[] {
  const byEpoch = new Map<number, string>();
  for (const [name, epoch] of r.checkpoints) {
    const held = byEpoch.get(epoch);
    if (held === undefined || RANK(name) < RANK(held)) byEpoch.set(epoch, name);
  }
  return [...byEpoch].sort((a, b) => a[0] - b[0]).map(([epoch, name]) => ({ epoch, name }));
}
