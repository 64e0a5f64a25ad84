/**
 * `nb.datasets.fashionMnist`: Fashion-MNIST (Zalando SE, MIT licence), 28x28 images of clothing in ten classes.
 * Read from the gzipped IDX files that the Debian package dataset-fashion-mnist installs.
 * @module
 */
import { loadIdxDataset, type ImageDataset, type PixelDType } from './mnist-style.js';

/** Where the Debian package dataset-fashion-mnist installs the files. */
export const DEFAULT_PATH = '/usr/share/datasets/fashion-mnist';

const FILES = {
  trainImages: 'train-images-idx3-ubyte.gz',
  trainLabels: 'train-labels-idx1-ubyte.gz',
  testImages: 't10k-images-idx3-ubyte.gz',
  testLabels: 't10k-labels-idx1-ubyte.gz',
};

/** Options of `datasets.fashionMnist.load`. */
export interface FashionMnistOptions {
  /** The folder with the four gzipped IDX files (default /usr/share/datasets/fashion-mnist). */
  path?: string;
  /** dtype of the pixel values 0..255 (default float32). */
  dtype?: PixelDType;
}

/** Images `x` [n, 28, 28] with values 0..255 and labels `y` [n] int32 (see `classNames`). */
export async function load(opts: FashionMnistOptions = {}): Promise<ImageDataset> {
  return loadIdxDataset({
    name: 'fashionMnist',
    dir: opts.path ?? DEFAULT_PATH,
    files: FILES,
    dtype: opts.dtype ?? 'float32',
    counts: opts.path === undefined ? [60000, 10000] : undefined,
    howToInstall:
      'Install the Debian package that provides them (`sudo apt-get install dataset-fashion-mnist`, which puts them in ' +
      `${DEFAULT_PATH}), or pass { path } to a folder holding them.`,
  });
}

/** Names of the ten classes, by label. */
export const classNames: readonly string[] = [
  'T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot',
];
