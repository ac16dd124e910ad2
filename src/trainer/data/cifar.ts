/**
 * CIFAR-10 and CIFAR-100 in their binary form. Every record is its label
 * byte(s) then 3,072 pixel bytes in CHW order (1,024 red, 1,024 green, 1,024
 * blue), converted here to HWC. The raw binary is itself the fast path (one
 * read and one transpose), so it needs no extra cache.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CIFAR_FILES } from '../../protocol/datasetFiles';
import { checkLabels, fileSize, readClassNames, readDataFile } from './common';
import { type Dataset, DatasetError, type LoadOptions, type Split } from './dataset';

const SIDE = 32;
const PLANE = SIDE * SIDE;
const PIXELS = 3 * PLANE;

interface CifarFormat {
  title: string;
  /** Folder the official archive unpacks to, tried under the configured path. */
  subdir: string;
  trainFiles: string[];
  testFiles: string[];
  labelBytes: number;
  /** Per-channel statistics of the training set, as commonly published. */
  mean: number[];
  std: number[];
}

const CIFAR10: CifarFormat = {
  title: CIFAR_FILES.cifar10.title,
  subdir: CIFAR_FILES.cifar10.subdir,
  trainFiles: [...CIFAR_FILES.cifar10.train],
  testFiles: [...CIFAR_FILES.cifar10.test],
  labelBytes: 1,
  mean: [0.4914, 0.4822, 0.4465],
  std: [0.247, 0.2435, 0.2616],
};
const CIFAR100: CifarFormat = {
  title: CIFAR_FILES.cifar100.title,
  subdir: CIFAR_FILES.cifar100.subdir,
  trainFiles: [...CIFAR_FILES.cifar100.train],
  testFiles: [...CIFAR_FILES.cifar100.test],
  labelBytes: 2,
  mean: [0.5071, 0.4865, 0.4409],
  std: [0.2673, 0.2564, 0.2762],
};

/** Which label byte of a record to use and how many classes it has. */
interface LabelChoice {
  labelBytes: number;
  labelIndex: number;
  classes: number;
}

/**
 * Reads CIFAR records from one file into `out` starting at image `first`.
 * Shared by both variants: only the number of label bytes differs.
 */
function readCifarRecords(bytes: Uint8Array, file: string, choice: LabelChoice, out: Split, first: number): void {
  const recordBytes = choice.labelBytes + PIXELS;
  const count = bytes.length / recordBytes;
  const labels = out.labels.subarray(first, first + count);
  for (let r = 0; r < count; r++) {
    const base = r * recordBytes;
    labels[r] = bytes[base + choice.labelIndex];
    const dst = (first + r) * PIXELS;
    const src = base + choice.labelBytes;
    for (let p = 0; p < PLANE; p++) {
      out.images[dst + 3 * p] = bytes[src + p];
      out.images[dst + 3 * p + 1] = bytes[src + PLANE + p];
      out.images[dst + 3 * p + 2] = bytes[src + 2 * PLANE + p];
    }
  }
  checkLabels(labels, choice.classes, file);
}

/** Reads a list of batch files into one split; sizes are checked before anything is read. */
async function readSplit(dir: string, files: string[], fmt: CifarFormat, choice: LabelChoice): Promise<Split> {
  const recordBytes = fmt.labelBytes + PIXELS;
  const expected = `${fmt.title} binary records of ${fmt.labelBytes} label byte(s) + ${PIXELS} pixel bytes`;
  const counts: number[] = [];
  for (const name of files) {
    const file = path.join(dir, name);
    const size = await fileSize(file, expected);
    if (size === 0 || size % recordBytes !== 0) {
      throw new DatasetError(`${file}: ${size} bytes is not a whole number of ${recordBytes}-byte records (truncated or not ${fmt.title}); expected ${expected}`);
    }
    counts.push(size / recordBytes);
  }
  const count = counts.reduce((a, b) => a + b, 0);
  const split: Split = { images: new Uint8Array(count * PIXELS), labels: new Int32Array(count), count };
  let first = 0;
  for (const [i, name] of files.entries()) {
    const file = path.join(dir, name);
    readCifarRecords(await readDataFile(file, expected), file, choice, split, first);
    first += counts[i];
  }
  return split;
}

/** The configured folder, or the archive's own sub-folder inside it. */
function resolveDir(root: string, fmt: CifarFormat): string {
  const nested = path.join(root, fmt.subdir);
  return !fs.existsSync(path.join(root, fmt.trainFiles[0])) && fs.existsSync(path.join(nested, fmt.trainFiles[0])) ? nested : root;
}

export async function loadCifar(root: string, kind: 'cifar10' | 'cifar100', labels: 'fine' | 'coarse', opts: Pick<LoadOptions, 'warn'>): Promise<Dataset> {
  const fmt = kind === 'cifar10' ? CIFAR10 : CIFAR100;
  const dir = resolveDir(root, fmt);
  const fine = kind === 'cifar10' || labels === 'fine';
  // CIFAR-100 records hold the coarse label first, then the fine one.
  const choice: LabelChoice = { labelBytes: fmt.labelBytes, labelIndex: fine ? fmt.labelBytes - 1 : 0, classes: kind === 'cifar10' ? 10 : fine ? 100 : 20 };
  const namesFile = kind === 'cifar10' ? 'batches.meta.txt' : fine ? 'fine_label_names.txt' : 'coarse_label_names.txt';
  return {
    name: kind === 'cifar10' ? 'cifar10' : `cifar100-${labels}`,
    classes: readClassNames(path.join(dir, namesFile), choice.classes, opts.warn),
    height: SIDE,
    width: SIDE,
    channels: 3,
    mean: fmt.mean,
    std: fmt.std,
    train: await readSplit(dir, fmt.trainFiles, fmt, choice),
    test: await readSplit(dir, fmt.testFiles, fmt, choice),
  };
}
