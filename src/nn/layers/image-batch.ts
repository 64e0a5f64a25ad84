import { ValueError } from '../../errors.js';
import { expandDims, squeeze } from '../../ops/primitives/shape.js';
import type { Tensor } from '../../tensor/tensor.js';

/** Runs `fn` on a batch [B, H, W, C]; an unbatched image [H, W, C] is processed as a batch of one, as Keras's image layers do. */
export function onImageBatch(where: string, x: Tensor, fn: (batch: Tensor) => Tensor): Tensor {
  if (x.rank === 4) return fn(x);
  if (x.rank === 3) return squeeze(fn(expandDims(x, 0)), [0]);
  throw new ValueError(`${where}: expected images [batch, height, width, channels] (or one [height, width, channels]), got shape [${x.shape.join(', ')}]`);
}
