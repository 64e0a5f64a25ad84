// The recurrent layers loop with nb.scan: their values and gradients equal a hand-written unrolled
// cell (with masks, goBackwards, initial states), eagerly and inside nb.jit, and a jitted training
// step over a long sequence holds one scan node per layer whatever the length.
import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { stepTraceCount } from '../../src/training/steps.js';
import { expectClose, sample } from '../conformance/harness.js';

type T = nb.Tensor;
const L = nb.layers;

/** Unrolled LSTM (Keras gates i, f, c, o): masked steps keep h and c; the output sequence in processing order. */
function unrolledLstm(x: T, mask: T | null, [k, rk, b]: T[], goBackwards: boolean, init: T[]): { seq: T; states: T[] } {
  const steps = nb.unstack(x, 1);
  const keep = mask ? nb.unstack(nb.cast(mask, 'bool'), 1).map((m) => nb.expandDims(m, -1)) : null;
  const order = steps.map((_, t) => t);
  if (goBackwards) order.reverse();
  let [h, c] = init as [T, T];
  const outs: T[] = [];
  for (const t of order) {
    const z = nb.add(nb.add(nb.matmul(steps[t]!, k!), nb.matmul(h, rk!)), b!);
    const [zi, zf, zc, zo] = nb.split(z, 4, 1) as [T, T, T, T];
    const c2 = nb.add(nb.mul(nb.sigmoid(zf), c), nb.mul(nb.sigmoid(zi), nb.tanh(zc)));
    const h2 = nb.mul(nb.sigmoid(zo), nb.tanh(c2));
    h = keep ? nb.where(keep[t]!, h2, h) : h2;
    c = keep ? nb.where(keep[t]!, c2, c) : c2;
    outs.push(h);
  }
  return { seq: nb.stack(outs, 1), states: [h, c] };
}

/** Unrolled GRU, Keras's resetAfter form (bias [2, 3u]: input and recurrent biases). */
function unrolledGru(x: T, mask: T | null, [k, rk, b]: T[], goBackwards: boolean, init: T[]): { seq: T; states: T[] } {
  const steps = nb.unstack(x, 1);
  const keep = mask ? nb.unstack(nb.cast(mask, 'bool'), 1).map((m) => nb.expandDims(m, -1)) : null;
  const [bIn, bRec] = nb.unstack(b!, 0) as [T, T];
  const order = steps.map((_, t) => t);
  if (goBackwards) order.reverse();
  let h = init[0]!;
  const outs: T[] = [];
  for (const t of order) {
    const [xz, xr, xh] = nb.split(nb.add(nb.matmul(steps[t]!, k!), bIn), 3, 1) as [T, T, T];
    const [rz, rr, rh] = nb.split(nb.add(nb.matmul(h, rk!), bRec), 3, 1) as [T, T, T];
    const z = nb.sigmoid(nb.add(xz, rz));
    const r = nb.sigmoid(nb.add(xr, rr));
    const cand = nb.tanh(nb.add(xh, nb.mul(r, rh)));
    const h2 = nb.add(nb.mul(z, h), nb.mul(nb.sub(1, z), cand));
    h = keep ? nb.where(keep[t]!, h2, h) : h2;
    outs.push(h);
  }
  return { seq: nb.stack(outs, 1), states: [h] };
}

// Row 0 is padded at the end, row 1 at the start and in the middle, row 2 not at all.
const MASK = [
  [1, 1, 1, 1, 0, 0],
  [0, 1, 1, 0, 1, 1],
  [1, 1, 1, 1, 1, 1],
];

const cases = [
  { name: 'LSTM', make: (o: nb.layers.RNNArgs) => new L.LSTM(3, o), ref: unrolledLstm, states: 2 },
  { name: 'GRU', make: (o: nb.layers.RNNArgs) => new L.GRU(3, o), ref: unrolledGru, states: 1 },
];

describe.each(cases)('$name through nb.scan equals the unrolled cell', ({ make, ref, states }) => {
  for (const goBackwards of [false, true]) {
    it(`values, final states and gradients with a mask and initial states (goBackwards ${goBackwards})`, () => {
      const layer = make({ returnSequences: true, returnState: true, goBackwards, biasInitializer: 'glorotUniform' });
      const x = sample([3, 6, 2], -1, 1, 3).cast('float32');
      const mask = nb.tensor(MASK).cast('bool');
      const init = Array.from({ length: states }, (_, i) => sample([3, 3], -0.5, 0.5, 10 + i).cast('float32'));
      layer.applyAll(x);
      const weights = layer.trainableWeights;
      // loss weights every output step and state differently, so misplaced steps would show.
      const wSeq = sample([3, 6, 3], -1, 1, 20).cast('float32');
      const lossOf = (seq: T, fin: T[]) => nb.add(nb.sum(nb.mul(seq, wSeq)), fin.reduce((acc: T, st, i) => nb.add(acc, nb.mul(i + 1, nb.sum(nb.square(st)))), nb.tensor(0)));

      const viaLayer = (xin: T, s0: T[]) => {
        const tape = new nb.GradientTape();
        tape.watch([xin, ...s0]);
        const [seq, ...fin] = layer.applyAll(xin, { mask, initialState: s0 });
        const loss = lossOf(seq!, fin);
        return [seq!, ...fin, ...tape.gradient(loss, [xin, ...s0, ...weights])];
      };
      const viaRef = (xin: T, s0: T[]) => {
        const tape = new nb.GradientTape();
        tape.watch([xin, ...s0]);
        const { seq, states: fin } = ref(xin, mask, weights.map((w) => w.value()), goBackwards, s0);
        const loss = lossOf(seq, fin);
        return [seq, ...fin, ...tape.gradient(loss, [xin, ...s0, ...weights])];
      };
      const want = viaRef(x, init);
      const eager = viaLayer(x, init);
      const jitted = nb.jit((xin: T, s0: T[]) => viaLayer(xin, s0))(x, init);
      expect(eager.length).toBe(want.length);
      want.forEach((w, i) => {
        expectClose(eager[i]!, w.arraySync() as number[], { rtol: 1e-5, atol: 1e-6 });
        expectClose(jitted[i]!, w.arraySync() as number[], { rtol: 1e-4, atol: 1e-5 });
      });
      // The masked steps really were skipped: row 0's last two outputs repeat its fourth.
      const seq = eager[0]!.arraySync() as number[][][];
      if (!goBackwards) expect(seq[0]![5]).toEqual(seq[0]![3]);
    });
  }

  it('without returnSequences and without a mask, eagerly and jitted', () => {
    const layer = make({});
    const x = sample([2, 5, 4], -1, 1, 30).cast('float32');
    const out = layer.apply(x);
    const zeros = Array.from({ length: states }, () => nb.zeros([2, 3]));
    const want = ref(x, null, layer.trainableWeights.map((w) => w.value()), false, zeros).states[0]!;
    expectClose(out, want.arraySync() as number[], { rtol: 1e-5, atol: 1e-6 });
    expectClose(nb.jit((a: T) => layer.apply(a) as T)(x), want.arraySync() as number[], { rtol: 1e-5, atol: 1e-6 });
  });
});

describe('a recurrent model over a long sequence traces its cell once', () => {
  function lstmModel(steps: number): nb.Sequential {
    const m = new nb.Sequential([new L.Bidirectional(new L.LSTM(8), { inputShape: [steps, 4] }), new L.Dense(1)]);
    m.compile({ optimizer: 'adam', loss: 'mse' });
    return m;
  }

  function trainGraph(model: nb.Sequential, steps: number): string {
    const x = sample([4, steps, 4], -1, 1, 40).cast('float32');
    const y = sample([4, 1], -1, 1, 41).cast('float32');
    const step = nb.jit((xb: T, yb: T) => {
      const tape = new nb.GradientTape();
      const loss = nb.mean(nb.square(nb.sub(model.apply(xb, { training: true }) as T, yb)));
      return [loss, ...tape.gradient(loss, model.trainableWeights)];
    });
    return step.graph(x, y);
  }

  it('the jitted gradient step has one scan per direction and as many nodes at 200 steps as at 10', () => {
    const count = (dump: string, re: RegExp) => dump.split('\n').filter((l) => re.test(l)).length;
    const short = trainGraph(lstmModel(10), 10);
    const long = trainGraph(lstmModel(200), 200);
    const nodes = (d: string) => count(d, /= \w+\(/);
    // Forward: one scan per direction; backward: a recomputing scan and a reverse scan per direction.
    expect(count(long, /= scan\(/)).toBe(count(short, /= scan\(/));
    expect(count(long, /= scan\(/)).toBeGreaterThanOrEqual(2);
    expect(nodes(long)).toBe(nodes(short));
    expect(nodes(long)).toBeLessThan(400);
    expect(long).not.toMatch(/= sigmoid\(/); // the gates live inside the scan bodies
  });

  it('fit over 200 steps compiles its train step once and learns', async () => {
    const model = lstmModel(200);
    const x = sample([16, 200, 4], -1, 1, 50).cast('float32');
    const y = nb.mean(x, [1, 2]).reshape([16, 1]).mul(4);
    const h = await model.fit(x, y, { epochs: 4, batchSize: 8, verbose: 0 });
    expect(stepTraceCount(model, 'train')).toBe(1);
    const losses = h.history.loss as number[];
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses.at(-1)!).toBeLessThan(losses[0]!);
  });
});

describe('dropout inside the scanned cell', () => {
  it('a jitted training step with dropout and recurrentDropout gives finite gradients for every weight; inference ignores the rates', () => {
    const layer = new L.LSTM(3, { dropout: 0.3, recurrentDropout: 0.3, returnSequences: true });
    const plain = new L.LSTM(3, { returnSequences: true });
    const x = sample([2, 7, 2], -1, 1, 60).cast('float32');
    layer.apply(x);
    plain.apply(x);
    plain.setWeights(layer.getWeights());
    expectClose(layer.apply(x, { training: false }) as T, (plain.apply(x) as T).arraySync() as number[], { rtol: 1e-6, atol: 1e-7 });
    const step = nb.jit((xb: T) => {
      const tape = new nb.GradientTape();
      const loss = nb.sum(nb.square(layer.apply(xb, { training: true }) as T));
      return tape.gradient(loss, layer.trainableWeights);
    });
    const grads = step(x);
    expect(step.graph(x).split('\n').filter((l) => /= scan\(/.test(l)).length).toBeGreaterThanOrEqual(1);
    for (const g of grads) expect(Array.from(g!.dataSync()).every(Number.isFinite)).toBe(true);
    expect(Math.max(...grads.map((g) => Math.max(...Array.from(g!.dataSync(), Math.abs))))).toBeGreaterThan(0);
  });
});

describe('Bidirectional around the scanned LSTM', () => {
  it('with a mask equals the unrolled cell run forwards and backwards, eagerly and jitted', () => {
    const bi = new L.Bidirectional(new L.LSTM(3, { returnSequences: true, biasInitializer: 'glorotUniform' }));
    const x = sample([3, 6, 2], -1, 1, 70).cast('float32');
    const mask = nb.tensor(MASK).cast('bool');
    bi.apply(x);
    const zeros = [nb.zeros([3, 3]), nb.zeros([3, 3])];
    const fw = unrolledLstm(x, mask, bi.forwardLayer.trainableWeights.map((w) => w.value()), false, zeros).seq;
    const bw = nb.flip(unrolledLstm(x, mask, bi.backwardLayer.trainableWeights.map((w) => w.value()), true, zeros).seq, 1);
    const want = (nb.concat([fw, bw], -1).arraySync() as number[]);
    expectClose(bi.apply(x, { mask }) as T, want, { rtol: 1e-5, atol: 1e-6 });
    expectClose(nb.jit((a: T, m: T) => bi.apply(a, { mask: m }) as T)(x, mask), want, { rtol: 1e-5, atol: 1e-6 });
  });
});
