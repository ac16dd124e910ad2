/**
 * The Map tab: a run's test-subset embeddings projected to 2-D (PCA or UMAP,
 * computed by the trainer's `embed` on a checkpoint), coloured by class, with
 * the class and image of the point under the cursor; a slider over the run's
 * checkpoint epochs; the class-similarity heat map and the diagnostics of the
 * same epoch beside it.
 */
import { classColor, type EmbeddingMap, type ProjectionMethod } from '../src/protocol/embeddingMap';
import type { HostMessage, MapRequest, WebviewMessage } from '../src/protocol/dashboard';
import { el } from './dom';
import { HeatMap } from './heatmap';
import { mapCheckpoints } from './representation';
import type { RunData } from './series';
import { chartTheme } from './theme';

type MapMessage = Extract<HostMessage, { type: 'map' }>;

const SIDE = 480;
const RADIUS = 2.5;
const HOVER_PX = 8;
const THUMB = 84;

const keyOf = (r: MapRequest, epoch: number): string => `${r.runId}|${r.checkpoint}|${r.method}|${epoch}`;

export class MapView {
  private readonly runSelect = document.createElement('select');
  private readonly methodSelect = document.createElement('select');
  private readonly slider = document.createElement('input');
  private readonly epochLabel = el('span', { className: 'value' });
  private readonly status = el('p', { className: 'hint' });
  private readonly canvas = document.createElement('canvas');
  private readonly tooltip = el('div', { className: 'map-tooltip' });
  private readonly tipText = el('div');
  private readonly tipImage = document.createElement('canvas');
  private readonly legend = el('div', { className: 'map-legend' });
  private readonly summary = el('p', { className: 'hint' });
  private readonly heat = new HeatMap();
  private runs: RunData[] = [];
  private labelOf: (id: string) => string = (id) => id;
  /** Maps received, by request and epoch (a `last` checkpoint moves on). */
  private readonly maps = new Map<string, EmbeddingMap>();
  private readonly asked = new Set<string>();
  private shown?: { map: EmbeddingMap; px: Float64Array; py: Float64Array; pixels?: Uint8Array };
  private visible = false;
  private timer?: ReturnType<typeof setTimeout>;
  private drawnKey = '';
  /** Class names by run, learnt from its maps (events carry only class indices). */
  private readonly classNames = new Map<string, string[]>();

  constructor(
    parent: HTMLElement,
    private readonly post: (m: WebviewMessage) => void,
  ) {
    for (const m of ['pca', 'umap'] as ProjectionMethod[]) this.methodSelect.append(new Option(m.toUpperCase(), m));
    Object.assign(this.slider, { type: 'range', min: '0', max: '0', step: '1', value: '0' });
    this.slider.setAttribute('aria-label', 'Checkpoint epoch');
    this.runSelect.setAttribute('aria-label', 'Run');
    this.methodSelect.setAttribute('aria-label', 'Projection');
    this.canvas.className = 'map-canvas';
    this.tipImage.className = 'map-thumb';
    this.tooltip.append(this.tipImage, this.tipText);
    this.tooltip.hidden = true;
    const controls = el(
      'div',
      { className: 'controls map-controls' },
      el('label', {}, 'Run ', this.runSelect),
      el('label', {}, 'Projection ', this.methodSelect),
      el('label', { className: 'smoothing' }, 'Epoch', this.slider, this.epochLabel),
    );
    const scatter = el(
      'section',
      { className: 'card map-card' },
      el('h3', { text: 'Embedding map of the test subset' }),
      el('div', { className: 'map-plot' }, this.canvas, this.tooltip),
      this.legend,
    );
    parent.append(
      el('div', { className: 'map' }, controls, this.status, el('div', { className: 'map-body' }, scatter, el('div', { className: 'map-side' }, this.heat.element, this.summary))),
    );
    this.runSelect.addEventListener('change', () => this.refresh(true));
    this.methodSelect.addEventListener('change', () => this.refresh(true));
    this.slider.addEventListener('input', () => this.refresh(false));
    this.canvas.addEventListener('mousemove', (e) => this.hover(e));
    this.canvas.addEventListener('mouseleave', () => (this.tooltip.hidden = true));
  }

  /** The selected runs changed or grew. */
  update(runs: RunData[], labelOf: (id: string) => string): void {
    this.runs = runs;
    this.labelOf = labelOf;
    const ids = runs.map((r) => r.id);
    const current = this.runSelect.value;
    if (ids.join() !== Array.from(this.runSelect.options, (o) => o.value).join()) {
      this.runSelect.replaceChildren(...runs.map((r) => new Option(labelOf(r.id), r.id)));
      if (ids.includes(current)) this.runSelect.value = current;
    }
    // a step event changes nothing here: redraw only when a measurement or checkpoint arrives
    const run = this.run();
    const key = run ? `${run.id}|${[...run.representation.checkpoints].join()}|${run.representation.steps.length}` : '';
    if (this.visible && key !== this.drawnKey) this.refresh(false);
  }

  setVisible(visible: boolean): void {
    this.visible = visible;
    if (visible) this.refresh(false);
  }

  onMessage(msg: MapMessage): void {
    const req = this.request();
    const mine = req && msg.runId === req.runId && msg.checkpoint === req.checkpoint && msg.method === req.method;
    if (msg.status === 'ready' && msg.map) {
      this.maps.set(keyOf(msg, msg.map.epoch), msg.map);
      this.classNames.set(msg.runId, msg.map.classes);
      if (mine) this.refresh(false);
    } else if (msg.status === 'failed') {
      this.asked.delete(keyOf(msg, this.epochOf(msg)));
      if (mine) this.setStatus(`No map: ${msg.error ?? 'the trainer failed'}`, true);
    } else if (mine) {
      this.setStatus(`Projecting ${msg.checkpoint} with ${msg.method.toUpperCase()}…`, false);
    }
  }

  private run(): RunData | undefined {
    return this.runs.find((r) => r.id === this.runSelect.value) ?? this.runs[0];
  }

  private epochOf(req: MapRequest): number {
    const run = this.runs.find((r) => r.id === req.runId);
    return run ? (mapCheckpoints(run.representation).find((c) => c.name === req.checkpoint)?.epoch ?? -1) : -1;
  }

  /** The checkpoint under the slider. */
  private request(): (MapRequest & { epoch: number }) | undefined {
    const run = this.run();
    if (!run) return undefined;
    const held = mapCheckpoints(run.representation);
    const i = Math.min(Number(this.slider.value), held.length - 1);
    if (i < 0) return undefined;
    return { runId: run.id, checkpoint: held[i].name, method: this.methodSelect.value as ProjectionMethod, epoch: held[i].epoch };
  }

  private refresh(now: boolean): void {
    const run = this.run();
    const held = run ? mapCheckpoints(run.representation) : [];
    const atEnd = Number(this.slider.value) >= Number(this.slider.max);
    this.slider.max = String(Math.max(0, held.length - 1));
    // follows a live run's newest checkpoint while the slider sits at the end
    if (atEnd) this.slider.value = this.slider.max;
    this.slider.disabled = held.length < 2;
    const req = this.request();
    this.epochLabel.textContent = req ? `${req.epoch} (${req.checkpoint})` : '—';
    this.drawnKey = run ? `${run.id}|${[...run.representation.checkpoints].join()}|${run.representation.steps.length}` : '';
    this.drawHeat(run, req?.epoch ?? (run ? Math.max(-1, ...run.representation.byEpoch.keys()) : undefined));
    if (!req) {
      this.setStatus(run ? 'The map needs a checkpoint: one is saved after each epoch.' : 'Select a run to see its embedding map.', false);
      this.drawMap(undefined);
      return;
    }
    const key = keyOf(req, req.epoch);
    const map = this.maps.get(key);
    if (map) {
      this.setStatus(
        `${this.labelOf(req.runId)}, checkpoint ${req.checkpoint} (epoch ${map.epoch}): ${map.x.length} test images, ${map.method.toUpperCase()} of the normalised encoder features. Hover a point for its class and image.`,
        false,
      );
      this.drawMap(map);
      return;
    }
    if (this.asked.has(key)) return;
    clearTimeout(this.timer);
    // a dragged slider asks only for where it stops
    this.timer = setTimeout(
      () => {
        this.asked.add(key);
        this.post({ type: 'map', runId: req.runId, checkpoint: req.checkpoint, method: req.method });
      },
      now ? 0 : 250,
    );
  }

  private setStatus(text: string, error: boolean): void {
    this.status.textContent = text;
    this.status.className = error ? 'error' : 'hint';
  }

  private drawHeat(run: RunData | undefined, epoch: number | undefined): void {
    const byEpoch = run?.representation.byEpoch;
    const d = byEpoch && epoch !== undefined ? byEpoch.get(epoch) : undefined;
    const classes = (run && this.classNames.get(run.id)) ?? d?.classSimilarity.map((_, i) => `class ${i}`) ?? [];
    this.heat.draw(
      d?.classSimilarity ?? [],
      classes,
      d ? `Epoch ${d.epoch}, ${d.samples} test images: mean cosine similarity within (diagonal) and between classes.` : 'Measured once an epoch when monitor.samples > 0.',
    );
    this.summary.textContent = d
      ? `kNN top-1 ${(d.knnTop1 * 100).toFixed(1)}% · alignment ${d.alignment.toFixed(3)} (same class ${d.classAlignment?.toFixed(3) ?? '—'}) · uniformity ${d.uniformity.toFixed(3)} · effective rank ${d.effectiveRank.toFixed(2)} of ${d.dim} · mean std ${d.stdMean.toPrecision(3)}, ${(d.stdCollapsed * 100).toFixed(0)}% of dimensions below 1e-3`
      : '';
  }

  private drawMap(map: EmbeddingMap | undefined): void {
    const dpr = window.devicePixelRatio || 1;
    this.canvas.width = SIDE * dpr;
    this.canvas.height = SIDE * dpr;
    this.canvas.style.width = `${SIDE}px`;
    this.canvas.style.height = `${SIDE}px`;
    const ctx = this.canvas.getContext('2d')!;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, SIDE, SIDE);
    this.canvas.dataset.points = String(map?.x.length ?? 0);
    if (!map) {
      this.shown = undefined;
      this.legend.replaceChildren();
      return;
    }
    const scale = (v: number[], flip: boolean) => {
      let [lo, hi] = [Infinity, -Infinity];
      for (const x of v) [lo, hi] = [Math.min(lo, x), Math.max(hi, x)];
      const k = (SIDE - 2 * HOVER_PX) / (hi - lo || 1);
      return Float64Array.from(v, (x) => (flip ? SIDE - HOVER_PX - (x - lo) * k : HOVER_PX + (x - lo) * k));
    };
    const px = scale(map.x, false);
    const py = scale(map.y, true);
    ctx.globalAlpha = 0.75;
    for (let i = 0; i < px.length; i++) {
      ctx.fillStyle = classColor(map.labels[i], map.classes.length);
      ctx.beginPath();
      ctx.arc(px[i], py[i], RADIUS, 0, 2 * Math.PI);
      ctx.fill();
    }
    ctx.globalAlpha = 1;
    if (this.shown?.map !== map) {
      const pixels = map.images ? Uint8Array.from(atob(map.images.data), (c) => c.charCodeAt(0)) : undefined;
      this.shown = { map, px, py, pixels };
      this.legend.replaceChildren(
        ...map.classes.map((c, i) => {
          const swatch = el('span', { className: 'swatch' });
          swatch.style.background = classColor(i, map.classes.length);
          return el('span', { className: 'legend-item' }, swatch, c);
        }),
      );
    } else {
      this.shown = { ...this.shown, px, py };
    }
    this.tooltip.hidden = true;
  }

  private hover(e: MouseEvent): void {
    const s = this.shown;
    if (!s) return;
    let best = -1;
    let bestD = HOVER_PX * HOVER_PX;
    for (let i = 0; i < s.px.length; i++) {
      const d = (s.px[i] - e.offsetX) ** 2 + (s.py[i] - e.offsetY) ** 2;
      if (d < bestD) [best, bestD] = [i, d];
    }
    if (best < 0) {
      this.tooltip.hidden = true;
      return;
    }
    const { map } = s;
    this.tipText.textContent = `${map.classes[map.labels[best]]} · test image ${map.indices[best]}`;
    this.drawThumb(best);
    this.tooltip.hidden = false;
    this.tooltip.style.left = `${Math.min(s.px[best] + 12, SIDE - THUMB)}px`;
    this.tooltip.style.top = `${Math.min(s.py[best] + 12, SIDE - THUMB)}px`;
  }

  private drawThumb(i: number): void {
    const s = this.shown!;
    const im = s.map.images;
    this.tipImage.hidden = !im || !s.pixels;
    if (!im || !s.pixels) return;
    const { height, width, channels } = im;
    const data = new ImageData(width, height);
    const base = i * height * width * channels;
    for (let p = 0; p < height * width; p++) {
      for (let c = 0; c < 3; c++) data.data[4 * p + c] = s.pixels[base + p * channels + (channels === 3 ? c : 0)];
      data.data[4 * p + 3] = 255;
    }
    this.tipImage.width = width;
    this.tipImage.height = height;
    this.tipImage.getContext('2d')!.putImageData(data, 0, 0);
    this.tipImage.style.width = `${THUMB}px`;
    this.tipImage.style.height = `${(THUMB * height) / width}px`;
    this.tipImage.style.background = chartTheme().background;
  }
}
