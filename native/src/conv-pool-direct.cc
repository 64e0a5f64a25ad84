#include "conv-pool-direct.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>

#include "claimed-blocks.h"
#include "conv-algorithm.h"
#include "conv-tile.h"
#include "cpu.h"
#include "op-codes.h"
#include "window-kernels.h"

namespace nabla {

namespace {

using convimpl::ConvGeometry;

/** NABLA_CONV_POOL_DIRECT=0 turns the kernel off (benchmarks compare it with the steps in one process); read per call. */
bool directDisabled() {
  const char* v = std::getenv("NABLA_CONV_POOL_DIRECT");
  return v && std::strcmp(v, "0") == 0;
}

/**
 * Where the kernel pays (bench/conv-pool-direct.ts, BENCHMARKS.md): short patches at any batch
 * (a first layer: 2x at batch 32), long ones only on small outputs (the bench CNN's second conv at
 * batch 1, 288 taps on 121 pixels: 1.1x). Long patches over more pixels run as fast or faster
 * through the tile product, whose 12-pixel tiles read each filter row once for 12 pixels, not 4
 * (2x14x14 pixels of 288 taps: 0.95x; 16x26x26: 0.95x; 4x26x26 of 200 taps: 0.92x).
 */
constexpr i64 kShortPatch = 64;
constexpr i64 kSmallOutputPixels = 256;

/** Whether the unfused conv would run the tiled path, whose sums this kernel repeats. */
bool convTakesTiled(const ConvGeometry& g) {
  return !g.depthwise() && g.groups == 1 && !g.pointwise() && g.top >= 0 && g.bottom >= 0 && g.left >= 0 && g.right >= 0 &&
         convimpl::forwardAlgorithm(g) == convimpl::ConvForward::Tiled && convimpl::forwardAlgorithm(g, true) == convimpl::ConvForward::Tiled &&
         tileGatherProductF32() != nullptr;
}

/** Images [0, n) copied with g's zero padding: the padded image's rows are w + left + right long. */
void copyPaddedImage(const ConvGeometry& g, const float* x, float* out) {
  const i64 ph = g.h + g.top + g.bottom, pw = g.w + g.left + g.right;
  std::fill(out, out + ph * pw * g.c, 0.0f);
  for (i64 i = 0; i < g.h; ++i)
    std::memcpy(out + ((i + g.top) * pw + g.left) * g.c, x + i * g.w * g.c, static_cast<std::size_t>(g.w * g.c) * sizeof(float));
}

template <typename T> T* scratch(std::size_t count) {
  thread_local std::vector<T> buf;
  if (buf.size() < count) buf.resize(count);
  return buf.data();
}

}  // namespace

bool convPoolDirect(int act, const Buffer& x, const Buffer& filter, const Buffer& bias, bool hasBias, const Buffer& out,
                    const std::vector<i64>& convParams, const std::vector<i64>& poolParams, int poolMode) {
#if defined(__x86_64__) || defined(_M_X64)
  if (poolMode != static_cast<int>(PoolMode::Max) || (act != -1 && act != static_cast<int>(UnaryOp::relu))) return false;
  if (x.dtype != DType::F32 || filter.dtype != DType::F32 || out.dtype != DType::F32 || (hasBias && bias.dtype != DType::F32)) return false;
  // The row kernel is AVX-512 only (the tile products exist on AVX2 as well).
  if (directDisabled() || detectSimd() != Simd::Avx512) return false;
  const ConvGeometry g = convimpl::parseConvGeometry(convParams, "fusedConvPool");
  // Pool params: n, h, w, c, oh, ow, ph, pw, sh, sw, top, bottom, left, right (window-kernels.h).
  const i64 poh = poolParams[4], pow = poolParams[5], ph = poolParams[6], pw = poolParams[7], psh = poolParams[8], psw = poolParams[9];
  // A pool geometry that pool2d would refuse goes to the steps, which raise its error.
  for (i64 v : poolParams)
    if (v < 0 || v > (i64{1} << 40)) return false;
  const auto pooled = [](i64 in, i64 k, i64 s, i64 a, i64 b) { return in + a + b < k ? -1 : (in + a + b - k) / s + 1; };
  if (ph < 1 || pw < 1 || psh < 1 || psw < 1 || pooled(g.oh, ph, psh, poolParams[10], poolParams[11]) != poh ||
      pooled(g.ow, pw, psw, poolParams[12], poolParams[13]) != pow)
    return false;
  // Overlapping pool windows would sum their shared conv pixels twice.
  if (psh < ph || psw < pw || !convTakesTiled(g)) return false;
  if (g.patch() > kShortPatch && g.n * g.pixels() > kSmallOutputPixels) return false;
  const bool padded = g.top > 0 || g.bottom > 0 || g.left > 0 || g.right > 0;
  const i64 H = g.h + g.top + g.bottom, W = g.w + g.left + g.right;
  DirectConvPoolShape s{W, g.c, g.sh, g.sw, g.o, g.patch(), g.oh, g.ow, ph, pw, psh, psw, poolParams[10], poolParams[12], pow};
  // Tap offsets in the padded image from a window's first tap, in patch order (conv-tiled.cc's tapOffsets).
  std::vector<i64> taps(static_cast<std::size_t>(s.K));
  for (i64 p = 0, t = 0; p < g.kh; ++p)
    for (i64 q = 0; q < g.kw; ++q)
      for (i64 ci = 0; ci < g.c; ++ci) taps[static_cast<std::size_t>(t++)] = (p * g.dh * W + q * g.dw) * g.c + ci;
  const float* xs = x.as<float>();
  const float* f = filter.as<float>();
  const float* b = hasBias ? bias.as<float>() : nullptr;
  float* y = out.as<float>();
  const bool relu = act >= 0;
  const i64 rows = g.n * poh, xImage = g.h * g.w * g.c;
  const int threads = convimpl::threadsForRows(rows, g.n * g.pixels() * g.patch() * g.o);
  const i64 block = threads <= 1 ? rows : std::max<i64>(1, (rows + 4 * threads - 1) / (4 * threads));
  // Every output is computed on its own, so the bits do not depend on the threads or the blocks.
  forEachClaimedBlock(rows, block, threads, [&](i64 r0, i64 r1) {
    float* copy = padded ? scratch<float>(static_cast<std::size_t>(H * W * g.c)) : nullptr;
    i64 copied = -1;
    for (i64 r = r0; r < r1; ++r) {
      const i64 n = r / poh, i = r % poh;
      const float* image = xs + n * xImage;
      if (padded) {
        if (copied != n) copyPaddedImage(g, image, copy), copied = n;
        image = copy;
      }
      convPoolDirectRowAvx512(s, image, taps.data(), f, b, relu, i, y + r * pow * g.o);
    }
  });
  return true;
#else
  (void)act, (void)x, (void)filter, (void)bias, (void)hasBias, (void)out, (void)convParams, (void)poolParams, (void)poolMode;
  return false;
#endif
}

}  // namespace nabla
