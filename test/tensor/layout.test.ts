import { describe, it, expect } from 'vitest';
import { contiguousLayout, forEachOffset, isContiguous, reshapeStrides } from '../../src/tensor/layout.js';

const offsets = (l: Parameters<typeof forEachOffset>[0]) => {
  const out: number[] = [];
  forEachOffset(l, (off) => out.push(off));
  return out;
};

describe('layouts', () => {
  it('contiguous layouts and the contiguity test', () => {
    expect(contiguousLayout([2, 3])).toEqual({ shape: [2, 3], strides: [3, 1], offset: 0 });
    expect(contiguousLayout([4], 5).offset).toBe(5);
    expect(isContiguous({ shape: [2, 3], strides: [3, 1], offset: 7 })).toBe(true);
    // a transpose is not contiguous; size-1 dims may carry any stride
    expect(isContiguous({ shape: [3, 2], strides: [1, 3], offset: 0 })).toBe(false);
    expect(isContiguous({ shape: [1, 3], strides: [99, 1], offset: 0 })).toBe(true);
    // broadcast (stride 0) and stepped views are not contiguous
    expect(isContiguous({ shape: [2, 3], strides: [0, 1], offset: 0 })).toBe(false);
    expect(isContiguous({ shape: [3], strides: [2], offset: 0 })).toBe(false);
    expect(isContiguous({ shape: [3], strides: [-1], offset: 2 })).toBe(false);
    expect(isContiguous({ shape: [2, 0], strides: [5, 7], offset: 0 })).toBe(true);
    expect(isContiguous({ shape: [], strides: [], offset: 3 })).toBe(true);
  });

  it('forEachOffset walks row-major over any strides, negative included', () => {
    expect(offsets({ shape: [2, 3], strides: [3, 1], offset: 0 })).toEqual([0, 1, 2, 3, 4, 5]);
    expect(offsets({ shape: [3, 2], strides: [1, 3], offset: 0 })).toEqual([0, 3, 1, 4, 2, 5]);
    expect(offsets({ shape: [3], strides: [-2], offset: 5 })).toEqual([5, 3, 1]);
    expect(offsets({ shape: [2, 2], strides: [0, 1], offset: 1 })).toEqual([1, 2, 1, 2]);
    expect(offsets({ shape: [], strides: [], offset: 4 })).toEqual([4]);
    expect(offsets({ shape: [2, 0], strides: [1, 1], offset: 0 })).toEqual([]);
  });

  it('reshapeStrides: free for contiguous layouts and for adding/removing size-1 dims', () => {
    expect(reshapeStrides({ shape: [2, 3], strides: [3, 1], offset: 0 }, [3, 2])).toEqual([2, 1]);
    // transposed [3, 2] viewed as [3, 1, 2] keeps its strides, size-1 dims get 0
    expect(reshapeStrides({ shape: [3, 2], strides: [1, 3], offset: 0 }, [3, 1, 2])).toEqual([1, 0, 3]);
    expect(reshapeStrides({ shape: [3, 1, 2], strides: [1, 9, 3], offset: 0 }, [3, 2])).toEqual([1, 3]);
    // merging non-contiguous dims needs a copy
    expect(reshapeStrides({ shape: [3, 2], strides: [1, 3], offset: 0 }, [6])).toBeNull();
    expect(reshapeStrides({ shape: [3, 2], strides: [1, 3], offset: 0 }, [2, 3])).toBeNull();
  });
});
