// Bad input reaching the convPool kernel entry directly (bypassing the jit pass, which only makes
// well-formed calls) raises an error naming fusedConvPool and what was wrong, never a crash: a pool
// that does not read the conv's output, an unknown pool mode, a conv output size that does not
// follow from the input, lengths that disagree with the geometry, mixed dtypes.
import { describe, expect, it } from 'vitest';
import type { NativeAddon } from '../../src/backends/native/load-addon.js';
import { addonsUnderTest } from './addons-under-test.js';

describe.each(addonsUnderTest())('$name convPool entry: bad input raises, the process survives', ({ load }) => {
  const addon: NativeAddon = load();
  const args = new Float64Array(64);
  // 2 images of 6x6x1, a 3x3 conv to 4 channels (4x4 out), a 2x2/2 pool (2x2 out).
  const conv = [2, 6, 6, 1, 3, 3, 1, 4, 4, 4, 1, 1, 1, 1, 0, 0, 0, 0, 1];
  const pool = [2, 4, 4, 4, 2, 2, 2, 2, 2, 2, 0, 0, 0, 0];
  const call = (c: number[], p: number[], mode: number, arrays: { x?: Float32Array; out?: Float32Array | Float64Array } = {}) => {
    args.fill(0);
    args.set([...c, ...p, mode, 1]);
    addon.setArgs(args);
    const out = arrays.out ?? new Float32Array(32);
    addon.convPool!(-1, arrays.x ?? new Float32Array(72).fill(1), new Float32Array(36).fill(0.5), new Float32Array(4).fill(-1), out);
    return out;
  };
  const at = (list: number[], i: number, v: number) => list.map((x, j) => (j === i ? v : x));

  it('a well-formed call computes the pooled conv (all ones through a filter of halves, minus 1: 3.5)', () => {
    expect(Array.from(call(conv, pool, 0))).toEqual(new Array(32).fill(3.5));
    expect(Array.from(call(conv, pool, 3))).toEqual(new Array(32).fill(3.5));
  });

  it('names the mismatch', () => {
    expect(() => call(conv, at(pool, 1, 5), 0)).toThrow(/fusedConvPool: the pool's input 2x5x4x4 is not the conv's output 2x4x4x4/);
    expect(() => call(conv, pool, 1)).toThrow(/fusedConvPool: pool mode must be max \(0\) or avg \(3\), got 1/);
    expect(() => call(at(conv, 8, 5), at(pool, 1, 5), 0)).toThrow(/fusedConvPool: conv output size 5x4 does not follow from input 6x6/);
    expect(() => call(at(conv, 10, 0), pool, 0)).toThrow(/fusedConvPool: conv strides and dilations must be >= 1/);
    expect(() => call(at(conv, 0, -1), pool, 0)).toThrow(/fusedConvPool: conv geometry value -1 out of range/);
    expect(() => call(conv, pool, 0, { x: new Float32Array(71) })).toThrow(/fusedConvPool.*input.*71/);
    expect(() => call(conv, pool, 0, { out: new Float32Array(31) })).toThrow(/fusedConvPool.*output.*31/);
    expect(() => call(conv, pool, 0, { out: new Float64Array(32) })).toThrow(/fusedConvPool: expected arrays of one dtype, got float32 and float64/);
    expect(() => call(conv, at(pool, 4, 3), 0, { out: new Float32Array(2 * 3 * 2 * 4) })).toThrow(/pool2d/);
  });
});
