/**
 * The pretraining loop: views -> encoder -> head -> loss -> SGD, one step at a
 * time, with the stream of step and epoch events, checkpoints, and a graceful
 * stop between steps.
 */
import * as tf from './backend/tf';
import type { RunConfig } from '../protocol/config';
import { makeViews } from './augment';
import { saveCheckpoint, TrainingPosition } from './io/checkpoint';
import type { Dataset } from './data/dataset';
import { collapseLoss, crossEntropy, pairSimilarities, supConLossWithStats } from './losses';
import { createEncoder, createLinear, createProjectionHead, Dense, Encoder, l2Normalize } from './models';
import { Sgd } from './optim';
import type { RunRecorder } from './io/recorder';
import { gatherRows, sumGradients, type ReplicaGroup } from './parallel/replicas';
import { WorkerFailure, type StepStats } from './parallel/pool';
import { stepBatch, type ModelRunner } from './modelRunner';
import { Rng } from './rng';
import { cosineWithWarmup } from './schedule';

export interface Model {
  encoder: Encoder;
  /** Projection head (contrastive methods) or classifier (cross-entropy). */
  head: Dense;
  optim: Sgd;
}

/** `dataset` needs only its channel count and classes (a worker builds a replica from them). */
export function buildModel(config: RunConfig, dataset: Pick<Dataset, 'channels' | 'classes'>): Model {
  const rng = new Rng(config.seed);
  const encoder = createEncoder(config.encoder, dataset.channels, rng);
  const head = config.method === 'ce' ? createLinear(encoder.dim, dataset.classes.length, rng) : createProjectionHead(encoder.dim, config.projectionDim, rng);
  const trainable = [...encoder.params.trainable.values(), ...head.params.trainable.values()];
  return { encoder, head, optim: new Sgd(trainable, config.momentum, config.weightDecay) };
}

/** Everything a checkpoint holds, under stable names, in a fixed order. */
export function modelVariables(model: Model): Map<string, tf.Variable> {
  const vars = new Map<string, tf.Variable>();
  for (const ps of [model.encoder.params, model.head.params]) {
    for (const [k, v] of ps.trainable) vars.set(k, v);
    for (const [k, v] of ps.state) vars.set(k, v);
  }
  const names = [...model.encoder.params.trainable.keys(), ...model.head.params.trainable.keys()];
  model.optim.slots.forEach((s, i) => vars.set(`optim/${names[i]}`, s));
  return vars;
}

export function disposeModel(model: Model): void {
  model.encoder.params.dispose();
  model.head.params.dispose();
  model.optim.dispose();
}

export function stepsPerEpoch(trainCount: number, batchSize: number): number {
  return Math.max(1, Math.floor(trainCount / batchSize));
}

/** The image order of an epoch depends only on the seed and the epoch, so a resumed run sees the same batches. */
export function epochOrder(count: number, seed: number, epoch: number): Int32Array {
  const order = new Int32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  return new Rng((seed ^ Math.imul(epoch + 1, 0x9e3779b1)) >>> 0).shuffle(order);
}

export interface StepResult {
  loss: tf.Scalar;
  posSim: tf.Scalar;
  negSim: tf.Scalar;
}

/**
 * One forward, backward and update. `x` holds views*B images, view-major;
 * `labels` the B images' classes. With a replica `group`, `x` is this
 * replica's contiguous slice of those rows: batch norm and the loss still see
 * the whole batch (statistics summed, embeddings gathered), the weight
 * gradients are summed over replicas, and every replica applies the same
 * update (see parallel/pool.ts).
 */
export function trainStep(model: Model, config: RunConfig, x: tf.Tensor4D, labels: Int32Array, lr: number, group?: ReplicaGroup): StepResult {
  const batch = labels.length;
  const views = config.views;
  const all = (rows: tf.Tensor2D) => (group ? gatherRows(group, rows) : rows);
  let stats: Omit<StepResult, 'loss'> | undefined;
  const { value, grads } = tf.variableGrads(() => {
    const h = model.encoder.forward(x, true, group);
    const viewLabels = tf.tensor1d(labels, 'int32');
    const out =
      config.method === 'ce'
        ? {
            loss: crossEntropy(all(model.head.forward(h)), tf.tile(viewLabels, [views]) as tf.Tensor1D),
            ...pairSimilarities(toBatchViews(all(l2Normalize(h)), batch, views), viewLabels),
          }
        : supConLossWithStats(toBatchViews(all(model.head.forward(h)), batch, views), config.method === 'simclr' ? null : viewLabels, {
            temperature: config.temperature,
            baseTemperature: config.baseTemperature,
            variant: config.method === 'supcon-in' ? 'in' : 'out',
          });
    stats = { posSim: tf.keep(out.posSim), negSim: tf.keep(out.negSim) };
    return out.loss;
  }, model.optim.params);
  const mine = model.optim.params.map((p) => grads[p.name]);
  const summed = group ? sumGradients(group, mine) : mine;
  model.optim.step(summed, lr);
  tf.dispose(grads);
  if (group) tf.dispose(summed);
  return { loss: value, ...stats! };
}

/** [views*B, d] view-major rows -> [B, views, d]. */
function toBatchViews(z: tf.Tensor2D, batch: number, views: number): tf.Tensor3D {
  return tf.transpose(tf.reshape(z, [views, batch, z.shape[1]]), [1, 0, 2]);
}

export interface PretrainContext {
  config: RunConfig;
  dataset: Dataset;
  model: Model;
  recorder: RunRecorder;
  position: TrainingPosition;
  /** Lowest epoch loss so far, so "best" survives a resume. */
  bestLoss: number;
  shouldStop: () => boolean;
  /** Runs after each epoch's event and checkpoints (the representation monitor). */
  afterEpoch?: (epochsDone: number, globalStep: number) => Promise<void>;
  /** Where the steps run (this thread, or data-parallel worker threads); the caller closes it. */
  runner: ModelRunner;
}

export type PretrainOutcome = { kind: 'completed' } | { kind: 'stopped' } | { kind: 'diverged'; step: number; lastLoss?: number };

export async function pretrain(ctx: PretrainContext): Promise<PretrainOutcome> {
  const { config, dataset, model, recorder } = ctx;
  const train = dataset.train;
  const batch = stepBatch(config, train.count);
  const perEpoch = stepsPerEpoch(train.count, config.batchSize);
  const total = perEpoch * config.epochs;
  const warmup = Math.round(config.warmupEpochs * perEpoch);
  const dims = { height: dataset.height, width: dataset.width, channels: dataset.channels };
  const norm = { mean: dataset.mean, std: dataset.std };
  const rng = new Rng(0);
  rng.state = ctx.position.rngState;
  const collapse = config.method === 'ce' ? NaN : collapseLoss(batch, config.views, config.temperature, config.baseTemperature);
  let globalStep = ctx.position.globalStep;
  let bestLoss = ctx.bestLoss;
  let lastLoss: number | undefined;
  let positivesWarned = false;
  const { runner } = ctx;
  const { input: buffer, labels } = runner;

  const save = (name: string, position: TrainingPosition, metric?: number) => {
    runner.sync();
    return saveCheckpoint(recorder.runDir, name, modelVariables(model), position, metric).then((m) =>
      recorder.emit({ type: 'checkpoint', name, epoch: m.epoch, globalStep: m.globalStep, metric }),
    );
  };

  for (let epoch = ctx.position.epoch; epoch < config.epochs; epoch++) {
    const order = epochOrder(train.count, config.seed, epoch);
    const epochStart = performance.now();
    let lossSum = 0;
    let steps = 0;
    let collapseWarned = false;
    const first = epoch === ctx.position.epoch ? ctx.position.stepInEpoch : 0;
    for (let s = first; s < perEpoch; s++) {
      const t0 = performance.now();
      const indices = order.subarray(s * batch, (s + 1) * batch);
      for (let i = 0; i < batch; i++) labels[i] = train.labels[indices[i]];
      const before: TrainingPosition = { epoch, stepInEpoch: s, globalStep, rngState: rng.state };
      makeViews(train, dims, indices, config.views, config.augment, norm, rng, buffer);
      const lr = cosineWithWarmup(globalStep, total, warmup, config.lr);
      const after: TrainingPosition =
        s + 1 < perEpoch
          ? { epoch, stepInEpoch: s + 1, globalStep: globalStep + 1, rngState: rng.state }
          : { epoch: epoch + 1, stepInEpoch: 0, globalStep: globalStep + 1, rngState: rng.state };
      let stats: StepStats;
      try {
        stats = await runner.step(lr, globalStep);
      } catch (e) {
        if (e instanceof WorkerFailure) throw await saveAfterFailure(e, runner, [before, after], save);
        throw e;
      }
      const { loss, posSim, negSim } = stats;
      // numbered as step events number it
      if (!Number.isFinite(loss)) return { kind: 'diverged', step: globalStep + 1, lastLoss };
      globalStep++;
      lastLoss = loss;
      lossSum += loss;
      steps++;
      const seconds = (performance.now() - t0) / 1000;
      recorder.emit({ type: 'step', epoch, step: s, globalStep, loss, lr, imagesPerSec: batch / seconds, posSim, negSim });
      if (!positivesWarned && config.views === 1 && config.method !== 'ce' && new Set(labels).size === batch) {
        positivesWarned = true;
        recorder.emit({
          type: 'warning',
          code: 'no-positive',
          message: `step ${globalStep}: no two images of the batch share a class and views is 1, so no anchor has a positive and the loss is 0: the step learned nothing. Use views >= 2 or a larger batchSize.`,
        });
      }
      if (!collapseWarned && Math.abs(loss - collapse) < 1e-3 * collapse) {
        collapseWarned = true;
        recorder.emit({
          type: 'warning',
          code: 'collapse',
          message: `loss ${loss.toFixed(4)} sits at the collapse value (T/base_T) ln(${config.views}N-1) = ${collapse.toFixed(4)}: every embedding is the same. Try a lower learning rate or a higher temperature.`,
        });
      }
      // let IPC messages and signals (a stop request) in between steps
      await new Promise(setImmediate);
      if (ctx.shouldStop() && s < perEpoch - 1) {
        await save('last', { epoch, stepInEpoch: s + 1, globalStep, rngState: rng.state }, lastLoss);
        return { kind: 'stopped' };
      }
    }
    const seconds = (performance.now() - epochStart) / 1000;
    const meanLoss = lossSum / Math.max(1, steps);
    recorder.emit({ type: 'epoch', epoch, loss: meanLoss, lr: cosineWithWarmup(globalStep - 1, total, warmup, config.lr), imagesPerSec: (steps * batch) / seconds, seconds });
    const done = { epoch: epoch + 1, stepInEpoch: 0, globalStep, rngState: rng.state };
    await save('last', done, meanLoss);
    if (meanLoss < bestLoss) {
      bestLoss = meanLoss;
      await save('best', done, meanLoss);
    }
    if (config.checkpointEvery > 0 && (epoch + 1) % config.checkpointEvery === 0 && epoch + 1 < config.epochs) {
      await save(`epoch-${epoch + 1}`, done, meanLoss);
    }
    await ctx.afterEpoch?.(epoch + 1, globalStep);
    if (ctx.shouldStop() && epoch + 1 < config.epochs) return { kind: 'stopped' };
  }
  return { kind: 'completed' };
}

/**
 * After a worker failed: saves checkpoint "last" from the replicas' snapshot
 * when it holds the step before or after the failed one (`around`), and
 * returns the error the run fails with, saying where it can resume.
 */
async function saveAfterFailure(
  failure: WorkerFailure,
  runner: ModelRunner,
  around: [TrainingPosition, TrainingPosition],
  save: (name: string, position: TrainingPosition) => Promise<void>,
): Promise<Error> {
  await runner.close();
  const position = around.find((p) => p.globalStep === runner.snapshotStep());
  if (!position) return new Error(`${failure.message}; resume from the last checkpoint saved before it`);
  await save('last', position);
  return new Error(`${failure.message}; checkpoint "last" holds step ${position.globalStep}: resume the run from it`);
}
