/**
 * How every writer of the store (the trainer's run folders, checkpoints and
 * caches; the sweep folders and the queue) replaces a file: under a temporary
 * name, fsynced, then renamed, so a reader in another process sees the old
 * file or the new one, never a part. The readers are in runFolder.ts.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';

/** Writes every byte at the file position (writeSync may write fewer, e.g. on a nearly full disk). */
export function writeAll(fd: number, data: Uint8Array): void {
  for (let done = 0; done < data.length;) done += fs.writeSync(fd, data, done);
}

/** Cleans up after a failed write; a failure here must not hide the error that caused it. */
export function removeQuietly(p: string): void {
  try {
    fs.rmSync(p, { recursive: true, force: true });
  } catch {
    // nothing more to do
  }
}

/** Write to a temporary name, fsync, rename: a reader sees the old file or the new one. */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const tmp = `${file}.tmp-${process.pid}-${crypto.randomBytes(3).toString('hex')}`;
  try {
    const fd = fs.openSync(tmp, 'w');
    try {
      writeAll(fd, typeof data === 'string' ? Buffer.from(data) : data);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (e) {
    // a failed write (a full disk) must not leave its partial copy behind
    removeQuietly(tmp);
    throw e;
  }
}

export function writeJsonAtomic(file: string, value: unknown): void {
  writeFileAtomic(file, JSON.stringify(value, null, 2) + '\n');
}
