import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { datasetFolderProblem } from '../../src/protocol/datasetFiles';
import { tempDirs } from './tempDirs';

const tempDir = tempDirs('supcon-dsfiles-');

const touch = (dir: string, ...names: string[]) => {
  fs.mkdirSync(dir, { recursive: true });
  for (const n of names) fs.writeFileSync(path.join(dir, n), '');
};

test('dataset folder check at pick time: CIFAR-10 names the missing batch files, accepts the archive folder above', () => {
  const dir = tempDir();
  touch(dir, 'data_batch_1.bin', 'data_batch_2.bin');
  assert.equal(
    datasetFolderProblem('cifar10', dir),
    `${dir}: missing data_batch_3.bin, data_batch_4.bin, data_batch_5.bin, test_batch.bin; expected the CIFAR-10 binary version (data_batch_1.bin, data_batch_2.bin, data_batch_3.bin, data_batch_4.bin, data_batch_5.bin, test_batch.bin), or the folder holding cifar-10-batches-bin`,
  );
  const parent = tempDir();
  touch(path.join(parent, 'cifar-100-binary'), 'train.bin', 'test.bin');
  assert.equal(datasetFolderProblem('cifar100', parent), undefined);
  assert.match(datasetFolderProblem('cifar100', dir)!, /missing train\.bin, test\.bin; expected the CIFAR-100 binary version/);
});

test('dataset folder check: IDX files plain or gzipped; image folders need class folders; a file is not a folder', () => {
  const idx = tempDir();
  touch(idx, 'train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte');
  assert.equal(
    datasetFolderProblem('idx', idx),
    `${idx}: missing t10k-labels-idx1-ubyte; expected train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte (each plain or .gz)`,
  );
  touch(idx, 't10k-labels-idx1-ubyte.gz');
  assert.equal(datasetFolderProblem('idx', idx), undefined);
  const images = tempDir();
  touch(path.join(images, 'cat'), 'a.png');
  assert.match(datasetFolderProblem('folder', images)!, /1 class folder\(s\); expected one sub-folder of images per class/);
  touch(path.join(images, 'train', 'cat'));
  touch(path.join(images, 'train', 'dog'));
  assert.equal(datasetFolderProblem('folder', images), undefined);
  assert.equal(datasetFolderProblem('cifar10', path.join(idx, 'train-labels-idx1-ubyte')), `${path.join(idx, 'train-labels-idx1-ubyte')}: not a folder`);
  assert.equal(datasetFolderProblem('fashion-mnist', '/nowhere'), undefined, 'built in: no folder to check');
});
