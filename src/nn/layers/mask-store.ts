// Keras masks: a [batch, steps] bool tensor riding along with a tensor, saying which timesteps are
// real (not padding). Kept beside the tensor, not in it, so tensors stay plain.
import type { Tensor } from '../../tensor/tensor.js';

const masks = new WeakMap<Tensor, Tensor>();

/** The mask attached to `t` by the layer that produced it, if any. */
export function getMask(t: Tensor): Tensor | null {
  return masks.get(t) ?? null;
}

export function setMask(t: Tensor, mask: Tensor | null): void {
  if (mask) masks.set(t, mask);
  else masks.delete(t);
}
