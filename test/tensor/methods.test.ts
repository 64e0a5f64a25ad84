import { describe, it, expect } from 'vitest';
import * as nb from '../../src/index.js';
import { backendsUnderTest, expectClose, expectExact, on } from '../conformance/harness.js';

const M = [[1, 2, 3], [4, 5, 6]];

// Every op the Tensor interface declares as a method, with how to call it and what it must equal.
const cases: [string, (a: nb.Tensor) => unknown, (a: nb.Tensor) => unknown][] = [
  ['reshape', (a) => a.reshape([3, 2]), (a) => nb.reshape(a, [3, 2])],
  ['transpose', (a) => a.transpose(), (a) => nb.transpose(a)],
  ['permute', (a) => a.permute([1, 0]), (a) => nb.transpose(a, [1, 0])],
  ['T', (a) => a.T, (a) => nb.transpose(a)],
  ['expandDims', (a) => a.expandDims(1), (a) => nb.expandDims(a, 1)],
  ['squeeze', (a) => a.slice([0], [1]).squeeze(0), (a) => nb.squeeze(nb.slice(a, [0], [1]), 0)],
  ['flatten', (a) => a.flatten(), (a) => nb.reshape(a, [6])],
  ['broadcastTo', (a) => a.broadcastTo([2, 2, 3]), (a) => nb.broadcastTo(a, [2, 2, 3])],
  ['flip', (a) => a.flip(1), (a) => nb.flip(a, 1)],
  ['slice', (a) => a.slice([0, 1], [2, 2]), (a) => nb.slice(a, [0, 1], [2, 2])],
  ['index', (a) => a.index('::-1, 1'), (a) => nb.index(a, '::-1, 1')],
  ['tile', (a) => a.tile([2, 1]), (a) => nb.tile(a, [2, 1])],
  ['pad', (a) => a.pad([[1, 0], [0, 1]], 5), (a) => nb.pad(a, [[1, 0], [0, 1]], 5)],
  ['pad (mode)', (a) => a.pad([[1, 1], [1, 1]], { mode: 'reflect' }), (a) => nb.pad(a, [[1, 1], [1, 1]], { mode: 'reflect' })],
  ['split', (a) => a.split([1, 2], 1)[1], (a) => nb.split(a, [1, 2], 1)[1]],
  ['unstack', (a) => a.unstack(1)[2], (a) => nb.unstack(a, 1)[2]],
  ['matmul', (a) => a.matmul(a, { transposeB: true }), (a) => nb.matmul(a, a, { transposeB: true })],
  ['dot', (a) => a.T.dot(a), (a) => nb.dot(nb.transpose(a), a)],
  ['cast', (a) => a.cast('int32'), (a) => nb.cast(a, 'int32')],
  ['clip', (a) => a.clip(2, 4), (a) => nb.clip(a, 2, 4)],
  ['where', (a) => a.where(a.greater(3), 0), (a) => nb.where(nb.greater(a, 3), a, 0)],
  ['clone', (a) => a.clone(), (a) => a],
  ['toFloat', (a) => a.toInt().toFloat(), (a) => a],
  ['toBool', (a) => a.sub(1).toBool(), (a) => nb.notEqual(a, 1)],
  ['argmax', (a) => a.argmax(1), (a) => nb.argmax(a, 1)],
  ['argmin', (a) => a.argmin(), (a) => nb.argmin(a, 0)],
  ['norm', (a) => a.norm({ ord: 1 }), (a) => nb.norm(a, 1)],
];

for (const backend of backendsUnderTest()) {
  describe(`Tensor methods on ${backend}`, () => {
    for (const [name, method, fn] of cases) {
      it(`${name} equals its function`, () =>
        on(backend, () => {
          const a = nb.tensor(M);
          const got = method(a) as nb.Tensor;
          const want = fn(a) as nb.Tensor;
          expect(got.dtype).toBe(want.dtype);
          expect(got.arraySync()).toEqual(want.arraySync());
        }));
    }

    it('clone is a fresh buffer with the same values', () =>
      on(backend, () => {
        const a = nb.tensor(M);
        const c = a.clone();
        expect(c === a).toBe(false);
        expect(c.storage).not.toBe(a.storage);
        expectExact(c, M, 'float32');
        expectClose(a.T.clone(), [[1, 4], [2, 5], [3, 6]]);
      }));

    it('binary, unary and reduction methods chain', () =>
      on(backend, () => {
        const a = nb.tensor(M);
        expectClose(a.add(1).mul(2).sum(), 54);
        expectClose(a.neg().abs().sqrt().square().max(1), [3, 6]);
        expectClose(a.mean(0, true), [[2.5, 3.5, 4.5]]);
        expectClose(a.logSumExp({ axis: 1 }), [3 + Math.log(1 + Math.exp(-1) + Math.exp(-2)), 6 + Math.log(1 + Math.exp(-1) + Math.exp(-2))]);
        expectExact(a.greater(2).any(1), [true, true]);
        expectExact(a.greater(2).all(1), [false, true]);
        expectClose(a.variance().add(a.std().square().neg()), 0, { atol: 1e-5 });
      }));
  });
}
