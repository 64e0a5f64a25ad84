import { defineOp } from '../ops/define-op.js';

/**
 * Reading a variable while a tape records: a view of its current storage, recorded as an op so
 * that gradients (and gradients of gradients) flow to the variable, while `assign` (which swaps
 * storage) cannot change values a tape saved.
 */
export const readVariableOp = defineOp<Record<string, never>>({
  name: 'readVariable',
  linear: true,
  infer: ([x]) => [{ shape: x!.shape, dtype: x!.dtype }],
  view: (l) => l,
  grad: ([dy]) => [dy!],
  // A variable is one value for the whole batch; if a batched value ever reaches here, it is its own read.
  batch: ([x], [axis]) => ({ outputs: [x!], axes: [axis!] }),
});
