// AVX-512 micro-kernels (this file alone is compiled with -mavx512f -mfma; called only when
// cpuid says the CPU has them). 12 rows x 2 vectors: 24 accumulators of the 32 zmm registers.
#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>

#include "few-rows.h"
#include "micro-kernel.h"
#include "unpacked-a.h"

namespace nabla {

namespace {
constexpr int kRows = 12;

void kernelF32(std::int64_t k, const float* a, const float* b, float* c, std::int64_t ldc, bool accumulate) {
  __m512 c0[kRows], c1[kRows];
  // The C tile's rows lie a row stride apart (often 4 KiB: the same L1 set): fetch them while the
  // k loop runs rather than stalling on them at the end.
#pragma GCC unroll 12
  for (int i = 0; i < kRows; ++i) {
    _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc + 31), _MM_HINT_T0);
  }
#pragma GCC unroll 12
  for (int i = 0; i < kRows; ++i) c0[i] = c1[i] = _mm512_setzero_ps();
#pragma GCC unroll 2
  for (std::int64_t p = 0; p < k; ++p) {
    __m512 b0 = _mm512_load_ps(b), b1 = _mm512_load_ps(b + 16);
    // A streams from L2 (the B micro-panel is reused from L1 across the A block): one line
    // 16 steps ahead per step covers its 48 bytes a step.
    _mm_prefetch(reinterpret_cast<const char*>(a + 16 * kRows), _MM_HINT_T0);
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

// Packing transposes: four source lines (rows of A, or columns of a transposed B), 16 steps of
// k each. In-lane unpacks turn each 128-bit lane into a 4x4 transpose, so lane L of vector j
// holds the four lines' values at step 4L+j, exactly the 4-float piece the packed panel (Width
// floats per step) wants there. Much faster than the portable loop's 4-byte strided accesses.
// GCC 12 flags the unpack intrinsics' internal "undefined" pass-through operand: a false alarm.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
template <int Width, int Lane> inline void storeLane(float* dst, __m512 v) {
  _mm_storeu_ps(dst + Lane * 4 * Width, _mm512_extractf32x4_ps(v, Lane));
}
template <int Width> inline void packFourLines16(const float* src, std::int64_t stride, float* dst) {
  __m512 r0 = _mm512_loadu_ps(src), r1 = _mm512_loadu_ps(src + stride);
  __m512 r2 = _mm512_loadu_ps(src + 2 * stride), r3 = _mm512_loadu_ps(src + 3 * stride);
  __m512d t0 = _mm512_castps_pd(_mm512_unpacklo_ps(r0, r1)), t1 = _mm512_castps_pd(_mm512_unpackhi_ps(r0, r1));
  __m512d t2 = _mm512_castps_pd(_mm512_unpacklo_ps(r2, r3)), t3 = _mm512_castps_pd(_mm512_unpackhi_ps(r2, r3));
  __m512 step[4] = {_mm512_castpd_ps(_mm512_unpacklo_pd(t0, t2)), _mm512_castpd_ps(_mm512_unpackhi_pd(t0, t2)),
                    _mm512_castpd_ps(_mm512_unpacklo_pd(t1, t3)), _mm512_castpd_ps(_mm512_unpackhi_pd(t1, t3))};
#pragma GCC unroll 4
  for (int j = 0; j < 4; ++j) {
    float* out = dst + j * Width;
    storeLane<Width, 0>(out, step[j]);
    storeLane<Width, 1>(out, step[j]);
    storeLane<Width, 2>(out, step[j]);
    storeLane<Width, 3>(out, step[j]);
  }
}

/** dst[p*Width + i] = src[i*stride + p] for i < lines, 0 for lines <= i < Width; p < k. */
template <int Width> void packLines(std::int64_t k, const float* src, std::int64_t stride, int lines, float* dst) {
  const int groups = lines / 4;
  std::int64_t p = 0;
  for (; p + 16 <= k; p += 16)
    for (int g = 0; g < groups; ++g) packFourLines16<Width>(src + 4 * g * stride + p, stride, dst + p * Width + 4 * g);
  // What the transposes left: lines past the last whole group (zeros past `lines`), and the
  // steps past the last whole 16.
  for (std::int64_t q = 0; q < k; ++q)
    for (int i = q < p ? 4 * groups : 0; i < Width; ++i) dst[q * Width + i] = i < lines ? src[i * stride + q] : 0.f;
}
void packColumnsF32(std::int64_t k, const float* b, std::int64_t cs, float* dst) { packLines<32>(k, b, cs, 32, dst); }
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

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
/**
 * AVX-512's float vector for the kernels of few-rows.h and unpacked-a.h. mulAdd rounds the product
 * before the sum (few-rows.h's sums equal the reference's); fma does not (the packed kernels').
 */
struct Avx512F32 {
  using Reg = __m512;
  using Mask = __mmask16;
  static constexpr int kWidth = 16, kWideBlock = 4;
  static Reg zero() { return _mm512_setzero_ps(); }
  static Reg loadAligned(const float* p) { return _mm512_load_ps(p); }
  static Reg loadu(const float* p) { return _mm512_loadu_ps(p); }
  static void storeu(float* p, Reg v) { _mm512_storeu_ps(p, v); }
  static Reg splat(float x) { return _mm512_set1_ps(x); }
  static Reg fma(Reg x, Reg y, Reg acc) { return _mm512_fmadd_ps(x, y, acc); }
  static Reg add(Reg x, Reg y) { return _mm512_add_ps(x, y); }
  static Reg loadMasked(const float* p, Mask m) { return _mm512_maskz_loadu_ps(m, p); }
  static Reg mulAdd(Reg x, Reg y, Reg acc) { return _mm512_add_ps(acc, _mm512_mul_ps(x, y)); }
  static void storeMasked(float* p, Mask m, Reg v) { _mm512_mask_storeu_ps(p, m, v); }
  static Mask maskOf(int lanes) { return static_cast<Mask>(lanes >= 16 ? 0xFFFFu : (1u << lanes) - 1); }
};
struct Avx512F64 {
  using Reg = __m512d;
  static constexpr int kWidth = 8;
  static Reg zero() { return _mm512_setzero_pd(); }
  static Reg loadAligned(const double* p) { return _mm512_load_pd(p); }
  static Reg loadu(const double* p) { return _mm512_loadu_pd(p); }
  static void storeu(double* p, Reg v) { _mm512_storeu_pd(p, v); }
  static Reg splat(double x) { return _mm512_set1_pd(x); }
  static Reg fma(Reg x, Reg y, Reg acc) { return _mm512_fmadd_pd(x, y, acc); }
  static Reg add(Reg x, Reg y) { return _mm512_add_pd(x, y); }
};
}  // namespace

MicroKernel<float> avx512KernelF32() {
  MicroKernel<float> uk{kRows, 32, kernelF32, packLines<kRows>, packColumnsF32, fewRowsProduct<Avx512F32>};
  uk.runUnpackedA = unpackedAKernel<Avx512F32, kRows, float>;
  uk.runUnpackedAHalf = unpackedAKernel<Avx512F32, kRows, float, true>;
  uk.runUnpackedAShort = unpackedAShortKernel<Avx512F32, kRows, float>;
  return uk;
}
MicroKernel<double> avx512KernelF64() {
  MicroKernel<double> uk{kRows, 16, kernelF64};
  uk.runUnpackedA = unpackedAKernel<Avx512F64, kRows, double>;
  uk.runUnpackedAHalf = unpackedAKernel<Avx512F64, kRows, double, true>;
  uk.runUnpackedAShort = unpackedAShortKernel<Avx512F64, kRows, double>;
  return uk;
}

}  // namespace nabla
#endif
