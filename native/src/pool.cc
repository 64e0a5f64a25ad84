// Max and average pooling over NHWC inputs and their gradients, with the semantics of the
// reference kernels (src/ops/primitives/pool.ts): padded cells never take part, a max keeps the
// first maximum (NaN wins), an average divides by the count of real cells. Sums are kept in
// double and gradients scattered per image in output order, as the reference does, so results
// match it bit for bit.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

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

/** y = the max of each window (max of no cells: -infinity). */
template <typename T> void maxPool(const PoolGeometry& g, const T* x, T* y) {
  parallelFor(g.n * g.oh, g.ow * g.c * g.ph * g.pw, [&](i64 r0, i64 r1) {
    for (i64 r = r0; r < r1; ++r) {
      const i64 b = r / g.oh, i = r % g.oh;
      for (i64 j = 0; j < g.ow; ++j) {
        // Restrict: the output never overlaps the input, so the compiler may vectorise over channels.
        T* __restrict out = y + (r * g.ow + j) * g.c;
        std::fill(out, out + g.c, -std::numeric_limits<T>::infinity());
        const Window win = windowAt(g, i, j);
        for (i64 p = win.p0; p < win.p1; ++p)
          for (i64 q = win.q0; q < win.q1; ++q) {
            const T* __restrict in = x + ((b * g.h + p) * g.w + q) * g.c;
            // Unconditional stores, so the compiler can vectorise the comparison.
            for (i64 k = 0; k < g.c; ++k) out[k] = beats(in[k], out[k]) ? in[k] : out[k];
          }
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

/** Run body(b0, b1, sums) over images, sums a per-thread double buffer of one image. */
template <typename F> void perImage(const PoolGeometry& g, F&& body) {
  parallelFor(g.n, g.oh * g.ow * g.c * g.ph * g.pw, [&](i64 b0, i64 b1) {
    std::vector<double> sums(static_cast<std::size_t>(g.h * g.w * g.c));
    body(b0, b1, sums.data());
  });
}

/**
 * Windows that do not overlap (strides >= pool size, the usual case): each input cell takes at
 * most one dy element, so dx is written directly (the same value a sum from zero gives).
 */
template <typename T> void maxPoolGradDisjoint(const PoolGeometry& g, const T* x, const T* dy, T* dx) {
  const i64 image = g.h * g.w * g.c;
  parallelFor(g.n, g.oh * g.ow * g.c * g.ph * g.pw, [&](i64 b0, i64 b1) {
    std::fill(dx + b0 * image, dx + b1 * image, T(0));
    std::vector<T> best(static_cast<std::size_t>(g.c));
    std::vector<i64> arg(static_cast<std::size_t>(g.c));
    for (i64 b = b0; b < b1; ++b)
      for (i64 i = 0; i < g.oh; ++i)
        for (i64 j = 0; j < g.ow; ++j) {
          argmaxAt(g, x, b, i, j, best.data(), arg.data());
          const T* grad = dy + ((b * g.oh + i) * g.ow + j) * g.c;
          for (i64 k = 0; k < g.c; ++k)
            if (arg[k] >= 0) dx[arg[k]] = grad[k] + T(0);  // + 0 as the sum from zero: -0 becomes +0
        }
  });
}

/** dx: each dy element added to its window's argmax cell, summed per image in double. */
template <typename T> void maxPoolGrad(const PoolGeometry& g, const T* x, const T* dy, T* dx) {
  if (g.sh >= g.ph && g.sw >= g.pw) return maxPoolGradDisjoint(g, x, dy, dx);
  const i64 image = g.h * g.w * g.c;
  perImage(g, [&](i64 b0, i64 b1, double* sums) {
    std::vector<T> best(static_cast<std::size_t>(g.c));
    std::vector<i64> arg(static_cast<std::size_t>(g.c));
    for (i64 b = b0; b < b1; ++b) {
      std::fill(sums, sums + image, 0.0);
      for (i64 i = 0; i < g.oh; ++i)
        for (i64 j = 0; j < g.ow; ++j) {
          argmaxAt(g, x, b, i, j, best.data(), arg.data());
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
    std::vector<T> best(static_cast<std::size_t>(g.c));
    std::vector<i64> arg(static_cast<std::size_t>(g.c));
    for (i64 r = r0; r < r1; ++r)
      for (i64 j = 0; j < g.ow; ++j) {
        argmaxAt(g, x, r / g.oh, r % g.oh, j, best.data(), arg.data());
        T* out = y + (r * g.ow + j) * g.c;
        for (i64 k = 0; k < g.c; ++k) out[k] = arg[k] >= 0 ? gx[arg[k]] : -std::numeric_limits<T>::infinity();
      }
  });
}

/** y: the mean of each window's real cells, summed in double. */
template <typename T> void avgPool(const PoolGeometry& g, const T* x, T* y) {
  parallelFor(g.n * g.oh, g.ow * g.c * g.ph * g.pw, [&](i64 r0, i64 r1) {
    std::vector<double> acc(static_cast<std::size_t>(g.c));
    for (i64 r = r0; r < r1; ++r) {
      const i64 b = r / g.oh, i = r % g.oh;
      for (i64 j = 0; j < g.ow; ++j) {
        std::fill(acc.begin(), acc.end(), 0.0);
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
