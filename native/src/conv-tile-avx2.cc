// The AVX2 tile product of conv-tile.h (this file alone is compiled with -mavx2 -mfma; called only
// when cpuid says the CPU has them). 16 ymm registers hold at most 6 rows x 2 vectors of
// accumulators beside B's two vectors and A's broadcast, so a call's tile (up to 12 x 32) runs as
// sub-tiles of 6 x 16; each element is still one fused multiply-add per p in order from zero (or
// C), so the bits equal the AVX-512 tiles'. A row's last vector is masked where the columns end.
#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>

#include <algorithm>
#include <utility>

#include "conv-tile.h"

namespace nabla {

namespace {

constexpr int kSubRows = 6;
constexpr int kSubCols = 16;

/** Where A's element (i, p) lies: a[i * ars + p * acs], a[i * ars + colOffsets[p]] or a[rowOffsets[i] + colOffsets[p]]. */
enum class Access { Strided, GatherColumns, GatherBoth };

template <int V, bool MaskLast> inline __m256 loadVector(const float* p, int v, __m256i lastMask) {
  return MaskLast && v == V - 1 ? _mm256_maskload_ps(p, lastMask) : _mm256_loadu_ps(p);
}

template <int V, bool MaskLast> inline void storeVector(float* p, int v, __m256 x, __m256i lastMask) {
  if (MaskLast && v == V - 1) _mm256_maskstore_ps(p, lastMask, x);
  else _mm256_storeu_ps(p, x);
}

template <int R, int V, bool MaskLast, Access Mode>
void tile(i64 k, const float* a, i64 ars, i64 acs, const i64* rowOffsets, const i64* colOffsets, const float* b, i64 ldb, float* c,
          i64 ldc, __m256i lastMask, bool accumulate) {
  i64 rowAt[R];
#pragma GCC unroll 6
  for (int i = 0; i < R; ++i) rowAt[i] = Mode == Access::GatherBoth ? rowOffsets[i] : 0;
  __m256 acc[R][V];
#pragma GCC unroll 6
  for (int i = 0; i < R; ++i)
#pragma GCC unroll 2
    for (int v = 0; v < V; ++v) acc[i][v] = accumulate ? loadVector<V, MaskLast>(c + i * ldc + 8 * v, v, lastMask) : _mm256_setzero_ps();
  for (i64 p = 0; p < k; ++p) {
    __m256 bv[V];
#pragma GCC unroll 2
    for (int v = 0; v < V; ++v) bv[v] = loadVector<V, MaskLast>(b + p * ldb + 8 * v, v, lastMask);
    const float* ap = Mode == Access::Strided ? a + p * acs : a + colOffsets[p];
#pragma GCC unroll 6
    for (int i = 0; i < R; ++i) {
      const __m256 ai = _mm256_broadcast_ss(Mode == Access::GatherBoth ? ap + rowAt[i] : ap + i * ars);
#pragma GCC unroll 2
      for (int v = 0; v < V; ++v) acc[i][v] = _mm256_fmadd_ps(ai, bv[v], acc[i][v]);
    }
  }
#pragma GCC unroll 6
  for (int i = 0; i < R; ++i)
#pragma GCC unroll 2
    for (int v = 0; v < V; ++v) storeVector<V, MaskLast>(c + i * ldc + 8 * v, v, acc[i][v], lastMask);
}

using TileFn = void (*)(i64, const float*, i64, i64, const i64*, const i64*, const float*, i64, float*, i64, __m256i, bool);

template <int V, bool MaskLast, Access Mode, int... R> constexpr TileFn tileFor(int rows, std::integer_sequence<int, R...>) {
  constexpr TileFn table[] = {tile<R + 1, V, MaskLast, Mode>...};
  return table[rows - 1];
}

template <Access Mode> TileFn subTileFor(int rows, i64 cols) {
  const auto rowSeq = std::make_integer_sequence<int, kSubRows>();
  const bool mask = cols % 8 != 0;
  if (cols > 8) return mask ? tileFor<2, true, Mode>(rows, rowSeq) : tileFor<2, false, Mode>(rows, rowSeq);
  return mask ? tileFor<1, true, Mode>(rows, rowSeq) : tileFor<1, false, Mode>(rows, rowSeq);
}

template <Access Mode>
void run(i64 rows, i64 cols, i64 k, const float* a, i64 ars, i64 acs, const i64* rowOffsets, const i64* colOffsets, const float* b,
         i64 ldb, float* c, i64 ldc, bool accumulate) {
  for (i64 r0 = 0; r0 < rows; r0 += kSubRows) {
    const int subRows = static_cast<int>(std::min<i64>(kSubRows, rows - r0));
    const float* subA = Mode == Access::GatherBoth ? a : a + r0 * ars;
    const i64* subRowOffsets = Mode == Access::GatherBoth ? rowOffsets + r0 : nullptr;
    for (i64 c0 = 0; c0 < cols; c0 += kSubCols) {
      const i64 subCols = std::min<i64>(kSubCols, cols - c0);
      const int tail = static_cast<int>(subCols % 8);
      const __m256i lastMask = _mm256_cmpgt_epi32(_mm256_set1_epi32(tail), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
      subTileFor<Mode>(subRows, subCols)(k, subA, ars, acs, subRowOffsets, colOffsets, b + c0, ldb, c + r0 * ldc + c0, ldc, lastMask,
                                         accumulate);
    }
  }
}

}  // namespace

void tileProductAvx2(i64 rows, i64 cols, i64 k, const float* a, i64 aRowStride, i64 aColStride, const float* b, i64 ldb, float* c,
                     i64 ldc, bool accumulate) {
  run<Access::Strided>(rows, cols, k, a, aRowStride, aColStride, nullptr, nullptr, b, ldb, c, ldc, accumulate);
}

void tileGatherProductAvx2(i64 rows, i64 cols, i64 k, const float* a, i64 aRowStride, const i64* aColOffsets, const float* b, i64 ldb,
                           float* c, i64 ldc, bool accumulate) {
  run<Access::GatherColumns>(rows, cols, k, a, aRowStride, 0, nullptr, aColOffsets, b, ldb, c, ldc, accumulate);
}

void tileGatherBothProductAvx2(i64 rows, i64 cols, i64 k, const float* a, const i64* aRowOffsets, const i64* aColOffsets, const float* b,
                               i64 ldb, float* c, i64 ldc, bool accumulate) {
  run<Access::GatherBoth>(rows, cols, k, a, 0, 0, aRowOffsets, aColOffsets, b, ldb, c, ldc, accumulate);
}

}  // namespace nabla
#endif
