// The linalg primitives by name, for the backends' kernel tables (src/backends/kernel-ops.ts).
import { choleskyOp } from './cholesky.js';
import { eighOp } from './eigh.js';
import { luOp } from './lu.js';
import { qrOp } from './qr.js';
import { svdOp } from './svd.js';
import { triangularSolveOp } from './triangular-solve.js';

export const LINALG_OPS = {
  cholesky: choleskyOp,
  triangularSolve: triangularSolveOp,
  lu: luOp,
  qr: qrOp,
  eigh: eighOp,
  svd: svdOp,
} as const;
