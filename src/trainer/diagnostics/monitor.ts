/**
 * The per-epoch representation monitor: encodes a fixed, seeded subset of the
 * test split (and of the training split as the kNN memory bank), measures it
 * with the pure metrics beside this file, and reports a diagnostics event, plus
 * a warning when the embeddings start to collapse.
 */
import * as tf from '../backend/tf';
import type { Method, RunConfig } from '../../protocol/config';
import type { Diagnostics } from '../../protocol/messages';
import { makeViews, normalizeImages } from '../augment';
import { readScalars } from '../backend/readScalars';
import type { Dataset, Split } from '../data/dataset';
import type { Dense, Encode } from '../models';
import type { EventBody } from '../io/recorder';
import { Rng } from '../rng';
import { alignment, classAlignment, uniformity } from './alignUniform';
import { classSimilarity } from './classSimilarity';
import { collapseWarning, dimensionStd, effectiveRank, secondMoment } from './collapse';
import { weightedKnnTop1 } from './knn';

const BATCH = 256;

export interface MonitorSubsets {
  /** Test images measured (and mapped by `embed`). */
  test: Int32Array;
  /** Training images of the kNN memory bank. */
  bank: Int32Array;
}

/** The first `count` of a seeded shuffle of 0..n-1, in ascending order. */
function seededSubset(n: number, count: number, seed: number): Int32Array {
  const all = new Rng(seed).shuffle(Int32Array.from({ length: n }, (_, i) => i));
  return all.slice(0, Math.min(count, n)).sort();
}

/** The same subsets for every epoch, checkpoint and `embed` call of a run: they depend only on the seed and the data. */
export function monitorSubsets(dataset: Dataset, samples: number, bank: number, seed: number): MonitorSubsets {
  return { test: seededSubset(dataset.test.count, samples, seed ^ 0x6d6f6e69), bank: seededSubset(dataset.train.count, bank, seed ^ 0x62616e6b) };
}

/** The model measured: frozen forward passes (in this thread or on the worker pool) and, in this thread, its head. */
export interface MeasuredModel {
  encode: Encode;
  head: Dense;
}

/** Encoder features [indices.length, dim] of the un-augmented images (batch norm in inference mode), left on the backend. */
export async function encodeImages(encode: Encode, dataset: Dataset, split: Split, indices: Int32Array): Promise<tf.Tensor2D> {
  const dims = { height: dataset.height, width: dataset.width, channels: dataset.channels };
  const parts: tf.Tensor2D[] = [];
  for (let start = 0; start < indices.length; start += BATCH) {
    const batch = indices.subarray(start, start + BATCH);
    const pixels = normalizeImages(split, dims, batch, { mean: dataset.mean, std: dataset.std });
    parts.push(await encode(pixels, batch.length, false));
    // lets a stop request in between batches
    await new Promise(setImmediate);
  }
  const all = tf.concat(parts);
  tf.dispose(parts);
  return all;
}

/** The embedding the loss sees: the projection head's output for contrastive methods, the encoder's features for cross-entropy. */
function embedder(head: Dense, method: Method): (h: tf.Tensor2D) => tf.Tensor2D {
  return method === 'ce' ? (h) => h.clone() : (h) => head.forward(h);
}

/** Embeddings of two augmented views of each image: [n, d] twice. The views are drawn from a fixed seed, so every epoch sees the same ones. */
async function embedViews(encode: Encode, config: RunConfig, dataset: Dataset, indices: Int32Array): Promise<[tf.Tensor2D, tf.Tensor2D]> {
  const dims = { height: dataset.height, width: dataset.width, channels: dataset.channels };
  const rng = new Rng(config.seed ^ 0x76696577);
  const first: tf.Tensor2D[] = [];
  const second: tf.Tensor2D[] = [];
  for (let start = 0; start < indices.length; start += BATCH) {
    const batch = indices.subarray(start, start + BATCH);
    const b = batch.length;
    const pixels = makeViews(dataset.test, dims, batch, 2, config.augment, { mean: dataset.mean, std: dataset.std }, rng);
    const z = await encode(pixels, 2 * b, config.method !== 'ce');
    first.push(z.slice([0, 0], [b, -1]));
    second.push(z.slice([b, 0], [b, -1]));
    z.dispose();
    await new Promise(setImmediate);
  }
  const out: [tf.Tensor2D, tf.Tensor2D] = [tf.concat(first), tf.concat(second)];
  tf.dispose([...first, ...second]);
  return out;
}

/**
 * Measures the model on the subsets: every Diagnostics field but epoch and globalStep. Needs at least
 * 2 test images (uniformity is over pairs) and 1 bank image; throws otherwise.
 */
export async function measureRepresentation(
  model: MeasuredModel,
  config: RunConfig,
  dataset: Dataset,
  subsets: MonitorSubsets,
): Promise<Omit<Diagnostics, 'epoch' | 'globalStep'>> {
  const t0 = performance.now();
  const classes = dataset.classes.length;
  const testLabels = tf.tensor1d(
    Int32Array.from(subsets.test, (i) => dataset.test.labels[i]),
    'int32',
  );
  const bankLabels = tf.tensor1d(
    Int32Array.from(subsets.bank, (i) => dataset.train.labels[i]),
    'int32',
  );
  const features = await encodeImages(model.encode, dataset, dataset.test, subsets.test);
  const bank = await encodeImages(model.encode, dataset, dataset.train, subsets.bank);
  const [u, v] = await embedViews(model.encode, config, dataset, subsets.test);
  const z = tf.tidy(() => embedder(model.head, config.method)(features));
  const std = dimensionStd(z);
  const scalars = [weightedKnnTop1(bank, bankLabels, features, testLabels, classes), alignment(u, v), classAlignment(z, testLabels), uniformity(z), std.mean, std.collapsed];
  const similarity = classSimilarity(z, testLabels, classes);
  const moment = secondMoment(z);
  try {
    const [[knnTop1, align, classAlign, uniform, stdMean, stdCollapsed], sims, momentValues] = await Promise.all([readScalars(...scalars), similarity.array(), moment.data()]);
    return {
      samples: subsets.test.length,
      knnTop1,
      alignment: align,
      classAlignment: Number.isFinite(classAlign) ? classAlign : null,
      uniformity: uniform,
      stdMean,
      stdCollapsed,
      effectiveRank: effectiveRank(momentValues),
      dim: z.shape[1],
      // 4 decimals keep a 100-class matrix near 70 kB a line
      classSimilarity: sims.map((row) => row.map((s) => (Number.isFinite(s) ? Math.round(s * 1e4) / 1e4 : null))),
      seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    tf.dispose([testLabels, bankLabels, features, bank, u, v, z, ...scalars, similarity, moment]);
  }
}

/**
 * The monitor of one run, or undefined when config.monitor.samples is 0 or the data is too small
 * (under 2 test images). Each call measures the model after `epoch` completed epochs and emits a
 * diagnostics event, and a warning (with the step) when the embeddings enter collapse; a measurement
 * that throws becomes a warning, never a failed run.
 */
export function representationMonitor(
  config: RunConfig,
  dataset: Dataset,
  emit: (ev: EventBody) => void,
): ((model: MeasuredModel, epoch: number, globalStep: number) => Promise<void>) | undefined {
  const { samples, bank, minRank } = config.monitor;
  if (samples === 0 || Math.min(samples, dataset.test.count) < 2 || dataset.train.count < 1) return undefined;
  const subsets = monitorSubsets(dataset, samples, bank, config.seed);
  let collapsed = false;
  return async (model, epoch, globalStep) => {
    // the test images, their two views, and the bank
    emit({ type: 'phase', phase: 'monitor', images: 3 * subsets.test.length + subsets.bank.length });
    let d: Awaited<ReturnType<typeof measureRepresentation>>;
    try {
      d = await measureRepresentation(model, config, dataset, subsets);
    } catch (e) {
      // a measurement is worth less than the run: say why and train on
      emit({
        type: 'warning',
        code: 'diagnostics-failed',
        step: globalStep,
        message: `step ${globalStep}: the representation diagnostics failed (${(e as Error).message}); training goes on. Lower monitor.samples or monitor.bank, or set monitor.samples 0.`,
      });
      return;
    }
    emit({ type: 'diagnostics', epoch, globalStep, ...d });
    // a random network's embeddings share one direction: collapse is only news once training has moved them
    const warning = globalStep > 0 ? collapseWarning(d, minRank) : undefined;
    if (warning && !collapsed) emit({ type: 'warning', code: 'representation-collapse', step: globalStep, message: `step ${globalStep}: ${warning}` });
    collapsed = warning !== undefined;
  };
}
