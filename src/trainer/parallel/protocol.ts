/**
 * What the coordinator (pool.ts) and its replicas (worker.ts) share: the setup
 * each replica starts with, the messages of a step, and the model-state
 * snapshot in shared memory (every variable of modelVariables, in its order,
 * as float32).
 */
import * as tf from '../backend/tf';
import type { RunConfig } from '../../protocol/config';
import type { CollectiveBuffers } from './collective';

export interface ReplicaSetup {
  rank: number;
  ranks: number;
  config: RunConfig;
  shape: { height: number; width: number; channels: 1 | 3; classes: string[] };
  /** This replica's rows [from, to) of the views*B view-major batch. */
  rows: [number, number];
  collective: CollectiveBuffers;
  /** views*B images, NHWC float32, view-major. */
  input: SharedArrayBuffer;
  /** B int32 labels. */
  labels: SharedArrayBuffer;
  /** Model snapshot: every variable, float32, in modelVariables order. */
  state: SharedArrayBuffer;
}

export type ToWorker =
  /** A step on the batch now in shared memory; `globalStep` counts the steps before it. */
  | { type: 'step'; lr: number; globalStep: number }
  /**
   * The model frozen on `count` normalised images in `input` (NHWC float32),
   * each replica on its share of the rows: encoder features, or with
   * `projection` the head's output, written as rows into `output`.
   */
  | { type: 'encode'; input: SharedArrayBuffer; output: SharedArrayBuffer; count: number; projection: boolean };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'done'; loss: number; posSim: number; negSim: number }
  | { type: 'encoded' }
  /** Gave up the step because another replica failed. */
  | { type: 'aborted' }
  | { type: 'error'; message: string };

/** Replica `rank`'s contiguous share [from, to) of `rows` rows. */
export function shareOf(rows: number, rank: number, ranks: number): [number, number] {
  return [Math.floor((rank * rows) / ranks), Math.floor(((rank + 1) * rows) / ranks)];
}

/** Floats the snapshot of these variables takes. */
export function stateSize(variables: tf.Variable[]): number {
  return variables.reduce((n, v) => n + v.size, 0);
}

export function writeState(state: SharedArrayBuffer, variables: tf.Variable[]): void {
  const view = new Float32Array(state);
  let at = 0;
  for (const v of variables) {
    view.set(v.dataSync() as Float32Array, at);
    at += v.size;
  }
}

export function readState(state: SharedArrayBuffer, variables: tf.Variable[]): void {
  const view = new Float32Array(state);
  let at = 0;
  tf.tidy(() => {
    for (const v of variables) {
      v.assign(tf.tensor(view.slice(at, at + v.size), v.shape));
      at += v.size;
    }
  });
}
