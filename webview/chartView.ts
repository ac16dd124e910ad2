/**
 * One uPlot chart card. Each draw aligns the selected runs' series to the
 * visible x range at about one bucket per pixel, so the cost does not grow
 * with the length of a run. The card's data-points / data-drawn attributes
 * say how many raw points it holds and how many it drew.
 */
import uPlot from 'uplot';
import { alignSeries, XY } from './downsample';
import { Ema } from './ema';
import { ChartSpec, compactTick, latestText, legendValue, LineSpec, lineName, logTickFilter } from './chartSpecs';
import { isDiagnosticMetric } from './representation';
import type { RunData } from './series';
import { chartTheme, faded, runColor } from './theme';
import type { Column } from './column';

export interface ChartInput {
  runs: RunData[];
  /** Colour index of each run, stable while it stays selected. */
  colorOf: (runId: string) => number;
  labelOf: (runId: string) => string;
  smoothing: number;
  logScale: boolean;
  zoom?: [number, number];
}

interface Line {
  run: RunData;
  spec: LineSpec;
  smoothed: boolean;
  faded: boolean;
}

const HEIGHT = 200;
/** x is a step or epoch count: ticks on whole numbers only. */
const INTEGER_INCRS = [1, 2, 5].flatMap((m) => [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7].map((p) => m * p)).sort((a, b) => a - b);
const smoothers = new WeakMap<RunData, Map<string, Ema>>();

function smoothedColumn(run: RunData, source: string, src: Column, weight: number): Float64Array {
  let byKey = smoothers.get(run);
  if (!byKey) smoothers.set(run, (byKey = new Map()));
  const key = `${source}@${weight}`;
  let ema = byKey.get(key);
  if (!ema) byKey.set(key, (ema = new Ema(weight)));
  return ema.extend(src);
}

function sourceXY(run: RunData, line: Line, weight: number): XY {
  const s = line.spec.source;
  if (s === 'probeTestAcc' || s === 'probeTrainAcc') return { x: run.probeEpoch.view(), y: run[s].view() };
  if (isDiagnosticMetric(s)) return { x: run.representation.steps.view(), y: run.representation.metrics[s].view() };
  const col = run.metrics[s];
  return { x: run.steps.view(), y: line.smoothed ? smoothedColumn(run, s, col, weight) : col.view() };
}

export class ChartView {
  readonly element: HTMLElement;
  private readonly plotEl: HTMLElement;
  private readonly latestEl: HTMLElement;
  private plot?: uPlot;
  private structure = '';
  private lastDraw = '';
  private input?: ChartInput;

  constructor(
    readonly spec: ChartSpec,
    parent: HTMLElement,
    private readonly onZoom: (range?: [number, number]) => void,
  ) {
    this.element = document.createElement('section');
    this.element.className = 'card';
    this.element.dataset.metric = spec.id;
    this.element.dataset.points = '0';
    this.element.dataset.drawn = '0';
    const header = document.createElement('header');
    const title = document.createElement('h3');
    title.textContent = spec.title;
    this.latestEl = document.createElement('span');
    this.latestEl.className = 'latest';
    header.append(title, this.latestEl);
    this.plotEl = document.createElement('div');
    this.plotEl.className = 'plot';
    this.element.append(header, this.plotEl);
    parent.append(this.element);
    new ResizeObserver(() => this.resize()).observe(this.plotEl);
  }

  get canvas(): HTMLCanvasElement | undefined {
    return this.plot?.ctx.canvas;
  }

  update(input: ChartInput): void {
    this.input = input;
    const width = Math.max(200, this.plotEl.clientWidth);
    const lines = this.linesFor(input);
    const structure = JSON.stringify([lines.map((l) => [l.run.id, input.labelOf(l.run.id), l.spec.source, l.smoothed, l.faded, input.colorOf(l.run.id)]), this.useLog(input)]);
    const drawKey = JSON.stringify([structure, width, input.runs.map((r) => r.version), input.smoothing, this.spec.x === 'step' ? input.zoom : null]);
    if (drawKey === this.lastDraw) return;
    this.lastDraw = drawKey;
    if (structure !== this.structure || !this.plot) {
      this.rebuild(lines, input, width);
      this.structure = structure;
    } else if (this.plot.width !== width) {
      this.plot.setSize({ width, height: HEIGHT });
    }
    this.draw(lines, input, width);
  }

  private useLog(input: ChartInput): boolean {
    return this.spec.log && input.logScale;
  }

  private linesFor(input: ChartInput): Line[] {
    const smoothing = this.spec.smooth !== 'none' && input.smoothing > 0;
    const lines: Line[] = [];
    for (const run of input.runs) {
      for (const spec of this.spec.lines) {
        if (smoothing && this.spec.smooth === 'both') lines.push({ run, spec, smoothed: false, faded: true });
        lines.push({ run, spec, smoothed: smoothing, faded: false });
      }
    }
    return lines;
  }

  private draw(lines: Line[], input: ChartInput, width: number): void {
    const xy = lines.map((l) => sourceXY(l.run, l, input.smoothing));
    const range = this.spec.x === 'step' ? input.zoom : undefined;
    const aligned = alignSeries(xy, Math.max(50, Math.floor(width)), range);
    const log = this.useLog(input);
    const ys = log ? aligned.ys.map((y) => y.map((v) => (v !== null && v > 0 ? v : null))) : aligned.ys;
    this.plot!.setData([aligned.x, ...ys] as uPlot.AlignedData, true);
    const raw = lines.filter((l) => !l.smoothed).length ? xy.filter((_, i) => !lines[i].smoothed) : xy;
    this.element.dataset.points = String(raw.reduce((n, s) => n + s.x.length, 0));
    this.element.dataset.drawn = String(aligned.x.length);
    this.element.classList.toggle('empty', aligned.x.length === 0);
    this.showLatest(lines, xy, input);
  }

  /** With one run, the header shows the latest raw value of the first line, and its smoothed value labelled. */
  private showLatest(lines: Line[], xy: XY[], input: ChartInput): void {
    const last = (y: Float64Array | ArrayLike<number>) => (y.length ? y[y.length - 1] : undefined);
    if (new Set(lines.map((l) => l.run.id)).size !== 1 || !lines.length) {
      this.latestEl.textContent = '';
      return;
    }
    const first = lines[0];
    const smoothed = lines.find((l) => l.spec === first.spec && l.smoothed);
    const raw = first.run.metrics[first.spec.source as keyof RunData['metrics']];
    const rawY = raw ? raw.view() : xy[0].y;
    this.latestEl.textContent = latestText(last(rawY), smoothed ? last(xy[lines.indexOf(smoothed)].y) : undefined, this.spec.format);
    this.latestEl.title = smoothed ? `Latest value; smoothed with weight ${input.smoothing.toFixed(2)}` : 'Latest value';
  }

  private rebuild(lines: Line[], input: ChartInput, width: number): void {
    this.plot?.destroy();
    const theme = chartTheme();
    const axis: uPlot.Axis = {
      stroke: theme.foreground,
      font: theme.font,
      grid: { stroke: theme.grid, width: 1 },
      ticks: { stroke: theme.grid, width: 1 },
    };
    const series: uPlot.Series[] = [{ label: this.spec.xLabel, value: (_u, v, _si, idx) => legendValue(v, idx, (x) => String(Math.round(x))) }];
    const severalRuns = new Set(lines.map((l) => l.run.id)).size > 1;
    for (const l of lines) {
      const color = runColor(input.colorOf(l.run.id));
      series.push({
        label: lineName(this.spec, l.spec, severalRuns ? input.labelOf(l.run.id) : undefined, l.smoothed),
        class: [l.faded ? 'raw' : '', l.spec.dash ? 'dashed' : ''].filter(Boolean).join(' ') || undefined,
        show: true,
        spanGaps: true,
        stroke: l.faded ? faded(color, 0.3) : color,
        width: l.faded ? 1 : 1.5,
        dash: l.spec.dash,
        // Dots only while a line has too few points to read as one.
        points: { show: (_u, _si, i0, i1) => !l.faded && i1 - i0 < 12, size: 5 },
        value: (_u, v, _si, idx) => legendValue(v, idx, this.spec.format),
      });
    }
    const log = this.useLog(input);
    this.plot = new uPlot(
      {
        width,
        height: HEIGHT,
        series,
        scales: { x: { time: false }, y: log ? { distr: 3, log: 10 } : { auto: true } },
        axes: [
          { ...axis, incrs: INTEGER_INCRS, label: this.spec.xLabel, labelSize: 16, labelFont: theme.font },
          {
            ...axis,
            size: 56,
            // between decades too: a loss that moves inside one decade still reads
            ...(log ? { filter: (_u: uPlot, splits: number[]) => logTickFilter(splits) } : {}),
            values: (_u, vals) => vals.map((v) => (v == null ? '' : (this.spec.tick ?? compactTick)(v))),
          },
        ],
        legend: { live: true },
        // Zoom is ours, not uPlot's: a drag selects an x range and the next draw re-aligns the data inside it.
        cursor: { drag: { x: true, y: false, setScale: false }, bind: { dblclick: () => null }, sync: { key: this.spec.x } },
        hooks: {
          setSelect: [
            (u) => {
              const { left, width } = u.select;
              if (width < 2) return;
              const range: [number, number] = [u.posToVal(left, 'x'), u.posToVal(left + width, 'x')];
              u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
              if (this.spec.x === 'step') this.onZoom(range);
              else u.setScale('x', { min: range[0], max: range[1] });
            },
          ],
          ready: [(u) => u.over.addEventListener('dblclick', () => (this.spec.x === 'step' ? this.onZoom(undefined) : this.resetProbeZoom()))],
        },
      },
      [[]],
      this.plotEl,
    );
  }

  /** The probe chart zooms on its own: a redraw from the data undoes it. */
  private resetProbeZoom(): void {
    this.lastDraw = '';
    if (this.input) this.update(this.input);
  }

  private resize(): void {
    if (this.input) this.update(this.input);
  }
}
