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

interface Fixture { name: string; inputShape: number[]; outputShape: number[] }
const CASES: Fixture[] = [
  { name: 'mlp', inputShape: [3, 8], outputShape: [3, 10] },
  { name: 'cnn', inputShape: [2, 12, 12, 3], outputShape: [2, 5] },
  { name: 'dwbn', inputShape: [2, 9, 9, 4], outputShape: [2, 2] },
];

/** Deterministic inputs in [-1, 1). */
function seeded(n: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return (s / 2147483648) * 2 - 1;
  });
}

/** TF.js's predictions for the fixture's files, read as TF.js's own loader reads them. */
async function tfjsPredict(name: string, data: Float32Array, shape: number[]): Promise<{ values: Float32Array; shape: number[] }> {
  const json = JSON.parse(readFileSync(`${FIXTURES}${name}/model.json`, 'utf8'));
  const bin = readFileSync(`${FIXTURES}${name}/group1-shard1of1.bin`);
  const weightData = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength);
  const model = await tf.loadGraphModel(
    tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData, format: json.format, signature: json.signature } as tf.io.ModelArtifacts),
  );
  const y = model.predict(tf.tensor(data, shape)) as tf.Tensor;
  const out = { values: Float32Array.from(await y.data()), shape: y.shape };
  y.dispose();
  model.dispose();
  return out;
}

function maxRelError(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!) / Math.max(1, Math.abs(want[i]!)));
  return worst;
}

describe.each(backendsUnderTest())('TF.js graph models on %s', (backend) => {
  for (const c of CASES) {
    it(`${c.name} predicts what TF.js's loadGraphModel predicts, eagerly and jitted`, async () => {
      await nb.setBackend(backend);
      const data = seeded(c.inputShape.reduce((a, b) => a * b, 1), 11);
      const want = await tfjsPredict(c.name, data, c.inputShape);
      expect(want.shape).toEqual(c.outputShape);
      const model = await nb.models.loadGraphModel(`${FIXTURES}${c.name}`);
      const x = nb.tensor(data, c.inputShape);
      const got = model.predict(x) as nb.Tensor;
      expect(got.shape).toEqual(c.outputShape);
      expect(maxRelError(await got.data(), want.values), c.name).toBeLessThan(TOLERANCE);
      const f = nb.jit((t: nb.Tensor) => model.predict(t) as nb.Tensor);
      for (let i = 0; i < 2; i++) expect(maxRelError(await f(x).data(), want.values), `${c.name} jitted`).toBeLessThan(TOLERANCE);
      expect(f.traceCount).toBe(1);
    });
  }
});
