import { describe, it, expect } from 'vitest';
import { DTypeError } from '../../src/errors.js';
import { assertDType, castScalar, convertArray, dtypeOfArray, isFloat, promote, allocArray, bytesPerElement } from '../../src/tensor/dtype.js';

describe('dtypes', () => {
  it('promotion order bool < int32 < float32 < float64, symmetric', () => {
    const order = ['bool', 'int32', 'float32', 'float64'] as const;
    order.forEach((a, i) =>
      order.forEach((b, j) => {
        expect(promote(a, b)).toBe(order[Math.max(i, j)]);
      }),
    );
  });

  it('storage types and sizes', () => {
    expect(allocArray('float32', 2)).toBeInstanceOf(Float32Array);
    expect(allocArray('float64', 2)).toBeInstanceOf(Float64Array);
    expect(allocArray('int32', 2)).toBeInstanceOf(Int32Array);
    expect(allocArray('bool', 2)).toBeInstanceOf(Uint8Array);
    expect([bytesPerElement('float32'), bytesPerElement('float64'), bytesPerElement('int32'), bytesPerElement('bool')]).toEqual([4, 8, 4, 1]);
    expect(isFloat('float64')).toBe(true);
    expect(isFloat('int32')).toBe(false);
    expect(assertDType('int32', 'op')).toBe('int32');
    expect(() => assertDType('float16', 'cast')).toThrow(DTypeError);
    expect(() => assertDType('float16', 'cast')).toThrow(/cast: unknown dtype 'float16'; expected one of float32, float64, int32, bool/);
  });

  it('typed arrays map to the dtype that holds their values', () => {
    expect(dtypeOfArray(new Float32Array(1))).toBe('float32');
    expect(dtypeOfArray(new Float64Array(1))).toBe('float64');
    expect(dtypeOfArray(new Int32Array(1))).toBe('int32');
    expect(dtypeOfArray(new Uint8Array(1))).toBe('int32');
    expect(dtypeOfArray(new Uint8ClampedArray(1))).toBe('int32');
    expect(dtypeOfArray(new Int16Array(1))).toBe('int32');
    expect(dtypeOfArray(new BigInt64Array(1))).toBe('float64');
  });

  it('castScalar: truncation toward zero, saturation, NaN rules', () => {
    expect(castScalar(2.9, 'int32')).toBe(2);
    expect(castScalar(-2.9, 'int32')).toBe(-2);
    expect(castScalar(1e10, 'int32')).toBe(2147483647);
    expect(castScalar(-1e10, 'int32')).toBe(-2147483648);
    expect(castScalar(NaN, 'int32')).toBe(0);
    expect(castScalar(NaN, 'bool')).toBe(1);
    expect(castScalar(-0, 'bool')).toBe(0);
    expect(castScalar(0.1, 'float32')).toBe(Math.fround(0.1));
    expect(castScalar(0.1, 'float64')).toBe(0.1);
  });

  it('convertArray casts every element into a fresh array', () => {
    const src = [1.5, -1.5, 0];
    expect(Array.from(convertArray(src, 'int32'))).toEqual([1, -1, 0]);
    expect(Array.from(convertArray(src, 'bool'))).toEqual([1, 1, 0]);
    expect(Array.from(convertArray(new BigInt64Array([5n, -7n]), 'float64'))).toEqual([5, -7]);
    const f = new Float32Array([1, 2]);
    const out = convertArray(f, 'float32');
    expect(out).not.toBe(f);
    expect(Array.from(out)).toEqual([1, 2]);
  });
});
