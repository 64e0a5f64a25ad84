// gatherND, scatterND and tensorScatterUpdate (src/ops/primitives/gather-nd.ts): the last axis
// of the indices holds K coordinates into the first K dims of the indexed shape. The scatters
// give each thread a range of the output and apply every update slice in order inside it, so
// duplicates sum (or the last one wins) exactly as in the reference.
#include <algorithm>
#include <string>
#include <vector>

#include "index-kernels.h"

namespace nabla {

namespace {

/** Where each index tuple's slice starts in the indexed tensor, every coordinate validated. */
struct SliceOffsets {
  i64 inner = 1;
  std::vector<i64> offsets;
};

SliceOffsets sliceOffsets(const char* op, const Buffer& indices, const Shape& idxShape, const Shape& shape) {
  expectDType(indices, DType::I32, op, "indices");
  if (idxShape.empty()) throw InputError(std::string(op) + ": indices must have rank >= 1 (the last axis holds coordinates), got a scalar");
  const i64 k = idxShape.back();
  if (k > static_cast<i64>(shape.size()))
    throw InputError(std::string(op) + ": indices " + shapeText(idxShape) + " hold " + std::to_string(k) +
                     " coordinates but the indexed shape " + shapeText(shape) + " has only " + std::to_string(shape.size()) + " dims");
  expectLength(indices, elementCount(idxShape, op), op, "indices");
  SliceOffsets s;
  s.inner = elementCount(Shape(shape.begin() + k, shape.end()), op);
  s.offsets.resize(static_cast<std::size_t>(elementCount(Shape(idxShape.begin(), idxShape.end() - 1), op)));
  Shape strides(static_cast<std::size_t>(k));
  i64 stride = s.inner;
  for (i64 d = k; d-- > 0;) {
    strides[d] = stride;
    stride *= shape[d];
  }
  const std::int32_t* idx = indices.as<std::int32_t>();
  for (std::size_t j = 0; j < s.offsets.size(); ++j) {
    i64 off = 0;
    for (i64 d = 0; d < k; ++d) {
      const std::int32_t v = idx[static_cast<i64>(j) * k + d];
      if (v < 0 || v >= shape[d])
        throw indexOutOfRange(op, v, static_cast<i64>(j) * k + d, idxShape, shape[d],
                              "dim " + std::to_string(d) + " of shape " + shapeText(shape));
      off += v * strides[d];
    }
    s.offsets[j] = off;
  }
  return s;
}

void gatherND(const KernelCall& c, const Shape& shape, const Shape& idxShape) {
  const char* op = "gatherND";
  const Buffer &x = c.buffer(0, "x"), &indices = c.buffer(1, "indices"), &out = c.buffer(2, "output");
  if (out.dtype != x.dtype) throw InputError("gatherND: x and the output must share a dtype");
  expectLength(x, elementCount(shape, op), op, "x");
  const SliceOffsets s = sliceOffsets(op, indices, idxShape, shape);
  const i64 total = elementCount({static_cast<i64>(s.offsets.size()), s.inner}, op);
  expectLength(out, total, op, "output");
  if (total == 0) return;
  withElementBits(x.dtype, [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    const T* src = x.as<T>();
    T* dst = out.as<T>();
    forOutputRanges(total, total, [&](i64 lo, i64 hi) {
      for (i64 j = lo / s.inner; j * s.inner < hi; ++j) {
        const i64 start = std::max(lo, j * s.inner), end = std::min(hi, (j + 1) * s.inner);
        copyElements(dst + start, src + s.offsets[j] + (start - j * s.inner), end - start);
      }
    });
  });
}

/**
 * out = base (or zeros), then each update slice in order added (or written) at its offset.
 * Threads own output ranges and each scans all the slices, so narrow slices stay on one thread.
 */
template <typename T, bool Replace>
void scatterSlices(const T* base, const T* updates, const SliceOffsets& s, T* out, i64 total) {
  const i64 count = static_cast<i64>(s.offsets.size());
  const i64 work = s.inner >= 32 || count * 8 <= total ? total + count * s.inner : 0;
  forOutputRanges(total, work, [&](i64 lo, i64 hi) {
    if (base) copyElements(out + lo, base + lo, hi - lo);
    else std::fill(out + lo, out + hi, T(0));
    for (i64 j = 0; j < count; ++j) {
      const i64 to = s.offsets[j], a = std::max(lo, to), b = std::min(hi, to + s.inner);
      if (a >= b) continue;
      const T* from = updates + j * s.inner + (a - to);
      if (Replace) copyElements(out + a, from, b - a);
      else
        for (i64 k = 0; k < b - a; ++k) addInto(out[a + k], from[k]);
    }
  });
}

void scatterND(const KernelCall& c, const Shape& shape, const Shape& idxShape) {
  const char* op = "scatterND";
  const Buffer &indices = c.buffer(0, "indices"), &updates = c.buffer(1, "updates"), &out = c.buffer(2, "output");
  if (out.dtype != updates.dtype) throw InputError("scatterND: updates and the output must share a dtype");
  if (updates.dtype == DType::Bool) throw InputError("scatterND: expected numeric updates, got bool");
  const SliceOffsets s = sliceOffsets(op, indices, idxShape, shape);
  expectLength(updates, elementCount({static_cast<i64>(s.offsets.size()), s.inner}, op), op, "updates");
  const i64 total = elementCount(shape, op);
  expectLength(out, total, op, "output");
  if (total == 0) return;
  withType(out.dtype, [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    scatterSlices<T, false>(nullptr, updates.as<T>(), s, out.as<T>(), total);
    return 0;
  });
}

void tensorScatterUpdate(const KernelCall& c, const Shape& shape, const Shape& idxShape) {
  const char* op = "tensorScatterUpdate";
  const Buffer &t = c.buffer(0, "tensor"), &indices = c.buffer(1, "indices"), &updates = c.buffer(2, "updates"),
               &out = c.buffer(3, "output");
  if (t.dtype != updates.dtype || t.dtype != out.dtype)
    throw InputError("tensorScatterUpdate: tensor, updates and the output must share a dtype");
  expectLength(t, elementCount(shape, op), op, "tensor");
  const SliceOffsets s = sliceOffsets(op, indices, idxShape, shape);
  expectLength(updates, elementCount({static_cast<i64>(s.offsets.size()), s.inner}, op), op, "updates");
  expectLength(out, t.length, op, "output");
  if (t.length == 0) return;
  withElementBits(t.dtype, [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    scatterSlices<T, true>(t.as<T>(), updates.as<T>(), s, out.as<T>(), t.length);
  });
}

}  // namespace

void indexNDEntry(const KernelCall& call) {
  WordCursor w(call);
  const Shape shape = w.shape("indexed shape"), idxShape = w.shape("indices shape");
  switch (static_cast<IndexNDOp>(call.op)) {
    case IndexNDOp::gatherND: gatherND(call, shape, idxShape); return;
    case IndexNDOp::scatterND: scatterND(call, shape, idxShape); return;
    case IndexNDOp::tensorScatterUpdate: tensorScatterUpdate(call, shape, idxShape); return;
    default: throw InputError("indexND: unknown op " + std::to_string(call.op));
  }
}

}  // namespace nabla
