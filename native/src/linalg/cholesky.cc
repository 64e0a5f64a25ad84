// Right-looking blocked Cholesky (lower): each step factors a diagonal block, solves the panel
// below it against that block, and takes the panel's outer product off the trailing matrix with
// the GEMM. The diagonal blocks accumulate in double like the reference kernel
// (src/linalg/cholesky.ts); the panels and trailing updates run in the matrix's own precision.
#include <algorithm>
#include <cmath>

#include "dense.h"
#include "linalg-kernels.h"

namespace nabla {

namespace {

constexpr i64 kBlock = 96;
// Trailing updates go by bands of this many rows, each against the columns up to its last row:
// the GEMM then computes little of the upper triangle nobody needs.
constexpr i64 kBandRows = 192;

/** Factor the b x b diagonal block at (j0, j0) of l (leading dimension n), in place; false if not positive definite. */
template <typename T> bool factorDiagonal(T* l, i64 n, i64 j0, i64 b) {
  for (i64 j = j0; j < j0 + b; ++j) {
    const T* lj = l + j * n;
    double d = lj[j];
    for (i64 k = j0; k < j; ++k) d -= double(lj[k]) * double(lj[k]);
    if (!(d > 0)) return false;
    const double ljj = std::sqrt(d);
    l[j * n + j] = static_cast<T>(ljj);
    for (i64 i = j + 1; i < j0 + b; ++i) {
      T* li = l + i * n;
      double s = li[j];
      for (i64 k = j0; k < j; ++k) s -= double(li[k]) * double(lj[k]);
      li[j] = static_cast<T>(s / ljj);
    }
  }
  return true;
}

/**
 * Rows [from, n) of the panel below the diagonal block: L21 = A21 L11⁻ᵀ, i.e. L11 L21ᵀ = A21ᵀ,
 * solved on a transposed copy so each step is a contiguous multiply-add over all the rows (a dot
 * product per row, the reference's order, would not vectorise).
 */
template <typename T> void solvePanel(T* l, i64 n, i64 j0, i64 b, i64 from) {
  const i64 rest = n - from;
  thread_local std::vector<T> buffer;
  T* t = dense::scratch(buffer, b * rest);
  for (i64 r = 0; r < rest; ++r)
    for (i64 jj = 0; jj < b; ++jj) t[jj * rest + r] = l[(from + r) * n + j0 + jj];
  parallelFor(rest, b * b, [&](i64 r0, i64 r1) {
    for (i64 jj = 0; jj < b; ++jj) {
      T* tj = t + jj * rest;
      const T* ljj = l + (j0 + jj) * n + j0;
      for (i64 kk = 0; kk < jj; ++kk) {
        const T f = ljj[kk];
        const T* tk = t + kk * rest;
        for (i64 r = r0; r < r1; ++r) tj[r] -= f * tk[r];
      }
      const T d = ljj[jj];
      for (i64 r = r0; r < r1; ++r) tj[r] /= d;
    }
  });
  for (i64 r = 0; r < rest; ++r)
    for (i64 jj = 0; jj < b; ++jj) l[(from + r) * n + j0 + jj] = t[jj * rest + r];
}

/** The trailing matrix from row/column s loses L21 L21ᵀ (L21: columns j0..j0+b of rows s..n), lower triangle only. */
template <typename T> void updateTrailing(T* l, i64 n, i64 j0, i64 b, i64 s) {
  thread_local std::vector<T> buffer;
  for (i64 r0 = s; r0 < n; r0 += kBandRows) {
    const i64 r1 = std::min(n, r0 + kBandRows), width = r1 - s;
    T* t = dense::scratch(buffer, (r1 - r0) * width);
    dense::multiply<T>(r1 - r0, width, b, dense::rows(l + r0 * n + j0, n), dense::transposed(l + s * n + j0, n), t, width);
    for (i64 i = r0; i < r1; ++i) {
      T* li = l + i * n + s;
      const T* ti = t + (i - r0) * width;
      for (i64 c = 0; c <= i - s; ++c) li[c] -= ti[c];
    }
  }
}

}  // namespace

/** L (row-major, zero above the diagonal) with A = L Lᵀ from A's lower triangle; false if A is not positive definite. */
template <typename T> bool choleskyMatrix(const T* a, T* l, i64 n) {
  for (i64 i = 0; i < n; ++i) {
    std::copy(a + i * n, a + i * n + i + 1, l + i * n);
    std::fill(l + i * n + i + 1, l + (i + 1) * n, T(0));
  }
  for (i64 j0 = 0; j0 < n; j0 += kBlock) {
    const i64 b = std::min(kBlock, n - j0), s = j0 + b;
    if (!factorDiagonal(l, n, j0, b)) return false;
    if (s == n) break;
    solvePanel(l, n, j0, b, s);
    updateTrailing(l, n, j0, b, s);
  }
  return true;
}

template bool choleskyMatrix<float>(const float*, float*, i64);
template bool choleskyMatrix<double>(const double*, double*, i64);

}  // namespace nabla
