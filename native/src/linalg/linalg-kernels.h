// Native kernels of the linear-algebra primitives (src/linalg/: cholesky, triangularSolve, qr, lu)
// and of the FFT primitives (src/signal/fft-ops.ts). Each matches its TypeScript reference kernel
// within floating-point rounding: the blocked ones hand their O(n³) part to the packed GEMM.
#pragma once

#include "../kernel-call.h"

namespace nabla {

/**
 * Op codes from NABLA_LINALG_OPS. Words: the batch count, then per op
 *   cholesky:        n                    buffers a [count, n, n], out [count, n, n]
 *   triangularSolve: n, k, lower, transposeA   buffers a [count, n, n], b [count, n, k], out [count, n, k]
 *   qr:              m, n                 buffers a [count, m, n], out: Q [count, m, min(m,n)] then R [count, min(m,n), n]
 *   lu:              n                    buffers a [count, n, n], out: the packed factors [count, n, n], then the
 *                                         signs [count], then the row orders [count, n] (as numbers of the dtype)
 * Float32 and float64; a, b and out share the dtype.
 */
void linalgEntry(const KernelCall& call);

/**
 * Op codes from NABLA_FFT_OPS. Words: rows, n, then
 *   fft:   inverse (0/1)    buffers z [rows, n, 2], out [rows, n, 2]
 *   rfft:  (none)           buffers x [rows, n], out [rows, n/2+1, 2]
 *   irfft: hermitian (0/1)  buffers z [rows, n/2+1, 2], out [rows, n]
 * Computed in float64 whatever the dtype, as the reference does.
 */
void fftEntry(const KernelCall& call);

template <typename T> bool choleskyMatrix(const T* a, T* l, i64 n);
template <typename T> void triangularSolveMatrix(const T* a, const T* b, T* x, i64 n, i64 k, bool lower, bool transposeA);
template <typename T> void qrMatrix(const T* a, T* q, T* r, i64 m, i64 n);
/** LU of w (n x n, in place: U on and above the diagonal, L below); the row order into p; returns its sign. */
template <typename T> int luMatrix(T* w, i64 n, i64* p);

}  // namespace nabla
