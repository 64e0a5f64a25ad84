// NonMaxSuppressionV3/V4/V5 in graph models: the nms fixture's selections (indices, padded
// indices and valid count, soft-NMS scores) equal TF.js's executeAsync of the same file; the ops run
// on the host, so nb.jit refuses them by name.
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as nb from '../../../src/index.js';
import { nonMaxSuppression } from '../../../src/io/tfgraph/ops/nms-ops.js';

const DIR = new URL('../../fixtures/tfjs-graph/nms/', import.meta.url).pathname;
const NODES = ['nms3', 'nms4', 'nms4:1', 'nms5', 'nms5:1', 'kept_boxes'];

async function tfjsModel(): Promise<tf.GraphModel> {
  const json = JSON.parse(readFileSync(`${DIR}model.json`, 'utf8'));
  const bin = readFileSync(`${DIR}group1-shard1of1.bin`);
  const weightData = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength);
  return tf.loadGraphModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData, format: json.format } as tf.io.ModelArtifacts));
}

/** Overlapping boxes (clusters around a few centres, corners in either order) and scores with ties. */
function scene(n: number, seed: number): { boxes: Float32Array; scores: Float32Array } {
  let s = seed;
  const r = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  const boxes = new Float32Array(4 * n);
  for (let i = 0; i < n; i++) {
    const cy = 0.25 + 0.5 * (i % 3 === 0 ? 0 : 1) + 0.08 * r();
    const cx = 0.3 + 0.4 * (i % 2) + 0.08 * r();
    const h = 0.1 + 0.2 * r();
    const w = 0.1 + 0.2 * r();
    const flip = i % 5 === 0;
    boxes.set(flip ? [cy + h / 2, cx + w / 2, cy - h / 2, cx - w / 2] : [cy - h / 2, cx - w / 2, cy + h / 2, cx + w / 2], 4 * i);
  }
  const scores = Float32Array.from({ length: n }, (_, i) => (i % 7 === 3 ? 0.75 : Math.round(r() * 100) / 100));
  return { boxes, scores };
}

describe('NonMaxSuppression in graph models', () => {
  for (const seed of [1, 2, 3]) {
    it(`V3, V4 (padded) and V5 (soft-NMS) select what TF.js selects (scene ${seed})`, async () => {
      const { boxes, scores } = scene(40, seed);
      const model = await tfjsModel();
      const feeds = { boxes: tf.tensor(boxes, [40, 4]), scores: tf.tensor(scores, [40]) };
      const want: { data: number[]; shape: number[] }[] = [];
      for (const node of NODES) {
        const t = (await model.executeAsync(feeds, node)) as tf.Tensor;
        want.push({ data: Array.from(await t.data()), shape: t.shape });
        t.dispose();
      }
      tf.dispose(Object.values(feeds));
      model.dispose();
      const g = await nb.models.loadGraphModel(DIR);
      const got = g.execute({ boxes: nb.tensor(boxes, [40, 4]), scores: nb.tensor(scores, [40]) }, NODES) as nb.Tensor[];
      expect(want[0]!.data.length).toBeGreaterThan(1);
      expect(want[1]!.shape).toEqual([8]);
      for (const [i, node] of NODES.entries()) {
        expect(got[i]!.shape, node).toEqual(want[i]!.shape);
        const g_ = Array.from(got[i]!.dataSync(), Number);
        if (node === 'nms5:1' || node === 'kept_boxes') g_.forEach((v, k) => expect(v, `${node}[${k}]`).toBeCloseTo(want[i]!.data[k]!, 6));
        else expect(g_, node).toEqual(want[i]!.data);
      }
      // Soft-NMS decays some scores below the originals.
      const original = Array.from(got[3]!.dataSync(), (k) => scores[k]!);
      expect(Array.from(got[4]!.dataSync()).some((v, k) => v < original[k]! - 1e-6)).toBe(true);
    });
  }

  it('the hand-checkable case: a box overlapping the best one by IoU 0.6 is dropped, a distant one kept', () => {
    const { indices } = nbNms([0, 0, 1, 1, 0, 0.25, 1, 1.25, 2, 2, 3, 3], [0.9, 0.8, 0.7]);
    // boxes 0 and 1 overlap by 0.75 / 1.25 = 0.6 > 0.4
    expect(indices).toEqual([0, 2]);
  });

  it('refuses to run under nb.jit, naming the op', async () => {
    const g = await nb.models.loadGraphModel(DIR);
    const f = nb.jit((b: nb.Tensor, s: nb.Tensor) => g.execute({ boxes: b, scores: s }, 'nms3') as nb.Tensor);
    expect(() => f(nb.zeros([3, 4]), nb.zeros([3]))).toThrow(/NonMaxSuppressionV\d node 'nms\d' \(non-max suppression\) reads its inputs' values on the host, so a model with it runs outside nb.jit/);
  });
});

function nbNms(boxes: number[], scores: number[]): { indices: number[] } {
  return nonMaxSuppression(boxes, scores, 10, 0.4, 0, 0);
}
