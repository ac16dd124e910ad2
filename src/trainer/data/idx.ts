/**
 * The IDX format of MNIST-style datasets: a folder with
 * train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and
 * t10k-labels-idx1-ubyte, each plain or gzipped (.gz). Big-endian headers:
 * images are magic 2051, count, rows, cols, then count*rows*cols bytes;
 * labels are magic 2049, count, then count bytes. Classes are 0..max training
 * label; class names are not part of the format, so they are numbers.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { idxFileNames } from '../../protocol/datasetFiles';
import { channelStats, checkLabels, readDataFile } from './common';
import { type Dataset, DatasetError, type Split } from './dataset';

const IMAGES_MAGIC = 2051;
const LABELS_MAGIC = 2049;

const u32 = (b: Uint8Array, at: number) => new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(at, false);

/** Checks the magic number and that the body holds exactly what the header promises. */
function checkHeader(bytes: Uint8Array, file: string, magic: number, headerBytes: number, what: string, bodyBytes: (count: number) => number): number {
  if (bytes.length < headerBytes) {
    throw new DatasetError(`${file}: ${bytes.length} bytes, shorter than the ${headerBytes}-byte IDX header; expected ${what}`);
  }
  const found = u32(bytes, 0);
  if (found !== magic) throw new DatasetError(`${file}: magic number ${found}, expected ${magic} (${what})`);
  const count = u32(bytes, 4);
  const expected = headerBytes + bodyBytes(count);
  if (bytes.length !== expected) {
    const state = bytes.length < expected ? 'truncated: ' : '';
    throw new DatasetError(`${file}: ${state}${bytes.length} bytes, but its header promises ${count} records (${expected} bytes)`);
  }
  return count;
}

function parseIdxImages(bytes: Uint8Array, file: string): { count: number; height: number; width: number; pixels: Uint8Array } {
  const dims = () => (bytes.length >= 16 ? [u32(bytes, 8), u32(bytes, 12)] : [0, 0]);
  const [height, width] = dims();
  const count = checkHeader(bytes, file, IMAGES_MAGIC, 16, 'IDX unsigned-byte images with 3 dimensions', (n) => n * height * width);
  return { count, height, width, pixels: bytes.subarray(16) };
}

function parseIdxLabels(bytes: Uint8Array, file: string): Int32Array {
  checkHeader(bytes, file, LABELS_MAGIC, 8, 'IDX unsigned-byte labels with 1 dimension', (n) => n);
  return Int32Array.from(bytes.subarray(8));
}

/** The plain file if present, else its .gz; the error names both. */
function findFile(dir: string, name: string): string {
  for (const candidate of [name, `${name}.gz`]) if (fs.existsSync(path.join(dir, candidate))) return path.join(dir, candidate);
  throw new DatasetError(
    `${path.join(dir, name)}: not found (nor ${name}.gz); expected an IDX folder with train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte`,
  );
}

async function readPair(dir: string, prefix: 'train' | 't10k'): Promise<{ split: Split; height: number; width: number; labelsFile: string }> {
  const names = idxFileNames(prefix);
  const imagesFile = findFile(dir, names.images);
  const labelsFile = findFile(dir, names.labels);
  const images = parseIdxImages(await readDataFile(imagesFile, 'IDX images'), imagesFile);
  const labels = parseIdxLabels(await readDataFile(labelsFile, 'IDX labels'), labelsFile);
  if (labels.length !== images.count) {
    throw new DatasetError(`${labelsFile}: ${labels.length} labels, but ${imagesFile} holds ${images.count} images; expected one label per image`);
  }
  return { split: { images: images.pixels, labels, count: images.count }, height: images.height, width: images.width, labelsFile };
}

/** A split as the two IDX files readPair reads back: [images, labels], labels must be 0..255. */
export function encodeIdxSplit(split: Split, height: number, width: number): [Buffer, Buffer] {
  const images = Buffer.alloc(16 + split.images.length);
  images.writeUInt32BE(IMAGES_MAGIC, 0);
  images.writeUInt32BE(split.count, 4);
  images.writeUInt32BE(height, 8);
  images.writeUInt32BE(width, 12);
  images.set(split.images, 16);
  const labels = Buffer.alloc(8 + split.count);
  labels.writeUInt32BE(LABELS_MAGIC, 0);
  labels.writeUInt32BE(split.count, 4);
  for (let i = 0; i < split.count; i++) {
    if (split.labels[i] < 0 || split.labels[i] > 255) throw new RangeError(`label ${split.labels[i]} of record ${i} does not fit IDX unsigned bytes`);
    labels[8 + i] = split.labels[i];
  }
  return [images, labels];
}

/**
 * Reads an IDX folder (plain or .gz files, see the top of this file) as a
 * grey-scale Dataset with numbered classes and the training split's stats.
 * Throws DatasetError naming the file that is missing, malformed or disagrees.
 */
export async function loadIdx(dir: string): Promise<Dataset> {
  const train = await readPair(dir, 'train');
  const test = await readPair(dir, 't10k');
  if (test.height !== train.height || test.width !== train.width) {
    throw new DatasetError(`${dir}: test images are ${test.height}x${test.width} but training images ${train.height}x${train.width}; expected one size`);
  }
  const classes = train.split.labels.reduce((m, v) => Math.max(m, v), 0) + 1;
  checkLabels(test.split.labels, classes, test.labelsFile);
  return {
    name: `idx:${path.basename(path.resolve(dir))}`,
    classes: Array.from({ length: classes }, (_, i) => String(i)),
    height: train.height,
    width: train.width,
    channels: 1,
    ...channelStats(train.split.images, 1),
    train: train.split,
    test: test.split,
  };
}
