// The bench's work, defined once for the Node suites and the browser page (bench/browser/): the
// matmul sizes' repetitions, the 784-128-10 MLP and the small CNN as nabla and TF.js models, and
// their synthetic data. Imports nothing from Node, so a page can bundle it.
import * as tf from '@tensorflow/tfjs';
import type * as nb from '../src/index.js';
import { cnn, mlp } from './inference-models.js';

/** n x n times n x n in float32: flops, timed repetitions, and warm-up runs. */
export function matmulWork(n: number): { flops: number; reps: number; warmup: number } {
  return {
    flops: 2 * n * n * n,
    reps: n >= 2048 ? 9 : 21,
    // Each product is read into a fresh array. Until the process has allocated and freed a few
    // tens of megabytes, those arrays land on never-touched pages, whose first-touch faults cost
    // more than a small product: warm up on about 64 MB of results first (every library).
    warmup: Math.max(2, Math.ceil((64 * 2 ** 20) / (4 * n * n))),
  };
}

/** A Keras-style `fit` workload: one epoch over `samples` synthetic samples, Adam, categorical cross-entropy. */
export interface Work {
  name: string;
  inputShape: number[];
  samples: number;
  batchSize: number;
  nabla: () => nb.Sequential;
  tfModel: () => tf.Sequential;
}

export const MLP: Work = {
  name: 'MLP 784-128-10 fit (batch 128)',
  inputShape: [784],
  samples: 10_000,
  batchSize: 128,
  nabla: mlp,
  tfModel: () =>
    tf.sequential({ layers: [tf.layers.dense({ units: 128, activation: 'relu', inputShape: [784] }), tf.layers.dense({ units: 10, activation: 'softmax' })] }),
};

export const CNN: Work = {
  name: 'CNN conv32-pool-conv64-pool-dense10 fit (batch 64)',
  inputShape: [28, 28, 1],
  samples: 2048,
  batchSize: 64,
  nabla: cnn,
  tfModel: () =>
    tf.sequential({
      layers: [
        tf.layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1] }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu' }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 10, activation: 'softmax' }),
      ],
    }),
};

/** Uniform inputs and one-hot labels of random classes (the same values for every library). */
export function syntheticData(work: Work, samples: number): { x: Float32Array; y: Float32Array } {
  let s = 12345;
  const r = () => ((s = (s * 1103515245 + 12345) >>> 0) / 4294967296);
  const x = Float32Array.from({ length: samples * work.inputShape.reduce((a, b) => a * b, 1) }, r);
  const y = new Float32Array(samples * 10);
  for (let i = 0; i < samples; i++) y[i * 10 + Math.floor(r() * 10)] = 1;
  return { x, y };
}
