/**
 * The real trainer on every on-disk format, from tiny files written here:
 * CIFAR-10 and CIFAR-100 binaries, gzipped IDX, and an image folder. Each run
 * must load the dataset at its own size and channels, complete, and probe above chance.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import sharp from 'sharp';
import { Rng } from '../../src/trainer/rng';
import { tempDirs } from '../unit/tempDirs';
import { runTrainer } from './runTrainer';

const tmp = tempDirs('supcon-formats-');
const CLASSES = 4;
const rng = new Rng(11);

/** A grey level per class plus noise: easy to tell apart, so a probe has something to find. */
const shade = (label: number) => Math.max(0, Math.min(255, Math.round(40 + label * 55 + rng.uniform(-20, 20))));

function cifarRecords(count: number, labelBytes: (label: number) => number[]): Buffer {
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const label = i % CLASSES;
    out.push(...labelBytes(label));
    for (let p = 0; p < 3 * 32 * 32; p++) out.push(shade(label));
  }
  return Buffer.from(out);
}

function idxImages(count: number): { images: Buffer; labels: Buffer } {
  const header = (words: number[]) => {
    const b = Buffer.alloc(4 * words.length);
    words.forEach((w, i) => b.writeUInt32BE(w, 4 * i));
    return b;
  };
  const labels = Array.from({ length: count }, (_, i) => i % CLASSES);
  const pixels = labels.flatMap((l) => Array.from({ length: 28 * 28 }, () => shade(l)));
  return {
    images: Buffer.concat([header([2051, count, 28, 28]), Buffer.from(pixels)]),
    labels: Buffer.concat([header([2049, count]), Buffer.from(labels)]),
  };
}

const writers: Record<string, (dir: string) => Promise<string[]>> = {
  async cifar10(dir) {
    for (let b = 1; b <= 5; b++)
      fs.writeFileSync(
        path.join(dir, `data_batch_${b}.bin`),
        cifarRecords(8, (l) => [l]),
      );
    fs.writeFileSync(
      path.join(dir, 'test_batch.bin'),
      cifarRecords(20, (l) => [l]),
    );
    return ['--dataset.kind', 'cifar10', '--dataset.path', dir];
  },
  async cifar100(dir) {
    fs.writeFileSync(
      path.join(dir, 'train.bin'),
      cifarRecords(40, (l) => [0, l]),
    );
    fs.writeFileSync(
      path.join(dir, 'test.bin'),
      cifarRecords(20, (l) => [0, l]),
    );
    return ['--dataset.kind', 'cifar100', '--dataset.path', dir];
  },
  async idx(dir) {
    for (const [prefix, count] of [
      ['train', 40],
      ['t10k', 20],
    ] as const) {
      const { images, labels } = idxImages(count);
      fs.writeFileSync(path.join(dir, `${prefix}-images-idx3-ubyte.gz`), zlib.gzipSync(images));
      fs.writeFileSync(path.join(dir, `${prefix}-labels-idx1-ubyte.gz`), zlib.gzipSync(labels));
    }
    return ['--dataset.kind', 'idx', '--dataset.path', dir];
  },
  async folder(dir) {
    for (let c = 0; c < CLASSES; c++) {
      fs.mkdirSync(path.join(dir, `class-${c}`));
      for (let i = 0; i < 12; i++) {
        const v = shade(c);
        await sharp({ create: { width: 20, height: 20, channels: 3, background: { r: v, g: 255 - v, b: v } } })
          .png()
          .toFile(path.join(dir, `class-${c}`, `${i}.png`));
      }
    }
    return ['--dataset.kind', 'folder', '--dataset.path', dir, '--dataset.imageSize', '16', '--dataset.testFraction', '0.25'];
  },
};

const expected: Record<string, [number, number]> = { cifar10: [32, 3], cifar100: [32, 3], idx: [28, 1], folder: [16, 3] };

for (const [format, write] of Object.entries(writers)) {
  test(`a run on ${format} files completes and probes`, async () => {
    const data = await write(tmp());
    const runsDir = tmp();
    const { code, events, stderr } = await runTrainer(['train', '--runs-dir', runsDir, ...data, '--epochs', '1', '--batchSize', '8', '--probe.epochs', '3', '--backend', 'wasm'], {
      env: { SUPCON_CACHE_DIR: tmp() },
    });
    assert.equal(code, 0, stderr);
    const started = events[0];
    assert.equal(started.type, 'started');
    assert.ok(started.type === 'started' && started.trainSize > 0 && started.testSize > 0);
    const log = events.find((e) => e.type === 'log' && /\d+x\d+x\d/.test(e.message));
    const [side, channels] = expected[format];
    assert.ok(log && log.type === 'log' && log.message.includes(`${side}x${side}x${channels}`), `dataset line ${JSON.stringify(log)}`);
    const result = events.find((e) => e.type === 'probeResult');
    assert.ok(result && result.type === 'probeResult' && result.top1 > 1 / CLASSES, `probe top-1 ${JSON.stringify(result)} should beat chance (${1 / CLASSES})`);
    assert.equal(events.at(-1)?.type, 'finished');
  });
}
