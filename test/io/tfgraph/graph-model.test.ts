// TF.js graph models against TF.js itself: the fixtures of test/fixtures/tfjs-graph (written by
// scripts/make-tfjs-graph-fixtures.mjs) run through tf.loadGraphModel as the oracle, and through
// nb.models.loadGraphModel on every backend, eagerly and under nb.jit.
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as nb from '../../../src/index.js';
import { backendsUnderTest } from '../../conformance/harness.js';

const FIXTURES = new URL('../../fixtures/tfjs-graph/', import.meta.url).pathname;
const TOLERANCE = 1e-4;

interface Fixture { name: string; inputShape: number[]; outputShape: number[]; nodes: string[] }
const CASES: Fixture[] = [
  { name: 'mlp', inputShape: [3, 8], outputShape: [3, 10], nodes: ['dense/Relu', 'dense_1/BiasAdd', 'dense_1/Softmax'] },
  { name: 'cnn', inputShape: [2, 12, 12, 3], outputShape: [2, 5], nodes: ['conv1/Relu', 'pool1/MaxPool', 'conv2/Relu6', 'flatten/Reshape', 'dense/BiasAdd'] },
  {
    name: 'dwbn',
    inputShape: [2, 9, 9, 4],
    outputShape: [2, 2],
    nodes: ['dw/depthwise', 'bn/FusedBatchNormV3', 'dw2/Relu', 'pad/Pad', 'pool/AvgPool', 'gap/Mean', 'm/Rsqrt', 'm/RealDiv', 'm/Maximum', 'm/Minimum', 'm/Sigmoid', 'concat', 'transpose', 'squeeze', 'sum', 'max', 'cast'],
  },
];
/** Every node of the `ops` fixture, one per op or attribute case. */
const OP_NODES = [
  'conv_dilated', 'conv_leaky', 'conv_prelu', 'neg', 'abs', 'exp', 'log', 'sqrt', 'reciprocal', 'elu', 'selu', 'softplus', 'leaky', 'prelu', 'pow', 'sqdiff', 'div', 'addn',
  'prod', 'min', 'bmm', 'gram', 'logsoftmax', 'padv2', 'slice', 'concat_v1', 'ss_reverse', 'ss_newaxis', 'stop', 'pack',
  'floor', 'ceil', 'round', 'sign', 'erf', 'sin', 'cos', 'gt', 'lt', 'ge', 'le', 'eq', 'ne', 'and', 'or', 'not', 'select', 'select_rows',
  'floordiv', 'floormod', 'clip', 'argmax', 'argmin', 'split', 'split:1', 'splitv', 'splitv:2', 'unpack:3', 'gather', 'tile', 'fill', 'zeros', 'ones',
  'range', 'rank', 'size', 'resize_bilinear', 'resize_bilinear_corners', 'resize_bilinear_plain', 'resize_nearest', 'resize_nearest_corners',
  'resize_nearest_plain', 'deconv', 'mirror_reflect', 'mirror_symmetric', 'einsum', 'cumsum', 'cumsum_reverse', 'onehot', 'topk', 'topk:1',
  'tan', 'asin', 'acos', 'atan', 'atan2', 'expm1', 'log1p', 'cumprod', 'isnan', 'isfinite',
];

/** Deterministic inputs in [-1, 1). */
function seeded(n: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return (s / 2147483648) * 2 - 1;
  });
}

interface Result { values: Float32Array; shape: number[] }

/** TF.js's model for the fixture's files (TF.js's own graph-model loader and executor). */
async function tfjsModel(name: string): Promise<tf.GraphModel> {
  const json = JSON.parse(readFileSync(`${FIXTURES}${name}/model.json`, 'utf8'));
  const bin = readFileSync(`${FIXTURES}${name}/group1-shard1of1.bin`);
  const weightData = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength);
  return tf.loadGraphModel(
    tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData, format: json.format, signature: json.signature } as tf.io.ModelArtifacts),
  );
}

/** TF.js's predictions, and its values of the named nodes. */
async function tfjsRun(name: string, data: Float32Array, shape: number[], nodes: string[]): Promise<{ out: Result; nodes: Result[] }> {
  const model = await tfjsModel(name);
  const x = tf.tensor(data, shape);
  const read = async (t: tf.Tensor): Promise<Result> => ({ values: Float32Array.from(await t.data()), shape: t.shape });
  // The ops fixture has many outputs; its nodes are compared one by one instead.
  const predicted = model.predict(x) as tf.Tensor | tf.Tensor[];
  const y = Array.isArray(predicted) ? predicted[0]! : predicted;
  const out = await read(y);
  // One node per call: asked for several at once, TF.js's executor can dispose one output before returning it.
  const list = nodes.map((n) => model.execute(x, n) as tf.Tensor);
  const values = await Promise.all(list.map(read));
  tf.dispose([x, ...(Array.isArray(predicted) ? predicted : [y]), ...list]);
  model.dispose();
  return { out, nodes: values };
}

async function expectSame(got: nb.Tensor, want: Result, what: string): Promise<void> {
  expect(got.shape, what).toEqual(want.shape);
  expect(maxRelError(Array.from(await got.data(), Number), want.values), what).toBeLessThan(TOLERANCE);
}

function maxRelError(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!) / Math.max(1, Math.abs(want[i]!)));
  return worst;
}

describe.each(backendsUnderTest())('TF.js graph models on %s', (backend) => {
  for (const c of CASES) {
    it(`${c.name} predicts what TF.js's loadGraphModel predicts, compiled, eagerly and jitted`, async () => {
      await nb.setBackend(backend);
      const data = seeded(c.inputShape.reduce((a, b) => a * b, 1), 11);
      const want = await tfjsRun(c.name, data, c.inputShape, c.nodes);
      expect(want.out.shape).toEqual(c.outputShape);
      const model = await nb.models.loadGraphModel(`${FIXTURES}${c.name}`);
      const x = nb.tensor(data, c.inputShape);
      // predict is compiled by default (inference rewrites), eager with jitCompile false.
      await expectSame(model.predict(x) as nb.Tensor, want.out, c.name);
      await expectSame(model.predict(x) as nb.Tensor, want.out, `${c.name} second compiled call`);
      expect(model.traceCount).toBe(1);
      model.jitCompile = false;
      await expectSame(model.predict(x) as nb.Tensor, want.out, `${c.name} eager`);
      expect(model.traceCount).toBe(1);
      const inner = model.execute(x, c.nodes) as nb.Tensor[];
      for (const [i, node] of c.nodes.entries()) await expectSame(inner[i]!, want.nodes[i]!, `${c.name} node ${node}`);
      const f = nb.jit((t: nb.Tensor) => model.predict(t) as nb.Tensor);
      for (let i = 0; i < 2; i++) await expectSame(f(x), want.out, `${c.name} jitted`);
      expect(f.traceCount).toBe(1);
      // Another batch size: the flatten's shape subgraph folds again, for a second trace.
      const data3 = seeded(3 * c.inputShape.slice(1).reduce((a, b) => a * b, 1), 5);
      const want3 = await tfjsRun(c.name, data3, [3, ...c.inputShape.slice(1)], []);
      await expectSame(f(nb.tensor(data3, [3, ...c.inputShape.slice(1)])), want3.out, `${c.name} jitted at batch 3`);
    });
  }

  it("every op of the ops fixture gives TF.js's values", async () => {
    await nb.setBackend(backend);
    const shape = [2, 6, 6, 4];
    const data = seeded(2 * 6 * 6 * 4, 23);
    const want = await tfjsRun('ops', data, shape, OP_NODES);
    const model = await nb.models.loadGraphModel(`${FIXTURES}ops/model.json`);
    const got = model.execute(nb.tensor(data, shape), OP_NODES) as nb.Tensor[];
    for (const [i, node] of OP_NODES.entries()) await expectSame(got[i]!, want.nodes[i]!, `node ${node}`);
  });
});
