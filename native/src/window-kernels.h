// Entry points of the sliding-window kernels (convolution and pooling over NHWC tensors). The
// binding passes the geometry as a list of integers, validated here against the buffers.
#pragma once

#include <vector>

#include "common.h"

namespace nabla {

/** conv2d modes: which tensor the kernel produces. */
enum class ConvMode : int { Forward = 0, InputGrad = 1, FilterGrad = 2 };
/** Number of integers conv2d reads: see ConvGeometry in conv-geometry.h. */
constexpr int kConvParamCount = 19;

/**
 * Forward: a = x, b = filter, out = y. InputGrad: a = dy, b = filter, out = dx.
 * FilterGrad: a = x, b = dy, out = df. params: n, h, w, c, kh, kw, c/groups, o, oh, ow,
 * strideH, strideW, dilationH, dilationW, padTop, padBottom, padLeft, padRight, groups.
 */
void conv2d(int mode, const Buffer& a, const Buffer& b, const Buffer& out, const std::vector<i64>& params);

/** Pool modes, in the order of kPoolOps. */
enum class PoolMode : int { Max = 0, MaxGrad = 1, MaxGradGrad = 2, Avg = 3, AvgGrad = 4 };
constexpr int kPoolParamCount = 14;

/**
 * Max: a = x, out = y. MaxGrad: a = x, b = dy, out = dx. MaxGradGrad: a = x, b = g (shaped like
 * x), out = y. Avg: a = x, out = y. AvgGrad: a = dy, out = dx (b unused). params: n, h, w, c (the
 * pooled input), oh, ow, poolH, poolW, strideH, strideW, padTop, padBottom, padLeft, padRight.
 */
void pool2d(int mode, const Buffer& a, const Buffer& b, const Buffer& out, const std::vector<i64>& params);

}  // namespace nabla
