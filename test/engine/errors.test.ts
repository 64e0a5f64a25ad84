// Error classes, and that bad input gets an error naming the op, the shapes/values and what was expected.
import { describe, it, expect } from 'vitest';
import * as nb from '../../src/index.js';

describe('error classes', () => {
  it('ShapeError, DTypeError and ValueError are distinct Error subclasses with their own names', () => {
    const errors = [new nb.ShapeError('s'), new nb.DTypeError('d'), new nb.ValueError('v')];
    expect(errors.map((e) => e.name)).toEqual(['ShapeError', 'DTypeError', 'ValueError']);
    for (const e of errors) {
      expect(e).toBeInstanceOf(Error);
      expect(e).toBeInstanceOf(nb.NablaError);
      expect(e.stack).toContain(e.name);
    }
    expect(errors[0]).not.toBeInstanceOf(nb.DTypeError);
    expect(errors[0]).not.toBeInstanceOf(nb.ValueError);
    expect(errors[1]).not.toBeInstanceOf(nb.ShapeError);
    expect(errors[2]).not.toBeInstanceOf(nb.ShapeError);
    expect(String(errors[0])).toBe('ShapeError: s');
  });
});

const a = () => nb.tensor([[1, 2, 3], [4, 5, 6]]); // [2, 3]
const b = () => nb.tensor([[1, 2], [3, 4]]); // [2, 2]

// [what is called, the error class, a pattern naming the op and the shapes or values involved]
const cases: [string, () => unknown, new (m: string) => Error, RegExp][] = [
  ['add of unbroadcastable shapes', () => nb.add(a(), nb.tensor([1, 2])), nb.ShapeError, /^add: .*\[2, 3\].*\[2\]/],
  ['mul through the method form', () => a().mul(b()), nb.ShapeError, /^mul: .*\[2, 3\].*\[2, 2\]/],
  ['matmul with mismatched inner dimensions', () => nb.matmul(a(), a()), nb.ShapeError, /^matmul: .*\[2, 3\].*\[2, 3\]/],
  ['reshape to another size', () => nb.reshape(a(), [4, 2]), nb.ShapeError, /^reshape: .*\[2, 3\].*\[4, 2\]/],
  ['concat of shapes that differ off the axis', () => nb.concat([a(), b()], 0), nb.ShapeError, /^concat: .*\[2, 3\].*\[2, 2\]/],
  ['stack of different shapes', () => nb.stack([a(), b()]), nb.ShapeError, /^stack: .*\[2, 3\].*\[2, 2\]/],
  ['transpose with a bad permutation', () => nb.transpose(a(), [0, 0]), nb.ShapeError, /^transpose: .*perm.*\[2, 3\]/],
  ['sum over a missing axis', () => nb.sum(a(), 2), nb.ShapeError, /^sum: axis 2 .*rank 2/],
  ['slice past the end', () => nb.slice(a(), [0, 2], [2, 3]), nb.ShapeError, /^slice: .*\[2, 3\]/],
  ['where of unbroadcastable shapes', () => nb.where(nb.tensor([true, false, true]), a(), b()), nb.ShapeError, /^where: .*\[2, 3\].*\[2, 2\]/],
  ['squeeze of an axis that is not 1', () => nb.squeeze(a(), 0), nb.ShapeError, /^squeeze: axis 0 .*\[2, 3\]/],
  ['split into unequal parts', () => nb.split(a(), 4, 1), nb.ShapeError, /^split: .*4.*\[2, 3\]/],
  ['tile with the wrong number of reps', () => nb.tile(a(), [2]), nb.ShapeError, /^tile: .*\[2\].*\[2, 3\]/],
  ['at() out of range', () => a().at(5), nb.ShapeError, /^at: index 5 .*\[2, 3\]/],
  ['a ragged nested array', () => nb.tensor([[1, 2], [3]]), nb.ShapeError, /^tensor: ragged/],
  ['cast to an unknown dtype', () => nb.cast(a(), 'complex64' as nb.DType), nb.DTypeError, /^cast: .*complex64/],
  ['floorDiv of bools', () => nb.floorDiv(nb.tensor([true]), nb.tensor([false])), nb.DTypeError, /^floorDiv: .*bool/],
  ['item() of a non-scalar', () => a().item(), nb.ValueError, /^item: .*\[2, 3\]/],
  ['range with step 0', () => nb.range(0, 10, 0), nb.ValueError, /^range: step .* 0/],
  ['Variable.assign of another shape', () => new nb.Variable(a(), { name: 'w' }).assign(b()), nb.ShapeError, /^Variable\.assign \(w\): .*\[2, 2\].*\[2, 3\]/],
];

describe('errors name the op and the shapes', () => {
  for (const [what, call, cls, pattern] of cases) {
    it(what, () => {
      let caught: unknown;
      try {
        call();
      } catch (e) {
        caught = e;
      }
      expect(caught, 'it should throw').toBeInstanceOf(cls);
      expect((caught as Error).message).toMatch(pattern);
    });
  }

  it('a bad-shape op raises before it allocates an output', () => {
    const backend = nb.getBackend();
    const x = nb.tensor([1, 2, 3]);
    const y = nb.tensor([1, 2]);
    const before = nb.memory()[backend]!.numTensors;
    expect(() => nb.add(x, y)).toThrow(nb.ShapeError);
    expect(nb.memory()[backend]!.numTensors).toBe(before);
  });
});
