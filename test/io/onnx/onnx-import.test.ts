// ONNX import against onnxruntime: PyTorch-exported models (test/fixtures/onnx, made by
// scripts/make-onnx-fixtures.py) give ORT's outputs on every backend, eagerly, compiled (predict's
// default) and under nb.jit, at
// every input shape the manifest lists (dynamic dims: shape subgraphs fold per shape).
import { describe, expect, it } from 'vitest';
import * as nb from '../../../src/index.js';
import { backendsUnderTest } from '../../conformance/harness.js';
import { MANIFEST, FIXTURES, fixtureBytes, maxRelError, ortOutputs, seededFloats } from './onnx-fixtures.js';

const TOLERANCE = 1e-4;
const SUPPORTED = MANIFEST;

async function expectMatchesOrt(model: nb.onnx.OnnxModel, fixture: (typeof MANIFEST)[number], shapes: number[][], run: (feeds: Record<string, nb.Tensor>) => Record<string, nb.Tensor>) {
  const raw = Object.fromEntries(fixture.inputs.map((name, i) => [name, { data: seededFloats(shapes[i]!.reduce((a, b) => a * b, 1), 7 + i), shape: shapes[i]! }]));
  const want = await ortOutputs(fixture.file, raw);
  const got = run(Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, nb.tensor(v.data, v.shape)])));
  expect(Object.keys(got).sort()).toEqual(Object.keys(want).sort());
  for (const [name, w] of Object.entries(want)) {
    const g = got[name]!;
    expect(g.shape, `${fixture.file} ${name}`).toEqual(w.dims);
    const err = maxRelError(Array.from(await g.data(), Number), w.data);
    expect(err, `${fixture.file} output ${name} at ${JSON.stringify(shapes)}`).toBeLessThan(TOLERANCE);
  }
}

describe.each(backendsUnderTest())('onnx import on %s', (backend) => {
  for (const fixture of SUPPORTED) {
    it(`${fixture.file} matches onnxruntime at every manifest shape, eagerly and compiled (predict's default)`, async () => {
      await nb.setBackend(backend);
      const model = await nb.onnx.load(FIXTURES + fixture.file);
      for (const jitCompile of [false, true]) {
        model.jitCompile = jitCompile;
        for (const shapes of fixture.shapes) await expectMatchesOrt(model, fixture, shapes, (f) => model.predict(f));
      }
    });
  }

  it('a jitted predict traces once per input signature and matches onnxruntime', async () => {
    await nb.setBackend(backend);
    for (const file of ['cnn.onnx', 'encoder.onnx']) {
      const fixture = MANIFEST.find((f) => f.file === file)!;
      const model = nb.onnx.fromBytes(fixtureBytes(file));
      const f = nb.jit((x: nb.Tensor) => model.predict(x) as nb.Tensor);
      const name = model.outputNames[0]!;
      for (const shapes of [...fixture.shapes, ...fixture.shapes]) {
        await expectMatchesOrt(model, fixture, shapes, (feeds) => ({ [name]: f(feeds[fixture.inputs[0]!]!) }));
      }
      expect(f.traceCount, file).toBe(fixture.shapes.length);
    }
  });
});

describe('onnx model interface', () => {
  it('takes positional or named inputs and names its outputs', async () => {
    const model = nb.onnx.fromBytes(fixtureBytes('many-ops.onnx'));
    expect(model.inputNames).toEqual(['x']);
    expect(model.outputNames).toEqual(['y', 'filled']);
    expect(model.inputs[0]).toEqual({ name: 'x', dtype: 'float32', shape: [null, 4, 8] });
    expect(model.opset).toBe(17);
    const x = nb.tensor(seededFloats(64, 3), [2, 4, 8]);
    const byName = model.predict({ x });
    const positional = model.predict(x) as nb.Tensor[];
    expect(positional.map((t) => t.shape)).toEqual([[2, 60], [2, 4, 2]]);
    expect(byName.y!.arraySync()).toEqual(positional[0]!.arraySync());
    expect(byName.filled!.arraySync()).toEqual(positional[1]!.arraySync());
  });

  it('checks inputs: unknown names, count, declared dims and dtype', () => {
    const model = nb.onnx.fromBytes(fixtureBytes('mlp.onnx'));
    expect(() => model.predict({ y: nb.zeros([1, 6]) })).toThrow(/unknown input 'y' \(inputs: x\)/);
    expect(() => model.predict(nb.zeros([2, 5]))).toThrow(nb.ShapeError);
    expect(() => model.predict(nb.zeros([2, 5]))).toThrow(/input 'x' expects shape \[\?, 6\], got \[2, 5\]/);
    expect(() => model.predict(nb.zeros([2, 6], 'int32'))).toThrow(nb.DTypeError);
  });

  it('turns float initializers into Variables; one SGD step on them lowers a loss', async () => {
    const model = nb.onnx.fromBytes(fixtureBytes('mlp.onnx'));
    const vars = model.trainableWeights;
    expect(vars.map((v) => v.shape)).toEqual([[16, 6], [16], [3, 16], [3]]);
    expect(Object.keys(model.weights)).toEqual(['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias']);
    const x = nb.tensor(seededFloats(8 * 6, 11), [8, 6]);
    const target = nb.oneHot(nb.tensor([0, 1, 2, 0, 1, 2, 0, 1], 'int32'), 3);
    const lossOf = () => nb.mean(nb.square(nb.sub(model.predict(x) as nb.Tensor, target)));
    const before = lossOf().item();
    const tape = new nb.GradientTape();
    const loss = lossOf();
    const grads = tape.gradient(loss, vars);
    grads.forEach((g, i) => expect(g?.shape).toEqual(vars[i]!.shape));
    new nb.optimizers.SGD(0.5).applyGradients(grads.map((g, i) => [g!, vars[i]!]));
    expect(lossOf().item()).toBeLessThan(before - 1e-4);
  });

  it('wraps as a Keras layer whose ONNX weights train with fit (jitted)', async () => {
    const onnx = nb.onnx.fromBytes(fixtureBytes('mlp.onnx'));
    const fc1Before = onnx.weights['fc1.weight']!.arraySync();
    nb.random.seed(3);
    const input = nb.keras.Input([6]);
    const output = new nb.layers.Dense(1).apply(onnx.asLayer({ name: 'torch_mlp' }).apply(input));
    const model = new nb.Model({ inputs: input, outputs: output });
    expect(model.trainableWeights.length).toBe(6);
    model.compile({ optimizer: new nb.optimizers.SGD(0.2), loss: 'mse' });
    const x = nb.tensor(seededFloats(32 * 6, 21), [32, 6]);
    const y = nb.sum(x, 1, true);
    const first = (await model.evaluate(x, y, { verbose: 0 })) as number;
    await model.fit(x, y, { epochs: 8, batchSize: 8, verbose: 0 });
    const last = (await model.evaluate(x, y, { verbose: 0 })) as number;
    expect(last).toBeLessThan(first * 0.9);
    expect(onnx.weights['fc1.weight']!.arraySync()).not.toEqual(fc1Before);
  });
});
