/**
 * `nb.datasets`: real data sets, offline, and synthetic problems.
 * @module
 */
export * as mnist from './mnist.js';
export * as fashionMnist from './fashion-mnist.js';
export * as breastCancer from './breast-cancer.js';
export { makeRegression, makeClassification, type RegressionOptions, type ClassificationOptions } from './synthetic.js';
export { parseIdx, readIdxFile, type IdxArray } from './idx.js';
export type { ImageDataset, ImageSplit, PixelDType } from './mnist-style.js';
