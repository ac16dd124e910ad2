import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { loadIdx } from '../../src/trainer/data/idx';
import { DatasetError } from '../../src/trainer/data/dataset';
import { tempDirs } from './tempDirs';

const tmp = tempDirs('idx-');

function header(...words: number[]): Buffer {
  const b = Buffer.alloc(4 * words.length);
  words.forEach((w, i) => b.writeUInt32BE(w, 4 * i));
  return b;
}

const images = (n: number, h: number, w: number, seed: number) =>
  Buffer.concat([header(2051, n, h, w), Buffer.from(Array.from({ length: n * h * w }, (_, i) => (i * 13 + seed) % 256))]);
const labels = (values: number[]) => Buffer.concat([header(2049, values.length), Buffer.from(values)]);

interface Files {
  trainImages?: Buffer;
  trainLabels?: Buffer;
  testImages?: Buffer;
  testLabels?: Buffer;
}

function idxFolder(gz: boolean, over: Files = {}): string {
  const dir = tmp();
  const files: [string, Buffer][] = [
    ['train-images-idx3-ubyte', over.trainImages ?? images(4, 3, 2, 1)],
    ['train-labels-idx1-ubyte', over.trainLabels ?? labels([0, 2, 1, 2])],
    ['t10k-images-idx3-ubyte', over.testImages ?? images(2, 3, 2, 7)],
    ['t10k-labels-idx1-ubyte', over.testLabels ?? labels([1, 0])],
  ];
  for (const [name, data] of files) fs.writeFileSync(path.join(dir, gz ? `${name}.gz` : name), gz ? zlib.gzipSync(data) : data);
  return dir;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

for (const gz of [false, true]) {
  test(`idx ${gz ? 'gzipped' : 'plain'}: pixels and labels read back exactly`, async () => {
    const ds = await loadIdx(idxFolder(gz));
    assert.deepEqual([ds.height, ds.width, ds.channels, ds.train.count, ds.test.count], [3, 2, 1, 4, 2]);
    assert.deepEqual(
      Array.from(ds.train.images),
      Array.from({ length: 24 }, (_, i) => (i * 13 + 1) % 256),
    );
    assert.deepEqual(
      Array.from(ds.test.images),
      Array.from({ length: 12 }, (_, i) => (i * 13 + 7) % 256),
    );
    assert.deepEqual(Array.from(ds.train.labels), [0, 2, 1, 2]);
    assert.deepEqual(Array.from(ds.test.labels), [1, 0]);
    assert.deepEqual(ds.classes, ['0', '1', '2']);
  });
}

test('idx errors name the file and what was expected', async () => {
  const cases: [Files, string, RegExp][] = [
    [{ trainImages: Buffer.concat([header(2049, 4, 3, 2), Buffer.alloc(24)]) }, 'train-images-idx3-ubyte', /magic number 2049, expected 2051/],
    [{ testLabels: header(2051, 2).subarray(0, 6) }, 't10k-labels-idx1-ubyte', /6 bytes, shorter than the 8-byte IDX header/],
    [{ trainImages: images(4, 3, 2, 1).subarray(0, 30) }, 'train-images-idx3-ubyte', /truncated: 30 bytes, but its header promises 4 records \(40 bytes\)/],
    [{ trainLabels: labels([0, 1, 2]) }, 'train-labels-idx1-ubyte', /3 labels, but .*train-images-idx3-ubyte holds 4 images/],
    [{ testLabels: labels([1, 3]) }, 't10k-labels-idx1-ubyte', /record 1 has label 3; expected 0\.\.2/],
    [{ testImages: images(2, 2, 3, 0) }, '', /test images are 2x3 but training images 3x2/],
  ];
  for (const [over, file, message] of cases) {
    const dir = idxFolder(false, over);
    await assert.rejects(loadIdx(dir), (e: Error) => {
      assert.ok(e instanceof DatasetError);
      assert.match(e.message, new RegExp(`^${escape(path.join(dir, file))}`));
      assert.match(e.message, message);
      return true;
    });
  }
  const dir = idxFolder(false);
  fs.rmSync(path.join(dir, 't10k-images-idx3-ubyte'));
  await assert.rejects(loadIdx(dir), /t10k-images-idx3-ubyte: not found \(nor t10k-images-idx3-ubyte\.gz\)/);
  const broken = idxFolder(true);
  fs.writeFileSync(path.join(broken, 'train-labels-idx1-ubyte.gz'), 'not gzip');
  await assert.rejects(loadIdx(broken), /train-labels-idx1-ubyte\.gz: not a valid gzip file/);
});
