import { ShapeError, ValueError, fmtShape } from '../../errors.js';
import { isFloat } from '../../tensor/dtype.js';
import { broadcastShapes, shapesEqual } from '../../tensor/shape.js';
import { toTensor, type TensorLike } from '../creation.js';
import type { Tensor } from '../../tensor/tensor.js';
import { mul } from '../primitives/binary.js';
import { cast } from '../primitives/cast.js';
import { greaterEqual } from '../primitives/compare.js';
import { uniform } from '../primitives/random.js';
import { declareOp } from '../surface.js';
import { optionsOnly, positional } from '../tfjs-positional.js';

/** Options of {@link dropout}. */
export interface DropoutOptions {
  /** Op-level seed: the same seed drops the same elements. Otherwise the global generator (nb.random.seed). */
  seed?: number;
  /** Shape of the keep/drop mask, broadcast against x (e.g. [batch, 1, 1, channels] to drop whole channels). */
  noiseShape?: readonly number[];
}

/**
 * Zero each element with probability `rate` and scale the kept ones by 1 / (1 - rate), so the
 * expected value is unchanged (like tf.nn.dropout). `rate` 0 returns x itself.
 */
export function dropout(x: TensorLike, rate: number, opts?: DropoutOptions): Tensor;
/** TF.js's positional form: `noiseShape, seed`. */
export function dropout(x: TensorLike, rate: number, noiseShape: readonly number[] | undefined, seed?: number): Tensor;
export function dropout(x: TensorLike, rate: number, ...args: unknown[]): Tensor {
  const form = 'nn.dropout(x, rate, { noiseShape, seed })';
  const opts: DropoutOptions =
    Array.isArray(args[0]) || (args[0] === undefined && args.length > 1) ? positional(args, ['noiseShape', 'seed'], 'dropout', form) : optionsOnly('dropout', args, form);
  const t = toTensor(x, 'dropout');
  if (!isFloat(t.dtype)) throw new ValueError(`dropout: expected a float tensor, got ${t.dtype}`);
  if (typeof rate !== 'number' || !(rate >= 0 && rate < 1)) throw new ValueError(`dropout: rate must be a number in [0, 1), got ${rate}`);
  const noiseShape = opts.noiseShape ?? t.shape;
  if (!shapesEqual(broadcastShapes('dropout', noiseShape, t.shape), t.shape)) {
    throw new ShapeError(`dropout: noiseShape ${fmtShape(noiseShape)} does not broadcast to the shape of x ${fmtShape(t.shape)}`);
  }
  if (rate === 0) return t;
  const keep = greaterEqual(uniform(noiseShape, { dtype: t.dtype, seed: opts.seed }), rate);
  return mul(t, mul(cast(keep, t.dtype), 1 / (1 - rate)));
}

// The public surface of these ops (src/ops/surface.ts).
declareOp(dropout, { nn: 'only' });
