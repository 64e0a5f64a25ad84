// TF1 control flow in graph models (Switch/Merge conds, Enter/Exit/NextIteration/LoopCond loops,
// nested, with loop invariants): the tf1 fixture against TF.js's executeAsync on the same files and
// against known values, for inputs that take either branch and loop different numbers of times;
// under nb.jit fixed-count loops unroll and input-dependent predicates are refused by name;
// malformed frames and endless loops fail clearly.
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as nb from '../../../src/index.js';
import { NablaError } from '../../../src/errors.js';
import { graphModelFromJson } from '../../../src/io/tfgraph/index.js';
import { backendsUnderTest } from '../../conformance/harness.js';

const FIXTURES = new URL('../../fixtures/tfjs-graph/', import.meta.url).pathname;
const DIR = `${FIXTURES}tf1/`;
const NODES = ['cond/Merge', 'cond/Merge:1', 'while/Exit', 'while/Exit_1', 'outer/Exit', 'outer/Exit_1'];
/** TF.js's Merge has no value_index output: that one is checked against known values only. */
const ORACLE_NODES = NODES.filter((n) => n !== 'cond/Merge:1');

function files(name: string): { json: Record<string, unknown>; bin: Uint8Array } {
  return { json: JSON.parse(readFileSync(`${FIXTURES}${name}/model.json`, 'utf8')), bin: new Uint8Array(readFileSync(`${FIXTURES}${name}/group1-shard1of1.bin`)) };
}

async function tfjsValues(x: Float32Array, shape: number[]): Promise<{ data: number[]; shape: number[] }[]> {
  const { json, bin } = files('tf1');
  const weightData = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength);
  const topology = json.modelTopology as tf.io.ModelArtifacts['modelTopology'];
  const weightSpecs = (json.weightsManifest as { weights: tf.io.WeightsManifestEntry[] }[])[0]!.weights;
  const model = await tf.loadGraphModel(tf.io.fromMemory({ modelTopology: topology, weightSpecs, weightData, format: 'graph-model' }));
  const input = tf.tensor(x, shape);
  const outs = (await model.executeAsync({ x: input }, ORACLE_NODES)) as tf.Tensor[];
  const values = await Promise.all(outs.map(async (t) => ({ data: Array.from(await t.data()), shape: t.shape })));
  tf.dispose([...outs, input]);
  model.dispose();
  return values;
}

const INPUTS: [string, number[]][] = [
  ['a positive sum (true branch, 4 iterations)', [0.5, -0.25, 1, 0.2, 0.25, -0.5]],
  ['a negative sum (false branch, 7 iterations)', [-0.5, 0.25, -1, -2, 0.75, -1]],
  ['zeros (false branch, 1 iteration)', [0, 0, 0, 0, 0, 0]],
];

describe.each(backendsUnderTest())('TF1 control flow in graph models on %s', (backend) => {
  for (const [what, values] of INPUTS) {
    it(`cond, while loop, nested loop and loop invariants give TF.js's values for ${what}`, async () => {
      await nb.setBackend(backend);
      const data = Float32Array.from(values);
      const want = await tfjsValues(data, [2, 3]);
      const g = await nb.models.loadGraphModel(DIR);
      const got = g.execute(nb.tensor(data, [2, 3]), NODES) as nb.Tensor[];
      ORACLE_NODES.forEach((name, i) => {
        const t = got[NODES.indexOf(name)]!;
        expect(t.shape, name).toEqual(want[i]!.shape);
        Array.from(t.dataSync(), Number).forEach((v, k) => expect(v, `${name}[${k}]`).toBeCloseTo(want[i]!.data[k]!, 5));
      });
      // Known values too: the oracle could share a bug.
      const sum = values.reduce((a, b) => a + b, 0);
      const trips = Math.ceil(Math.fround(values.reduce((a, b) => a + Math.abs(b), 0))) + 1;
      let acc = values.slice();
      for (let k = 0; k < trips; k++) acc = acc.map((a, j) => a * 0.5 + values[j]!);
      const expected = [values.map((v) => (sum > 0 ? 2 * v : -v)), [sum > 0 ? 1 : 0], [trips], acc, [3], values.map((v) => 4 * v)];
      got.forEach((t, i) => Array.from(t.dataSync(), Number).forEach((v, k) => expect(v, `${NODES[i]}[${k}] known`).toBeCloseTo(expected[i]![k]!, 4)));
    });
  }
});

describe('TF1 control flow in graph models', () => {
  it('predict runs the graph eagerly (jitCompile notwithstanding), with a value-dependent trip count each call', async () => {
    const g = await nb.models.loadGraphModel(DIR);
    expect(g.jitCompile).toBe(true);
    for (const v of [0.1, 0.9]) {
      const out = g.execute(nb.full([1, 3], v), 'while/Exit') as nb.Tensor;
      expect(out.dataSync()[0]).toBe(Math.ceil(Math.fround(3 * v)) + 1);
    }
    expect(g.traceCount).toBe(0);
  });

  it('under nb.jit, a loop of fixed trip count unrolls into the trace, a cond on the input runs both branches and selects, a loop on the input is refused naming its Switch', async () => {
    const g = await nb.models.loadGraphModel(DIR);
    // The nested loops count to constants: their predicates are host constants even while tracing.
    const nested = nb.jit((t: nb.Tensor) => g.execute(t, 'outer/Exit_1') as nb.Tensor);
    for (const values of [[0.5, -0.25, 1, 0.2, 0.25, -0.5], [1, 2, 3, 4, 5, 6]]) {
      const got = Array.from(nested(nb.tensor(values, [2, 3])).dataSync());
      got.forEach((v, k) => expect(v).toBeCloseTo(4 * values[k]!, 5));
    }
    expect(nested.traceCount).toBe(1);
    const f = nb.jit((t: nb.Tensor) => g.execute(t, ['cond/Merge', 'cond/Merge:1']) as nb.Tensor[]);
    for (const values of [[0.5, -0.25, 1, 0.2, 0.25, -0.5], [-1, -2, 0.5, 0.1, 0.2, 0.3]]) {
      const positive = values.reduce((a, b) => a + b, 0) > 0;
      const [y, index] = f(nb.tensor(values, [2, 3]));
      Array.from(y!.dataSync()).forEach((v, k) => expect(v).toBeCloseTo(positive ? 2 * values[k]! : -values[k]!, 5));
      expect(Array.from(index!.dataSync())).toEqual([positive ? 1 : 0]);
    }
    expect(f.traceCount).toBe(1);
    const w = nb.jit((t: nb.Tensor) => g.execute(t, 'while/Exit_1') as nb.Tensor);
    expect(() => w(nb.ones([2, 3]))).toThrow(/Switch node 'while\/Switch(_1)?' is a TF1 while loop whose predicate depends on the model's input values, .* cannot run under nb\.jit/);
  });

  it('a body node reading only loop invariants runs in every iteration (known values)', () => {
    const { json, bin } = files('tf1');
    const nodes = (json.modelTopology as { node: { name: string; op: string; input?: string[]; attr?: Record<string, unknown> }[] }).node;
    // acc' = acc * 0.5 + 2x, where 2x = Mul(invariant x, 2) has no input from the iteration itself.
    nodes.push({ name: 'two', op: 'Const', attr: { dtype: { type: 'DT_FLOAT' }, value: { tensor: { dtype: 'DT_FLOAT', tensorShape: {}, floatVal: [2] } } } });
    nodes.push({ name: 'while/x2', op: 'Mul', input: ['while/add_1/Enter', 'two'], attr: { T: { type: 'DT_FLOAT' } } });
    nodes.find((n) => n.name === 'while/add_1')!.input = ['while/mul', 'while/x2'];
    const g = graphModelFromJson(json, [bin], 'invariant-only');
    const x = [0.5, -0.25, 1];
    const trips = Math.ceil(1.75) + 1;
    let acc = x.slice();
    for (let k = 0; k < trips; k++) acc = acc.map((a, j) => a * 0.5 + 2 * x[j]!);
    const got = Array.from((g.execute(nb.tensor(x, [1, 3]), 'while/Exit_1') as nb.Tensor).dataSync());
    got.forEach((v, k) => expect(v).toBeCloseTo(acc[k]!, 5));
  });

  it("a cond whose branches are constants (under their branch's control input) takes the live one (TensorFlow's semantics)", () => {
    // TF.js's executor treats every Const as available and would always take the Merge's first input.
    const c = (name: string, v: number, ctrl: string) => ({ name, op: 'Const', input: [`^${ctrl}`], attr: { dtype: { type: 'DT_FLOAT' }, value: { tensor: { dtype: 'DT_FLOAT', tensorShape: {}, floatVal: [v] } } } });
    const B = { T: { type: 'DT_BOOL' } };
    const g = graphModelFromJson(
      {
        format: 'graph-model',
        modelTopology: {
          node: [
            { name: 'x', op: 'Placeholder', attr: { dtype: { type: 'DT_FLOAT' } } },
            { name: 'zero', op: 'Const', attr: { dtype: { type: 'DT_FLOAT' }, value: { tensor: { dtype: 'DT_FLOAT', tensorShape: {}, floatVal: [0] } } } },
            { name: 'p', op: 'Greater', input: ['x', 'zero'] },
            { name: 'sw', op: 'Switch', input: ['p', 'p'], attr: B },
            { name: 't', op: 'Identity', input: ['sw:1'], attr: B },
            { name: 'f', op: 'Identity', input: ['sw'], attr: B },
            c('one', 1, 't'),
            c('minus', -1, 'f'),
            { name: 'm', op: 'Merge', input: ['minus', 'one'] },
          ],
        },
        weightsManifest: [],
      },
      [],
      'const-branches',
    );
    expect(Array.from((g.execute(nb.tensor(3), 'm') as nb.Tensor).dataSync())).toEqual([1]);
    expect(Array.from((g.execute(nb.tensor(-3), 'm') as nb.Tensor).dataSync())).toEqual([-1]);
    expect(Array.from((g.execute(nb.tensor(3), 'm:1') as nb.Tensor).dataSync())).toEqual([1]);
    // Traced: both constant branches run under their guards, and the Merge selects.
    const f = nb.jit((t: nb.Tensor) => g.execute(t, 'm') as nb.Tensor);
    expect(Array.from(f(nb.tensor(3)).dataSync())).toEqual([1]);
    expect(Array.from(f(nb.tensor(-3)).dataSync())).toEqual([-1]);
  });

  it('a NextIteration outside any loop frame fails at load, naming it', async () => {
    await expect(nb.models.loadGraphModel(`${FIXTURES}tf1_malformed/`)).rejects.toThrow(/NextIteration node 'NextIteration' is outside any while-loop frame/);
  });

  it('an Enter without a frame name and a cycle not closed by a NextIteration fail at load', () => {
    const { json, bin } = files('tf1');
    const nodes = (json.modelTopology as { node: { name: string; op: string; input?: string[]; attr?: Record<string, unknown> } [] }).node;
    const noFrame = structuredClone(json);
    const enter = (noFrame.modelTopology as typeof json.modelTopology & { node: typeof nodes }).node.find((n) => n.name === 'while/Enter')!;
    delete enter.attr!.frame_name;
    expect(() => graphModelFromJson(noFrame, [bin], 'no-frame')).toThrow(/Enter node 'while\/Enter' has no frame_name/);
    const cyclic = structuredClone(json);
    // The loop body's multiply reads the add after it: a cycle inside one iteration.
    (cyclic.modelTopology as { node: typeof nodes }).node.find((n) => n.name === 'while/mul')!.input = ['while/add_1', 'while/mul/y'];
    expect(() => graphModelFromJson(cyclic, [bin], 'cyclic')).toThrow(/cycle through node/);
  });

  it('an endless loop stops at maxLoopIterations with an error naming the frame', async () => {
    const { json, bin } = files('tf1');
    const endless = structuredClone(json);
    // The counter adds 0 instead of 1: i < n holds forever.
    const nodes = (endless.modelTopology as { node: { name: string; input?: string[] }[] }).node;
    nodes.find((n) => n.name === 'while/add')!.input = ['while/Identity', 'zero_i'];
    nodes.push({ name: 'zero_i', op: 'Const', input: ['^while/Identity'], attr: { dtype: { type: 'DT_INT32' }, value: { tensor: { dtype: 'DT_INT32', tensorShape: {}, intVal: [0] } } } } as never);
    const g = graphModelFromJson(endless, [bin], 'endless');
    g.maxLoopIterations = 50;
    expect(() => g.execute(nb.ones([1, 3]), 'while/Exit')).toThrow(/while loop of frame 'while\/while_context' .* ran 50 iterations without its LoopCond turning false/);
    expect(() => (g.maxLoopIterations = 0)).toThrow(/maxLoopIterations must be a positive integer/);
  });

  it('150 mutations of the tf1 model load and run or give nabla errors, never a hang', () => {
    const { json, bin } = files('tf1');
    const text = JSON.stringify(json);
    let seed = 12345;
    const random = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296);
    const REPLACEMENTS: unknown[] = [null, -1, 0, 1e9, 'x', '', true, [], {}, 'NextIteration', 'Merge', 'Enter', 'while/Merge', 'cond/Switch:1', { b: true }];
    let failures = 0;
    for (let trial = 0; trial < 150; trial++) {
      const m = JSON.parse(text) as Record<string, unknown>;
      const slots: [Record<string, unknown> | unknown[], string | number][] = [];
      const walk = (v: unknown) => {
        if (Array.isArray(v)) v.forEach((e, i) => (slots.push([v, i]), walk(e)));
        else if (v && typeof v === 'object') for (const [k, e] of Object.entries(v)) slots.push([v as Record<string, unknown>, k]), walk(e);
      };
      walk(m.modelTopology);
      const [holder, key] = slots[Math.floor(random() * slots.length)]!;
      (holder as Record<string | number, unknown>)[key] = REPLACEMENTS[Math.floor(random() * REPLACEMENTS.length)];
      try {
        const g = graphModelFromJson(m, [bin], `mutation ${trial}`);
        g.maxLoopIterations = 100;
        const y = g.execute(nb.ones([2, 3]), NODES);
        for (const t of y as nb.Tensor[]) t.dataSync();
      } catch (e) {
        failures++;
        if (!(e instanceof NablaError)) throw new Error(`mutation ${trial} (${JSON.stringify(key)}) threw ${(e as Error).constructor.name}: ${(e as Error).message}`);
      }
    }
    expect(failures).toBeGreaterThan(10);
  });
});
