// typedShapeKey (src/tensor/shape-key.ts): the jit's and the training steps' per-tensor key part,
// remembered by value for the last few shapes; remembering must never merge two signatures.
import { describe, expect, it } from 'vitest';
import { typedShapeKey } from '../../src/tensor/shape-key.js';

describe('typedShapeKey', () => {
  it('spells dtype and shape, and tells apart every dtype, rank and size, also past the remembered few', () => {
    expect(typedShapeKey('float32', [256, 784])).toBe('float32[256,784]');
    expect(typedShapeKey('int32', [])).toBe('int32[]');
    const cases: [string, number[]][] = [];
    for (const dtype of ['float32', 'int32', 'bool']) for (const shape of [[], [1], [2], [1, 2], [2, 1], [12], [1, 2, 3], [256, 784], [255, 784]]) cases.push([dtype, shape]);
    // Twice round, in an order that evicts remembered keys between repeats.
    for (let r = 0; r < 2; r++) for (const [dtype, shape] of cases) expect(typedShapeKey(dtype, shape)).toBe(`${dtype}[${shape.join(',')}]`);
  });

  it('a shape array changed after it was keyed does not change the remembered key', () => {
    const shape = [4, 5];
    expect(typedShapeKey('float32', shape)).toBe('float32[4,5]');
    shape[1] = 6;
    expect(typedShapeKey('float32', shape)).toBe('float32[4,6]');
    expect(typedShapeKey('float32', [4, 5])).toBe('float32[4,5]');
  });
});
