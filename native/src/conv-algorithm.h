// Which algorithm a float32 forward convolution runs, chosen per shape. The register-tiled path
// (conv-tiled.cc) reads the filter in place, unpacked, once per tile of 12 output pixels: fast
// while the filter stays in the core's cache, slow once it does not (ResNet-18's 14x14x256 and
// 7x7x512 3x3 layers: 2.4 and 9.4 MB of filter). The packed GEMM (conv.cc) copies the filter into
// panels once per call and then streams them from cache, which pays for large filters.
// Winograd F(4x4, 3x3) (conv-winograd.cc) does a quarter of the multiplies of either for 3x3,
// stride 1 windows, and wins where its transforms cost less than the multiplies saved (winogradWins).
// NABLA_CONV_FORWARD=tiled|gemm|winograd forces one path (benchmarks and tests of every path; a
// forced winograd where the shape has none runs the usual choice); read on every call so a test can
// switch it. The WebAssembly module has no environment: setForcedConvForward does the same there.
#pragma once

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "conv-geometry.h"
#include "conv-winograd.h"

namespace nabla {
namespace convimpl {

enum class ConvForward { Tiled, Gemm, Winograd };

/** Filter bytes up to which the tiled path wins: measured on ResNet-18 and the bench CNN (BENCHMARKS.md). */
constexpr i64 kTiledFilterBytes = i64{1} << 20;
/**
 * Winograd's range (measured, BENCHMARKS.md): it pays its filter transform (36 planes of c x o,
 * every call) back per 4x4 output tile, so it needs enough tiles, and its transforms cost per
 * channel what the GEMM saves per channel pair, so it needs enough channels. ResNet-18 at batch 1:
 * 56x56x64 (196 tiles) and 28x28x128 (49) win by 1.5-2x; 7x7x512 (4) loses; 14x14x256 (16): below.
 */
#if defined(__wasm__)
// The module has no tile product and a 4-wide GEMM, so the multiplies saved pay sooner: Winograd
// won 1.3-2.7x on every 3x3 shape measured with 16+ channels and 16+ tiles, and 1.1x at 4 tiles
// (bench/conv-winograd.ts); the cut sits between.
constexpr i64 kWinogradMinChannels = 16;
constexpr i64 kWinogradMinInputChannels = 16;
constexpr i64 kWinogradMinTiles = 8;
#else
constexpr i64 kWinogradMinChannels = 64;
// 32 input channels pay where there are 64 outputs (1 thread, CPU µs, transform per call, load
// 7-10): 256x13x13x32 → 64 (the bench CNN's second conv) 5,288 vs 6,085 tiled, 8x56x56x32 → 64
// 3,374 vs 4,431; 256x13x13x32 → 32 lost (3,149 vs 3,075).
constexpr i64 kWinogradMinInputChannels = 32;
constexpr i64 kWinogradMinTiles = 32;
#endif
/**
 * Fewer tiles pay where both channel counts are this wide (native: ResNet-18's 14x14x256 at batch
 * 1, 16 tiles): the packed panels save more multiplies per tile. 1 thread, packed transform: 0.76
 * vs 1.27 ms for the GEMM with a packed filter; the transform made per call (2.38 ms) loses, so
 * eager convs keep the transform of a filter they see again (src/backends/native/winograd-filter-cache.ts).
 * The rule cannot ask whether a transform is cached: the bits of a conv would then depend on it.
 */
constexpr i64 kWinogradWideChannels = 256;
constexpr i64 kWinogradWideMinTiles = 16;
constexpr i64 kWinogradMaxFilterPlane = 256 * 256;

/** Whether Winograd beats both other paths on this shape. */
inline bool winogradWins(const ConvGeometry& g) {
  const i64 tiles = g.n * ((g.oh + 3) / 4) * ((g.ow + 3) / 4);
  const bool wide = g.c >= kWinogradWideChannels && g.o >= kWinogradWideChannels;
  return winogradApplies(g) && g.c >= kWinogradMinInputChannels && g.o >= kWinogradMinChannels && g.c * g.o <= kWinogradMaxFilterPlane &&
         tiles >= (wide ? std::min(kWinogradMinTiles, kWinogradWideMinTiles) : kWinogradMinTiles);
}

/**
 * Whether Winograd wins where the filter's transform is cached (prepacked weights of inference
 * graphs, prepacked.h). The same range as winogradWins, and it must stay so: a compiled predict
 * (transform prepacked) and an eager one (transform made per call, or kept by the backend) give
 * the same bits only where both choose the same path. 7x7x512 at batch 1 loses even prepacked
 * (2.57 vs 1.67 ms, BENCHMARKS.md).
 */
inline bool winogradWinsPrepacked(const ConvGeometry& g) { return winogradWins(g); }

inline ConvForward heuristicForward(const ConvGeometry& g, bool transformCached = false) {
  if (transformCached ? winogradWinsPrepacked(g) : winogradWins(g)) return ConvForward::Winograd;
  const i64 filterBytes = g.patch() * g.og * static_cast<i64>(sizeof(float));
  return filterBytes <= kTiledFilterBytes ? ConvForward::Tiled : ConvForward::Gemm;
}

/** The path a caller forced (-1: none, else a ConvForward), for builds without an environment. */
inline int& forcedConvForward() {
  static int forced = -1;
  return forced;
}
inline void setForcedConvForward(int code) { forcedConvForward() = code >= 0 && code <= 2 ? code : -1; }

/** The path for this shape; transformCached: where a prepacked Winograd filter would be read. */
inline ConvForward forwardAlgorithm(const ConvGeometry& g, bool transformCached = false) {
  ConvForward chosen = heuristicForward(g, transformCached);
  if (const char* forced = std::getenv("NABLA_CONV_FORWARD")) {
    if (std::strcmp(forced, "tiled") == 0) chosen = ConvForward::Tiled;
    if (std::strcmp(forced, "gemm") == 0) chosen = ConvForward::Gemm;
    if (std::strcmp(forced, "winograd") == 0) chosen = ConvForward::Winograd;
  }
  if (forcedConvForward() >= 0) chosen = static_cast<ConvForward>(forcedConvForward());
  return chosen == ConvForward::Winograd && !winogradApplies(g) ? heuristicForward(g, transformCached) : chosen;
}

}  // namespace convimpl
}  // namespace nabla
