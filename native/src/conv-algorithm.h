// Which algorithm a float32 forward convolution runs, chosen per shape. The register-tiled path
// (conv-tiled.cc) reads the filter in place, unpacked, once per tile of 12 output pixels: fast
// while the filter stays in the core's cache, slow once it does not (ResNet-18's 14x14x256 and
// 7x7x512 3x3 layers: 2.4 and 9.4 MB of filter). The packed GEMM (conv.cc) copies the filter into
// panels once per call and then streams them from cache, which pays for large filters.
// NABLA_CONV_FORWARD=tiled|gemm forces one path (benchmarks and tests of both paths); read on
// every call so a test can switch it.
#pragma once

#include <cstdlib>
#include <cstring>

#include "conv-geometry.h"

namespace nabla {
namespace convimpl {

enum class ConvForward { Tiled, Gemm };

/** Filter bytes up to which the tiled path wins: measured on ResNet-18 and the bench CNN (BENCHMARKS.md). */
constexpr i64 kTiledFilterBytes = i64{1} << 20;

inline ConvForward heuristicForward(const ConvGeometry& g) {
  const i64 filterBytes = g.patch() * g.og * static_cast<i64>(sizeof(float));
  return filterBytes <= kTiledFilterBytes ? ConvForward::Tiled : ConvForward::Gemm;
}

inline ConvForward forwardAlgorithm(const ConvGeometry& g) {
  if (const char* forced = std::getenv("NABLA_CONV_FORWARD")) {
    if (std::strcmp(forced, "tiled") == 0) return ConvForward::Tiled;
    if (std::strcmp(forced, "gemm") == 0) return ConvForward::Gemm;
  }
  return heuristicForward(g);
}

}  // namespace convimpl
}  // namespace nabla
