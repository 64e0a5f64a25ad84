// concat and constant pad (src/ops/primitives/structure.ts): pure data movement, bit for bit.
// Threads each own a range of the output and write all of it (copied rows and fill alike).
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "index-kernels.h"

namespace nabla {

void concatEntry(const KernelCall& c) {
  const char* op = "concat";
  WordCursor w(c);
  const i64 outer = w.integer("outer size"), count = w.integer("input count");
  if (outer < 0) throw InputError("concat: negative outer size " + std::to_string(outer));
  if (count < 1 || static_cast<std::size_t>(count) + 1 != c.bufferCount)
    throw InputError("concat: expected " + std::to_string(count) + " inputs and an output, got " + std::to_string(c.bufferCount) + " arrays");
  std::vector<i64> rows(static_cast<std::size_t>(count)), cols(static_cast<std::size_t>(count));
  i64 rowOut = 0;
  for (i64 i = 0; i < count; ++i) {
    rows[i] = w.integer("row length");
    if (rows[i] < 0) throw InputError("concat: negative row length " + std::to_string(rows[i]));
    cols[i] = rowOut;
    rowOut += rows[i];
  }
  const Buffer& out = c.buffer(static_cast<std::size_t>(count), "output");
  for (i64 i = 0; i < count; ++i) {
    const Buffer& x = c.buffer(static_cast<std::size_t>(i), "input");
    if (x.dtype != out.dtype) throw InputError("concat: the inputs and the output must share a dtype");
    expectLength(x, elementCount({outer, rows[i]}, op), op, "an input");
  }
  const i64 total = elementCount({outer, rowOut}, op);
  expectLength(out, total, op, "output");
  if (total == 0) return;
  withElementBits(out.dtype, [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    T* dst = out.as<T>();
    forOutputRanges(total, total, [&](i64 lo, i64 hi) {
      for (i64 r = lo / rowOut; r * rowOut < hi; ++r) {
        for (i64 i = 0; i < count; ++i) {
          const i64 start = r * rowOut + cols[i], a = std::max(lo, start), b = std::min(hi, start + rows[i]);
          if (a < b) copyElements(dst + a, c.buffers[i].as<T>() + r * rows[i] + (a - start), b - a);
        }
      }
    });
  });
}

void padEntry(const KernelCall& c) {
  const char* op = "pad";
  if (c.wordCount < 1) throw InputError("nabla addon: argument buffer too short reading pad's fill value");
  // -0 counts as 0: the reference leaves its zeroed array unfilled for any value equal to 0.
  const double value = c.words[0] == 0 ? 0.0 : c.words[0];
  KernelCall rest = c;
  rest.words = c.words + 1;
  rest.wordCount = c.wordCount - 1;
  WordCursor w(rest);
  Shape inShape = w.shape("x shape");
  std::vector<std::pair<i64, i64>> pads(inShape.size());
  for (auto& p : pads) {
    p.first = w.integer("padding before");
    p.second = w.integer("padding after");
    if (p.first < 0 || p.second < 0) throw InputError("pad: paddings must be non-negative");
  }
  const Buffer &x = c.buffer(0, "x"), &out = c.buffer(1, "output");
  if (x.dtype != out.dtype) throw InputError("pad: x and the output must share a dtype");
  Shape outShape(inShape.size());
  for (std::size_t d = 0; d < inShape.size(); ++d) outShape[d] = inShape[d] + pads[d].first + pads[d].second;
  expectLength(x, elementCount(inShape, op), op, "x");
  const i64 total = elementCount(outShape, op);
  expectLength(out, total, op, "output");
  if (total == 0) return;
  if (inShape.empty()) {
    // A scalar is one row of one element with no padding.
    inShape = outShape = {1};
    pads = {{0, 0}};
  }
  const int rank = static_cast<int>(inShape.size());
  const i64 outRow = outShape[rank - 1], inRow = inShape[rank - 1], before = pads[rank - 1].first;
  withType(x.dtype, [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    const T fill = storeAs<T>(value);
    const T* src = x.as<T>();
    T* dst = out.as<T>();
    forOutputRanges(total, total, [&](i64 lo, i64 hi) {
      for (i64 row = lo / outRow; row * outRow < hi; ++row) {
        // The input row this output row holds, unless a leading coordinate lies in the padding.
        i64 rem = row, inIndex = 0, inStride = 1;
        bool inside = true;
        for (int d = rank - 2; d >= 0 && inside; --d) {
          const i64 coord = rem % outShape[d] - pads[d].first;
          rem /= outShape[d];
          inside = coord >= 0 && coord < inShape[d];
          inIndex += coord * inStride;
          inStride *= inShape[d];
        }
        const i64 a = std::max(lo, row * outRow), b = std::min(hi, (row + 1) * outRow);
        const i64 c0 = inside ? row * outRow + before : b, c1 = inside ? c0 + inRow : b;
        std::fill(dst + a, dst + std::max(a, std::min(b, c0)), fill);
        if (std::max(a, c0) < std::min(b, c1))
          copyElements(dst + std::max(a, c0), src + inIndex * inRow + (std::max(a, c0) - c0), std::min(b, c1) - std::max(a, c0));
        std::fill(dst + std::min(b, std::max(a, c1)), dst + b, fill);
      }
    });
    return 0;
  });
}

}  // namespace nabla
