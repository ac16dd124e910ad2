import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadFashionMnist } from '../../src/trainer/data/fashionMnist';
import { channelStats } from '../../src/trainer/data/common';

const made: string[] = [];
const tmp = (prefix = 'fmnist-') => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
};
after(() => made.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** A stand-in package: 10 classes x 6 entries; pixel 0 encodes class*10 + position. */
function fakePackage(bad: Record<number, Record<number, unknown>> = {}): string {
  const dir = tmp();
  fs.mkdirSync(path.join(dir, 'src', 'clothes'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'fashion-mnist', version: '1.1.0' }));
  for (let c = 0; c < 10; c++) {
    const data: unknown[] = Array.from({ length: 6 }, (_, i) => Array.from({ length: 784 }, (_, p) => (p === 0 ? c * 10 + i : (p * 7 + c) % 256)));
    for (const [i, entry] of Object.entries(bad[c] ?? {})) data[Number(i)] = entry;
    fs.writeFileSync(path.join(dir, 'src', 'clothes', `${c}.json`), JSON.stringify({ data }));
  }
  return dir;
}

test('fashion-mnist: fixed disjoint split by position, bad entries dropped and counted', async () => {
  const bad = { 0: { 2: [] }, 3: { 4: new Array(783).fill(0) }, 5: { 0: new Array(784).fill(256) }, 7: { 5: new Array(784).fill(1.5) } };
  const warnings: string[] = [];
  const ds = await loadFashionMnist({ cacheDir: tmp(), seed: 0, warn: (code, m) => warnings.push(`${code}: ${m}`) }, fakePackage(bad), 2);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /^fashion-mnist-bad-entries: .*dropped 4 bad entries \(0\.json\[2\], 3\.json\[4\], 5\.json\[0\], 7\.json\[5\]\); expected 784 integers 0\.\.255/);
  // Positions 0-1 of each class are test, 2-5 train; one bad test entry, three bad training entries.
  assert.equal(ds.test.count, 19);
  assert.equal(ds.train.count, 37);
  const ids = (s: typeof ds.train) => Array.from({ length: s.count }, (_, i) => s.images[i * 784]);
  const testIds = ids(ds.test);
  const trainIds = ids(ds.train);
  assert.ok(testIds.every((id, i) => id % 10 < 2 && Math.floor(id / 10) === ds.test.labels[i]));
  assert.ok(trainIds.every((id, i) => id % 10 >= 2 && Math.floor(id / 10) === ds.train.labels[i]));
  assert.equal(new Set([...testIds, ...trainIds]).size, 56, 'no entry in both splits');
  assert.ok(!testIds.includes(50) && !trainIds.includes(75) && !trainIds.includes(2) && !trainIds.includes(34));
  assert.deepEqual({ mean: ds.mean, std: ds.std }, channelStats(ds.train.images, 1));
  assert.equal(ds.classes[9], 'Ankle boot');
});

test('fashion-mnist: the cache round-trips exactly and a damaged cache is rebuilt', async () => {
  const pkg = fakePackage();
  const cacheDir = tmp();
  const logs: string[] = [];
  const first = await loadFashionMnist({ cacheDir, seed: 0, log: (m) => logs.push(m) }, pkg, 2);
  assert.equal(logs.length, 1, 'converted once');
  const again = await loadFashionMnist({ cacheDir, seed: 0, log: (m) => logs.push(m) }, pkg, 2);
  assert.equal(logs.length, 1, 'second load comes from the cache');
  assert.deepEqual(again, first);
  assert.deepEqual(fs.readdirSync(cacheDir), ['fashion-mnist.bin'], 'no temporary files left behind');
  const file = path.join(cacheDir, 'fashion-mnist.bin');
  fs.truncateSync(file, fs.statSync(file).size - 5);
  const rebuilt = await loadFashionMnist({ cacheDir, seed: 0, log: (m) => logs.push(m) }, pkg, 2);
  assert.equal(logs.length, 2);
  assert.deepEqual(rebuilt, first);
  // A different split rule is a different key: rebuilt, not reused.
  const other = await loadFashionMnist({ cacheDir, seed: 0, log: (m) => logs.push(m) }, pkg, 3);
  assert.equal(logs.length, 3);
  assert.equal(other.test.count, 30);
});

test('fashion-mnist package: 60,000 / 10,000, first 1,000 of each class as test, stats from train', async () => {
  const cacheDir = tmp();
  const warnings: string[] = [];
  const ds = await loadFashionMnist({ cacheDir, seed: 0, warn: (_c, m) => warnings.push(m) });
  assert.equal(ds.train.count, 60_000);
  assert.equal(ds.test.count, 10_000);
  assert.match(warnings.join('\n'), /dropped 2 bad entries \(0\.json\[1000\], 0\.json\[7001\]\)/);
  for (let c = 0; c < 10; c++) {
    assert.equal(ds.test.labels.filter((l) => l === c).length, 1000);
    assert.equal(ds.train.labels.filter((l) => l === c).length, 6000);
  }
  // Kaggle's fashion-mnist_test.csv starts with a T-shirt whose row begins 0,0,0,0,0,0,0,9,8.
  assert.deepEqual(Array.from(ds.test.images.subarray(0, 9)), [0, 0, 0, 0, 0, 0, 0, 9, 8]);
  assert.ok(Math.abs(ds.mean[0] - 0.2861) < 1e-4 && Math.abs(ds.std[0] - 0.3528) < 1e-4, `${ds.mean} ${ds.std}`);
  const t = Date.now();
  const cached = await loadFashionMnist({ cacheDir, seed: 0 });
  assert.ok(Date.now() - t < 1000, `cached load took ${Date.now() - t} ms`);
  assert.equal(cached.train.count, 60_000);
});
