/**
 * Synchronous collectives over shared memory for the data-parallel step: a
 * barrier, a sum over replicas and a gather of rows. Each runs inside a tfjs
 * forward or gradient function, which cannot await, so replicas block on
 * Atomics.wait. Every replica gets bit-identical results (each element of a
 * sum is added up by one replica, in rank order, and shared), so replicas that
 * apply the same update stay identical. The coordinator can abort: a replica
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

export interface CollectiveBuffers {
  control: SharedArrayBuffer;
  /** One CHUNK-float slot per rank. */
  slots: SharedArrayBuffer;
  /** One CHUNK-float result area. */
  result: SharedArrayBuffer;
}

export function createCollectiveBuffers(ranks: number): CollectiveBuffers {
  return {
    control: new SharedArrayBuffer(4 * (LENGTHS + ranks)),
    slots: new SharedArrayBuffer(4 * CHUNK * ranks),
    result: new SharedArrayBuffer(4 * CHUNK),
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
  private readonly result: Float32Array;

  constructor(buffers: CollectiveBuffers, readonly rank: number, readonly ranks: number) {
    this.control = new Int32Array(buffers.control);
    this.slots = new Float32Array(buffers.slots);
    this.result = new Float32Array(buffers.result);
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

  sum(values: Float32Array): Float32Array {
    const out = new Float32Array(values.length);
    const mine = this.slots.subarray(this.rank * CHUNK, (this.rank + 1) * CHUNK);
    for (let base = 0; base < values.length; base += CHUNK) {
      const n = Math.min(CHUNK, values.length - base);
      mine.set(values.subarray(base, base + n));
      this.barrier();
      // each replica adds up its share of the chunk, over ranks in order
      const from = Math.floor((this.rank * n) / this.ranks);
      const to = Math.floor(((this.rank + 1) * n) / this.ranks);
      for (let i = from; i < to; i++) {
        let s = 0;
        for (let r = 0; r < this.ranks; r++) s += this.slots[r * CHUNK + i];
        this.result[i] = s;
      }
      this.barrier();
      out.set(this.result.subarray(0, n), base);
    }
    return out;
  }

  gather(values: Float32Array): { values: Float32Array; offset: number } {
    const lengths = this.control.subarray(LENGTHS, LENGTHS + this.ranks);
    Atomics.store(lengths, this.rank, values.length);
    this.barrier();
    let offset = 0;
    let total = 0;
    for (let r = 0; r < this.ranks; r++) {
      if (r === this.rank) offset = total;
      total += Atomics.load(lengths, r);
    }
    const out = new Float32Array(total);
    for (let base = 0; base < total; base += CHUNK) {
      const end = Math.min(total, base + CHUNK);
      const from = Math.max(base, offset);
      const to = Math.min(end, offset + values.length);
      if (from < to) this.result.set(values.subarray(from - offset, to - offset), from - base);
      this.barrier();
      out.set(this.result.subarray(0, end - base), base);
      this.barrier();
    }
    return { values: out, offset };
  }
}
