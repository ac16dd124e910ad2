/** The dashboard's charts: what each one plots and how its values read. */
import type { DiagnosticMetric } from './representation';
import type { StepMetric } from './series';

export type LineSource = StepMetric | DiagnosticMetric | 'probeTestAcc' | 'probeTrainAcc';

export interface LineSpec {
  label: string;
  source: LineSource;
  dash?: number[];
}

export interface ChartSpec {
  id: string;
  title: string;
  /** x axis: global step, or probe epoch for the probe chart. */
  x: 'step' | 'probeEpoch';
  xLabel: string;
  lines: LineSpec[];
  /** With smoothing on: raw line faded under the smoothed one, only the smoothed one, or no smoothing. */
  smooth: 'both' | 'smoothed' | 'none';
  /** Obeys the log-scale switch. */
  log: boolean;
  /** Hover and header values. */
  format: (v: number) => string;
  /** Axis ticks, when they need other than the compact default. */
  tick?: (v: number) => string;
}

/** Short axis labels: 3 significant digits, exponents for very small or large values. */
export function compactTick(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a < 1e-3 || a >= 1e5) return v.toExponential(1).replace('.0e', 'e');
  return String(Number(v.toPrecision(3)));
}

const percent = (v: number): string => `${(v * 100).toFixed(1)}%`;
/**
 * Which ticks of a log axis get a label: 1, 2 and 5 times a power of ten, so a
 * range inside one decade is still labelled; null leaves a tick unlabelled.
 */
export function logTickFilter(splits: readonly number[]): (number | null)[] {
  const kept = splits.map((v) => {
    if (!(v > 0)) return null;
    const mantissa = Number((v / 10 ** Math.floor(Math.log10(v) + 1e-9)).toPrecision(3));
    return mantissa === 1 || mantissa === 2 || mantissa === 5 ? v : null;
  });
  // fewer than two labels cannot show a scale: label every tick
  return kept.filter((v) => v !== null).length >= 2 ? kept : splits.map((v) => (v > 0 ? v : null));
}

/**
 * A legend value: blank while the cursor is off the data (an idle chart, or
 * one with no data yet, reads "step" rather than "step: —"), a dash where the
 * cursor's point has no value for this line, else the value formatted.
 */
export function legendValue(v: number | null, idx: number | null, format: (v: number) => string): string {
  if (v != null) return format(v);
  return idx == null ? '' : '—';
}

/** A chart header: the latest raw value, and the smoothed one labelled as such. */
export function latestText(raw: number | undefined, smoothed: number | undefined, format: (v: number) => string): string {
  const parts: string[] = [];
  if (raw !== undefined && Number.isFinite(raw)) parts.push(format(raw));
  if (smoothed !== undefined && Number.isFinite(smoothed)) parts.push(`smoothed ${format(smoothed)}`);
  return parts.join(' · ');
}

/**
 * Legend and hover name of a line: a smoothed line says so, so it is never
 * read as a raw value. `run` is the run's label when the chart shows several
 * runs; with one, its card above the charts names it, and the line is named
 * by what it plots.
 */
export function lineName(spec: ChartSpec, line: LineSpec, run: string | undefined, smoothed: boolean): string {
  const what = spec.lines.length > 1 ? line.label : run === undefined ? spec.title : '';
  const name = [what, run].filter(Boolean).join(' ');
  return smoothed ? `${name} (smoothed)` : name;
}

/** The notes an exported image carries: each chart's axes and line styles, and the smoothing. */
export function exportNotes(specs: readonly ChartSpec[], smoothing: number, logScale: boolean): { axes: Record<string, string>; key: string; smoothing: string } {
  const axes = Object.fromEntries(specs.map((c) => [c.id, `x: ${c.xLabel}, y: ${c.title.toLowerCase()}${c.log && logScale ? ' (log scale)' : ''}`]));
  const dashed = specs.flatMap((c) => c.lines.filter((l) => l.dash).map((l) => `${l.label} (${c.title.toLowerCase()})`));
  const solid = specs.flatMap((c) => (c.lines.some((l) => l.dash) ? c.lines.filter((l) => !l.dash).map((l) => `${l.label} (${c.title.toLowerCase()})`) : []));
  return {
    axes,
    key: `solid: ${solid.join(', ')}; dashed: ${dashed.join(', ')}`,
    smoothing: smoothing > 0 ? `Smoothing ${smoothing.toFixed(2)}: debiased exponential moving average; faint lines are the raw values.` : 'No smoothing: raw values.',
  };
}

const sig = (v: number): string => (Math.abs(v) >= 1000 ? v.toFixed(0) : v.toPrecision(4));

export const CHARTS: ChartSpec[] = [
  { id: 'loss', title: 'Loss', x: 'step', xLabel: 'step', lines: [{ label: 'loss', source: 'loss' }], smooth: 'both', log: true, format: sig },
  {
    id: 'similarity',
    title: 'Positive vs negative similarity',
    x: 'step',
    xLabel: 'step',
    lines: [
      { label: 'pos', source: 'posSim' },
      { label: 'neg', source: 'negSim', dash: [5, 4] },
    ],
    smooth: 'smoothed',
    log: false,
    format: (v) => v.toFixed(3),
  },
  { id: 'lr', title: 'Learning rate', x: 'step', xLabel: 'step', lines: [{ label: 'lr', source: 'lr' }], smooth: 'none', log: true, format: (v) => v.toExponential(2) },
  {
    id: 'imagesPerSec',
    title: 'Images / s',
    x: 'step',
    xLabel: 'step',
    lines: [{ label: 'img/s', source: 'imagesPerSec' }],
    smooth: 'both',
    log: false,
    format: (v) => v.toFixed(0),
  },
  {
    id: 'probe',
    title: 'Linear probe accuracy',
    x: 'probeEpoch',
    xLabel: 'probe epoch',
    lines: [
      { label: 'test', source: 'probeTestAcc' },
      { label: 'train', source: 'probeTrainAcc', dash: [5, 4] },
    ],
    smooth: 'none',
    log: false,
    format: (v) => `${(v * 100).toFixed(1)}%`,
    tick: (v) => `${Math.round(v * 100)}%`,
  },
  // representation diagnostics, measured once an epoch on a fixed test subset
  {
    id: 'knn',
    title: 'kNN monitor top-1',
    x: 'step',
    xLabel: 'step',
    lines: [{ label: 'kNN', source: 'knnTop1' }],
    smooth: 'none',
    log: false,
    format: percent,
    tick: (v) => `${Math.round(v * 100)}%`,
  },
  {
    id: 'alignment',
    title: 'Alignment (lower: positives closer)',
    x: 'step',
    xLabel: 'step',
    lines: [
      { label: 'views', source: 'alignment' },
      { label: 'same class', source: 'classAlignment', dash: [5, 4] },
    ],
    smooth: 'none',
    log: false,
    format: (v) => v.toFixed(3),
  },
  {
    id: 'uniformity',
    title: 'Uniformity (0: collapsed, lower: spread)',
    x: 'step',
    xLabel: 'step',
    lines: [{ label: 'uniformity', source: 'uniformity' }],
    smooth: 'none',
    log: false,
    format: (v) => v.toFixed(3),
  },
  {
    id: 'effectiveRank',
    title: 'Effective rank of the embeddings',
    x: 'step',
    xLabel: 'step',
    lines: [{ label: 'rank', source: 'effectiveRank' }],
    smooth: 'none',
    log: false,
    format: (v) => v.toFixed(2),
  },
  {
    id: 'stdMean',
    title: 'Mean per-dimension std (near 0: collapse)',
    x: 'step',
    xLabel: 'step',
    lines: [{ label: 'std', source: 'stdMean' }],
    smooth: 'none',
    log: true,
    format: (v) => v.toPrecision(3),
  },
];
