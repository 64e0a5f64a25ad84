import { ShapeError, fmtShape } from '../../errors.js';
import { toTensor, type TensorLike } from '../creation.js';
import type { Tensor } from '../../tensor/tensor.js';
import { max } from '../primitives/reduce.js';
import { mean } from './math.js';
import { declareOp } from '../surface.js';
import { isChannelsFirst, type DataFormat } from '../primitives/channels-first.js';

/** Options of the global pooling ops. */
export interface GlobalPoolOptions {
  /** Keep the pooled axes as size 1 (default false). */
  keepDims?: boolean;
  /** 'channelsLast' (default: [n, ...spatial, c]) or 'channelsFirst' ([n, c, ...spatial]). */
  dataFormat?: DataFormat;
}

/** The spatial axes: [1] for [n, w, c], [1, 2] for [n, h, w, c], [1, 2, 3] for [n, d, h, w, c]; channels first, from axis 2. */
function spatialAxes(op: string, t: Tensor, dataFormat: unknown): number[] {
  const first = isChannelsFirst(op, dataFormat);
  if (t.rank < 3 || t.rank > 5) {
    const layout = first ? '[batch, channels, ...spatial]' : '[batch, ...spatial, channels]';
    throw new ShapeError(`${op}: expected a tensor ${layout} of rank 3 to 5, got shape ${fmtShape(t.shape)}`);
  }
  return Array.from({ length: t.rank - 2 }, (_, i) => i + (first ? 2 : 1));
}

/** Mean over all spatial positions: [n, ..., c] -> [n, c] (or [n, 1, .., c] with keepDims); channels first [n, c, ...] likewise. */
export function globalAvgPool(x: TensorLike, opts: GlobalPoolOptions = {}): Tensor {
  const t = toTensor(x, 'globalAvgPool');
  return mean(t, { axis: spatialAxes('globalAvgPool', t, opts.dataFormat), keepDims: opts.keepDims ?? false });
}

/** Max over all spatial positions: [n, ..., c] -> [n, c] (or [n, 1, .., c] with keepDims); channels first [n, c, ...] likewise. */
export function globalMaxPool(x: TensorLike, opts: GlobalPoolOptions = {}): Tensor {
  const t = toTensor(x, 'globalMaxPool');
  return max(t, { axis: spatialAxes('globalMaxPool', t, opts.dataFormat), keepDims: opts.keepDims ?? false });
}

// The public surface of these ops (src/ops/surface.ts).
declareOp(globalAvgPool, { nn: 'only' });
declareOp(globalMaxPool, { nn: 'only' });
