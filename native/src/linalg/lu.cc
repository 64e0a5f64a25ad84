// Blocked LU with partial pivoting (right-looking, as LAPACK's getrf): a panel of columns is
// eliminated with row pivoting (whole rows swap, as in the reference kernel src/linalg/lu.ts),
// the block row to its right is solved against the panel's unit lower triangle, and the
// trailing matrix loses the product of the two through the GEMM. A zero pivot is left in U and
// its column of L unscaled, as the reference (and getrf) do.
#include <algorithm>
#include <cmath>

#include "dense.h"
#include "linalg-kernels.h"

namespace nabla {

namespace {

constexpr i64 kBlock = 64;

/** Eliminate panel columns [j0, j0+b) of w (n x n), pivoting whole rows; updates p and the sign. */
template <typename T> void factorPanel(T* w, i64 n, i64 j0, i64 b, i64* p, int& sign) {
  for (i64 j = j0; j < j0 + b; ++j) {
    i64 best = j;
    for (i64 i = j + 1; i < n; ++i)
      if (std::fabs(w[i * n + j]) > std::fabs(w[best * n + j])) best = i;
    if (best != j) {
      std::swap_ranges(w + j * n, w + (j + 1) * n, w + best * n);
      std::swap(p[j], p[best]);
      sign = -sign;
    }
    const T pivot = w[j * n + j];
    if (pivot == T(0)) continue;
    const T* wj = w + j * n;
    parallelFor(n - j - 1, j0 + b - j, [&](i64 r0, i64 r1) {
      for (i64 i = j + 1 + r0; i < j + 1 + r1; ++i) {
        T* wi = w + i * n;
        const T f = (wi[j] /= pivot);
        for (i64 c = j + 1; c < j0 + b; ++c) wi[c] -= f * wj[c];
      }
    });
  }
}

/** U12 = L11⁻¹ A12 for the block row [j0, j0+b) right of the panel (L11 unit lower), in place. */
template <typename T> void solveBlockRow(T* w, i64 n, i64 j0, i64 b) {
  const i64 s = j0 + b;
  for (i64 r = j0 + 1; r < s; ++r) {
    T* wr = w + r * n;
    for (i64 k = j0; k < r; ++k) {
      const T f = wr[k];
      const T* wk = w + k * n;
      for (i64 c = s; c < n; ++c) wr[c] -= f * wk[c];
    }
  }
}

}  // namespace

template <typename T> int luMatrix(T* w, i64 n, i64* p) {
  int sign = 1;
  for (i64 i = 0; i < n; ++i) p[i] = i;
  thread_local std::vector<T> buffer;
  for (i64 j0 = 0; j0 < n; j0 += kBlock) {
    const i64 b = std::min(kBlock, n - j0), s = j0 + b;
    factorPanel(w, n, j0, b, p, sign);
    if (s == n) break;
    solveBlockRow(w, n, j0, b);
    const i64 rest = n - s;
    T* t = dense::scratch(buffer, rest * rest);
    dense::multiply<T>(rest, rest, b, dense::rows(w + s * n + j0, n), dense::rows(w + j0 * n + s, n), t, rest);
    parallelFor(rest, rest, [&](i64 r0, i64 r1) {
      for (i64 i = r0; i < r1; ++i) {
        T* wi = w + (s + i) * n + s;
        const T* ti = t + i * rest;
        for (i64 c = 0; c < rest; ++c) wi[c] -= ti[c];
      }
    });
  }
  return sign;
}

template int luMatrix<float>(float*, i64, i64*);
template int luMatrix<double>(double*, i64, i64*);

}  // namespace nabla
