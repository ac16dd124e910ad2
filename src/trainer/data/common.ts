/**
 * Pieces every dataset reader shares: reading a (possibly
 * gzipped) file, label checks, per-channel statistics and class-balanced
 * subsets. Pure JS on typed arrays, so the data layer works under any backend.
 */
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import { promisify } from 'node:util';
import { Rng } from '../rng';
import { DatasetError, type Split } from './dataset';

const gunzip = promisify(zlib.gunzip);

const reason = (e: unknown): string => (e as NodeJS.ErrnoException).code ?? (e as Error).message;

/** Reads a whole file, gunzipping names that end in .gz. */
export async function readDataFile(file: string, expected: string): Promise<Uint8Array> {
  let bytes: Buffer;
  try {
    bytes = await fs.promises.readFile(file);
  } catch (e) {
    throw new DatasetError(`${file}: cannot read (${reason(e)}); expected ${expected}`);
  }
  if (!file.endsWith('.gz')) return bytes;
  try {
    return await gunzip(bytes);
  } catch (e) {
    throw new DatasetError(`${file}: not a valid gzip file (${reason(e)}); expected ${expected}, gzipped`);
  }
}

/** Size of a file, or a DatasetError that says which file was expected. */
export async function fileSize(file: string, expected: string): Promise<number> {
  try {
    return (await fs.promises.stat(file)).size;
  } catch (e) {
    throw new DatasetError(`${file}: cannot read (${reason(e)}); expected ${expected}`);
  }
}

/** Throws when a label is outside 0..classes-1, naming the file and the record. */
export function checkLabels(labels: Int32Array, classes: number, file: string): void {
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] < 0 || labels[i] >= classes) {
      throw new DatasetError(`${file}: record ${i} has label ${labels[i]}; expected 0..${classes - 1}`);
    }
  }
}

/** Class names read one per line; numbers when the file is absent or does not list exactly `count`. */
export function readClassNames(file: string, count: number, warn?: (code: string, message: string) => void): string[] {
  const numbers = Array.from({ length: count }, (_, i) => String(i));
  if (!fs.existsSync(file)) return numbers;
  const names = fs
    .readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter(Boolean);
  if (names.length !== count) {
    warn?.('class-names', `${file}: lists ${names.length} class names, expected ${count}; using numbers`);
    return numbers;
  }
  return names;
}

/**
 * Per-channel mean and standard deviation of pixel values scaled to [0, 1],
 * from a histogram per channel (exact, and one cheap pass over the bytes).
 */
export function channelStats(images: Uint8Array, channels: number): { mean: number[]; std: number[] } {
  const hist = new Float64Array(256 * channels);
  for (let i = 0, c = 0; i < images.length; i++) {
    hist[c * 256 + images[i]]++;
    if (++c === channels) c = 0;
  }
  const mean: number[] = [];
  const std: number[] = [];
  for (let c = 0; c < channels; c++) {
    let n = 0;
    let sum = 0;
    for (let v = 0; v < 256; v++) {
      n += hist[c * 256 + v];
      sum += hist[c * 256 + v] * v;
    }
    const m = n ? sum / n / 255 : 0;
    let sq = 0;
    for (let v = 0; v < 256; v++) sq += hist[c * 256 + v] * (v / 255 - m) ** 2;
    mean.push(m);
    std.push(n ? Math.sqrt(sq / n) : 1);
  }
  return { mean, std };
}

/** Below one grey level a channel carries no signal, and dividing by its std would turn every input into NaN or infinity. */
export const MIN_CHANNEL_STD = 1 / 255;

const channelName = (c: number, channels: number): string => (channels === 1 ? 'grey (channel 0)' : `${['red', 'green', 'blue'][c] ?? 'channel'} (channel ${c})`);

/**
 * Standard deviations floored at MIN_CHANNEL_STD, so normalising a channel that
 * never varies gives finite zeros; warns once per such channel, naming it.
 */
export function floorStd(std: number[], source: string, warn?: (code: string, message: string) => void): number[] {
  return std.map((s, c) => {
    if (s >= MIN_CHANNEL_STD) return s;
    warn?.(
      'constant-channel',
      `${source}: the ${channelName(c, std.length)} of the training images never varies (std ${s.toFixed(4)}); it is normalised with std ${MIN_CHANNEL_STD.toFixed(4)} and carries no signal`,
    );
    return MIN_CHANNEL_STD;
  });
}

/** Distinct labels in a split. */
export function classCount(labels: Int32Array): number {
  return new Set(labels).size;
}

/**
 * What pretraining and the linear probe need of the splits, checked at load:
 * images in both, and at least two classes in training (with one class no
 * anchor has a negative and the probe has nothing to tell apart).
 */
export function checkUsable(train: Split, test: Split, source: string): void {
  if (train.count === 0) throw new DatasetError(`${source}: the training split has no images; expected at least 2 classes of images`);
  if (test.count === 0) throw new DatasetError(`${source}: the test split has no images; the linear probe measures top-1 on it`);
  const classes = classCount(train.labels);
  if (classes < 2) {
    throw new DatasetError(
      `${source}: the training split has ${classes} class; expected at least 2 (SupCon needs negatives from other classes and the linear probe needs classes to tell apart)`,
    );
  }
}

/**
 * `limit` indices chosen class by class in turn from seeded per-class
 * shuffles, so a small budget still sees every class; sorted ascending.
 */
export function balancedIndices(labels: Int32Array, limit: number, rng: Rng): Int32Array {
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const list = byClass.get(labels[i]);
    if (list) list.push(i);
    else byClass.set(labels[i], [i]);
  }
  const pools = [...byClass.keys()].sort((a, b) => a - b).map((k) => rng.shuffle(byClass.get(k)!));
  const picked: number[] = [];
  for (let round = 0; picked.length < limit; round++) {
    let took = false;
    for (const pool of pools) {
      if (round < pool.length && picked.length < limit) {
        picked.push(pool[round]);
        took = true;
      }
    }
    if (!took) break;
  }
  return Int32Array.from(picked).sort();
}

/** A new split holding the given images, in the given order. */
export function subsetSplit(split: Split, indices: ArrayLike<number>, imageBytes: number): Split {
  const images = new Uint8Array(indices.length * imageBytes);
  const labels = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const j = indices[i];
    images.set(split.images.subarray(j * imageBytes, (j + 1) * imageBytes), i * imageBytes);
    labels[i] = split.labels[j];
  }
  return { images, labels, count: indices.length };
}

/** The split itself when `limit` is 0 or covers it, else a class-balanced seeded subset. */
export function limitSplit(split: Split, limit: number, imageBytes: number, rng: Rng): Split {
  if (limit <= 0 || limit >= split.count) return split;
  return subsetSplit(split, balancedIndices(split.labels, limit, rng), imageBytes);
}
