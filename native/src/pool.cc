// Max and average pooling over NHWC inputs and their gradients, with the semantics of the
// reference kernels (src/ops/primitives/pool.ts): padded cells never take part, a max keeps the
// first maximum (NaN wins), an average divides by the count of real cells. Sums are kept in
// double and gradients scattered per image in output order, as the reference does, so results
// match it bit for bit.
#include <algorithm>
#include <cmath>
#include <limits>
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "claimed-blocks.h"
#include "kernels.h"
#include "thread-pool.h"
#include "window-kernels.h"

namespace nabla {

namespace {

struct PoolGeometry {
  i64 n, h, w, c, oh, ow, ph, pw, sh, sw, top, bottom, left, right;
};

/** The real input cells under output pixel (i, j): rows [p0, p1), columns [q0, q1). */
struct Window {
  i64 p0, p1, q0, q1;
  i64 count() const { return (p1 - p0) * (q1 - q0); }
};

Window windowAt(const PoolGeometry& g, i64 i, i64 j) {
  const i64 ih = i * g.sh - g.top, iw = j * g.sw - g.left;
  return {std::max<i64>(ih, 0), std::min(ih + g.ph, g.h), std::max<i64>(iw, 0), std::min(iw + g.pw, g.w)};
}

PoolGeometry parseGeometry(const std::vector<i64>& p) {
  if (static_cast<int>(p.size()) != kPoolParamCount) throw InputError("pool2d: expected 14 geometry integers");
  for (i64 v : p)
    if (v < 0 || v > (i64{1} << 40)) throw InputError("pool2d: geometry value " + std::to_string(v) + " out of range");
  PoolGeometry g{p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10], p[11], p[12], p[13]};
  if (g.ph < 1 || g.pw < 1 || g.sh < 1 || g.sw < 1) throw InputError("pool2d: pool size and strides must be >= 1");
  auto out = [](i64 in, i64 k, i64 s, i64 a, i64 b) { return in + a + b < k ? -1 : (in + a + b - k) / s + 1; };
  if (out(g.h, g.ph, g.sh, g.top, g.bottom) != g.oh || out(g.w, g.pw, g.sw, g.left, g.right) != g.ow)
    throw InputError("pool2d: output size " + std::to_string(g.oh) + "x" + std::to_string(g.ow) + " does not follow from input " +
                     std::to_string(g.h) + "x" + std::to_string(g.w) + " and the window");
  return g;
}

template <typename T> inline bool beats(T v, T best) { return v > best || (v != v && best == best); }

// The channel loops below are written without branches (bitwise & and |, selects) so that the
// compiler vectorises them; short-circuit && and || would make them control flow.

/** Index of a window cell per channel, as wide as T so compare-and-select vectorises. */
template <typename T> using CellIndex = std::conditional_t<sizeof(T) == 4, std::int32_t, std::int64_t>;

/** Channels handled together: small fixed-size arrays the compiler keeps in vector registers. */
constexpr i64 kChannelChunk = 64;

/** Scratch that lives as long as its thread (pool threads persist), grown on demand; one per Slot. */
template <typename T, int Slot = 0> T* threadScratch(std::size_t count) {
  thread_local std::vector<T> buf;
  if (buf.size() < count) buf.resize(count);
  return buf.data();
}

/** best = max(best, in) per channel with beats (NaN wins, ties keep best). */
template <typename T> inline void maxInto(T* __restrict best, const T* __restrict in, i64 len) {
  for (i64 k = 0; k < len; ++k) {
    const T v = in[k], b = best[k];
    best[k] = (v > b) | ((v != v) & (b == b)) ? v : b;
  }
}

/** As maxInto, also recording in arg the cell where each channel's best came from. */
template <typename T>
inline void maxArgInto(T* __restrict best, CellIndex<T>* __restrict arg, const T* __restrict in, CellIndex<T> cell, i64 len) {
  for (i64 k = 0; k < len; ++k) {
    const T v = in[k], b = best[k];
    const bool wins = (v > b) | ((v != v) & (b == b));
    best[k] = wins ? v : b;
    arg[k] = wins ? cell : arg[k];
  }
}

/** out = grad where arg is this cell, else 0; -0 becomes +0, as a sum from zero would give. */
template <typename T>
inline void putAtArg(T* __restrict out, const T* __restrict grad, const CellIndex<T>* __restrict arg, CellIndex<T> cell, i64 len) {
  for (i64 k = 0; k < len; ++k) {
    const T g = grad[k];
    out[k] = (arg[k] == cell) & (g != T(0)) ? g : T(0);
  }
}

/** out[0..len) = the max over the window's cells of `base` (an image); no cells give -infinity. */
template <typename T>
void windowMax(const PoolGeometry& g, const Window& win, const T* __restrict base, i64 len, T* __restrict out) {
  if (win.count() == 0) {
    std::fill(out, out + len, -std::numeric_limits<T>::infinity());
    return;
  }
  // The first cell starts the max: beats(v, -inf) takes v unless v is -inf itself, the same value.
  std::copy(base + (win.p0 * g.w + win.q0) * g.c, base + (win.p0 * g.w + win.q0) * g.c + len, out);
  for (i64 p = win.p0; p < win.p1; ++p)
    for (i64 q = p == win.p0 ? win.q0 + 1 : win.q0; q < win.q1; ++q) maxInto(out, base + (p * g.w + q) * g.c, len);
}

/** y = the max of each window (max of no cells: -infinity); threads claim blocks of output rows. */
template <typename T> void maxPool(const PoolGeometry& g, const T* x, T* y) {
  const i64 rows = g.n * g.oh;
  const int threads = threadsFor(rows * g.ow * g.c * g.ph * g.pw);
  forEachClaimedBlock(rows, (rows + 15) / 16, threads, [&](i64 r0, i64 r1) {
    for (i64 r = r0; r < r1; ++r) {
      const i64 b = r / g.oh, i = r % g.oh;
      const T* image = x + b * g.h * g.w * g.c;
      for (i64 j = 0; j < g.ow; ++j) {
        const Window win = windowAt(g, i, j);
        T* out = y + (r * g.ow + j) * g.c;
        for (i64 k0 = 0; k0 < g.c; k0 += kChannelChunk)
          windowMax(g, win, image + k0, std::min(kChannelChunk, g.c - k0), out + k0);
      }
    }
  });
}

/**
 * For each channel of output pixel (b, i, j), the flat input index of the window's first maximum,
 * into arg[0..c); best is scratch of c values.
 */
template <typename T>
void argmaxAt(const PoolGeometry& g, const T* __restrict x, i64 b, i64 i, i64 j, T* __restrict best, i64* __restrict arg) {
  const Window win = windowAt(g, i, j);
  std::fill(best, best + g.c, -std::numeric_limits<T>::infinity());
  const i64 first = ((b * g.h + win.p0) * g.w + win.q0) * g.c;
  for (i64 k = 0; k < g.c; ++k) arg[k] = win.count() > 0 ? first + k : -1;
  for (i64 p = win.p0; p < win.p1; ++p)
    for (i64 q = win.q0; q < win.q1; ++q) {
      const i64 base = ((b * g.h + p) * g.w + q) * g.c;
      for (i64 k = 0; k < g.c; ++k) {
        const bool wins = beats(x[base + k], best[k]);
        best[k] = wins ? x[base + k] : best[k];
        arg[k] = wins ? base + k : arg[k];
      }
    }
}

/**
 * One window of a disjoint max-pool gradient over channels [0, len): each cell gets dy where it
 * is the window's first maximum and 0 elsewhere, so every cell of the window is written.
 */
template <typename T>
void scatterWindowMax(const PoolGeometry& g, const Window& win, const T* __restrict xBase, const T* __restrict grad, i64 len,
                      T* __restrict dxBase) {
  if (win.count() == 0) return;
  T best[kChannelChunk];
  CellIndex<T> arg[kChannelChunk];
  const i64 first = (win.p0 * g.w + win.q0) * g.c;
  std::copy(xBase + first, xBase + first + len, best);
  std::fill(arg, arg + len, CellIndex<T>(0));
  CellIndex<T> cell = 0;
  for (i64 p = win.p0; p < win.p1; ++p)
    for (i64 q = win.q0; q < win.q1; ++q, ++cell)
      if (cell > 0) maxArgInto(best, arg, xBase + (p * g.w + q) * g.c, cell, len);
  cell = 0;
  for (i64 p = win.p0; p < win.p1; ++p)
    for (i64 q = win.q0; q < win.q1; ++q, ++cell) {
      const i64 at = (p * g.w + q) * g.c;
      putAtArg(dxBase + at, grad, arg, cell, len);
    }
}

/**
 * Windows that do not overlap (strides >= pool size, the usual case): each input cell takes at
 * most one dy element, so dx is written in one pass: window cells get dy or 0, cells no window
 * covers (gaps between windows, rows and columns past the last window) get 0. Windows form a
 * grid, so a cell is covered when its row is under some window row and its column under some
 * window column. Threads claim whole images.
 */
template <typename T> void maxPoolGradDisjoint(const PoolGeometry& g, const T* x, const T* dy, T* dx) {
  const i64 rowLen = g.w * g.c, image = g.h * rowLen;
  auto zeroGapColumns = [&](T* row) {
    i64 next = 0;  // first column not yet accounted for
    for (i64 j = 0; j < g.ow; ++j) {
      const Window cols = windowAt(g, 0, j);
      const i64 q0 = std::min(cols.q0, g.w);  // a window wholly in the padding has q0 past the row
      if (q0 > next) std::fill(row + next * g.c, row + q0 * g.c, T(0));
      next = std::max(next, cols.q1);
    }
    if (next < g.w) std::fill(row + next * g.c, row + rowLen, T(0));
  };
  forEachClaimedBlock(g.n, 1, threadsFor(g.n * g.oh * g.ow * g.c * g.ph * g.pw), [&](i64 b0, i64 b1) {
    for (i64 b = b0; b < b1; ++b) {
      const T* xImage = x + b * image;
      T* dxImage = dx + b * image;
      i64 nextRow = 0;  // first input row not yet written
      for (i64 i = 0; i < g.oh; ++i) {
        const Window rows = windowAt(g, i, 0);
        const i64 p0 = std::min(rows.p0, g.h);
        if (p0 > nextRow) std::fill(dxImage + nextRow * rowLen, dxImage + p0 * rowLen, T(0));
        for (i64 p = rows.p0; p < rows.p1; ++p) zeroGapColumns(dxImage + p * rowLen);
        nextRow = std::max(nextRow, rows.p1);
        for (i64 j = 0; j < g.ow; ++j) {
          const Window win = windowAt(g, i, j);
          const T* grad = dy + ((b * g.oh + i) * g.ow + j) * g.c;
          for (i64 k0 = 0; k0 < g.c; k0 += kChannelChunk)
            scatterWindowMax(g, win, xImage + k0, grad + k0, std::min(kChannelChunk, g.c - k0), dxImage + k0);
        }
      }
      if (nextRow < g.h) std::fill(dxImage + nextRow * rowLen, dxImage + image, T(0));
    }
  });
}

/** Run body(b0, b1, sums) over images, sums a per-thread double buffer of one image. */
template <typename F> void perImage(const PoolGeometry& g, F&& body) {
  parallelFor(g.n, g.oh * g.ow * g.c * g.ph * g.pw, [&](i64 b0, i64 b1) {
    body(b0, b1, threadScratch<double, 1>(static_cast<std::size_t>(g.h * g.w * g.c)));
  });
}

/** dx: each dy element added to its window's argmax cell, summed per image in double. */
template <typename T> void maxPoolGrad(const PoolGeometry& g, const T* x, const T* dy, T* dx) {
  if (g.sh >= g.ph && g.sw >= g.pw) return maxPoolGradDisjoint(g, x, dy, dx);
  const i64 image = g.h * g.w * g.c;
  perImage(g, [&](i64 b0, i64 b1, double* sums) {
    T* best = threadScratch<T>(static_cast<std::size_t>(g.c));
    i64* arg = threadScratch<i64>(static_cast<std::size_t>(g.c));
    for (i64 b = b0; b < b1; ++b) {
      std::fill(sums, sums + image, 0.0);
      for (i64 i = 0; i < g.oh; ++i)
        for (i64 j = 0; j < g.ow; ++j) {
          argmaxAt(g, x, b, i, j, best, arg);
          const T* grad = dy + ((b * g.oh + i) * g.ow + j) * g.c;
          for (i64 k = 0; k < g.c; ++k)
            if (arg[k] >= 0) sums[arg[k] - b * image] += static_cast<double>(grad[k]);
        }
      for (i64 e = 0; e < image; ++e) dx[b * image + e] = static_cast<T>(sums[e]);
    }
  });
}

/** y: g (shaped like x) picked at each window's argmax; the adjoint of maxPoolGrad in dy. */
template <typename T> void maxPoolGradGrad(const PoolGeometry& g, const T* x, const T* gx, T* y) {
  parallelFor(g.n * g.oh, g.ow * g.c * g.ph * g.pw, [&](i64 r0, i64 r1) {
    T* best = threadScratch<T>(static_cast<std::size_t>(g.c));
    i64* arg = threadScratch<i64>(static_cast<std::size_t>(g.c));
    for (i64 r = r0; r < r1; ++r)
      for (i64 j = 0; j < g.ow; ++j) {
        argmaxAt(g, x, r / g.oh, r % g.oh, j, best, arg);
        T* out = y + (r * g.ow + j) * g.c;
        for (i64 k = 0; k < g.c; ++k) out[k] = arg[k] >= 0 ? gx[arg[k]] : -std::numeric_limits<T>::infinity();
      }
  });
}

/** y: the mean of each window's real cells, summed in double. */
template <typename T> void avgPool(const PoolGeometry& g, const T* x, T* y) {
  parallelFor(g.n * g.oh, g.ow * g.c * g.ph * g.pw, [&](i64 r0, i64 r1) {
    double* acc = threadScratch<double>(static_cast<std::size_t>(g.c));
    for (i64 r = r0; r < r1; ++r) {
      const i64 b = r / g.oh, i = r % g.oh;
      for (i64 j = 0; j < g.ow; ++j) {
        std::fill(acc, acc + g.c, 0.0);
        const Window win = windowAt(g, i, j);
        for (i64 p = win.p0; p < win.p1; ++p)
          for (i64 q = win.q0; q < win.q1; ++q) {
            const T* in = x + ((b * g.h + p) * g.w + q) * g.c;
            for (i64 k = 0; k < g.c; ++k) acc[k] += static_cast<double>(in[k]);
          }
        const double count = static_cast<double>(win.count());
        T* out = y + (r * g.ow + j) * g.c;
        for (i64 k = 0; k < g.c; ++k) out[k] = static_cast<T>(acc[k] / count);
      }
    }
  });
}

/** dx: each dy element spread evenly over its window's real cells, summed per image in double. */
template <typename T> void avgPoolGrad(const PoolGeometry& g, const T* dy, T* dx) {
  const i64 image = g.h * g.w * g.c;
  perImage(g, [&](i64 b0, i64 b1, double* sums) {
    for (i64 b = b0; b < b1; ++b) {
      std::fill(sums, sums + image, 0.0);
      for (i64 i = 0; i < g.oh; ++i)
        for (i64 j = 0; j < g.ow; ++j) {
          const Window win = windowAt(g, i, j);
          const double count = static_cast<double>(win.count());
          const T* grad = dy + ((b * g.oh + i) * g.ow + j) * g.c;
          for (i64 p = win.p0; p < win.p1; ++p)
            for (i64 q = win.q0; q < win.q1; ++q) {
              double* cell = sums + (p * g.w + q) * g.c;
              for (i64 k = 0; k < g.c; ++k) cell[k] += static_cast<double>(grad[k]) / count;
            }
        }
      for (i64 e = 0; e < image; ++e) dx[b * image + e] = static_cast<T>(sums[e]);
    }
  });
}

template <typename T> void run(PoolMode mode, const PoolGeometry& g, const T* a, const T* b, T* out) {
  switch (mode) {
    case PoolMode::Max: return maxPool(g, a, out);
    case PoolMode::MaxGrad: return maxPoolGrad(g, a, b, out);
    case PoolMode::MaxGradGrad: return maxPoolGradGrad(g, a, b, out);
    case PoolMode::Avg: return avgPool(g, a, out);
    case PoolMode::AvgGrad: return avgPoolGrad(g, a, out);
  }
}

const char* const kPoolOpNames[] = {"maxPool", "maxPoolGrad", "maxPoolGradGrad", "avgPool", "avgPoolGrad"};

}  // namespace

void pool2d(int modeCode, const Buffer& a, const Buffer& b, const Buffer& out, const std::vector<i64>& params) {
  if (modeCode < 0 || modeCode > 4) throw InputError("pool2d: unknown op code " + std::to_string(modeCode));
  const auto mode = static_cast<PoolMode>(modeCode);
  const char* op = kPoolOpNames[modeCode];
  const PoolGeometry g = parseGeometry(params);
  const bool twoInputs = mode == PoolMode::MaxGrad || mode == PoolMode::MaxGradGrad;
  if (a.dtype != out.dtype || (twoInputs && b.dtype != a.dtype) || (a.dtype != DType::F32 && a.dtype != DType::F64))
    throw InputError(std::string(op) + ": expected float32 or float64 arrays of one dtype, got " + dtypeName(a.dtype) + " -> " +
                     dtypeName(out.dtype));
  const i64 xSize = elementCount({g.n, g.h, g.w, g.c}, op), ySize = elementCount({g.n, g.oh, g.ow, g.c}, op);
  const bool producesX = mode == PoolMode::MaxGrad || mode == PoolMode::AvgGrad;
  expectLength(a, mode == PoolMode::AvgGrad ? ySize : xSize, op, "first input");
  if (mode == PoolMode::MaxGrad) expectLength(b, ySize, op, "gradient");
  if (mode == PoolMode::MaxGradGrad) expectLength(b, xSize, op, "gradient");
  expectLength(out, producesX ? xSize : ySize, op, "output");
  if ((producesX ? xSize : ySize) == 0) return;
  if (a.dtype == DType::F32) run(mode, g, a.as<float>(), b.as<float>(), out.as<float>());
  else run(mode, g, a.as<double>(), b.as<double>(), out.as<double>());
}

}  // namespace nabla
