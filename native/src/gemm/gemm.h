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
 * Set float32's cache blocking (KC, MC, NC, in elements; ignored unless all are positive): for
 * tuning only (NABLA_GEMM_TUNE natively; the wasm module's nabla_set_gemm_blocking). Not safe
 * while a GEMM runs; a B prepacked under another KC is then packed again (prepackedPanels says no).
 */
void setGemmBlockingF32(std::int64_t kc, std::int64_t mc, std::int64_t nc);

/**
 * C (m x n, row-major with leading dimension ldc) = A (m x k) B (k x n), overwriting C.
 * Uses up to `threads` threads of the current pool (one when called from a task of a parallel
 * job); packing buffers belong to the calling thread.
 */
template <typename T>
void gemm(std::int64_t m, std::int64_t n, std::int64_t k, MatrixRef<T> a, MatrixRef<T> b, T* c, std::int64_t ldc,
          int threads);

/**
 * C (rows x n, row-major) = A (element (i, p) at a[i*ai + p*ap]) times B (k x n, row-major), for
 * a few rows, with the SIMD kernel where the CPU has one: bit-equal to summing a_ip * b_pj over p
 * in order (multiply, then add). Returns false where there is none (the caller loops itself).
 */
template <typename T>
bool fewRowsProduct(std::int64_t rows, std::int64_t n, std::int64_t k, const T* a, std::int64_t ai, std::int64_t ap, const T* b,
                    T* c);

/**
 * B packed once into the micro-kernel's panels (prepacked weights of inference graphs), in a
 * buffer of `prepackedBLength` elements: a header of kPrepackedHeader elements (a marker, the
 * geometry, the micro-kernel's nr and the k blocking it was packed for, where its data starts),
 * then per group and per k block of KC rows, every nr-column panel (kc x nr, zero-padded). Each
 * group's panels take k * roundUp(n, kPrepackedColumnAlign) elements, so the length depends only
 * on k, n and groups (never on which micro-kernel runs), and start 64-byte aligned: the header's
 * slack lets the data start at the first aligned element of whatever array holds it.
 */
constexpr std::int64_t kPrepackedHeader = 32;
constexpr std::int64_t kPrepackedColumnAlign = 32;

inline std::int64_t prepackedGroupLength(std::int64_t k, std::int64_t n) {
  return k * ((n + kPrepackedColumnAlign - 1) / kPrepackedColumnAlign * kPrepackedColumnAlign);
}
inline std::int64_t prepackedBLength(std::int64_t k, std::int64_t n, std::int64_t groups) {
  return kPrepackedHeader + groups * prepackedGroupLength(k, n);
}

/**
 * Pack `groups` k x n matrices (group g's columns start g*n columns into `b`) into `dst`, a buffer
 * of prepackedBLength(k, n, groups) elements.
 */
template <typename T>
void prepackB(std::int64_t k, std::int64_t n, std::int64_t groups, MatrixRef<T> b, T* dst, std::int64_t dstLength);

/**
 * Group `group`'s panels in a buffer prepackB wrote for this geometry, or null where they cannot
 * be used as they are (another micro-kernel or k blocking, or the array now lies at an address of
 * another alignment): the caller then multiplies by the unpacked B.
 */
template <typename T>
const T* prepackedPanels(const T* buffer, std::int64_t length, std::int64_t k, std::int64_t n, std::int64_t groups,
                         std::int64_t group);

/**
 * What a prepacked GEMM applies to C after the last k block, a block of rows at a time while it is
 * still in cache: c[i, j] = act(c[i, j] + bias[j]) (gemm/epilogue.h), the bits of a separate
 * add and activation. bias: null for none; act: a unary op code (op-codes.h) or -1 for none.
 */
template <typename T> struct GemmEpilogue {
  const T* bias = nullptr;
  int act = -1;
};

/**
 * gemm with B given as prepacked panels: the same blocking, micro-kernel and order of sums as
 * gemm on the unpacked B, so the results are bit-equal; only B's packing is skipped. An epilogue
 * (optional) is applied to each finished block of C.
 */
template <typename T>
void gemmPrepacked(std::int64_t m, std::int64_t n, std::int64_t k, MatrixRef<T> a, const T* panels, T* c,
                   std::int64_t ldc, int threads, const GemmEpilogue<T>* epilogue = nullptr);

}  // namespace nabla
