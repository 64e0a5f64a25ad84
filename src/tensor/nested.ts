// Rectangular nested JS arrays <-> flat values and a shape: the reading of `[['a', 'b'], ['c', 'd']]`
// shared by StringTensor and the host-side preprocessing layers.
import { ShapeError, ValueError } from '../errors.js';

/** Flatten rectangular nested arrays whose leaves pass `isLeaf` (named in errors as `what`). */
export function flattenNested<T>(where: string, x: unknown, isLeaf: (v: unknown) => v is T, what: string): { values: T[]; shape: number[] } {
  const shape: number[] = [];
  for (let level: unknown = x; Array.isArray(level); level = level[0]) shape.push(level.length);
  const values: T[] = [];
  const walk = (v: unknown, depth: number, path: string): void => {
    if (depth === shape.length) {
      if (!isLeaf(v)) throw new ValueError(`${where}: expected ${what}, got ${JSON.stringify(v)} at ${path || 'the top'}`);
      values.push(v);
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[depth]) {
      throw new ShapeError(`${where}: the arrays must be rectangular: ${path || 'the top'} has ${Array.isArray(v) ? v.length : 'no'} items, expected ${shape[depth]}`);
    }
    v.forEach((item, i) => walk(item, depth + 1, `${path}[${i}]`));
  };
  walk(x, 0, '');
  return { values, shape };
}

/** Flat values as nested arrays of `shape` (the value itself for rank 0). */
export function nestFlat<T>(values: readonly T[], shape: readonly number[]): T | unknown[] {
  const build = (offset: number, dims: readonly number[]): T | unknown[] => {
    if (dims.length === 0) return values[offset]!;
    const step = dims.slice(1).reduce((a, b) => a * b, 1);
    return Array.from({ length: dims[0]! }, (_, i) => build(offset + i * step, dims.slice(1)));
  };
  return build(0, shape);
}
