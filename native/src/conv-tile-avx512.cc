// The AVX-512 tile product of conv-tile.h (this file alone is compiled with -mavx512f -mfma;
// called only when cpuid says the CPU has them). Up to 12 rows x 2 vectors: 24 accumulators of
// the 32 zmm registers; the last vector of a row is masked, so any column count up to 32 works.
#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>

#include <utility>

#include "conv-tile.h"

namespace nabla {

namespace {

/** Where A's element (i, p) lies: a[i * ars + p * acs], a[i * ars + colOffsets[p]] or a[rowOffsets[i] + colOffsets[p]]. */
enum class Access { Strided, GatherColumns, GatherBoth };

template <int R, int V, Access Mode>
void tile(i64 k, const float* a, i64 ars, i64 acs, const i64* rowOffsets, const i64* colOffsets, const float* b, i64 ldb, float* c,
          i64 ldc, __mmask16 lastMask, bool accumulate) {
  i64 rowAt[R];
#pragma GCC unroll 12
  for (int i = 0; i < R; ++i) rowAt[i] = Mode == Access::GatherBoth ? rowOffsets[i] : 0;
  __mmask16 mask[V];
#pragma GCC unroll 2
  for (int v = 0; v < V; ++v) mask[v] = v == V - 1 ? lastMask : __mmask16(0xFFFF);
  __m512 acc[R][V];
#pragma GCC unroll 12
  for (int i = 0; i < R; ++i)
#pragma GCC unroll 2
    for (int v = 0; v < V; ++v)
      acc[i][v] = accumulate ? _mm512_maskz_loadu_ps(mask[v], c + i * ldc + 16 * v) : _mm512_setzero_ps();
  for (i64 p = 0; p < k; ++p) {
    __m512 bv[V];
#pragma GCC unroll 2
    for (int v = 0; v < V; ++v) bv[v] = _mm512_maskz_loadu_ps(mask[v], b + p * ldb + 16 * v);
    const float* ap = Mode == Access::Strided ? a + p * acs : a + colOffsets[p];
#pragma GCC unroll 12
    for (int i = 0; i < R; ++i) {
      const __m512 ai = _mm512_set1_ps(Mode == Access::GatherBoth ? ap[rowAt[i]] : ap[i * ars]);
#pragma GCC unroll 2
      for (int v = 0; v < V; ++v) acc[i][v] = _mm512_fmadd_ps(ai, bv[v], acc[i][v]);
    }
  }
#pragma GCC unroll 12
  for (int i = 0; i < R; ++i)
#pragma GCC unroll 2
    for (int v = 0; v < V; ++v) _mm512_mask_storeu_ps(c + i * ldc + 16 * v, mask[v], acc[i][v]);
}

using TileFn = void (*)(i64, const float*, i64, i64, const i64*, const i64*, const float*, i64, float*, i64, __mmask16, bool);

template <int V, Access Mode, int... R> constexpr TileFn tileFor(int rows, std::integer_sequence<int, R...>) {
  constexpr TileFn table[] = {tile<R + 1, V, Mode>...};
  return table[rows - 1];
}

template <Access Mode>
void run(i64 rows, i64 cols, i64 k, const float* a, i64 ars, i64 acs, const i64* rowOffsets, const i64* colOffsets, const float* b,
         i64 ldb, float* c, i64 ldc, bool accumulate) {
  if (rows <= 0 || cols <= 0) return;
  const int vectors = cols > 16 ? 2 : 1;
  const i64 tail = cols - 16 * (vectors - 1);
  const __mmask16 lastMask = static_cast<__mmask16>(tail >= 16 ? 0xFFFF : (1u << tail) - 1);
  const auto rowSeq = std::make_integer_sequence<int, static_cast<int>(kTileRows)>();
  const TileFn fn = vectors == 2 ? tileFor<2, Mode>(static_cast<int>(rows), rowSeq) : tileFor<1, Mode>(static_cast<int>(rows), rowSeq);
  fn(k, a, ars, acs, rowOffsets, colOffsets, b, ldb, c, ldc, lastMask, accumulate);
}

}  // namespace

void tileProductAvx512(i64 rows, i64 cols, i64 k, const float* a, i64 aRowStride, i64 aColStride, const float* b, i64 ldb,
                       float* c, i64 ldc, bool accumulate) {
  run<Access::Strided>(rows, cols, k, a, aRowStride, aColStride, nullptr, nullptr, b, ldb, c, ldc, accumulate);
}

void tileGatherProductAvx512(i64 rows, i64 cols, i64 k, const float* a, i64 aRowStride, const i64* aColOffsets, const float* b,
                             i64 ldb, float* c, i64 ldc, bool accumulate) {
  run<Access::GatherColumns>(rows, cols, k, a, aRowStride, 0, nullptr, aColOffsets, b, ldb, c, ldc, accumulate);
}

void tileGatherBothProductAvx512(i64 rows, i64 cols, i64 k, const float* a, const i64* aRowOffsets, const i64* aColOffsets,
                                 const float* b, i64 ldb, float* c, i64 ldc, bool accumulate) {
  run<Access::GatherBoth>(rows, cols, k, a, 0, 0, aRowOffsets, aColOffsets, b, ldb, c, ldc, accumulate);
}

}  // namespace nabla
#endif
