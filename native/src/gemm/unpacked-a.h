// The micro-kernel reading A where it lies (rows a row stride apart, unit column stride) rather
// than from a packed micro-panel: the prepacked GEMM of inference graphs then copies nothing per
// call (packing A was a copy of the whole left operand). Written once for every x86 vector width
// and element type; included only by a kernel file compiled for its ISA. `Vec` wraps that ISA's
// vector: Reg, kWidth (elements per vector), zero, loadAligned, loadu, storeu, splat, fma, add.
#pragma once
#include <cstdint>

namespace nabla {

/**
 * c[i*ldc + j] = (accumulate ? c[i*ldc + j] : 0) + sum_p a[i*lda + p] * b[p*2W + j], for Rows
 * rows and the panel's two vectors of columns, or (Half) only its first vector (a narrow product:
 * n = 10 would waste most of the second). The same fused multiply-adds in the same order as the
 * packed micro-kernel of the same ISA, so its results are bit-equal to packing A and running that.
 */
template <class Vec, int Rows, typename T, bool Half = false>
void unpackedAKernel(std::int64_t k, const T* a, std::int64_t lda, const T* b, T* c, std::int64_t ldc, bool accumulate) {
  using Reg = typename Vec::Reg;
  constexpr int W = Vec::kWidth;
  // A's rows stream from memory: each row crosses a 64-byte line every 64/sizeof(T) steps.
  constexpr std::int64_t kLine = 64 / sizeof(T);
  Reg c0[Rows], c1[Rows];
  const T* rows[Rows];
#pragma GCC unroll 16
  for (int i = 0; i < Rows; ++i) {
    rows[i] = a + i * lda;
    c0[i] = c1[i] = Vec::zero();
  }
  std::int64_t p = 0;
  auto step = [&](std::int64_t q) {
    const Reg b0 = Vec::loadAligned(b + q * 2 * W), b1 = Half ? b0 : Vec::loadAligned(b + q * 2 * W + W);
#pragma GCC unroll 16
    for (int i = 0; i < Rows; ++i) {
      const Reg ai = Vec::splat(rows[i][q]);
      c0[i] = Vec::fma(ai, b0, c0[i]);
      if (!Half) c1[i] = Vec::fma(ai, b1, c1[i]);
    }
  };
  for (; p + kLine <= k; p += kLine) {
#pragma GCC unroll 16
    for (int i = 0; i < Rows; ++i) __builtin_prefetch(rows[i] + p + 4 * kLine);
#pragma GCC unroll 16
    for (std::int64_t q = 0; q < kLine; ++q) step(p + q);
  }
  for (; p < k; ++p) step(p);
#pragma GCC unroll 16
  for (int i = 0; i < Rows; ++i) {
    T* row = c + i * ldc;
    if (accumulate) c0[i] = Vec::add(c0[i], Vec::loadu(row));
    Vec::storeu(row, c0[i]);
    if (Half) continue;
    if (accumulate) c1[i] = Vec::add(c1[i], Vec::loadu(row + W));
    Vec::storeu(row + W, c1[i]);
  }
}

/**
 * unpackedAKernel for the `rows` (1 <= rows < MaxRows) rows left below a matrix's last whole
 * tile, writing only those rows: each row sums exactly as in the full tile, so the bits are those
 * of packing the rows with zero padding and running the full kernel, at a fraction of its work
 * (a 49-row product, ResNet's 7x7 layers at batch 1, ran its 49th row as a whole 12-row tile).
 */
template <class Vec, int MaxRows, typename T, int Rows = 1>
void unpackedAShortKernel(int rows, std::int64_t k, const T* a, std::int64_t lda, const T* b, T* c, std::int64_t ldc, bool accumulate) {
  if constexpr (Rows < MaxRows) {
    if (rows == Rows) return unpackedAKernel<Vec, Rows, T>(k, a, lda, b, c, ldc, accumulate);
    return unpackedAShortKernel<Vec, MaxRows, T, Rows + 1>(rows, k, a, lda, b, c, ldc, accumulate);
  }
}

}  // namespace nabla
