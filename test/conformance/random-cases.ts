// Seeded random shapes and plain nested-loop references, for cross-checking the broadcasting,
// reduction, matmul and slicing machinery on many shapes at once (independent of nabla's code).
import * as nb from '../../src/index.js';

/** A small deterministic generator (LCG) so failures reproduce. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 1;
  }
  next(): number {
    this.s = (Math.imul(this.s, 1664525) + 1013904223) >>> 0;
    return this.s / 4294967296;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  bool(p = 0.5): boolean {
    return this.next() < p;
  }
  values(n: number): number[] {
    return Array.from({ length: n }, () => Math.round((this.next() * 8 - 4) * 4) / 4);
  }
}

export const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Row-major multi-index of flat index `i`. */
export function unravel(i: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = i % shape[d]!;
    i = Math.floor(i / shape[d]!);
  }
  return idx;
}

export function ravel(idx: readonly number[], shape: readonly number[]): number {
  let i = 0;
  for (let d = 0; d < shape.length; d++) i = i * shape[d]! + idx[d]!;
  return i;
}

/** A tensor with its values readable by multi-index, built either contiguous or as a transposed view. */
export interface Operand {
  tensor: nb.Tensor;
  at(idx: readonly number[]): number;
}

export function operand(rng: Rng, shape: number[], dtype: nb.DType = 'float64'): Operand {
  const vals = rng.values(sizeOf(shape));
  if (shape.length >= 2 && rng.bool()) {
    // Stored reversed and viewed through transpose(): a strided input.
    const rev = [...shape].reverse();
    const tensor = nb.tensor(vals, rev, dtype).transpose();
    return { tensor, at: (idx) => vals[ravel([...idx].reverse(), rev)]! };
  }
  return { tensor: nb.tensor(vals, shape, dtype), at: (idx) => vals[ravel(idx, shape)]! };
}

/** Random shape of rank 0..maxRank with dims 0..maxDim (0 rarely). */
export function randomShape(rng: Rng, maxRank = 4, maxDim = 3): number[] {
  return Array.from({ length: rng.int(0, maxRank) }, () => (rng.bool(0.08) ? 0 : rng.int(1, maxDim)));
}

/** A shape that broadcasts with `shape`: a suffix of it, with some dims set to 1. */
export function broadcastPartner(rng: Rng, shape: number[]): number[] {
  const keep = rng.int(0, shape.length);
  return shape.slice(shape.length - keep).map((d) => (rng.bool(0.3) ? 1 : d));
}
