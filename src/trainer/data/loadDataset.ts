/**
 * Picks the loader for a dataset kind and applies what every source shares:
 * the seeded subsets of trainLimit / testLimit, the std floor and the checks
 * that the splits can serve pretraining and the probe.
 */
import { DATASET_KINDS_WITH_PATH, type DatasetConfig } from '../../protocol/config';
import { Rng } from '../rng';
import { checkUsable, floorStd, limitSplit } from './common';
import { loadCifar } from './cifar';
import { DatasetError, type Dataset, type LoadOptions } from './dataset';
import { loadFashionMnist } from './fashionMnist';
import { loadIdx } from './idx';
import { loadImageFolder } from './imageFolder';
import { makeSynthetic } from './synthetic';

function loadFull(cfg: DatasetConfig, opts: LoadOptions): Promise<Dataset> {
  // resolveConfig holds a config to this already; one built in code is held to the same rule
  if (DATASET_KINDS_WITH_PATH.includes(cfg.kind) && !cfg.path) throw new DatasetError(`dataset.path: required for dataset kind "${cfg.kind}"`);
  switch (cfg.kind) {
    case 'fashion-mnist':
      return loadFashionMnist();
    case 'synthetic':
      return Promise.resolve(makeSynthetic(cfg.trainLimit || undefined, cfg.testLimit || undefined));
    case 'cifar10':
    case 'cifar100':
      return loadCifar(cfg.path!, cfg.kind, cfg.labels, opts);
    case 'idx':
      return loadIdx(cfg.path!);
    case 'folder':
      return loadImageFolder(cfg.path!, cfg.imageSize, cfg.testFraction, opts);
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
