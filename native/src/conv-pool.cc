#include "conv-pool.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "conv-algorithm.h"
#include "fused.h"
#include "kernels.h"
#include "prepacked.h"
#include "thread-pool.h"
#include "window-kernels.h"

namespace nabla {

namespace {

using convimpl::ConvGeometry;

/**
 * Bytes of conv output per piece and thread: well inside a core's L2 (1 MB on the Zen 5 build
 * machine), with room for the input and the pooled piece. NABLA_CONV_POOL_PIECE_KB overrides it
 * (benchmarks; read per call).
 */
constexpr i64 kPieceBytes = i64{256} << 10;

i64 pieceBytes() {
  if (const char* kb = std::getenv("NABLA_CONV_POOL_PIECE_KB")) {
    const long v = std::strtol(kb, nullptr, 10);
    if (v > 0) return static_cast<i64>(v) << 10;
  }
  return kPieceBytes;
}

i64 windowOut(i64 in, i64 k, i64 stride, i64 dilation, i64 before, i64 after) {
  const i64 span = in + before + after - ((k - 1) * dilation + 1);
  return span < 0 ? -1 : span / stride + 1;
}

/** The conv's geometry, checked as conv2d checks it (the pieces' sizes are computed from it before conv2d runs). */
ConvGeometry geometryOf(const std::vector<i64>& p) {
  if (static_cast<int>(p.size()) != kConvParamCount) throw InputError("fusedConvPool: expected 19 conv geometry integers");
  for (i64 v : p)
    if (v < 0 || v > (i64{1} << 40)) throw InputError("fusedConvPool: conv geometry value " + std::to_string(v) + " out of range");
  ConvGeometry g{p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10], p[11], p[12], p[13], p[14], p[15], p[16], p[17], p[18], 0};
  if (g.sh < 1 || g.sw < 1 || g.dh < 1 || g.dw < 1 || g.kh < 1 || g.kw < 1 || g.groups < 1 || g.cg * g.groups != g.c || g.o % g.groups != 0)
    throw InputError("fusedConvPool: bad conv geometry (strides, dilations, window and groups must be >= 1 and split the channels)");
  if (windowOut(g.h, g.kh, g.sh, g.dh, g.top, g.bottom) != g.oh || windowOut(g.w, g.kw, g.sw, g.dw, g.left, g.right) != g.ow)
    throw InputError("fusedConvPool: conv output size " + std::to_string(g.oh) + "x" + std::to_string(g.ow) + " does not follow from input " +
                     std::to_string(g.h) + "x" + std::to_string(g.w) + " and the window");
  g.og = g.o / g.groups;
  return g;
}

/** The same geometry for `n` images. */
std::vector<i64> withImages(std::vector<i64> params, i64 n) {
  params[0] = n;
  return params;
}

Buffer slice(const Buffer& b, i64 offset, i64 length) {
  Buffer s = b;
  s.data = static_cast<std::uint8_t*>(b.data) + offset * static_cast<i64>(dtypeSize(b.dtype));
  s.length = length;
  return s;
}

/** Pieces up to this size keep their scratch on the calling thread between calls. */
constexpr std::size_t kKeptScratchBytes = std::size_t{8} << 20;

/**
 * Scratch for one piece of conv output: kept by the calling thread between calls where it is
 * small (the usual piece), else `once`'s, given back when the call ends (a batch that runs as one
 * piece, or a large image, must not hold its conv output for the thread's life).
 */
void* pieceScratch(std::size_t bytes, std::vector<std::uint64_t>& once) {
  thread_local std::vector<std::uint64_t> kept;
  std::vector<std::uint64_t>& buf = bytes <= kKeptScratchBytes ? kept : once;
  const std::size_t words = (bytes + 7) / 8;
  if (buf.size() < words) buf.resize(words);
  return buf.data();
}

}  // namespace

i64 convPoolChunkImages(const std::vector<i64>& convParams) {
  const ConvGeometry g = geometryOf(convParams);
  const i64 perImage = std::max<i64>(1, g.oh * g.ow * g.o * static_cast<i64>(sizeof(float)));
  // Each of the pool's threads works on its share of a piece, in its own core's cache.
  const i64 chunk = std::max<i64>(1, pieceBytes() * ThreadPool::current().size() / perImage);
  if (chunk >= g.n) return 0;
  // A piece must take the path the whole batch takes (Winograd's choice counts tiles, so images):
  // another path would sum in another order.
  ConvGeometry piece = g;
  piece.n = chunk;
  if (g.depthwise() || convimpl::forwardAlgorithm(piece) != convimpl::forwardAlgorithm(g) ||
      convimpl::forwardAlgorithm(piece, true) != convimpl::forwardAlgorithm(g, true))
    return 0;
  return chunk;
}

void convPool(int act, const Buffer& x, const Buffer& filter, const Buffer& bias, bool hasBias, const Buffer* packed, const Buffer& out,
              const std::vector<i64>& convParams, const std::vector<i64>& poolParams, int poolMode) {
  if (poolMode != static_cast<int>(PoolMode::Max) && poolMode != static_cast<int>(PoolMode::Avg))
    throw InputError("fusedConvPool: pool mode must be max (0) or avg (3), got " + std::to_string(poolMode));
  if (static_cast<int>(poolParams.size()) != kPoolParamCount) throw InputError("fusedConvPool: expected 14 pool geometry integers");
  const ConvGeometry g = geometryOf(convParams);
  // The pool reads the conv's output: the same images, rows, columns and channels.
  if (poolParams[0] != g.n || poolParams[1] != g.oh || poolParams[2] != g.ow || poolParams[3] != g.o)
    throw InputError("fusedConvPool: the pool's input " + std::to_string(poolParams[0]) + "x" + std::to_string(poolParams[1]) + "x" +
                     std::to_string(poolParams[2]) + "x" + std::to_string(poolParams[3]) + " is not the conv's output " + std::to_string(g.n) +
                     "x" + std::to_string(g.oh) + "x" + std::to_string(g.ow) + "x" + std::to_string(g.o));
  if (x.dtype != out.dtype || (hasBias && bias.dtype != out.dtype))
    throw InputError(std::string("fusedConvPool: expected arrays of one dtype, got ") + dtypeName(x.dtype) + " and " + dtypeName(out.dtype));
  const i64 xImage = g.h * g.w * g.c, yImage = g.oh * g.ow * g.o, pImage = poolParams[4] * poolParams[5] * g.o;
  expectLength(x, g.n * xImage, "fusedConvPool", "input");
  expectLength(out, g.n * pImage, "fusedConvPool", "output");
  if (hasBias) expectLength(bias, g.o, "fusedConvPool", "bias");
  if (g.n * pImage == 0) return;
  const i64 chunk = convPoolChunkImages(convParams) > 0 ? convPoolChunkImages(convParams) : g.n;
  const std::size_t bytes = static_cast<std::size_t>(std::min(chunk, g.n) * yImage) * dtypeSize(out.dtype);
  std::vector<std::uint64_t> once;
  Buffer y{pieceScratch(bytes, once), 0, out.dtype};
  for (i64 b0 = 0; b0 < g.n; b0 += chunk) {
    const i64 n = std::min(chunk, g.n - b0);
    y.length = n * yImage;
    const Buffer xs = slice(x, b0 * xImage, n * xImage);
    if (packed) conv2dPrepacked(xs, filter, *packed, y, withImages(convParams, n));
    else conv2d(static_cast<int>(ConvMode::Forward), xs, filter, y, withImages(convParams, n));
    if (hasBias) biasActivation(act, y, bias, n * g.oh * g.ow, g.o);
    else if (act >= 0) unary(act, y, y);
    pool2d(poolMode, y, y, slice(out, b0 * pImage, n * pImage), withImages(poolParams, n));
  }
}

}  // namespace nabla
