/**
 * Batch norm in training mode when the batch is split over replicas (data-
 * parallel training on the wasm backend): the ops layer's batch norm with its
 * sums taken over every replica's rows (ops/batchNormBySums.ts).
 */
import type { BatchNormTraining } from '../ops/active';
import { batchNormBySums } from '../ops/batchNormBySums';
import { batchNormKernelsWasm } from '../ops/wasm/batchNorm';
import { replicaSum, type ReplicaGroup } from './replicas';

export function batchNormAcrossReplicas(group: ReplicaGroup): BatchNormTraining {
  return batchNormBySums(batchNormKernelsWasm, (sums) => replicaSum(group, sums));
}
