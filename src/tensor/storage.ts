import type { Backend } from '../backends/backend.js';
import type { MemoryGroup } from '../engine/memory.js';
import type { DType } from './dtype.js';

/**
 * A device buffer shared by a tensor and its views. Counted so that `dispose()` on the last
 * view releases device memory; CPU buffers are garbage-collected either way.
 */
export class Storage {
  /** Tensors over this buffer that were not disposed. */
  refs = 0;
  /** @internal 1 while the first of them is counted in `group` (views are counted apart). */
  ownerCounted = 0;
  released = false;
  /** Bytes the buffer holds, measured once when it is allocated. */
  bytes = 0;
  /** @internal The accounting group of `engine/memory.ts`; set when the engine allocates the storage. */
  group: MemoryGroup | undefined = undefined;

  constructor(
    readonly backend: Backend,
    readonly handle: unknown,
    readonly dtype: DType,
    readonly size: number,
  ) {}
}
