// vmap of a channels-first convolution whose filter is batched too: the batch joins the channel
// axis (axis 1) as B groups, the channels-first twin of batchIntoChannels in ops/batch-rules.ts.
import type { Tensor } from '../../tensor/tensor.js';
import { reshape, transpose } from './shape.js';

/** [B, n, c, h, w] to [n, B * c, h, w]. */
export function batchIntoChannelsFirst(xb: Tensor): Tensor {
  const [b, n, c, h, w] = xb.shape as [number, number, number, number, number];
  return reshape(transpose(xb, [1, 0, 2, 3, 4]), [n, b * c, h, w]);
}

/** [n, B * o, h, w] back to [n, B, o, h, w] (batched on axis 1). */
export function channelsFirstToBatch(y: Tensor, size: number): Tensor {
  const [n, bo, h, w] = y.shape as [number, number, number, number];
  return reshape(y, [n, size, bo / size, h, w]);
}
