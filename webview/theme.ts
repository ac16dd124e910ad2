/** Colours from the VS Code theme, so charts follow light, dark and high-contrast themes. */

export function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
}

const RUN_COLOR_VARS: [string, string][] = [
  ['--vscode-charts-blue', '#3794ff'],
  ['--vscode-charts-orange', '#d18616'],
  ['--vscode-charts-green', '#89d185'],
  ['--vscode-charts-purple', '#b180d7'],
  ['--vscode-charts-red', '#f14c4c'],
  ['--vscode-charts-yellow', '#cca700'],
];

export function runColor(index: number): string {
  const [name, fallback] = RUN_COLOR_VARS[index % RUN_COLOR_VARS.length];
  return cssVar(name, fallback);
}

/** The same colour at a lower opacity, for raw lines under their smoothed ones. */
export function faded(color: string, alpha: number): string {
  const m = /^#([0-9a-f]{6})$/i.exec(color);
  if (!m) return color;
  const n = parseInt(m[1], 16);
  return `rgba(${n >> 16}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

export interface ChartTheme {
  foreground: string;
  grid: string;
  font: string;
  background: string;
}

export function chartTheme(): ChartTheme {
  const family = cssVar('--vscode-font-family', 'sans-serif');
  return {
    foreground: cssVar('--vscode-descriptionForeground', '#999'),
    grid: cssVar('--vscode-charts-lines', 'rgba(128,128,128,0.25)'),
    font: `11px ${family}`,
    background: cssVar('--vscode-editor-background', '#1e1e1e'),
  };
}
