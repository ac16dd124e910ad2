/**
 * The run queue: `<runs-dir>/queue.json`, shared by every process and window
 * that starts sweep runs in that runs directory. Entries wait in order and are
 * claimed while fewer than `capacity` are held. Each change happens under
 * `queue.lock` (created with O_EXCL) and is written atomically, so two
 * processes never claim the same entry, and a killed process leaves a queue
 * that the next one repairs: a lock whose process is gone is taken over, and
 * an entry whose holder and trainer are both gone waits again.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as crypto from 'node:crypto';
import { isPidAlive, readJson } from '../protocol/runFolder';
import { writeJsonAtomic } from '../protocol/atomicFile';
import { QueueEntry, QueueFile, queueFiles } from '../protocol/sweep';

const LOCK_WAIT_MS = 30_000;
/** A lock file still empty after this long was left by a process killed between create and write. */
const EMPTY_LOCK_STALE_MS = 5_000;

const sleepSync = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** Whether a lock file's content names a process on this host that is gone (or it stayed empty too long). */
function isStale(lockFile: string, content: string): boolean {
  const [pid, host] = content.split(' ');
  if (!content) {
    try {
      return Date.now() - fs.statSync(lockFile).mtimeMs > EMPTY_LOCK_STALE_MS;
    } catch {
      return false;
    }
  }
  return host === os.hostname() && !isPidAlive(Number(pid));
}

/** Moves a stale lock aside; if it turns out to be a fresh one taken meanwhile, puts it back. */
function breakStaleLock(lockFile: string, seen: string): void {
  const aside = `${lockFile}.stale-${process.pid}-${crypto.randomBytes(3).toString('hex')}`;
  try {
    fs.renameSync(lockFile, aside);
  } catch {
    return; // another process broke it first
  }
  const moved = fs.readFileSync(aside, 'utf8');
  if (moved === seen) fs.rmSync(aside, { force: true });
  else {
    try {
      fs.linkSync(aside, lockFile);
    } finally {
      fs.rmSync(aside, { force: true });
    }
  }
}

/**
 * Runs `fn` holding the queue lock of a runs directory.
 * @throws Error naming the lock file when another live process holds it for LOCK_WAIT_MS.
 */
export function withLock<T>(lockFile: string, fn: () => T, waitMs = LOCK_WAIT_MS): T {
  const deadline = Date.now() + waitMs;
  for (;;) {
    let fd: number | undefined;
    try {
      fd = fs.openSync(lockFile, 'wx');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new Error(`${lockFile}: cannot create the queue lock (${(e as NodeJS.ErrnoException).code})`);
    }
    if (fd !== undefined) {
      try {
        fs.writeSync(fd, `${process.pid} ${os.hostname()}`);
        fs.closeSync(fd);
        return fn();
      } finally {
        fs.rmSync(lockFile, { force: true });
      }
    }
    let content: string;
    try {
      content = fs.readFileSync(lockFile, 'utf8');
    } catch {
      continue; // released meanwhile
    }
    if (isStale(lockFile, content)) breakStaleLock(lockFile, content);
    else if (Date.now() > deadline) throw new Error(`${lockFile}: held by process ${content || '(unknown)'} for over ${waitMs / 1000} s; remove the file if that process is gone`);
    else sleepSync(10 + Math.random() * 20);
  }
}

function readQueue(file: string): QueueFile {
  if (!fs.existsSync(file)) return { version: 1, entries: [] };
  const v = readJson(file) as Partial<QueueFile>;
  if (typeof v !== 'object' || v === null || !Array.isArray(v.entries)) throw new Error(`${file}: not a run queue (expected {"version": 1, "entries": [...]})`);
  return { version: 1, entries: v.entries.filter((e) => typeof e?.id === 'string' && typeof e.sweepDir === 'string' && typeof e.pointId === 'string') };
}

/** Reads the queue without the lock (a consistent snapshot: the file is replaced whole). */
export function peekQueue(runsDir: string): QueueFile {
  return readQueue(queueFiles(runsDir).queue);
}

/** Reads, changes and atomically rewrites the queue under its lock; returns what `fn` returns. */
export function updateQueue<T>(runsDir: string, fn: (q: QueueFile) => T): T {
  fs.mkdirSync(runsDir, { recursive: true });
  const { queue, lock } = queueFiles(runsDir);
  return withLock(lock, () => {
    const q = readQueue(queue);
    const before = JSON.stringify(q);
    const out = fn(q);
    if (JSON.stringify(q) !== before) writeJsonAtomic(queue, q);
    return out;
  });
}

/** An entry whose holder is gone from this host and whose trainer (if any) is gone too: it can wait again. */
function isAbandoned(e: QueueEntry, host: string): boolean {
  const h = e.holder;
  return !!h && h.host === host && !isPidAlive(h.pid) && !(h.childPid && isPidAlive(h.childPid));
}

/** Appends entries not already queued; returns how many were added. */
export function enqueue(runsDir: string, entries: QueueEntry[]): number {
  return updateQueue(runsDir, (q) => {
    const have = new Set(q.entries.map((e) => e.id));
    const fresh = entries.filter((e) => !have.has(e.id));
    q.entries.push(...fresh);
    return fresh.length;
  });
}

/**
 * Claims entries of one sweep for this process, in queue order, while fewer
 * than `capacity` entries of the whole queue are held. Entries of this sweep
 * whose holder died while their trainer still runs are taken over (adopted)
 * without counting as new starts. Abandoned entries of any sweep wait again.
 */
export function claim(runsDir: string, sweepId: string, capacity: number, me = { pid: process.pid, host: os.hostname() }): { claimed: QueueEntry[]; adopted: QueueEntry[] } {
  return updateQueue(runsDir, (q) => {
    const now = Date.now();
    for (const e of q.entries) if (isAbandoned(e, me.host)) delete e.holder;
    const adopted: QueueEntry[] = [];
    for (const e of q.entries) {
      const h = e.holder;
      if (h && e.id.startsWith(`${sweepId}/`) && h.host === me.host && h.pid !== me.pid && !isPidAlive(h.pid)) {
        e.holder = { ...me, since: now, childPid: h.childPid };
        adopted.push(structuredClone(e));
      }
    }
    let busy = q.entries.filter((e) => e.holder).length;
    const claimed: QueueEntry[] = [];
    for (const e of q.entries) {
      if (busy >= capacity) break;
      if (e.holder || !e.id.startsWith(`${sweepId}/`)) continue;
      e.holder = { ...me, since: now };
      claimed.push(structuredClone(e));
      busy++;
    }
    return { claimed, adopted };
  });
}

/** Records the trainer process an entry's holder started. */
export function setChild(runsDir: string, id: string, childPid: number): void {
  updateQueue(runsDir, (q) => {
    const e = q.entries.find((x) => x.id === id);
    if (e?.holder) e.holder.childPid = childPid;
  });
}

/** Removes entries (a finished run, or a stopped sweep's waiting points). */
export function dequeue(runsDir: string, ids: (id: string) => boolean): void {
  updateQueue(runsDir, (q) => {
    q.entries = q.entries.filter((e) => !ids(e.id));
  });
}

/** 1-based place of a waiting entry among the waiting entries of the queue; undefined when held or absent. */
export function queuePosition(q: QueueFile, id: string): number | undefined {
  const waiting = q.entries.filter((e) => !e.holder);
  const i = waiting.findIndex((e) => e.id === id);
  return i < 0 ? undefined : i + 1;
}
