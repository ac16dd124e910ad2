/** An embedding map written as CSV (one row a point), JSON (the dashboard's format) or a PNG scatter (an SVG rendered by sharp). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { classColor, type EmbeddingMap } from '../../protocol/embeddingMap';
import { writeFileAtomic } from '../../protocol/atomicFile';

const SIZE = 720;
const LEGEND = 180;
const PAD = 24;

const escapeXml = (s: string): string => s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
const csvField = (s: string): string => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

export function mapToCsv(map: EmbeddingMap): string {
  const rows = map.x.map((x, i) => [map.indices[i], map.labels[i], csvField(map.classes[map.labels[i]]), x, map.y[i]].join(','));
  return ['index,label,class,x,y', ...rows].join('\n') + '\n';
}

/** The scatter as SVG: points coloured by class, a legend, and the run, checkpoint and method as the title. */
export function mapToSvg(map: EmbeddingMap): string {
  const span = (v: number[]) => {
    let [lo, hi] = [Infinity, -Infinity];
    for (const x of v) [lo, hi] = [Math.min(lo, x), Math.max(hi, x)];
    return { lo, scale: (SIZE - 2 * PAD) / (hi - lo || 1) };
  };
  const [sx, sy] = [span(map.x), span(map.y)];
  const dots = map.x
    .map((x, i) => {
      const cx = PAD + (x - sx.lo) * sx.scale;
      const cy = SIZE - PAD - (map.y[i] - sy.lo) * sy.scale;
      return `<circle cx="${cx.toFixed(1)}" cy="${cy.toFixed(1)}" r="2.5" fill="${classColor(map.labels[i], map.classes.length)}" fill-opacity="0.75"/>`;
    })
    .join('');
  const legend = map.classes
    .map(
      (c, i) => `<circle cx="${SIZE + 12}" cy="${48 + i * 18}" r="5" fill="${classColor(i, map.classes.length)}"/><text x="${SIZE + 24}" y="${52 + i * 18}">${escapeXml(c)}</text>`,
    )
    .join('');
  const title = `${map.runId}, ${map.checkpoint} (epoch ${map.epoch}), ${map.method.toUpperCase()} of ${map.x.length} test images`;
  const height = Math.max(SIZE, 60 + map.classes.length * 18);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${SIZE + LEGEND}" height="${height}" font-family="sans-serif" font-size="12">` +
    `<rect width="100%" height="100%" fill="white"/><text x="${PAD}" y="16" font-size="13">${escapeXml(title)}</text>${dots}${legend}</svg>`
  );
}

/** Writes the map by the file's extension (.png, .csv or .json); throws naming the file for any other. */
export async function writeMap(map: EmbeddingMap, file: string): Promise<void> {
  const ext = path.extname(file).toLowerCase();
  let bytes: Buffer;
  if (ext === '.csv') bytes = Buffer.from(mapToCsv(map));
  else if (ext === '.json') bytes = Buffer.from(JSON.stringify(map));
  else if (ext === '.png') {
    // loaded here, not at start-up: training does not need sharp's native binary
    const { default: sharp } = await import('sharp');
    bytes = await sharp(Buffer.from(mapToSvg(map)))
      .png()
      .toBuffer();
  } else throw new Error(`--out ${file}: expected a .png, .csv or .json file`);
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  writeFileAtomic(file, bytes);
}
