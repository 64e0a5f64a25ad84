// Blocked triangular solve op(A) X = B, left-looking: each block of rows of X first loses the
// product of op(A)'s block row with the rows already solved (one GEMM), then is solved by
// substitution against op(A)'s diagonal block, accumulating in double like the reference kernel
// (src/linalg/triangular-solve.ts). Only A's triangle is read; a zero pivot gives Inf/NaN.
#include <algorithm>

#include "dense.h"
#include "linalg-kernels.h"

namespace nabla {

namespace {

constexpr i64 kBlock = 64;

/** op(A) as a GEMM operand: element (i, j) is A[j][i] when transposed. */
template <typename T> MatrixRef<T> opA(const T* a, i64 n, bool transposeA) {
  return transposeA ? dense::transposed(a, n) : dense::rows(a, n);
}

/**
 * Solve rows [i0, i1) of X (n x k, already holding B minus the solved rows' contributions from
 * outside the block) against op(A)'s diagonal block, in place; forward or backward.
 */
template <typename T> void solveDiagonalBlock(MatrixRef<T> op, T* x, i64 k, i64 i0, i64 i1, bool forward) {
  parallelFor(k, (i1 - i0) * (i1 - i0), [&](i64 c0, i64 c1) {
    thread_local std::vector<double> buffer;
    double* acc = dense::scratch(buffer, c1 - c0);
    for (i64 step = 0; step < i1 - i0; ++step) {
      const i64 i = forward ? i0 + step : i1 - 1 - step;
      T* xi = x + i * k;
      for (i64 c = c0; c < c1; ++c) acc[c - c0] = xi[c];
      const i64 j0 = forward ? i0 : i + 1, j1 = forward ? i : i1;
      for (i64 j = j0; j < j1; ++j) {
        const double aij = op.data[i * op.rowStride + j * op.colStride];
        const T* xj = x + j * k;
        for (i64 c = c0; c < c1; ++c) acc[c - c0] -= aij * double(xj[c]);
      }
      const double aii = op.data[i * op.rowStride + i * op.colStride];
      for (i64 c = c0; c < c1; ++c) xi[c] = static_cast<T>(acc[c - c0] / aii);
    }
  });
}

}  // namespace

template <typename T> void triangularSolveMatrix(const T* a, const T* b, T* x, i64 n, i64 k, bool lower, bool transposeA) {
  std::copy(b, b + n * k, x);
  if (n == 0 || k == 0) return;
  const MatrixRef<T> op = opA(a, n, transposeA);
  const bool forward = lower != transposeA;
  thread_local std::vector<T> buffer;
  for (i64 done = 0; done < n; done += kBlock) {
    const i64 size = std::min(kBlock, n - done);
    // Forward: rows [done, done+size) after the solved [0, done); backward: the mirror image.
    const i64 i0 = forward ? done : n - done - size, i1 = i0 + size;
    const i64 s0 = forward ? 0 : i1, s1 = forward ? i0 : n;
    if (s1 > s0) {
      T* t = dense::scratch(buffer, size * k);
      const MatrixRef<T> block{op.data + i0 * op.rowStride + s0 * op.colStride, op.rowStride, op.colStride};
      dense::multiply<T>(size, k, s1 - s0, block, dense::rows(x + s0 * k, k), t, k);
      T* xi = x + i0 * k;
      for (i64 e = 0; e < size * k; ++e) xi[e] -= t[e];
    }
    solveDiagonalBlock(op, x, k, i0, i1, forward);
  }
}

template void triangularSolveMatrix<float>(const float*, const float*, float*, i64, i64, bool, bool);
template void triangularSolveMatrix<double>(const double*, const double*, double*, i64, i64, bool, bool);

}  // namespace nabla
