// The js backend's reduction plan (base offset per output, offsets of the reduced elements) on
// shapes of more than 2^31 elements. Offsets were Int32Array, so past 2^31 they wrapped negative
// and a sum read `undefined` (the sum of a 3 * 2^30-element tensor came out 0). The plans here
// are for such shapes but only hold 2^20 + 2^12 offsets, so no 8 GiB tensor is needed.
import { describe, expect, it } from 'vitest';
import { offsetArray, reductionPlan } from '../../src/ops/loops.js';

const M = 2 ** 20;
const K = 2 ** 12;

/** The index of the first element where `got[i] !== f(i)`, or -1. */
function firstMismatch(got: ArrayLike<number>, f: (i: number) => number): number {
  for (let i = 0; i < got.length; i++) if (got[i] !== f(i)) return i;
  return -1;
}

describe('reductionPlan past 2^31 elements', () => {
  it(`[${M}, ${K}] summed over axis 1: the base offsets reach (2^20 - 1) * 2^12 = 4294963200`, () => {
    const { base, red } = reductionPlan([M, K], [1]);
    expect(base.length).toBe(M);
    expect(red.length).toBe(K);
    expect(base[M - 1]).toBe((M - 1) * K);
    expect(firstMismatch(base, (o) => o * K)).toBe(-1);
    expect(firstMismatch(red, (r) => r)).toBe(-1);
  });

  it(`[${K}, ${M}] summed over axis 0: the reduced offsets reach (2^12 - 1) * 2^20 = 4293918720`, () => {
    const { base, red } = reductionPlan([K, M], [0]);
    expect(red[K - 1]).toBe((K - 1) * M);
    expect(firstMismatch(red, (r) => r * M)).toBe(-1);
    expect(firstMismatch(base, (o) => o)).toBe(-1);
  });

  it('[2, 2^20, 2^11] over axes 0 and 2: offsets combine strides of both reduced axes', () => {
    const [a, b, c] = [2, M, 2 ** 11];
    const { base, red } = reductionPlan([a, b, c], [0, 2]);
    expect(base.length).toBe(b);
    expect(red.length).toBe(a * c);
    expect(firstMismatch(base, (o) => o * c)).toBe(-1);
    // Reduced elements in row-major order of (axis 0, axis 2): i * (b * c) + k.
    expect(firstMismatch(red, (r) => Math.floor(r / c) * b * c + (r % c))).toBe(-1);
    expect(red[red.length - 1]).toBe(b * c + c - 1);
  });

  it('offsets stay Int32Array while they fit and become Float64Array from 2^31 on', () => {
    expect(offsetArray(4, 2 ** 31 - 1)).toBeInstanceOf(Int32Array);
    expect(offsetArray(4, 2 ** 31)).toBeInstanceOf(Float64Array);
    expect(reductionPlan([3, 4], [1]).base).toBeInstanceOf(Int32Array);
    expect(reductionPlan([M, K], [1]).base).toBeInstanceOf(Float64Array);
    expect(reductionPlan([M, K], [1]).red).toBeInstanceOf(Int32Array);
  });
});
