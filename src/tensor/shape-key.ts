// The part of a cache key one tensor contributes (its dtype and shape), as the jit's and the
// training steps' signatures spell it.
import type { Shape } from './shape.js';

const RECENT = 8;
const recentDtypes: string[] = [];
const recentShapes: Shape[] = [];
const recentKeys: string[] = [];
let next = 0;

/**
 * `float32[256,784]` for a float32 tensor of shape [256, 784]. A loop over batches asks for the
 * same few keys with fresh tensors every step, so the last few are remembered by value: building
 * the string (a join) costs more than comparing a handful of short shapes.
 */
export function typedShapeKey(dtype: string, shape: Shape): string {
  for (let i = 0; i < recentKeys.length; i++) {
    if (recentDtypes[i] !== dtype) continue;
    const s = recentShapes[i]!;
    if (s.length !== shape.length) continue;
    let same = true;
    for (let d = 0; d < s.length; d++) {
      if (s[d] !== shape[d]) {
        same = false;
        break;
      }
    }
    if (same) return recentKeys[i]!;
  }
  const key = `${dtype}[${shape.join(',')}]`;
  recentDtypes[next] = dtype;
  recentShapes[next] = shape.slice();
  recentKeys[next] = key;
  next = (next + 1) % RECENT;
  return key;
}
