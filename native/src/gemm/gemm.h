// General matrix multiply C = A B in the BLIS structure: B packed in KC x NC blocks, A in
// MC x KC blocks, a register-blocked micro-kernel over packed micro-panels.
#pragma once

#include <cstdint>

#include "../cpu.h"

namespace nabla {

/** A matrix operand: element (i, j) sits at data[i*rowStride + j*colStride]. */
template <typename T> struct MatrixRef {
  const T* data;
  std::int64_t rowStride;
  std::int64_t colStride;
};

/** Choose the micro-kernels for a SIMD level (called once at load). */
void selectGemmKernels(Simd simd);

/**
 * C (m x n, row-major with leading dimension ldc) = A (m x k) B (k x n), overwriting C.
 * Uses up to `threads` threads of the current pool (one when called from a task of a parallel
 * job); packing buffers belong to the calling thread.
 */
template <typename T>
void gemm(std::int64_t m, std::int64_t n, std::int64_t k, MatrixRef<T> a, MatrixRef<T> b, T* c, std::int64_t ldc,
          int threads);

}  // namespace nabla
