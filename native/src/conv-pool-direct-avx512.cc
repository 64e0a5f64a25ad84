// The AVX-512 kernel of conv-pool-direct.h (compiled with -mavx512f -mfma, called only where
// cpuid says the CPU has them). Up to 4 conv pixels of a pool window x 4 vectors of 16 channels:
// 16 accumulators, each one chain of fused multiply-adds over the taps from zero, as the tile
// product (conv-tile-avx512.cc) sums them, so the conv values are the tiled path's bits.
#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>

#include <algorithm>
#include <limits>
#include <utility>

#include "conv-pool-direct.h"

namespace nabla {

namespace {

constexpr int kMaxCells = 4;
constexpr int kMaxVectors = 4;

/** acc[r][v] = the conv of cell r (its first tap at cells[r]) for channels [16v, 16v + 16) of this block. */
template <int R, int V>
void sumCells(const float* const* cells, const i64* taps, i64 K, const float* f, i64 o, __mmask16 lastMask,
              __m512 (&acc)[kMaxCells][kMaxVectors]) {
  __mmask16 mask[V];
#pragma GCC unroll 4
  for (int v = 0; v < V; ++v) mask[v] = v == V - 1 ? lastMask : __mmask16(0xFFFF);
  __m512 sum[R][V];
#pragma GCC unroll 4
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 4
    for (int v = 0; v < V; ++v) sum[r][v] = _mm512_setzero_ps();
  for (i64 p = 0; p < K; ++p) {
    __m512 bv[V];
#pragma GCC unroll 4
    for (int v = 0; v < V; ++v) bv[v] = _mm512_maskz_loadu_ps(mask[v], f + p * o + 16 * v);
    const i64 tap = taps[p];
#pragma GCC unroll 4
    for (int r = 0; r < R; ++r) {
      const __m512 a = _mm512_set1_ps(cells[r][tap]);
#pragma GCC unroll 4
      for (int v = 0; v < V; ++v) sum[r][v] = _mm512_fmadd_ps(a, bv[v], sum[r][v]);
    }
  }
#pragma GCC unroll 4
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 4
    for (int v = 0; v < V; ++v) acc[r][v] = sum[r][v];
}

using SumFn = void (*)(const float* const*, const i64*, i64, const float*, i64, __mmask16, __m512 (&)[kMaxCells][kMaxVectors]);

template <int V, int... R> constexpr SumFn sumFor(int cells, std::integer_sequence<int, R...>) {
  constexpr SumFn table[] = {sumCells<R + 1, V>...};
  return table[cells - 1];
}

SumFn sumFn(int cells, int vectors) {
  const auto seq = std::make_integer_sequence<int, kMaxCells>();
  switch (vectors) {
    case 1: return sumFor<1>(cells, seq);
    case 2: return sumFor<2>(cells, seq);
    case 3: return sumFor<3>(cells, seq);
    default: return sumFor<4>(cells, seq);
  }
}

/** v > 0 ? v : (v == v ? 0 : v), unary.cc's relu. */
inline __m512 relu(__m512 v) {
  const __mmask16 keep = _mm512_cmp_ps_mask(v, _mm512_setzero_ps(), _CMP_GT_OQ) | _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q);
  return _mm512_maskz_mov_ps(keep, v);
}

/** pool.cc's max step: v replaces best where v > best, or v is NaN and best is not. */
inline __m512 maxStep(__m512 best, __m512 v) {
  const __mmask16 wins = _mm512_cmp_ps_mask(v, best, _CMP_GT_OQ) |
                         (_mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q) & _mm512_cmp_ps_mask(best, best, _CMP_ORD_Q));
  return _mm512_mask_blend_ps(wins, best, v);
}

}  // namespace

void convPoolDirectRowAvx512(const DirectConvPoolShape& s, const float* image, const i64* taps, const float* filter, const float* bias,
                             bool relu, i64 i, float* out) {
  // The pool window's rows [a0, a1) of the conv output (its real cells only, as pool.cc's windowAt).
  const i64 top = i * s.psh - s.ptop;
  const i64 a0 = std::max<i64>(top, 0), a1 = std::min(top + s.ph, s.oh);
  const float* cells[kMaxCells * 4];
  for (i64 cb = 0; cb < s.o; cb += 16 * kMaxVectors) {
    const i64 width = std::min<i64>(16 * kMaxVectors, s.o - cb);
    const int vectors = static_cast<int>((width + 15) / 16);
    const i64 tail = width - 16 * (vectors - 1);
    const __mmask16 lastMask = static_cast<__mmask16>(tail >= 16 ? 0xFFFF : (1u << tail) - 1);
    __m512 biasV[kMaxVectors];
    for (int v = 0; v < vectors; ++v) {
      const __mmask16 m = v == vectors - 1 ? lastMask : __mmask16(0xFFFF);
      biasV[v] = bias ? _mm512_maskz_loadu_ps(m, bias + cb + 16 * v) : _mm512_setzero_ps();
    }
    const float* f = filter + cb;
    for (i64 j = 0; j < s.pout; ++j) {
      const i64 left = j * s.psw - s.pleft;
      const i64 b0 = std::max<i64>(left, 0), b1 = std::min(left + s.pw, s.ow);
      float* dst = out + j * s.o + cb;
      __m512 best[kMaxVectors];
      if (a1 <= a0 || b1 <= b0) {
        for (int v = 0; v < vectors; ++v) best[v] = _mm512_set1_ps(-std::numeric_limits<float>::infinity());
      } else {
        // The window's cells in row-major order (pool.cc's order), summed up to kMaxCells at a time.
        bool first = true;
        int count = 0;
        const auto flush = [&]() {
          __m512 acc[kMaxCells][kMaxVectors];
          sumFn(count, vectors)(cells, taps, s.K, f, s.o, lastMask, acc);
          for (int r = 0; r < count; ++r)
            for (int v = 0; v < vectors; ++v) {
              __m512 y = acc[r][v];
              if (bias) y = _mm512_add_ps(y, biasV[v]);
              if (relu) y = nabla::relu(y);
              best[v] = first ? y : maxStep(best[v], y);
              if (v == vectors - 1) first = false;
            }
          count = 0;
        };
        for (i64 a = a0; a < a1; ++a)
          for (i64 b = b0; b < b1; ++b) {
            cells[count++] = image + (a * s.sh * s.w + b * s.sw) * s.c;
            if (count == kMaxCells) flush();
          }
        if (count > 0) flush();
      }
      for (int v = 0; v < vectors; ++v) _mm512_mask_storeu_ps(dst + 16 * v, v == vectors - 1 ? lastMask : __mmask16(0xFFFF), best[v]);
    }
  }
}

}  // namespace nabla
#endif
