import type { Layout } from '../backends/backend.js';
import { stridesOf, type Shape } from './shape.js';

export type { Layout };

export function contiguousLayout(shape: Shape, offset = 0): Layout {
  return { shape: [...shape], strides: stridesOf(shape), offset };
}

/** Row-major contiguous (dims of size 1 may carry any stride). */
export function isContiguous(l: Layout): boolean {
  let expected = 1;
  for (let i = l.shape.length - 1; i >= 0; i--) {
    const d = l.shape[i]!;
    if (d === 1) continue;
    if (d === 0) return true;
    if (l.strides[i] !== expected) return false;
    expected *= d;
  }
  return true;
}

/**
 * Strides for viewing `l` as `shape` without a copy, or null when a copy is needed.
 * Handles contiguous layouts and any reshape that only adds or removes size-1 dims.
 */
export function reshapeStrides(l: Layout, shape: Shape): number[] | null {
  if (isContiguous(l)) return stridesOf(shape);
  const kept = l.shape.map((d, i) => [d, l.strides[i]!] as const).filter(([d]) => d !== 1);
  const target = shape.filter((d) => d !== 1);
  if (kept.length !== target.length || kept.some(([d], i) => d !== target[i])) return null;
  const out: number[] = [];
  let k = 0;
  for (const d of shape) {
    if (d === 1) out.push(0);
    else out.push(kept[k++]![1]);
  }
  return out;
}

/** Visit every element's buffer offset in row-major order. */
export function forEachOffset(l: Layout, fn: (offset: number, i: number) => void): void {
  const rank = l.shape.length;
  const n = l.shape.reduce((a, b) => a * b, 1);
  if (n === 0) return;
  const idx = new Array<number>(rank).fill(0);
  let off = l.offset;
  for (let i = 0; i < n; i++) {
    fn(off, i);
    for (let ax = rank - 1; ax >= 0; ax--) {
      idx[ax]!++;
      off += l.strides[ax]!;
      if (idx[ax]! < l.shape[ax]!) break;
      off -= l.strides[ax]! * l.shape[ax]!;
      idx[ax] = 0;
    }
  }
}
