import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  adjustBrightness,
  adjustContrast,
  adjustHue,
  adjustSaturation,
  colourJitter,
  flipHorizontal,
  makeViews,
  normalizeImages,
  resizedCrop,
  sampleCrop,
  sampleJitter,
  toGrayscale,
} from '../../src/trainer/augment';
import type { Split } from '../../src/trainer/data/dataset';
import { Rng } from '../../src/trainer/rng';

const grey = { height: 6, width: 5, channels: 1 };
const colour = { height: 4, width: 6, channels: 3 };
const full = { minCropScale: 0.2, flip: true, jitter: 0.4, jitterProb: 0.8, grayscaleProb: 0.2 };

function randomSplit(dims: { height: number; width: number; channels: number }, count: number, seed = 1): Split {
  const rng = new Rng(seed);
  const images = Uint8Array.from({ length: count * dims.height * dims.width * dims.channels }, () => rng.int(256));
  return { images, labels: Int32Array.from({ length: count }, (_, i) => i % 3), count };
}

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-6) => {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= tol, `index ${i}: ${a[i]} vs ${b[i]}`);
};

test('crops stay inside the image, within the scale and aspect ranges', () => {
  const rng = new Rng(7);
  for (let i = 0; i < 2000; i++) {
    const c = sampleCrop(rng, 28, 32, 0.2);
    assert.ok(c.x >= 0 && c.y >= 0 && c.x + c.width <= 32 && c.y + c.height <= 28, JSON.stringify(c));
    const area = (c.width * c.height) / (28 * 32);
    // Rounding to whole pixels loosens the bounds slightly.
    assert.ok(area >= 0.17 && area <= 1, `area ${area}`);
    assert.ok(c.width / c.height >= 0.65 && c.width / c.height <= 1.45, `ratio ${c.width / c.height}`);
  }
});

test('a scale-1 crop of a square image is the whole image, and resampling it is the identity', () => {
  const dims = { height: 8, width: 8, channels: 3 };
  const split = randomSplit(dims, 1);
  const rng = new Rng(3);
  for (let i = 0; i < 50; i++) assert.deepEqual(sampleCrop(rng, 8, 8, 1), { x: 0, y: 0, width: 8, height: 8 });
  const out = new Float32Array(8 * 8 * 3);
  resizedCrop(split.images, 0, dims, { x: 0, y: 0, width: 8, height: 8 }, out, 0);
  close(
    out,
    Array.from(split.images, (v) => v / 255),
  );
});

test('bilinear crop: a 2x2 corner blown up to 4x4 interpolates between its pixels', () => {
  const dims = { height: 4, width: 4, channels: 1 };
  // Top-left 2x2 block is 0, 100 / 200, 255; the rest must not leak in.
  const src = Uint8Array.from([0, 100, 9, 9, 200, 255, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9]);
  const out = new Float32Array(16);
  resizedCrop(src, 0, dims, { x: 0, y: 0, width: 2, height: 2 }, out, 0);
  const px = (y: number, x: number) => out[y * 4 + x] * 255;
  assert.ok(Math.abs(px(0, 0) - 0) < 1e-3);
  assert.ok(Math.abs(px(0, 3) - 100) < 1e-3);
  assert.ok(Math.abs(px(3, 0) - 200) < 1e-3);
  assert.ok(Math.abs(px(3, 3) - 255) < 1e-3);
  // Sample at source (0.25, 0.25): 0.75*0.75*0 + 0.75*0.25*100 + 0.25*0.75*200 + 0.25*0.25*255.
  assert.ok(Math.abs(px(1, 1) - (18.75 + 37.5 + 15.9375)) < 1e-3);
  for (const v of out) assert.ok(v * 255 <= 255.0001 && v * 255 >= 0 && Math.abs(v * 255 - 9) > 1e-3);
});

test('flipping twice is the identity and once mirrors each row', () => {
  const img = Float32Array.from({ length: 4 * 6 * 3 }, (_, i) => i);
  const copy = img.slice();
  flipHorizontal(img, 0, colour);
  // Row 0, first pixel now holds the old last pixel (columns 5), channel by channel.
  assert.deepEqual(Array.from(img.subarray(0, 3)), [15, 16, 17]);
  flipHorizontal(img, 0, colour);
  assert.deepEqual(img, copy);
});

test('grayscale makes the three channels equal', () => {
  const img = Float32Array.from({ length: 24 * 3 }, (_, i) => ((i * 37) % 100) / 100);
  toGrayscale(img, 0, 24);
  for (let p = 0; p < 24; p++) {
    assert.equal(img[3 * p], img[3 * p + 1]);
    assert.equal(img[3 * p], img[3 * p + 2]);
  }
});

test('jitter operations: identity at factor 1, limits at 0, values stay in [0, 1]', () => {
  const base = Float32Array.from({ length: 24 * 3 }, (_, i) => ((i * 53) % 97) / 96);
  for (const op of [adjustBrightness, adjustContrast, adjustSaturation]) {
    const img = base.slice();
    op(img, 0, 24, 1);
    close(img, base);
  }
  const flat = base.slice();
  adjustContrast(flat, 0, 24, 0);
  for (const v of flat) assert.ok(Math.abs(v - flat[0]) < 1e-6, 'contrast 0 gives one grey level');
  const desat = base.slice();
  adjustSaturation(desat, 0, 24, 0);
  const gray = base.slice();
  toGrayscale(gray, 0, 24);
  close(desat, gray);
  const bright = base.slice();
  adjustBrightness(bright, 0, 24, 3);
  for (const v of bright) assert.ok(v >= 0 && v <= 1);
});

test('hue: a full turn is the identity, a third of a turn cycles red to green', () => {
  const base = Float32Array.from({ length: 24 * 3 }, (_, i) => ((i * 53) % 97) / 96);
  const img = base.slice();
  adjustHue(img, 0, 24, 1);
  close(img, base, 1e-5);
  const red = Float32Array.from([0.8, 0.2, 0.2]);
  adjustHue(red, 0, 1, 1 / 3);
  close(red, [0.2, 0.8, 0.2], 1e-5);
  const g = Float32Array.from([0.5, 0.5, 0.5]);
  adjustHue(g, 0, 1, 0.25);
  close(g, [0.5, 0.5, 0.5]);
});

test('jitter factors follow the strength, in a random order of the four operations', () => {
  const rng = new Rng(5);
  for (let i = 0; i < 200; i++) {
    const j = sampleJitter(rng, 0.4);
    for (const f of [j.brightness, j.contrast, j.saturation]) assert.ok(f >= 0.6 && f <= 1.4);
    assert.ok(Math.abs(j.hue) <= 0.1);
    assert.deepEqual([...j.order].sort(), [0, 1, 2, 3]);
  }
  const img = Float32Array.from({ length: 12 }, (_, i) => i / 12);
  colourJitter(img, 0, 4, { brightness: 1, contrast: 1, saturation: 1, hue: 0, order: [3, 2, 1, 0] });
  close(
    img,
    Array.from({ length: 12 }, (_, i) => i / 12),
    1e-6,
  );
});

test('makeViews is deterministic for one rng state, and views differ from each other', () => {
  const split = randomSplit(colour, 5);
  const norm = { mean: [0.5, 0.4, 0.3], std: [0.2, 0.25, 0.3] };
  const a = makeViews(split, colour, [4, 0, 2], 3, full, norm, new Rng(11));
  const b = makeViews(split, colour, [4, 0, 2], 3, full, norm, new Rng(11));
  assert.deepEqual(a, b);
  assert.equal(a.length, 3 * 3 * 4 * 6 * 3);
  const size = 4 * 6 * 3;
  const view = (v: number, i: number) => Array.from(a.subarray((v * 3 + i) * size, (v * 3 + i + 1) * size));
  assert.notDeepEqual(view(0, 0), view(1, 0));
  assert.notDeepEqual(view(1, 0), view(2, 0));
  const c = makeViews(split, colour, [4, 0, 2], 3, full, norm, new Rng(12));
  assert.notDeepEqual(a, c);
});

test('with augmentation off, every view is the normalised image, view-major', () => {
  // Square, so a scale-1 crop is the whole image rather than trimmed to the aspect range.
  const sq = { height: 5, width: 5, channels: 1 };
  const split = randomSplit(sq, 4);
  const norm = { mean: [0.3], std: [0.5] };
  const off = { minCropScale: 1, flip: false, jitter: 0, jitterProb: 0, grayscaleProb: 0 };
  const views = makeViews(split, sq, [3, 1], 2, off, norm, new Rng(1));
  const plain = normalizeImages(split, sq, [3, 1], norm);
  close(views.subarray(0, 50), plain, 1e-5);
  close(views.subarray(50), plain, 1e-5);
});

test('normalizeImages gives (v / 255 - mean) / std per channel', () => {
  const split = randomSplit(colour, 3);
  const norm = { mean: [0.1, 0.5, 0.9], std: [0.5, 0.25, 2] };
  const out = normalizeImages(split, colour, [2], norm);
  const size = 4 * 6 * 3;
  close(
    out,
    Array.from(split.images.subarray(2 * size, 3 * size), (v, k) => (v / 255 - norm.mean[k % 3]) / norm.std[k % 3]),
    1e-6,
  );
});

test('grey images get no colour operations; a reused output buffer is filled in place', () => {
  const split = randomSplit(grey, 3);
  const norm = { mean: [0], std: [1] };
  const out = new Float32Array(2 * 3 * 30 + 7);
  const r = makeViews(split, grey, [0, 1, 2], 2, { ...full, grayscaleProb: 1, jitterProb: 1 }, norm, new Rng(2), out);
  assert.equal(r, out);
  const plain = makeViews(split, grey, [0, 1, 2], 2, { ...full, grayscaleProb: 0, jitter: 0 }, norm, new Rng(2));
  assert.deepEqual(out.subarray(0, plain.length), plain);
});

test('bad indices, short outputs and mismatched normalisation are refused', () => {
  const split = randomSplit(grey, 3);
  const norm = { mean: [0], std: [1] };
  assert.throws(() => makeViews(split, grey, [3], 1, full, norm, new Rng(1)), /image index 3 is outside 0..2/);
  assert.throws(() => normalizeImages(split, grey, [0, 1], norm, new Float32Array(10)), /needs 60/);
  assert.throws(() => normalizeImages(split, grey, [0], { mean: [0, 0, 0], std: [1, 1, 1] }), /for 1 channels/);
});

test('a batch of 256 x 2 views of 28x28 takes milliseconds', () => {
  const dims = { height: 28, width: 28, channels: 1 };
  const split = randomSplit(dims, 256);
  const idx = Int32Array.from({ length: 256 }, (_, i) => i);
  const out = new Float32Array(2 * 256 * 784);
  const rng = new Rng(1);
  makeViews(split, dims, idx, 2, full, { mean: [0.3], std: [0.35] }, rng, out);
  const t = performance.now();
  for (let i = 0; i < 10; i++) makeViews(split, dims, idx, 2, full, { mean: [0.3], std: [0.35] }, rng, out);
  const ms = (performance.now() - t) / 10;
  assert.ok(ms < 50, `${ms.toFixed(1)} ms per batch`);
});
