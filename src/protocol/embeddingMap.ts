/**
 * An embedding map: a checkpoint's encoder features of the run's fixed test
 * subset, projected to 2-D. Written by `supcon-lab embed --out FILE.json`,
 * read by the extension host (through parseEmbeddingMap) and drawn by the
 * dashboard's Map tab; the PNG and the dashboard share the class colours.
 */

export type ProjectionMethod = 'pca' | 'umap';
export const PROJECTION_METHODS: readonly ProjectionMethod[] = ['pca', 'umap'];

export interface EmbeddingMap {
  runId: string;
  checkpoint: string;
  /** Completed epochs of the checkpoint. */
  epoch: number;
  method: ProjectionMethod;
  classes: string[];
  /** Per point: its 2-D position, class index and index in the test split. */
  x: number[];
  y: number[];
  labels: number[];
  indices: number[];
  /** The points' images, uint8 NHWC, base64: shown on hover. */
  images?: { height: number; width: number; channels: 1 | 3; data: string };
}

/** At most this many points (the monitor's subset is capped at 100,000). */
const MAX_POINTS = 100_000;
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isInt = (v: unknown, lo: number, hi: number): boolean => Number.isInteger(v) && (v as number) >= lo && (v as number) <= hi;

/** Returns the map if `v` is a well-formed EmbeddingMap (arrays of one length, labels within classes), else undefined. */
export function parseEmbeddingMap(v: unknown): EmbeddingMap | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const m = v as Record<string, unknown>;
  const { x, y, labels, indices, classes, images } = m;
  if (typeof m.runId !== 'string' || typeof m.checkpoint !== 'string' || !isInt(m.epoch, 0, Number.MAX_SAFE_INTEGER)) return undefined;
  if (!PROJECTION_METHODS.includes(m.method as ProjectionMethod)) return undefined;
  if (!Array.isArray(classes) || !classes.length || !classes.every((c) => typeof c === 'string')) return undefined;
  if (!Array.isArray(x) || x.length > MAX_POINTS || !x.every(isNum)) return undefined;
  const n = x.length;
  if (!Array.isArray(y) || y.length !== n || !y.every(isNum)) return undefined;
  if (!Array.isArray(labels) || labels.length !== n || !labels.every((l) => isInt(l, 0, classes.length - 1))) return undefined;
  if (!Array.isArray(indices) || indices.length !== n || !indices.every((i) => isInt(i, 0, Number.MAX_SAFE_INTEGER))) return undefined;
  if (images !== undefined) {
    if (typeof images !== 'object' || images === null) return undefined;
    const im = images as Record<string, unknown>;
    if (!isInt(im.height, 1, 1024) || !isInt(im.width, 1, 1024) || (im.channels !== 1 && im.channels !== 3) || typeof im.data !== 'string') return undefined;
    const bytes = n * (im.height as number) * (im.width as number) * im.channels;
    if (im.data.length !== 4 * Math.ceil(bytes / 3)) return undefined;
  }
  return v as unknown as EmbeddingMap;
}

/** Tableau 10, then evenly spaced hues for more classes. */
const TABLEAU = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

/** The colour of class `i` of `count`, as CSS. */
export function classColor(i: number, count: number): string {
  if (count <= TABLEAU.length) return TABLEAU[i];
  // HSL (h, 65%, 55%) as hex: SVG renderers all read hex
  const h = (i * 360) / count;
  const [s, l] = [0.65, 0.55];
  const a = s * Math.min(l, 1 - l);
  const channel = (n: number) => {
    const k = (n + h / 30) % 12;
    return Math.round(255 * (l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1))));
  };
  return '#' + [0, 8, 4].map((n) => channel(n).toString(16).padStart(2, '0')).join('');
}
