import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadCifar } from '../../src/trainer/data/cifar';
import { DatasetError } from '../../src/trainer/data/dataset';
import { tempDirs } from './tempDirs';

const tmp = tempDirs('cifar-');

/** Pixel (y, x, channel) of record `id`, as the tests expect it after CHW -> HWC. */
const pixel = (id: number, y: number, x: number, c: number) => (id * 31 + y * 7 + x * 3 + c * 101) % 256;

/** CIFAR records: label bytes, then the three 32x32 planes. */
function records(labels: number[][], ids: number[]): Buffer {
  const out: number[] = [];
  labels.forEach((lab, r) => {
    out.push(...lab);
    for (let c = 0; c < 3; c++) for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) out.push(pixel(ids[r], y, x, c));
  });
  return Buffer.from(out);
}

function cifar10(dir: string, testLabel = 9): void {
  for (let b = 1; b <= 5; b++) fs.writeFileSync(path.join(dir, `data_batch_${b}.bin`), records([[b], [b - 1]], [2 * b, 2 * b + 1]));
  fs.writeFileSync(path.join(dir, 'test_batch.bin'), records([[testLabel], [0], [3]], [100, 101, 102]));
}

const names10 = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

test('cifar10: records from all batches, CHW converted to HWC exactly, names from batches.meta.txt', async () => {
  const dir = tmp();
  cifar10(dir);
  fs.writeFileSync(path.join(dir, 'batches.meta.txt'), names10.join('\n') + '\n\n');
  const ds = await loadCifar(dir, 'cifar10', 'fine', {});
  assert.deepEqual([ds.height, ds.width, ds.channels, ds.train.count, ds.test.count], [32, 32, 3, 10, 3]);
  assert.deepEqual(Array.from(ds.train.labels), [1, 0, 2, 1, 3, 2, 4, 3, 5, 4]);
  assert.deepEqual(Array.from(ds.test.labels), [9, 0, 3]);
  assert.deepEqual(ds.classes, names10);
  assert.deepEqual(ds.mean, [0.4914, 0.4822, 0.4465]);
  for (const [split, ids] of [
    [ds.train, [2, 3, 4, 5, 6, 7, 8, 9, 10, 11]],
    [ds.test, [100, 101, 102]],
  ] as const) {
    ids.forEach((id, i) => {
      for (const [y, x, c] of [
        [0, 0, 0],
        [5, 17, 1],
        [31, 31, 2],
        [12, 3, 0],
      ]) {
        assert.equal(split.images[((i * 32 + y) * 32 + x) * 3 + c], pixel(id, y, x, c));
      }
    });
  }
});

test('cifar100: coarse and fine labels from the two label bytes, names when present', async () => {
  const root = tmp();
  const dir = path.join(root, 'cifar-100-binary');
  fs.mkdirSync(dir);
  fs.writeFileSync(
    path.join(dir, 'train.bin'),
    records(
      [
        [19, 99],
        [0, 5],
      ],
      [1, 2],
    ),
  );
  fs.writeFileSync(path.join(dir, 'test.bin'), records([[3, 42]], [3]));
  fs.writeFileSync(path.join(dir, 'coarse_label_names.txt'), Array.from({ length: 20 }, (_, i) => `coarse${i}`).join('\n'));
  const fine = await loadCifar(root, 'cifar100', 'fine', {});
  assert.deepEqual(Array.from(fine.train.labels), [99, 5]);
  assert.deepEqual(Array.from(fine.test.labels), [42]);
  assert.equal(fine.classes.length, 100);
  assert.equal(fine.classes[99], '99', 'no fine_label_names.txt: numbers');
  const coarse = await loadCifar(root, 'cifar100', 'coarse', {});
  assert.deepEqual(Array.from(coarse.train.labels), [19, 0]);
  assert.equal(coarse.classes[19], 'coarse19');
  assert.equal(coarse.name, 'cifar100-coarse');
  assert.equal(coarse.train.images[3 * (32 * 2 + 1) + 1], pixel(1, 2, 1, 1));
});

test('cifar errors name the file: missing, truncated, label out of range', async () => {
  const missing = tmp();
  await assert.rejects(
    loadCifar(missing, 'cifar10', 'fine', {}),
    (e: Error) =>
      e instanceof DatasetError && e.message.startsWith(path.join(missing, 'data_batch_1.bin')) && /cannot read \(ENOENT\); expected CIFAR-10 binary records/.test(e.message),
  );
  const truncated = tmp();
  cifar10(truncated);
  const file = path.join(truncated, 'data_batch_3.bin');
  fs.truncateSync(file, 3073 * 2 - 10);
  await assert.rejects(
    loadCifar(truncated, 'cifar10', 'fine', {}),
    new RegExp(`^DatasetError: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: 6136 bytes is not a whole number of 3073-byte records`),
  );
  const badLabel = tmp();
  cifar10(badLabel, 10);
  await assert.rejects(loadCifar(badLabel, 'cifar10', 'fine', {}), /test_batch\.bin: record 0 has label 10; expected 0\.\.9/);
});

test('a class-name file with the wrong count warns and falls back to numbers', async () => {
  const dir = tmp();
  cifar10(dir);
  fs.writeFileSync(path.join(dir, 'batches.meta.txt'), 'cat\ndog\n');
  const warnings: string[] = [];
  const ds = await loadCifar(dir, 'cifar10', 'fine', { warn: (code, m) => warnings.push(`${code}: ${m}`) });
  assert.deepEqual(ds.classes, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  assert.match(warnings[0], /^class-names: .*batches\.meta\.txt: lists 2 class names, expected 10/);
});
