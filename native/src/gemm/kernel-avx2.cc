// AVX2+FMA micro-kernels (compiled with -mavx2 -mfma; used when cpuid has them but not
// AVX-512). 6 rows x 2 vectors: 12 accumulators of the 16 ymm registers.
#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>

#include "micro-kernel.h"

namespace nabla {

namespace {
constexpr int kRows = 6;

void kernelF32(std::int64_t k, const float* a, const float* b, float* c, std::int64_t ldc, bool accumulate) {
  __m256 c0[kRows], c1[kRows];
#pragma GCC unroll 6
  for (int i = 0; i < kRows; ++i) c0[i] = c1[i] = _mm256_setzero_ps();
#pragma GCC unroll 2
  for (std::int64_t p = 0; p < k; ++p) {
    __m256 b0 = _mm256_load_ps(b), b1 = _mm256_load_ps(b + 8);
#pragma GCC unroll 6
    for (int i = 0; i < kRows; ++i) {
      __m256 ai = _mm256_broadcast_ss(a + i);
      c0[i] = _mm256_fmadd_ps(ai, b0, c0[i]);
      c1[i] = _mm256_fmadd_ps(ai, b1, c1[i]);
    }
    a += kRows;
    b += 16;
  }
#pragma GCC unroll 6
  for (int i = 0; i < kRows; ++i) {
    float* row = c + i * ldc;
    if (accumulate) {
      c0[i] = _mm256_add_ps(c0[i], _mm256_loadu_ps(row));
      c1[i] = _mm256_add_ps(c1[i], _mm256_loadu_ps(row + 8));
    }
    _mm256_storeu_ps(row, c0[i]);
    _mm256_storeu_ps(row + 8, c1[i]);
  }
}

void kernelF64(std::int64_t k, const double* a, const double* b, double* c, std::int64_t ldc, bool accumulate) {
  __m256d c0[kRows], c1[kRows];
#pragma GCC unroll 6
  for (int i = 0; i < kRows; ++i) c0[i] = c1[i] = _mm256_setzero_pd();
#pragma GCC unroll 2
  for (std::int64_t p = 0; p < k; ++p) {
    __m256d b0 = _mm256_load_pd(b), b1 = _mm256_load_pd(b + 4);
#pragma GCC unroll 6
    for (int i = 0; i < kRows; ++i) {
      __m256d ai = _mm256_broadcast_sd(a + i);
      c0[i] = _mm256_fmadd_pd(ai, b0, c0[i]);
      c1[i] = _mm256_fmadd_pd(ai, b1, c1[i]);
    }
    a += kRows;
    b += 8;
  }
#pragma GCC unroll 6
  for (int i = 0; i < kRows; ++i) {
    double* row = c + i * ldc;
    if (accumulate) {
      c0[i] = _mm256_add_pd(c0[i], _mm256_loadu_pd(row));
      c1[i] = _mm256_add_pd(c1[i], _mm256_loadu_pd(row + 4));
    }
    _mm256_storeu_pd(row, c0[i]);
    _mm256_storeu_pd(row + 4, c1[i]);
  }
}
/**
 * Rows x 8*V columns of C accumulated in registers over the whole k (each B row segment loaded
 * once for all rows); Masked: only the lanes of `mask` exist in the last vector. Multiply then
 * add, as the portable loop does (bit-equal to it).
 */
template <int Rows, int V, bool Masked>
void fewRowsBlock(std::int64_t n, std::int64_t k, const float* a, std::int64_t ai, std::int64_t ap, const float* b, float* c,
                  __m256i mask) {
  __m256 acc[Rows][V];
#pragma GCC unroll 4
  for (int i = 0; i < Rows; ++i)
#pragma GCC unroll 2
    for (int v = 0; v < V; ++v) acc[i][v] = _mm256_setzero_ps();
  for (std::int64_t p = 0; p < k; ++p) {
    const float* row = b + p * n;
    __m256 bv[V];
#pragma GCC unroll 2
    for (int v = 0; v < V; ++v) bv[v] = Masked && v == V - 1 ? _mm256_maskload_ps(row + 8 * v, mask) : _mm256_loadu_ps(row + 8 * v);
#pragma GCC unroll 4
    for (int i = 0; i < Rows; ++i) {
      const __m256 av = _mm256_set1_ps(a[i * ai + p * ap]);
#pragma GCC unroll 2
      for (int v = 0; v < V; ++v) acc[i][v] = _mm256_add_ps(acc[i][v], _mm256_mul_ps(av, bv[v]));
    }
  }
#pragma GCC unroll 4
  for (int i = 0; i < Rows; ++i)
#pragma GCC unroll 2
    for (int v = 0; v < V; ++v) {
      float* out = c + i * n + 8 * v;
      if (Masked && v == V - 1) _mm256_maskstore_ps(out, mask, acc[i][v]);
      else _mm256_storeu_ps(out, acc[i][v]);
    }
}

template <int Rows>
void fewRowsOf(std::int64_t n, std::int64_t k, const float* a, std::int64_t ai, std::int64_t ap, const float* b, float* c) {
  const __m256i all = _mm256_set1_epi32(-1);
  std::int64_t j = 0;
  for (; j + 16 <= n; j += 16) fewRowsBlock<Rows, 2, false>(n, k, a, ai, ap, b + j, c + j, all);
  for (; j + 8 <= n; j += 8) fewRowsBlock<Rows, 1, false>(n, k, a, ai, ap, b + j, c + j, all);
  if (j < n) {
    const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    const __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(n - j)), lanes);
    fewRowsBlock<Rows, 1, true>(n, k, a, ai, ap, b + j, c + j, mask);
  }
}

void fewRowsF32(std::int64_t rows, std::int64_t n, std::int64_t k, const float* a, std::int64_t ai, std::int64_t ap,
                const float* b, float* c) {
  for (std::int64_t i = 0; i < rows; i += 4) {
    const std::int64_t r = rows - i < 4 ? rows - i : 4;
    const float* ar = a + i * ai;
    float* cr = c + i * n;
    switch (r) {
      case 1: fewRowsOf<1>(n, k, ar, ai, ap, b, cr); break;
      case 2: fewRowsOf<2>(n, k, ar, ai, ap, b, cr); break;
      case 3: fewRowsOf<3>(n, k, ar, ai, ap, b, cr); break;
      default: fewRowsOf<4>(n, k, ar, ai, ap, b, cr); break;
    }
  }
}
}  // namespace

MicroKernel<float> avx2KernelF32() { return {kRows, 16, kernelF32, nullptr, nullptr, fewRowsF32}; }
MicroKernel<double> avx2KernelF64() { return {kRows, 8, kernelF64}; }

}  // namespace nabla
#endif
