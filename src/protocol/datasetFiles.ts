/**
 * The files each on-disk dataset kind is read from, declared once for the
 * trainer's readers (src/trainer/data/) and for the extension, which checks a
 * folder when it is picked rather than when the run starts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DATASET_KINDS_WITH_PATH, type DatasetKind } from './config';

/** CIFAR binary versions: the batch files, and the folder their archives unpack to. */
export const CIFAR_FILES = {
  cifar10: { title: 'CIFAR-10', subdir: 'cifar-10-batches-bin', train: [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`), test: ['test_batch.bin'] },
  cifar100: { title: 'CIFAR-100', subdir: 'cifar-100-binary', train: ['train.bin'], test: ['test.bin'] },
} as const;

/** IDX (MNIST-style) files of a split, each plain or gzipped (.gz). */
export const idxFileNames = (prefix: 'train' | 't10k') => ({ images: `${prefix}-images-idx3-ubyte`, labels: `${prefix}-labels-idx1-ubyte` });
const IDX_ALL = (['train', 't10k'] as const).flatMap((p) => Object.values(idxFileNames(p)));

/** What a folder check may look at; node:fs by default, a stand-in in tests. */
export interface FolderView {
  isDir(p: string): boolean;
  isFile(p: string): boolean;
  subfolders(dir: string): string[];
}

const stat = (p: string) => fs.statSync(p, { throwIfNoEntry: false });
export const nodeFolderView: FolderView = {
  isDir: (p) => !!stat(p)?.isDirectory(),
  isFile: (p) => !!stat(p)?.isFile(),
  subfolders: (dir) =>
    fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
      .map((e) => e.name),
};

/**
 * Why `dir` cannot hold a dataset of `kind`, naming the files that are
 * missing and the ones expected; undefined when it looks right (the trainer
 * still validates every byte). Kinds without a path always pass.
 */
export function datasetFolderProblem(kind: DatasetKind, dir: string, view: FolderView = nodeFolderView): string | undefined {
  if (!DATASET_KINDS_WITH_PATH.includes(kind)) return undefined;
  if (!view.isDir(dir)) return `${dir}: not a folder`;
  switch (kind) {
    case 'cifar10':
    case 'cifar100': {
      const f = CIFAR_FILES[kind];
      const expected = [...f.train, ...f.test];
      const nested = path.join(dir, f.subdir);
      const base = view.isFile(path.join(dir, expected[0])) || !view.isDir(nested) ? dir : nested;
      const missing = expected.filter((name) => !view.isFile(path.join(base, name)));
      if (!missing.length) return undefined;
      return `${base}: missing ${missing.join(', ')}; expected the ${f.title} binary version (${expected.join(', ')}), or the folder holding ${f.subdir}`;
    }
    case 'idx': {
      const missing = IDX_ALL.filter((name) => !view.isFile(path.join(dir, name)) && !view.isFile(path.join(dir, `${name}.gz`)));
      if (!missing.length) return undefined;
      return `${dir}: missing ${missing.join(', ')}; expected ${IDX_ALL.join(', ')} (each plain or .gz)`;
    }
    case 'folder': {
      const root = view.isDir(path.join(dir, 'train')) ? path.join(dir, 'train') : dir;
      const classes = view.subfolders(root).filter((n) => n !== 'test');
      if (classes.length >= 2) return undefined;
      return `${root}: ${classes.length} class folder(s); expected one sub-folder of images per class (at least 2), directly or under train/`;
    }
  }
}
