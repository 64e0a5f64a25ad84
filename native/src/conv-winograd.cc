// Winograd F(4x4, 3x3) (Lavin & Gray's transforms, interpolation points 0, +-1, +-2, infinity).
// Output tiles of 4x4 pixels read 6x6 input tiles; per tile and channel the input transform is
// B^T d B, the filter's G g G^T, the output's A^T m A, and the 36 elementwise products summed
// over input channels are 36 matrix products [tiles x c] x [c x o], run on the packed GEMM.
// Channels are the innermost (NHWC) dimension, so every transform is a loop over contiguous
// channels. Tiles go in blocks (a few MiB of transformed inputs and products), claimed by the
// pool's threads; each output element is computed in one fixed order, so results do not depend on
// the thread count.
#include "conv-winograd.h"

#include <algorithm>

#include "claimed-blocks.h"
#include "gemm/epilogue.h"
#include "thread-pool.h"

#if defined(__clang__)
#define NABLA_NO_ALIAS_LOOP _Pragma("clang loop vectorize(assume_safety)")
#elif defined(__GNUC__)
#define NABLA_NO_ALIAS_LOOP _Pragma("GCC ivdep")
#else
#define NABLA_NO_ALIAS_LOOP
#endif

namespace nabla {
namespace convimpl {

namespace {

/** Scratch slots of this file (conv-geometry.h's threadScratch). */
enum Slot : int { kFilterSlot = 10, kInputSlot = 11, kProductSlot = 12, kTileSlot = 13, kZeroSlot = 14, kSinkSlot = 15, kPackSlot = 16 };

constexpr i64 kPoints = 36;  // 6x6 transform points per tile
/**
 * Bytes of one block's transformed inputs and products. 2 MiB measured faster than 0.25-1 MiB and
 * as fast as 4-8 MiB on ResNet-18's 56x56x64 and 28x28x128 layers (Zen 5, 1 MiB L2), when each
 * block still repacked the transformed filter for its 36 GEMMs.
 */
constexpr i64 kBlockBytes = i64{2} << 20;

/** out[i] = (B^T d)[i] over c contiguous channels: one 6-point input transform per channel. */
void inputTransform6(const float* const in[6], float* const out[6], i64 c) {
  const float *d0 = in[0], *d1 = in[1], *d2 = in[2], *d3 = in[3], *d4 = in[4], *d5 = in[5];
  float *o0 = out[0], *o1 = out[1], *o2 = out[2], *o3 = out[3], *o4 = out[4], *o5 = out[5];
  NABLA_NO_ALIAS_LOOP
  for (i64 k = 0; k < c; ++k) {
    const float a0 = d0[k], a1 = d1[k], a2 = d2[k], a3 = d3[k], a4 = d4[k], a5 = d5[k];
    o0[k] = 4.0f * a0 - 5.0f * a2 + a4;
    o1[k] = a3 + a4 - 4.0f * (a1 + a2);
    o2[k] = 4.0f * (a1 - a2) + a4 - a3;
    o3[k] = 2.0f * (a3 - a1) + a4 - a2;
    o4[k] = 2.0f * (a1 - a3) + a4 - a2;
    o5[k] = 4.0f * a1 - 5.0f * a3 + a5;
  }
}

/** out[i] = (A^T m)[i] over c contiguous channels: one output transform (6 points to 4) per channel. */
void outputTransform6(const float* const in[6], float* const out[4], i64 c) {
  const float *m0 = in[0], *m1 = in[1], *m2 = in[2], *m3 = in[3], *m4 = in[4], *m5 = in[5];
  float *o0 = out[0], *o1 = out[1], *o2 = out[2], *o3 = out[3];
  NABLA_NO_ALIAS_LOOP
  for (i64 k = 0; k < c; ++k) {
    const float s12 = m1[k] + m2[k], d12 = m1[k] - m2[k], s34 = m3[k] + m4[k], d34 = m3[k] - m4[k];
    o0[k] = m0[k] + s12 + s34;
    o1[k] = d12 + 2.0f * d34;
    o2[k] = s12 + 4.0f * s34;
    o3[k] = d12 + 8.0f * d34 + m5[k];
  }
}

/** out[i] = (G v)[i] over n contiguous lanes: the filter transform of 3 taps into 6 points. */
void filterTransform3(const float* const in[3], float* const out[6], i64 n) {
  const float *v0 = in[0], *v1 = in[1], *v2 = in[2];
  float *o0 = out[0], *o1 = out[1], *o2 = out[2], *o3 = out[3], *o4 = out[4], *o5 = out[5];
  NABLA_NO_ALIAS_LOOP
  for (i64 k = 0; k < n; ++k) {
    const float a = v0[k], b = v1[k], c = v2[k];
    const float ends = a + c, quarter = a * (1.0f / 24) + c * (1.0f / 6), mid = b * (1.0f / 12);
    o0[k] = a * 0.25f;
    o1[k] = (ends + b) * (-1.0f / 6);
    o2[k] = (ends - b) * (-1.0f / 6);
    o3[k] = quarter + mid;
    o4[k] = quarter - mid;
    o5[k] = c;
  }
}

/** u[point][ci][co] = (G f[., ., ci, co] G^T)[point], vectorised over co. */
void transformFilter(const float* f, i64 c, i64 o, float* u) {
  const i64 plane = c * o;
  parallelFor(c, o * 100, [&](i64 c0, i64 c1) {
    float* rows = threadScratch<float, kTileSlot>(static_cast<std::size_t>(18 * o));
    const float* in[3];
    float* out[6];
    for (i64 ci = c0; ci < c1; ++ci) {
      // Along the window's rows: rows[i][q] = sum_p G[i][p] f[p][q] for each column q.
      for (int q = 0; q < 3; ++q) {
        for (int p = 0; p < 3; ++p) in[p] = f + (p * 3 + q) * plane + ci * o;
        for (int i = 0; i < 6; ++i) out[i] = rows + (i * 3 + q) * o;
        filterTransform3(in, out, o);
      }
      // Along its columns: u[i][j] = sum_q rows[i][q] G[j][q].
      for (int i = 0; i < 6; ++i) {
        for (int q = 0; q < 3; ++q) in[q] = rows + (i * 3 + q) * o;
        for (int j = 0; j < 6; ++j) out[j] = u + (i * 6 + j) * plane + ci * o;
        filterTransform3(in, out, o);
      }
    }
  });
}

/** Tiles per block: a block's transformed inputs and products within kBlockBytes. */
i64 tileBlock(i64 c, i64 o) {
  return std::clamp<i64>(kBlockBytes / (kPoints * (c + o) * static_cast<i64>(sizeof(float))), 4, 512);
}

}  // namespace

// The pack's header: a marker and the planes' size, so a pack of another shape or kind is refused.
constexpr float kWinogradPackMarker = 4433.0f;

namespace {

/** Plane p's GEMM panels in a pack (prepackB's buffer of c x o), or null where they are not this build's. */
const float* planePanels(const float* pack, i64 c, i64 o, i64 p) {
  const i64 length = prepackedBLength(c, o, 1);
  return prepackedPanels(pack + kWinogradPackHeader + p * length, length, c, o, 1, 0);
}

}  // namespace

void packWinogradFilter(const float* f, i64 c, i64 o, float* pack) {
  std::fill(pack, pack + kWinogradPackHeader, 0.0f);
  pack[0] = kWinogradPackMarker;
  pack[1] = static_cast<float>(c);
  pack[2] = static_cast<float>(o);
  float* planes = threadScratch<float, kFilterSlot>(static_cast<std::size_t>(kPoints * c * o));
  transformFilter(f, c, o, planes);
  const i64 length = prepackedBLength(c, o, 1);
  // The planes are packed by whichever threads are free (a copy: the split changes no bits); on
  // one thread the packing took as long as the transform (4x the filter's bytes read and written).
  parallelFor(kPoints, c * o * 2, [&](i64 p0, i64 p1) {
    for (i64 p = p0; p < p1; ++p)
      prepackB<float>(c, o, 1, MatrixRef<float>{planes + p * c * o, o, 1}, pack + kWinogradPackHeader + p * length, length);
  });
}

bool winogradPanels(const float* pack, i64 length, i64 c, i64 o, WinogradPanels& panels) {
  if (length != winogradPackLength(c, o) || pack[0] != kWinogradPackMarker || pack[1] != static_cast<float>(c) ||
      pack[2] != static_cast<float>(o))
    return false;
  for (i64 p = 0; p < kPoints; ++p)
    if (!(panels.plane[p] = planePanels(pack, c, o, p))) return false;
  return true;
}

void forwardWinograd(const ConvGeometry& g, const float* x, const float* f, float* y, const WinogradPanels* packed,
                     const GemmEpilogue<float>* epilogue) {
  const i64 C = g.c, O = g.o;
  const i64 tilesH = (g.oh + 3) / 4, tilesW = (g.ow + 3) / 4, perImage = tilesH * tilesW, tiles = g.n * perImage;
  WinogradPanels own;
  if (!packed) {
    // Packed once per call, not per block of tiles: the blocks (and the threads) share the panels.
    const i64 length = winogradPackLength(C, O);
    float* pack = threadScratch<float, kPackSlot>(static_cast<std::size_t>(length));
    packWinogradFilter(f, C, O, pack);
    winogradPanels(pack, length, C, O, own);
    packed = &own;
  }
  const float* const* panels = packed->plane;
  float* zeros = threadScratch<float, kZeroSlot>(static_cast<std::size_t>(C));
  std::fill(zeros, zeros + C, 0.0f);
  // At least one block per thread (a tile's outputs do not depend on its block, so neither do the results).
  const int threads = threadsForRows(tiles, tiles * kPoints * C * O * 2);
  const i64 block = std::min(tileBlock(C, O), (tiles + threads - 1) / threads);
  forEachClaimedBlock(tiles, block, threads, [&](i64 t0, i64 t1) {
    const i64 count = t1 - t0;
    // v[point][tile][ci] and m[point][tile][co]: each point's rows a row-major GEMM operand.
    float* v = threadScratch<float, kInputSlot>(static_cast<std::size_t>(kPoints * block * C));
    float* m = threadScratch<float, kProductSlot>(static_cast<std::size_t>(kPoints * block * O));
    float* tmp = threadScratch<float, kTileSlot>(static_cast<std::size_t>(kPoints * std::max(C, O)));
    float* sink = threadScratch<float, kSinkSlot>(static_cast<std::size_t>(O));
    for (i64 t = t0; t < t1; ++t) {
      const i64 b = t / perImage, ti = (t % perImage) / tilesW, tj = t % tilesW;
      const i64 ih0 = ti * 4 - g.top, iw0 = tj * 4 - g.left;
      const float* in[6];
      float* out[6];
      // Columns first: tmp[i][j] = sum_k B^T[i][k] d[k][j], padding read as zeros.
      for (int j = 0; j < 6; ++j) {
        const i64 iw = iw0 + j;
        for (int k = 0; k < 6; ++k) {
          const i64 ih = ih0 + k;
          in[k] = ih >= 0 && ih < g.h && iw >= 0 && iw < g.w ? x + ((b * g.h + ih) * g.w + iw) * C : zeros;
        }
        for (int i = 0; i < 6; ++i) out[i] = tmp + (i * 6 + j) * C;
        inputTransform6(in, out, C);
      }
      // Then rows: v[i][j] = sum_k tmp[i][k] B[k][j].
      for (int i = 0; i < 6; ++i) {
        for (int k = 0; k < 6; ++k) in[k] = tmp + (i * 6 + k) * C;
        for (int j = 0; j < 6; ++j) out[j] = v + ((i * 6 + j) * count + (t - t0)) * C;
        inputTransform6(in, out, C);
      }
    }
    for (i64 p = 0; p < kPoints; ++p)
      gemmPrepacked<float>(count, O, C, MatrixRef<float>{v + p * count * C, C, 1}, panels[p], m + p * count * O, O, 1);
    for (i64 t = t0; t < t1; ++t) {
      const i64 b = t / perImage, ti = (t % perImage) / tilesW, tj = t % tilesW;
      const float* in[6];
      float* out[6];
      for (int j = 0; j < 6; ++j) {
        for (int k = 0; k < 6; ++k) in[k] = m + ((k * 6 + j) * count + (t - t0)) * O;
        for (int i = 0; i < 4; ++i) out[i] = tmp + (i * 6 + j) * O;
        outputTransform6(in, out, O);
      }
      // Output pixels past the image's edge (remainder tiles) land in the sink.
      for (int i = 0; i < 4; ++i) {
        const i64 oy = ti * 4 + i;
        for (int k = 0; k < 6; ++k) in[k] = tmp + (i * 6 + k) * O;
        for (int j = 0; j < 4; ++j) {
          const i64 ox = tj * 4 + j;
          out[j] = oy < g.oh && ox < g.ow ? y + ((b * g.oh + oy) * g.ow + ox) * O : sink;
        }
        outputTransform6(in, out, O);
        if (epilogue)
          for (int j = 0; j < 4; ++j)
            if (out[j] != sink) applyGemmEpilogue(*epilogue, out[j], O, 1, 0, O);
      }
    }
  });
}

}  // namespace convimpl
}  // namespace nabla
