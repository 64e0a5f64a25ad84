// The op the jit's softmax pass (passes/softmax-rows.ts) makes of the composed softmax over the
// last axis of an inference graph (max, the shift, sub, exp, sum, div): on native and wasm one
// kernel (native/src/softmax-rows.h) runs the six steps a block of rows at a time, with each
// step's rounding, so its bits are the composed ops'. The reference repeats those steps per row.
import type { DType, TypedArray } from '../tensor/dtype.js';
import { allocArray } from '../tensor/dtype.js';
import { defineOp, type OpDef } from '../ops/define-op.js';
import { run } from '../ops/run.js';
import { softmax } from '../ops/composite/activations.js';

export interface SoftmaxRowsAttrs {
  readonly shape: readonly number[];
  readonly dtype: DType;
}

/** softmax over each row of `cols` elements, rounding as the composed float32 or float64 ops do. */
export function softmaxRowsReference(x: ArrayLike<number>, cols: number, dtype: DType): TypedArray {
  const out = allocArray(dtype, x.length);
  const round = dtype === 'float32' ? Math.fround : (v: number) => v;
  for (let r = 0; r + cols <= x.length; r += cols) {
    // reduce max: NaN wins.
    let m = -Infinity;
    for (let j = 0; j < cols; j++) {
      const v = x[r + j]!;
      if (v > m || v !== v) m = v;
    }
    const shift = m > -Infinity ? m : 0;
    let total = 0;
    for (let j = 0; j < cols; j++) {
      const e = round(Math.exp(round(x[r + j]! - shift)));
      out[r + j] = e;
      total += e;
    }
    const t = round(total);
    for (let j = 0; j < cols; j++) out[r + j] = round(out[r + j]! / t);
  }
  return out;
}

export const softmaxRowsOp: OpDef<SoftmaxRowsAttrs> = defineOp<SoftmaxRowsAttrs>({
  name: 'softmaxRows',
  infer: (_inputs, { shape, dtype }) => [{ shape, dtype }],
  ref: ([x], attrs) => [softmaxRowsReference(x!.data, attrs.shape[attrs.shape.length - 1]!, attrs.dtype)],
  // The composed softmax over the unbatched last axis (the batch axis may have become the last one).
  batch: (inputs, axes, attrs) => {
    const b = axes[0];
    if (b === null || b === undefined) return { outputs: run(softmaxRowsOp, inputs, attrs), axes: [null] };
    const rank = attrs.shape.length + 1;
    return { outputs: [softmax(inputs[0]!, b === rank - 1 ? rank - 2 : rank - 1)], axes: [b] };
  },
});

/** Ops of the softmax pass, by name (only backends with the kernel get the pass). */
export const SOFTMAX_ROWS_OPS = { softmaxRows: softmaxRowsOp };
