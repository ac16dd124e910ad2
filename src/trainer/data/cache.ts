/**
 * A compact binary copy of a converted dataset, so sources that are slow to
 * decode (JSON, image folders) are converted once and then load in well under
 * a second. Layout, all integers little-endian:
 *
 *   "SCDS" | u32 version | u32 header bytes | header JSON, space-padded to 4 bytes
 *   | train images | train labels (i32) | test images | test labels (i32)
 *
 * with each section padded to a multiple of 4 bytes. The header carries a key
 * describing the source; a cache whose key differs (or that is damaged) is
 * ignored and rebuilt.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../../protocol/atomicFile';
import type { Dataset, Split } from './dataset';

const MAGIC = 'SCDS';
const VERSION = 1;

type Header = Omit<Dataset, 'train' | 'test'> & { key: string; trainCount: number; testCount: number };

const pad4 = (n: number) => (n + 3) & ~3;

function splitBytes(split: Split, imageBytes: number): number {
  return pad4(split.count * imageBytes) + 4 * split.count;
}

/** Writes the cache atomically (temporary file, then rename). */
export function writeDatasetCache(file: string, key: string, ds: Dataset): void {
  const header: Header = {
    key,
    name: ds.name,
    classes: ds.classes,
    height: ds.height,
    width: ds.width,
    channels: ds.channels,
    mean: ds.mean,
    std: ds.std,
    trainCount: ds.train.count,
    testCount: ds.test.count,
  };
  const text = Buffer.from(JSON.stringify(header));
  const json = Buffer.concat([text, Buffer.alloc(pad4(text.length) - text.length, ' ')]);
  const imageBytes = ds.height * ds.width * ds.channels;
  const out = Buffer.alloc(12 + json.length + splitBytes(ds.train, imageBytes) + splitBytes(ds.test, imageBytes));
  out.write(MAGIC, 0, 'latin1');
  out.writeUInt32LE(VERSION, 4);
  out.writeUInt32LE(json.length, 8);
  json.copy(out, 12);
  let at = 12 + json.length;
  for (const split of [ds.train, ds.test]) {
    out.set(split.images, at);
    at += pad4(split.images.length);
    for (let i = 0; i < split.count; i++, at += 4) out.writeInt32LE(split.labels[i], at);
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  writeFileAtomic(file, out);
}

/** The cached dataset, or undefined when there is none, it is damaged, or its key differs. */
export async function readDatasetCache(file: string, key: string): Promise<Dataset | undefined> {
  let buf: Buffer;
  try {
    buf = await fs.promises.readFile(file);
  } catch {
    return undefined;
  }
  if (buf.length < 12 || buf.toString('latin1', 0, 4) !== MAGIC || buf.readUInt32LE(4) !== VERSION) return undefined;
  const jsonBytes = buf.readUInt32LE(8);
  let header: Header;
  try {
    header = JSON.parse(buf.toString('utf8', 12, 12 + jsonBytes));
  } catch {
    return undefined;
  }
  if (header.key !== key) return undefined;
  const imageBytes = header.height * header.width * header.channels;
  let at = 12 + jsonBytes;
  const readSplit = (count: number): Split | undefined => {
    if (at + pad4(count * imageBytes) + 4 * count > buf.length) return undefined;
    // A view, not a copy: the file buffer is ours alone.
    const images = new Uint8Array(buf.buffer, buf.byteOffset + at, count * imageBytes);
    at += pad4(count * imageBytes);
    const labels = new Int32Array(count);
    for (let i = 0; i < count; i++, at += 4) labels[i] = buf.readInt32LE(at);
    return { images, labels, count };
  };
  const train = readSplit(header.trainCount);
  const test = readSplit(header.testCount);
  if (!train || !test || at !== buf.length) return undefined;
  const { name, classes, height, width, channels, mean, std } = header;
  return { name, classes, height, width, channels, mean, std, train, test };
}
