#include "conv-pool.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "claimed-blocks.h"
#include "conv-algorithm.h"
#include "conv-pool-direct.h"
#include "fused.h"
#include "kernels.h"
#include "prepacked.h"
#include "thread-pool.h"
#include "window-kernels.h"

namespace nabla {

namespace {

using convimpl::ConvGeometry;
using convimpl::parseConvGeometry;

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

/**
 * NABLA_CONV_POOL_SPLIT=steps: the split before threads claimed whole pieces (pieces of
 * pieceBytes per thread, one after another, each step split between the threads), for benchmarks
 * that compare the two in one process; read per call.
 */
bool splitSteps() {
  const char* split = std::getenv("NABLA_CONV_POOL_SPLIT");
  return split && std::string(split) == "steps";
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

/** Whether a piece of `images` images takes the conv path the whole batch takes (else it would sum in another order). */
bool samePath(const ConvGeometry& g, i64 images) {
  ConvGeometry piece = g;
  piece.n = images;
  return convimpl::forwardAlgorithm(piece) == convimpl::forwardAlgorithm(g) &&
         convimpl::forwardAlgorithm(piece, true) == convimpl::forwardAlgorithm(g, true);
}

/** Pieces of `chunk` images but the last, which holds what is left: fewer images, or up to twice as many where a short rest joined it. */
struct Pieces {
  i64 chunk, count;
  i64 begin(i64 p) const { return p * chunk; }
  i64 images(i64 p, i64 n) const { return p == count - 1 ? n - p * chunk : chunk; }
};

/**
 * The batch's pieces (one piece of the whole batch where it cannot be cut): a piece's conv output
 * fills pieceBytes (one thread's cache), and with `threads` threads the batch falls into a whole
 * number of pieces per thread where it has only a few pieces, so none waits on a thin last one.
 * Every piece must take the conv path the whole batch takes (Winograd's choice counts tiles, so
 * images); a short remainder that would not joins the piece before it.
 */
Pieces piecesOf(const ConvGeometry& g, int threads) {
  const Pieces whole{g.n, 1};
  const i64 perImage = std::max<i64>(1, g.oh * g.ow * g.o * static_cast<i64>(sizeof(float)));
  const bool steps = splitSteps();
  i64 chunk = std::max<i64>(1, pieceBytes() * (steps ? threads : 1) / perImage);
  if (chunk >= g.n && (threads <= 1 || steps)) return whole;
  const i64 pieces = (g.n + chunk - 1) / chunk;
  if (pieces < 4 * threads && !steps) {
    const i64 balanced = (pieces + threads - 1) / threads * threads;
    chunk = (g.n + balanced - 1) / balanced;
  }
  if (chunk >= g.n || g.depthwise() || !samePath(g, chunk)) return whole;
  const i64 rest = g.n % chunk;
  if (rest == 0 || samePath(g, rest)) return {chunk, (g.n + chunk - 1) / chunk};
  // The rest joins the last whole piece, unless that is the whole batch.
  if (g.n / chunk < 2 || !samePath(g, chunk + rest)) return whole;
  return {chunk, g.n / chunk};
}

/** Threads for the pieces: as many as the conv's work pays for (1 inside another job). */
int pieceThreads(const ConvGeometry& g) { return convimpl::threadsForRows(g.n, g.n * g.pixels() * g.patch() * g.o); }

}  // namespace

void convPool(int act, const Buffer& x, const Buffer& filter, const Buffer& bias, bool hasBias, const Buffer* packed, const Buffer& out,
              const std::vector<i64>& convParams, const std::vector<i64>& poolParams, int poolMode) {
  if (poolMode != static_cast<int>(PoolMode::Max) && poolMode != static_cast<int>(PoolMode::Avg))
    throw InputError("fusedConvPool: pool mode must be max (0) or avg (3), got " + std::to_string(poolMode));
  if (static_cast<int>(poolParams.size()) != kPoolParamCount) throw InputError("fusedConvPool: expected 14 pool geometry integers");
  const ConvGeometry g = parseConvGeometry(convParams, "fusedConvPool");
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
  if (convPoolDirect(act, x, filter, bias, hasBias, out, convParams, poolParams, poolMode)) return;
  const int threads = pieceThreads(g);
  const Pieces pieces = piecesOf(g, threads);
  const i64 largest = std::max(pieces.chunk, pieces.images(pieces.count - 1, g.n));
  const std::size_t bytes = static_cast<std::size_t>(largest * yImage) * dtypeSize(out.dtype);
  // Piece p: each step runs on the threads its own kernel picks (one inside a job).
  const auto runPiece = [&](i64 p, void* scratch) {
    const i64 b0 = pieces.begin(p), n = pieces.images(p, g.n);
    const Buffer y{scratch, n * yImage, out.dtype};
    const Buffer xs = slice(x, b0 * xImage, n * xImage);
    if (packed) conv2dPrepacked(xs, filter, *packed, y, withImages(convParams, n));
    else conv2d(static_cast<int>(ConvMode::Forward), xs, filter, y, withImages(convParams, n));
    if (hasBias) biasActivation(act, y, bias, n * g.oh * g.ow, g.o);
    else if (act >= 0) unary(act, y, y);
    pool2d(poolMode, y, y, slice(out, b0 * pImage, n * pImage), withImages(poolParams, n));
  };
  if (pieces.count > 1 && threads > 1 && bytes <= kKeptScratchBytes && !splitSteps()) {
    // Threads claim whole pieces, each in its own core's cache: one job per call rather than three
    // per piece, and a thread the OS pauses delays the call by a piece at most. A piece's bits do
    // not depend on which thread runs it.
    forEachClaimedBlock(pieces.count, 1, threads, [&](i64 p, i64) {
      std::vector<std::uint64_t> unused;
      runPiece(p, pieceScratch(bytes, unused));
    });
    return;
  }
  std::vector<std::uint64_t> once;
  void* scratch = pieceScratch(bytes, once);
  for (i64 p = 0; p < pieces.count; ++p) runPiece(p, scratch);
}

}  // namespace nabla
