/**
 * The embedding map of a checkpoint: the encoder's features of the run's fixed
 * test subset (the one the representation monitor measures), L2-normalised as
 * the kNN monitor sees them, projected to 2-D by PCA (float64, own) or UMAP
 * (McInnes et al. 2018, through umap-js), seeded so a map is reproducible.
 */
import * as path from 'node:path';
import * as tf from './backend/tf';
import { resolveConfig } from '../protocol/config';
import type { EmbeddingMap, ProjectionMethod } from '../protocol/embeddingMap';
import { initBackend } from './backend/init';
import { loadCheckpoint, restoreVariables } from './io/checkpoint';
import { loadDataset } from './data/loadDataset';
import { encodeImages, monitorSubsets } from './diagnostics/monitor';
import { pca } from './diagnostics/pca';
import { encodeHere, l2Normalize } from './models';
import { buildModel, disposeModel, modelVariables } from './pretrain';
import { Rng } from './rng';
import { checkpointDir, defaultCacheDir, readRunConfig } from './run';

/** Rows [count, dim] to 2-D, [count, 2] row-major. */
export async function project(rows: Float32Array, dim: number, method: ProjectionMethod, seed: number): Promise<Float64Array> {
  if (method === 'pca') return pca(rows, dim, 2).points;
  const count = rows.length / dim;
  const vectors = Array.from({ length: count }, (_, i) => Array.from(rows.subarray(i * dim, (i + 1) * dim)));
  // loaded here: only UMAP maps need it
  const { UMAP } = await import('umap-js');
  const rng = new Rng(seed ^ 0x756d6170);
  const umap = new UMAP({ nComponents: 2, nNeighbors: Math.min(15, count - 1), minDist: 0.1, random: () => rng.next() });
  return Float64Array.from(umap.fit(vectors).flat());
}

/**
 * Loads the run's config, data and checkpoint (read only: a running run can be mapped too) and maps
 * its test subset: config.monitor.samples images, or the default count when the monitor is off.
 * Throws with the file or field at fault when the run folder or checkpoint is unusable.
 */
export async function embeddingMap(runDir: string, checkpoint: string, method: ProjectionMethod, cacheDir = defaultCacheDir()): Promise<EmbeddingMap> {
  const config = readRunConfig(runDir);
  const dir = checkpointDir(runDir, checkpoint);
  const loaded = loadCheckpoint(dir);
  await initBackend(config.backend);
  const dataset = await loadDataset(config.dataset, { cacheDir, seed: config.seed });
  const model = buildModel(config, dataset);
  try {
    restoreVariables(loaded, modelVariables(model), dir);
    const samples = config.monitor.samples || resolveConfig({}).monitor.samples;
    const { test } = monitorSubsets(dataset, samples, config.monitor.bank, config.seed);
    if (test.length < 3) throw new Error(`${runDir}: the test split has ${test.length} images; a map needs at least 3`);
    const features = await encodeImages(encodeHere(model, dataset), dataset, dataset.test, test);
    const normalised = tf.tidy(() => l2Normalize(features));
    const rows = (await normalised.data()) as Float32Array;
    tf.dispose([features, normalised]);
    const points = await project(rows, model.encoder.dim, method, config.seed);
    const size = dataset.height * dataset.width * dataset.channels;
    const pixels = new Uint8Array(test.length * size);
    test.forEach((index, i) => pixels.set(dataset.test.images.subarray(index * size, (index + 1) * size), i * size));
    return {
      runId: path.basename(runDir),
      checkpoint,
      epoch: loaded.manifest.epoch,
      method,
      classes: dataset.classes,
      x: Array.from({ length: test.length }, (_, i) => points[2 * i]),
      y: Array.from({ length: test.length }, (_, i) => points[2 * i + 1]),
      labels: Array.from(test, (i) => dataset.test.labels[i]),
      indices: Array.from(test),
      images: { height: dataset.height, width: dataset.width, channels: dataset.channels, data: Buffer.from(pixels).toString('base64') },
    };
  } finally {
    disposeModel(model);
  }
}
