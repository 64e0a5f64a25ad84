// Entry points of the index and structure kernels (gather, unsortedSegmentSum, gatherND,
// scatterND, tensorScatterUpdate, concat, pad) and the helpers they share. Every kernel writes
// each element of its output (plans reuse buffers without zeroing them) and validates every
// index before it touches memory, with the reference kernels' wording
// (src/ops/primitives/index-args.ts).
#pragma once

#include <cstdint>
#include <cstring>
#include <string>

#include "claimed-blocks.h"
#include "kernel-call.h"
#include "thread-pool.h"

namespace nabla {

/**
 * Op 0, gather: buffers x, indices, output; words: x shape, indices shape, axis, batchDims.
 * Op 1, unsortedSegmentSum: buffers data, ids, output; words: data shape, ids shape, axis,
 * batchDims, numSegments. (src/ops/primitives/indexing.ts has the semantics.)
 */
void gatherEntry(const KernelCall& call);

/**
 * Op 0, gatherND: buffers x, indices, output. Op 1, scatterND: buffers indices, updates, output.
 * Op 2, tensorScatterUpdate: buffers tensor, indices, updates, output. Words: the indexed shape
 * (x's, the scatter's shape, the tensor's), then the indices' shape.
 */
void indexNDEntry(const KernelCall& call);

/** Buffers: the inputs, then the output. Words: outer (elements before the axis), input count, each input's row length. */
void concatEntry(const KernelCall& call);

/** Buffers: x, output. Words: the fill value (any number), x's shape, then (before, after) per dim. */
void padEntry(const KernelCall& call);

// ---------------------------------------------------------------- shared helpers (gather-kernels.cc)

/** "[2, 3]", as fmtShape writes shapes. */
std::string shapeText(const Shape& shape);

/**
 * The error for index `value` at flat position `flatPos` of indices shaped `indicesShape`,
 * outside [0, size) of `where` (indexOutOfRange in src/ops/primitives/index-args.ts).
 */
InputError indexOutOfRange(const char* op, std::int32_t value, i64 flatPos, const Shape& indicesShape, i64 size,
                           const std::string& where);

/** Unsigned element types by size: the moving kernels copy bits without looking at them. */
template <typename F> inline void withElementBits(DType d, F&& f) {
  switch (dtypeSize(d)) {
    case 1: f(static_cast<std::uint8_t*>(nullptr)); return;
    case 4: f(static_cast<std::uint32_t*>(nullptr)); return;
    default: f(static_cast<std::uint64_t*>(nullptr)); return;
  }
}

/** Copy `n` elements (n may be 0, pointers then may be null). */
template <typename T> inline void copyElements(T* to, const T* from, i64 n) {
  if (n == 1) *to = *from;
  else if (n > 0) std::memcpy(to, from, static_cast<std::size_t>(n) * sizeof(T));
}

/** JS's `out[k] += v` on a typed array: int32 wraps modulo 2^32, floats round once to their type. */
template <typename T> inline void addInto(T& o, T v) { o += v; }
template <> inline void addInto<std::int32_t>(std::int32_t& o, std::int32_t v) {
  o = static_cast<std::int32_t>(static_cast<std::uint32_t>(o) + static_cast<std::uint32_t>(v));
}

/**
 * Split [0, n) among threads when `work` warrants it; each range is passed to body(begin, end).
 * Kernels that own the output range they were given write nothing outside it, so the result
 * does not depend on the thread count.
 */
template <typename F> void forOutputRanges(i64 n, i64 work, F&& body) {
  i64 threads = threadsFor(work);
  if (threads > n) threads = n > 0 ? n : 1;
  if (threads <= 1) {
    body(i64{0}, n);
    return;
  }
  // Blocks claimed one at a time, four per thread: a thread the OS pauses delays the job by one.
  const int t = static_cast<int>(threads);
  forEachClaimedBlock(n, (n + 4 * t - 1) / (4 * t), t, body);
}

/** Throw unless `b` has dtype `want`. */
void expectDType(const Buffer& b, DType want, const char* op, const char* what);

}  // namespace nabla
