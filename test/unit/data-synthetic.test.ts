import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DatasetConfig } from '../../src/protocol/config';
import { balancedIndices } from '../../src/trainer/data/common';
import { DatasetError, type Split } from '../../src/trainer/data/dataset';
import { loadDataset } from '../../src/trainer/data/loadDataset';
import { makeSynthetic } from '../../src/trainer/data/synthetic';
import { Rng } from '../../src/trainer/rng';

const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'synthetic-'));
after(() => fs.rmSync(cacheDir, { recursive: true, force: true }));

const cfg = (over: Partial<DatasetConfig>): DatasetConfig => ({
  kind: 'synthetic',
  trainLimit: 0,
  testLimit: 0,
  imageSize: 32,
  testFraction: 0.2,
  labels: 'fine',
  ...over,
});

const perClass = (s: Split) => Array.from(s.labels).reduce((m, l) => ((m[l] = (m[l] ?? 0) + 1), m), [] as number[]);

test('synthetic: 600 / 200 balanced 28x28 grey images, the same every time', () => {
  const a = makeSynthetic();
  assert.deepEqual([a.train.count, a.test.count, a.height, a.width, a.channels, a.classes.length], [600, 200, 28, 28, 1, 10]);
  assert.deepEqual(perClass(a.train), new Array(10).fill(60));
  assert.deepEqual(makeSynthetic(), a);
  assert.notDeepEqual(a.train.images.subarray(0, 784 * 10), a.test.images.subarray(0, 784 * 10));
});

test('synthetic classes are learnable: nearest class mean on raw pixels is far above chance', () => {
  const ds = makeSynthetic();
  const means = new Float64Array(10 * 784);
  for (let i = 0; i < ds.train.count; i++) for (let p = 0; p < 784; p++) means[ds.train.labels[i] * 784 + p] += ds.train.images[i * 784 + p] / 60;
  let correct = 0;
  for (let i = 0; i < ds.test.count; i++) {
    let best = -1;
    let bestDist = Infinity;
    for (let c = 0; c < 10; c++) {
      let d = 0;
      for (let p = 0; p < 784; p++) d += (ds.test.images[i * 784 + p] - means[c * 784 + p]) ** 2;
      if (d < bestDist) [best, bestDist] = [c, d];
    }
    if (best === ds.test.labels[i]) correct++;
  }
  assert.ok(correct / ds.test.count > 0.4, `nearest-mean accuracy ${correct / ds.test.count}`);
});

test('balanced indices: every class before any class repeats, seeded, sorted', () => {
  const labels = Int32Array.from({ length: 103 }, (_, i) => (i < 100 ? 0 : i - 99)); // class 0 dominates, 1..3 rare
  const picked = balancedIndices(labels, 7, new Rng(4));
  assert.equal(picked.length, 7);
  assert.deepEqual(Array.from(picked.slice(-3)), [100, 101, 102]);
  assert.deepEqual(
    Array.from(picked),
    Array.from(picked).sort((a, b) => a - b),
  );
  assert.deepEqual(balancedIndices(labels, 7, new Rng(4)), picked);
  assert.notDeepEqual(balancedIndices(labels, 50, new Rng(5)), balancedIndices(labels, 50, new Rng(6)));
  assert.equal(balancedIndices(labels, 500, new Rng(4)).length, 103);
});

/** An IDX folder of 1x1 images whose pixel is the image's index; labels 0 for the first half, then 1..4. */
function idxFolder(): string {
  const dir = fs.mkdtempSync(path.join(cacheDir, 'idx-'));
  const u32 = (...w: number[]) => Buffer.from(w.flatMap((v) => [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255]));
  const labels = Array.from({ length: 200 }, (_, i) => (i < 100 ? 0 : 1 + (i % 4)));
  for (const prefix of ['train', 't10k']) {
    fs.writeFileSync(path.join(dir, `${prefix}-images-idx3-ubyte`), Buffer.concat([u32(2051, 200, 1, 1), Buffer.from(labels.map((_, i) => i))]));
    fs.writeFileSync(path.join(dir, `${prefix}-labels-idx1-ubyte`), Buffer.concat([u32(2049, 200), Buffer.from(labels)]));
  }
  return dir;
}

test('loadDataset applies trainLimit / testLimit as balanced seeded subsets, keeping full-split statistics', async () => {
  const dir = idxFolder();
  const full = await loadDataset(cfg({ kind: 'idx', path: dir }), { cacheDir, seed: 1 });
  const limited = (seed: number) => loadDataset(cfg({ kind: 'idx', path: dir, trainLimit: 12, testLimit: 5 }), { cacheDir, seed });
  const small = await limited(1);
  assert.deepEqual([small.train.count, small.test.count], [12, 5]);
  assert.ok(
    perClass(small.train).every((n) => n >= 2 && n <= 3),
    `${perClass(small.train)}`,
  );
  assert.deepEqual(perClass(small.test), [1, 1, 1, 1, 1]);
  // Pixels are original indices: the subset keeps image and label together.
  small.train.labels.forEach((l, i) => assert.equal(l, full.train.labels[small.train.images[i]]));
  assert.deepEqual([small.mean, small.std], [full.mean, full.std]);
  assert.deepEqual(await limited(1), small);
  assert.notDeepEqual((await limited(2)).train.images, small.train.images);
});

test('kinds read from disk need a path', async () => {
  await assert.rejects(
    loadDataset(cfg({ kind: 'idx' }), { cacheDir, seed: 0 }),
    (e: Error) => e instanceof DatasetError && /dataset\.path: required for dataset kind "idx"/.test(e.message),
  );
});
