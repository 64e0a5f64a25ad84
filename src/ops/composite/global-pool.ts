import { ShapeError, fmtShape } from '../../errors.js';
import { toTensor, type TensorLike } from '../creation.js';
import type { Tensor } from '../../tensor/tensor.js';
import { max } from '../primitives/reduce.js';
import { mean } from './math.js';
import { declareOp } from '../surface.js';

/** The spatial axes of a channels-last tensor: [1] for [n, w, c], [1, 2] for [n, h, w, c], [1, 2, 3] for [n, d, h, w, c]. */
function spatialAxes(op: string, t: Tensor): number[] {
  if (t.rank < 3 || t.rank > 5) {
    throw new ShapeError(`${op}: expected a channels-last tensor [batch, ...spatial, channels] of rank 3 to 5, got shape ${fmtShape(t.shape)}`);
  }
  return Array.from({ length: t.rank - 2 }, (_, i) => i + 1);
}

/** Mean over all spatial positions of a channels-last tensor: [n, ..., c] -> [n, c] (or [n, 1, .., c] with keepDims). */
export function globalAvgPool(x: TensorLike, opts: { keepDims?: boolean } = {}): Tensor {
  const t = toTensor(x, 'globalAvgPool');
  return mean(t, { axis: spatialAxes('globalAvgPool', t), keepDims: opts.keepDims ?? false });
}

/** Max over all spatial positions of a channels-last tensor: [n, ..., c] -> [n, c] (or [n, 1, .., c] with keepDims). */
export function globalMaxPool(x: TensorLike, opts: { keepDims?: boolean } = {}): Tensor {
  const t = toTensor(x, 'globalMaxPool');
  return max(t, { axis: spatialAxes('globalMaxPool', t), keepDims: opts.keepDims ?? false });
}

// The public surface of these ops (src/ops/surface.ts).
declareOp(globalAvgPool, { nn: 'only' });
declareOp(globalMaxPool, { nn: 'only' });
