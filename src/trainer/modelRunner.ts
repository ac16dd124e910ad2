/**
 * Where a run's model runs: in this thread, or as replicas on a pool of worker
 * threads (wasm backend, one per core). The runner lives for the whole job, so
 * the training steps, the representation monitor's forward passes and the
 * linear probe's features all use every core it has.
 */
import * as tf from './backend/tf';
import type { RunConfig } from '../protocol/config';
import { readScalars } from './backend/readScalars';
import type { Dataset } from './data/dataset';
import { encodeHere, type Encode } from './models';
import { TrainingPool, type StepStats } from './parallel/pool';
import { modelVariables, trainStep, type Model } from './pretrain';

export interface ModelRunner {
  /** The batch's views*B images (NHWC, view-major) and B labels, written before each step. */
  readonly input: Float32Array;
  readonly labels: Int32Array;
  /** One training step on the batch in `input` and `labels`; `globalStep` counts the steps before it. */
  step(lr: number, globalStep: number): Promise<StepStats>;
  /** The model frozen, as it stands after the last step. */
  encode: Encode;
  /** Brings the model's variables in this thread up to the last step (the pool trains replicas). */
  sync(): void;
  /** The global step sync() would bring the model to (-1: none whole, after a failure cut it). */
  snapshotStep(): number;
  close(): Promise<void>;
}

/** Images per training step: the configured batch, or the whole training set when it is smaller. */
export function stepBatch(config: RunConfig, trainCount: number): number {
  return Math.min(config.batchSize, trainCount);
}

/**
 * A runner for `model` (its variables at `globalStep`) on `threads` threads;
 * 1 runs in this thread. Rejects when a worker fails to start.
 */
export async function startModelRunner(config: RunConfig, dataset: Dataset, model: Model, globalStep: number, threads: number): Promise<ModelRunner> {
  const { height, width, channels } = dataset;
  const batch = stepBatch(config, dataset.train.count);
  const rows = batch * config.views;
  if (threads <= 1) {
    const input = new Float32Array(rows * height * width * channels);
    const labels = new Int32Array(batch);
    return {
      input,
      labels,
      step: async (lr) => {
        const x = tf.tensor4d(input, [rows, height, width, channels]);
        const result = trainStep(model, config, x, labels, lr);
        const [loss, posSim, negSim] = await readScalars(result.loss, result.posSim, result.negSim);
        tf.dispose([x, result.loss, result.posSim, result.negSim]);
        return { loss, posSim, negSim };
      },
      encode: encodeHere(model, dataset),
      sync: () => undefined,
      snapshotStep: () => -1,
      close: async () => undefined,
    };
  }
  const variables = [...modelVariables(model).values()];
  const pool = await TrainingPool.start({ threads, config, shape: { height, width, channels, classes: dataset.classes }, batch, variables, globalStep });
  return {
    input: pool.input,
    labels: pool.labels,
    step: (lr, globalStep) => pool.step(lr, globalStep),
    encode: async (pixels, count, projection) => {
      const width = projection ? model.head.dim : model.encoder.dim;
      return tf.tensor2d(await pool.encode(pixels, count, projection, width), [count, width]);
    },
    sync: () => pool.readSnapshot(variables),
    snapshotStep: () => pool.snapshotStep(),
    close: () => pool.close(),
  };
}
