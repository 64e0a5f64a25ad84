// AVX-512 micro-kernels (this file alone is compiled with -mavx512f -mfma; called only when
// cpuid says the CPU has them). 12 rows x 2 vectors: 24 accumulators of the 32 zmm registers.
#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>

#include "micro-kernel.h"

namespace nabla {

namespace {
constexpr int kRows = 12;

void kernelF32(std::int64_t k, const float* a, const float* b, float* c, std::int64_t ldc, bool accumulate) {
  __m512 c0[kRows], c1[kRows];
#pragma GCC unroll 12
  for (int i = 0; i < kRows; ++i) c0[i] = c1[i] = _mm512_setzero_ps();
#pragma GCC unroll 2
  for (std::int64_t p = 0; p < k; ++p) {
    __m512 b0 = _mm512_load_ps(b), b1 = _mm512_load_ps(b + 16);
    _mm_prefetch(reinterpret_cast<const char*>(b + 256), _MM_HINT_T0);
#pragma GCC unroll 12
    for (int i = 0; i < kRows; ++i) {
      __m512 ai = _mm512_set1_ps(a[i]);
      c0[i] = _mm512_fmadd_ps(ai, b0, c0[i]);
      c1[i] = _mm512_fmadd_ps(ai, b1, c1[i]);
    }
    a += kRows;
    b += 32;
  }
#pragma GCC unroll 12
  for (int i = 0; i < kRows; ++i) {
    float* row = c + i * ldc;
    if (accumulate) {
      c0[i] = _mm512_add_ps(c0[i], _mm512_loadu_ps(row));
      c1[i] = _mm512_add_ps(c1[i], _mm512_loadu_ps(row + 16));
    }
    _mm512_storeu_ps(row, c0[i]);
    _mm512_storeu_ps(row + 16, c1[i]);
  }
}

void kernelF64(std::int64_t k, const double* a, const double* b, double* c, std::int64_t ldc, bool accumulate) {
  __m512d c0[kRows], c1[kRows];
#pragma GCC unroll 12
  for (int i = 0; i < kRows; ++i) c0[i] = c1[i] = _mm512_setzero_pd();
#pragma GCC unroll 2
  for (std::int64_t p = 0; p < k; ++p) {
    __m512d b0 = _mm512_load_pd(b), b1 = _mm512_load_pd(b + 8);
    _mm_prefetch(reinterpret_cast<const char*>(b + 128), _MM_HINT_T0);
#pragma GCC unroll 12
    for (int i = 0; i < kRows; ++i) {
      __m512d ai = _mm512_set1_pd(a[i]);
      c0[i] = _mm512_fmadd_pd(ai, b0, c0[i]);
      c1[i] = _mm512_fmadd_pd(ai, b1, c1[i]);
    }
    a += kRows;
    b += 16;
  }
#pragma GCC unroll 12
  for (int i = 0; i < kRows; ++i) {
    double* row = c + i * ldc;
    if (accumulate) {
      c0[i] = _mm512_add_pd(c0[i], _mm512_loadu_pd(row));
      c1[i] = _mm512_add_pd(c1[i], _mm512_loadu_pd(row + 8));
    }
    _mm512_storeu_pd(row, c0[i]);
    _mm512_storeu_pd(row + 8, c1[i]);
  }
}
}  // namespace

MicroKernel<float> avx512KernelF32() { return {kRows, 32, kernelF32}; }
MicroKernel<double> avx512KernelF64() { return {kRows, 16, kernelF64}; }

}  // namespace nabla
#endif
