// TF2 functional control flow in graph models: StatelessIf / If (library functions as branches,
// one and two outputs) and StatelessWhile, against TF.js's executeAsync of the control fixture,
// for inputs that take either branch; eagerly and under nb.jit (nb.cond / nb.whileLoop).
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as nb from '../../../src/index.js';

const DIR = new URL('../../fixtures/tfjs-graph/control/', import.meta.url).pathname;
const NODES = ['if', 'pair', 'pair:1', 'while', 'while:1'];

async function tfjsValues(x: Float32Array, shape: number[]): Promise<{ data: number[]; shape: number[] }[]> {
  const json = JSON.parse(readFileSync(`${DIR}model.json`, 'utf8'));
  const bin = readFileSync(`${DIR}group1-shard1of1.bin`);
  const weightData = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength);
  const model = await tf.loadGraphModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData, format: json.format } as tf.io.ModelArtifacts));
  const out = [];
  for (const node of NODES) {
    const input = tf.tensor(x, shape);
    const t = (await model.executeAsync({ x: input }, node)) as tf.Tensor;
    out.push({ data: Array.from(await t.data()), shape: t.shape });
    tf.dispose([t, input]);
  }
  model.dispose();
  return out;
}

const INPUTS: [string, number[]][] = [
  ['a positive sum (then branches)', [0.5, -0.25, 1, 2, 0.75, -1]],
  ['a negative sum (else branches)', [-0.5, 0.25, -1, -2, 0.75, -1]],
];

describe('control flow in graph models', () => {
  for (const [what, values] of INPUTS) {
    it(`StatelessIf, If with two outputs and StatelessWhile give TF.js's values for ${what}, eagerly and jitted`, async () => {
      const data = Float32Array.from(values);
      const want = await tfjsValues(data, [2, 3]);
      const g = await nb.models.loadGraphModel(DIR);
      const x = nb.tensor(data, [2, 3]);
      const check = (got: nb.Tensor[], how: string) =>
        got.forEach((t, i) => {
          expect(t.shape, `${how} ${NODES[i]}`).toEqual(want[i]!.shape);
          Array.from(t.dataSync(), Number).forEach((v, k) => expect(v, `${how} ${NODES[i]}[${k}]`).toBeCloseTo(want[i]!.data[k]!, 5));
        });
      check(g.execute(x, NODES) as nb.Tensor[], 'eager');
      const f = nb.jit((t: nb.Tensor) => g.execute(t, NODES) as nb.Tensor[]);
      check(f(x), 'jitted');
    });
  }

});
