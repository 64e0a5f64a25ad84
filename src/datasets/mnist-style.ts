// Loading a train/test pair of MNIST-style IDX files (images [n, rows, cols], labels [n]) as tensors.
import { ValueError } from '../errors.js';
import { engine } from '../engine/engine.js';
import type { Tensor } from '../tensor/tensor.js';
import { readIdxFile } from './idx.js';

/** Pixel dtype of the images: float32 (0..255, ready for `x.div(255)`) or int32. */
export type PixelDType = 'float32' | 'int32';

/** One split of an image data set: images and labels. */
export interface ImageSplit {
  /** Images [n, 28, 28], values 0..255. */
  x: Tensor;
  /** Class indices [n], int32. */
  y: Tensor;
}

/** An image data set's train and test splits. */
export interface ImageDataset {
  /** The training images and labels. */
  train: ImageSplit;
  /** The test images and labels. */
  test: ImageSplit;
}

export interface IdxFiles {
  trainImages: string;
  trainLabels: string;
  testImages: string;
  testLabels: string;
}

interface LoadSpec {
  /** The loader's name, for errors. */
  name: string;
  dir: string;
  files: IdxFiles;
  dtype: PixelDType;
  /** Expected [train, test] counts, checked when known. */
  counts?: readonly [number, number];
  /** How to get the files, said when they are missing. */
  howToInstall: string;
}

async function checkPresent(spec: LoadSpec): Promise<void> {
  const { access } = await import('node:fs/promises');
  const { join } = await import('node:path');
  const missing: string[] = [];
  for (const f of Object.values(spec.files)) {
    try {
      await access(join(spec.dir, f));
    } catch {
      missing.push(f);
    }
  }
  if (missing.length > 0) {
    throw new ValueError(`${spec.name}: cannot find ${missing.join(', ')} in ${spec.dir}. ${spec.howToInstall}`);
  }
}

async function loadSplit(spec: LoadSpec, imagesFile: string, labelsFile: string, expected: number | undefined): Promise<ImageSplit> {
  const { join } = await import('node:path');
  const images = await readIdxFile(join(spec.dir, imagesFile), 3);
  const labels = await readIdxFile(join(spec.dir, labelsFile), 1);
  const [n, rows, cols] = images.shape as [number, number, number];
  if (rows !== 28 || cols !== 28) throw new ValueError(`${spec.name}: ${imagesFile} holds images of ${rows}x${cols}; expected 28x28`);
  if (labels.shape[0] !== n) throw new ValueError(`${spec.name}: ${imagesFile} has ${n} images but ${labelsFile} has ${labels.shape[0]} labels`);
  if (expected !== undefined && n !== expected) throw new ValueError(`${spec.name}: ${imagesFile} has ${n} images; expected ${expected}`);
  const pixels = spec.dtype === 'float32' ? new Float32Array(images.data) : new Int32Array(images.data);
  return {
    x: engine.fromHost(pixels, [n, rows, cols], spec.dtype),
    y: engine.fromHost(new Int32Array(labels.data), [n], 'int32'),
  };
}

export async function loadIdxDataset(spec: LoadSpec): Promise<ImageDataset> {
  if (spec.dtype !== 'float32' && spec.dtype !== 'int32') {
    throw new ValueError(`${spec.name}: dtype must be 'float32' or 'int32', got ${JSON.stringify(spec.dtype)}`);
  }
  await checkPresent(spec);
  const train = await loadSplit(spec, spec.files.trainImages, spec.files.trainLabels, spec.counts?.[0]);
  const test = await loadSplit(spec, spec.files.testImages, spec.files.testLabels, spec.counts?.[1]);
  return { train, test };
}
