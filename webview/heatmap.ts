/**
 * The class x class cosine-similarity matrix as a heat map on a canvas:
 * diverging colours (blue -1, neutral 0, red +1), class names on the axes
 * while they fit, the exact value on hover.
 */
import { el } from './dom';
import { chartTheme } from './theme';

const CELL_MAX = 40;
const SIDE = 280;
const LABELS = 120;

/** -1 to +1 as a diverging colour; null (no pairs) as transparent. */
export function similarityColor(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return 'rgba(0,0,0,0)';
  const t = Math.max(-1, Math.min(1, v));
  const [r, g, b] = t >= 0 ? [240, 240 - 190 * t, 240 - 200 * t] : [240 + 190 * t, 240 + 120 * t, 240];
  return `rgb(${Math.round(r)}, ${Math.round(g)}, ${Math.round(b)})`;
}

export class HeatMap {
  readonly element: HTMLElement;
  private readonly canvas = document.createElement('canvas');
  private readonly caption = el('p', { className: 'hint' });
  private matrix: (number | null)[][] = [];
  private classes: string[] = [];
  private cell = 0;
  private offset = 0;

  constructor() {
    this.canvas.className = 'heatmap';
    this.element = el('section', { className: 'card heat' }, el('h3', { text: 'Class cosine similarity' }), this.canvas, this.caption);
    this.canvas.addEventListener('mousemove', (e) => this.hover(e));
  }

  /** Draws the matrix (rows and columns in class order) with a caption; an empty matrix clears it. */
  draw(matrix: (number | null)[][], classes: string[], caption: string): void {
    this.matrix = matrix;
    this.classes = classes;
    this.caption.textContent = caption;
    const n = matrix.length;
    const labelled = n <= 30;
    this.offset = labelled ? LABELS : 0;
    this.cell = n ? Math.min(CELL_MAX, Math.floor(SIDE / n)) : 0;
    const size = this.offset + this.cell * n;
    const dpr = window.devicePixelRatio || 1;
    this.canvas.width = Math.max(1, size) * dpr;
    this.canvas.height = Math.max(1, size) * dpr;
    this.canvas.style.width = `${size}px`;
    this.canvas.style.height = `${size}px`;
    this.canvas.dataset.classes = String(n);
    const ctx = this.canvas.getContext('2d')!;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, size, size);
    const theme = chartTheme();
    for (let a = 0; a < n; a++)
      for (let b = 0; b < n; b++) {
        ctx.fillStyle = similarityColor(matrix[a][b]);
        ctx.fillRect(this.offset + b * this.cell, this.offset + a * this.cell, this.cell, this.cell);
      }
    if (!labelled) return;
    ctx.font = theme.font;
    ctx.fillStyle = theme.foreground;
    ctx.textBaseline = 'middle';
    ctx.textAlign = 'right';
    for (let a = 0; a < n; a++) ctx.fillText(fit(ctx, classes[a] ?? String(a)), this.offset - 4, this.offset + (a + 0.5) * this.cell);
    for (let b = 0; b < n; b++) {
      ctx.save();
      ctx.translate(this.offset + (b + 0.5) * this.cell, this.offset - 4);
      ctx.rotate(-Math.PI / 2);
      ctx.textAlign = 'left';
      ctx.fillText(fit(ctx, classes[b] ?? String(b)), 0, 0);
      ctx.restore();
    }
  }

  private hover(e: MouseEvent): void {
    const a = Math.floor((e.offsetY - this.offset) / this.cell);
    const b = Math.floor((e.offsetX - this.offset) / this.cell);
    const v = this.matrix[a]?.[b];
    this.canvas.title = v === undefined ? '' : `${this.classes[a]} vs ${this.classes[b]}: ${v === null ? 'no pairs' : v.toFixed(3)}`;
  }
}

function fit(ctx: CanvasRenderingContext2D, text: string): string {
  let t = text;
  while (t.length > 3 && ctx.measureText(t).width > LABELS - 16) t = t.slice(0, -2);
  return t === text ? t : `${t}…`;
}
