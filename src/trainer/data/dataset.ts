/**
 * The data layer's contract: every source (built-in Fashion-MNIST, the
 * synthetic test set, CIFAR, IDX, image folders) becomes the same in-memory
 * Dataset of NHWC uint8 images, validated before training starts.
 */
import type { DatasetConfig } from '../../protocol/config';
import { Rng } from '../rng';
import { checkUsable, DatasetError, floorStd, limitSplit } from './common';
import { loadCifar } from './cifar';
import { loadFashionMnist } from './fashionMnist';
import { loadIdx } from './idx';
import { loadImageFolder } from './imageFolder';
import { makeSynthetic } from './synthetic';

export { DatasetError };

/** NHWC uint8, row-major: count * height * width * channels bytes. */
export interface Split {
  images: Uint8Array;
  labels: Int32Array;
  count: number;
}

export interface Dataset {
  name: string;
  classes: string[];
  height: number;
  width: number;
  channels: 1 | 3;
  /** Per-channel statistics of pixels scaled to [0, 1], used to normalise inputs. */
  mean: number[];
  std: number[];
  train: Split;
  test: Split;
}

export interface LoadOptions {
  /** Where converted datasets are cached between runs. */
  cacheDir: string;
  /** Picks the subsets taken by trainLimit / testLimit. */
  seed: number;
  log?: (message: string) => void;
  warn?: (code: string, message: string) => void;
}

function needPath(cfg: DatasetConfig): string {
  if (!cfg.path) throw new DatasetError(`dataset.path: required for dataset kind "${cfg.kind}"`);
  return cfg.path;
}

function loadFull(cfg: DatasetConfig, opts: LoadOptions): Promise<Dataset> {
  switch (cfg.kind) {
    case 'fashion-mnist':
      return loadFashionMnist();
    case 'synthetic':
      return Promise.resolve(makeSynthetic(cfg.trainLimit || undefined, cfg.testLimit || undefined));
    case 'cifar10':
    case 'cifar100':
      return loadCifar(needPath(cfg), cfg.kind, cfg.labels, opts);
    case 'idx':
      return loadIdx(needPath(cfg));
    case 'folder':
      return loadImageFolder(needPath(cfg), cfg.imageSize, cfg.testFraction, opts);
  }
}

/**
 * Loads the configured dataset, then applies trainLimit / testLimit (0 = all)
 * as class-balanced seeded subsets. Mean and std stay those of the full
 * training split, so every budget normalises the same way; a std below one
 * grey level is floored (with a warning). Throws a DatasetError naming the
 * source when the splits cannot serve pretraining and the probe.
 */
export async function loadDataset(cfg: DatasetConfig, opts: LoadOptions): Promise<Dataset> {
  const started = Date.now();
  const full = await loadFull(cfg, opts);
  const imageBytes = full.height * full.width * full.channels;
  const rng = new Rng(opts.seed);
  const source = cfg.path ?? full.name;
  const dataset = {
    ...full,
    std: floorStd(full.std, source, opts.warn),
    train: limitSplit(full.train, cfg.trainLimit, imageBytes, rng),
    test: limitSplit(full.test, cfg.testLimit, imageBytes, rng),
  };
  checkUsable(dataset.train, dataset.test, source);
  opts.log?.(
    `dataset ${dataset.name}: ${dataset.train.count} train / ${dataset.test.count} test images, ` +
      `${dataset.height}x${dataset.width}x${dataset.channels}, ${dataset.classes.length} classes (${((Date.now() - started) / 1000).toFixed(2)} s)`,
  );
  return dataset;
}
