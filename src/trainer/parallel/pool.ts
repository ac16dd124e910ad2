/**
 * Data-parallel training over worker threads, one per core, each with its own
 * wasm instance and a replica of the model (tfjs runs wasm on one thread in
 * Node). The coordinator writes each batch into shared memory and starts the
 * step; every replica trains on a contiguous slice of the batch's rows, batch
 * norm and the loss exchange what couples the batch (see collective.ts and
 * replicas.ts), and the replicas apply the same summed-gradient update, so
 * the result is the single-thread step's up to float32 summation order.
 * Rank 0 keeps a snapshot of the model in shared memory after every step,
 * which is what checkpoints save, including after a replica dies. Between
 * steps the replicas also share the frozen forward passes of the monitor and
 * the linear probe (encode).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { RunConfig } from '../../protocol/config';
import { abortCollective, createCollectiveBuffers, SNAPSHOT_STEP, type CollectiveBuffers } from './collective';
import { readState, shareOf, stateSize, writeState, type FromWorker, type ReplicaSetup, type ToWorker } from './protocol';
import type * as tf from '../backend/tf';

export interface PoolOptions {
  /** Replicas to start; fewer when the batch has fewer rows. */
  threads: number;
  config: RunConfig;
  shape: ReplicaSetup['shape'];
  /** Images per step (each with config.views views). */
  batch: number;
  /** Every variable of the model (modelVariables order), whose values the replicas start from. */
  variables: tf.Variable[];
  /** Global step the variables belong to. */
  globalStep: number;
}

/** A replica failed: the run cannot go on (close the pool, then see snapshotStep). */
export class WorkerFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WorkerFailure';
  }
}

export interface StepStats {
  loss: number;
  posSim: number;
  negSim: number;
}

/** The bundled worker beside dist/cli.js, or the source file through tsx (tests and benchmarks run the sources). */
function spawnWorker(setup: ReplicaSetup): Worker {
  const bundled = path.join(__dirname, 'trainReplica.js');
  if (fs.existsSync(bundled)) return new Worker(bundled, { workerData: setup });
  const source = `require('tsx/cjs'); require(${JSON.stringify(path.join(__dirname, 'worker.ts'))});`;
  return new Worker(source, { eval: true, workerData: setup });
}

export class TrainingPool {
  /** Where the coordinator writes each batch: views*B images, NHWC, view-major. */
  readonly input: Float32Array;
  /** Where it writes the batch's B labels. */
  readonly labels: Int32Array;
  private readonly control: Int32Array;
  private failure?: WorkerFailure;
  private readonly encodeBuffers: { input?: SharedArrayBuffer; output?: SharedArrayBuffer } = {};
  private pending?: { waiting: number; stats?: StepStats; resolve: (s: StepStats) => void; reject: (e: Error) => void };

  private constructor(
    private readonly workers: Worker[],
    private readonly collective: CollectiveBuffers,
    private readonly state: SharedArrayBuffer,
    input: SharedArrayBuffer,
    labels: SharedArrayBuffer,
  ) {
    this.input = new Float32Array(input);
    this.labels = new Int32Array(labels);
    this.control = new Int32Array(collective.control);
    this.listen();
  }

  get threads(): number {
    return this.workers.length;
  }

  /** Starts the replicas from `variables` and resolves once each is ready; rejects with the first failure. */
  static async start(opts: PoolOptions): Promise<TrainingPool> {
    const { config, shape, batch } = opts;
    const rows = batch * config.views;
    const ranks = Math.max(1, Math.min(opts.threads, rows));
    const collective = createCollectiveBuffers(ranks);
    const state = new SharedArrayBuffer(4 * stateSize(opts.variables));
    writeState(state, opts.variables);
    Atomics.store(new Int32Array(collective.control), SNAPSHOT_STEP, opts.globalStep);
    const input = new SharedArrayBuffer(4 * rows * shape.height * shape.width * shape.channels);
    const labels = new SharedArrayBuffer(4 * batch);
    const workers = Array.from({ length: ranks }, (_, rank) => {
      const setup: ReplicaSetup = {
        rank,
        ranks,
        config,
        shape,
        collective,
        input,
        labels,
        state,
        rows: shareOf(rows, rank, ranks),
      };
      return spawnWorker(setup);
    });
    const pool = new TrainingPool(workers, collective, state, input, labels);
    try {
      await pool.run(() => undefined);
    } catch (e) {
      await pool.close(); // the replicas that did start must not keep the process alive
      throw e;
    }
    return pool;
  }

  /**
   * Trains on the batch now in `input` and `labels`; `globalStep` counts the
   * steps before this one. Rejects with a WorkerFailure when a replica dies or
   * throws: the others are woken from their waits, nothing hangs.
   */
  step(lr: number, globalStep: number): Promise<StepStats> {
    const message: ToWorker = { type: 'step', lr, globalStep };
    return this.run(() => this.workers.forEach((w) => w.postMessage(message)));
  }

  /**
   * The replicas' model frozen on `count` normalised images (`pixels`, NHWC
   * float32), each replica encoding a contiguous share: encoder features, or
   * with `projection` the head's output, as rows [count, width] (`width` is
   * that output's size). Rejects with a WorkerFailure as a step does.
   */
  async encode(pixels: Float32Array, count: number, projection: boolean, width: number): Promise<Float32Array> {
    const input = this.scratch('input', pixels.length);
    const output = this.scratch('output', count * width);
    new Float32Array(input).set(pixels);
    const message: ToWorker = { type: 'encode', input, output, count, projection };
    await this.run(() => this.workers.forEach((w) => w.postMessage(message)));
    return new Float32Array(output, 0, count * width).slice();
  }

  /** Shared memory of at least `floats` float32 for encode's images or rows, kept for the next call. */
  private scratch(name: 'input' | 'output', floats: number): SharedArrayBuffer {
    const held = this.encodeBuffers[name];
    if (held && held.byteLength >= 4 * floats) return held;
    return (this.encodeBuffers[name] = new SharedArrayBuffer(4 * floats));
  }

  /** The global step the shared snapshot holds; -1 while rank 0 writes it, or when closing cut the write. */
  snapshotStep(): number {
    return Atomics.load(this.control, SNAPSHOT_STEP);
  }

  /** Copies the snapshot into `variables` (modelVariables order): the model after the last step. */
  readSnapshot(variables: tf.Variable[]): void {
    readState(this.state, variables);
  }

  async close(): Promise<void> {
    abortCollective(this.collective);
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private run(start: () => void): Promise<StepStats> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.pending = { waiting: this.workers.length, resolve, reject };
      start();
    });
  }

  private listen(): void {
    this.workers.forEach((w, rank) => {
      const name = `training worker ${rank + 1} of ${this.workers.length}`;
      w.on('message', (m: FromWorker) => {
        if (m.type === 'error') this.fail(`${name} failed: ${m.message}`);
        else if (m.type === 'aborted') this.fail(`${name} stopped because another worker failed`);
        else this.arrived(m.type === 'done' && rank === 0 ? m : undefined);
      });
      w.on('error', (e) => this.fail(`${name} failed: ${e.message}`));
      w.on('exit', (code) => this.fail(`${name} exited unexpectedly (exit code ${code})`));
    });
  }

  private arrived(stats?: StepStats): void {
    const p = this.pending;
    if (!p) return;
    if (stats) p.stats = stats;
    if (--p.waiting > 0) return;
    this.pending = undefined;
    p.resolve(p.stats ?? { loss: NaN, posSim: NaN, negSim: NaN });
  }

  /** The first failure wins; later ones (the others giving up) only confirm it. */
  private fail(message: string): void {
    if (!this.failure) {
      this.failure = new WorkerFailure(message);
      abortCollective(this.collective);
    }
    const p = this.pending;
    this.pending = undefined;
    p?.reject(this.failure);
  }
}
