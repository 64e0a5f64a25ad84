import { describe, it, expect } from 'vitest';
import { ShapeError } from '../../src/errors.js';
import {
  broadcastShapes,
  broadcastedAxes,
  inferReshape,
  normalizeAxes,
  normalizeAxis,
  shapesEqual,
  sizeOf,
  stridesOf,
} from '../../src/tensor/shape.js';

describe('shape helpers', () => {
  it('sizeOf and stridesOf', () => {
    expect(sizeOf([])).toBe(1);
    expect(sizeOf([2, 3, 4])).toBe(24);
    expect(sizeOf([2, 0, 4])).toBe(0);
    expect(stridesOf([2, 3, 4])).toEqual([12, 4, 1]);
    expect(stridesOf([])).toEqual([]);
    expect(shapesEqual([2, 3], [2, 3])).toBe(true);
    expect(shapesEqual([2, 3], [3, 2])).toBe(false);
    expect(shapesEqual([2], [2, 1])).toBe(false);
  });

  it('broadcastShapes follows numpy', () => {
    expect(broadcastShapes('op', [2, 3], [3])).toEqual([2, 3]);
    expect(broadcastShapes('op', [2, 1], [1, 3])).toEqual([2, 3]);
    expect(broadcastShapes('op', [], [4])).toEqual([4]);
    expect(broadcastShapes('op', [5, 1, 3], [4, 1])).toEqual([5, 4, 3]);
    expect(broadcastShapes('op', [0, 3], [1, 3])).toEqual([0, 3]);
    expect(broadcastShapes('op', [1], [0])).toEqual([0]);
    expect(() => broadcastShapes('add', [2, 3], [2])).toThrow(ShapeError);
    expect(() => broadcastShapes('add', [0], [2])).toThrow(/add: shapes \[0\] and \[2\] cannot be broadcast together \(dimension 0: 0 vs 2\)/);
  });

  it('normalizeAxis counts negatives from the end and rejects the rest', () => {
    expect(normalizeAxis('op', -1, 3)).toBe(2);
    expect(normalizeAxis('op', 0, 3)).toBe(0);
    expect(normalizeAxis('op', -3, 3)).toBe(0);
    expect(() => normalizeAxis('op', 3, 3)).toThrow(ShapeError);
    expect(() => normalizeAxis('op', -4, 3)).toThrow(ShapeError);
    expect(() => normalizeAxis('op', 0, 0)).toThrow(/op: axis 0 is out of range for a tensor of rank 0/);
    expect(() => normalizeAxis('op', 0.5, 2)).toThrow(ShapeError);
  });

  it('normalizeAxes: all by default, sorted, duplicates raise', () => {
    expect(normalizeAxes('op', undefined, 3)).toEqual([0, 1, 2]);
    expect(normalizeAxes('op', null, 0)).toEqual([]);
    expect(normalizeAxes('op', [-1, 0], 3)).toEqual([0, 2]);
    expect(normalizeAxes('op', 1, 3)).toEqual([1]);
    expect(normalizeAxes('op', [], 3)).toEqual([]);
    expect(() => normalizeAxes('sum', [1, -2], 3)).toThrow(/sum: repeated axis in \[1,-2\]/);
  });

  it('inferReshape resolves one -1 and checks sizes', () => {
    expect(inferReshape('reshape', [2, 3], [-1])).toEqual([6]);
    expect(inferReshape('reshape', [2, 3], [3, -1])).toEqual([3, 2]);
    expect(inferReshape('reshape', [0, 3], [-1, 3])).toEqual([0, 3]);
    expect(inferReshape('reshape', [], [1, 1])).toEqual([1, 1]);
    expect(() => inferReshape('reshape', [2, 3], [4, -1])).toThrow(ShapeError);
    expect(() => inferReshape('reshape', [2, 3], [-1, -1])).toThrow(ShapeError);
    expect(() => inferReshape('reshape', [2, 3], [7])).toThrow(/6 elements.*7 elements/);
    expect(() => inferReshape('reshape', [0], [0, -1])).toThrow(ShapeError);
  });

  it('broadcastedAxes lists the axes a gradient must be summed over', () => {
    expect(broadcastedAxes([3], [2, 3])).toEqual([0]);
    expect(broadcastedAxes([2, 1], [2, 3])).toEqual([1]);
    expect(broadcastedAxes([], [2, 3])).toEqual([0, 1]);
    expect(broadcastedAxes([1, 3], [4, 2, 3])).toEqual([0, 1]);
    expect(broadcastedAxes([2, 3], [2, 3])).toEqual([]);
    expect(broadcastedAxes([1], [1])).toEqual([]);
  });
});
