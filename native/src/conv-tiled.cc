// The register-tiled float32 convolution paths (conv-tile.h). The tile product reads its
// operands in place, so nothing is packed. Forward: where every window lies inside the input, the
// tiles of an output row read their patches straight from the input through a table of tap
// offsets; otherwise they multiply im2col rows (or the input itself for 1x1 windows) by the
// filter. Filter gradient: transposed patches (read in place when short, else im2col rows) times
// the output gradient. Input gradient: the output gradient times the transposed filter, then the
// col2im scatter. Threads claim blocks of rows (whole images where sums scatter; fixed chunks for
// the filter gradient); each output element is summed in one fixed order, so results do not even
// depend on the thread count.
#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "claimed-blocks.h"
#include "conv-geometry.h"
#include "conv-tile.h"
#include "cpu.h"

namespace nabla {

TileProductF32 tileProductF32() {
  static const TileProductF32 chosen = []() -> TileProductF32 {
#if defined(__x86_64__) || defined(_M_X64)
    if (detectSimd() == Simd::Avx512) return &tileProductAvx512;
    if (detectSimd() == Simd::Avx2) return &tileProductAvx2;
#endif
    return nullptr;
  }();
  return chosen;
}

TileGatherBothProductF32 tileGatherBothProductF32() {
  static const TileGatherBothProductF32 chosen = []() -> TileGatherBothProductF32 {
#if defined(__x86_64__) || defined(_M_X64)
    if (detectSimd() == Simd::Avx512) return &tileGatherBothProductAvx512;
    if (detectSimd() == Simd::Avx2) return &tileGatherBothProductAvx2;
#endif
    return nullptr;
  }();
  return chosen;
}

TileGatherProductF32 tileGatherProductF32() {
  static const TileGatherProductF32 chosen = []() -> TileGatherProductF32 {
#if defined(__x86_64__) || defined(_M_X64)
    if (detectSimd() == Simd::Avx512) return &tileGatherProductAvx512;
    if (detectSimd() == Simd::Avx2) return &tileGatherProductAvx2;
#endif
    return nullptr;
  }();
  return chosen;
}

namespace convimpl {

namespace {

/** Scratch slots of this file (conv-geometry.h's threadScratch). */
enum Slot : int { kColSlot = 3, kFilterSlot = 4, kPartialSlot = 5, kOffsetSlot = 6, kPixelSlot = 7, kPaddedSlot = 8 };

/** Patches up to this long are read in place by the filter gradient (measured: 9 faster, 288 not). */
constexpr i64 kShortPatch = 64;

/** im2col rows per block: about `bytes` of patches, a whole number of tiles. */
i64 tiledBlockRows(i64 patch, i64 bytes) {
  const i64 rows = bytes / static_cast<i64>(sizeof(float)) / std::max<i64>(1, patch);
  return std::max<i64>(kTileRows, rows / kTileRows * kTileRows);
}

/** C rows [0, m) x cols [0, n) = A B (+ C), cut into tiles; A's element (i, p) at a[i * ars + p * acs]. */
void tiledProduct(TileProductF32 tile, i64 m, i64 n, i64 k, const float* a, i64 ars, i64 acs, const float* b, i64 ldb, float* c,
                  i64 ldc, bool accumulate) {
  for (i64 i = 0; i < m; i += kTileRows)
    for (i64 j = 0; j < n; j += kTileCols)
      tile(std::min(kTileRows, m - i), std::min(kTileCols, n - j), k, a + i * ars, ars, acs, b + j, ldb, c + i * ldc + j, ldc,
           accumulate);
}

/** Every window lies inside the input (no padding reached) and the taps of a pixel are one group's. */
bool windowsInside(const ConvGeometry& g) {
  return g.groups == 1 && g.top == 0 && g.left == 0 && (g.oh - 1) * g.sh + (g.kh - 1) * g.dh < g.h &&
         (g.ow - 1) * g.sw + (g.kw - 1) * g.dw < g.w;
}

/** Offsets in the input of a window's taps from its first, in patch order (the caller's scratch). */
const i64* tapOffsets(const ConvGeometry& g) {
  i64* offsets = threadScratch<i64, kOffsetSlot>(static_cast<std::size_t>(g.patch()));
  for (i64 p = 0, t = 0; p < g.kh; ++p)
    for (i64 q = 0; q < g.kw; ++q)
      for (i64 ci = 0; ci < g.cg; ++ci) offsets[t++] = (p * g.dh * g.w + q * g.dw) * g.c + ci;
  return offsets;
}

/** Offsets in the input of the first tap of output pixels [r0, r1) (global pixel indices). */
void windowOffsets(const ConvGeometry& g, i64 r0, i64 r1, i64* out) {
  const i64 P = g.pixels();
  i64 b = r0 / P, i = (r0 % P) / g.ow, j = r0 % g.ow;
  for (i64 r = r0; r < r1; ++r) {
    out[r - r0] = ((b * g.h + i * g.sh) * g.w + j * g.sw) * g.c;
    if (++j == g.ow) {
      j = 0;
      if (++i == g.oh) i = 0, ++b;
    }
  }
}

/**
 * The forward pass without im2col, where every window lies inside the input: the tiles of an
 * output row read their patches from the input through one table of tap offsets.
 */
void forwardGathered(TileGatherProductF32 tile, const ConvGeometry& g, const float* x, const float* f, float* y, int threads) {
  const i64 K = g.patch(), rows = g.n * g.oh;
  const i64* offsets = tapOffsets(g);
  // Near-equal tiles across an output row (26 pixels: 9, 9, 8), so none is a thin remainder.
  const i64 tiles = (g.ow + kTileRows - 1) / kTileRows;
  // Blocks of about 512 output pixels, but at least two per thread: a batch-1 image has few rows
  // (ResNet-18's stride-2 convs: 28, 14 and 7), and blocks of 512 / ow rows left one thread
  // 18 rows of 28 and the other 10, or all 14 (and 7) to one thread.
  i64 block = std::max<i64>(1, 512 / std::max<i64>(1, g.ow));
  if (threads > 1) block = std::min(block, std::max<i64>(1, (rows + 2 * threads - 1) / (2 * threads)));
  forEachClaimedBlock(rows, block, threads, [&](i64 r0, i64 r1) {
    for (i64 r = r0; r < r1; ++r) {
      const i64 b = r / g.oh, i = r % g.oh;
      const float* rowStart = x + (b * g.h + i * g.sh) * g.w * g.c;
      float* out = y + r * g.ow * g.o;
      for (int t = 0; t < tiles; ++t) {
        i64 j0, j1;
        splitRange(g.ow, static_cast<int>(tiles), t, j0, j1);
        for (i64 cb = 0; cb < g.o; cb += kTileCols)
          tile(j1 - j0, std::min(kTileCols, g.o - cb), K, rowStart + j0 * g.sw * g.c, g.sw * g.c, offsets, f + cb, g.o,
               out + j0 * g.o + cb, g.o, false);
      }
    }
  });
}

/** Floats of zero-padded input copied at a time (a ResNet stem's 230x230x3 image is 159K). */
constexpr i64 kPaddedBudget = i64{1} << 20;

/** g over its input zero-padded on every side: the same outputs, every window inside. */
ConvGeometry paddedGeometry(const ConvGeometry& g, i64 images) {
  ConvGeometry p = g;
  p.n = images;
  p.h = g.h + g.top + g.bottom;
  p.w = g.w + g.left + g.right;
  p.top = p.bottom = p.left = p.right = 0;
  return p;
}

/** Images [b0, b0 + p.n) of x copied into `out` with g's zero padding around each. */
void copyPadded(const ConvGeometry& g, const ConvGeometry& p, const float* x, i64 b0, float* out) {
  std::fill(out, out + p.n * p.h * p.w * p.c, 0.0f);
  for (i64 b = 0; b < p.n; ++b)
    for (i64 i = 0; i < g.h; ++i)
      std::memcpy(out + ((b * p.h + i + g.top) * p.w + g.left) * p.c, x + ((b0 + b) * g.h + i) * g.w * g.c,
                  static_cast<std::size_t>(g.w * g.c) * sizeof(float));
}

/**
 * The gathered forward pass where windows reach the padding (a ResNet stem's 7x7 stride-2 conv,
 * 'same' convs): a few images at a time are copied with their zero padding, which costs far less
 * than writing every window's patch (im2col). Zeros enter the sums in the same taps either way.
 */
void forwardGatheredPadded(TileGatherProductF32 tile, const ConvGeometry& g, const float* x, const float* f, float* y) {
  const i64 perImage = (g.h + g.top + g.bottom) * (g.w + g.left + g.right) * g.c;
  const i64 chunk = std::clamp<i64>(kPaddedBudget / std::max<i64>(1, perImage), 1, g.n);
  float* padded = threadScratch<float, kPaddedSlot>(static_cast<std::size_t>(chunk * perImage));
  for (i64 b0 = 0; b0 < g.n; b0 += chunk) {
    const ConvGeometry p = paddedGeometry(g, std::min(chunk, g.n - b0));
    copyPadded(g, p, x, b0, padded);
    forwardGathered(tile, p, padded, f, y + b0 * g.pixels() * g.o, threadsForRows(p.n * p.oh, p.n * p.pixels() * p.patch() * p.o));
  }
}

}  // namespace

bool forwardTiled(const ConvGeometry& g, const float* x, const float* f, float* y) {
  const TileProductF32 tile = tileProductF32();
  if (!tile) return false;
  if (const TileGatherProductF32 gather = tileGatherProductF32(); gather && !g.pointwise()) {
    if (windowsInside(g)) {
      forwardGathered(gather, g, x, f, y, threadsForRows(g.n * g.oh, g.n * g.pixels() * g.patch() * g.o));
      return true;
    }
    if (g.groups == 1 && g.top >= 0 && g.left >= 0 && g.bottom >= 0 && g.right >= 0) {
      forwardGatheredPadded(gather, g, x, f, y);
      return true;
    }
  }
  const i64 rows = g.n * g.pixels(), K = g.patch();
  const int threads = threadsForRows(rows, rows * K * g.o);
  const bool pointwise = g.pointwise();
  const i64 block = tiledBlockRows(K, 48 << 10);
  forEachClaimedBlock(rows, block, threads, [&](i64 s, i64 e) {
    float* col = pointwise ? nullptr : threadScratch<float, kColSlot>(static_cast<std::size_t>(block * K));
    for (i64 gi = 0; gi < g.groups; ++gi) {
      const float* patches = pointwise ? x + s * g.c + gi * g.cg : col;
      const i64 stride = pointwise ? g.c : K;
      if (!pointwise) im2col(g, x, gi, s, e, col);
      tiledProduct(tile, e - s, g.og, K, patches, stride, 1, f + gi * g.og, g.o, y + s * g.o + gi * g.og, g.o, false);
    }
  });
  return true;
}

bool filterGradTiled(const ConvGeometry& g, const float* x, const float* dy, float* df) {
  const TileProductF32 tile = tileProductF32();
  if (!tile) return false;
  const i64 rows = g.n * g.pixels(), K = g.patch(), filterSize = K * g.o;
  const int threads = threadsForRows(rows, rows * K * g.o);
  const bool pointwise = g.pointwise();
  // Long enough that storing a tile of filter sums once per block costs little.
  const i64 block = tiledBlockRows(K, 128 << 10);
  // Reading patches in place pays where they are short (a first layer: 9 for 3x3x1); long ones
  // (conv2's 288) run as fast from im2col rows, which the tiles then read contiguously.
  const bool shortPatches = K <= kShortPatch;
  const TileGatherBothProductF32 gather = shortPatches && !pointwise && windowsInside(g) ? tileGatherBothProductF32() : nullptr;
  const i64* taps = gather ? tapOffsets(g) : nullptr;
  // A fixed number of chunks whatever the thread count (sumOverChunks).
  const i64 chunks = std::clamp<i64>((rows + block - 1) / block, 1, maxFilterGradChunks(filterSize));
  sumOverChunks<float, kPartialSlot>(rows, chunks, threads, filterSize, df, [&](i64 r0, i64 r1, float* acc) {
    // Each block's product starts from zero and then adds into acc: float32 sums over blocks of a
    // few hundred rows, not one running sum over every row, which would lose more bits.
    float* prod = threadScratch<float, kFilterSlot>(static_cast<std::size_t>(K * g.og));
    float* col = pointwise || gather ? nullptr : threadScratch<float, kColSlot>(static_cast<std::size_t>(block * K));
    i64* windows = gather ? threadScratch<i64, kPixelSlot>(static_cast<std::size_t>(block)) : nullptr;
    for (i64 s = r0; s < r1; s += block) {
      const i64 e = std::min(r1, s + block);
      for (i64 gi = 0; gi < g.groups; ++gi) {
        if (gather) {
          // Patch element t of pixel p at x[taps[t] + windows[p]]: no im2col (one group here).
          windowOffsets(g, s, e, windows);
          for (i64 t = 0; t < K; t += kTileRows)
            for (i64 j = 0; j < g.o; j += kTileCols)
              gather(std::min(kTileRows, K - t), std::min(kTileCols, g.o - j), e - s, x, taps + t, windows, dy + s * g.o + j, g.o,
                     prod + t * g.o + j, g.o, false);
        } else {
          // Patch element t of pixel row p sits at patches[t + p * stride]: A = patches transposed.
          const float* patches = pointwise ? x + s * g.c + gi * g.cg : col;
          const i64 stride = pointwise ? g.c : K;
          if (!pointwise) im2col(g, x, gi, s, e, col);
          tiledProduct(tile, K, g.og, e - s, patches, 1, stride, dy + s * g.o + gi * g.og, g.o, prod, g.og, false);
        }
        for (i64 t = 0; t < K; ++t) {
          float* dst = acc + t * g.o + gi * g.og;
          const float* src = prod + t * g.og;
          for (i64 k = 0; k < g.og; ++k) dst[k] += src[k];
        }
      }
    }
  });
  return true;
}

bool inputGradTiled(const ConvGeometry& g, const float* dy, const float* f, float* dx) {
  const TileProductF32 tile = tileProductF32();
  if (!tile) return false;
  const i64 P = g.pixels(), K = g.patch(), imagePixels = g.h * g.w;
  // The filter transposed per group, [groups][og][K], so that B of dcol = dy f^T is row-major.
  float* ft = threadScratch<float, kFilterSlot>(static_cast<std::size_t>(K * g.o));
  for (i64 gi = 0; gi < g.groups; ++gi)
    for (i64 t = 0; t < K; ++t)
      for (i64 k = 0; k < g.og; ++k) ft[(gi * g.og + k) * K + t] = f[t * g.o + gi * g.og + k];
  const bool pointwise = g.pointwise();
  const i64 block = tiledBlockRows(K, 48 << 10);
  // Scattered sums overlap inside one image only: threads claim whole images.
  const int threads = threadsForRows(g.n, g.n * P * K * g.o);
  forEachClaimedBlock(g.n, 1, threads, [&](i64 b0, i64 b1) {
    const i64 r0 = b0 * P, r1 = b1 * P;
    if (pointwise) {
      for (i64 gi = 0; gi < g.groups; ++gi)
        tiledProduct(tile, r1 - r0, g.cg, g.og, dy + r0 * g.o + gi * g.og, g.o, 1, ft + gi * g.og * K, K,
                     dx + b0 * imagePixels * g.c + gi * g.cg, g.c, false);
      return;
    }
    std::fill(dx + b0 * imagePixels * g.c, dx + b1 * imagePixels * g.c, 0.0f);
    float* col = threadScratch<float, kColSlot>(static_cast<std::size_t>(block * K));
    for (i64 s = r0; s < r1; s += block) {
      const i64 e = std::min(r1, s + block);
      for (i64 gi = 0; gi < g.groups; ++gi) {
        tiledProduct(tile, e - s, K, g.og, dy + s * g.o + gi * g.og, g.o, 1, ft + gi * g.og * K, K, col, K, false);
        col2imAdd(g, col, gi, s, e, dx);
      }
    }
  });
  return true;
}

}  // namespace convimpl
}  // namespace nabla
