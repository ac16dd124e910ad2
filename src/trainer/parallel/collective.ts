/**
 * Synchronous collectives over shared memory for the data-parallel step: a
 * barrier, a sum over replicas and a gather of rows. Each runs inside a tfjs
 * forward or gradient function, which cannot await, so replicas block on
 * Atomics.wait. Every replica gets bit-identical results (each adds the parts
 * of a sum in rank order), so replicas that apply the same update stay
 * identical. The coordinator can abort: a replica
 * waiting for a dead one then throws instead of hanging.
 */

/** Floats moved per round; bounds the shared memory whatever the model size. */
export const CHUNK = 1 << 20;

// Int32 control words
const COUNT = 0;
const GENERATION = 1;
const ABORT = 2;
/** Global step of the state snapshot (see pool.ts), -1 while it is being written. */
export const SNAPSHOT_STEP = 3;
const LENGTHS = 4;

/**
 * Two sets of slots, used by alternate rounds: a replica writes a set only
 * after the barrier of the round that used the other one, which every replica
 * reaches only after reading this set's previous round. So a round needs one
 * barrier.
 */
export interface CollectiveBuffers {
  control: SharedArrayBuffer;
  /** 2 sets x ranks CHUNK-float slots. */
  slots: SharedArrayBuffer;
}

export function createCollectiveBuffers(ranks: number): CollectiveBuffers {
  return {
    control: new SharedArrayBuffer(4 * (LENGTHS + 2 * ranks)),
    slots: new SharedArrayBuffer(4 * CHUNK * 2 * ranks),
  };
}

export class CollectiveAborted extends Error {
  constructor() {
    super('another worker failed; this step was abandoned');
    this.name = 'CollectiveAborted';
  }
}

/** Wakes every replica blocked in a collective and makes it throw CollectiveAborted. */
export function abortCollective(buffers: CollectiveBuffers): void {
  const control = new Int32Array(buffers.control);
  Atomics.store(control, ABORT, 1);
  Atomics.notify(control, GENERATION);
}

/** Replicas that sum and gather with each other; the seam the training step and batch norm see. */
export interface ReplicaGroup {
  readonly rank: number;
  readonly ranks: number;
  /** Element-wise sum of every replica's `values` (same length on each): identical on every replica. */
  sum(values: Float32Array): Float32Array;
  /** Every replica's `values` concatenated in rank order, and where this replica's start (in elements). */
  gather(values: Float32Array): { values: Float32Array; offset: number };
}

/** One replica's end of the collectives; `rank` is 0..ranks-1. */
export class Collective implements ReplicaGroup {
  private readonly control: Int32Array;
  private readonly slots: Float32Array;
  private round = 0;

  constructor(
    buffers: CollectiveBuffers,
    readonly rank: number,
    readonly ranks: number,
  ) {
    this.control = new Int32Array(buffers.control);
    this.slots = new Float32Array(buffers.slots);
  }

  /** Returns once every replica has called it; throws CollectiveAborted after an abort. */
  barrier(): void {
    const c = this.control;
    if (Atomics.load(c, ABORT)) throw new CollectiveAborted();
    const generation = Atomics.load(c, GENERATION);
    if (Atomics.add(c, COUNT, 1) === this.ranks - 1) {
      Atomics.store(c, COUNT, 0);
      Atomics.add(c, GENERATION, 1);
      Atomics.notify(c, GENERATION);
      return;
    }
    while (Atomics.load(c, GENERATION) === generation) {
      if (Atomics.load(c, ABORT)) throw new CollectiveAborted();
      Atomics.wait(c, GENERATION, generation, 100);
    }
  }

  /**
   * One round: this replica's `part` (at most CHUNK floats) and a number go
   * out, and every replica's come back, in rank order.
   */
  private exchange(part: Float32Array, value: number): { slot: (r: number) => Float32Array; values: number[] } {
    const set = this.round++ % 2;
    const slot = (r: number) => this.slots.subarray((set * this.ranks + r) * CHUNK, (set * this.ranks + r + 1) * CHUNK);
    slot(this.rank).set(part);
    const lengths = LENGTHS + set * this.ranks;
    Atomics.store(this.control, lengths + this.rank, value);
    this.barrier();
    return { slot, values: Array.from({ length: this.ranks }, (_, r) => Atomics.load(this.control, lengths + r)) };
  }

  sum(values: Float32Array): Float32Array {
    const out = new Float32Array(values.length);
    const rounds = Math.max(1, Math.ceil(values.length / CHUNK));
    for (let k = 0; k < rounds; k++) {
      const base = k * CHUNK;
      const n = Math.min(CHUNK, values.length - base);
      const { slot } = this.exchange(values.subarray(base, base + n), n);
      const parts = Array.from({ length: this.ranks }, (_, r) => slot(r));
      // every replica adds in rank order, so all get the same bits
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let r = 0; r < this.ranks; r++) s += parts[r][i];
        out[base + i] = s;
      }
    }
    return out;
  }

  gather(values: Float32Array): { values: Float32Array; offset: number } {
    const pieces: Float32Array[][] = Array.from({ length: this.ranks }, () => []);
    let lengths: number[] = [];
    for (let base = 0; base === 0 || lengths.some((n) => n > base); base += CHUNK) {
      const { slot, values: total } = this.exchange(values.subarray(base, base + CHUNK), values.length);
      lengths = total;
      for (let r = 0; r < this.ranks; r++) {
        const n = Math.max(0, Math.min(CHUNK, lengths[r] - base));
        if (n > 0) pieces[r].push(slot(r).slice(0, n));
      }
    }
    const out = new Float32Array(lengths.reduce((a, b) => a + b, 0));
    let at = 0;
    let offset = 0;
    pieces.forEach((list, r) => {
      if (r === this.rank) offset = at;
      for (const p of list) {
        out.set(p, at);
        at += p.length;
      }
    });
    return { values: out, offset };
  }
}
