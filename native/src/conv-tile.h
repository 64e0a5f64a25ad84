// Register-tiled products for the convolutions, on operands in place (no packing): the im2col
// rows, the filter and the output gradient are read where they lie, with strides. Used where a
// packed GEMM spends more on packing than on arithmetic (few patch elements, as in a CNN's first
// layer with one input channel) and where im2col rows already sit in cache.
#pragma once

#include "common.h"

namespace nabla {

/** Largest tile: rows of C per call and columns of C per call. */
constexpr i64 kTileRows = 12;
constexpr i64 kTileCols = 32;

/**
 * C[rows x cols] = (accumulate ? C : 0) + A[rows x k] B[k x cols], float32, with rows <= kTileRows
 * and cols <= kTileCols. A's element (i, p) is a[i * aRowStride + p * aColStride]; B and C are
 * row-major with leading dimensions ldb and ldc. Sums run over p in order, with fused multiply-adds.
 */
using TileProductF32 = void (*)(i64 rows, i64 cols, i64 k, const float* a, i64 aRowStride, i64 aColStride, const float* b,
                                i64 ldb, float* c, i64 ldc, bool accumulate);

/**
 * As TileProductF32 with A's element (i, p) at a[i * aRowStride + aColOffsets[p]]: the patches of
 * a row of output pixels read straight from the input, p running over the window's taps.
 */
using TileGatherProductF32 = void (*)(i64 rows, i64 cols, i64 k, const float* a, i64 aRowStride, const i64* aColOffsets,
                                      const float* b, i64 ldb, float* c, i64 ldc, bool accumulate);

/** As TileProductF32 with A's element (i, p) at a[aRowOffsets[i] + aColOffsets[p]]. */
using TileGatherBothProductF32 = void (*)(i64 rows, i64 cols, i64 k, const float* a, const i64* aRowOffsets, const i64* aColOffsets,
                                          const float* b, i64 ldb, float* c, i64 ldc, bool accumulate);

/** The tile products for this CPU, or null where it has none (the callers then use the packed GEMM). */
TileProductF32 tileProductF32();
TileGatherProductF32 tileGatherProductF32();
TileGatherBothProductF32 tileGatherBothProductF32();

#if defined(__x86_64__) || defined(_M_X64)
/** The AVX-512 tile product (conv-tile-avx512.cc; call only when the CPU has AVX-512F). */
void tileProductAvx512(i64 rows, i64 cols, i64 k, const float* a, i64 aRowStride, i64 aColStride, const float* b, i64 ldb,
                       float* c, i64 ldc, bool accumulate);
void tileGatherProductAvx512(i64 rows, i64 cols, i64 k, const float* a, i64 aRowStride, const i64* aColOffsets, const float* b,
                             i64 ldb, float* c, i64 ldc, bool accumulate);
void tileGatherBothProductAvx512(i64 rows, i64 cols, i64 k, const float* a, const i64* aRowOffsets, const i64* aColOffsets,
                                 const float* b, i64 ldb, float* c, i64 ldc, bool accumulate);
/** The AVX2 tile products (conv-tile-avx2.cc; call only when the CPU has AVX2 and FMA): the AVX-512 ones' bits. */
void tileProductAvx2(i64 rows, i64 cols, i64 k, const float* a, i64 aRowStride, i64 aColStride, const float* b, i64 ldb, float* c,
                     i64 ldc, bool accumulate);
void tileGatherProductAvx2(i64 rows, i64 cols, i64 k, const float* a, i64 aRowStride, const i64* aColOffsets, const float* b, i64 ldb,
                           float* c, i64 ldc, bool accumulate);
void tileGatherBothProductAvx2(i64 rows, i64 cols, i64 k, const float* a, const i64* aRowOffsets, const i64* aColOffsets, const float* b,
                               i64 ldb, float* c, i64 ldc, bool accumulate);
#endif

}  // namespace nabla
