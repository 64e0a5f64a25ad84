// Solving and inverting through the LU primitive, and least squares through QR. Their gradients
// come from those of lu, qr and triangularSolve.
import { ShapeError, fmtShape } from '../errors.js';
import { eye, type TensorLike } from '../ops/creation.js';
import { mul } from '../ops/primitives/binary.js';
import { cast } from '../ops/primitives/cast.js';
import { matmul } from '../ops/primitives/matmul.js';
import { prod, sum } from '../ops/primitives/reduce.js';
import { expandDims, squeeze } from '../ops/primitives/shape.js';
import { abs, log, sign } from '../ops/primitives/unary.js';
import { NO_ATTRS, run } from '../ops/run.js';
import { isFloat, promote } from '../tensor/dtype.js';
import type { Tensor } from '../tensor/tensor.js';
import { qr } from './decompositions.js';
import { luOp, permutationMatrix, unpackLU } from './lu.js';
import { matrixArg, squareArg } from './matrix-args.js';
import { diagPart, matrixTranspose } from './structure.js';
import { triangularSolve } from './triangular-solve.js';
import { toTensor } from '../ops/creation.js';

interface Factored {
  l: Tensor;
  u: Tensor;
  p: Tensor;
  sign: Tensor;
}

function factor(a: Tensor): Factored {
  const [lu, perm, sign] = run(luOp, [a], NO_ATTRS);
  return { ...unpackLU(lu!), p: permutationMatrix(perm!, a.dtype), sign: sign! };
}

/** `b` as a float matrix in a's dtype, and whether it was a vector ([..., n] -> [..., n, 1]). */
function rightHandSide(op: string, a: Tensor, b: TensorLike): { b: Tensor; vector: boolean } {
  let t = toTensor(b, `linalg.${op}`);
  if (!isFloat(t.dtype) || t.dtype !== a.dtype) t = cast(t, isFloat(t.dtype) ? promote(t.dtype, a.dtype) : a.dtype);
  const vector = t.rank === 1;
  const m = a.shape[a.rank - 2]!;
  const mat = vector ? expandDims(t, -1) : t;
  if (mat.rank < 2 || mat.shape[mat.rank - 2] !== m) {
    throw new ShapeError(`linalg.${op}: b must be [${m}] or [..., ${m}, k] to match a ${fmtShape(a.shape)}, got ${fmtShape(t.shape)}`);
  }
  return { b: mat, vector };
}

/**
 * X with A X = B for square `a` [..., n, n] and `b` [..., n, k] (or a vector [n]); batch axes
 * broadcast. LU with partial pivoting. A singular matrix gives Inf/NaN entries in X rather than
 * an error (like JAX; numpy raises LinAlgError): detecting it would need a read of the values.
 */
export function solve(a: TensorLike, b: TensorLike): Tensor {
  const ta = squareArg(a, 'solve');
  const rhs = rightHandSide('solve', ta, b);
  const x = solveFactored(factor(cast(ta, rhs.b.dtype)), rhs.b);
  return rhs.vector ? squeeze(x, -1) : x;
}

function solveFactored(f: Factored, b: Tensor): Tensor {
  const y = triangularSolve(f.l, matmul(f.p, b), { lower: true });
  return triangularSolve(f.u, y, { lower: false });
}

/** The inverse of each square matrix of `a`. A singular matrix gives Inf/NaN entries, as {@link solve}. */
export function inv(a: TensorLike): Tensor {
  const t = squareArg(a, 'inv');
  const n = t.shape[t.rank - 1]!;
  return solveFactored(factor(t), eye(n, n, t.dtype));
}

/** The determinant of each square matrix of `a` [..., n, n]: shape [...]. 0 for a singular matrix. */
export function det(a: TensorLike): Tensor {
  const f = factor(squareArg(a, 'det'));
  return mul(f.sign, prod(diagPart(f.u), -1));
}

/** The result of {@link slogdet}: det = sign * exp(logAbsDet). */
export interface SlogdetResult {
  sign: Tensor;
  logAbsDet: Tensor;
}

/**
 * The sign and the log of the absolute value of each determinant (numpy's slogdet), without the
 * overflow of det: a singular matrix gives sign 0 and logAbsDet -Infinity.
 */
export function slogdet(a: TensorLike): SlogdetResult {
  const f = factor(squareArg(a, 'slogdet'));
  const d = diagPart(f.u);
  return { sign: mul(f.sign, prod(sign(d), -1)), logAbsDet: sum(log(abs(d)), -1) };
}

/**
 * The least-squares solution of A X ≈ B for `a` [..., m, n] of full rank and `b` [..., m, k] (or
 * [m]): the minimiser of |A X - B| when m >= n, the minimum-norm solution when m < n (numpy's lstsq
 * for full-rank A; rank-deficient A gives Inf/NaN here instead of numpy's cut-off). Through QR.
 */
export function lstsq(a: TensorLike, b: TensorLike): Tensor {
  const ta = matrixArg(a, 'lstsq');
  const rhs = rightHandSide('lstsq', ta, b);
  const tm = cast(ta, rhs.b.dtype);
  const [m, n] = tm.shape.slice(-2) as [number, number];
  let x: Tensor;
  if (m >= n) {
    const { q, r } = qr(tm);
    x = triangularSolve(r, matmul(q, rhs.b, { transposeA: true }), { lower: false });
  } else {
    // Aᵀ = Q R, so A = Rᵀ Qᵀ and x = Q R⁻ᵀ b has the least norm.
    const { q, r } = qr(matrixTranspose(tm));
    x = matmul(q, triangularSolve(r, rhs.b, { lower: false, transposeA: true }));
  }
  return rhs.vector ? squeeze(x, -1) : x;
}
