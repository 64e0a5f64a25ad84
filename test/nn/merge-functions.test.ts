// Keras's lowercase merge helpers (nb.layers.concatenate, add, ..., dot) and the Dot layer.
import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { expectClose } from '../conformance/harness.js';

const L = nb.layers;
const a = nb.tensor([[1, 2], [3, 4]]);
const b = nb.tensor([[5, 6], [7, 8]]);

describe('lowercase merge helpers', () => {
  it('compute like their layers on tensors', () => {
    expectClose(L.add([a, b]), [[6, 8], [10, 12]]);
    expectClose(L.subtract([a, b]), [[-4, -4], [-4, -4]]);
    expectClose(L.multiply([a, b]), [[5, 12], [21, 32]]);
    expectClose(L.average([a, b]), [[3, 4], [5, 6]]);
    expectClose(L.maximum([a, nb.tensor([[0, 9], [9, 0]])]), [[1, 9], [9, 4]]);
    expectClose(L.minimum([a, nb.tensor([[0, 9], [9, 0]])]), [[0, 2], [3, 0]]);
    expectClose(L.concatenate([a, b]), [[1, 2, 5, 6], [3, 4, 7, 8]]);
    expectClose(L.concatenate([a, b], 0), [[1, 2], [3, 4], [5, 6], [7, 8]]);
    expectClose(L.concatenate([a, b], { axis: 0, name: 'joined' }), [[1, 2], [3, 4], [5, 6], [7, 8]]);
    expectClose(L.dot([a, b], 1), [[17], [53]]);
  });

  it('build functional graphs from symbolic inputs', () => {
    const x1 = nb.keras.Input([2]);
    const x2 = nb.keras.Input([2]);
    const joined = L.concatenate([L.add([x1, x2]), L.dot([x1, x2], 1, { normalize: true })]);
    expect(joined.shape).toEqual([null, 3]);
    const model = new nb.Model({ inputs: [x1, x2], outputs: joined });
    const out = model.predict([nb.tensor([[3, 4]]), nb.tensor([[4, 3]])]);
    // sum [7, 7]; cosine (12 + 12) / 25.
    expectClose(out, [[7, 7, 24 / 25]]);
    expect(() => L.add([x1, x2], { bogus_key: 1 } as never)).toThrow(/unknown option 'bogus_key'/);
  });
});

describe('Dot', () => {
  it('contracts the given axes of [b, t, d] and [b, s, d] to [b, t, s] (a batched x @ y^T)', () => {
    const x = nb.tensor([[[1, 0], [0, 1], [1, 1]]]); // [1, 3, 2]
    const y = nb.tensor([[[2, 3], [4, 5]]]); // [1, 2, 2]
    const out = new L.Dot(2).apply([x, y]);
    expect(out.shape).toEqual([1, 3, 2]);
    expectClose(out, [[[2, 4], [3, 5], [5, 9]]]);
    // Different axes per input: x's axis 1 (size 3) with z's axis 2 (size 3).
    const z = nb.tensor([[[1, 2, 3]]]); // [1, 1, 3]
    const w = new L.Dot({ axes: [1, 2] }).apply([x, z]);
    expect(w.shape).toEqual([1, 2, 1]);
    expectClose(w, [[[1 + 3], [2 + 3]]]);
    expect(new L.Dot(2).computeOutputShape([[null, 3, 2], [null, 4, 2]])).toEqual([null, 3, 4]);
  });

  it('the gradient of a dot product is the other input; bad axes and sizes are clear errors', () => {
    const layer = new L.Dot(1);
    const x = nb.tensor([[1, 2, 3]], 'float64');
    const y = nb.tensor([[0.5, -1, 2]], 'float64');
    const g = nb.grad((t: nb.Tensor) => nb.sum(layer.apply([t, y])))(x) as nb.Tensor;
    expectClose(g, [[0.5, -1, 2]]);
    expect(() => new L.Dot(0).apply([x, y])).toThrow(/out of range \(or the batch axis\)/);
    expect(() => new L.Dot(1).apply([x, nb.zeros([1, 4])])).toThrow(nb.ShapeError);
    expect(() => new L.Dot({} as never)).toThrow(/axes is required/);
    const round = L.deserialize(L.serialize(new L.Dot([2, 2], { normalize: true })));
    expect(round.getConfig()).toMatchObject({ axes: [2, 2], normalize: true });
  });
});
