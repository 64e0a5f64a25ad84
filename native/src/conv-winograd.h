// Winograd F(4x4, 3x3) forward convolution for float32 (conv-winograd.cc): 3x3 windows, stride 1,
// dilation 1, one group, any padding, NHWC input, [3, 3, c, o] filter.
#pragma once

#include "conv-geometry.h"
#include "gemm/gemm.h"

namespace nabla {
namespace convimpl {

/** Whether forwardWinograd can run this shape. */
inline bool winogradApplies(const ConvGeometry& g) {
  return g.kh == 3 && g.kw == 3 && g.sh == 1 && g.sw == 1 && g.dh == 1 && g.dw == 1 && g.groups == 1;
}

/**
 * Elements of a Winograd pack (prepacked.h): a header, then the 36 transformed planes of c x o,
 * each as the GEMM's prepacked panels (prepackB, gemm.h), so the conv's 36 products read them as
 * they are.
 */
constexpr i64 kWinogradPackHeader = 32;
inline i64 winogradPackLength(i64 c, i64 o) { return kWinogradPackHeader + 36 * prepackedBLength(c, o, 1); }

/** Write f's transformed filter (as forwardWinograd computes it) into pack, winogradPackLength(c, o) elements. */
void packWinogradFilter(const float* f, i64 c, i64 o, float* pack);
/** The 36 planes' GEMM panels in a packWinogradFilter pack. */
struct WinogradPanels {
  const float* plane[36];
};
/**
 * Whether pack is a packWinogradFilter pack for c x o that this build's GEMM reads (another kind,
 * shape or build: no), and if so its panels.
 */
bool winogradPanels(const float* pack, i64 length, i64 c, i64 o, WinogradPanels& panels);

/**
 * y = conv(x, f) through the transform domain: each 6x6 input tile (4x4 outputs) is transformed,
 * 36 packed GEMMs [tiles x c] x [c x o] multiply it by the transformed filter, and the products
 * are transformed back. The filter is transformed and packed on every call unless `packed` holds
 * its panels (from winogradPanels); the results are the same. Requires winogradApplies(g).
 * `epilogue` (a bias of o elements, an activation) is applied to each output pixel as it is
 * written, with the bits of a later biasActivation pass.
 */
void forwardWinograd(const ConvGeometry& g, const float* x, const float* f, float* y, const WinogradPanels* packed = nullptr,
                     const GemmEpilogue<float>* epilogue = nullptr);

}  // namespace convimpl
}  // namespace nabla
