/**
 * Encoders and heads written directly on tfjs ops (NHWC), so the training loop
 * owns every variable: their order is fixed for the optimizer and checkpoints,
 * and batch norm's running statistics are plain non-trainable variables.
 */
import { fastOps, type BatchNormTraining } from './ops/active';
import * as tf from './backend/tf';
import type { EncoderName } from '../protocol/config';
import { batchNormAcrossReplicas } from './parallel/batchNorm';
import type { ReplicaGroup } from './parallel/replicas';
import { Rng } from './rng';

/** Every variable of a model under a stable logical name (tfjs names must be process-unique, so these are ours). */
export class ParamSet {
  readonly trainable = new Map<string, tf.Variable>();
  readonly state = new Map<string, tf.Variable>();

  constructor(
    private readonly rng: Rng,
    private readonly prefix: string,
  ) {}

  /** He-normal (fan-in) initialised weights: std sqrt(2 / fanIn). */
  normal(name: string, shape: number[], fanIn: number): tf.Variable {
    const size = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(size);
    const std = Math.sqrt(2 / fanIn);
    for (let i = 0; i < size; i += 2) {
      // Box-Muller: two normals per pair of uniforms
      const r = Math.sqrt(-2 * Math.log(1 - this.rng.next()));
      const a = 2 * Math.PI * this.rng.next();
      data[i] = r * Math.cos(a) * std;
      if (i + 1 < size) data[i + 1] = r * Math.sin(a) * std;
    }
    return this.add(name, tf.tensor(data, shape), true);
  }

  filled(name: string, shape: number[], value: number, trainable = true): tf.Variable {
    return this.add(name, tf.fill(shape, value), trainable);
  }

  private add(name: string, init: tf.Tensor, trainable: boolean): tf.Variable {
    const v = tf.variable(init, trainable);
    init.dispose();
    (trainable ? this.trainable : this.state).set(`${this.prefix}/${name}`, v);
    return v;
  }

  dispose(): void {
    for (const v of [...this.trainable.values(), ...this.state.values()]) v.dispose();
  }
}

export interface BatchNorm {
  gamma: tf.Variable;
  beta: tf.Variable;
  mean: tf.Variable;
  variance: tf.Variable;
}

const BN_MOMENTUM = 0.1;
const BN_EPS = 1e-5;

function batchNorm(ps: ParamSet, name: string, channels: number): BatchNorm {
  return {
    gamma: ps.filled(`${name}/gamma`, [channels], 1),
    beta: ps.filled(`${name}/beta`, [channels], 0),
    mean: ps.filled(`${name}/mean`, [channels], 0, false),
    variance: ps.filled(`${name}/variance`, [channels], 1, false),
  };
}

/**
 * Batch norm in training mode (Ioffe & Szegedy 2015): x [N, H, W, C]
 * normalised with the batch's per-channel mean and biased variance over
 * N, H, W, scaled by gamma and shifted by beta; the running statistics move
 * BN_MOMENTUM of the way to the batch's. The backend's fast path, if any,
 * computes the same.
 */
export function batchNormTraining(x: tf.Tensor4D, bn: BatchNorm, group?: ReplicaGroup): tf.Tensor4D {
  const track = (mean: tf.Tensor1D, variance: tf.Tensor1D) =>
    tf.tidy(() => {
      bn.mean.assign(tf.add(tf.mul(bn.mean, 1 - BN_MOMENTUM), tf.mul(mean, BN_MOMENTUM)));
      bn.variance.assign(tf.add(tf.mul(bn.variance, 1 - BN_MOMENTUM), tf.mul(variance, BN_MOMENTUM)));
    });
  const normalise = group ? batchNormAcrossReplicas(group) : (fastOps().batchNormTraining ?? batchNormByDefinition);
  return normalise(x, bn.gamma as tf.Tensor1D, bn.beta as tf.Tensor1D, BN_EPS, track);
}

const batchNormByDefinition: BatchNormTraining = (x, gamma, beta, epsilon, onStats) => {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  onStats(mean as tf.Tensor1D, variance as tf.Tensor1D);
  return x
    .sub(mean)
    .mul(tf.rsqrt(variance.add(epsilon)))
    .mul(gamma)
    .add(beta) as tf.Tensor4D;
};

/** Training mode normalises with batch statistics and folds them into the running ones. */
function applyBatchNorm(x: tf.Tensor4D, bn: BatchNorm, training: boolean, group?: ReplicaGroup): tf.Tensor4D {
  if (training) return batchNormTraining(x, bn, group);
  return tf.batchNorm4d(x, bn.mean as tf.Tensor1D, bn.variance as tf.Tensor1D, bn.beta as tf.Tensor1D, bn.gamma as tf.Tensor1D, BN_EPS);
}

interface ConvBn {
  filter: tf.Variable;
  bn: BatchNorm;
  stride: number;
}

function convBn(ps: ParamSet, name: string, k: number, cin: number, cout: number, stride: number): ConvBn {
  return { filter: ps.normal(`${name}/filter`, [k, k, cin, cout], k * k * cin), bn: batchNorm(ps, `${name}/bn`, cout), stride };
}

function applyConvBn(x: tf.Tensor4D, c: ConvBn, training: boolean, relu: boolean, group?: ReplicaGroup): tf.Tensor4D {
  const y = applyBatchNorm(tf.conv2d(x, c.filter as tf.Tensor4D, c.stride, 'same'), c.bn, training, group);
  return relu ? tf.relu(y) : y;
}

export interface Encoder {
  readonly params: ParamSet;
  /** Feature size of the pooled output. */
  readonly dim: number;
  /** `group`: batch norm takes its training statistics over every replica's slice of the batch. */
  forward(x: tf.Tensor4D, training: boolean, group?: ReplicaGroup): tf.Tensor2D;
}

/** Four 3x3 conv-BN-ReLU layers (32, 32/2, 64, 64/2) and global average pooling: fast on a CPU at 28x28. */
function convnet(ps: ParamSet, channels: number): Encoder {
  const layers = [convBn(ps, 'conv1', 3, channels, 32, 1), convBn(ps, 'conv2', 3, 32, 32, 2), convBn(ps, 'conv3', 3, 32, 64, 1), convBn(ps, 'conv4', 3, 64, 64, 2)];
  return {
    params: ps,
    dim: 64,
    forward: (x, training, group) =>
      tf.tidy(
        () =>
          tf.mean(
            layers.reduce((h, l) => applyConvBn(h, l, training, true, group), x),
            [1, 2],
          ) as tf.Tensor2D,
      ),
  };
}

interface Block {
  convs: ConvBn[];
  shortcut?: ConvBn;
}

/** CIFAR-form ResNet: 3x3 stride-1 stem, no max-pool, four stages (He et al.; as in SupContrast's resnet_big). */
function resnet(ps: ParamSet, channels: number, bottleneck: boolean, counts: number[]): Encoder {
  const expansion = bottleneck ? 4 : 1;
  const stem = convBn(ps, 'stem', 3, channels, 64, 1);
  const blocks: Block[] = [];
  let cin = 64;
  counts.forEach((n, stage) => {
    const width = 64 << stage;
    for (let b = 0; b < n; b++) {
      const stride = b === 0 && stage > 0 ? 2 : 1;
      const name = `layer${stage + 1}/${b}`;
      const cout = width * expansion;
      const convs = bottleneck
        ? [convBn(ps, `${name}/conv1`, 1, cin, width, 1), convBn(ps, `${name}/conv2`, 3, width, width, stride), convBn(ps, `${name}/conv3`, 1, width, cout, 1)]
        : [convBn(ps, `${name}/conv1`, 3, cin, width, stride), convBn(ps, `${name}/conv2`, 3, width, width, 1)];
      const shortcut = stride !== 1 || cin !== cout ? convBn(ps, `${name}/shortcut`, 1, cin, cout, stride) : undefined;
      blocks.push({ convs, shortcut });
      cin = cout;
    }
  });
  const applyBlock = (x: tf.Tensor4D, blk: Block, training: boolean, group?: ReplicaGroup) => {
    const out = blk.convs.reduce((h, c, i) => applyConvBn(h, c, training, i < blk.convs.length - 1, group), x);
    const skip = blk.shortcut ? applyConvBn(x, blk.shortcut, training, false, group) : x;
    return tf.relu(tf.add(out, skip)) as tf.Tensor4D;
  };
  return {
    params: ps,
    dim: cin,
    forward: (x, training, group) =>
      tf.tidy(() => {
        const h = blocks.reduce((acc, blk) => applyBlock(acc, blk, training, group), applyConvBn(x, stem, training, true, group));
        return tf.mean(h, [1, 2]) as tf.Tensor2D;
      }),
  };
}

export function createEncoder(name: EncoderName, channels: number, rng: Rng): Encoder {
  const ps = new ParamSet(rng, 'encoder');
  if (name === 'convnet') return convnet(ps, channels);
  if (name === 'resnet18') return resnet(ps, channels, false, [2, 2, 2, 2]);
  return resnet(ps, channels, true, [3, 4, 6, 3]);
}

export interface Dense {
  readonly params: ParamSet;
  /** Size of the output. */
  readonly dim: number;
  forward(x: tf.Tensor2D): tf.Tensor2D;
}

function dense(ps: ParamSet, name: string, inDim: number, outDim: number) {
  const w = ps.normal(`${name}/kernel`, [inDim, outDim], inDim);
  const b = ps.filled(`${name}/bias`, [outDim], 0);
  return (x: tf.Tensor2D) => tf.add(tf.matMul(x, w), b) as tf.Tensor2D;
}

/** Linear(d, d), ReLU, Linear(d, out), L2-normalised: the contrastive projection head. */
export function createProjectionHead(inDim: number, outDim: number, rng: Rng): Dense {
  const ps = new ParamSet(rng, 'head');
  const l1 = dense(ps, 'fc1', inDim, inDim);
  const l2 = dense(ps, 'fc2', inDim, outDim);
  return { params: ps, dim: outDim, forward: (x) => tf.tidy(() => l2Normalize(l2(tf.relu(l1(x))))) };
}

/** A linear classifier: the probe, and the head of the cross-entropy baseline. */
export function createLinear(inDim: number, classes: number, rng: Rng, prefix = 'classifier'): Dense {
  const ps = new ParamSet(rng, prefix);
  const l = dense(ps, 'fc', inDim, classes);
  return { params: ps, dim: classes, forward: (x) => tf.tidy(() => l(x)) };
}

/**
 * The model run frozen (batch norm in inference mode) on `count` normalised
 * images, NHWC float32 [count, H, W, C]: the encoder's features
 * [count, encoder.dim], or with `projection` the head's output
 * [count, head.dim]. A row depends on its image alone, so the rows may be
 * computed in this thread or shared among worker threads (modelRunner.ts).
 */
export type Encode = (pixels: Float32Array, count: number, projection: boolean) => Promise<tf.Tensor2D>;

/** Encode in this thread, on the backend's tensors. */
export function encodeHere(model: { encoder: Encoder; head: Dense }, image: { height: number; width: number; channels: number }): Encode {
  return async (pixels, count, projection) =>
    tf.tidy(() => {
      const h = model.encoder.forward(tf.tensor4d(pixels, [count, image.height, image.width, image.channels]), false);
      return projection ? model.head.forward(h) : h;
    });
}

export function l2Normalize(x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.div(x, tf.maximum(tf.norm(x, 'euclidean', 1, true), 1e-12)) as tf.Tensor2D);
}
