/**
 * The fast paths the running backend provides for the maths. Each one computes
 * exactly what the plain function it stands in for computes (value and
 * gradient, up to float32 summation order; tests hold them to it), so the
 * maths files read as maths and name no backend.
 */
import type { SupConOptions, SupConStats } from '../losses';
import * as tf from '../backend/tf';

/**
 * Batch norm in training mode: y = gamma (x - mean) / sqrt(variance + eps) + beta
 * with the batch's per-channel mean and (biased) variance over N, H, W.
 * x [N, H, W, C], gamma and beta [C]; returns y [N, H, W, C], differentiable
 * in x, gamma and beta, and hands the statistics [C] to onStats while they
 * exist (to update running statistics).
 */
export type BatchNormTraining = (
  x: tf.Tensor4D,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  epsilon: number,
  onStats: (mean: tf.Tensor1D, variance: tf.Tensor1D) => void,
) => tf.Tensor4D;

/** The supervised contrastive loss and pair similarities of features [bsz, views, dim] (see losses.ts). */
export type SupConLoss = (features: tf.Tensor3D, labels: tf.Tensor1D | null, options: SupConOptions) => SupConStats;

export interface FastOps {
  batchNormTraining?: BatchNormTraining;
  supConLoss?: SupConLoss;
}

const byBackend = new Map<string, FastOps>();

/** The fast paths of the backend in use; empty for a backend that needs none. */
export function fastOps(): FastOps {
  return byBackend.get(tf.getBackend()) ?? {};
}

/** Set by the backend's start (ops/index.ts). */
export function setFastOps(backend: string, ops: FastOps): void {
  byBackend.set(backend, ops);
}
