// The prepacked GEMM's epilogue (gemm.h's GemmEpilogue): the bias add and the activation applied
// to a finished block of C rows while they are still in cache, instead of a later pass over the
// whole output. The add is one float rounding per element and the activation is the unary
// kernel's own loop, so the bits are those of the separate biasActivation kernel.
#pragma once

#include <cstdint>

#include "../kernels.h"
#include "../simd/elementwise-loops.h"
#include "gemm.h"

namespace nabla {

/** act applied in place to a run of n elements, with the loop the unary kernel would use. */
inline void epilogueActivation(int act, float* y, std::int64_t n) {
  const int k = unaryLoopIndex(act);
  if (k >= 0) {
    elementwiseLoops().unary[k](y, y, n);
    return;
  }
  const Buffer run{y, n, DType::F32};
  unary(act, run, run);
}
inline void epilogueActivation(int act, double* y, std::int64_t n) {
  const Buffer run{y, n, DType::F64};
  unary(act, run, run);
}

/** Rows [0, rows) of C from `c` (leading dimension ldc), columns [col0, col0 + cols) of the whole C. */
template <typename T>
void applyGemmEpilogue(const GemmEpilogue<T>& e, T* c, std::int64_t ldc, std::int64_t rows, std::int64_t col0, std::int64_t cols) {
  if (e.bias) {
    const T* __restrict v = e.bias + col0;
    for (std::int64_t i = 0; i < rows; ++i) {
      T* __restrict y = c + i * ldc;
      for (std::int64_t j = 0; j < cols; ++j) y[j] = y[j] + v[j];
    }
  }
  if (e.act < 0) return;
  // Rows that follow each other in memory (the block spans all of C's columns) take one call.
  if (cols == ldc) epilogueActivation(e.act, c, rows * cols);
  else
    for (std::int64_t i = 0; i < rows; ++i) epilogueActivation(e.act, c + i * ldc, cols);
}

}  // namespace nabla
