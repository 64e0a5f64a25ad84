import { engine } from '../engine/engine.js';
import type { Tensor } from '../tensor/tensor.js';
import type { OpDef } from './define-op.js';

/** Run a primitive; all ops go through here (and so through tapes and the jit tracer). */
export function run<A>(op: OpDef<A>, inputs: readonly Tensor[], attrs: A): Tensor[] {
  return engine.runOp(op, inputs, attrs);
}

/** Run a single-output primitive. */
export function run1<A>(op: OpDef<A>, inputs: readonly Tensor[], attrs: A): Tensor {
  return engine.runOp(op, inputs, attrs)[0]!;
}

export const NO_ATTRS: Record<string, never> = Object.freeze({}) as Record<string, never>;
