// Solving triangular systems as a primitive: forward or back substitution per matrix (float64
// accumulation), and its reverse-mode rule (B̄ = op(A)⁻ᵀ X̄, op(A)̄ = -B̄ Xᵀ, kept to A's triangle).
import { ShapeError, fmtShape } from '../errors.js';
import { allocArray } from '../tensor/dtype.js';
import { broadcastShapes } from '../tensor/shape.js';
import { defineOp } from '../ops/define-op.js';
import { batchAsLeadingAxis } from '../ops/batch-rules.js';
import { neg } from '../ops/primitives/unary.js';
import { cast } from '../ops/primitives/cast.js';
import { matmul } from '../ops/primitives/matmul.js';
import { run1 } from '../ops/run.js';
import { broadcastTo } from '../ops/primitives/shape.js';
import { promote } from '../tensor/dtype.js';
import type { Tensor } from '../tensor/tensor.js';
import type { TensorLike } from '../ops/creation.js';
import { batchCount, checkSquareMeta, matrixArg } from './matrix-args.js';
import { tril, triu } from './structure.js';

export interface TriangularSolveAttrs {
  /** A is lower triangular (else upper); the other triangle is never read. */
  readonly lower: boolean;
  /** Solve Aᵀ X = B instead of A X = B. */
  readonly transposeA: boolean;
}

export const triangularSolveOp = defineOp<TriangularSolveAttrs>({
  name: 'triangularSolve',
  batch(inputs, axes, attrs) {
    return batchAsLeadingAxis(this, inputs, axes, attrs);
  },
  infer: ([a, b]) => {
    const n = checkSquareMeta(a!, 'triangularSolve');
    if (b!.shape.length !== a!.shape.length || b!.shape[b!.shape.length - 2] !== n || b!.shape.slice(0, -2).some((d, i) => d !== a!.shape[i])) {
      throw new ShapeError(`linalg.triangularSolve: b must be [..., ${n}, k] with a's batch axes, got a ${fmtShape(a!.shape)} and b ${fmtShape(b!.shape)}`);
    }
    return [{ shape: b!.shape, dtype: a!.dtype }];
  },
  ref: ([a, b], { lower, transposeA }, [o]) => {
    const n = a!.shape[a!.shape.length - 1]!;
    const k = b!.shape[b!.shape.length - 1]!;
    const A = a!.data;
    const B = b!.data;
    const out = allocArray(o!.dtype, B.length);
    const x = new Float64Array(n);
    // op(A)[i][j], with op(A) lower triangular when exactly one of lower/transposeA holds.
    const forward = lower !== transposeA;
    for (let m = 0, count = batchCount(a!.shape); m < count; m++) {
      const offA = m * n * n;
      const offB = m * n * k;
      const at = (i: number, j: number) => A[offA + (transposeA ? j * n + i : i * n + j)] as number;
      for (let c = 0; c < k; c++) {
        for (let step = 0; step < n; step++) {
          const i = forward ? step : n - 1 - step;
          let s = B[offB + i * k + c] as number;
          if (forward) for (let j = 0; j < i; j++) s -= at(i, j) * x[j]!;
          else for (let j = i + 1; j < n; j++) s -= at(i, j) * x[j]!;
          x[i] = s / at(i, i);
        }
        for (let i = 0; i < n; i++) out[offB + i * k + c] = x[i]!;
      }
    }
    return [out];
  },
  grad: ([dx], { inputs: [a], outputs: [x], attrs: { lower, transposeA } }) => {
    const db = triangularSolve(a!, dx!, { lower, transposeA: !transposeA });
    const da = transposeA ? neg(matmul(x!, db, { transposeB: true })) : neg(matmul(db, x!, { transposeB: true }));
    return [lower ? tril(da) : triu(da), db];
  },
});

/** Options of {@link triangularSolve}. */
export interface TriangularSolveOptions {
  /** A is lower triangular (default true); only that triangle of A is read. */
  lower?: boolean;
  /** Solve Aᵀ X = B (default false). */
  transposeA?: boolean;
}

/**
 * X with A X = B (or Aᵀ X = B) for triangular A [..., n, n] and B [..., n, k] (a vector b [..., n]
 * is not accepted: use [..., n, 1]). Batch axes broadcast. A zero on A's diagonal gives Inf/NaN
 * in X (no error: the check would need a read of the values).
 */
export function triangularSolve(a: TensorLike, b: TensorLike, opts: TriangularSolveOptions = {}): Tensor {
  let ta = matrixArg(a, 'triangularSolve');
  let tb = matrixArg(b, 'triangularSolve');
  if (ta.dtype !== tb.dtype) {
    const d = promote(ta.dtype, tb.dtype);
    ta = cast(ta, d);
    tb = cast(tb, d);
  }
  const batch = broadcastShapes('linalg.triangularSolve', ta.shape.slice(0, -2), tb.shape.slice(0, -2));
  const aShape = [...batch, ...ta.shape.slice(-2)];
  const bShape = [...batch, ...tb.shape.slice(-2)];
  if (ta.shape.length !== aShape.length || ta.shape.some((d, i) => d !== aShape[i])) ta = broadcastTo(ta, aShape);
  if (tb.shape.length !== bShape.length || tb.shape.some((d, i) => d !== bShape[i])) tb = broadcastTo(tb, bShape);
  return run1(triangularSolveOp, [ta, tb], { lower: opts.lower ?? true, transposeA: opts.transposeA ?? false });
}
