// The register-blocked micro-kernels of the BLIS-style GEMM, one per instruction set.
#pragma once

#include <cstdint>

namespace nabla {

/**
 * c[i*ldc + j] = (accumulate ? c[i*ldc + j] : 0) + sum_p a[p*mr + i] * b[p*nr + j], for the
 * full mr x nr tile. `a` and `b` are packed micro-panels, 64-byte aligned.
 */
template <typename T> struct MicroKernel {
  int mr;
  int nr;
  void (*run)(std::int64_t k, const T* a, const T* b, T* c, std::int64_t ldc, bool accumulate);
  /**
   * Optional faster packing of one micro-panel of A from `rows` (<= mr) rows with unit column
   * stride: dst[p*mr + i] = a[i*rs + p] for i < rows, 0 for rows <= i < mr; p < k. Null: the
   * portable loop in gemm.cc.
   */
  void (*packRowsA)(std::int64_t k, const T* a, std::int64_t rs, int rows, T* dst) = nullptr;
  /**
   * Optional faster packing of one full micro-panel of B from columns with unit row stride (a
   * transposed B): dst[p*nr + j] = b[j*cs + p] for j < nr, p < k. Null: the portable loop.
   */
  void (*packColumnsB)(std::int64_t k, const T* b, std::int64_t cs, T* dst) = nullptr;
  /**
   * Optional product of a few rows (batch-1 inference) with an unpacked row-major B:
   * c[i*n + j] = sum over p in order of a[i*ai + p*ap] * b[p*n + j] (a multiply, then an add:
   * no fused multiply-add), for i < rows <= 4. Null: the portable loop in matmul.cc.
   */
  void (*fewRows)(std::int64_t rows, std::int64_t n, std::int64_t k, const T* a, std::int64_t ai, std::int64_t ap, const T* b,
                  T* c) = nullptr;
  /**
   * Optional run on an unpacked A (gemm/unpacked-a.h): the full mr x nr tile with A's row i at
   * a + i*lda (unit column stride), bit-equal to packing those rows and calling run. Null: the
   * prepacked GEMM packs A.
   */
  void (*runUnpackedA)(std::int64_t k, const T* a, std::int64_t lda, const T* b, T* c, std::int64_t ldc,
                       bool accumulate) = nullptr;
  /** runUnpackedA for the tile's first nr/2 columns alone (writes no others); set with it. */
  void (*runUnpackedAHalf)(std::int64_t k, const T* a, std::int64_t lda, const T* b, T* c, std::int64_t ldc,
                           bool accumulate) = nullptr;
  /** runUnpackedA for the first `rows` (< mr) rows of the tile alone (writes no others); optional. */
  void (*runUnpackedAShort)(int rows, std::int64_t k, const T* a, std::int64_t lda, const T* b, T* c, std::int64_t ldc,
                            bool accumulate) = nullptr;
};

MicroKernel<float> scalarKernelF32();
MicroKernel<double> scalarKernelF64();
#if defined(__x86_64__) || defined(_M_X64)
MicroKernel<float> avx2KernelF32();
MicroKernel<double> avx2KernelF64();
MicroKernel<float> avx512KernelF32();
MicroKernel<double> avx512KernelF64();
#endif
#if defined(__aarch64__) || defined(_M_ARM64)
MicroKernel<float> neonKernelF32();
MicroKernel<double> neonKernelF64();
#endif
#if defined(__wasm_simd128__)
MicroKernel<float> wasmSimd128KernelF32();
MicroKernel<double> wasmSimd128KernelF64();
#endif

}  // namespace nabla
