/**
 * The data layer's contract: every source (built-in Fashion-MNIST, the
 * synthetic test set, CIFAR, IDX, image folders) becomes the same in-memory
 * Dataset of NHWC uint8 images, validated before training starts. The types
 * at the bottom of data/: they import nothing from the loaders
 * (loadDataset.ts picks the loader).
 */

/** A dataset that cannot be used; the message names the file and what was expected. */
export class DatasetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatasetError';
  }
}

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
