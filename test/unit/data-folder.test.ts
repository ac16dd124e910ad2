import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { loadImageFolder } from '../../src/trainer/data/imageFolder';
import { DatasetError, type LoadOptions } from '../../src/trainer/data/dataset';
import { tempDirs } from './tempDirs';

const tmp = tempDirs('folder-');

/** A solid-colour image file; the format follows the extension. */
async function solid(file: string, rgb: [number, number, number], size = 12): Promise<void> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await sharp({ create: { width: size, height: size + 4, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } }).toFile(file);
}

function options(cacheDir: string) {
  const logs: string[] = [];
  const warnings: string[] = [];
  const opts: LoadOptions = { cacheDir, seed: 0, log: (m) => logs.push(m), warn: (code, m) => warnings.push(`${code}: ${m}`) };
  return { opts, logs, warnings };
}

test('folder: one class per sub-folder, decoded and resized, split per class with a fixed seed', async () => {
  const root = tmp();
  for (let i = 0; i < 5; i++) await solid(path.join(root, 'blue', `b${i}.png`), [0, 0, 200 + i]);
  for (let i = 0; i < 5; i++) await solid(path.join(root, 'red', `r${i}.jpg`), [250, 0, 0]);
  await solid(path.join(root, 'red', 'r5.webp'), [250, 0, 0]);
  fs.writeFileSync(path.join(root, 'red', 'notes.txt'), 'ignored');
  const { opts } = options(tmp());
  const ds = await loadImageFolder(root, 8, 0.4, opts);
  assert.deepEqual(ds.classes, ['blue', 'red']);
  assert.deepEqual([ds.height, ds.width, ds.channels], [8, 8, 3]);
  // round(5 * 0.4) = 2 and round(6 * 0.4) = 2 test images per class.
  assert.equal(ds.test.count, 4);
  assert.equal(ds.train.count, 7);
  assert.deepEqual(Array.from(ds.test.labels).sort(), [0, 0, 1, 1]);
  for (const split of [ds.train, ds.test]) {
    for (let i = 0; i < split.count; i++) {
      const [r, g, b] = split.images.subarray(i * 192, i * 192 + 3);
      if (split.labels[i] === 0) assert.ok(r === 0 && g === 0 && b >= 200 && b <= 204, `${r},${g},${b}`);
      else assert.ok(r > 240 && g < 10 && b < 10, `${r},${g},${b}`);
    }
  }
  const again = await loadImageFolder(root, 8, 0.4, options(tmp()).opts);
  assert.deepEqual(again, ds, 'the split does not depend on the run');
});

test('folder: every image grey gives one channel; train/ and test/ sub-folders are used as given', async () => {
  const root = tmp();
  await solid(path.join(root, 'train', 'a', '1.png'), [10, 10, 10]);
  await solid(path.join(root, 'train', 'a', '2.png'), [20, 20, 20]);
  await solid(path.join(root, 'train', 'b', '1.png'), [200, 200, 200]);
  await solid(path.join(root, 'test', 'b', '1.png'), [210, 210, 210]);
  const ds = await loadImageFolder(root, 4, 0.5, options(tmp()).opts);
  assert.equal(ds.channels, 1);
  assert.deepEqual([ds.train.count, ds.test.count], [3, 1]);
  assert.deepEqual(Array.from(ds.test.labels), [1]);
  assert.deepEqual(Array.from(ds.test.images), new Array(16).fill(210));
  assert.deepEqual(Array.from(ds.train.images.subarray(0, 16)), new Array(16).fill(10));
  await solid(path.join(root, 'test', 'c', '1.png'), [0, 0, 0]);
  await assert.rejects(loadImageFolder(root, 4, 0.5, options(tmp()).opts), /test[/\\]c: class "c" has no folder in .*train; expected one of a, b/);
});

test('folder cache: reused while unchanged, rebuilt when a file changes', async () => {
  const root = tmp();
  await solid(path.join(root, 'x', '1.png'), [10, 20, 30]);
  await solid(path.join(root, 'x', '2.png'), [10, 20, 30]);
  await solid(path.join(root, 'y', '1.png'), [90, 90, 30]);
  await solid(path.join(root, 'y', '2.png'), [90, 90, 30]);
  const cacheDir = tmp();
  const { opts, logs } = options(cacheDir);
  const first = await loadImageFolder(root, 4, 0.5, opts);
  assert.equal(logs.length, 1);
  assert.deepEqual(await loadImageFolder(root, 4, 0.5, opts), first);
  assert.equal(logs.length, 1, 'unchanged folder: loaded from the cache');
  const changed = path.join(root, 'x', '1.png');
  await solid(changed, [250, 20, 30]);
  fs.utimesSync(changed, new Date(), new Date(Date.now() + 5000));
  const rebuilt = await loadImageFolder(root, 4, 0.5, opts);
  assert.equal(logs.length, 2, 'changed file: decoded again');
  const all = [rebuilt.train, rebuilt.test].flatMap((s) => Array.from({ length: s.count }, (_, i) => s.images[i * 48]));
  assert.ok(all.includes(250));
  assert.equal(fs.readdirSync(cacheDir).length, 1, 'one cache file per folder');
});

test('folder: bad images are skipped with a count, all bad is an error, an empty class is an error', async () => {
  const root = tmp();
  await solid(path.join(root, 'a', 'good.png'), [1, 2, 3]);
  await solid(path.join(root, 'a', 'good2.png'), [1, 2, 3]);
  await solid(path.join(root, 'b', 'good.png'), [4, 5, 6]);
  fs.writeFileSync(path.join(root, 'b', 'broken.png'), 'not a png');
  fs.writeFileSync(path.join(root, 'b', 'broken.jpg'), Buffer.alloc(10));
  const { opts, warnings } = options(tmp());
  const ds = await loadImageFolder(root, 4, 0.01, opts);
  assert.equal(ds.train.count + ds.test.count, 3);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /^unreadable-images: skipped 2 of 5 images that could not be decoded \(first: .*broken/);

  const allBad = tmp();
  fs.mkdirSync(path.join(allBad, 'a'));
  fs.writeFileSync(path.join(allBad, 'a', 'x.png'), 'junk');
  await assert.rejects(
    loadImageFolder(allBad, 4, 0.2, options(tmp()).opts),
    (e: Error) => e instanceof DatasetError && e.message.startsWith(path.join(allBad, 'a', 'x.png')) && /unreadable image .*none of the 1 images/.test(e.message),
  );

  const empty = tmp();
  await solid(path.join(empty, 'a', '1.png'), [0, 0, 0]);
  fs.mkdirSync(path.join(empty, 'b'));
  await assert.rejects(
    loadImageFolder(empty, 4, 0.2, options(tmp()).opts),
    new RegExp(`${path.join(empty, 'b').replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')}: empty class folder; expected PNG, JPEG or WebP images`),
  );
  await assert.rejects(loadImageFolder(path.join(empty, 'nope'), 4, 0.2, options(tmp()).opts), /nope: not found; expected a folder with one sub-folder of images per class/);
});
