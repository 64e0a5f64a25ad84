import type { Backend } from '../backends/backend.js';
import type { DType } from './dtype.js';

/**
 * A device buffer shared by a tensor and its views. Counted so that `dispose()` on the last
 * view releases device memory; CPU buffers are garbage-collected either way.
 */
export class Storage {
  refs = 0;
  released = false;
  constructor(
    readonly backend: Backend,
    readonly handle: unknown,
    readonly dtype: DType,
    readonly size: number,
  ) {}
}
