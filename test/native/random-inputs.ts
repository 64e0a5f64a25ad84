// Seeded random inputs for comparing backends, with the awkward values kernels get wrong:
// NaN, infinities, signed zeros, exact halves (rounding), int32 extremes.
import type { DType, TypedArray } from '../../src/index.js';

/** A small deterministic generator (mulberry32). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FLOAT_SPECIALS = [NaN, Infinity, -Infinity, 0, -0, 0.5, -0.5, 1.5, 2.5, -2.5, 1, -1, 1e-30, 3e38];
const INT_SPECIALS = [0, 1, -1, 2, -2, 7, -7, 2147483647, -2147483648];

/** `n` values of `dtype`; with `specials`, about one in eight is an awkward value. */
export function randomArray(dtype: DType, n: number, seed: number, opts: { specials?: boolean; lo?: number; hi?: number } = {}): TypedArray {
  const r = rng(seed);
  const lo = opts.lo ?? -4;
  const hi = opts.hi ?? 4;
  const pick = (list: number[]) => list[Math.floor(r() * list.length)]!;
  switch (dtype) {
    case 'bool':
      return Uint8Array.from({ length: n }, () => (r() < 0.5 ? 1 : 0));
    case 'int32':
      return Int32Array.from({ length: n }, () => (opts.specials && r() < 0.125 ? pick(INT_SPECIALS) : Math.floor(lo * 4 + r() * (hi - lo) * 4)));
    default: {
      const out = dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = opts.specials && r() < 0.125 ? pick(FLOAT_SPECIALS) : lo + r() * (hi - lo);
      return out;
    }
  }
}
