import { reductionPlan } from '../loops.js';
import { DTypeError, ShapeError } from '../../errors.js';
import { allocArray, type TypedArray } from '../../tensor/dtype.js';
import { normalizeAxis } from '../../tensor/shape.js';
import { toTensor, type TensorLike } from '../creation.js';
import type { Tensor } from '../../tensor/tensor.js';
import { defineOp, type OpDef } from '../define-op.js';
import { run1 } from '../run.js';
import { div, mul } from './binary.js';
import { cast } from './cast.js';
import { declareOp } from '../surface.js';
import { batchOnFront } from '../batch-rules.js';
import { noMoreArguments } from '../tfjs-positional.js';

export interface ScanAttrs {
  /** Non-negative axis to scan along. */
  readonly axis: number;
  /** Each output excludes its own element (the first one is the identity). */
  readonly exclusive: boolean;
  /** Scan from the end of the axis towards its start. */
  readonly reverse: boolean;
}

function scanKernel(x: { data: TypedArray; shape: readonly number[] }, { axis, exclusive, reverse }: ScanAttrs, out: TypedArray, identity: number, step: (acc: number, v: number) => number): TypedArray {
  const { base, red } = reductionPlan(x.shape, [axis]);
  const n = red.length;
  const d = x.data;
  for (let o = 0; o < base.length; o++) {
    const b = base[o]!;
    let acc = identity;
    for (let r = 0; r < n; r++) {
      const off = b + red[reverse ? n - 1 - r : r]!;
      if (exclusive) {
        out[off] = acc;
        acc = step(acc, d[off]!);
      } else {
        acc = step(acc, d[off]!);
        out[off] = acc;
      }
    }
  }
  return out;
}

export const cumsumOp: OpDef<ScanAttrs> = defineOp<ScanAttrs>({
  name: 'cumsum',
  linear: true,
  infer: ([x]) => [{ shape: x!.shape, dtype: x!.dtype }],
  ref: ([x], attrs, [o]) => [scanKernel(x!, attrs, allocArray(o!.dtype, x!.data.length), 0, (a, v) => a + v)],
  // Each input feeds every output after it, so its gradient sums the outputs' gradients from the other end.
  grad: ([dy], { attrs }) => [run1(cumsumOp, [dy!], { ...attrs, reverse: !attrs.reverse })],
  batch: ([x], [a], attrs) => batchOnFront(cumsumOp, x!, a!, { ...attrs, axis: attrs.axis + 1 }),
});

export const cumprodOp: OpDef<ScanAttrs> = defineOp<ScanAttrs>({
  name: 'cumprod',
  infer: ([x]) => [{ shape: x!.shape, dtype: x!.dtype }],
  ref: ([x], attrs, [o]) => [scanKernel(x!, attrs, allocArray(o!.dtype, x!.data.length), 1, (a, v) => a * v)],
  // d y_i / d x_j = y_i / x_j for the outputs that include x_j (TensorFlow's rule: exact where x != 0).
  grad: ([dy], { inputs: [x], outputs: [y], attrs }) => [div(run1(cumsumOp, [mul(dy!, y!)], { ...attrs, reverse: !attrs.reverse }), x!)],
  batch: ([x], [a], attrs) => batchOnFront(cumprodOp, x!, a!, { ...attrs, axis: attrs.axis + 1 }),
});

/** Options of `cumsum`/`cumprod`: exclude each element from its own result, or scan from the end. */
export interface ScanOptions {
  exclusive?: boolean;
  reverse?: boolean;
}

function scan(op: OpDef<ScanAttrs>) {
  const form = `${op.name}(x, axis, { exclusive, reverse }) or ${op.name}(x, axis, exclusive, reverse)`;
  /** `exclusive, reverse` may also come positionally, as in TF.js. */
  return (x: TensorLike, axis: number | (ScanOptions & { axis?: number }) = 0, opts: ScanOptions | boolean = {}, reverse?: boolean, ...extra: never[]): Tensor => {
    noMoreArguments(op.name, extra, form);
    if (typeof axis === 'object') noMoreArguments(op.name, [typeof opts === 'object' && !Object.keys(opts).length ? undefined : opts, reverse], form);
    else if (typeof opts !== 'boolean') noMoreArguments(op.name, [reverse], form);
    const named: ScanOptions = typeof opts === 'boolean' ? { exclusive: opts, reverse } : opts;
    let t = toTensor(x, op.name);
    const o = typeof axis === 'number' ? { ...named, axis } : axis;
    if (t.rank === 0) throw new ShapeError(`${op.name}: expected a tensor of rank >= 1, got a scalar`);
    if (t.dtype === 'bool') {
      if (op === cumprodOp) throw new DTypeError('cumprod: expected a numeric tensor, got bool');
      t = cast(t, 'int32');
    }
    const ax = normalizeAxis(op.name, o.axis ?? 0, t.rank);
    return run1(op, [t], { axis: ax, exclusive: !!o.exclusive, reverse: !!o.reverse });
  };
}

/** Running sums along `axis` (default 0), like tf.math.cumsum; bool counts as int32. */
export const cumsum = scan(cumsumOp);
/** Running products along `axis` (default 0), like tf.math.cumprod. Its gradient divides by x, so it needs x != 0. */
export const cumprod = scan(cumprodOp);

// The public surface of these ops (src/ops/surface.ts).
declareOp(cumsum, { method: true });
declareOp(cumprod, { method: true });
