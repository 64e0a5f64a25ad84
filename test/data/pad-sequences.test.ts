// nb.utils.padSequences against keras.utils.pad_sequences's documented behaviour.
import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';

const seqs = [[1], [2, 3], [4, 5, 6]];

describe('padSequences', () => {
  it('pads at the start to the longest sequence by default (int32)', () => {
    const t = nb.utils.padSequences(seqs);
    expect(t.dtype).toBe('int32');
    expect(t.arraySync()).toEqual([[0, 0, 1], [0, 2, 3], [4, 5, 6]]);
  });

  it('padding, truncating, maxlen, value and dtype', () => {
    expect(nb.utils.padSequences(seqs, { padding: 'post' }).arraySync()).toEqual([[1, 0, 0], [2, 3, 0], [4, 5, 6]]);
    expect(nb.utils.padSequences(seqs, { maxlen: 2 }).arraySync()).toEqual([[0, 1], [2, 3], [5, 6]]);
    expect(nb.utils.padSequences(seqs, { maxlen: 2, truncating: 'post' }).arraySync()).toEqual([[0, 1], [2, 3], [4, 5]]);
    expect(nb.utils.padSequences(seqs, { value: -1, maxlen: 4 }).arraySync()).toEqual([[-1, -1, -1, 1], [-1, -1, 2, 3], [-1, 4, 5, 6]]);
    const f = nb.utils.padSequences([[0.5]], { dtype: 'float32', maxlen: 2 });
    expect(f.dtype).toBe('float32');
    expect(f.arraySync()).toEqual([[0, 0.5]]);
    expect(nb.utils.padSequences([nb.tensor([7, 8], 'int32')], { maxlen: 3 }).arraySync()).toEqual([[0, 7, 8]]);
  });

  it('empty input and empty sequences', () => {
    expect(nb.utils.padSequences([]).shape).toEqual([0, 0]);
    expect(nb.utils.padSequences([[], [1]]).arraySync()).toEqual([[0], [1]]);
    expect(nb.utils.padSequences([[1, 2]], { maxlen: 0 }).shape).toEqual([1, 0]);
  });

  it('bad input is a ValueError naming what was wrong', () => {
    expect(() => nb.utils.padSequences(seqs, { padding: 'both' as never })).toThrow(/padding must be 'pre' or 'post', got "both"/);
    expect(() => nb.utils.padSequences(seqs, { maxlen: -1 })).toThrow(/maxlen must be a non-negative integer/);
    expect(() => nb.utils.padSequences([[1, 'a' as never]])).toThrow(/sequence 0 holds "a"/);
    expect(() => nb.utils.padSequences([nb.zeros([2, 2])])).toThrow(/must be 1-D/);
    expect(() => nb.utils.padSequences(seqs, { max_len: 2 } as never)).toThrow(/unknown option 'max_len'; did you mean 'maxlen'/);
  });
});
