// Shared pieces of the dense factorisations (cholesky.cc, triangular-solve.cc, qr.cc): the GEMM
// called with a thread count that fits the product, and scratch memory.
#pragma once

#include <vector>

#include "../common.h"
#include "../gemm/gemm.h"
#include "../thread-pool.h"

namespace nabla {
namespace dense {

/** C (m x n, leading dimension ldc) = A B through the packed GEMM; threads only where the product pays for them. */
template <typename T> void multiply(i64 m, i64 n, i64 k, MatrixRef<T> a, MatrixRef<T> b, T* c, i64 ldc) {
  const i64 flops = m * n * k;
  const int threads = flops >= (i64{1} << 22) ? threadsFor(flops / 8) : 1;
  gemm<T>(m, n, k, a, b, c, ldc, threads);
}

/** Row-major view of a matrix with leading dimension ld (element (i, j) at data[i*ld + j]). */
template <typename T> MatrixRef<T> rows(const T* data, i64 ld) { return MatrixRef<T>{data, ld, 1}; }
/** The transpose of a row-major matrix with leading dimension ld. */
template <typename T> MatrixRef<T> transposed(const T* data, i64 ld) { return MatrixRef<T>{data, 1, ld}; }

/** Scratch of n elements, grown on demand and kept per thread between calls. */
template <typename T> T* scratch(std::vector<T>& buffer, i64 n) {
  if (static_cast<i64>(buffer.size()) < n) buffer.resize(static_cast<std::size_t>(n));
  return buffer.data();
}

}  // namespace dense
}  // namespace nabla
