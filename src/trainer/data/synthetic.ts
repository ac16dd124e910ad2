/**
 * A tiny generated dataset for fast tests: ten classes of 28x28 grey shapes
 * and textures at random positions, sizes and brightness, with noise. No
 * class is the mirror image of another (flip is an augmentation), and the
 * classes stay apart under crops, so even a small encoder separates them in
 * seconds. The content is fixed (its own seeds), like a dataset on disk.
 */
import { Rng } from '../rng';
import { channelStats } from './common';
import type { Dataset, Split } from './dataset';

const SIDE = 28;
const TRAIN_SEED = 0x5eed0001;
const TEST_SEED = 0x5eed0002;

type Shape = (dx: number, dy: number, r: number, phase: number) => boolean;

const stripe = (v: number, phase: number) => Math.floor(v + phase + 64) % 4 < 2;

/** Each class: is the pixel at offset (dx, dy) from the centre on, for size r? */
const SHAPES: { name: string; on: Shape }[] = [
  { name: 'horizontal stripes', on: (dx, dy, r, p) => Math.max(Math.abs(dx), Math.abs(dy)) <= r && stripe(dy, p) },
  { name: 'vertical stripes', on: (dx, dy, r, p) => Math.max(Math.abs(dx), Math.abs(dy)) <= r && stripe(dx, p) },
  { name: 'checkerboard', on: (dx, dy, r, p) => Math.max(Math.abs(dx), Math.abs(dy)) <= r && stripe(dx, p) !== stripe(dy, p) },
  { name: 'disc', on: (dx, dy, r) => Math.hypot(dx, dy) <= r },
  { name: 'ring', on: (dx, dy, r) => Math.abs(Math.hypot(dx, dy) - r) <= 1.3 },
  { name: 'square', on: (dx, dy, r) => Math.max(Math.abs(dx), Math.abs(dy)) <= 0.8 * r },
  { name: 'frame', on: (dx, dy, r) => Math.abs(Math.max(Math.abs(dx), Math.abs(dy)) - 0.8 * r) <= 1.3 },
  { name: 'plus', on: (dx, dy, r) => (Math.abs(dx) <= 1.5 && Math.abs(dy) <= r) || (Math.abs(dy) <= 1.5 && Math.abs(dx) <= r) },
  { name: 'cross', on: (dx, dy, r) => Math.abs(Math.abs(dx) - Math.abs(dy)) <= 1.5 && Math.max(Math.abs(dx), Math.abs(dy)) <= r },
  { name: 'dots', on: (dx, dy, r, p) => Math.max(Math.abs(dx), Math.abs(dy)) <= r && Math.floor(dx + p + 64) % 5 < 2 && Math.floor(dy + p + 64) % 5 < 2 },
];

/** Draws one image of class `label` into `out` at `offset`. */
function drawImage(label: number, rng: Rng, out: Uint8Array, offset: number): void {
  const cx = SIDE / 2 + rng.uniform(-4, 4);
  const cy = SIDE / 2 + rng.uniform(-4, 4);
  const r = rng.uniform(6, 10);
  const phase = rng.uniform(0, 4);
  const brightness = rng.uniform(0.6, 1);
  const { on } = SHAPES[label];
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      const v = (on(x + 0.5 - cx, y + 0.5 - cy, r, phase) ? brightness : 0) + rng.uniform(-0.15, 0.15);
      out[offset + y * SIDE + x] = Math.round(255 * Math.min(1, Math.max(0, v)));
    }
  }
}

function makeSplit(count: number, seed: number): Split {
  const rng = new Rng(seed);
  const images = new Uint8Array(count * SIDE * SIDE);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    labels[i] = i % SHAPES.length;
    drawImage(labels[i], rng, images, i * SIDE * SIDE);
  }
  return { images, labels, count };
}

/** The synthetic dataset: 600 training and 200 test images unless told otherwise, classes balanced. */
export function makeSynthetic(trainCount = 600, testCount = 200): Dataset {
  const train = makeSplit(trainCount, TRAIN_SEED);
  return {
    name: 'synthetic',
    classes: SHAPES.map((s) => s.name),
    height: SIDE,
    width: SIDE,
    channels: 1,
    ...channelStats(train.images, 1),
    train,
    test: makeSplit(testCount, TEST_SEED),
  };
}
