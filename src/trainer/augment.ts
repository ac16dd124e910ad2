/**
 * The views SupCon learns from, made on the CPU from uint8 NHWC images:
 * random resized crop (bilinear), horizontal flip, colour jitter and random
 * grayscale (colour images only), then per-channel normalisation. Pure loops
 * over typed arrays with reused scratch space, so a batch costs milliseconds
 * and works under every tfjs backend. All randomness comes from the Rng
 * passed in: the same state gives the same views.
 */
import type { AugmentConfig } from '../protocol/config';
import type { Split } from './data/dataset';
import type { Rng } from './rng';

export interface Dims {
  height: number;
  width: number;
  channels: number;
}

export interface Norm {
  mean: number[];
  std: number[];
}

/** A crop in whole pixels of the source image. */
export interface CropBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Colour jitter factors for one view; `order` is the order the four are applied in. */
export interface Jitter {
  brightness: number;
  contrast: number;
  saturation: number;
  hue: number;
  order: number[];
}

const INV_255 = 1 / 255;
const LOG_RATIO_MIN = Math.log(3 / 4);
const LOG_RATIO_MAX = Math.log(4 / 3);

/**
 * Random resized crop as in torchvision: area fraction uniform in
 * [minScale, 1], aspect ratio log-uniform in [3/4, 4/3]; after 10 misses,
 * the whole image cut to the nearest allowed aspect ratio.
 */
export function sampleCrop(rng: Rng, height: number, width: number, minScale: number): CropBox {
  const area = height * width;
  for (let attempt = 0; attempt < 10; attempt++) {
    const target = area * rng.uniform(minScale, 1);
    const ratio = Math.exp(rng.uniform(LOG_RATIO_MIN, LOG_RATIO_MAX));
    const w = Math.round(Math.sqrt(target * ratio));
    const h = Math.round(Math.sqrt(target / ratio));
    if (w > 0 && h > 0 && w <= width && h <= height) {
      return { x: rng.int(width - w + 1), y: rng.int(height - h + 1), width: w, height: h };
    }
  }
  const ratio = width / height;
  const w = ratio > 4 / 3 ? Math.round((height * 4) / 3) : width;
  const h = ratio < 3 / 4 ? Math.round((width * 4) / 3) : height;
  return { x: (width - w) >> 1, y: (height - h) >> 1, width: w, height: h };
}

// Scratch for resizedCrop: per value of an output row (column and channel),
// the source offsets either side and the weight between them; grown on demand.
let colLo = new Int32Array(0);
let colHi = new Int32Array(0);
let colWeight = new Float32Array(0);

/**
 * Resamples `box` of the uint8 image at `srcOffset` to the full H x W with
 * bilinear interpolation (pixel centres aligned, edges clamped to the box),
 * writing floats in [0, 1] to `dst` at `dstOffset`.
 */
export function resizedCrop(src: Uint8Array, srcOffset: number, dims: Dims, box: CropBox, dst: Float32Array, dstOffset: number): void {
  const { height, width, channels } = dims;
  const stride = width * channels;
  if (colLo.length < stride) {
    colLo = new Int32Array(stride);
    colHi = new Int32Array(stride);
    colWeight = new Float32Array(stride);
  }
  const maxX = box.x + box.width - 1;
  const maxY = box.y + box.height - 1;
  const sx = box.width / width;
  const sy = box.height / height;
  for (let ox = 0; ox < width; ox++) {
    const fx = Math.min(maxX, Math.max(box.x, box.x + (ox + 0.5) * sx - 0.5));
    const x0 = Math.floor(fx);
    for (let c = 0; c < channels; c++) {
      colLo[ox * channels + c] = x0 * channels + c;
      colHi[ox * channels + c] = Math.min(x0 + 1, maxX) * channels + c;
      colWeight[ox * channels + c] = fx - x0;
    }
  }
  for (let oy = 0; oy < height; oy++) {
    const fy = Math.min(maxY, Math.max(box.y, box.y + (oy + 0.5) * sy - 0.5));
    const y0 = Math.floor(fy);
    const wy = fy - y0;
    const row0 = srcOffset + y0 * stride;
    const row1 = srcOffset + Math.min(y0 + 1, maxY) * stride;
    const o = dstOffset + oy * stride;
    for (let k = 0; k < stride; k++) {
      const a = colLo[k];
      const b = colHi[k];
      const wx = colWeight[k];
      const p00 = src[row0 + a];
      const p10 = src[row1 + a];
      const top = p00 + (src[row0 + b] - p00) * wx;
      const bottom = p10 + (src[row1 + b] - p10) * wx;
      dst[o + k] = (top + (bottom - top) * wy) * INV_255;
    }
  }
}

/** Mirrors the image left to right, in place. */
export function flipHorizontal(img: Float32Array, offset: number, dims: Dims): void {
  const { height, width, channels } = dims;
  for (let y = 0; y < height; y++) {
    const row = offset + y * width * channels;
    for (let l = 0, r = width - 1; l < r; l++, r--) {
      for (let c = 0; c < channels; c++) {
        const t = img[row + l * channels + c];
        img[row + l * channels + c] = img[row + r * channels + c];
        img[row + r * channels + c] = t;
      }
    }
  }
}

const clamp01 = (v: number) => (v < 0 ? 0 : v > 1 ? 1 : v);
const luma = (r: number, g: number, b: number) => 0.299 * r + 0.587 * g + 0.114 * b;

/** Scales every value by `factor` (RGB, in place). */
export function adjustBrightness(img: Float32Array, offset: number, pixels: number, factor: number): void {
  const end = offset + 3 * pixels;
  for (let i = offset; i < end; i++) img[i] = clamp01(img[i] * factor);
}

/** Blends with the image's mean grey level: factor 0 gives flat grey, 1 the image. */
export function adjustContrast(img: Float32Array, offset: number, pixels: number, factor: number): void {
  const end = offset + 3 * pixels;
  let sum = 0;
  for (let i = offset; i < end; i += 3) sum += luma(img[i], img[i + 1], img[i + 2]);
  const grey = (1 - factor) * (sum / pixels);
  for (let i = offset; i < end; i++) img[i] = clamp01(img[i] * factor + grey);
}

/** Blends each pixel with its own grey level: factor 0 gives grayscale, 1 the image. */
export function adjustSaturation(img: Float32Array, offset: number, pixels: number, factor: number): void {
  const end = offset + 3 * pixels;
  for (let i = offset; i < end; i += 3) {
    const grey = (1 - factor) * luma(img[i], img[i + 1], img[i + 2]);
    img[i] = clamp01(img[i] * factor + grey);
    img[i + 1] = clamp01(img[i + 1] * factor + grey);
    img[i + 2] = clamp01(img[i + 2] * factor + grey);
  }
}

/** Rotates hue by `shift` turns (HSV), keeping saturation and value; grey pixels are unchanged. */
export function adjustHue(img: Float32Array, offset: number, pixels: number, shift: number): void {
  const end = offset + 3 * pixels;
  for (let i = offset; i < end; i += 3) {
    const r = img[i];
    const g = img[i + 1];
    const b = img[i + 2];
    const max = Math.max(r, g, b);
    const min = Math.min(r, g, b);
    const d = max - min;
    if (d === 0) continue;
    let h = max === r ? (g - b) / d : max === g ? (b - r) / d + 2 : (r - g) / d + 4;
    h = h / 6 + shift;
    h = (h - Math.floor(h)) * 6;
    const sector = Math.floor(h) % 6;
    const f = h - Math.floor(h);
    const down = max - d * f;
    const up = min + d * f;
    switch (sector) {
      case 0:
        img[i] = max;
        img[i + 1] = up;
        img[i + 2] = min;
        break;
      case 1:
        img[i] = down;
        img[i + 1] = max;
        img[i + 2] = min;
        break;
      case 2:
        img[i] = min;
        img[i + 1] = max;
        img[i + 2] = up;
        break;
      case 3:
        img[i] = min;
        img[i + 1] = down;
        img[i + 2] = max;
        break;
      case 4:
        img[i] = up;
        img[i + 1] = min;
        img[i + 2] = max;
        break;
      default:
        img[i] = max;
        img[i + 1] = min;
        img[i + 2] = down;
    }
  }
}

/** Sets all three channels to the pixel's luma (ITU-R 601, as torchvision). */
export function toGrayscale(img: Float32Array, offset: number, pixels: number): void {
  const end = offset + 3 * pixels;
  for (let i = offset; i < end; i += 3) {
    img[i] = img[i + 1] = img[i + 2] = luma(img[i], img[i + 1], img[i + 2]);
  }
}

/** Factors uniform in [max(0, 1 - s), 1 + s], hue in [-s/4, s/4] turns, in random order. */
export function sampleJitter(rng: Rng, strength: number): Jitter {
  const factor = () => rng.uniform(Math.max(0, 1 - strength), 1 + strength);
  return {
    brightness: factor(),
    contrast: factor(),
    saturation: factor(),
    hue: rng.uniform(-strength / 4, strength / 4),
    order: rng.shuffle([0, 1, 2, 3]),
  };
}

export function colourJitter(img: Float32Array, offset: number, pixels: number, j: Jitter): void {
  for (const op of j.order) {
    if (op === 0) adjustBrightness(img, offset, pixels, j.brightness);
    else if (op === 1) adjustContrast(img, offset, pixels, j.contrast);
    else if (op === 2) adjustSaturation(img, offset, pixels, j.saturation);
    else adjustHue(img, offset, pixels, j.hue);
  }
}

/** One augmented view of source image `index`, as floats in [0, 1], at `dstOffset`. */
function augmentImage(split: Split, dims: Dims, index: number, cfg: AugmentConfig, rng: Rng, dst: Float32Array, dstOffset: number): void {
  const size = dims.height * dims.width * dims.channels;
  resizedCrop(split.images, index * size, dims, sampleCrop(rng, dims.height, dims.width, cfg.minCropScale), dst, dstOffset);
  if (cfg.flip && rng.next() < 0.5) flipHorizontal(dst, dstOffset, dims);
  if (dims.channels !== 3) return;
  const pixels = dims.height * dims.width;
  if (cfg.jitter > 0 && rng.next() < cfg.jitterProb) colourJitter(dst, dstOffset, pixels, sampleJitter(rng, cfg.jitter));
  if (rng.next() < cfg.grayscaleProb) toGrayscale(dst, dstOffset, pixels);
}

function checkBatch(split: Split, dims: Dims, indices: ArrayLike<number>, norm: Norm, needed: number, out?: Float32Array): Float32Array {
  if (norm.mean.length !== dims.channels || norm.std.length !== dims.channels) {
    throw new RangeError(`normalisation has ${norm.mean.length} means and ${norm.std.length} stds for ${dims.channels} channels`);
  }
  for (let i = 0; i < indices.length; i++) {
    if (!(indices[i] >= 0 && indices[i] < split.count)) throw new RangeError(`image index ${indices[i]} is outside 0..${split.count - 1}`);
  }
  if (out && out.length < needed) throw new RangeError(`output holds ${out.length} floats, the batch needs ${needed}`);
  return out ?? new Float32Array(needed);
}

/**
 * views x B augmented, normalised float images, view-major: out[v*B + i] is
 * view v of image indices[i]; layout [views*B, H, W, C].
 */
export function makeViews(split: Split, dims: Dims, indices: ArrayLike<number>, views: number, cfg: AugmentConfig, norm: Norm, rng: Rng, out?: Float32Array): Float32Array {
  const size = dims.height * dims.width * dims.channels;
  const batch = indices.length;
  const result = checkBatch(split, dims, indices, norm, views * batch * size, out);
  const channels = dims.channels;
  const scale = Float32Array.from(norm.std, (s) => 1 / s);
  const shift = Float32Array.from(norm.mean, (m, c) => -m * scale[c]);
  for (let v = 0; v < views; v++) {
    for (let i = 0; i < batch; i++) {
      const o = (v * batch + i) * size;
      augmentImage(split, dims, indices[i], cfg, rng, result, o);
      for (let k = o, c = 0; k < o + size; k++) {
        result[k] = result[k] * scale[c] + shift[c];
        if (++c === channels) c = 0;
      }
    }
  }
  return result;
}

/** The same images without augmentation, normalised: [B, H, W, C] (probe and evaluation). */
export function normalizeImages(split: Split, dims: Dims, indices: ArrayLike<number>, norm: Norm, out?: Float32Array): Float32Array {
  const size = dims.height * dims.width * dims.channels;
  const result = checkBatch(split, dims, indices, norm, indices.length * size, out);
  // One table entry per channel and byte value: the loop is then a lookup per pixel.
  const table = new Float32Array(256 * dims.channels);
  for (let c = 0; c < dims.channels; c++) for (let v = 0; v < 256; v++) table[c * 256 + v] = (v / 255 - norm.mean[c]) / norm.std[c];
  for (let i = 0; i < indices.length; i++) {
    const src = indices[i] * size;
    for (let k = 0, c = 0; k < size; k++) {
      result[i * size + k] = table[c * 256 + split.images[src + k]];
      if (++c === dims.channels) c = 0;
    }
  }
  return result;
}
