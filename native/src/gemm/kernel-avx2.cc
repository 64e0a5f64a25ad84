// AVX2+FMA micro-kernels (compiled with -mavx2 -mfma; used when cpuid has them but not
// AVX-512). 6 rows x 2 vectors: 12 accumulators of the 16 ymm registers.
#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>

#include "few-rows.h"
#include "micro-kernel.h"
#include "unpacked-a.h"

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
 * AVX2's float vector for the kernels of few-rows.h and unpacked-a.h. mulAdd rounds the product
 * before the sum (few-rows.h's sums equal the reference's); fma does not (the packed kernels').
 */
struct Avx2F32 {
  using Reg = __m256;
  using Mask = __m256i;
  static constexpr int kWidth = 8, kWideBlock = 2;
  static Reg zero() { return _mm256_setzero_ps(); }
  static Reg loadAligned(const float* p) { return _mm256_load_ps(p); }
  static Reg loadu(const float* p) { return _mm256_loadu_ps(p); }
  static void storeu(float* p, Reg v) { _mm256_storeu_ps(p, v); }
  static Reg splat(float x) { return _mm256_set1_ps(x); }
  static Reg fma(Reg x, Reg y, Reg acc) { return _mm256_fmadd_ps(x, y, acc); }
  static Reg add(Reg x, Reg y) { return _mm256_add_ps(x, y); }
  static Reg loadMasked(const float* p, Mask m) { return _mm256_maskload_ps(p, m); }
  static Reg mulAdd(Reg x, Reg y, Reg acc) { return _mm256_add_ps(acc, _mm256_mul_ps(x, y)); }
  static void storeMasked(float* p, Mask m, Reg v) { _mm256_maskstore_ps(p, m, v); }
  static Mask maskOf(int lanes) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(lanes), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  }
};
struct Avx2F64 {
  using Reg = __m256d;
  static constexpr int kWidth = 4;
  static Reg zero() { return _mm256_setzero_pd(); }
  static Reg loadAligned(const double* p) { return _mm256_load_pd(p); }
  static Reg loadu(const double* p) { return _mm256_loadu_pd(p); }
  static void storeu(double* p, Reg v) { _mm256_storeu_pd(p, v); }
  static Reg splat(double x) { return _mm256_set1_pd(x); }
  static Reg fma(Reg x, Reg y, Reg acc) { return _mm256_fmadd_pd(x, y, acc); }
  static Reg add(Reg x, Reg y) { return _mm256_add_pd(x, y); }
};
}  // namespace

MicroKernel<float> avx2KernelF32() {
  MicroKernel<float> uk{kRows, 16, kernelF32, nullptr, nullptr, fewRowsProduct<Avx2F32>};
  uk.runUnpackedA = unpackedAKernel<Avx2F32, kRows, float>;
  uk.runUnpackedAHalf = unpackedAKernel<Avx2F32, kRows, float, true>;
  uk.runUnpackedAShort = unpackedAShortKernel<Avx2F32, kRows, float>;
  return uk;
}
MicroKernel<double> avx2KernelF64() {
  MicroKernel<double> uk{kRows, 8, kernelF64};
  uk.runUnpackedA = unpackedAKernel<Avx2F64, kRows, double>;
  uk.runUnpackedAHalf = unpackedAKernel<Avx2F64, kRows, double, true>;
  uk.runUnpackedAShort = unpackedAShortKernel<Avx2F64, kRows, double>;
  return uk;
}

}  // namespace nabla
#endif
