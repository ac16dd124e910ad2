/**
 * Linear evaluation: the encoder is frozen (batch norm in inference mode), its
 * features of the un-augmented train and test images are computed once, and a
 * linear classifier is trained on them with cross-entropy. Features are
 * standardised with train-set statistics first; that affine map folds into
 * the linear layer, so the probe stays linear while SGD converges in a few epochs.
 */
import * as tf from './backend/tf';
import type { ProbeConfig } from '../protocol/config';
import { normalizeImages } from './augment';
import { readScalars } from './backend/readScalars';
import type { Dataset, Split } from './data/dataset';
import { crossEntropy } from './losses';
import { top1Accuracy } from './metrics';
import { createLinear, type Encode } from './models';
import { Sgd } from './optim';
import { Rng } from './rng';
import { cosineWithWarmup } from './schedule';

const FEATURE_BATCH = 256;

/** Encoder features of a whole split, [count, dim], read back in batches. */
export async function extractFeatures(encode: Encode, dim: number, dataset: Dataset, split: Split): Promise<Float32Array> {
  const dims = { height: dataset.height, width: dataset.width, channels: dataset.channels };
  const norm = { mean: dataset.mean, std: dataset.std };
  const out = new Float32Array(split.count * dim);
  const indices = new Int32Array(FEATURE_BATCH);
  for (let start = 0; start < split.count; start += FEATURE_BATCH) {
    const n = Math.min(FEATURE_BATCH, split.count - start);
    for (let i = 0; i < n; i++) indices[i] = start + i;
    const pixels = normalizeImages(split, dims, indices.subarray(0, n), norm);
    const features = await encode(pixels, n, false);
    out.set(await features.data(), start * dim);
    features.dispose();
  }
  return out;
}

/** Per-dimension mean and standard deviation of train features. */
export function featureStats(features: Float32Array, dim: number): { mean: Float32Array; std: Float32Array } {
  const count = features.length / dim;
  const mean = new Float32Array(dim);
  const std = new Float32Array(dim);
  for (let i = 0; i < count; i++) for (let d = 0; d < dim; d++) mean[d] += features[i * dim + d];
  for (let d = 0; d < dim; d++) mean[d] /= count;
  for (let i = 0; i < count; i++) for (let d = 0; d < dim; d++) std[d] += (features[i * dim + d] - mean[d]) ** 2;
  for (let d = 0; d < dim; d++) std[d] = Math.sqrt(std[d] / count) + 1e-6;
  return { mean, std };
}

export interface ProbeProgress {
  epoch: number;
  loss: number;
  trainAcc: number;
  testAcc: number;
}

export interface ProbeOutcome {
  /** Test top-1 after the last epoch: the number to report. */
  top1: number;
  /** Best test top-1 over epochs (optimistic: chosen on the test split), with its epoch. */
  bestTop1: number;
  bestEpoch: number;
  /** The batch size used (see probeBatchSize). */
  batchSize: number;
}

/**
 * The probe's batch: the configured one, but at most a tenth of the training
 * set (rounded up), so a small set still gets 10 SGD steps an epoch. The value
 * used is recorded with each probe result and named in `--help`.
 */
export function probeBatchSize(configured: number, trainCount: number): number {
  return Math.min(configured, Math.ceil(trainCount / 10));
}

/**
 * Trains the linear probe on frozen features (see the file comment) of the
 * encoder `encode` runs, `dim` per image, and reports each epoch through
 * onProgress. Accuracies are fractions in [0, 1].
 */
export async function linearProbe(encode: Encode, dim: number, dataset: Dataset, cfg: ProbeConfig, seed: number, onProgress: (p: ProbeProgress) => void): Promise<ProbeOutcome> {
  const trainFeatures = await extractFeatures(encode, dim, dataset, dataset.train);
  const testFeatures = await extractFeatures(encode, dim, dataset, dataset.test);
  const { mean, std } = featureStats(trainFeatures, dim);
  const standardise = (f: Float32Array, n: number) => tf.tidy(() => tf.div(tf.sub(tf.tensor2d(f, [n, dim]), tf.tensor1d(mean)), tf.tensor1d(std)) as tf.Tensor2D);
  const xTrain = standardise(trainFeatures, dataset.train.count);
  const xTest = standardise(testFeatures, dataset.test.count);
  const yTrain = tf.tensor1d(dataset.train.labels, 'int32');
  const yTest = tf.tensor1d(dataset.test.labels, 'int32');

  const rng = new Rng(seed ^ 0x5eed);
  const classifier = createLinear(dim, dataset.classes.length, rng, 'probe');
  const params = [...classifier.params.trainable.values()];
  const optim = new Sgd(params, 0.9, 0);
  const batch = probeBatchSize(cfg.batchSize, dataset.train.count);
  const perEpoch = Math.max(1, Math.floor(dataset.train.count / batch));
  const total = perEpoch * cfg.epochs;
  let step = 0;
  let best = { top1: -1, epoch: 0 };
  let last = 0;
  try {
    for (let epoch = 0; epoch < cfg.epochs; epoch++) {
      const order = tf.tensor1d(rng.shuffle(Int32Array.from({ length: dataset.train.count }, (_, i) => i)), 'int32');
      // summed on the backend and read once an epoch: a read per step would stall a GPU
      let lossSum: tf.Scalar = tf.scalar(0);
      for (let s = 0; s < perEpoch; s++) {
        const idx = order.slice(s * batch, batch);
        const xb = tf.gather(xTrain, idx) as tf.Tensor2D;
        const yb = tf.gather(yTrain, idx) as tf.Tensor1D;
        const { value, grads } = tf.variableGrads(() => crossEntropy(classifier.forward(xb), yb), params);
        optim.step(
          params.map((p) => grads[p.name]),
          cosineWithWarmup(step++, total, 0, cfg.lr),
        );
        const sum = tf.add(lossSum, value) as tf.Scalar;
        tf.dispose([lossSum, idx, xb, yb, value, grads]);
        lossSum = sum;
      }
      order.dispose();
      const accuracies = tf.tidy(() => [top1Accuracy(classifier.forward(xTrain), yTrain), top1Accuracy(classifier.forward(xTest), yTest)]);
      const [lossTotal, trainAcc, testAcc] = await readScalars(lossSum, ...accuracies);
      tf.dispose([lossSum, ...accuracies]);
      last = testAcc;
      if (testAcc > best.top1) best = { top1: testAcc, epoch };
      onProgress({ epoch, loss: lossTotal / perEpoch, trainAcc, testAcc });
    }
  } finally {
    tf.dispose([xTrain, xTest, yTrain, yTest]);
    classifier.params.dispose();
    optim.dispose();
  }
  return { top1: last, bestTop1: best.top1, bestEpoch: best.epoch, batchSize: batch };
}
