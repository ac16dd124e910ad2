/** Composes the chart canvases into one PNG on the theme's background. */
import { chartTheme, cssVar } from './theme';

export function chartsToPng(charts: { title: string; canvas?: HTMLCanvasElement }[], runs: { label: string; color: string }[]): string {
  const drawn = charts.filter((c): c is { title: string; canvas: HTMLCanvasElement } => !!c.canvas && c.canvas.width > 0);
  const cols = Math.min(2, drawn.length) || 1;
  const cw = Math.max(1, ...drawn.map((c) => c.canvas.width));
  const ch = Math.max(1, ...drawn.map((c) => c.canvas.height));
  const pad = 16;
  const titleH = 28;
  const headH = 36;
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
  drawn.forEach((c, i) => {
    const x = pad + (i % cols) * (cw + pad);
    const y = headH + Math.floor(i / cols) * (ch + titleH + pad);
    g.fillStyle = cssVar('--vscode-foreground', '#ccc');
    g.font = `600 14px ${family}`;
    g.fillText(c.title, x, y + 18);
    g.drawImage(c.canvas, x, y + titleH);
  });
  return out.toDataURL('image/png');
}
