/**
 * Composes the chart canvases into one PNG on the theme's background: the
 * runs' colours, which lines are dashed and the smoothing on top, each chart
 * with its title and axis names.
 */
import type { exportNotes } from './chartSpecs';
import { chartTheme, cssVar } from './theme';

interface ChartImage {
  id: string;
  title: string;
  canvas?: HTMLCanvasElement;
}

export function chartsToPng(charts: ChartImage[], runs: { label: string; color: string }[], notes: ReturnType<typeof exportNotes>): string {
  const drawn = charts.filter((c): c is ChartImage & { canvas: HTMLCanvasElement } => !!c.canvas && c.canvas.width > 0);
  const cols = Math.min(2, drawn.length) || 1;
  const cw = Math.max(1, ...drawn.map((c) => c.canvas.width));
  const ch = Math.max(1, ...drawn.map((c) => c.canvas.height));
  const pad = 16;
  const titleH = 44;
  const headH = 76;
  const out = document.createElement('canvas');
  out.width = cols * (cw + pad) + pad;
  out.height = headH + Math.ceil(drawn.length / cols) * (ch + titleH + pad) + pad;
  const g = out.getContext('2d')!;
  const theme = chartTheme();
  const family = cssVar('--vscode-font-family', 'sans-serif');
  g.fillStyle = theme.background;
  g.fillRect(0, 0, out.width, out.height);
  g.fillStyle = cssVar('--vscode-foreground', '#ccc');
  g.font = `13px ${family}`;
  let lx = pad;
  for (const run of runs) {
    g.fillStyle = run.color;
    g.fillRect(lx, 14, 12, 12);
    g.fillStyle = cssVar('--vscode-foreground', '#ccc');
    g.fillText(run.label, lx + 18, 24);
    lx += 18 + g.measureText(run.label).width + 20;
  }
  g.fillStyle = cssVar('--vscode-descriptionForeground', '#999');
  g.font = `12px ${family}`;
  g.fillText(`Lines: ${notes.key}`, pad, 46);
  g.fillText(notes.smoothing, pad, 64);
  drawn.forEach((c, i) => {
    const x = pad + (i % cols) * (cw + pad);
    const y = headH + Math.floor(i / cols) * (ch + titleH + pad);
    g.fillStyle = cssVar('--vscode-foreground', '#ccc');
    g.font = `600 14px ${family}`;
    g.fillText(c.title, x, y + 18);
    g.fillStyle = cssVar('--vscode-descriptionForeground', '#999');
    g.font = `12px ${family}`;
    g.fillText(notes.axes[c.id] ?? '', x, y + 36);
    g.drawImage(c.canvas, x, y + titleH);
  });
  return out.toDataURL('image/png');
}
