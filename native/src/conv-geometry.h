// The geometry of a 2-D convolution over NHWC inputs and [kh, kw, c/groups, o] filters, and the
// pieces its kernels share: im2col and its adjoint, per-thread scratch, the row split between
// threads. conv.cc holds the entry point and the packed-GEMM and depthwise paths, conv-tiled.cc
// the register-tiled ones.
#pragma once

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "claimed-blocks.h"
#include "common.h"
#include "gemm/gemm.h"
#include "thread-pool.h"
#include "window-kernels.h"

namespace nabla {
namespace convimpl {

struct ConvGeometry {
  i64 n, h, w, c, kh, kw, cg, o, oh, ow, sh, sw, dh, dw, top, bottom, left, right, groups, og;
  i64 pixels() const { return oh * ow; }           // output pixels per image
  i64 patch() const { return kh * kw * cg; }        // im2col columns per group
  bool pointwise() const {                          // the input is its own im2col matrix
    return kh == 1 && kw == 1 && sh == 1 && sw == 1 && top == 0 && left == 0 && oh == h && ow == w;
  }
  bool depthwise() const { return cg == 1 && groups > 1; }
};

/** Output length of a window along one axis, or -1 where the window does not fit. */
inline i64 windowOut(i64 in, i64 k, i64 stride, i64 dilation, i64 before, i64 after) {
  const i64 span = in + before + after - ((k - 1) * dilation + 1);
  return span < 0 ? -1 : span / stride + 1;
}

/** conv2d's 19 geometry integers (window-kernels.h), checked; errors name `op` (conv2d, fusedConvPool). */
inline ConvGeometry parseConvGeometry(const std::vector<i64>& p, const std::string& op) {
  const auto str = [](i64 v) { return std::to_string(v); };
  if (static_cast<int>(p.size()) != kConvParamCount) throw InputError(op + ": expected 19 conv geometry integers");
  for (i64 v : p)
    if (v < 0 || v > (i64{1} << 40)) throw InputError(op + ": conv geometry value " + str(v) + " out of range");
  ConvGeometry g{p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10], p[11], p[12], p[13], p[14], p[15], p[16], p[17], p[18], 0};
  if (g.sh < 1 || g.sw < 1 || g.dh < 1 || g.dw < 1) throw InputError(op + ": conv strides and dilations must be >= 1");
  if (g.groups < 1 || g.cg * g.groups != g.c || g.o % g.groups != 0)
    throw InputError(op + ": " + str(g.c) + " input channels and " + str(g.o) + " output channels do not split into " + str(g.groups) +
                     " groups of " + str(g.cg) + " input channels");
  if (g.kh < 1 || g.kw < 1) throw InputError(op + ": the filter window must be at least 1x1");
  if (windowOut(g.h, g.kh, g.sh, g.dh, g.top, g.bottom) != g.oh || windowOut(g.w, g.kw, g.sw, g.dw, g.left, g.right) != g.ow)
    throw InputError(op + ": conv output size " + str(g.oh) + "x" + str(g.ow) + " does not follow from input " + str(g.h) + "x" +
                     str(g.w) + " and the window");
  g.og = g.o / g.groups;
  return g;
}

/** Scratch that lives as long as its thread (pool threads persist), grown on demand; one per Slot. */
template <typename T, int Slot = 0> T* threadScratch(std::size_t count) {
  thread_local std::vector<T> buf;
  if (buf.size() < count) buf.resize(count);
  return buf.data();
}

/** Rows of one im2col block: about a megabyte of patches, at least one row. */
inline i64 blockRows(const ConvGeometry& g, std::size_t elementBytes) {
  i64 budget = static_cast<i64>((1 << 20) / elementBytes);
  return std::max<i64>(1, budget / std::max<i64>(1, g.patch()));
}

/**
 * im2col with the length of a window row's run known at compile time when RunLen > 0: a first
 * layer's runs are a few elements, and a memcpy call with a run-time size costs more than the
 * copy (a plain loop is no better: the compiler turns it back into that call).
 */
template <typename T, i64 RunLen> void im2colRuns(const ConvGeometry& g, const T* x, i64 gi, i64 r0, i64 r1, T* col) {
  const i64 K = g.patch(), P = g.pixels(), rowLen = g.kw * g.cg;
  // One group, no dilation along w: the kw taps of a window row are one contiguous run of the input.
  const bool contiguousTaps = g.groups == 1 && g.dw == 1;
  i64 b = r0 / P, i = (r0 % P) / g.ow, j = r0 % g.ow;
  for (i64 r = r0; r < r1; ++r) {
    const i64 iw0 = j * g.sw - g.left;
    const bool insideW = iw0 >= 0 && iw0 + (g.kw - 1) * g.dw < g.w;
    T* dst = col + (r - r0) * K;
    for (i64 p = 0; p < g.kh; ++p, dst += rowLen) {
      const i64 ih = i * g.sh - g.top + p * g.dh;
      if (ih < 0 || ih >= g.h) {
        std::fill(dst, dst + rowLen, T(0));
        continue;
      }
      const T* row = x + (b * g.h + ih) * g.w * g.c + gi * g.cg;
      if (contiguousTaps && insideW) {
        std::memcpy(dst, row + iw0 * g.c, sizeof(T) * static_cast<std::size_t>(RunLen > 0 ? RunLen : rowLen));
        continue;
      }
      for (i64 q = 0; q < g.kw; ++q) {
        const i64 iw = iw0 + q * g.dw;
        if (iw < 0 || iw >= g.w) std::fill(dst + q * g.cg, dst + (q + 1) * g.cg, T(0));
        else std::memcpy(dst + q * g.cg, row + iw * g.c, sizeof(T) * static_cast<std::size_t>(g.cg));
      }
    }
    if (++j == g.ow) {
      j = 0;
      if (++i == g.oh) i = 0, ++b;
    }
  }
}

/** Copy the patches of output rows [r0, r1) (global pixel indices) of group gi into col [rows, patch]. */
template <typename T> void im2col(const ConvGeometry& g, const T* x, i64 gi, i64 r0, i64 r1, T* col) {
  switch (g.groups == 1 ? g.kw * g.cg : 0) {
    case 1: return im2colRuns<T, 1>(g, x, gi, r0, r1, col);
    case 2: return im2colRuns<T, 2>(g, x, gi, r0, r1, col);
    case 3: return im2colRuns<T, 3>(g, x, gi, r0, r1, col);
    case 4: return im2colRuns<T, 4>(g, x, gi, r0, r1, col);
    case 5: return im2colRuns<T, 5>(g, x, gi, r0, r1, col);
    case 6: return im2colRuns<T, 6>(g, x, gi, r0, r1, col);
    case 7: return im2colRuns<T, 7>(g, x, gi, r0, r1, col);
    case 9: return im2colRuns<T, 9>(g, x, gi, r0, r1, col);
    default: return im2colRuns<T, 0>(g, x, gi, r0, r1, col);
  }
}

/** Add col [rows, patch] of output rows [r0, r1) of group gi back onto the input pixels (the adjoint of im2col). */
template <typename T> void col2imAdd(const ConvGeometry& g, const T* col, i64 gi, i64 r0, i64 r1, T* dx) {
  const i64 K = g.patch(), P = g.pixels(), rowLen = g.kw * g.cg;
  // One group, no dilation along w: a window row's taps are one contiguous run of dx.
  const bool contiguousTaps = g.groups == 1 && g.dw == 1;
  i64 b = r0 / P, i = (r0 % P) / g.ow, j = r0 % g.ow;
  for (i64 r = r0; r < r1; ++r) {
    const i64 iw0 = j * g.sw - g.left;
    const bool insideW = iw0 >= 0 && iw0 + (g.kw - 1) * g.dw < g.w;
    const T* src = col + (r - r0) * K;
    for (i64 p = 0; p < g.kh; ++p, src += rowLen) {
      const i64 ih = i * g.sh - g.top + p * g.dh;
      if (ih < 0 || ih >= g.h) continue;
      T* row = dx + (b * g.h + ih) * g.w * g.c + gi * g.cg;
      if (contiguousTaps && insideW) {
        T* __restrict d = row + iw0 * g.c;
        for (i64 k = 0; k < rowLen; ++k) d[k] += src[k];
        continue;
      }
      for (i64 q = 0; q < g.kw; ++q) {
        const i64 iw = iw0 + q * g.dw;
        if (iw < 0 || iw >= g.w) continue;
        T* __restrict d = row + iw * g.c;
        for (i64 ci = 0; ci < g.cg; ++ci) d[ci] += src[q * g.cg + ci];
      }
    }
    if (++j == g.ow) {
      j = 0;
      if (++i == g.oh) i = 0, ++b;
    }
  }
}

/** Run body(tid, r0, r1) over [0, rows) split between `threads` pool threads. */
template <typename F> void splitRows(i64 rows, int threads, F&& body) {
  if (threads <= 1) {
    body(0, i64{0}, rows);
    return;
  }
  auto task = [&](int tid) {
    i64 r0, r1;
    splitRange(rows, threads, tid, r0, r1);
    if (r0 < r1) body(tid, r0, r1);
  };
  ThreadPool::current().run(threads, TaskRef(task));
}

inline int threadsForRows(i64 rows, i64 flops) {
  int t = threadsFor(flops / 4);
  return static_cast<int>(std::min<i64>(t, std::max<i64>(1, rows)));
}

/** Floats of partial filter sums worth keeping (about 4 MiB in float32). */
inline constexpr i64 kPartialBudget = i64{1} << 20;
/** The most chunks a filter gradient's rows fall into (a few per thread). */
inline constexpr i64 kFilterGradChunks = 8;

/** How many chunks a filter gradient of `filterSize` elements may have: fewer for large filters, so the partials stay a few MiB. */
inline i64 maxFilterGradChunks(i64 filterSize) {
  return std::clamp<i64>(kPartialBudget / std::max<i64>(1, filterSize), 2, kFilterGradChunks);
}

/**
 * Chunks for a filter gradient of `macs` multiply-adds that the tile path does not take: about one per
 * thread the work could use (threadsFor's measure), each at least 64 multiply-adds per filter element so that
 * adding its partial up costs little. From the sizes alone.
 */
inline i64 filterGradChunks(i64 macs, i64 filterSize) {
  const i64 byWork = macs / 4 / kMinWorkPerThread, byPartials = macs / (64 * std::max<i64>(1, filterSize));
  return std::clamp<i64>(std::min(byWork, byPartials), 1, maxFilterGradChunks(filterSize));
}

/**
 * Sums a filter gradient over `rows` falling into `chunks` fixed parts: each part sums its rows into its own
 * partial filter (accumulate(r0, r1, acc) adds onto acc, which starts at zero), the pool's threads claim the
 * parts, and the partials add up in part order. `chunks` must come from the sizes alone, never the thread
 * count, so that the bits are the same for any thread count and timing.
 */
template <typename T, int Slot = 2, typename F>
void sumOverChunks(i64 rows, i64 chunks, int threads, i64 filterSize, T* df, F&& accumulate) {
  chunks = std::clamp<i64>(chunks, 1, std::max<i64>(1, rows));
  T* partials = threadScratch<T, Slot>(static_cast<std::size_t>((chunks - 1) * filterSize));
  forEachClaimedBlock(chunks, 1, threads, [&](i64 chunk, i64) {
    T* acc = chunk == 0 ? df : partials + (chunk - 1) * filterSize;
    std::fill(acc, acc + filterSize, T(0));
    i64 r0, r1;
    splitRange(rows, static_cast<int>(chunks), static_cast<int>(chunk), r0, r1);
    accumulate(r0, r1, acc);
  });
  for (i64 chunk = 1; chunk < chunks; ++chunk) {
    const T* part = partials + (chunk - 1) * filterSize;
    for (i64 i = 0; i < filterSize; ++i) df[i] += part[i];
  }
}

/**
 * Register-tiled float32 paths (conv-tiled.cc): each runs the whole op and returns true, or
 * returns false at once where the CPU has no tile product or the shape suits the packed GEMM better.
 */
bool forwardTiled(const ConvGeometry& g, const float* x, const float* f, float* y);
bool inputGradTiled(const ConvGeometry& g, const float* dy, const float* f, float* dx);
bool filterGradTiled(const ConvGeometry& g, const float* x, const float* dy, float* df);

}  // namespace convimpl
}  // namespace nabla
