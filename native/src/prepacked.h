// Prepacked weights of inference graphs: a matmul's or a float conv's B operand packed once into
// the GEMM's panels (gemm/gemm.h's prepackB layout) and passed to these kernel variants instead
// of being packed on every call. Each variant also takes the unpacked weight and uses it wherever
// the plain kernel would not pack (few rows, the register-tiled conv, another micro-kernel), so
// its results are always those of the plain kernel.
#pragma once

#include <vector>

#include "common.h"

namespace nabla {

/** Op codes of the `prepacked` kernel entry. */
enum class PrepackedOp : int { MatmulQuery = 0, ConvQuery = 1, Pack = 2, Matmul = 3, Conv = 4, WinogradQuery = 5, WinogradPack = 6, MatmulEpilogue = 7, ConvWinogradCached = 8, ConvEpilogue = 9 };

/** Whether matmulPrepacked would read prepacked panels for these sizes (dtype: F32 or F64). */
bool matmulUsesPrepacked(i64 m, i64 n, i64 k, bool transposeB, DType dtype);
/** Whether conv2dPrepacked would read prepacked panels for this geometry (conv2d's 19 integers). */
bool conv2dUsesPrepacked(const std::vector<i64>& params, DType dtype);

/**
 * Whether conv2dPrepacked would run Winograd on this geometry from a pack of the transformed
 * filter (prepackWinogradFilter) rather than from GEMM panels: the answers of the two queries
 * never both say yes.
 */
bool conv2dUsesWinogradPack(const std::vector<i64>& params, DType dtype);
/** The float32 filter f ([3, 3, c, o]) transformed for Winograd into `out` (conv-winograd.h's winogradPackLength). */
void prepackWinogradFilter(const Buffer& f, i64 c, i64 o, const Buffer& out);

/** Pack `groups` k x n matrices of `b` (element (i, j) of group g at (i*rowStride + (g*n + j)*colStride)) into `out`. */
void prepackWeight(const Buffer& b, i64 k, i64 n, i64 groups, i64 rowStride, i64 colStride, const Buffer& out);

/** matmul (as kernels.h's) with a prepacked copy of B. */
void matmulPrepacked(const Buffer& a, const Shape& aShape, const Buffer& b, const Shape& bShape, bool transposeA,
                     bool transposeB, const Buffer& packed, const Buffer& out);
/**
 * matmulPrepacked, then out[r, c] = act(out[r, c] + bias[c]) (fused.h's biasActivation; act -1:
 * none), applied by the GEMM to each block of rows it finishes where it reads the panels.
 */
void matmulPrepackedEpilogue(const Buffer& a, const Shape& aShape, const Buffer& b, const Shape& bShape, bool transposeA,
                             bool transposeB, const Buffer& packed, const Buffer& bias, int act, const Buffer& out);
/** Forward conv2d (as window-kernels.h's, mode 0) with a prepacked copy of the filter (GEMM panels or a Winograd pack). */
void conv2dPrepacked(const Buffer& x, const Buffer& f, const Buffer& packed, const Buffer& out, const std::vector<i64>& params);
/**
 * conv2dPrepacked, then out[pixel, c] = act(out[pixel, c] + bias[c]) (biasActivation's bits; act
 * -1: none), applied by the GEMM or the Winograd output transform as each block is finished.
 */
void conv2dPrepackedEpilogue(const Buffer& x, const Buffer& f, const Buffer& packed, const Buffer& bias, int act, const Buffer& out,
                             const std::vector<i64>& params);

/**
 * Forward conv2d (as window-kernels.h's, mode 0) where `cache` keeps a Winograd pack of the
 * filter and a copy of the filter it was made from (winogradPackLength(c, o) + 9 c o elements;
 * zeros at first): the pack is read where the copy equals f bit for bit, else remade from f first.
 * Where the geometry does not run Winograd from a pack (conv2dUsesWinogradPack) or the cache has
 * another length, the plain kernel runs. Results are those of conv2d either way.
 */
void conv2dWinogradCached(const Buffer& x, const Buffer& f, const Buffer& cache, const Buffer& out, const std::vector<i64>& params);

}  // namespace nabla
