import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { expectClose } from '../conformance/harness.js';

const L = nb.layers;

function capture(model: nb.Model): string {
  let text = '';
  model.summary({ printFn: (t) => (text = t) });
  return text;
}

describe('functional models', () => {
  it('the perceptron of the lesson has 3 parameters', () => {
    const inputs = nb.keras.Input([2]);
    const z = new L.Dense(1, { activation: 'sigmoid', kernelInitializer: 'glorotUniform' }).apply(inputs);
    const model = new nb.Model({ inputs, outputs: z });
    const text = capture(model);
    expect(text).toContain('Total params: 3');
    expect(text).toContain('Trainable params: 3');
    expect(text).toContain('Non-trainable params: 0');
    expect(text).toMatch(/dense\S* \(Dense\)\s+\(None, 1\)\s+3/);
    expect(text).toMatch(/\(InputLayer\)\s+\(None, 2\)\s+0/);
  });

  it('several inputs and outputs with a shared layer', () => {
    const a = nb.keras.Input([3], { name: 'a' });
    const b = nb.keras.Input([3], { name: 'b' });
    const shared = new L.Dense(2, { name: 'shared' });
    const merged = new L.Concatenate().apply([shared.apply(a), shared.apply(b)]);
    const out1 = new L.Dense(1, { name: 'out1' }).apply(merged);
    const out2 = new L.Dense(3, { name: 'out2', activation: 'softmax' }).apply(merged);
    const model = new nb.Model({ inputs: [a, b], outputs: [out1, out2] });
    // shared: 3*2+2 = 8, out1: 4+1 = 5, out2: 4*3+3 = 15
    expect(model.countParams()).toBe(28);
    expect(model.weights.length).toBe(6);
    expect(model.outputNames).toEqual(['out1', 'out2']);
    const xa = nb.ones([4, 3]);
    const xb = nb.zeros([4, 3]);
    const [y1, y2] = model.applyAll([xa, xb]);
    expect(y1!.shape).toEqual([4, 1]);
    expect(y2!.shape).toEqual([4, 3]);
    // the shared layer sees both inputs: on b (zeros) it gives its bias, here zeros
    const w = shared.getWeights();
    const expectedA = nb.add(nb.matmul(xa, w[0]!), w[1]!);
    const viaModel = new nb.Model({ inputs: [a, b], outputs: merged }).apply([xa, xb]);
    expectClose(viaModel.slice([0, 0], [4, 2]), expectedA.arraySync() as number[][]);
    expect(capture(model)).toContain('Connected to');
    const preds = model.predictAll([xa, xb]);
    expect(preds.map((p) => p.shape)).toEqual([[4, 1], [4, 3]]);
  });

  it('models nest as layers and round-trip through getConfig/fromConfig', () => {
    const inner = new nb.Sequential([new L.Dense(4, { inputShape: [2], activation: 'relu' }), new L.Dense(2)]);
    const x = nb.keras.Input([2]);
    const y = new L.Dense(1).apply(new L.Add().apply([inner.apply(x), new L.Dense(2).apply(x)]));
    const outer = new nb.Model({ inputs: x, outputs: y });
    expect(outer.countParams()).toBe(inner.countParams() + 6 + 3);
    const config = JSON.parse(JSON.stringify(outer.getConfig())) as Record<string, unknown>;
    const again = nb.Model.fromConfig(config) as nb.Model;
    again.setWeights(outer.getWeights());
    const data = nb.tensor([[1, 2], [-1, 0.5]]);
    expectClose(again.predict(data), outer.predict(data).arraySync() as number[][]);
    expect(again.layers.map((l) => l.className)).toEqual(outer.layers.map((l) => l.className));
  });

  it('a training flag fixed at graph construction wins over the call mode', () => {
    const x = nb.keras.Input([200]);
    const always = new nb.Model({ inputs: x, outputs: new L.Dropout(0.5, { seed: 2 }).apply(x, { training: true }) });
    const zeros = Array.from(always.predict(nb.ones([1, 200])).dataSync()).filter((v) => v === 0).length;
    expect(zeros).toBeGreaterThan(50);
    const normal = new nb.Model({ inputs: x, outputs: new L.Dropout(0.5).apply(x) });
    expectClose(normal.predict(nb.ones([1, 2 * 100])).sum(), 200);
  });

  it('rejects inputs of the wrong shape and disconnected graphs', () => {
    const x = nb.keras.Input([3]);
    const model = new nb.Model({ inputs: x, outputs: new L.Dense(2).apply(x) });
    expect(() => model.predict(nb.zeros([5, 4]))).toThrow(nb.ShapeError);
    expect(() => model.predict(nb.zeros([5, 4]))).toThrow(/expected axis 1 to have size 3/);
    const other = nb.keras.Input([3]);
    const y = new L.Add().apply([x, other]);
    expect(() => new nb.Model({ inputs: x, outputs: y })).toThrow(/disconnected/);
    expect(() => new nb.Model({ inputs: x } as never)).toThrow(/both inputs and outputs/);
  });
});

describe('Sequential', () => {
  it('the 2-5-1 network of the lesson has 21 parameters; add and pop', () => {
    const seq = new nb.Sequential([
      new L.Dense(5, { activation: 'sigmoid', inputShape: [2] }),
      new L.Dense(1, { activation: 'sigmoid' }),
    ]);
    expect(capture(seq)).toContain('Total params: 21');
    seq.add(new L.Dense(1));
    expect(seq.countParams()).toBe(23);
    expect(seq.layers.length).toBe(3);
    seq.pop();
    expect(seq.countParams()).toBe(21);
    expect(seq.predict(nb.zeros([3, 2])).shape).toEqual([3, 1]);
  });

  it('builds on the first call when no input shape is given, then checks shapes', () => {
    const seq = new nb.Sequential();
    seq.add(new L.Dense(3));
    seq.add(new L.Activation('relu'));
    expect(seq.built).toBe(false);
    expect(seq.apply(nb.ones([2, 4])).shape).toEqual([2, 3]);
    expect(seq.countParams()).toBe(15);
    expect(capture(seq)).toContain('(None, 3)');
    expect(() => seq.apply(nb.ones([2, 5]))).toThrow(nb.ShapeError);
    expect(() => new nb.Sequential([new L.Dense(1, { inputShape: [2] })]).apply(nb.ones([1, 3]))).toThrow(/expected axis 1 to have size 2/);
  });

  it('accepts an nb.keras.Input first and round-trips its config', () => {
    const seq = new nb.Sequential([nb.keras.Input([3]), new L.Dense(2), new L.Dropout(0.5), new L.Dense(1)]);
    expect(seq.countParams()).toBe(8 + 3);
    const again = nb.Sequential.fromConfig(JSON.parse(JSON.stringify(seq.getConfig())) as Record<string, unknown>) as nb.Sequential;
    again.setWeights(seq.getWeights());
    const x = nb.tensor([[1, 2, 3]]);
    expectClose(again.predict(x), seq.predict(x).arraySync() as number[][]);
  });
});

describe('subclassed models and custom layers', () => {
  class Scale extends L.Layer {
    w!: nb.Variable;
    override build(inputShape: number[]) {
      this.w = this.addWeight('w', [inputShape.at(-1)!], 'ones');
    }
    override call(x: nb.Tensor) {
      return x.mul(this.w);
    }
  }
  L.register(Scale);

  it('a custom layer (the API.md example) builds lazily, trains, and deserializes once registered', () => {
    const s = new Scale();
    expectClose(s.apply(nb.tensor([[1, 2]])), [[1, 2]]);
    expect(s.weights.map((w) => w.name)).toEqual([`${s.name}/w`]);
    const again = L.deserialize(L.serialize(s));
    expect(again).toBeInstanceOf(Scale);
    expect(() => L.deserialize({ className: 'Nope', config: {} })).toThrow(/unknown layer class 'Nope'/);
  });

  it('tracks sublayers assigned to fields, passes training to them, and fits', async () => {
    class TwoLayer extends nb.Model {
      hidden = new L.Dense(8, { activation: 'tanh' });
      drop = new L.Dropout(0.5, { seed: 1 });
      out = new L.Dense(1);
      seenTraining: (boolean | undefined)[] = [];
      override call(x: nb.Tensor, kwargs: nb.layers.CallArgs) {
        this.seenTraining.push(kwargs.training);
        return this.out.apply(this.drop.apply(this.hidden.apply(x)));
      }
    }
    const m = new TwoLayer();
    const x = nb.random.uniform([32, 2], { min: -1, max: 1, seed: 4 });
    const y = x.sum(1, true);
    m.compile({ optimizer: 'adam', loss: 'mse' });
    await m.fit(x, y, { epochs: 2, batchSize: 16, verbose: 0 });
    expect(m.weights.length).toBe(4);
    expect(m.trainableWeights.length).toBe(4);
    expect(m.seenTraining).toContain(true);
    // inference: dropout is off, so repeated predictions agree
    expectClose(m.predict(x), m.predict(x).arraySync() as number[][]);
    expect(m.seenTraining.at(-1)).toBe(false);
    m.hidden.trainable = false;
    expect(m.trainableWeights.length).toBe(2);
    const text = capture(m);
    expect(text).toContain('Total params: 33');
    expect(text).toContain('Trainable params: 9');
  });
});

describe('nb.keras namespace', () => {
  it('holds the Keras names a ported script uses', () => {
    expect(nb.keras.layers.Dense).toBe(L.Dense);
    expect(nb.keras.layers.MaxPool2D).toBe(L.MaxPooling2D);
    expect(nb.keras.Model).toBe(nb.Model);
    expect(nb.keras.Sequential).toBe(nb.Sequential);
    expect(nb.keras.optimizers.Adam).toBe(nb.optimizers.Adam);
    expect(nb.keras.callbacks.EarlyStopping).toBe(nb.callbacks.EarlyStopping);
    expect(nb.keras.layers.Input([3]).shape).toEqual([null, 3]);
    nb.keras.backend.clearSession();
    expect(new L.Dense(1).name).toBe('dense');
    expect(new L.Dense(1).name).toBe('dense_1');
    expect(new L.BatchNormalization().name).toBe('batch_normalization');
    expect(new L.Conv2D(1, 1).name).toBe('conv2d');
  });
});

describe('summary() of a model not built yet', () => {
  it('raises "not yet built" as Keras does, instead of printing ? and partial totals', () => {
    const model = new nb.Sequential([new L.Dense(16), new L.Dense(1)]);
    expect(() => capture(model)).toThrow(nb.ValueError);
    expect(() => capture(model)).toThrow(/has not been built yet; .*model\.build\(\[null, \.\.\.inputSizes\]\)/);
    class Sub extends nb.Model {
      readonly d = new L.Dense(2);
      override call(x: nb.Tensor): nb.Tensor {
        return this.d.apply(x);
      }
    }
    expect(() => capture(new Sub())).toThrow(/has not been built yet/);
  });

  it('once built from a known input shape, shows every layer and the full totals', () => {
    const model = new nb.Sequential([new L.Dense(16), new L.Dense(1)]);
    model.build([null, 44]);
    const text = capture(model);
    // 44 * 16 + 16 = 720, 16 + 1 = 17.
    expect(text).toMatch(/Total params: 737/);
    expect(text).not.toMatch(/\?/);
    const fitted = new nb.Sequential([new L.Dense(16), new L.Dense(1)]);
    fitted.predict(nb.zeros([2, 44]));
    expect(capture(fitted)).toMatch(/Total params: 737/);
  });
});
