// 2-D grouped convolution over NHWC inputs and [kh, kw, c/groups, o] filters, forward and both
// adjoints, with the semantics of the reference kernels (src/ops/primitives/conv-kernels.ts).
// float32 on CPUs with AVX-512 runs the register-tiled paths of conv-tiled.cc; otherwise
// float32/float64 go through im2col (or the input itself for 1x1 windows) and the packed GEMM.
// Depthwise convolutions (one input channel per group) use direct loops, which a GEMM with
// k = kh*kw and n = multiplier would waste. Rows of the output (n*oh*ow pixels) are split
// statically between threads, so results depend only on the thread count.
#include <algorithm>
#include <cstring>
#include <string>
#include <type_traits>

#include "claimed-blocks.h"
#include "conv-algorithm.h"
#include "conv-geometry.h"
#include "conv-tile.h"
#include "fused.h"
#include "gemm/epilogue.h"
#include "kernels.h"
#include "prepacked.h"
#include "window-kernels.h"

namespace nabla {

namespace {

using namespace convimpl;

std::string str(i64 v) { return std::to_string(v); }

// ------------------------------------------------------------------ forward

/**
 * Output rows [r0, r1) of y = im2col(x) x filter, a block of rows at a time: the block's patches
 * are written by `patchThreads` threads, then each group's product runs on `productThreads`.
 * Pointwise convs read x as the patches.
 */
template <typename T, typename GroupProduct>
void im2colBlocks(const ConvGeometry& g, const T* x, T* y, i64 r0, i64 r1, int patchThreads, int productThreads,
                  const GroupProduct& multiply) {
  if (g.pointwise()) {
    for (i64 gi = 0; gi < g.groups; ++gi)
      multiply(gi, r1 - r0, MatrixRef<T>{x + r0 * g.c + gi * g.cg, g.c, 1}, y + r0 * g.o + gi * g.og, productThreads);
    return;
  }
  const i64 K = g.patch(), block = blockRows(g, sizeof(T));
  T* col = threadScratch<T>(static_cast<std::size_t>(std::min(block, r1 - r0) * K));
  for (i64 s = r0; s < r1; s += block) {
    const i64 e = std::min(r1, s + block);
    for (i64 gi = 0; gi < g.groups; ++gi) {
      // Claimed blocks, not fixed shares: a pool thread the OS has paused (other processes on the
      // cores) then leaves its rows to the caller instead of stalling it.
      const i64 patchBlock = patchThreads <= 1 ? e - s : std::max<i64>(1, (e - s + 4 * patchThreads - 1) / (4 * patchThreads));
      forEachClaimedBlock(e - s, patchBlock, patchThreads, [&](i64 p0, i64 p1) { im2col(g, x, gi, s + p0, s + p1, col + p0 * K); });
      multiply(gi, e - s, MatrixRef<T>{col, K, 1}, y + s * g.o + gi * g.og, productThreads);
    }
  }
}

/**
 * y = im2col(x) x filter, per group: `multiply(gi, rows, A, yOut, threads)` runs group gi's product
 * of the rows x K matrix A with its filter (plain or prepacked) into yOut on `threads` threads.
 * The threads split the output rows, except where there are fewer rows than filter columns
 * (ResNet-18's 14x14x256 and 7x7x512 layers at batch 1, 2.4 and 9.4 MB of filter): split by rows,
 * every thread would stream the whole filter from memory; there they share each block's patches
 * and the product splits the filter's columns, so each part of the filter is read once. Which
 * thread computes an output never changes its sum, so the bits are the row split's.
 */
template <typename T, typename GroupProduct>
void forwardIm2col(const ConvGeometry& g, const T* x, T* y, const GroupProduct& multiply) {
  const i64 rows = g.n * g.pixels();
  const int threads = threadsForRows(rows, rows * g.patch() * g.o);
  if (threads > 1 && rows < g.og) return im2colBlocks(g, x, y, 0, rows, threads, threads, multiply);
  splitRows(rows, threads, [&](int, i64 r0, i64 r1) { im2colBlocks(g, x, y, r0, r1, 1, 1, multiply); });
}

template <typename T> void forwardGemm(const ConvGeometry& g, const T* x, const T* f, T* y) {
  const i64 K = g.patch();
  forwardIm2col<T>(g, x, y, [&](i64 gi, i64 rows, MatrixRef<T> a, T* out, int threads) {
    gemm<T>(rows, g.og, K, a, MatrixRef<T>{f + gi * g.og, g.o, 1}, out, g.o, threads);
  });
}

/**
 * forwardGemm with the filter's per-group panels prepacked (`packed`: prepackB's buffer for K x og
 * in `groups`). With `bias` (o elements, or null) and `act` (a unary code, -1: none), each group's GEMM applies
 * y = act(y + bias) to the blocks it finishes; where the pack is not this build's, the plain GEMM
 * runs and a biasActivation pass follows (the same bits).
 */
template <typename T> void forwardGemmPrepacked(const ConvGeometry& g, const T* x, const T* packed, i64 packedLength, T* y,
                                                const T* f, const T* bias = nullptr, int act = -1) {
  const i64 K = g.patch();
  const bool epilogue = bias || act >= 0;
  std::vector<const T*> panels(static_cast<std::size_t>(g.groups));
  for (i64 gi = 0; gi < g.groups; ++gi)
    if (!(panels[gi] = prepackedPanels(packed, packedLength, K, g.og, g.groups, gi))) {
      forwardGemm(g, x, f, y);
      if (epilogue) applyGemmEpilogue(GemmEpilogue<T>{bias, act}, y, g.o, g.n * g.pixels(), 0, g.o);
      return;
    }
  forwardIm2col<T>(g, x, y, [&](i64 gi, i64 rows, MatrixRef<T> a, T* out, int threads) {
    // The bias of group gi's columns; the GEMM adds it from its own column 0.
    const GemmEpilogue<T> e{bias ? bias + gi * g.og : nullptr, act};
    gemmPrepacked<T>(rows, g.og, K, a, panels[gi], out, g.o, threads, epilogue ? &e : nullptr);
  });
}

/** y[pixel, ch] = sum over taps of x[tap pixel, ch / m] * f[tap, ch], m = output channels per group. */
template <typename T> void forwardDepthwise(const ConvGeometry& g, const T* x, const T* f, T* y) {
  const i64 rows = g.n * g.oh, m = g.og;
  parallelFor(rows, g.ow * g.o * g.kh * g.kw, [&](i64 r0, i64 r1) {
    for (i64 r = r0; r < r1; ++r) {
      const i64 b = r / g.oh, i = r % g.oh;
      for (i64 j = 0; j < g.ow; ++j) {
        T* out = y + (r * g.ow + j) * g.o;
        std::fill(out, out + g.o, T(0));
        for (i64 p = 0; p < g.kh; ++p) {
          const i64 ih = i * g.sh - g.top + p * g.dh;
          if (ih < 0 || ih >= g.h) continue;
          for (i64 q = 0; q < g.kw; ++q) {
            const i64 iw = j * g.sw - g.left + q * g.dw;
            if (iw < 0 || iw >= g.w) continue;
            const T* in = x + ((b * g.h + ih) * g.w + iw) * g.c;
            const T* tap = f + (p * g.kw + q) * g.o;
            if (m == 1) {
              for (i64 ch = 0; ch < g.o; ++ch) out[ch] += in[ch] * tap[ch];
            } else {
              for (i64 ci = 0; ci < g.c; ++ci)
                for (i64 k = 0; k < m; ++k) out[ci * m + k] += in[ci] * tap[ci * m + k];
            }
          }
        }
      }
    }
  });
}

// ------------------------------------------------------------------ input gradient

template <typename T> void inputGradGemm(const ConvGeometry& g, const T* dy, const T* f, T* dx) {
  const i64 P = g.pixels(), K = g.patch();
  const i64 imagePixels = g.h * g.w;
  // Scattered sums overlap inside one image only: threads take whole images.
  const int threads = threadsForRows(g.n, g.n * P * K * g.o);
  const bool pointwise = g.pointwise();
  const i64 block = blockRows(g, sizeof(T));
  splitRows(g.n, threads, [&](int, i64 b0, i64 b1) {
    if (pointwise) {
      for (i64 gi = 0; gi < g.groups; ++gi)
        gemm<T>((b1 - b0) * P, g.cg, g.og, MatrixRef<T>{dy + b0 * P * g.o + gi * g.og, g.o, 1}, MatrixRef<T>{f + gi * g.og, 1, g.o},
                dx + b0 * imagePixels * g.c + gi * g.cg, g.c, 1);
      return;
    }
    std::fill(dx + b0 * imagePixels * g.c, dx + b1 * imagePixels * g.c, T(0));
    const i64 r0 = b0 * P, r1 = b1 * P;
    T* col = threadScratch<T>(static_cast<std::size_t>(std::min(block, std::max<i64>(1, r1 - r0)) * K));
    for (i64 s = r0; s < r1; s += block) {
      const i64 e = std::min(r1, s + block);
      for (i64 gi = 0; gi < g.groups; ++gi) {
        gemm<T>(e - s, K, g.og, MatrixRef<T>{dy + s * g.o + gi * g.og, g.o, 1}, MatrixRef<T>{f + gi * g.og, 1, g.o}, col, K, 1);
        col2imAdd(g, col, gi, s, e, dx);
      }
    }
  });
}

/** dx[pixel, ci] gathers dy * f over every output pixel whose window put a tap on it (as the reference does). */
template <typename T> void inputGradDepthwise(const ConvGeometry& g, const T* dy, const T* f, T* dx) {
  const i64 rows = g.n * g.h, m = g.og;
  parallelFor(rows, g.w * g.o * g.kh * g.kw, [&](i64 r0, i64 r1) {
    for (i64 r = r0; r < r1; ++r) {
      const i64 b = r / g.h, ih = r % g.h;
      for (i64 iw = 0; iw < g.w; ++iw) {
        T* out = dx + (r * g.w + iw) * g.c;
        std::fill(out, out + g.c, T(0));
        for (i64 p = 0; p < g.kh; ++p) {
          const i64 ti = ih + g.top - p * g.dh;
          if (ti < 0 || ti % g.sh != 0 || ti / g.sh >= g.oh) continue;
          for (i64 q = 0; q < g.kw; ++q) {
            const i64 tj = iw + g.left - q * g.dw;
            if (tj < 0 || tj % g.sw != 0 || tj / g.sw >= g.ow) continue;
            const T* grad = dy + ((b * g.oh + ti / g.sh) * g.ow + tj / g.sw) * g.o;
            const T* tap = f + (p * g.kw + q) * g.o;
            if (m == 1) {
              for (i64 ch = 0; ch < g.c; ++ch) out[ch] += grad[ch] * tap[ch];
            } else {
              for (i64 ci = 0; ci < g.c; ++ci) {
                T s = 0;
                for (i64 k = 0; k < m; ++k) s += grad[ci * m + k] * tap[ci * m + k];
                out[ci] += s;
              }
            }
          }
        }
      }
    }
  });
}

// ------------------------------------------------------------------ filter gradient

template <typename T> void filterGradGemm(const ConvGeometry& g, const T* x, const T* dy, T* df) {
  const i64 rows = g.n * g.pixels(), K = g.patch(), filterSize = K * g.o;
  const int threads = threadsForRows(rows, rows * K * g.o);
  const i64 block = blockRows(g, sizeof(T));
  const bool pointwise = g.pointwise();
  sumOverChunks<T>(rows, filterGradChunks(rows * K * g.o, filterSize), threads, filterSize, df, [&](i64 r0, i64 r1, T* acc) {
    // The GEMM overwrites its output: each block's product lands in `prod`, then adds into acc.
    T* scratch = threadScratch<T>(static_cast<std::size_t>((pointwise ? 0 : std::min(block, r1 - r0) * K) + K * g.og));
    T* col = scratch + K * g.og;
    T* prod = scratch;
    const i64 step = pointwise ? r1 - r0 : block;
    for (i64 s = r0; s < r1; s += step) {
      const i64 e = std::min(r1, s + step);
      for (i64 gi = 0; gi < g.groups; ++gi) {
        MatrixRef<T> patches = pointwise ? MatrixRef<T>{x + s * g.c + gi * g.cg, 1, g.c} : MatrixRef<T>{col, 1, K};
        if (!pointwise) im2col(g, x, gi, s, e, col);
        gemm<T>(K, g.og, e - s, patches, MatrixRef<T>{dy + s * g.o + gi * g.og, g.o, 1}, prod, g.og, 1);
        for (i64 r = 0; r < K; ++r) {
          T* dst = acc + r * g.o + gi * g.og;
          const T* src = prod + r * g.og;
          for (i64 k = 0; k < g.og; ++k) dst[k] += src[k];
        }
      }
    }
  });
}

template <typename T> void filterGradDepthwise(const ConvGeometry& g, const T* x, const T* dy, T* df) {
  const i64 rows = g.n * g.oh, m = g.og, filterSize = g.kh * g.kw * g.o, macs = rows * g.ow * g.o * g.kh * g.kw;
  const int threads = threadsForRows(rows, macs);
  sumOverChunks<T>(rows, filterGradChunks(macs, filterSize), threads, filterSize, df, [&](i64 r0, i64 r1, T* acc) {
    for (i64 r = r0; r < r1; ++r) {
      const i64 b = r / g.oh, i = r % g.oh;
      for (i64 j = 0; j < g.ow; ++j) {
        const T* grad = dy + (r * g.ow + j) * g.o;
        for (i64 p = 0; p < g.kh; ++p) {
          const i64 ih = i * g.sh - g.top + p * g.dh;
          if (ih < 0 || ih >= g.h) continue;
          for (i64 q = 0; q < g.kw; ++q) {
            const i64 iw = j * g.sw - g.left + q * g.dw;
            if (iw < 0 || iw >= g.w) continue;
            const T* in = x + ((b * g.h + ih) * g.w + iw) * g.c;
            T* tap = acc + (p * g.kw + q) * g.o;
            if (m == 1) {
              for (i64 ch = 0; ch < g.o; ++ch) tap[ch] += in[ch] * grad[ch];
            } else {
              for (i64 ci = 0; ci < g.c; ++ci)
                for (i64 k = 0; k < m; ++k) tap[ci * m + k] += in[ci] * grad[ci * m + k];
            }
          }
        }
      }
    }
  });
}

template <typename T> void run(ConvMode mode, const ConvGeometry& g, const T* a, const T* b, T* out) {
  if constexpr (std::is_same_v<T, float>) {
    if (!g.depthwise()) {
      if (mode == ConvMode::Forward) {
        const ConvForward algorithm = forwardAlgorithm(g);
        if (algorithm == ConvForward::Winograd) return forwardWinograd(g, a, b, out);
        if (algorithm == ConvForward::Tiled && forwardTiled(g, a, b, out)) return;
      }
      if (mode == ConvMode::InputGrad && inputGradTiled(g, a, b, out)) return;
      if (mode == ConvMode::FilterGrad && filterGradTiled(g, a, b, out)) return;
    }
  }
  switch (mode) {
    case ConvMode::Forward:
      return g.depthwise() ? forwardDepthwise(g, a, b, out) : forwardGemm(g, a, b, out);
    case ConvMode::InputGrad:
      return g.depthwise() ? inputGradDepthwise(g, a, b, out) : inputGradGemm(g, a, b, out);
    case ConvMode::FilterGrad:
      return g.depthwise() ? filterGradDepthwise(g, a, b, out) : filterGradGemm(g, a, b, out);
  }
}

}  // namespace

void conv2d(int modeCode, const Buffer& a, const Buffer& b, const Buffer& out, const std::vector<i64>& params) {
  if (modeCode < 0 || modeCode > 2) throw InputError("conv2d: unknown op code " + str(modeCode));
  const auto mode = static_cast<ConvMode>(modeCode);
  const ConvGeometry g = parseConvGeometry(params, "conv2d");
  const char* op = mode == ConvMode::Forward ? "conv2d" : mode == ConvMode::InputGrad ? "conv2dBackpropInput" : "conv2dBackpropFilter";
  if (a.dtype != b.dtype || a.dtype != out.dtype || (a.dtype != DType::F32 && a.dtype != DType::F64))
    throw InputError(std::string(op) + ": expected float32 or float64 arrays of one dtype, got " + dtypeName(a.dtype) + ", " +
                     dtypeName(b.dtype) + " -> " + dtypeName(out.dtype));
  const i64 xSize = elementCount({g.n, g.h, g.w, g.c}, op), ySize = elementCount({g.n, g.oh, g.ow, g.o}, op),
            fSize = elementCount({g.kh, g.kw, g.cg, g.o}, op);
  const i64 aSize = mode == ConvMode::InputGrad ? ySize : xSize;
  const i64 bSize = mode == ConvMode::FilterGrad ? ySize : fSize;
  const i64 outSize = mode == ConvMode::Forward ? ySize : mode == ConvMode::InputGrad ? xSize : fSize;
  expectLength(a, aSize, op, "first input");
  expectLength(b, bSize, op, "second input");
  expectLength(out, outSize, op, "output");
  if (outSize == 0) return;
  if (a.dtype == DType::F32) run(mode, g, a.as<float>(), b.as<float>(), out.as<float>());
  else run(mode, g, a.as<double>(), b.as<double>(), out.as<double>());
}

/** Whether run() would take forwardGemm for this geometry and dtype (the only path that packs the filter). */
bool forwardTakesGemm(const ConvGeometry& g, DType dtype) {
  if (g.depthwise()) return false;
  if (dtype == DType::F64) return true;
  if (dtype != DType::F32) return false;
  // The tiled path declines (returns false) only where the CPU lacks its kernels: ask it with no work.
  return forwardAlgorithm(g) == ConvForward::Gemm || (forwardAlgorithm(g) == ConvForward::Tiled && tileProductF32() == nullptr);
}

bool conv2dUsesWinogradPack(const std::vector<i64>& params, DType dtype) {
  const ConvGeometry g = parseConvGeometry(params, "conv2d");
  return dtype == DType::F32 && g.n * g.pixels() > 0 && !g.depthwise() && forwardAlgorithm(g, true) == ConvForward::Winograd;
}

bool conv2dUsesPrepacked(const std::vector<i64>& params, DType dtype) {
  const ConvGeometry g = parseConvGeometry(params, "conv2d");
  return g.n * g.pixels() > 0 && !conv2dUsesWinogradPack(params, dtype) && forwardTakesGemm(g, dtype);
}

void prepackWinogradFilter(const Buffer& f, i64 c, i64 o, const Buffer& out) {
  const char* op = "prepackWinogradFilter";
  if (f.dtype != DType::F32 || out.dtype != DType::F32)
    throw InputError(std::string(op) + ": expected float32 arrays, got " + dtypeName(f.dtype) + " -> " + dtypeName(out.dtype));
  if (c < 1 || o < 1) throw InputError(std::string(op) + ": expected positive channel counts, got " + str(c) + " -> " + str(o));
  expectLength(f, elementCount({3, 3, c, o}, op), op, "filter");
  expectLength(out, winogradPackLength(c, o), op, "output");
  packWinogradFilter(f.as<float>(), c, o, out.as<float>());
}

void conv2dPrepacked(const Buffer& x, const Buffer& f, const Buffer& packed, const Buffer& out, const std::vector<i64>& params) {
  const ConvGeometry g = parseConvGeometry(params, "conv2d");
  const bool winogradPack = conv2dUsesWinogradPack(params, x.dtype);
  if (packed.dtype != x.dtype || x.dtype != f.dtype || x.dtype != out.dtype || !(winogradPack || forwardTakesGemm(g, x.dtype)))
    return conv2d(static_cast<int>(ConvMode::Forward), x, f, out, params);
  const char* op = "conv2d";
  expectLength(x, elementCount({g.n, g.h, g.w, g.c}, op), op, "first input");
  expectLength(f, elementCount({g.kh, g.kw, g.cg, g.o}, op), op, "second input");
  expectLength(out, elementCount({g.n, g.oh, g.ow, g.o}, op), op, "output");
  if (out.length == 0) return;
  if (winogradPack) {
    // A pack of another kind or shape (the rule changed since it was made) falls back to the plain kernel.
    WinogradPanels panels;
    if (winogradPanels(packed.as<float>(), packed.length, g.c, g.o, panels))
      return forwardWinograd(g, x.as<float>(), f.as<float>(), out.as<float>(), &panels);
    return conv2d(static_cast<int>(ConvMode::Forward), x, f, out, params);
  }
  if (x.dtype == DType::F32) forwardGemmPrepacked(g, x.as<float>(), packed.as<float>(), packed.length, out.as<float>(), f.as<float>());
  else forwardGemmPrepacked(g, x.as<double>(), packed.as<double>(), packed.length, out.as<double>(), f.as<double>());
}

void conv2dWinogradCached(const Buffer& x, const Buffer& f, const Buffer& cache, const Buffer& out, const std::vector<i64>& params) {
  const ConvGeometry g = parseConvGeometry(params, "conv2d");
  const bool f32 = x.dtype == DType::F32 && f.dtype == DType::F32 && cache.dtype == DType::F32 && out.dtype == DType::F32;
  if (!f32 || !conv2dUsesWinogradPack(params, x.dtype)) return conv2d(static_cast<int>(ConvMode::Forward), x, f, out, params);
  const i64 filterSize = 9 * g.c * g.o, packLength = winogradPackLength(g.c, g.o);
  if (cache.length != packLength + filterSize) return conv2d(static_cast<int>(ConvMode::Forward), x, f, out, params);
  const char* op = "conv2d";
  expectLength(x, elementCount({g.n, g.h, g.w, g.c}, op), op, "first input");
  expectLength(f, filterSize, op, "second input");
  expectLength(out, elementCount({g.n, g.oh, g.ow, g.o}, op), op, "output");
  float* pack = cache.as<float>();
  float* copy = pack + packLength;
  const std::size_t filterBytes = static_cast<std::size_t>(filterSize) * sizeof(float);
  WinogradPanels panels;
  if (std::memcmp(copy, f.as<float>(), filterBytes) != 0 || !winogradPanels(pack, packLength, g.c, g.o, panels)) {
    packWinogradFilter(f.as<float>(), g.c, g.o, pack);
    std::memcpy(copy, f.as<float>(), filterBytes);
    // Panels this build cannot read where they lie (another alignment): the plain kernel, same bits.
    if (!winogradPanels(pack, packLength, g.c, g.o, panels)) return conv2d(static_cast<int>(ConvMode::Forward), x, f, out, params);
  }
  forwardWinograd(g, x.as<float>(), f.as<float>(), out.as<float>(), &panels);
}

void conv2dPrepackedEpilogue(const Buffer& x, const Buffer& f, const Buffer& packed, const Buffer& bias, int act, const Buffer& out,
                             const std::vector<i64>& params) {
  const char* op = "conv2d epilogue";
  if (act != -1 && !validCode<UnaryOp>(act)) throw InputError(std::string(op) + ": unknown activation op code " + std::to_string(act));
  if (bias.dtype != out.dtype || (out.dtype != DType::F32 && out.dtype != DType::F64))
    throw InputError(std::string(op) + ": output and bias must both be float32 or both float64, got " + dtypeName(out.dtype) + " and " +
                     dtypeName(bias.dtype));
  const ConvGeometry g = parseConvGeometry(params, "conv2d");
  expectLength(bias, g.o, op, "bias");
  const bool winogradPack = conv2dUsesWinogradPack(params, x.dtype);
  if (packed.dtype == x.dtype && x.dtype == f.dtype && x.dtype == out.dtype && (winogradPack || forwardTakesGemm(g, x.dtype))) {
    expectLength(x, elementCount({g.n, g.h, g.w, g.c}, "conv2d"), "conv2d", "first input");
    expectLength(f, elementCount({g.kh, g.kw, g.cg, g.o}, "conv2d"), "conv2d", "second input");
    expectLength(out, elementCount({g.n, g.oh, g.ow, g.o}, "conv2d"), "conv2d", "output");
    if (out.length == 0) return;
    WinogradPanels panels;
    if (!winogradPack) {
      if (x.dtype == DType::F32)
        return forwardGemmPrepacked(g, x.as<float>(), packed.as<float>(), packed.length, out.as<float>(), f.as<float>(), bias.as<float>(), act);
      return forwardGemmPrepacked(g, x.as<double>(), packed.as<double>(), packed.length, out.as<double>(), f.as<double>(), bias.as<double>(), act);
    }
    if (winogradPanels(packed.as<float>(), packed.length, g.c, g.o, panels)) {
      const GemmEpilogue<float> e{bias.as<float>(), act};
      return forwardWinograd(g, x.as<float>(), f.as<float>(), out.as<float>(), &panels, &e);
    }
  }
  // A pack this build does not read, or a kernel that takes no pack: the plain conv, then the pass.
  conv2dPrepacked(x, f, packed, out, params);
  biasActivation(act, out, bias, g.o > 0 ? out.length / g.o : 0, g.o);
}

}  // namespace nabla
