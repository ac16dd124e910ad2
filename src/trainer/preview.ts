/**
 * A picture of what the encoder will see: one row per training image, the
 * original first, then its augmented views, upscaled (nearest neighbour) so
 * 28-pixel images are visible, written as a PNG with sharp.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AugmentConfig } from '../protocol/config';
import { writeFileAtomic } from '../protocol/atomicFile';
import { balancedIndices } from './data/common';
import type { Dataset } from './data/dataset';
import { makeViews, normalizeImages } from './augment';
import { Rng } from './rng';

const MIN_TILE = 96;
const GAP = 4;
const BACKGROUND = 255;

/** Copies a float [0, 1] image (1 or 3 channels) into the RGB canvas at (x, y), `scale` times larger. */
function drawTile(canvas: Uint8Array, canvasWidth: number, x: number, y: number, img: Float32Array, offset: number, ds: Dataset, scale: number): void {
  const { height, width, channels } = ds;
  for (let sy = 0; sy < height * scale; sy++) {
    for (let sx = 0; sx < width * scale; sx++) {
      const src = offset + (Math.floor(sy / scale) * width + Math.floor(sx / scale)) * channels;
      const dst = ((y + sy) * canvasWidth + x + sx) * 3;
      for (let c = 0; c < 3; c++) canvas[dst + c] = Math.round(255 * img[src + (channels === 3 ? c : 0)]);
    }
  }
}

/**
 * Writes a grid PNG: `count` training images (classes taken in turn, seeded),
 * each followed by `views` augmentations drawn as training draws them.
 */
export async function writePreviewPng(dataset: Dataset, views: number, cfg: AugmentConfig, count: number, seed: number, file: string): Promise<void> {
  const rng = new Rng(seed);
  const indices = balancedIndices(dataset.train.labels, count, rng);
  const dims = { height: dataset.height, width: dataset.width, channels: dataset.channels };
  // Identity normalisation keeps values in [0, 1], ready to display.
  const identity = { mean: new Array(dims.channels).fill(0), std: new Array(dims.channels).fill(1) };
  const originals = normalizeImages(dataset.train, dims, indices, identity);
  const augmented = makeViews(dataset.train, dims, indices, views, cfg, identity, rng);
  const scale = Math.max(1, Math.ceil(MIN_TILE / Math.max(dims.height, dims.width)));
  const tileW = dims.width * scale;
  const tileH = dims.height * scale;
  const width = GAP + (views + 1) * (tileW + GAP);
  const height = GAP + indices.length * (tileH + GAP);
  const canvas = new Uint8Array(width * height * 3).fill(BACKGROUND);
  const size = dims.height * dims.width * dims.channels;
  for (let i = 0; i < indices.length; i++) {
    const y = GAP + i * (tileH + GAP);
    drawTile(canvas, width, GAP, y, originals, i * size, dataset, scale);
    for (let v = 0; v < views; v++) {
      drawTile(canvas, width, GAP + (v + 1) * (tileW + GAP), y, augmented, (v * indices.length + i) * size, dataset, scale);
    }
  }
  // loaded here, not at start-up: training does not need sharp's native binary
  const { default: sharp } = await import('sharp');
  const png = await sharp(canvas, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  writeFileAtomic(file, png);
}
