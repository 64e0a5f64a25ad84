import { ShapeError } from '../../errors.js';
import { toTensor, type TensorLike } from '../creation.js';
import type { Tensor } from '../../tensor/tensor.js';
import { gather } from '../primitives/indexing.js';
import { permutation } from '../primitives/random.js';
import { optionsOnly } from '../tfjs-positional.js';

/**
 * `x` with its slices along axis 0 in a random order, like tf.random.shuffle: the global
 * generator's next permutation, or the one an op-level `seed` fixes.
 */
export function shuffle(x: TensorLike, opts?: { seed?: number }): Tensor;
export function shuffle(x: TensorLike, ...args: unknown[]): Tensor {
  const opts = optionsOnly<{ seed?: number }>('random.shuffle', args, 'random.shuffle(x, { seed })');
  const t = toTensor(x, 'random.shuffle');
  if (t.rank === 0) throw new ShapeError('random.shuffle: expected a tensor of rank >= 1, got a scalar');
  return gather(t, permutation(t.shape[0]!, opts));
}
