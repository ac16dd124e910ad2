/**
 * Bad dataset files: IDX, CIFAR and image folders that are missing, truncated,
 * mislabelled or of the wrong kind, each refused naming the file and what was
 * expected, the files themselves left as they were.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { resolveConfig } from '../../src/protocol/config';
import { loadDataset } from '../../src/trainer/data/loadDataset';
import { BadInput, badInputs, cacheDir, dataDir, fresh } from '../fixtures/faults/badInput';

const u32s = (...words: number[]) => Buffer.concat(words.map((w) => Buffer.from([w >>> 24, (w >>> 16) & 255, (w >>> 8) & 255, w & 255])));
const idxImages = (n: number) => Buffer.concat([u32s(2051, n, 2, 2), Buffer.alloc(n * 4, 9)]);
const idxLabels = (values: number[]) => Buffer.concat([u32s(2049, values.length), Buffer.from(values)]);

/** An IDX folder: 4 training images of classes 0..2, 2 test images; `over` replaces files by name (null: left out). */
function idxFolder(over: Record<string, Buffer | null> = {}): string {
  const dir = fresh(dataDir);
  const files: Record<string, Buffer | null> = {
    'train-images-idx3-ubyte': idxImages(4),
    'train-labels-idx1-ubyte': idxLabels([0, 1, 2, 1]),
    't10k-images-idx3-ubyte': idxImages(2),
    't10k-labels-idx1-ubyte': idxLabels([1, 0]),
    ...over,
  };
  for (const [name, bytes] of Object.entries(files)) if (bytes) fs.writeFileSync(path.join(dir, name), bytes);
  return dir;
}

const loadData = (dataset: object) => () => loadDataset(resolveConfig({ dataset }).dataset, { cacheDir, seed: 0 });
/** The IDX folder with `over` in place, loaded. */
const idxCase = (what: string, over: Record<string, Buffer | null>, error: RegExp): BadInput => ({ what, input: () => loadData({ kind: 'idx', path: idxFolder(over) }), error });

const cases: BadInput[] = [
  idxCase('idx folder missing a file', { 't10k-labels-idx1-ubyte': null }, /t10k-labels-idx1-ubyte: not found \(nor t10k-labels-idx1-ubyte.gz\)/),
  idxCase('idx images with the labels magic', { 'train-images-idx3-ubyte': idxLabels([1, 2, 3, 4, 5, 6, 7, 8]) }, /train-images-idx3-ubyte: magic number 2049, expected 2051/),
  idxCase(
    'truncated idx images',
    { 'train-images-idx3-ubyte': idxImages(4).subarray(0, 20) },
    /train-images-idx3-ubyte: truncated: 20 bytes, but its header promises 4 records \(32 bytes\)/,
  ),
  idxCase('fewer labels than images', { 'train-labels-idx1-ubyte': idxLabels([0, 1, 2]) }, /train-labels-idx1-ubyte: 3 labels, but .*train-images-idx3-ubyte holds 4 images/),
  idxCase(
    'a .gz that is not gzip',
    { 'train-images-idx3-ubyte': null, 'train-images-idx3-ubyte.gz': Buffer.from('plain text') },
    /train-images-idx3-ubyte.gz: not a valid gzip file/,
  ),
  idxCase(
    'test label outside the classes',
    { 't10k-labels-idx1-ubyte.gz': zlib.gzipSync(idxLabels([7, 0])), 't10k-labels-idx1-ubyte': null },
    /t10k-labels-idx1-ubyte.gz: record 0 has label 7; expected 0..2/,
  ),
  {
    what: 'truncated CIFAR batch',
    error: /data_batch_1.bin: 3000 bytes is not a whole number of 3073-byte records/,
    input: () => {
      const dir = fresh(dataDir);
      fs.writeFileSync(path.join(dir, 'data_batch_1.bin'), Buffer.alloc(3000));
      return loadData({ kind: 'cifar10', path: dir });
    },
  },
  {
    what: 'image folder that does not exist',
    error: /nowhere: not found; expected a folder with one sub-folder of images per class/,
    input: () => loadData({ kind: 'folder', path: path.join(dataDir, 'nowhere') }),
  },
  {
    what: 'image folder without class folders',
    error: /: no class sub-folders; expected one sub-folder of images per class/,
    input: () => loadData({ kind: 'folder', path: fresh(dataDir) }),
  },
  {
    what: 'an empty class folder',
    error: /cat: empty class folder; expected PNG, JPEG or WebP images/,
    input: () => {
      const dir = fresh(dataDir);
      fs.mkdirSync(path.join(dir, 'cat'));
      return loadData({ kind: 'folder', path: dir });
    },
  },
];

badInputs('dataset', cases, 10);
