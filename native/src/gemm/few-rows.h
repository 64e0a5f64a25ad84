// The product of a few rows of A (batch-1 inference) with an unpacked row-major B, written once
// for every SIMD width. Included only by a kernel file compiled for its ISA; `Lanes` wraps that
// ISA's vector: Reg, Mask, kWidth (floats per vector), kWideBlock (vectors per wide block), and
// zero, loadu, loadMasked, splat, mulAdd (multiply, then add: not fused), storeu, storeMasked,
// maskOf(lanesLeft).
#pragma once
#include <cstdint>

namespace nabla {

/**
 * Rows x kWidth*V columns of C accumulated in registers over the whole k: each B row segment is
 * loaded once for all rows. Masked: only `mask`'s lanes of the last vector exist. Multiply then
 * add, as the portable loop does, so the result is bit-equal to it.
 */
template <class Lanes, int Rows, int V, bool Masked>
void fewRowsBlock(std::int64_t n, std::int64_t k, const float* a, std::int64_t ai, std::int64_t ap, const float* b, float* c,
                  typename Lanes::Mask mask) {
  using Reg = typename Lanes::Reg;
  constexpr int W = Lanes::kWidth;
  Reg acc[Rows][V];
#pragma GCC unroll 4
  for (int i = 0; i < Rows; ++i)
#pragma GCC unroll 4
    for (int v = 0; v < V; ++v) acc[i][v] = Lanes::zero();
  for (std::int64_t p = 0; p < k; ++p) {
    const float* row = b + p * n;
    Reg bv[V];
#pragma GCC unroll 4
    for (int v = 0; v < V; ++v) bv[v] = Masked && v == V - 1 ? Lanes::loadMasked(row + W * v, mask) : Lanes::loadu(row + W * v);
#pragma GCC unroll 4
    for (int i = 0; i < Rows; ++i) {
      const Reg av = Lanes::splat(a[i * ai + p * ap]);
#pragma GCC unroll 4
      for (int v = 0; v < V; ++v) acc[i][v] = Lanes::mulAdd(av, bv[v], acc[i][v]);
    }
  }
#pragma GCC unroll 4
  for (int i = 0; i < Rows; ++i)
#pragma GCC unroll 4
    for (int v = 0; v < V; ++v) {
      float* out = c + i * n + W * v;
      if (Masked && v == V - 1) Lanes::storeMasked(out, mask, acc[i][v]);
      else Lanes::storeu(out, acc[i][v]);
    }
}

/** Rows rows of C: wide blocks, then single vectors, then one masked vector for the tail. */
template <class Lanes, int Rows>
void fewRowsOf(std::int64_t n, std::int64_t k, const float* a, std::int64_t ai, std::int64_t ap, const float* b, float* c) {
  constexpr int W = Lanes::kWidth, wide = Lanes::kWideBlock;
  const typename Lanes::Mask all = Lanes::maskOf(W);
  std::int64_t j = 0;
  for (; j + W * wide <= n; j += W * wide) fewRowsBlock<Lanes, Rows, wide, false>(n, k, a, ai, ap, b + j, c + j, all);
  for (; j + W <= n; j += W) fewRowsBlock<Lanes, Rows, 1, false>(n, k, a, ai, ap, b + j, c + j, all);
  if (j < n) fewRowsBlock<Lanes, Rows, 1, true>(n, k, a, ai, ap, b + j, c + j, Lanes::maskOf(static_cast<int>(n - j)));
}

/** C = A B for `rows` rows of A (stride ai between rows, ap between a row's elements), four at a time. */
template <class Lanes>
void fewRowsProduct(std::int64_t rows, std::int64_t n, std::int64_t k, const float* a, std::int64_t ai, std::int64_t ap,
                    const float* b, float* c) {
  for (std::int64_t i = 0; i < rows; i += 4) {
    const float* ar = a + i * ai;
    float* cr = c + i * n;
    switch (rows - i < 4 ? rows - i : 4) {
      case 1: fewRowsOf<Lanes, 1>(n, k, ar, ai, ap, b, cr); break;
      case 2: fewRowsOf<Lanes, 2>(n, k, ar, ai, ap, b, cr); break;
      case 3: fewRowsOf<Lanes, 3>(n, k, ar, ai, ap, b, cr); break;
      default: fewRowsOf<Lanes, 4>(n, k, ar, ai, ap, b, cr); break;
    }
  }
}

}  // namespace nabla
