// nb.linalg: decompositions, solvers and matrix helpers, batched over leading axes, with gradients.
export { cholesky, qr, svd, eigh, type QrResult, type SvdResult, type EighResult } from './decompositions.js';
export { triangularSolve, type TriangularSolveOptions } from './triangular-solve.js';
export { solve, inv, det, slogdet, lstsq, type SlogdetResult } from './solve.js';
export { norm, type LinalgNormOptions, type NormOrder } from './norm.js';
export { matrixTranspose, diag, diagPart, trace, bandPart } from './structure.js';
