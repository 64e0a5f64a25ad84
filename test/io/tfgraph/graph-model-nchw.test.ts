// NCHW graph models: the nchw fixture (data_format NCHW on every image op) against TF.js's run of
// its NHWC twin with the same weights (TF.js's executor ignores data_format on BiasAdd and the
// pools, so it cannot run the NCHW file itself).
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as nb from '../../../src/index.js';

const FIXTURES = new URL('../../fixtures/tfjs-graph/', import.meta.url).pathname;

async function tfjsPredict(name: string, x: tf.Tensor): Promise<{ values: Float32Array; shape: number[] }> {
  const json = JSON.parse(readFileSync(`${FIXTURES}${name}/model.json`, 'utf8'));
  const bin = readFileSync(`${FIXTURES}${name}/group1-shard1of1.bin`);
  const weightData = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength);
  const model = await tf.loadGraphModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData, format: json.format } as tf.io.ModelArtifacts));
  const y = model.predict(x) as tf.Tensor;
  const out = { values: Float32Array.from(await y.data()), shape: y.shape };
  tf.dispose(y);
  model.dispose();
  return out;
}

function seeded(n: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1);
}

describe('TF.js graph models in NCHW', () => {
  it('Conv2D, _FusedConv2D, DepthwiseConv2dNative, BiasAdd, FusedBatchNormV3, MaxPool, AvgPool and Conv2DBackpropInput in NCHW give the NHWC twin\'s values', async () => {
    const nhwc = seeded(2 * 8 * 8 * 3, 3);
    const want = await tfjsPredict('nchw_twin', tf.tensor(nhwc, [2, 8, 8, 3]));
    expect(want.shape).toEqual([2, 6, 6, 4]);
    const model = await nb.models.loadGraphModel(`${FIXTURES}nchw`);
    const x = nb.transpose(nb.tensor(nhwc, [2, 8, 8, 3]), [0, 3, 1, 2]);
    const y = model.predict(x) as nb.Tensor;
    expect(y.shape).toEqual([2, 4, 6, 6]);
    const got = nb.transpose(y, [0, 2, 3, 1]).dataSync();
    let worst = 0;
    for (let i = 0; i < want.values.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want.values[i]!) / Math.max(1, Math.abs(want.values[i]!)));
    expect(worst).toBeLessThan(1e-4);
    // and nabla runs the NHWC twin as TF.js does
    const twin = await nb.models.loadGraphModel(`${FIXTURES}nchw_twin`);
    expect(Array.from((twin.predict(nb.tensor(nhwc, [2, 8, 8, 3])) as nb.Tensor).dataSync())).toEqual(Array.from(got));
  });
});
