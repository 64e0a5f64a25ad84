import { DTypeError, ShapeError, fmtShape } from '../../errors.js';
import { allocArray, isFloat, promote } from '../../tensor/dtype.js';
import { broadcastShapes, sizeOf } from '../../tensor/shape.js';
import { broadcastStrides } from '../loops.js';
import { toTensor, type TensorLike } from '../creation.js';
import type { Tensor } from '../../tensor/tensor.js';
import { defineOp, type OpDef } from '../define-op.js';
import { run1 } from '../run.js';
import { cast } from './cast.js';
import { expandDims, reshape, squeeze } from './shape.js';
import { declareOp } from '../surface.js';
import { batchBroadcasting } from '../batch-rules.js';

export interface MatmulAttrs {
  readonly transposeA: boolean;
  readonly transposeB: boolean;
}

function dims(shape: readonly number[], transposed: boolean): [number, number] {
  const r = shape[shape.length - 2]!;
  const c = shape[shape.length - 1]!;
  return transposed ? [c, r] : [r, c];
}

/** Batched matrix product over the last two axes; batch axes broadcast. Inputs have rank >= 2. */
export const matmulOp: OpDef<MatmulAttrs> = defineOp<MatmulAttrs>({
  name: 'matmul',
  bilinear: true,
  infer: ([a, b], { transposeA, transposeB }) => {
    if (a!.shape.length < 2 || b!.shape.length < 2) {
      throw new ShapeError(`matmul: expected rank >= 2 operands, got ${fmtShape(a!.shape)} and ${fmtShape(b!.shape)}`);
    }
    const [m, k] = dims(a!.shape, transposeA);
    const [k2, n] = dims(b!.shape, transposeB);
    if (k !== k2) {
      throw new ShapeError(
        `matmul: inner dimensions differ: ${fmtShape(a!.shape)}${transposeA ? 'ᵀ' : ''} @ ${fmtShape(b!.shape)}${transposeB ? 'ᵀ' : ''} (${k} vs ${k2})`,
      );
    }
    if (a!.dtype === 'bool' || a!.dtype !== b!.dtype) throw new DTypeError(`matmul: expected two numeric tensors of one dtype, got ${a!.dtype} and ${b!.dtype}`);
    const batch = broadcastShapes('matmul', a!.shape.slice(0, -2), b!.shape.slice(0, -2));
    return [{ shape: [...batch, m, n], dtype: a!.dtype }];
  },
  ref: ([a, b], { transposeA, transposeB }, [o]) => {
    const outShape = o!.shape;
    const batch = outShape.slice(0, -2);
    const [m, k] = dims(a!.shape, transposeA);
    const n = outShape[outShape.length - 1]!;
    const out = allocArray(o!.dtype, sizeOf(outShape));
    const nb = sizeOf(batch);
    const sa = broadcastStrides(a!.shape.slice(0, -2), batch);
    const sb = broadcastStrides(b!.shape.slice(0, -2), batch);
    const A = a!.data;
    const B = b!.data;
    // Strides of A[i, p] and B[p, j] inside one matrix.
    const [ai, ap] = transposeA ? [1, m] : [k, 1];
    const [bp, bj] = transposeB ? [1, k] : [n, 1];
    const acc = new Float64Array(n);
    for (let t = 0; t < nb; t++) {
      let offA = 0;
      let offB = 0;
      let rem = t;
      for (let d = batch.length - 1; d >= 0; d--) {
        const idx = rem % batch[d]!;
        rem = (rem - idx) / batch[d]!;
        offA += idx * sa[d]! * m * k;
        offB += idx * sb[d]! * k * n;
      }
      const offO = t * m * n;
      for (let i = 0; i < m; i++) {
        acc.fill(0);
        for (let p = 0; p < k; p++) {
          // No skip of zero entries: 0 * inf must give NaN as IEEE says.
          const av = A[offA + i * ai + p * ap]!;
          const rowB = offB + p * bp;
          for (let j = 0; j < n; j++) acc[j]! += av * B[rowB + j * bj]!;
        }
        for (let j = 0; j < n; j++) out[offO + i * n + j] = acc[j]!;
      }
    }
    return [out];
  },
  grad: ([dy], { inputs: [a, b], attrs: { transposeA, transposeB } }) => {
    // C = op(A) op(B). dA = dC op(B)ᵀ (transposed back if A was), likewise dB.
    const da = transposeA ? mm(b!, dy!, transposeB, true) : mm(dy!, b!, false, !transposeB);
    const db = transposeB ? mm(dy!, a!, true, transposeA) : mm(a!, dy!, !transposeA, false);
    return [da, db];
  },
  // The batch becomes one more leading (broadcast) axis: a batched matmul.
  batch: (inputs, axes, attrs) => batchBroadcasting(matmulOp, inputs, axes, attrs),
});

function mm(a: Tensor, b: Tensor, transposeA: boolean, transposeB: boolean): Tensor {
  return run1(matmulOp, [a, b], { transposeA, transposeB });
}

export interface MatmulOptions {
  transposeA?: boolean;
  transposeB?: boolean;
}

/** Matrix product like numpy's matmul: rank-1 operands are promoted and the added axis removed. */
export function matmul(a: TensorLike, b: TensorLike, opts: MatmulOptions = {}): Tensor {
  let ta = toTensor(a, 'matmul');
  let tb = toTensor(b, 'matmul');
  if (ta.rank === 0 || tb.rank === 0) throw new ShapeError(`matmul: operands must have rank >= 1, got ${fmtShape(ta.shape)} and ${fmtShape(tb.shape)}`);
  if (ta.dtype !== tb.dtype) {
    const d = promote(ta.dtype, tb.dtype);
    ta = cast(ta, d);
    tb = cast(tb, d);
  }
  if (!isFloat(ta.dtype) && ta.dtype !== 'int32') throw new DTypeError(`matmul: expected numeric tensors, got ${ta.dtype}`);
  const vecA = ta.rank === 1;
  const vecB = tb.rank === 1;
  if (vecA) ta = expandDims(ta, 0);
  if (vecB) tb = expandDims(tb, 1);
  let out = run1(matmulOp, [ta, tb], { transposeA: !vecA && !!opts.transposeA, transposeB: !vecB && !!opts.transposeB });
  if (vecA) out = squeeze(out, out.rank - 2);
  if (vecB) out = squeeze(out, out.rank - 1);
  return out;
}

/** Inner product of vectors, or matmul for higher ranks. */
export function dot(a: TensorLike, b: TensorLike): Tensor {
  return matmul(a, b);
}

/** Outer product of two vectors. */
export function outer(a: TensorLike, b: TensorLike): Tensor {
  const ta = toTensor(a, 'outer');
  const tb = toTensor(b, 'outer');
  return matmul(reshape(ta, [-1, 1]), reshape(tb, [1, -1]));
}

// The public surface of these ops (src/ops/surface.ts).
declareOp(matmul, { method: true });
declareOp(dot, { method: true });
declareOp(outer);
