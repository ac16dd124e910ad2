/**
 * An image folder: one sub-folder per class holding PNG, JPEG or WebP files,
 * either directly (split here, per class, with a fixed seed so every run sees
 * the same test images) or under train/ and test/. Images are decoded and
 * resized (centre crop to a square) with sharp, then cached; the cache key
 * hashes every file's path, size and modification time, so adding, removing
 * or changing a file rebuilds it.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Rng } from '../rng';
import { channelStats } from './common';
import { type Dataset, DatasetError, type LoadOptions, type Split } from './dataset';
import { readDatasetCache, writeDatasetCache } from './cache';

const EXTENSIONS = new Set(['.png', '.jpg', '.jpeg', '.webp']);
const SPLIT_SEED = 0x5eed;
/** Bump when decoding or the split rule changes, so old caches are rebuilt. */
const CONVERSION = 1;
const CONCURRENCY = 4;

interface ImageFile {
  file: string;
  label: number;
  size: number;
  mtimeMs: number;
}

interface Listing {
  classes: string[];
  train: ImageFile[];
  test: ImageFile[];
}

const subfolders = (dir: string) =>
  fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort();

function listClass(dir: string, label: number): ImageFile[] {
  const files = fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && EXTENSIONS.has(path.extname(e.name).toLowerCase()))
    .map((e) => e.name)
    .sort();
  if (!files.length) throw new DatasetError(`${dir}: empty class folder; expected PNG, JPEG or WebP images`);
  return files.map((name) => {
    const file = path.join(dir, name);
    const st = fs.statSync(file);
    return { file, label, size: st.size, mtimeMs: st.mtimeMs };
  });
}

/** Per class, a seeded shuffle puts round(n * testFraction) images in test, keeping at least one for training. */
function splitByClass(files: ImageFile[], testFraction: number): { train: ImageFile[]; test: ImageFile[] } {
  const rng = new Rng(SPLIT_SEED);
  const train: ImageFile[] = [];
  const test: ImageFile[] = [];
  const labels = [...new Set(files.map((f) => f.label))].sort((a, b) => a - b);
  for (const label of labels) {
    const own = files.filter((f) => f.label === label);
    const order = rng.shuffle(own.map((_, i) => i));
    const nTest = Math.min(own.length - 1, Math.round(own.length * testFraction));
    order.forEach((j, k) => (k < nTest ? test : train).push(own[j]));
  }
  return { train, test };
}

function listFolder(root: string, testFraction: number): Listing {
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) {
    throw new DatasetError(`${root}: not found; expected a folder with one sub-folder of images per class`);
  }
  const trainDir = path.join(root, 'train');
  const testDir = path.join(root, 'test');
  const presplit = fs.existsSync(trainDir) && fs.existsSync(testDir);
  const classRoot = presplit ? trainDir : root;
  const classes = subfolders(classRoot);
  if (!classes.length) throw new DatasetError(`${classRoot}: no class sub-folders; expected one sub-folder of images per class`);
  const all = classes.flatMap((name, label) => listClass(path.join(classRoot, name), label));
  if (!presplit) return { classes, ...splitByClass(all, testFraction) };
  const test = subfolders(testDir).flatMap((name) => {
    const label = classes.indexOf(name);
    if (label < 0) throw new DatasetError(`${path.join(testDir, name)}: class "${name}" has no folder in ${trainDir}; expected one of ${classes.join(', ')}`);
    return listClass(path.join(testDir, name), label);
  });
  return { classes, train: all, test };
}

/** Hashes the decoding settings and every file's place in the split, path, size and mtime. */
function cacheKey(listing: Listing, imageSize: number): string {
  const hash = crypto.createHash('sha256');
  hash.update(JSON.stringify({ conversion: CONVERSION, imageSize, classes: listing.classes }));
  for (const [part, files] of [
    ['train', listing.train],
    ['test', listing.test],
  ] as const) {
    for (const f of files) hash.update(`${part}\0${f.file}\0${f.label}\0${f.size}\0${f.mtimeMs}\n`);
  }
  return hash.digest('hex');
}

/** Decodes one image to `size` x `size` RGB bytes (EXIF orientation applied, alpha dropped). */
async function decodeImage(file: string, size: number): Promise<Uint8Array> {
  // Loaded on first use: the native library is needed only for image folders.
  const { default: sharp } = await import('sharp');
  const { data, info } = await sharp(file).rotate().resize(size, size, { fit: 'cover' }).removeAlpha().raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  if (info.channels === 3) return data;
  const rgb = new Uint8Array(size * size * 3);
  for (let i = 0; i < size * size; i++) rgb.fill(data[i * info.channels], 3 * i, 3 * i + 3);
  return rgb;
}

interface Decoded {
  images: (Uint8Array | undefined)[];
  failures: { file: string; reason: string }[];
}

async function decodeAll(files: ImageFile[], size: number): Promise<Decoded> {
  const out: Decoded = { images: new Array(files.length), failures: [] };
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const i = next++;
      try {
        out.images[i] = await decodeImage(files[i].file, size);
      } catch (e) {
        out.failures.push({ file: files[i].file, reason: (e as Error).message });
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return out;
}

const isGray = (rgb: Uint8Array) => {
  for (let i = 0; i < rgb.length; i += 3) if (rgb[i] !== rgb[i + 1] || rgb[i] !== rgb[i + 2]) return false;
  return true;
};

/** Packs the decoded images of one split, dropping the ones that failed. */
function pack(files: ImageFile[], images: (Uint8Array | undefined)[], pixels: number, channels: 1 | 3): Split {
  const kept = files.map((f, i) => ({ label: f.label, rgb: images[i] })).filter((k): k is { label: number; rgb: Uint8Array } => !!k.rgb);
  const split: Split = { images: new Uint8Array(kept.length * pixels * channels), labels: new Int32Array(kept.length), count: kept.length };
  kept.forEach(({ label, rgb }, i) => {
    split.labels[i] = label;
    if (channels === 3) split.images.set(rgb, i * pixels * 3);
    else for (let p = 0; p < pixels; p++) split.images[i * pixels + p] = rgb[3 * p];
  });
  return split;
}

async function convert(root: string, listing: Listing, imageSize: number, warn: LoadOptions['warn']): Promise<Dataset> {
  const files = [...listing.train, ...listing.test];
  const { images, failures } = await decodeAll(files, imageSize);
  if (failures.length === files.length) {
    throw new DatasetError(
      `${failures[0].file}: unreadable image (${failures[0].reason}); none of the ${files.length} images under ${root} could be decoded, expected PNG, JPEG or WebP`,
    );
  }
  if (failures.length) {
    warn?.('unreadable-images', `skipped ${failures.length} of ${files.length} images that could not be decoded (first: ${failures[0].file}: ${failures[0].reason})`);
  }
  const channels = images.every((img) => !img || isGray(img)) ? 1 : 3;
  const pixels = imageSize * imageSize;
  const train = pack(listing.train, images.slice(0, listing.train.length), pixels, channels);
  return {
    name: `folder:${path.basename(root)}`,
    classes: listing.classes,
    height: imageSize,
    width: imageSize,
    channels,
    ...channelStats(train.images, channels),
    train,
    test: pack(listing.test, images.slice(listing.train.length), pixels, channels),
  };
}

export async function loadImageFolder(folder: string, imageSize: number, testFraction: number, opts: LoadOptions): Promise<Dataset> {
  const root = path.resolve(folder);
  const listing = listFolder(root, testFraction);
  const key = cacheKey(listing, imageSize);
  // One cache file per folder: a changed folder overwrites its stale cache.
  const cacheFile = path.join(opts.cacheDir, `folder-${crypto.createHash('sha256').update(root).digest('hex').slice(0, 16)}.bin`);
  const cached = await readDatasetCache(cacheFile, key);
  if (cached) return cached;
  opts.log?.(`${root}: decoding ${listing.train.length + listing.test.length} images to ${imageSize}x${imageSize} (cached in ${cacheFile})`);
  const dataset = await convert(root, listing, imageSize, opts.warn);
  writeDatasetCache(cacheFile, key, dataset);
  return dataset;
}
